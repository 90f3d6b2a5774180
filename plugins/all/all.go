// Package all is the registry: the list of every official teko plugin.
//
// The multi-call binary runs the plugins listed here, the conformance
// suite tests each of them, and packaging installs a symlink for each.
// Adding a plugin is one line in Plugins, kept in alphabetical order;
// nothing else in the repository changes. The plugin's own package
// supplies the rest: its code, its README.md, ConformanceArgs if it needs
// inputs to run (see package conformance), and the three-line
// plugins/cmd/<name>/main.go that makes its single binary. The registry's
// test checks all of that for every plugin listed.
package all

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checkcertfile"
	"github.com/teko-dev/teko/plugins/checkdisk"
	"github.com/teko-dev/teko/plugins/checkdns"
	"github.com/teko-dev/teko/plugins/checkfileage"
	"github.com/teko-dev/teko/plugins/checkhttp"
	"github.com/teko-dev/teko/plugins/checkload"
	"github.com/teko-dev/teko/plugins/checklog"
	"github.com/teko-dev/teko/plugins/checkmemcached"
	"github.com/teko-dev/teko/plugins/checkmemory"
	"github.com/teko-dev/teko/plugins/checkmysql"
	"github.com/teko-dev/teko/plugins/checkntpoffset"
	"github.com/teko-dev/teko/plugins/checkpostgresql"
	"github.com/teko-dev/teko/plugins/checkprocs"
	"github.com/teko-dev/teko/plugins/checkredis"
	"github.com/teko-dev/teko/plugins/checksslcert"
	"github.com/teko-dev/teko/plugins/checktcp"
	"github.com/teko-dev/teko/plugins/checkuptime"
	"github.com/teko-dev/teko/plugins/metricsaccesslog"
	"github.com/teko-dev/teko/plugins/metricsapache2"
	"github.com/teko-dev/teko/plugins/metricsconntrack"
	"github.com/teko-dev/teko/plugins/metricsdocker"
	"github.com/teko-dev/teko/plugins/metricsinode"
	"github.com/teko-dev/teko/plugins/metricsjvm"
	"github.com/teko-dev/teko/plugins/metricslinux"
	"github.com/teko-dev/teko/plugins/metricsmemcached"
	"github.com/teko-dev/teko/plugins/metricsmysql"
	"github.com/teko-dev/teko/plugins/metricsnginx"
	"github.com/teko-dev/teko/plugins/metricsphpfpm"
	"github.com/teko-dev/teko/plugins/metricspostgres"
	"github.com/teko-dev/teko/plugins/metricsredis"
)

// Plugins lists every official plugin, sorted by name.
var Plugins = []*plugin.Plugin{
	checkcertfile.Plugin,
	checkdisk.Plugin,
	checkdns.Plugin,
	checkfileage.Plugin,
	checkhttp.Plugin,
	checkload.Plugin,
	checklog.Plugin,
	checkmemcached.Plugin,
	checkmemory.Plugin,
	checkmysql.Plugin,
	checkntpoffset.Plugin,
	checkpostgresql.Plugin,
	checkprocs.Plugin,
	checkredis.Plugin,
	checksslcert.Plugin,
	checktcp.Plugin,
	checkuptime.Plugin,
	metricsaccesslog.Plugin,
	metricsapache2.Plugin,
	metricsconntrack.Plugin,
	metricsdocker.Plugin,
	metricsinode.Plugin,
	metricsjvm.Plugin,
	metricslinux.Plugin,
	metricsmemcached.Plugin,
	metricsmysql.Plugin,
	metricsnginx.Plugin,
	metricsphpfpm.Plugin,
	metricspostgres.Plugin,
	metricsredis.Plugin,
}
