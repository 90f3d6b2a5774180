package conformance

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
)

// fileCheck is a well-behaved check that needs an input file; its
// ConformanceArgs makes one.
type fileCheck struct {
	File  string `short:"f" long:"file" required:"true" value-name:"PATH" description:"file to read"`
	Limit int    `long:"limit" default:"10" statekey:"-" description:"most bytes before a warning"`
}

func (o *fileCheck) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	b, err := os.ReadFile(o.File)
	if err != nil {
		return nil, err
	}
	if len(b) > o.Limit {
		return checkers.NewResult(checkers.Warning, "%d bytes", len(b)), nil
	}
	return checkers.NewResult(checkers.OK, "%d bytes", len(b)), nil
}

func (o *fileCheck) ConformanceArgs(dir string) ([]string, func(), error) {
	path := filepath.Join(dir, "input")
	return []string{"-f", path}, nil, os.WriteFile(path, []byte("abc"), 0o644)
}

var goodCheck = &plugin.Plugin{Name: "check-file", Title: "FILE", Description: "size of a file", New: func() any { return &fileCheck{} }}

// counterMetric is a well-behaved metric plugin with a gauge and a
// counter, which needs no input.
type counterMetric struct {
	Unit string `long:"unit" default:"integer" description:"the graph's unit"`
}

var calls uint64

func (o *counterMetric) Prefix() string { return "demo" }
func (o *counterMetric) Graphs() metrics.Graphs {
	return metrics.Graphs{
		"load":  {Label: "Load", Unit: metrics.Unit(o.Unit), Metrics: []metrics.Metric{{Name: "now", Label: "now"}}},
		"calls": {Label: "Calls", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "#", Label: "calls"}}},
	}
}
func (o *counterMetric) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	calls += 60
	b.Gauge("load.now", 1.5)
	b.Counter("calls.total", calls)
	return nil
}

var goodMetric = &plugin.Plugin{Name: "metrics-demo", Description: "demo values", New: func() any { return &counterMetric{} }}

func TestWellBehavedPluginsPass(t *testing.T) {
	Test(t, goodCheck)
	Test(t, goodMetric)
}

// ruleErr runs the named rule on p and returns its error.
func ruleErr(t *testing.T, name string, p *plugin.Plugin) error {
	t.Helper()
	for _, r := range Rules {
		if r.Name == name {
			return r.Check(p, t.TempDir())
		}
	}
	t.Fatalf("no rule %q", name)
	return nil
}

func assertProblem(t *testing.T, err error, want string) {
	t.Helper()
	if assert.Error(t, err, "the rule must catch: %s", want) {
		assert.Contains(t, err.Error(), want)
	}
}

// variant returns a check plugin built from an options value.
func variant(name string, newOpts func() any) *plugin.Plugin {
	return &plugin.Plugin{Name: name, Title: "V", Description: "a variant", New: newOpts}
}

type undocumented struct {
	Quiet bool `short:"q" long:"quiet"`
}

func (undocumented) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.OK, "fine"), nil
}

type reservedFlag struct {
	Verbose bool `short:"V" long:"verbose" description:"say more"`
}

func (reservedFlag) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.OK, "fine"), nil
}

func TestHelpRule(t *testing.T) {
	assertProblem(t, ruleErr(t, "help documents every flag", variant("check-u", func() any { return &undocumented{} })), "--quiet has no description")
	assertProblem(t, ruleErr(t, "help documents every flag", variant("check-r", func() any { return &reservedFlag{} })), "-V")
}

// noisy writes to stderr on success and answers a wrong status line.
type noisy struct{}

func (noisy) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	inv.Warnf("chatter")
	return checkers.NewResult(checkers.OK, "fine"), nil
}

type long struct{}

func (long) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.OK, "%s", strings.Repeat("x", 2000)), nil
}

type failing struct{}

func (failing) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return nil, errors.New("cannot tell")
}

func TestCheckRunRule(t *testing.T) {
	assertProblem(t, ruleErr(t, "run output", variant("check-n", func() any { return &noisy{} })), "an OK run wrote to stderr")
	assertProblem(t, ruleErr(t, "run output", variant("check-f", func() any { return &failing{} })), "the sample run must be OK")
	// The runtime cuts a long summary to the agent's limit: that passes.
	assert.NoError(t, ruleErr(t, "run output", variant("check-l", func() any { return &long{} })))
	// Without its ConformanceArgs the file check cannot succeed.
	noSample := variant("check-file", func() any { return &struct{ fileCheckNoSample }{} })
	assertProblem(t, ruleErr(t, "run output", noSample), "V UNKNOWN")
}

// fileCheckNoSample is fileCheck without ConformanceArgs.
type fileCheckNoSample struct {
	File string `short:"f" long:"file" required:"true" description:"file to read"`
}

func (o *fileCheckNoSample) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	return (&fileCheck{File: o.File}).Check(ctx, inv)
}

// uncovered prints a name no graph covers; badUnit has a unit the
// service rejects.
type uncovered struct{ counterMetric }

func (uncovered) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	b.Gauge("load.now", 1)
	b.Gauge("stray.value", 2)
	return nil
}

func TestMetricRunRule(t *testing.T) {
	p := &plugin.Plugin{Name: "metrics-u", Description: "x", New: func() any { return &uncovered{} }}
	assertProblem(t, ruleErr(t, "run output", p), "no graph definition covers demo.stray.value")

	p = &plugin.Plugin{Name: "metrics-b", Description: "x", New: func() any { return &counterMetric{} }}
	// The unit comes from a flag here, so a sample can pick a bad one.
	p.New = func() any { return &badUnitSample{} }
	assertProblem(t, ruleErr(t, "run output", p), `unit "requests" is not one the service accepts`)
}

func TestVersionAndUnknownFlag(t *testing.T) {
	assert.NoError(t, ruleErr(t, "version", goodCheck))
	assert.NoError(t, ruleErr(t, "unknown flag is UNKNOWN", goodMetric))
}

func TestSamplerFailureIsReported(t *testing.T) {
	p := variant("check-s", func() any { return &brokenSampler{} })
	assertProblem(t, ruleErr(t, "run output", p), "ConformanceArgs: no fixture")
}

type brokenSampler struct{ undocumented }

func (brokenSampler) ConformanceArgs(string) ([]string, func(), error) {
	return nil, nil, fmt.Errorf("no fixture")
}

func TestFlags(t *testing.T) {
	got, err := Flags(goodCheck)
	require.NoError(t, err)
	assert.Equal(t, []Flag{
		{Long: "file", Short: "f", Description: "file to read"},
		{Long: "limit", Default: "10", Description: "most bytes before a warning"},
	}, got)
}

func TestMentions(t *testing.T) {
	assert.True(t, mentions("  -p, --port=  the port", "--port"))
	assert.True(t, mentions("`--port` (default 80)", "--port"))
	assert.False(t, mentions("--port-range", "--port"))
	assert.False(t, mentions("--import", "--port"))
}

type badUnitSample struct{ counterMetric }

func (badUnitSample) ConformanceArgs(string) ([]string, func(), error) {
	return []string{"--unit", "requests"}, nil, nil
}
