package plugin_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/state"
)

// testCheckNext is the next release of testCheck: one option more, with
// a default, and a new runtime-like switch.
type testCheckNext struct {
	testCheck
	Color string `long:"color" default:"blue" description:"a new option with a default"`
	Deep  bool   `long:"deep" description:"a new switch"`
}

var checkNext = &plugin.Plugin{Name: "check-test", Title: "TEST", Description: "the next release", New: func() any { return &testCheckNext{} }}

func stateFiles(t *testing.T, dir string) []string {
	t.Helper()
	var names []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	return names
}

// The key rule: the plugin name and the options off their defaults,
// without statekey:"-" ones.
func TestStateKeyIsTheOptionsOffTheirDefaults(t *testing.T) {
	h := plugintest.New(t, check)
	h.Run("-p", "a", "--level", "3", "-w", "5")
	assert.Equal(t, []string{state.Key("check-test", []string{`pattern=["a"]`}) + ".json"}, stateFiles(t, h.StateDir))

	// A release that adds options with defaults finds the same state.
	next := plugintest.New(t, checkNext)
	next.StateDir, next.Env = h.StateDir, h.Env
	assert.Equal(t, "TEST OK: run 2 with a\n", next.Run("-p", "a").Stdout)
	assert.Equal(t, "TEST OK: run 3 with a\n", next.Run("-p", "a", "--color", "blue").Stdout, "a value equal to the default is the default")
	assert.Equal(t, "TEST OK: run 1 with a\n", next.Run("-p", "a", "--color", "red").Stdout, "a value off the default is another instance")
	assert.Equal(t, "TEST OK: run 4 with a\n", h.Run("-p", "a").Stdout, "and back")
}

// Releases up to 7888c66 hashed every option, defaults included.
func key7888c66(name string, pairs ...string) string { return state.Key(name, pairs) }

func TestStateOfEarlierReleasesIsCarriedOver(t *testing.T) {
	h := plugintest.New(t, checkNext)
	old := filepath.Join(h.StateDir, key7888c66("check-test", `level=3`, `pattern=["a"]`)+".json")
	require.NoError(t, os.WriteFile(old, []byte(`{"teko_state":1,"key":"x","data":{"Runs":41}}`+"\n"), 0o600))
	r := h.Run("-p", "a")
	assert.Equal(t, "TEST OK: run 42 with a\n", r.Stdout, "7888c66's key, although this release has two options more")
	assert.Contains(t, r.Stderr, "carried over "+old)
	assert.Equal(t, []string{state.Key("check-test", []string{`pattern=["a"]`}) + ".json"}, stateFiles(t, h.StateDir), "renamed: nothing left to take over twice")
	assert.Equal(t, "TEST OK: run 43 with a\n", h.Run("-p", "a").Stdout)

	// An instance with options off their defaults, in the old shared
	// directory of the temporary folder.
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	delete(h.Env, "MACKEREL_PLUGIN_WORKDIR")
	shared := filepath.Join(tmp, "teko")
	require.NoError(t, os.Mkdir(shared, 0o700))
	old = filepath.Join(shared, key7888c66("check-test", `level=4`, `pattern=["b"]`)+".json")
	require.NoError(t, os.WriteFile(old, []byte(`{"teko_state":1,"key":"x","data":{"Runs":7}}`+"\n"), 0o600))
	r = h.Run("-p", "b", "--level", "4")
	assert.Equal(t, "TEST OK: run 8 with b\n", r.Stdout, "found in the shared directory of earlier releases")
	assert.NoFileExists(t, old)
	if uid := os.Geteuid(); uid >= 0 {
		assert.Len(t, stateFiles(t, filepath.Join(tmp, "teko-"+strconv.Itoa(uid))), 1, "moved to the per-user directory")
	}
}

func TestNewerStateFormatIsUnknownAndKept(t *testing.T) {
	h := plugintest.New(t, check)
	path := filepath.Join(h.StateDir, state.Key("check-test", nil)+".json")
	content := `{"teko_state":9,"key":"x","data":{"Runs":3,"more":true}}`
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	r := h.Run()
	assert.Equal(t, 3, r.Code)
	assert.True(t, strings.HasPrefix(r.Stdout, "TEST UNKNOWN: state file "+path+" has format version 9"), r.Stdout)
	b, _ := os.ReadFile(path)
	assert.Equal(t, content, string(b), "left untouched")
}

// peakMetrics remembers the highest value it has seen in its own state,
// beside the runtime's counter memory.
type peakMetrics struct {
	Value uint64 `long:"value" statekey:"-" description:"counter value"`
}

func (o *peakMetrics) Prefix() string { return "peak" }
func (o *peakMetrics) Graphs() metrics.Graphs {
	return metrics.Graphs{"v": {Label: "Peak", Unit: metrics.Integer, Metrics: []metrics.Metric{{Name: "max", Label: "max"}, {Name: "total", Label: "total"}}}}
}
func (o *peakMetrics) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	st, err := inv.State()
	if err != nil {
		return err
	}
	var peak struct{ Max uint64 }
	if _, err := st.Load(&peak); err != nil {
		return err
	}
	peak.Max = max(peak.Max, o.Value)
	b.Gauge("v.max", float64(peak.Max))
	b.Counter("v.total", o.Value)
	return st.Save(peak)
}

var peakPlugin = &plugin.Plugin{Name: "metrics-peak", Description: "peak", New: func() any { return &peakMetrics{} }}

func TestMetricPluginHasItsOwnState(t *testing.T) {
	h := plugintest.New(t, peakPlugin)
	r := h.Run("--value", "50")
	assert.Equal(t, map[string]float64{"peak.v.max": 50}, h.Values(r, "--value", "50"))
	assert.Empty(t, r.Stderr)
	h.Advance(time.Minute)
	r = h.Run("--value", "80")
	assert.Equal(t, map[string]float64{"peak.v.max": 80, "peak.v.total": 30}, h.Values(r, "--value", "80"))
	assert.Empty(t, r.Stderr)
	h.Advance(time.Minute)
	r = h.Run("--value", "70")
	assert.Equal(t, map[string]float64{"peak.v.max": 80}, h.Values(r, "--value", "70"), "a counter going down is a reset: no rate")
	assert.NotContains(t, r.Stderr, "does not hold")
}

func TestMetricPluginWithoutUsableStatePrintsGauges(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	h := plugintest.New(t, metricPlugin)
	r := h.Run("--value", "100", "--state-dir", filepath.Join(file, "dir"))
	assert.Equal(t, "test.load.now\t0.5\t"+strconv.FormatInt(h.Now().Unix(), 10)+"\n", r.Stdout, "the gauge needs no state")
	assert.Equal(t, "metrics-test: rates left out, as the state that turns counters into rates cannot be used: state directory "+filepath.Join(file, "dir")+": not a directory\n", r.Stderr)
	assert.Equal(t, 3, r.Code)
}

type switchCheck struct {
	testCheck
	Return bool `short:"r" long:"return" description:"a switch"`
}

var switches = &plugin.Plugin{Name: "check-test", Title: "TEST", New: func() any { return &switchCheck{} }}

func TestVersionInABundleOrWithOneDash(t *testing.T) {
	old := plugin.Version
	plugin.Version = "v1.2.3"
	defer func() { plugin.Version = old }()
	h := plugintest.New(t, switches)
	r := h.Run("-p", "a", "-rV")
	assert.Equal(t, "check-test v1.2.3\n", r.Stdout, "-V bundled")
	assert.Empty(t, stateFiles(t, h.StateDir), "and the plugin did not run")

	single := &plugin.Plugin{Name: "check-single", SingleDashLong: true, New: func() any { return &testCheck{} }}
	h = plugintest.New(t, single)
	assert.Equal(t, "check-single v1.2.3\n", h.Run("-version").Stdout)
	assert.Equal(t, "check-single v1.2.3\n", h.Run("-p", "a", "-version").Stdout)
	r = plugintest.New(t, check).Run("-version")
	assert.Equal(t, 3, r.Code, "without SingleDashLong, -version is a bundle of short flags: refused, never run")
	assert.Contains(t, r.Stdout, "TEST UNKNOWN:")
	_ = checkers.OK
}

// Every line printed for the agent fits its 1024 bytes, with a marker.
func TestLongLinesAreCut(t *testing.T) {
	long := strings.Repeat("x", 5000)
	for _, p := range []*plugin.Plugin{check, metricPlugin} {
		r := plugintest.New(t, p).Run("--" + long)
		assert.Equal(t, 3, r.Code)
		assert.Len(t, r.Stdout, 1024, "a usage error of %s", p.Name)
		assert.True(t, strings.HasSuffix(r.Stdout, "… (cut)\n"), r.Stdout)
		assert.Contains(t, r.Stdout, "UNKNOWN: unknown flag `xxx")
	}
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	deep := filepath.Join(file, strings.Repeat("d", 200), strings.Repeat("e", 200), strings.Repeat("f", 200), strings.Repeat("g", 200), strings.Repeat("h", 200))
	r := plugintest.New(t, metricPlugin).Run("--state-dir", deep)
	assert.Len(t, r.Stderr, 1024, "a warning on stderr")
	assert.True(t, strings.HasPrefix(r.Stderr, "metrics-test: rates left out"), r.Stderr)
	assert.True(t, strings.HasSuffix(r.Stderr, "… (cut)\n"), r.Stderr)
	r = plugintest.New(t, check).Run("--fail", long)
	assert.Len(t, r.Stdout, 1024, "an error from Check")
	assert.True(t, strings.HasSuffix(r.Stdout, "…\n"), r.Stdout)
}

// A metric plugin's state from a newer release: the gauges are printed,
// the rates left out, and the file is not written over.
func TestMetricPluginKeepsANewerStateFile(t *testing.T) {
	h := plugintest.New(t, metricPlugin)
	path := filepath.Join(h.StateDir, state.Key("metrics-test", nil)+".json")
	content := `{"teko_state":2,"key":"x","data":{}}`
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	r := h.Run("--value", "5")
	assert.Equal(t, "test.load.now\t0.5\t"+strconv.FormatInt(h.Now().Unix(), 10)+"\n", r.Stdout)
	assert.Contains(t, r.Stderr, "rates left out")
	assert.Contains(t, r.Stderr, path+" has format version 2")
	b, _ := os.ReadFile(path)
	assert.Equal(t, content, string(b))
}

func TestLongPanicLineIsCut(t *testing.T) {
	r := plugintest.New(t, check).Run("--panic", strings.Repeat("p", 3000))
	assert.Equal(t, 3, r.Code)
	first, _, _ := strings.Cut(r.Stderr, "\n")
	assert.Len(t, first, 1023)
	assert.True(t, strings.HasSuffix(first, "… (cut)"), first)
	assert.Contains(t, r.Stderr, "goroutine", "the stack follows")
	assert.LessOrEqual(t, len(r.Stdout), 1024)
}
