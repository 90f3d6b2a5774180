package plugintest_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
)

// elapsed is a check that calls a URL and reports how far the run's
// clock moved during the call.
type elapsed struct {
	URL string `long:"url" required:"true"`
}

func (o *elapsed) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	before := inv.Now()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, o.URL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return checkers.NewResult(checkers.OK, "took %s", inv.Now().Sub(before)), nil
}

var elapsedPlugin = &plugin.Plugin{Name: "check-elapsed", Title: "ELAPSED", New: func() any { return &elapsed{} }}

// A test server advances the fake clock from its handler while the run
// is in progress: the plugin sees the time move (a slow answer, without
// waiting for it).
func TestClockAdvancedFromInsideARun(t *testing.T) {
	h := plugintest.New(t, elapsedPlugin)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.Advance(90 * time.Second)
	}))
	defer srv.Close()
	r := h.Run("--url", srv.URL)
	assert.Equal(t, "ELAPSED OK: took 1m30s\n", r.Stdout)
	assert.Equal(t, plugintest.Start.Add(90*time.Second), h.Now())

	h.Set(plugintest.Start)
	assert.Equal(t, plugintest.Start, h.Now())
}

// Runs, meta runs and the clock may be used from several goroutines at
// once (run this with -race); a meta run leaves Env as it was.
func TestHarnessConcurrentUse(t *testing.T) {
	h := plugintest.New(t, gaugesPlugin)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(3)
		go func() { defer wg.Done(); h.Run() }()
		go func() { defer wg.Done(); h.Meta() }()
		go func() { defer wg.Done(); h.Advance(time.Duration(i) * time.Second) }()
	}
	wg.Wait()
	_, set := h.Env["MACKEREL_AGENT_PLUGIN_META"]
	assert.False(t, set, "Meta must not leave its variable in Env")
}

func TestRunValues(t *testing.T) {
	h := plugintest.New(t, gaugesPlugin)
	got := h.RunValues("--unit", "float")
	require.Equal(t, h.Values(h.Run("--unit", "float"), "--unit", "float"), got)
	assert.Equal(t, 41.5, got["g.temp.cpu"])
}
