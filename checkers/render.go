package checkers

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// MessageLimit is the most bytes of check output mackerel-agent keeps;
// text renderings are fitted inside it.
const MessageLimit = 1024

// Format selects how a Result is written.
type Format string

// The output formats accepted by --format.
const (
	FormatMackerel Format = "mackerel" // "NAME STATUS: summary" and detail lines
	FormatNagios   Format = "nagios"   // the same with " | perfdata" on the first line
	FormatJSON     Format = "json"     // one JSON object
)

// UnmarshalFlag lets a Format be a go-flags option value.
func (f *Format) UnmarshalFlag(text string) error {
	switch v := Format(strings.ToLower(text)); v {
	case FormatMackerel, FormatNagios, FormatJSON, FormatPrometheus, FormatMetrics:
		*f = v
		return nil
	}
	return fmt.Errorf("unknown format %q (want mackerel, nagios, json, prometheus or metrics)", text)
}

// Render writes r for the plugin called name (e.g. "LOG") in format f.
// Text formats fit within MessageLimit bytes: detail lines that do not
// fit are replaced by a marker "… (N more lines)"; a line break in the
// text becomes a space. In the nagios format a "|" in the text becomes
// "¦" so that it cannot start the perfdata; the mackerel format, which has
// no perfdata, keeps it (a pattern reads /ERROR|FATAL/, as operators
// wrote it).
func (r *Result) Render(w io.Writer, name string, f Format) error {
	switch f {
	case FormatJSON:
		return r.renderJSON(w, name)
	case FormatPrometheus, FormatMetrics: // name is the plugin's; the epoch is now
		return r.Write(w, Output{Format: f, Title: name, Check: name, Now: time.Now()})
	}
	var perf []string
	if f == FormatNagios {
		for _, p := range r.allPerfdata() {
			perf = append(perf, p.String())
		}
	}
	_, err := io.WriteString(w, fitText(f, headLine(f, name, r), perf, r.lines(), MessageLimit))
	return err
}

func headLine(f Format, name string, r *Result) string {
	head := r.Status.String() + ": " + oneLine(f, r.Summary)
	if name != "" {
		head = name + " " + head
	}
	return head
}

// oneLine makes plugin text safe for a single output line of format f.
func oneLine(f Format, s string) string {
	s = lineBreaks.Replace(s)
	if f == FormatNagios {
		s = strings.ReplaceAll(s, "|", "¦")
	}
	return s
}

var lineBreaks = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ")

// minSummary is how much of a long summary the nagios format keeps
// before it gives up perfdata for it: beyond that, the text is cut and
// the perfdata (what graphs are drawn from) stays.
const minSummary = 120

// fitText assembles the output: the head line (plus " | perfdata"), then
// as many detail lines as fit in limit bytes, then a marker counting the
// lines left out. A head too long to leave room for the perfdata is cut
// (to no less than the status and minSummary bytes of the summary); only
// perfdata that does not fit even then is dropped, from the end.
func fitText(f Format, head string, perf []string, details []string, limit int) string {
	reserve := 0 // room for the marker, should no detail line fit
	if len(details) > 0 {
		reserve = len(moreLines(len(details)))
	}
	minHead := len(head)
	if i := strings.Index(head, ": "); i >= 0 {
		minHead = min(len(head), i+2+minSummary)
	}
	perfText := "" // never at the cost of the status, which the head line carries
	for ; len(perf) > 0; perf = perf[:len(perf)-1] {
		perfText = " | " + strings.Join(perf, " ")
		if minHead+len(perfText)+1+reserve <= limit {
			break
		}
		perfText = ""
	}
	var b strings.Builder
	b.WriteString(truncate(head, limit-len(perfText)-1-reserve))
	b.WriteString(perfText)
	b.WriteByte('\n')
	for i, d := range details {
		line := oneLine(f, d) + "\n"
		rest := len(details) - i - 1
		need := len(line)
		if rest > 0 {
			need += len(moreLines(rest))
		}
		if need > limit-b.Len() {
			// The previous line left room for exactly this marker.
			b.WriteString(moreLines(rest + 1))
			break
		}
		b.WriteString(line)
	}
	return b.String()
}

func moreLines(n int) string {
	if n == 1 {
		return "… (1 more line)\n"
	}
	return fmt.Sprintf("… (%d more lines)\n", n)
}

// truncate shortens s to at most n bytes, ending with "…" when it cuts,
// and never inside a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const ellipsis = "…"
	cut := n - len(ellipsis)
	if cut < 0 {
		cut = 0
	}
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ellipsis
}

type jsonPerfdata struct {
	Label string   `json:"label"`
	Value *float64 `json:"value"` // null when NaN or infinite (written "U" in the nagios format)
	UOM   string   `json:"uom,omitempty"`
	Warn  string   `json:"warn,omitempty"`
	Crit  string   `json:"crit,omitempty"`
	Min   *float64 `json:"min,omitempty"`
	Max   *float64 `json:"max,omitempty"`
}

func (r *Result) renderJSON(w io.Writer, name string) error {
	out := struct {
		Name     string         `json:"name"`
		Status   Status         `json:"status"`
		Code     int            `json:"code"`
		Summary  string         `json:"summary"`
		Details  []string       `json:"details"`
		Perfdata []jsonPerfdata `json:"perfdata"`
	}{Name: name, Status: r.Status, Code: int(r.Status), Summary: r.Summary, Details: r.lines(), Perfdata: []jsonPerfdata{}}
	if out.Details == nil {
		out.Details = []string{}
	}
	for _, p := range r.allPerfdata() {
		out.Perfdata = append(out.Perfdata, jsonPerfdata{p.Label, finiteOrNil(&p.Value), p.UOM, rangeField(p.Warn), rangeField(p.Crit), finiteOrNil(p.Min), finiteOrNil(p.Max)})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
