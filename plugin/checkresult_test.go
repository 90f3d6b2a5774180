package plugin_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
)

// resultCheck returns whatever result its test hands it.
type resultCheck struct{}

var nextResult *checkers.Result

func (resultCheck) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return nextResult, nil
}

var resultPlugin = &plugin.Plugin{Name: "check-result", Title: "RESULT", New: func() any { return &resultCheck{} }}

func TestInvalidPerfdataIsLeftOutAndNoted(t *testing.T) {
	nextResult = checkers.NewResult(checkers.Critical, "disk full")
	nextResult.AddPerfdata(checkers.Perfdata{Label: "used", Value: 9, UOM: "GB"}, checkers.Perfdata{Label: "free", Value: 0, UOM: "B"})
	r := plugintest.New(t, resultPlugin).Run("--format", "nagios")
	assert.Equal(t, 2, r.Code, "the status stands: a unit typo must not hide a CRITICAL")
	assert.Equal(t, "RESULT CRITICAL: disk full | free=0B\n", r.Stdout)
	assert.Equal(t, `check-result: bug in the plugin: perfdata "used": unit "GB" is not one of s ms us % B KB MB TB c; left out`+"\n", r.Stderr)
}

func TestNonFinitePerfdataInEveryFormat(t *testing.T) {
	nextResult = checkers.NewResult(checkers.OK, "empty file system")
	nextResult.Add(checkers.NewResult(checkers.OK, "sub"))
	nextResult.Subs[0].AddPerfdata(checkers.Perfdata{Label: "pct", Value: math.NaN(), UOM: "%"})
	h := plugintest.New(t, resultPlugin)
	r := h.Run("--format", "json")
	assert.Equal(t, 0, r.Code)
	assert.JSONEq(t, `{"name":"RESULT","status":"OK","code":0,"summary":"empty file system","details":["OK: sub"],"perfdata":[{"label":"pct","value":null,"uom":"%"}]}`, r.Stdout)
	assert.Equal(t, "RESULT OK: empty file system | pct=U%\nOK: sub\n", h.Run("--format", "nagios").Stdout)
}

// panicky panics in the plugin code the runtime calls before Check: a
// flag value's UnmarshalFlag, New, and Validate.
type panicky struct {
	Value  panickyValue `long:"value"`
	Within bool         `long:"in-validate"`
	limit  *int
}

type panickyValue struct{}

func (*panickyValue) UnmarshalFlag(string) error { panic("in UnmarshalFlag") }

func (o *panicky) Validate() error {
	if o.Within {
		return fmt.Errorf("limit %d", *o.limit) // never set: a typical slip
	}
	return nil
}

func (*panicky) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.OK, "fine"), nil
}

func TestPanicBeforeCheckIsUnknown(t *testing.T) {
	p := &plugin.Plugin{Name: "check-panicky", Title: "PANICKY", New: func() any { return &panicky{} }}
	for args, want := range map[string]string{
		"--value=x":     "PANICKY UNKNOWN: panic: in UnmarshalFlag\n",
		"--in-validate": "PANICKY UNKNOWN: panic: runtime error: invalid memory address or nil pointer dereference\n",
	} {
		r := plugintest.New(t, p).Run(args)
		assert.Equal(t, 3, r.Code, args)
		assert.Equal(t, want, r.Stdout, args)
		assert.Contains(t, r.Stderr, "check-panicky: panic: ", args)
		assert.Contains(t, r.Stderr, "checkresult_test.go", "the stack shows where")
	}

	p = &plugin.Plugin{Name: "check-new-panics", Title: "NEW", New: func() any { panic("in New") }}
	r := plugintest.New(t, p).Run()
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "NEW UNKNOWN: panic: in New\n", r.Stdout)
}

type panickyPrefix struct{ testMetrics }

func (*panickyPrefix) Prefix() string { panic("in Prefix") }

func TestPanicInPrefixIsReported(t *testing.T) {
	p := &plugin.Plugin{Name: "metrics-panicky", New: func() any { return &panickyPrefix{} }}
	r := plugintest.New(t, p).Run()
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "metrics-panicky UNKNOWN: panic: in Prefix\n", r.Stdout)
	assert.Contains(t, r.Stderr, "metrics-panicky: panic: in Prefix")
}
