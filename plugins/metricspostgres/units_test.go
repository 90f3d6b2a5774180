package metricspostgres

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
)

// The block I/O times are milliseconds with fractions, kept in
// microseconds between runs: the running totals that prometheus and json
// print are milliseconds, the unit of the graph (they were microseconds,
// 1000 times too big for a Prometheus rate()). The stand-in server says
// 1.5 ms of reading.
func TestIOTimeTotalsAreMilliseconds(t *testing.T) {
	args, stop, err := (&options{}).ConformanceArgs(t.TempDir())
	require.NoError(t, err)
	defer stop()
	r := plugintest.New(t, Plugin).Run(append(args, "--format", "prometheus")...)
	require.Equal(t, 0, r.Code, "%v", r)
	var line string
	for _, l := range strings.Split(r.Stdout, "\n") {
		if strings.HasPrefix(l, "postgres_iotime_blk_read_time") {
			line = l
		}
	}
	assert.Regexp(t, `^postgres_iotime_blk_read_time\S* 1\.5$`, line, "%s", r.Stdout)
}
