package plugin_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
)

// ownT is a check whose own -t means something else, as check-ntpoffset's
// NTP timeout does.
type ownT struct {
	NTPTimeout int  `short:"t" long:"ntp-timeout" default:"15" description:"seconds to wait for a server"`
	Wait       bool `long:"wait" description:"wait for the context to end"`
}

func (o *ownT) Check(ctx context.Context, _ *plugin.Invocation) (*checkers.Result, error) {
	if o.Wait {
		<-ctx.Done()
	}
	return checkers.NewResult(checkers.OK, "ntp-timeout %d", o.NTPTimeout), nil
}

var ownTCheck = &plugin.Plugin{Name: "check-own-t", Title: "OWN", New: func() any { return &ownT{} }}

func TestAPluginsOwnShortTWins(t *testing.T) {
	h := plugintest.New(t, ownTCheck)
	r := h.Run("-t", "3")
	assert.Equal(t, "OWN OK: ntp-timeout 3\n", r.Stdout, "-t is the plugin's")

	help := h.Run("--help").Stdout
	assert.Contains(t, help, "-t, --ntp-timeout=")
	assert.Contains(t, help, "    --timeout=DURATION", "the runtime keeps the long name")
	assert.NotContains(t, help, "-t, --timeout")

	start := time.Now()
	r = h.Run("--timeout", "0.2", "--wait")
	assert.Equal(t, 3, r.Code, "--timeout still bounds the run: %v", r)
	assert.Less(t, time.Since(start), 5*time.Second)
}
