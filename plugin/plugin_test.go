package plugin_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
)

// testCheck exercises every runtime path: it counts its runs in the state
// store and can sleep, panic or fail on request.
type testCheck struct {
	plugin.StateOptions
	Patterns []string        `short:"p" long:"pattern" value-name:"RE" description:"patterns to count"`
	Warning  *checkers.Range `short:"w" long:"warning" statekey:"-" description:"warning range"`
	Sleep    time.Duration   `long:"sleep" default:"0s" statekey:"-" description:"sleep this long, ignoring the context"`
	Ready    string          `long:"ready" statekey:"-" description:"create this file when the check starts"`
	Wait     bool            `long:"wait" statekey:"-" description:"wait for the context to end"`
	Panic    string          `long:"panic" statekey:"-" description:"panic with this message"`
	Fail     string          `long:"fail" statekey:"-" description:"return this error"`
	Level    int             `long:"level" default:"3" description:"a number"`
}

// Validate is called by the runtime after parsing.
func (o *testCheck) Validate() error {
	if o.Level < 0 {
		return fmt.Errorf("--level must not be negative, got %d", o.Level)
	}
	return nil
}

type runCount struct{ Runs int }

var cancelledSeen = make(chan error, 10)

func (o *testCheck) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	if o.Ready != "" {
		if err := os.WriteFile(o.Ready, nil, 0o600); err != nil {
			return nil, err
		}
	}
	switch {
	case o.Panic != "":
		panic(o.Panic)
	case o.Fail != "":
		return nil, errors.New(o.Fail)
	case o.Wait:
		<-ctx.Done()
		cancelledSeen <- context.Cause(ctx)
		return nil, ctx.Err()
	}
	time.Sleep(o.Sleep)
	st, err := inv.State()
	if err != nil {
		return nil, err
	}
	var c runCount
	if _, err := st.Load(&c); err != nil {
		return nil, err
	}
	c.Runs++
	st.Save(c)
	res := checkers.NewResult(checkers.OK, "run %d with %s", c.Runs, strings.Join(o.Patterns, ","))
	res.AddPerfdata(checkers.Perfdata{Label: "runs", Value: float64(c.Runs), Warn: o.Warning})
	if o.Warning != nil && o.Warning.Alert(float64(c.Runs)) {
		res.Status = checkers.Warning
	}
	return res, nil
}

var check = &plugin.Plugin{
	Name:        "check-test",
	Title:       "TEST",
	Description: "a check that counts its runs",
	New:         func() any { return &testCheck{} },
}

func TestHelpListsEveryFlagWithDefaults(t *testing.T) {
	r := plugintest.New(t, check).Run("--help")
	assert.Equal(t, 0, r.Code)
	assert.Empty(t, r.Stderr)
	for _, want := range []string{
		"check-test", "a check that counts its runs",
		"-p, --pattern=RE", "-w, --warning=", "--sleep=", "(default: 0s)", "--level=", "(default: 3)",
		"--state-dir=DIR", "--format=FORMAT", "(default: mackerel)",
		"-t, --timeout=DURATION", "(default: 10s)", "-V, --version", "-h, --help",
	} {
		assert.Contains(t, r.Stdout, want)
	}
	r2 := plugintest.New(t, check).Run("-h")
	assert.Equal(t, r.Stdout, r2.Stdout)
}

func TestVersion(t *testing.T) {
	old := plugin.Version
	plugin.Version = "v1.2.3"
	defer func() { plugin.Version = old }()
	r := plugintest.New(t, check).Run("--version")
	assert.Equal(t, 0, r.Code)
	assert.Equal(t, "check-test v1.2.3\n", r.Stdout)
	assert.Equal(t, "check-test v1.2.3\n", plugintest.New(t, check).Run("-V").Stdout)

	required := &plugin.Plugin{Name: "check-required", New: func() any { return &requiredOptions{} }}
	r = plugintest.New(t, required).Run("--version")
	assert.Equal(t, 0, r.Code, "a required flag does not get in the way of --version")
	assert.Equal(t, "check-required v1.2.3\n", r.Stdout)
	r = plugintest.New(t, required).Run()
	assert.Equal(t, "check-required UNKNOWN: the required flag `-f, --file' was not specified\n", r.Stdout)
	assert.Equal(t, 3, r.Code)
}

type requiredOptions struct {
	File string `short:"f" long:"file" required:"true" description:"a file"`
}

func (o *requiredOptions) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.OK, "fine"), nil
}

func TestCommandLineErrorsAreUnknown(t *testing.T) {
	for args, want := range map[string]string{
		"--bogus":                      "TEST UNKNOWN: unknown flag `bogus'\n",
		"-w abc":                       "TEST UNKNOWN: invalid argument for flag `-w, --warning': invalid range \"abc\": end: \"abc\" is not a number\n",
		"--level ten":                  "TEST UNKNOWN: invalid argument for flag `--level': \"ten\" is not a number\n",
		"-t 0":                         "TEST UNKNOWN: invalid argument for flag `-t, --timeout': invalid timeout \"0\": must be positive\n",
		"-t -1":                        "TEST UNKNOWN: invalid argument for flag `-t, --timeout': invalid timeout \"-1\": must be positive\n",
		"-t 1e10":                      "TEST UNKNOWN: invalid argument for flag `-t, --timeout': invalid timeout \"1e10\": too long\n",
		"-t inf":                       "TEST UNKNOWN: invalid argument for flag `-t, --timeout': invalid timeout \"inf\": too long\n",
		"-t -1e400":                    "TEST UNKNOWN: invalid argument for flag `-t, --timeout': invalid timeout \"-1e400\": must be positive\n",
		"-t NaN":                       "TEST UNKNOWN: invalid argument for flag `-t, --timeout': invalid timeout \"NaN\" (want seconds, or a duration such as 30s)\n",
		"--format xml":                 "TEST UNKNOWN: invalid argument for flag `--format': unknown format \"xml\" (want mackerel, nagios, json, prometheus or metrics)\n",
		"stray":                        "TEST UNKNOWN: unexpected argument \"stray\"\n",
		"-p":                           "TEST UNKNOWN: expected argument for flag `-p, --pattern'\n",
		"-p -5%":                       "TEST UNKNOWN: expected argument for flag `-p, --pattern', but got option `-5%'\n",
		"-p -1%d":                      "TEST UNKNOWN: expected argument for flag `-p, --pattern', but got option `-1%d'\n",
		"--metric-key-prefix x":        "TEST UNKNOWN: unknown flag `metric-key-prefix'\n",
		"--level=-1":                   "TEST UNKNOWN: --level must not be negative, got -1\n",
		"--level=99999999999999999999": "TEST UNKNOWN: invalid argument for flag `--level': \"99999999999999999999\" is out of range\n",
	} {
		r := plugintest.New(t, check).Run(strings.Fields(args)...)
		assert.Equal(t, 3, r.Code, args)
		assert.Equal(t, want, r.Stdout, args)
	}
}

func TestPanicIsUnknownWithStackOnStderr(t *testing.T) {
	r := plugintest.New(t, check).Run("--panic", "boom")
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "TEST UNKNOWN: panic: boom\n", r.Stdout)
	assert.Contains(t, r.Stderr, "check-test: panic: boom")
	assert.Contains(t, r.Stderr, "plugin_test.go", "the stack shows where")
}

func TestErrorIsUnknown(t *testing.T) {
	r := plugintest.New(t, check).Run("--fail", "cannot reach the thing")
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "TEST UNKNOWN: cannot reach the thing\n", r.Stdout)
	r = plugintest.New(t, check).Run("--fail", "cannot reach the thing", "--format", "json")
	assert.JSONEq(t, `{"name":"TEST","status":"UNKNOWN","code":3,"summary":"cannot reach the thing","details":[],"perfdata":[]}`, r.Stdout)
}

func TestTimeoutAnswersPromptlyAndCancels(t *testing.T) {
	h := plugintest.New(t, check)
	start := time.Now()
	r := h.Run("-t", "100ms", "--sleep", "5s")
	assert.Less(t, time.Since(start), 2*time.Second, "the runtime does not wait for a plugin that ignores its context")
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "TEST UNKNOWN: timed out after 100ms\n", r.Stdout)

	r = h.Run("--timeout", "0.1", "--wait")
	assert.Equal(t, "TEST UNKNOWN: timed out after 100ms\n", r.Stdout)
	select {
	case cause := <-cancelledSeen:
		assert.EqualError(t, cause, "timed out after 100ms", "the plugin's context was cancelled")
	case <-time.After(2 * time.Second):
		t.Fatal("the plugin's context was not cancelled")
	}
}

func TestStateKeyIgnoresSpellingAndOrder(t *testing.T) {
	h := plugintest.New(t, check)
	assert.Equal(t, "TEST OK: run 1 with a,b\n", h.Run("-p", "a", "-p", "b").Stdout)
	assert.Equal(t, "TEST OK: run 2 with a,b\n", h.Run("--pattern=a", "--level", "3", "--pattern", "b").Stdout)
	assert.Equal(t, "TEST OK: run 3 with a,b\n", h.Run("-pa", "-w", "5", "-pb", "--format", "mackerel").Stdout, "statekey:\"-\" options do not count")
	assert.Equal(t, "TEST OK: run 1 with b,a\n", h.Run("-p", "b", "-p", "a").Stdout, "pattern order matters to -p, so it is another instance")
	assert.Equal(t, "TEST OK: run 1 with a,b\n", h.Run("-p", "a", "-p", "b", "--level", "4").Stdout)
}

func TestStateDirChoice(t *testing.T) {
	h := plugintest.New(t, check)
	own := filepath.Join(t.TempDir(), "own")
	h.Run("--state-dir", own)
	entries, err := os.ReadDir(own)
	require.NoError(t, err, "--state-dir is used and created")
	assert.Len(t, entries, 2) // state + lock
	h.Run()
	entries, _ = os.ReadDir(h.StateDir)
	assert.Len(t, entries, 2, "else MACKEREL_PLUGIN_WORKDIR")
}

func TestUnwritableStateDirIsUnknown(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	r := plugintest.New(t, check).Run("--state-dir", filepath.Join(file, "dir"))
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "TEST UNKNOWN: state directory "+filepath.Join(file, "dir")+": not a directory\n", r.Stdout)
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestStateCommittedOnlyAfterOutput(t *testing.T) {
	h := plugintest.New(t, check)
	h.Run()
	var stderr strings.Builder
	code := check.Run(context.Background(), plugin.Env{
		Stdout: failingWriter{}, Stderr: &stderr,
		Getenv: func(k string) string { return h.Env[k] },
	})
	assert.Equal(t, 3, code)
	assert.Contains(t, stderr.String(), "writing the result: broken pipe")
	assert.Equal(t, "TEST OK: run 2 with \n", h.Run().Stdout, "the run whose output was lost did not move the state")
}

func TestCancelledRunLeavesStateIntact(t *testing.T) {
	h := plugintest.New(t, check)
	h.Run()
	ctx, cancel := context.WithCancelCause(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel(errors.New("interrupted by signal terminated")) }()
	r := h.RunContext(ctx, "--sleep", "300ms")
	assert.Equal(t, "TEST UNKNOWN: interrupted by signal terminated\n", r.Stdout)
	time.Sleep(400 * time.Millisecond) // let the abandoned plugin goroutine finish
	assert.Equal(t, "TEST OK: run 2 with \n", h.Run().Stdout)
}

// TestSIGTERM runs the plugin as a real process and signals it.
func TestSIGTERM(t *testing.T) {
	if os.Getenv("PLUGIN_TEST_CHILD") == "1" {
		os.Exit(plugin.RunMain(check, strings.Fields(os.Getenv("PLUGIN_TEST_ARGS"))))
	}
	dir := t.TempDir()
	run := func(args string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSIGTERM$")
		cmd.Env = append(os.Environ(), "PLUGIN_TEST_CHILD=1", "PLUGIN_TEST_ARGS="+args)
		return cmd
	}
	out, err := run("--state-dir " + dir).Output()
	require.NoError(t, err)
	assert.Equal(t, "TEST OK: run 1 with \n", string(out))

	ready := filepath.Join(t.TempDir(), "ready")
	cmd := run("--state-dir " + dir + " --sleep 10s --ready " + ready)
	var stdout strings.Builder
	cmd.Stdout = &stdout
	require.NoError(t, cmd.Start())
	// Signal only once the check runs: before the runtime has set up its
	// handler, SIGTERM would kill the process the default way.
	require.Eventually(t, func() bool { _, err := os.Stat(ready); return err == nil }, 20*time.Second, 10*time.Millisecond)
	start := time.Now()
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	err = cmd.Wait()
	assert.Less(t, time.Since(start), 2*time.Second, "prompt")
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 3, exit.ExitCode())
	assert.Equal(t, "TEST UNKNOWN: interrupted by signal terminated\n", stdout.String())

	out, err = run("--state-dir " + dir).Output()
	require.NoError(t, err)
	assert.Equal(t, "TEST OK: run 2 with \n", string(out), "state intact")
}

// testMetrics is a metric plugin with one gauge and one counter.
type testMetrics struct {
	Value   uint64 `long:"value" statekey:"-" description:"counter value"`
	BadName bool   `long:"bad-name" statekey:"-" description:"record an invalid name"`
	Fail    bool   `long:"fail" statekey:"-" description:"fail"`
}

func (o *testMetrics) Prefix() string { return "test" }
func (o *testMetrics) Graphs() metrics.Graphs {
	return metrics.Graphs{
		"load":  {Label: "Load", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "now", Label: "now"}}},
		"total": {Label: "Total", Unit: metrics.Integer, Metrics: []metrics.Metric{{Name: "rate", Label: "per minute"}}},
	}
}
func (o *testMetrics) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	if o.Fail {
		return fmt.Errorf("GET http://127.0.0.1:1/status: connection refused")
	}
	b.Gauge("load.now", 0.5)
	b.Counter("total.rate", o.Value)
	if o.BadName {
		b.Gauge("bad name", 1)
	}
	return nil
}

var metricPlugin = &plugin.Plugin{Name: "metrics-test", Description: "test metrics", New: func() any { return &testMetrics{} }}

func TestMetricPlugin(t *testing.T) {
	h := plugintest.New(t, metricPlugin)
	assert.Equal(t, map[string]float64{"test.load.now": 0.5}, h.Values(h.Run("--value", "100"), "--value", "100"))
	h.Advance(30 * time.Second)
	assert.Equal(t, map[string]float64{"test.load.now": 0.5, "test.total.rate": 200}, h.Values(h.Run("--value", "200")))

	r := h.Meta("--metric-key-prefix", "second")
	assert.Equal(t, `# mackerel-agent-plugin
{"graphs":{"second.load":{"label":"Load","unit":"float","metrics":[{"name":"now","label":"now","stacked":false}]},"second.total":{"label":"Total","unit":"integer","metrics":[{"name":"rate","label":"per minute","stacked":false}]}}}
`, r.Stdout)

	r = h.Run("--fail")
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout, "no partial values")
	assert.Equal(t, "metrics-test: GET http://127.0.0.1:1/status: connection refused\n", r.Stderr)

	r = h.Run("--bad-name")
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, `bug in the plugin: name "bad name": character ' ' is not allowed`)

	r = h.Run("--bogus")
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "metrics-test UNKNOWN: unknown flag `bogus'\n", r.Stdout)
}
