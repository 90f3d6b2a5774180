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
// every metric plugin's output must follow.
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
	var out, errOut bytes.Buffer
	env := make(map[string]string, len(h.Env))
	for k, v := range h.Env {
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
	old, had := h.Env["MACKEREL_AGENT_PLUGIN_META"]
	h.Env["MACKEREL_AGENT_PLUGIN_META"] = "1"
	defer func() {
		if had {
			h.Env["MACKEREL_AGENT_PLUGIN_META"] = old
		} else {
			delete(h.Env, "MACKEREL_AGENT_PLUGIN_META")
		}
	}()
	return h.Run(args...)
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
