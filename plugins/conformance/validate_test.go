package conformance

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

func TestValidatePrometheusCatches(t *testing.T) {
	good := "# HELP a_total x\n# TYPE a_total counter\na_total{k=\"v \\\"q\\\"\"} 1\n"
	fams, err := ValidatePrometheus(good)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"k": `v "q"`}, fams["a_total"].Samples[0].Labels)
	for text, want := range map[string]string{
		"# TYPE a gauge\na 1\n":                                                          "no help text",
		"# HELP a x\na 1\n":                                                              "no TYPE",
		"# HELP a x\n# TYPE a gauge\na 1 1700000000000\n":                                "timestamp",
		"# HELP a x\n# TYPE a gauge\na 1\na 2\n":                                         "series given twice",
		"# HELP a x\n# TYPE a counter\na 1\n":                                            `should have "_total" suffix`,
		"# HELP a_total x\n# TYPE a_total gauge\na_total 1\n":                            `should not have "_total" suffix`,
		"# HELP a_count x\n# TYPE a_count gauge\na_count 1\n":                            `"_count" suffix`,
		"# HELP a_ms x\n# TYPE a_ms gauge\na_ms 1\n":                                     "abbreviated units",
		"# HELP a_kilobytes x\n# TYPE a_kilobytes gauge\na_kilobytes 1\n":                `base unit "bytes"`,
		"# HELP a_days x\n# TYPE a_days gauge\na_days 1\n":                               `base unit "seconds"`,
		"# HELP a_summary x\n# TYPE a_summary gauge\na_summary 1\n":                      "include type 'summary'",
		"# HELP aB x\n# TYPE aB gauge\naB 1\n":                                           "camelCase",
		"# HELP a_gauge x\n# TYPE a_gauge gauge\na_gauge 1\n":                            "include type",
		"# HELP a x\n# TYPE a gauge\na{le=\"1\"} 1\n":                                    "reserved",
		"# HELP a x\n# TYPE a gauge\na{k=v} 1\n":                                         "not quoted",
		"# HELP a x\n# TYPE a gauge\na{k=\"\\x\"} 1\n":                                   "invalid escape",
		"# HELP a x\n# TYPE a gauge\na one\n":                                            "not a number",
		"# HELP a x\n# TYPE a gauge\nb 1\n":                                              "outside its family",
		"# HELP a x\n# TYPE a gauge\na 1\n# HELP b x\n# TYPE b gauge\nb 1\n# HELP a x\n": "two blocks",
		"# HELP a x\n# TYPE a gauge\na 1":                                                "newline",
	} {
		_, err := ValidatePrometheus(text)
		if assert.Error(t, err, text) {
			assert.Contains(t, err.Error(), want, text)
		}
	}
}

func TestValidateInfluxCatches(t *testing.T) {
	points, err := ValidateInflux("cpu\\ x,a=1,b=c\\,d user=1.5,sys=2 100\n", 100)
	require.NoError(t, err)
	assert.Equal(t, []InfluxPoint{{Measurement: "cpu x", Tags: map[string]string{"a": "1", "b": "c,d"}, Fields: map[string]float64{"user": 1.5, "sys": 2}, Time: 100}}, points)
	for text, want := range map[string]string{
		"cpu user=1 99\n":       "timestamp 99",
		"cpu user=1\n":          "want `measurement",
		"cpu,b=1,a=2 u=1 100\n": "not sorted",
		"cpu,a= u=1 100\n":      "non-empty",
		"cpu u=1i 100\n":        "finite float",
		"cpu u=1,u=2 100\n":     "twice",
		"cpu time=1 100\n":      `"time"`,
		",a=1 u=1 100\n":        "empty measurement",
	} {
		_, err := ValidateInflux(text, 100)
		if assert.Error(t, err, text) {
			assert.Contains(t, err.Error(), want, text)
		}
	}
}

func TestValidateGraphiteJSONNagiosCatch(t *testing.T) {
	_, err := ValidateGraphite("a.b 1 100\na.b 2 100\n", 100)
	assert.ErrorContains(t, err, "twice")
	_, err = ValidateGraphite("a.b\t1\t100\n", 100)
	assert.ErrorContains(t, err, "want `path value timestamp`")
	_, err = ValidateGraphite("a.b 1e5 100\n", 100)
	assert.ErrorContains(t, err, "plain finite")
	_, err = ValidateMetricJSON(`{"epoch":100,"values":[{"name":"a","value":1,"kind":"delta","epoch":100}]}`, 100)
	assert.ErrorContains(t, err, "kind")
	_, err = ValidateMetricJSON(`{"epoch":100,"values":[]}{}`, 100)
	assert.ErrorContains(t, err, "more than one")
	status, perf, err := ValidateNagios("X OK: fine | 'a b'=1ms;2;3;0 c=U\n", "X")
	require.NoError(t, err)
	assert.Equal(t, "OK", status)
	assert.Equal(t, map[string]string{"a b": "1", "c": "U"}, perf)
	_, _, err = ValidateNagios("X OK: fine | a=1e5\n", "X")
	assert.ErrorContains(t, err, "guidelines")
}

// sloppyProm is a check whose perfdata label makes a name promtool
// would reject, were the runtime not to fix it, and whose check family
// would then differ: the rule passes it because the runtime fixes it.
type sloppyProm struct{}

func (sloppyProm) Check(context.Context, *plugin.Invocation) (*checkers.Result, error) {
	r := checkers.NewResult(checkers.OK, "fine")
	r.AddPerfdata(checkers.Perfdata{Label: "reqTime ms", Value: 1}, checkers.Perfdata{Label: "total", Value: 2})
	return r, nil
}

func TestFormatsRulePassesWhatTheRuntimeFixes(t *testing.T) {
	assert.NoError(t, ruleErr(t, "every output format", variant("check-sloppy", func() any { return &sloppyProm{} })))
	assert.NoError(t, ruleErr(t, "output file", variant("check-sloppy", func() any { return &sloppyProm{} })))
}

// stateful saves on every run, and counts how often it was run.
type stateful struct{}

func (stateful) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	st, err := inv.State()
	if err != nil {
		return nil, err
	}
	var n int
	st.Load(&n)
	return checkers.NewResult(checkers.OK, "fine"), st.Save(n + 1)
}

func TestMetaRuleSeesStateSaved(t *testing.T) {
	assert.NoError(t, ruleErr(t, "meta run keeps check state", variant("check-stateful", func() any { return &stateful{} })))
	// The rule does catch a change: compare two snapshots around a
	// normal run.
	dir := t.TempDir()
	r := newRunner(variant("check-stateful", func() any { return &stateful{} }), dir)
	r.run()
	before := snapshot(dir)
	r.run()
	assert.NotEqual(t, before, snapshot(dir))
	assert.True(t, strings.Contains(before, dir))
}
