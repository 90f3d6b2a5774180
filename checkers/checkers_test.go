package checkers

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseStatus(t *testing.T) {
	for text, want := range map[string]Status{"ok": OK, "OK": OK, "Warning": Warning, "warn": Warning, "CRITICAL": Critical, "crit": Critical, " unknown ": Unknown} {
		got, err := ParseStatus(text)
		require.NoError(t, err, text)
		assert.Equal(t, want, got, text)
	}
	_, err := ParseStatus("fine")
	assert.EqualError(t, err, `unknown status "fine" (want OK, WARNING, CRITICAL or UNKNOWN)`)
	assert.Equal(t, "UNKNOWN", Status(7).String(), "an unexpected code reads as UNKNOWN, as agents treat it")
}

func TestWorstOrder(t *testing.T) {
	assert.Equal(t, OK, Worst())
	assert.Equal(t, Warning, Worst(OK, Warning))
	assert.Equal(t, Unknown, Worst(Warning, Unknown), "could-not-tell outranks a known warning")
	assert.Equal(t, Critical, Worst(Unknown, Critical), "a known CRITICAL is never hidden behind UNKNOWN")
	assert.Equal(t, Critical, Worst(Critical, Unknown, Warning, OK))
}

func TestParseRange(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		text string
		want Range
		// values that alert, values that do not
		alert, ok []float64
	}{
		{"10", Range{0, 10, false}, []float64{-1, 10.5, 11}, []float64{0, 5, 10}},
		{"10:", Range{10, inf, false}, []float64{9.99, -3}, []float64{10, 1e9}},
		{"~:10", Range{math.Inf(-1), 10, false}, []float64{10.01, 100}, []float64{10, -1e9}},
		{"10:20", Range{10, 20, false}, []float64{9, 21}, []float64{10, 15, 20}},
		{"@10:20", Range{10, 20, true}, []float64{10, 15, 20}, []float64{9.9, 20.1}},
		{"-5:-1.5", Range{-5, -1.5, false}, []float64{-6, 0}, []float64{-5, -2}},
		{"0.5:2.25", Range{0.5, 2.25, false}, []float64{0.4, 3}, []float64{0.5, 2.25}},
		{"@~:0", Range{math.Inf(-1), 0, true}, []float64{-1, 0}, []float64{0.1}},
	}
	for _, c := range cases {
		r, err := ParseRange(c.text)
		require.NoError(t, err, c.text)
		assert.Equal(t, c.want, r, c.text)
		for _, v := range c.alert {
			assert.True(t, r.Alert(v), "%s should alert for %v", c.text, v)
		}
		for _, v := range c.ok {
			assert.False(t, r.Alert(v), "%s should not alert for %v", c.text, v)
		}
		assert.Equal(t, c.text, r.String(), "round trip")
	}
}

func TestParseRangeErrors(t *testing.T) {
	for text, msg := range map[string]string{
		"":      `invalid range "": empty`,
		"@":     `invalid range "@": empty`,
		"abc":   `invalid range "abc": end: "abc" is not a number`,
		"20:10": `invalid range "20:10": start 20 is greater than end 10`,
		":10":   `invalid range ":10": the start before ':' is empty (use ~ for minus infinity)`,
		"1:x":   `invalid range "1:x": end: "x" is not a number`,
		"NaN":   `invalid range "NaN": end: "NaN" is not a number`,
		"1:2:3": `invalid range "1:2:3": end: "2:3" is not a number`,
	} {
		_, err := ParseRange(text)
		assert.EqualError(t, err, msg, text)
	}
}

func TestThresholds(t *testing.T) {
	th := Thresholds{Warning: ptr(MustParseRange("10")), Critical: ptr(MustParseRange("20"))}
	assert.Equal(t, OK, th.Status(5))
	assert.Equal(t, Warning, th.Status(15))
	assert.Equal(t, Critical, th.Status(25))
	assert.Equal(t, OK, Thresholds{}.Status(1e9), "no thresholds, no alert")
}

func ptr[T any](v T) *T { return &v }

func TestPerfdataString(t *testing.T) {
	cases := map[string]Perfdata{
		"procs=3":                           {Label: "procs", Value: 3},
		"time=0.0000001s;1;2":               {Label: "time", Value: 1e-7, UOM: "s", Warn: ptr(MustParseRange("1")), Crit: ptr(MustParseRange("2"))},
		"'disk /var'=55%;;90;0;100":         {Label: "disk /var", Value: 55, UOM: "%", Crit: ptr(MustParseRange("90")), Min: Float(0), Max: Float(100)},
		"'it''s'=1":                         {Label: "it's", Value: 1},
		"big=123456789012345680000B":        {Label: "big", Value: 1.2345678901234568e20, UOM: "B"},
		"rate=2.5c;@10:20;~:5":              {Label: "rate", Value: 2.5, UOM: "c", Warn: ptr(MustParseRange("@10:20")), Crit: ptr(MustParseRange("~:5"))},
		"'a=b'=1;;;;10":                     {Label: "a=b", Value: 1, Max: Float(10)},
		"neg=-0.25":                         {Label: "neg", Value: -0.25},
		"'pipe|label'=1":                    {Label: "pipe|label", Value: 1},
		"w=1;5:":                            {Label: "w", Value: 1, Warn: ptr(MustParseRange("5:"))},
		"m=1;;;-1":                          {Label: "m", Value: 1, Min: Float(-1)},
		"x=0":                               {Label: "x"},
		"z=0;;;0":                           {Label: "z", Value: math.Copysign(0, -1), Min: Float(math.Copysign(0, -1))},
		"'spaces and ''quotes'''=0.5ms;1;2": {Label: "spaces and 'quotes'", Value: 0.5, UOM: "ms", Warn: ptr(MustParseRange("1")), Crit: ptr(MustParseRange("2"))},
	}
	for want, p := range cases {
		assert.Equal(t, want, p.String())
		assert.NoError(t, p.Validate())
	}
	assert.EqualError(t, Perfdata{Label: "x", UOM: "GB"}.Validate(), `perfdata "x": unit "GB" is not one of s ms us % B KB MB TB c`)
	assert.EqualError(t, Perfdata{}.Validate(), "perfdata: empty label")
}

func render(t *testing.T, r *Result, f Format) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, r.Render(&b, "PROCS", f))
	return b.String()
}

func TestRenderFormats(t *testing.T) {
	r := NewResult(OK, "3 processes matching /nginx/")
	r.AddPerfdata(Perfdata{Label: "procs", Value: 3, Crit: ptr(MustParseRange("1:"))})
	sub := NewResult(Critical, "0 processes matching /php-fpm/")
	sub.AddDetail("pid file /run/php.pid is stale")
	sub.AddPerfdata(Perfdata{Label: "php", Value: 0})
	r.Add(sub)

	assert.Equal(t, Critical, r.Status, "Add raises the status")
	assert.Equal(t, "PROCS CRITICAL: 3 processes matching /nginx/\nCRITICAL: 0 processes matching /php-fpm/\n  pid file /run/php.pid is stale\n", render(t, r, FormatMackerel))
	assert.Equal(t, "PROCS CRITICAL: 3 processes matching /nginx/ | procs=3;;1: php=0\nCRITICAL: 0 processes matching /php-fpm/\n  pid file /run/php.pid is stale\n", render(t, r, FormatNagios))

	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(render(t, r, FormatJSON)), &got))
	assert.Equal(t, map[string]any{
		"name": "PROCS", "status": "CRITICAL", "code": 2.0, "summary": "3 processes matching /nginx/",
		"details": []any{"CRITICAL: 0 processes matching /php-fpm/", "  pid file /run/php.pid is stale"},
		"perfdata": []any{
			map[string]any{"label": "procs", "value": 3.0, "crit": "1:"},
			map[string]any{"label": "php", "value": 0.0},
		},
	}, got)
}

func TestRenderPipeCannotBreakPerfdata(t *testing.T) {
	r := NewResult(Warning, "matched a|b")
	r.AddDetail("line with | pipe\nand a newline")
	r.AddPerfdata(Perfdata{Label: "n", Value: 1})
	out := render(t, r, FormatNagios)
	assert.Equal(t, "PROCS WARNING: matched a¦b | n=1\nline with ¦ pipe and a newline\n", out)
	assert.Equal(t, 1, strings.Count(out, "|"))
	assert.Equal(t, "PROCS WARNING: matched a|b\nline with | pipe and a newline\n", render(t, r, FormatMackerel), "no perfdata to protect: the text stays as written")
}

func TestRenderFitsTheAgentLimit(t *testing.T) {
	r := NewResult(Critical, "1000 matches")
	for i := 0; i < 1000; i++ {
		r.AddDetail("app.log: ERROR something failed at step %d", i)
	}
	r.AddPerfdata(Perfdata{Label: "matches", Value: 1000})
	for _, f := range []Format{FormatMackerel, FormatNagios} {
		out := render(t, r, f)
		assert.LessOrEqual(t, len(out), MessageLimit, f)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		last := lines[len(lines)-1]
		shown := len(lines) - 2
		assert.Equal(t, "… ("+itoa(1000-shown)+" more lines)", last, "the marker counts exactly what was left out")
		assert.Equal(t, "app.log: ERROR something failed at step "+itoa(shown-1), lines[len(lines)-2], "lines are whole, in order")
	}
	// JSON is not cut.
	assert.Contains(t, render(t, r, FormatJSON), "step 999")
}

func TestRenderLongSummaryAndLines(t *testing.T) {
	long := strings.Repeat("é", 2000) // two bytes each: the cut must not split one
	r := NewResult(OK, "%s", long)
	r.AddDetail("%s", long)
	out := render(t, r, FormatMackerel)
	assert.LessOrEqual(t, len(out), MessageLimit)
	assert.True(t, utf8.ValidString(out))
	assert.True(t, strings.HasPrefix(out, "PROCS OK: éé"))
	assert.Contains(t, out, "…\n… (1 more line)\n")

	// One detail line exactly filling the room is kept whole.
	r = NewResult(OK, "x")
	r.AddDetail("%s", strings.Repeat("a", MessageLimit-len("PROCS OK: x\n")-1))
	out = render(t, r, FormatMackerel)
	assert.Len(t, out, MessageLimit)
	assert.NotContains(t, out, "more line")
}

func TestRenderPerfdataTooLongIsDropped(t *testing.T) {
	r := NewResult(OK, "many")
	for i := 0; i < 200; i++ {
		r.AddPerfdata(Perfdata{Label: "value_" + itoa(i), Value: float64(i)})
	}
	out := render(t, r, FormatNagios)
	assert.LessOrEqual(t, len(out), MessageLimit)
	assert.Contains(t, out, " | value_0=0 value_1=1")
	assert.NotContains(t, out, "value_199=")
}

func TestFormatFlag(t *testing.T) {
	var f Format
	require.NoError(t, f.UnmarshalFlag("NAGIOS"))
	assert.Equal(t, FormatNagios, f)
	assert.EqualError(t, f.UnmarshalFlag("xml"), `unknown format "xml" (want mackerel, nagios, json, prometheus or metrics)`)
}

func itoa(i int) string { return FormatNumber(float64(i)) }

// A value a plugin could not determine (0/0 for a percentage of an empty
// file system) is NaN; the guidelines write it "U". An infinite limit has
// no text: the field stays empty. JSON has no NaN either: the value is
// null and the limit left out, rather than an encoding error that would
// leave stdout empty.
func TestPerfdataNonFiniteValues(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	assert.Equal(t, "pct=U%;;;0;100", Perfdata{Label: "pct", Value: nan, UOM: "%", Min: Float(0), Max: Float(100)}.String())
	assert.Equal(t, "up=U", Perfdata{Label: "up", Value: inf}.String())
	assert.Equal(t, "down=U;;;-1", Perfdata{Label: "down", Value: -inf, Min: Float(-1)}.String())
	assert.Equal(t, "x=1;;;0", Perfdata{Label: "x", Value: 1, Min: Float(0), Max: Float(inf)}.String())
	assert.Equal(t, "x=1;;;;5", Perfdata{Label: "x", Value: 1, Min: Float(nan), Max: Float(5)}.String())

	r := NewResult(OK, "empty file system")
	r.AddPerfdata(Perfdata{Label: "pct", Value: nan, UOM: "%", Min: Float(0), Max: Float(inf)})
	assert.Equal(t, "PROCS OK: empty file system | pct=U%;;;0\n", render(t, r, FormatNagios))
	assert.JSONEq(t, `{"name":"PROCS","status":"OK","code":0,"summary":"empty file system","details":[],
		"perfdata":[{"label":"pct","value":null,"uom":"%","min":0}]}`, render(t, r, FormatJSON))
}

// A nil sub-result put in Subs by hand is skipped, not dereferenced: the
// runtime renders outside its panic guard, and a crash there would exit 2
// (CRITICAL with an empty message).
func TestRenderSkipsNilSubResults(t *testing.T) {
	r := &Result{Status: Warning, Summary: "two checks", Subs: []*Result{nil, NewResult(Warning, "slow")}}
	r.Subs[1].AddPerfdata(Perfdata{Label: "ms", Value: 3})
	assert.Equal(t, "PROCS WARNING: two checks | ms=3\nWARNING: slow\n", render(t, r, FormatNagios))
	assert.Contains(t, render(t, r, FormatJSON), `"details":["WARNING: slow"]`)
}

// Perfdata that breaks the guidelines (a unit they do not know, an empty
// label that would print "=1") is left out of every format, so that a
// Nagios consumer can still read the rest; the runtime says so on stderr.
func TestRenderLeavesOutInvalidPerfdata(t *testing.T) {
	r := NewResult(OK, "sizes")
	r.AddPerfdata(Perfdata{Label: "a", Value: 1, UOM: "GB"}, Perfdata{Value: 2}, Perfdata{Label: "b", Value: 3, UOM: "MB"})
	assert.Equal(t, "PROCS OK: sizes | b=3MB\n", render(t, r, FormatNagios))
	assert.JSONEq(t, `{"name":"PROCS","status":"OK","code":0,"summary":"sizes","details":[],
		"perfdata":[{"label":"b","value":3,"uom":"MB"}]}`, render(t, r, FormatJSON))

	sub := NewResult(OK, "part")
	sub.AddPerfdata(Perfdata{Label: "c", Value: 4, UOM: "kB"})
	r.Add(sub)
	r.Add(nil) // does nothing
	r.Subs = append(r.Subs, nil)
	var reasons []string
	for _, err := range r.InvalidPerfdata() {
		reasons = append(reasons, err.Error())
	}
	assert.Equal(t, []string{
		`perfdata "a": unit "GB" is not one of s ms us % B KB MB TB c`,
		"perfdata: empty label",
		`perfdata "c": unit "kB" is not one of s ms us % B KB MB TB c`,
	}, reasons, "sub-results' too, in order")
}

func TestSubPerfdataLabelsAreUnique(t *testing.T) {
	res := NewResult(OK, "two probes")
	res.AddPerfdata(Perfdata{Label: "time", Value: 3, UOM: "s"}, Perfdata{Label: "total", Value: 2})
	a := &Result{Name: "web1", Perfdata: []Perfdata{{Label: "time", Value: 0, UOM: "s"}, {Label: "size", Value: 10, UOM: "B"}}}
	b := &Result{Perfdata: []Perfdata{{Label: "time", Value: 1, UOM: "s"}}}
	c := &Result{Name: "web1", Perfdata: []Perfdata{{Label: "time", Value: 2, UOM: "s"}}}
	deep := &Result{Name: "inner", Perfdata: []Perfdata{{Label: "time", Value: 4, UOM: "s"}}}
	b.Add(deep)
	res.Add(a)
	res.Add(b)
	res.Add(c)
	var labels []string
	for _, p := range res.AllPerfdata() {
		labels = append(labels, p.String())
	}
	want := "time=3s total=2 web1_time=0s size=10B 2_time=1s 2_inner_time=4s web1_time_2=2s"
	if got := strings.Join(labels, " "); got != want {
		t.Errorf("AllPerfdata:\n got %s\nwant %s", got, want)
	}
	var out strings.Builder
	if err := res.Render(&out, "X", FormatNagios); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "| "+want+"\n") {
		t.Errorf("nagios output does not carry the unique labels:\n%s", out.String())
	}
}

func TestSubsSummary(t *testing.T) {
	res := NewResult(OK, "")
	if got := res.SubsSummary(); got != "" {
		t.Errorf("no subs: %q", got)
	}
	for _, s := range []Status{OK, Critical, OK, Warning, Status(7), Unknown} {
		res.Add(NewResult(s, "x"))
	}
	res.Add(nil)
	if got, want := res.SubsSummary(), "1 CRITICAL, 2 UNKNOWN, 1 WARNING, 2 OK"; got != want {
		t.Errorf("SubsSummary() = %q, want %q", got, want)
	}
}

func TestRenderNagiosLongSummaryKeepsPerfdata(t *testing.T) {
	r := NewResult(Critical, "%s", strings.Repeat("lost line; ", 300))
	r.AddPerfdata(Perfdata{Label: "matches", Value: 300}, Perfdata{Label: "bytes", Value: 12345, UOM: "B"})
	out := render(t, r, FormatNagios)
	assert.LessOrEqual(t, len(out), MessageLimit)
	assert.True(t, strings.HasPrefix(out, "PROCS CRITICAL: lost line; "))
	assert.True(t, strings.HasSuffix(out, "… | matches=300 bytes=12345B\n"), "the text is cut, the perfdata kept: %q", out)
}
