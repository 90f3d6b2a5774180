package checkers

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseRange feeds threshold texts, as operators type them after -w
// and -c, to ParseRange. A text is either refused with one line that
// names it, or read as a sound range that String writes back in a form
// that reads as the same range.
func FuzzParseRange(f *testing.F) {
	for _, s := range []string{
		"10", "10:", "~:10", "10:20", "@10:20", "-5:-1.5", "@~:0", "~:", "@~:",
		"", "@", ":", "~", ":5", "5:~", "20:10", " 5 ", "@ 5", "1e3", "1e400", "0x1p4",
		"NaN", "inf", "-0:0", "1_000", "0.0000001", "@-1:-1", "10:20:30", "\n5",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseRange(text)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "invalid range "+strconv.Quote(text)+": ") || strings.ContainsAny(msg, "\r\n") {
				t.Fatalf("ParseRange(%q): the error does not name the text on one line: %q", text, msg)
			}
			if r != (Range{}) {
				t.Fatalf("ParseRange(%q) failed but returned %+v", text, r)
			}
			return
		}
		if math.IsNaN(r.Start) || math.IsNaN(r.End) || math.IsInf(r.Start, 1) || math.IsInf(r.End, -1) || r.Start > r.End {
			t.Fatalf("ParseRange(%q) = %+v: not a sound range", text, r)
		}
		written := r.String()
		if strings.ContainsAny(written, " \t\r\n;") {
			t.Fatalf("ParseRange(%q).String() = %q cannot stand in a perfdata field", text, written)
		}
		back, err := ParseRange(written)
		if err != nil || back != r {
			t.Fatalf("ParseRange(%q) = %+v, written %q, read back as %+v, %v", text, r, written, back, err)
		}
	})
}

// perfItem is one perfdata item as a Nagios consumer splits it.
type perfItem struct {
	label, value, uom string
	fields            []string // warn, crit, min, max as written; trailing ones may be missing
}

// parseNagiosPerfdata reads the part of a status line after "|" by the
// Nagios plugin guidelines: items separated by one space, each
// 'label'=value[UOM];[warn];[crit];[min];[max], where a quoted label
// doubles a quote inside it and a bare label holds no space, quote or '='.
// It is written from the guidelines, not from Perfdata.String, so that
// the fuzz test compares two readings of the format.
func parseNagiosPerfdata(s string) ([]perfItem, error) {
	var items []perfItem
	for len(s) > 0 {
		var it perfItem
		if s[0] == '\'' {
			var label strings.Builder
			i := 1
			for {
				j := strings.IndexByte(s[i:], '\'')
				if j < 0 {
					return nil, errors.New("unterminated quoted label")
				}
				label.WriteString(s[i : i+j])
				i += j + 1
				if i < len(s) && s[i] == '\'' {
					label.WriteByte('\'')
					i++
					continue
				}
				break
			}
			it.label, s = label.String(), s[i:]
			if !strings.HasPrefix(s, "=") {
				return nil, errors.New("no '=' after a quoted label")
			}
			s = s[1:]
		} else {
			eq := strings.IndexByte(s, '=')
			if eq <= 0 || strings.ContainsAny(s[:eq], " '") {
				return nil, errors.New("bad bare label in " + strconv.Quote(s))
			}
			it.label, s = s[:eq], s[eq+1:]
		}
		item, rest, more := strings.Cut(s, " ")
		if more && rest == "" {
			return nil, errors.New("trailing space")
		}
		s = rest
		fields := strings.Split(item, ";")
		if len(fields) > 5 {
			return nil, errors.New("more than five fields in " + strconv.Quote(item))
		}
		n := len(fields[0]) - len(strings.TrimLeft(fields[0], "-0123456789."))
		if strings.HasPrefix(fields[0], "U") {
			n = 1 // "could not be determined"
		}
		it.value, it.uom, it.fields = fields[0][:n], fields[0][n:], fields[1:]
		items = append(items, it)
	}
	return items, nil
}

var fuzzUOMs = []string{"", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"}

// FuzzRender renders results whose text and perfdata labels come from
// outside (file names, process names, log lines) and checks what an
// agent will read: at most MessageLimit bytes, the status always on the
// first line, one output line per detail (or a marker counting those left
// out), perfdata that a Nagios consumer reads back as given, valid JSON.
func FuzzRender(f *testing.F) {
	f.Add(uint8(2), "3 processes matching /nginx/", "pid 12\x00pid 13", uint8(1), "procs", 3.0, uint8(0), uint8(1))
	f.Add(uint8(1), "matched a|b", "line with | pipe\nand a newline", uint8(1), "disk /var", 55.5, uint8(4), uint8(1))
	f.Add(uint8(0), "x", strings.Repeat("é", 600), uint8(3), "it's", 1e-7, uint8(1), uint8(1))
	f.Add(uint8(3), strings.Repeat("long summary ", 100), "detail", uint8(40), "value_label", 1.2345678901234568e20, uint8(5), uint8(50))
	f.Add(uint8(0), "ok", "d", uint8(60), "a_rather_long_perfdata_label", 123456.789, uint8(2), uint8(1))
	f.Add(uint8(0), "ok", "", uint8(1), "two\nlines", 1.0, uint8(0), uint8(0))
	f.Add(uint8(0), "empty file system", "", uint8(2), "pct", math.NaN(), uint8(4), uint8(0))
	f.Fuzz(func(t *testing.T, status uint8, summary, details string, perfCount uint8, label string, value float64, uom uint8, detailRepeat uint8) {
		r := NewResult(Status(status%4), "%s", summary)
		for i := 0; i < int(detailRepeat%64); i++ {
			r.Details = append(r.Details, strings.Split(details, "\x00")...)
		}
		warn := Range{Start: 0, End: math.Abs(value)}
		if !isFinite(value) {
			warn.End = 1 // a NaN value is written "U"; a range has no such form
		}
		for i := 0; i < int(perfCount%64); i++ {
			p := Perfdata{Label: label, Value: value, UOM: fuzzUOMs[int(uom)%len(fuzzUOMs)], Warn: &warn, Min: Float(0)}
			if p.Validate() != nil {
				return
			}
			r.AddPerfdata(p)
		}
		validUTF8 := utf8.ValidString(summary) && utf8.ValidString(details) && utf8.ValidString(label)

		for _, format := range []Format{FormatMackerel, FormatNagios} {
			var b bytes.Buffer
			if err := r.Render(&b, "FUZZ", format); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			out := b.String()
			if len(out) > MessageLimit {
				t.Fatalf("%s: %d bytes, over the agent's %d:\n%s", format, len(out), MessageLimit, out)
			}
			if validUTF8 && !utf8.ValidString(out) {
				t.Fatalf("%s: a cut split a UTF-8 sequence:\n%q", format, out)
			}
			if !strings.HasSuffix(out, "\n") {
				t.Fatalf("%s: output does not end with a newline: %q", format, out)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			head, perf, hasPerf := strings.Cut(lines[0], " | ")
			if format == FormatMackerel {
				head, perf, hasPerf = lines[0], "", false // no perfdata, and a "|" is kept as written
			}
			if want := "FUZZ " + r.Status.String() + ": "; !strings.HasPrefix(head, want) {
				t.Fatalf("%s: the first line does not start with %q:\n%s", format, want, out)
			}
			if format == FormatMackerel && hasPerf {
				t.Fatalf("mackerel format carries perfdata: %q", lines[0])
			}
			if format == FormatNagios && hasPerf {
				items, err := parseNagiosPerfdata(perf)
				if err != nil {
					t.Fatalf("perfdata %q does not parse: %v", perf, err)
				}
				if len(items) > len(r.Perfdata) {
					t.Fatalf("%d perfdata items from %d", len(items), len(r.Perfdata))
				}
				for i, it := range items {
					p := r.Perfdata[i]
					v, err := strconv.ParseFloat(it.value, 64)
					if !isFinite(p.Value) && it.value == "U" {
						v, err = p.Value, nil
					}
					if it.label != lineBreaks.Replace(p.Label) || err != nil || (v != p.Value && isFinite(p.Value)) || it.uom != p.UOM ||
						len(it.fields) != 3 || it.fields[0] != warn.String() || it.fields[2] != "0" {
						t.Fatalf("perfdata item %d reads back as %+v from %+v", i, it, p)
					}
				}
			}
			checkDetailLines(t, format, r.Details, lines[1:])
		}

		var b bytes.Buffer
		if err := r.Render(&b, "FUZZ", FormatJSON); err != nil {
			t.Fatalf("json: %v", err)
		}
		var got struct {
			Status   string
			Code     int
			Summary  string
			Details  []string
			Perfdata []json.RawMessage
		}
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatalf("json output does not decode: %v\n%s", err, b.String())
		}
		if got.Status != r.Status.String() || got.Code != int(r.Status) || len(got.Details) != len(r.Details) || len(got.Perfdata) != len(r.Perfdata) {
			t.Fatalf("json output lost something: %s", b.String())
		}
		if validUTF8 && got.Summary != summary {
			t.Fatalf("json summary %q, want %q", got.Summary, summary)
		}
	})
}

// checkDetailLines checks the output lines after the first against the
// details: each detail is one line, in order, and a marker counts the
// details that did not fit.
func checkDetailLines(t *testing.T, format Format, details, lines []string) {
	t.Helper()
	shown := len(lines)
	if shown > 0 && lines[shown-1] == strings.TrimSuffix(moreLines(len(details)-shown+1), "\n") {
		shown-- // a marker for the details left out
	} else if shown != len(details) {
		t.Fatalf("%s: %d lines for %d details, and no marker", format, shown, len(details))
	}
	for i := 0; i < shown; i++ {
		if lines[i] != oneLine(format, details[i]) {
			t.Fatalf("%s: detail %d is %q, want %q", format, i, lines[i], oneLine(format, details[i]))
		}
	}
}

// Regression tests for what FuzzRender found.

func TestRenderLongPerfdataKeepsTheStatus(t *testing.T) {
	r := NewResult(OK, "ok")
	r.AddDetail("d")
	for i := 0; i < 24; i++ {
		r.AddPerfdata(Perfdata{Label: "a_rather_long_perfdata_label", Value: 123456.789, UOM: "ms"})
	}
	var b bytes.Buffer
	if err := r.Render(&b, "FUZZ", FormatNagios); err != nil {
		t.Fatal(err)
	}
	// Before the fix the perfdata took the room the head line needed,
	// which was cut to "…": no status left for the agent to show.
	if out := b.String(); !strings.HasPrefix(out, "FUZZ OK: ok | ") || len(out) > MessageLimit || !strings.HasSuffix(out, "\nd\n") {
		t.Fatalf("got %q", out)
	}
}

func TestPerfdataLabelLineBreak(t *testing.T) {
	r := NewResult(OK, "x")
	r.AddPerfdata(Perfdata{Label: "two\nlines", Value: 1}, Perfdata{Label: "cr\r\nlf", Value: 2})
	var b bytes.Buffer
	if err := r.Render(&b, "FUZZ", FormatNagios); err != nil {
		t.Fatal(err)
	}
	// Before the fix the label's newline ended the status line and made
	// "lines=1" a long-output line.
	if got, want := b.String(), "FUZZ OK: x | 'two lines'=1 'cr lf'=2\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
