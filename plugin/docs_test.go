package plugin_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
)

// The doc of Timeout: what ParseSeconds takes, except zero and negative.
func TestTimeoutIsParseSecondsButPositive(t *testing.T) {
	for _, text := range []string{"0", "-5", "0s", "-1m"} {
		_, err := plugin.ParseSeconds(text)
		require.NoError(t, err, "ParseSeconds takes %q", text)
		var to plugin.Timeout
		assert.ErrorContains(t, to.UnmarshalFlag(text), "must be positive", "Timeout refuses %q", text)
	}
	for _, text := range []string{"10", "1.5", "90s", "1h30m"} {
		want, err := plugin.ParseSeconds(text)
		require.NoError(t, err)
		var to plugin.Timeout
		require.NoError(t, to.UnmarshalFlag(text))
		assert.Equal(t, plugin.Timeout(want), to)
	}
}

// quietCheck keeps state without declaring --state-dir, and has an
// unexported field with a tag.
type quietCheck struct {
	Name    string `long:"name" description:"a name"`
	scratch string `long:"scratch" description:"not an option"`
}

func (o *quietCheck) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	o.scratch = "computed during the run"
	st, err := inv.State()
	if err != nil {
		return nil, err
	}
	var n int
	if _, err := st.Load(&n); err != nil {
		return nil, err
	}
	n++
	return checkers.NewResult(checkers.OK, "run %d", n), st.Save(n)
}

var quiet = &plugin.Plugin{Name: "check-quiet", Title: "QUIET", New: func() any { return &quietCheck{} }}

// The plugin doc: a stateful check need not declare --state-dir; an
// unexported field is no option and takes no part in the state key.
func TestStateWithoutStateDirAndUnexportedFields(t *testing.T) {
	h := plugintest.New(t, quiet)
	assert.Equal(t, "QUIET OK: run 1\n", h.Run("--name", "a").Stdout)
	assert.Equal(t, "QUIET OK: run 2\n", h.Run("--name", "a").Stdout, "kept in $MACKEREL_PLUGIN_WORKDIR")
	help := h.Run("--help").Stdout
	assert.NotContains(t, help, "scratch")
	assert.NotContains(t, help, "--state-dir", "not declared, not added")
	r := h.Run("--scratch", "x")
	assert.Equal(t, 3, r.Code)
	assert.True(t, strings.HasPrefix(r.Stdout, "QUIET UNKNOWN: unknown flag `scratch'"), r.Stdout)
}
