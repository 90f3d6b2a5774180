package metrics

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
)

// PrometheusName turns a metric name (segments joined by '.') into a
// Prometheus metric name that `promtool check metrics` accepts:
//
//   - '.', '-' and any other character a name does not allow become '_';
//     a lower-case letter followed by an upper-case one gets a '_' between
//     them, and the name is lower-cased ("keysDb0" → "keys_db0");
//   - a unit other than a base unit loses its plural "s", which
//     promtool's linter then accepts: "cert.days" → "cert_day",
//     "read.kilobytes" → "read_kilobyte";
//   - any other word (the parts between '_') that the linter rejects is
//     joined to the word before it (to the next one when it is first):
//     a unit abbreviation (s ms us ns sec b kb mb gb tb pb m h d), a type
//     name (counter, gauge, summary, histogram), and for a gauge a last
//     word total, count, sum or bucket: "reqtime.ms" → "reqtimems",
//     "mem.total" → "memtotal" (a name of that one word gets "teko" in
//     front);
//   - a counter ends in "_total" (added unless the name already ends so);
//   - a name starting with a digit gets a leading '_'.
//
// kind is KindGauge or KindCounter.
func PrometheusName(name string, kind Kind) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'A' && c <= 'Z':
			if i > 0 && name[i-1] >= 'a' && name[i-1] <= 'z' {
				b.WriteByte('_')
			}
			b.WriteByte(c + 'a' - 'A')
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteByte(c)
		default:
			b.WriteByte('_')
		}
	}
	var words []string
	for _, w := range strings.Split(b.String(), "_") {
		if w != "" {
			words = append(words, w)
		}
	}
	if len(words) == 0 {
		words = []string{"teko"} // a name of only '_'
	}
	if kind == KindCounter {
		if len(words) < 2 || words[len(words)-1] != "total" {
			words = append(words, "total")
		}
	}
	// The words that may be joined: all but a counter's final "total".
	n := len(words)
	if kind == KindCounter {
		n--
	}
	for changed := true; changed; {
		changed = false
		for i, w := range words[:n] {
			lastOfGauge := i == len(words)-1 && kind != KindCounter
			if !lintWord(w, lastOfGauge) {
				continue
			}
			if one, ok := strings.CutSuffix(w, "s"); ok && isUnitWord(w) && !lintWord(one, lastOfGauge) {
				words[i] = one // "days" → "day", "kilobytes" → "kilobyte"
				changed = true
				break
			}
			switch {
			case i > 0:
				words[i-1] += w
				words = slices.Delete(words, i, i+1)
				n--
			case n > 1:
				words = append([]string{w + words[1]}, words[2:]...)
				n--
			default:
				words[0] = "teko" + w // nothing to join it to
			}
			changed = true
			break
		}
	}
	out := strings.Join(words, "_")
	if out[0] >= '0' && out[0] <= '9' {
		out = "_" + out
	}
	return out
}

// The words promtool's linter (client_golang's promlint) rejects in a
// name. (Switches rather than maps: nothing to build at start-up.)

// lintWord reports whether promtool's linter rejects the word w in a
// name; lastOfGauge says it ends a gauge's name.
func lintWord(w string, lastOfGauge bool) bool {
	switch w {
	case "s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d", // abbreviated units
		"counter", "gauge", "summary", "histogram": // type names
		return true
	case "total", "count", "sum", "bucket":
		return lastOfGauge
	}
	return isUnitWord(w)
}

// unitBase returns the base unit of a unit promlint knows.
func unitBase(w string) (string, bool) {
	switch w {
	case "amperes", "bytes", "celsius", "grams", "joules", "kelvin", "meters", "metres", "seconds", "volts":
		return w, true
	case "minutes", "hours", "days", "weeks":
		return "seconds", true
	case "kelvins":
		return "kelvin", true
	case "fahrenheit", "rankine":
		return "celsius", true
	case "inches", "yards", "miles":
		return "meters", true
	case "bits":
		return "bytes", true
	case "calories":
		return "joules", true
	case "pounds", "ounces":
		return "grams", true
	}
	return "", false
}

var unitPrefixes = [...]string{"pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega", "mibi", "giga", "gibi", "tera", "tebi", "peta", "pebi", "exa", "zetta", "yotta"}

// isUnitWord reports whether w is a unit other than a base unit, or a
// prefixed unit ("kilobytes", "milliseconds").
func isUnitWord(w string) bool {
	if base, ok := unitBase(w); ok {
		return base != w
	}
	for _, p := range unitPrefixes {
		if rest, ok := strings.CutPrefix(w, p); ok {
			if _, ok := unitBase(rest); ok {
				return true
			}
		}
	}
	return false
}

type promSample struct {
	labels string // `{a="b"}` or ""
	value  []byte
}

type promFamily struct {
	name, typ, help string
	samples         []promSample
	seen            map[string]bool
}

func writePrometheus(w *bufio.Writer, o Output, gauges []Value) {
	sh := newShaper(o.Prefix, o.Graphs)
	families := map[string]*promFamily{}
	owner := map[string]string{} // family name → the teko name (and kind) it was made from
	add := func(name string, kind Kind, value []byte) {
		s := sh.of(join(o.Prefix, name))
		source := strings.Join(s.literal, ".") + "/" + string(kind)
		fname := PrometheusName(strings.Join(s.literal, "."), kind)
		if o, ok := owner[fname]; ok && o != source {
			// Two names that read the same in Prometheus ("score-" and
			// "score-_" are both "score"): the later one keeps its value
			// under the name with a suffix made from its own name.
			h := fnv.New32a()
			h.Write([]byte(source))
			fname += fmt.Sprintf("_%08x", h.Sum32())
		}
		owner[fname] = source
		f := families[fname]
		typ := "gauge"
		if kind == KindCounter {
			typ = "counter"
		}
		if f == nil {
			help := s.help + " (" + s.patterns
			if kind == KindCounter {
				help += ", running total"
			}
			f = &promFamily{name: fname, typ: typ, help: help + ")", seen: map[string]bool{}}
			families[fname] = f
		}
		ls := promLabels(s.labels)
		if f.seen[ls] {
			return // the same series twice: the first wins
		}
		f.seen[ls] = true
		f.samples = append(f.samples, promSample{ls, value})
	}
	for _, v := range gauges {
		if o.kind(v.Name) == KindGauge {
			add(v.Name, KindGauge, appendValue(nil, v.Value))
		}
	}
	if o.Batch != nil {
		for _, t := range o.Batch.Totals() {
			add(t.Name, KindCounter, o.Batch.appendTotal(nil, t))
		}
	}
	names := make([]string, 0, len(families))
	for n := range families {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		f := families[n]
		WritePrometheusFamily(w, f.name, f.typ, f.help)
		for _, s := range f.samples {
			w.WriteString(f.name)
			w.WriteString(s.labels)
			w.WriteByte(' ')
			w.Write(s.value)
			w.WriteByte('\n')
		}
	}
}

// WritePrometheusFamily writes the "# HELP" and "# TYPE" lines that
// start a metric family in the text exposition format, escaping help.
func WritePrometheusFamily(w interface{ WriteString(string) (int, error) }, name, typ, help string) {
	w.WriteString("# HELP " + name + " " + escape(help, `\`) + "\n")
	w.WriteString("# TYPE " + name + " " + typ + "\n")
}

// escape writes s with a backslash before each byte of special and
// "\n" for a line break.
func escape(s, special string) string {
	s = strings.ToValidUTF8(s, "\uFFFD") // the text format is UTF-8: one bad byte loses the whole file
	if !strings.ContainsAny(s, special+"\n") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\n':
			b.WriteString(`\n`)
		case strings.IndexByte(special, c) >= 0:
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func promLabels(ls []label) string {
	if len(ls) == 0 {
		return ""
	}
	sorted := slices.Clone(ls)
	slices.SortFunc(sorted, func(a, b label) int { return strings.Compare(a.name, b.name) })
	var b strings.Builder
	b.WriteByte('{')
	for i, l := range sorted {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(PrometheusLabel(l.name, l.value))
	}
	b.WriteByte('}')
	return b.String()
}

// PrometheusLabel writes one label pair, name="value", the value
// escaped as the text format requires (bytes that are not UTF-8 become
// U+FFFD, which Prometheus' parser requires).
func PrometheusLabel(name, value string) string {
	return name + `="` + escape(value, `\"`) + `"`
}
