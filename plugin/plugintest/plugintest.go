// Package plugintest runs plugins in tests the way an agent would, but
// in-process: with a private state directory, a controlled environment
// and a fake clock, capturing stdout, stderr and the exit code.
//
//	h := plugintest.New(t, mycheck.Plugin)
//	r := h.Run("-w", "10")
//	if r.Code != 0 { t.Fatalf("got %d: %s", r.Code, r.Stdout) }
//	h.Advance(time.Minute)
//	r = h.Run("-w", "10") // the second run sees the first run's state
//
// Golden compares output with a file under testdata/ and rewrites the
// file when the test runs with -update. Harness.Values asserts the rules
// every metric plugin's output must follow; Harness.RunValues runs and
// asserts in one call:
//
//	values := h.RunValues("--host", "127.0.0.1")
//	if values["nginx.queue.writing"] != 1 { … }
//
// The clock may be advanced from inside a run (a test server's handler);
// see Harness for what is safe to use concurrently.
package plugintest

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/teko-dev/teko/plugin"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/ with the current output")

// Start is the fake clock's initial time: 2026-11-24 00:00:00 UTC.
var Start = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// Harness runs one plugin repeatedly with shared state and clock.
//
// # Concurrency
//
// The fake clock (Now, Advance, Set) is safe to use from any goroutine
// at any time, also while a run is in progress: a test server that the
// plugin calls may advance it from its handler, and the plugin's next
// reading of the clock (Invocation.Now) sees the new time. Run and Meta
// may themselves be called from several goroutines at once, each run
// with its own output; they share the state directory, as concurrent
// agent runs would. Env, T and Plugin are plain fields: set them before
// runs start, not during one.
type Harness struct {
	T      testing.TB
	Plugin *plugin.Plugin
	// StateDir is a fresh temporary directory, passed to the plugin as
	// MACKEREL_PLUGIN_WORKDIR.
	StateDir string
	// Env is the plugin's environment; add to it freely.
	Env map[string]string

	mu  sync.Mutex
	now time.Time
}

// New returns a harness for p whose clock starts at Start.
func New(t testing.TB, p *plugin.Plugin) *Harness {
	t.Helper()
	dir := t.TempDir()
	return &Harness{
		T: t, Plugin: p, StateDir: dir, now: Start,
		Env: map[string]string{"MACKEREL_PLUGIN_WORKDIR": dir, "LANG": "C", "LC_ALL": "C"},
	}
}

// Now returns the fake clock's time.
func (h *Harness) Now() time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.now
}

// Advance moves the fake clock (backwards too, with a negative d).
func (h *Harness) Advance(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = h.now.Add(d)
}

// Set moves the fake clock to t.
func (h *Harness) Set(t time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.now = t
}

// Result is what one run produced.
type Result struct {
	Code   int
	Stdout string
	Stderr string
}

// Run runs the plugin once with args and returns what it produced.
func (h *Harness) Run(args ...string) Result {
	return h.RunContext(context.Background(), args...)
}

// RunContext is Run with a context, to test cancellation.
func (h *Harness) RunContext(ctx context.Context, args ...string) Result {
	h.T.Helper()
	return h.run(ctx, nil, args)
}

// run runs the plugin with h.Env plus extra.
func (h *Harness) run(ctx context.Context, extra map[string]string, args []string) Result {
	var out, errOut bytes.Buffer
	env := make(map[string]string, len(h.Env)+len(extra))
	for k, v := range h.Env {
		env[k] = v
	}
	for k, v := range extra {
		env[k] = v
	}
	code := h.Plugin.Run(ctx, plugin.Env{
		Args:   args,
		Stdout: &out,
		Stderr: &errOut,
		Getenv: func(k string) string { return env[k] },
		Now:    h.Now,
	})
	return Result{Code: code, Stdout: out.String(), Stderr: errOut.String()}
}

// Meta runs the plugin as mackerel-agent does to read graph definitions.
func (h *Harness) Meta(args ...string) Result {
	h.T.Helper()
	return h.run(context.Background(), map[string]string{"MACKEREL_AGENT_PLUGIN_META": "1"}, args)
}

// Golden compares got with the file testdata/<name>; with -update it
// writes got there instead.
func Golden(t testing.TB, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v (run the test with -update to create it)", path, err)
	}
	if string(want) != got {
		t.Errorf("output differs from %s (run with -update to accept):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
