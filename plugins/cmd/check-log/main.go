// Command check-log counts the new lines of log files that match a
// pattern; see package checklog.
package main

import (
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/checklog"
)

func main() { plugin.Main(checklog.Plugin) }
