package plugin_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
)

// withTempfile is a metric plugin with a Mackerel original's -tempfile.
type withTempfile struct {
	Tempfile string `long:"tempfile" statekey:"-" description:"the original's state file"`
}

func (*withTempfile) Prefix() string { return "t" }
func (*withTempfile) Graphs() metrics.Graphs {
	return metrics.Graphs{"n": {Label: "N", Unit: metrics.Integer, Metrics: []metrics.Metric{{Name: "total", Label: "Total"}}}}
}
func (*withTempfile) Collect(_ context.Context, _ *plugin.Invocation, b *metrics.Batch) error {
	b.Counter("n.total", 1)
	return nil
}

// -tempfile FILE keeps the state in FILE's directory; --state-dir, when
// given too, wins.
func TestTempfileNamesTheStateDirectory(t *testing.T) {
	p := &plugin.Plugin{Name: "metrics-tempfile", New: func() any { return &withTempfile{} }}
	files := func(dir string) int {
		entries, _ := os.ReadDir(dir)
		return len(entries)
	}
	dir := t.TempDir()
	h := plugintest.New(t, p)
	require.Equal(t, 0, h.Run("--tempfile", filepath.Join(dir, "mackerel-plugin-t")).Code)
	assert.NotZero(t, files(dir), "the state is in the tempfile's directory")
	assert.Zero(t, files(h.StateDir), "and not in $MACKEREL_PLUGIN_WORKDIR")

	explicit, other := t.TempDir(), t.TempDir()
	require.Equal(t, 0, h.Run("--tempfile", filepath.Join(other, "x"), "--state-dir", explicit).Code)
	assert.NotZero(t, files(explicit))
	assert.Zero(t, files(other))
}
