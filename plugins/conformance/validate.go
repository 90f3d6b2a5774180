package conformance

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/metrics"
)

// The validators below read an output the way its consumer does, and
// more strictly: each returns every problem it finds, joined, or nil.

var (
	promName      = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	promLabelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	camelCase     = regexp.MustCompile(`[a-z][A-Z]`)
	// promlint's unit rules, as in prometheus/client_golang's
	// testutil/promlint (units and the base unit each maps to).
	lintAbbreviations = []string{"s", "ms", "us", "ns", "sec", "b", "kb", "mb", "gb", "tb", "pb", "m", "h", "d"}
	lintUnits         = map[string]string{
		"amperes": "amperes", "bytes": "bytes", "celsius": "celsius", "grams": "grams", "joules": "joules",
		"kelvin": "kelvin", "meters": "meters", "metres": "metres", "seconds": "seconds", "volts": "volts",
		"minutes": "seconds", "hours": "seconds", "days": "seconds", "weeks": "seconds",
		"kelvins": "kelvin", "fahrenheit": "celsius", "rankine": "celsius",
		"inches": "meters", "yards": "meters", "miles": "meters", "bits": "bytes",
		"calories": "joules", "pounds": "grams", "ounces": "grams",
	}
	lintUnitPrefixes = []string{"pico", "nano", "micro", "milli", "centi", "deci", "deca", "hecto", "kilo", "kibi", "mega", "mibi", "giga", "gibi", "tera", "tebi", "peta", "pebi"}
)

// PromFamily is one metric family read by ValidatePrometheus.
type PromFamily struct {
	Help, Type string
	Samples    []PromSample
}

// PromSample is one sample: its labels and value.
type PromSample struct {
	Labels map[string]string
	Value  float64
}

// ValidatePrometheus reads text in the exposition format 0.0.4 and
// checks what Prometheus' parser, `promtool check metrics` (its linter)
// and node_exporter's textfile collector require: every family has one
// HELP (not empty) and one TYPE (counter, gauge or untyped) before its
// samples and appears in one block; names and label names are valid;
// label values are quoted and escaped; no series is given twice; no
// sample has a timestamp; counters end in _total and nothing else does;
// no gauge ends in _count, _sum or _bucket or has an le or quantile
// label; no camelCase, ':', abbreviated or non-base unit, or the type's
// name in a name. It returns the families by name.
func ValidatePrometheus(text string) (map[string]*PromFamily, error) {
	var ps problems
	fams := map[string]*PromFamily{}
	closed := map[string]bool{}
	current := ""
	if text != "" && !strings.HasSuffix(text, "\n") {
		ps.addf("the text does not end with a newline")
	}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		at := fmt.Sprintf("line %d %q", i+1, line)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "#") {
			f := strings.SplitN(line, " ", 4)
			if len(f) < 3 || f[0] != "#" || (f[1] != "HELP" && f[1] != "TYPE") {
				continue // a comment
			}
			name := f[2]
			if !promName.MatchString(name) {
				ps.addf("%s: invalid metric name", at)
				continue
			}
			if name != current && closed[name] {
				ps.addf("%s: family %s appears in two blocks", at, name)
			}
			if current != "" && current != name {
				closed[current] = true
			}
			current = name
			fam := fams[name]
			if fam == nil {
				fam = &PromFamily{}
				fams[name] = fam
			}
			if len(fam.Samples) > 0 {
				ps.addf("%s: %s after the family's samples", at, f[1])
			}
			rest := ""
			if len(f) == 4 {
				rest = f[3]
			}
			if f[1] == "HELP" {
				if fam.Help != "" {
					ps.addf("%s: second HELP", at)
				}
				if strings.TrimSpace(rest) == "" {
					ps.addf("%s: empty HELP", at)
				}
				fam.Help = unescapeHelp(rest)
			} else {
				if fam.Type != "" {
					ps.addf("%s: second TYPE", at)
				}
				if rest != "counter" && rest != "gauge" && rest != "untyped" {
					ps.addf("%s: type %q (teko writes counter, gauge or untyped)", at, rest)
				}
				fam.Type = rest
			}
			continue
		}
		name, labels, value, err := parseSample(line)
		if err != nil {
			ps.addf("%s: %v", at, err)
			continue
		}
		fam := fams[name]
		if fam == nil || name != current {
			ps.addf("%s: sample outside its family's block (HELP and TYPE must come first)", at)
			continue
		}
		key := fmt.Sprint(sortedPairs(labels))
		for _, s := range fam.Samples {
			if fmt.Sprint(sortedPairs(s.Labels)) == key {
				ps.addf("%s: series given twice", at)
			}
		}
		fam.Samples = append(fam.Samples, PromSample{labels, value})
		for l := range labels {
			if camelCase.MatchString(l) {
				ps.addf("%s: label names should be written in 'snake_case' not 'camelCase'", at)
			}
			if l == "le" || l == "quantile" {
				ps.addf("%s: label %s is reserved for histograms and summaries", at, l)
			}
		}
	}
	for name, fam := range fams {
		ps.add(lintFamily(name, fam))
	}
	return fams, ps.err()
}

// lintFamily is promtool's linter on one family.
func lintFamily(name string, fam *PromFamily) error {
	var ps problems
	if fam.Help == "" {
		ps.addf("%s: no help text", name)
	}
	if fam.Type == "" {
		ps.addf("%s: no TYPE", name)
	}
	if camelCase.MatchString(name) {
		ps.addf("%s: metric names should be written in 'snake_case' not 'camelCase'", name)
	}
	if strings.Contains(name, ":") {
		ps.addf("%s: metric names should not contain ':'", name)
	}
	if fam.Type == "counter" && !strings.HasSuffix(name, "_total") {
		ps.addf("%s: counter metrics should have \"_total\" suffix", name)
	}
	if fam.Type != "counter" && strings.HasSuffix(name, "_total") {
		ps.addf("%s: non-counter metrics should not have \"_total\" suffix", name)
	}
	for _, suffix := range []string{"_count", "_sum", "_bucket"} {
		if strings.HasSuffix(name, suffix) {
			ps.addf("%s: non-histogram and non-summary metrics should not have %q suffix", name, suffix)
		}
	}
	lower := strings.ToLower(name)
	for _, typ := range []string{"counter", "gauge", "summary", "histogram", "gaugehistogram"} {
		if strings.Contains(lower, "_"+typ+"_") || strings.HasSuffix(lower, "_"+typ) {
			ps.addf("%s: metric name should not include type '%s'", name, typ)
		}
	}
	for _, a := range lintAbbreviations {
		if strings.Contains(lower, "_"+a+"_") || strings.HasSuffix(lower, "_"+a) {
			ps.addf("%s: metric names should not contain abbreviated units", name)
		}
	}
	// As promlint: the first unit word found decides.
unit:
	for _, w := range strings.Split(name, "_") {
		if base, ok := lintUnits[w]; ok {
			if base != w {
				ps.addf("%s: use base unit %q instead of %q", name, base, w)
			}
			break
		}
		for _, p := range lintUnitPrefixes {
			if rest, ok := strings.CutPrefix(w, p); ok {
				if base, ok := lintUnits[rest]; ok {
					ps.addf("%s: use base unit %q instead of %q", name, base, w)
					break unit
				}
			}
		}
	}
	return ps.err()
}

func unescapeHelp(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\n`, "\n").Replace(s)
}

func sortedPairs(m map[string]string) []string {
	var out []string
	for k, v := range m {
		out = append(out, k+"="+strconv.Quote(v))
	}
	slices.Sort(out)
	return out
}

// parseSample reads `name{a="b",c="d"} value`, refusing a timestamp.
func parseSample(line string) (name string, labels map[string]string, value float64, err error) {
	i := strings.IndexAny(line, "{ ")
	if i <= 0 {
		return "", nil, 0, errors.New("not a sample")
	}
	name, rest := line[:i], line[i:]
	if !promName.MatchString(name) {
		return "", nil, 0, fmt.Errorf("invalid metric name %q", name)
	}
	labels = map[string]string{}
	if rest[0] == '{' {
		rest = rest[1:]
		for {
			if strings.HasPrefix(rest, "}") {
				rest = rest[1:]
				break
			}
			eq := strings.IndexByte(rest, '=')
			if eq <= 0 {
				return "", nil, 0, errors.New("bad label")
			}
			ln := rest[:eq]
			if !promLabelName.MatchString(ln) || strings.HasPrefix(ln, "__") {
				return "", nil, 0, fmt.Errorf("invalid label name %q", ln)
			}
			if _, dup := labels[ln]; dup {
				return "", nil, 0, fmt.Errorf("label %s twice", ln)
			}
			rest = rest[eq+1:]
			if !strings.HasPrefix(rest, `"`) {
				return "", nil, 0, fmt.Errorf("label %s: value not quoted", ln)
			}
			var b strings.Builder
			j := 1
			for ; j < len(rest) && rest[j] != '"'; j++ {
				if rest[j] == '\n' {
					return "", nil, 0, errors.New("line break in a label value")
				}
				if rest[j] != '\\' {
					b.WriteByte(rest[j])
					continue
				}
				j++
				switch {
				case j >= len(rest):
					return "", nil, 0, errors.New("unterminated escape")
				case rest[j] == 'n':
					b.WriteByte('\n')
				case rest[j] == '\\' || rest[j] == '"':
					b.WriteByte(rest[j])
				default:
					return "", nil, 0, fmt.Errorf("invalid escape \\%c", rest[j])
				}
			}
			if j >= len(rest) {
				return "", nil, 0, errors.New("unterminated label value")
			}
			labels[ln] = b.String()
			rest = rest[j+1:]
			if strings.HasPrefix(rest, ",") {
				rest = rest[1:]
			} else if !strings.HasPrefix(rest, "}") {
				return "", nil, 0, errors.New("labels not separated by ','")
			}
		}
	}
	f := strings.Fields(rest)
	switch {
	case len(f) == 2:
		return "", nil, 0, errors.New("the sample has a timestamp (node_exporter's textfile collector refuses them)")
	case len(f) != 1 || !strings.HasPrefix(rest, " "):
		return "", nil, 0, errors.New("want `name{labels} value`")
	}
	value, err = strconv.ParseFloat(f[0], 64)
	if err != nil {
		return "", nil, 0, fmt.Errorf("value %q is not a number", f[0])
	}
	return name, labels, value, nil
}

// InfluxPoint is one line of line protocol read by ValidateInflux.
type InfluxPoint struct {
	Measurement string
	Tags        map[string]string
	Fields      map[string]float64
	Time        int64
}

// ValidateInflux reads InfluxDB line protocol as InfluxDB 1.x does
// (escapes, tags, float fields, a timestamp) and checks that every line
// has the timestamp epoch (seconds), tags sorted by key with non-empty
// values, no field or tag named "time", no field twice.
func ValidateInflux(text string, epoch int64) ([]InfluxPoint, error) {
	var ps problems
	var out []InfluxPoint
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p, err := parseInflux(line)
		if err != nil {
			ps.addf("line %d %q: %v", i+1, line, err)
			continue
		}
		if p.Time != epoch {
			ps.addf("line %d %q: timestamp %d, want the run's %d", i+1, line, p.Time, epoch)
		}
		out = append(out, p)
	}
	return out, ps.err()
}

// splitEscaped splits s at unescaped sep bytes outside double quotes.
func splitEscaped(s string, sep byte) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case s[i] == '"':
			quoted = !quoted
		case s[i] == sep && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func unescapeInflux(s string) string {
	return strings.NewReplacer(`\,`, ",", `\=`, "=", `\ `, " ", `\\`, `\`).Replace(s)
}

func parseInflux(line string) (InfluxPoint, error) {
	parts := splitEscaped(line, ' ')
	if len(parts) != 3 {
		return InfluxPoint{}, fmt.Errorf("want `measurement[,tags] fields timestamp` (%d parts)", len(parts))
	}
	p := InfluxPoint{Tags: map[string]string{}, Fields: map[string]float64{}}
	series := splitEscaped(parts[0], ',')
	p.Measurement = unescapeInflux(series[0])
	if p.Measurement == "" {
		return p, errors.New("empty measurement")
	}
	prevKey := ""
	for _, t := range series[1:] {
		kv := splitEscaped(t, '=')
		if len(kv) != 2 || kv[0] == "" || kv[1] == "" {
			return p, fmt.Errorf("tag %q: want key=value, both non-empty", t)
		}
		k := unescapeInflux(kv[0])
		if k <= prevKey {
			return p, fmt.Errorf("tags not sorted by key at %q", k)
		}
		if k == "time" {
			return p, errors.New(`a tag named "time"`)
		}
		prevKey = k
		p.Tags[k] = unescapeInflux(kv[1])
	}
	for _, f := range splitEscaped(parts[1], ',') {
		kv := splitEscaped(f, '=')
		if len(kv) != 2 || kv[0] == "" {
			return p, fmt.Errorf("field %q: want key=value", f)
		}
		k := unescapeInflux(kv[0])
		if k == "time" {
			return p, errors.New(`a field named "time"`)
		}
		if _, dup := p.Fields[k]; dup {
			return p, fmt.Errorf("field %s twice", k)
		}
		v, err := strconv.ParseFloat(kv[1], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || strings.ContainsAny(kv[1], "iu\"tTfFnN") {
			return p, fmt.Errorf("field %s: %q is not a finite float", k, kv[1])
		}
		p.Fields[k] = v
	}
	ts, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return p, fmt.Errorf("timestamp %q is not an integer", parts[2])
	}
	p.Time = ts
	return p, nil
}

// ValidateGraphite reads carbon's plaintext protocol: lines of exactly
// `path value timestamp`, the path a valid metric name, the value a
// finite number without exponent, the timestamp epoch. It returns the
// values by path.
func ValidateGraphite(text string, epoch int64) (map[string]float64, error) {
	var ps problems
	out := map[string]float64{}
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, " ")
		if len(f) != 3 {
			ps.addf("line %d %q: want `path value timestamp`", i+1, line)
			continue
		}
		if err := metrics.ValidateName(f[0]); err != nil {
			ps.addf("line %d: %v", i+1, err)
		}
		v, err := strconv.ParseFloat(f[1], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || strings.ContainsAny(f[1], "eEnNxX") {
			ps.addf("line %d %q: value is not a plain finite number", i+1, line)
		}
		if f[2] != strconv.FormatInt(epoch, 10) {
			ps.addf("line %d %q: timestamp, want the run's %d", i+1, line, epoch)
		}
		if _, dup := out[f[0]]; dup {
			ps.addf("line %d: %s given twice", i+1, f[0])
		}
		out[f[0]] = v
	}
	return out, ps.err()
}

// JSONValue is one value of the metric json format.
type JSONValue struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Kind  string  `json:"kind"`
	Epoch int64   `json:"epoch"`
}

// ValidateMetricJSON reads the json format of a metric plugin: one
// document {"epoch":…,"values":[…]} and nothing else, every value with a
// valid name, a kind (gauge, counter, rate), a number and the epoch.
func ValidateMetricJSON(text string, epoch int64) ([]JSONValue, error) {
	var doc struct {
		Epoch  int64       `json:"epoch"`
		Values []JSONValue `json:"values"`
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("not one JSON document: %v", err)
	}
	if dec.More() {
		return nil, errors.New("more than one JSON document")
	}
	var ps problems
	if doc.Epoch != epoch {
		ps.addf("epoch %d, want the run's %d", doc.Epoch, epoch)
	}
	if doc.Values == nil {
		ps.addf(`no "values" array`)
	}
	seen := map[string]bool{}
	for _, v := range doc.Values {
		if err := metrics.ValidateName(v.Name); err != nil {
			ps.addf("value %+v: %v", v, err)
		}
		if v.Kind != "gauge" && v.Kind != "counter" && v.Kind != "rate" {
			ps.addf("value %+v: kind %q is none of gauge, counter, rate", v, v.Kind)
		}
		if v.Epoch != epoch {
			ps.addf("value %+v: epoch, want the run's %d", v, epoch)
		}
		if seen[v.Name+" "+v.Kind] {
			ps.addf("value %s (%s) given twice", v.Name, v.Kind)
		}
		seen[v.Name+" "+v.Kind] = true
	}
	return doc.Values, ps.err()
}

var nagiosPerf = regexp.MustCompile(`^('(?:[^']|'')+'|[^'= ]+)=(U|-?[0-9]+(?:\.[0-9]+)?)(s|ms|us|%|B|KB|MB|TB|c)?(?:;([^;]*)(?:;([^;]*)(?:;(-?[0-9.]*)(?:;(-?[0-9.]*))?)?)?)?$`)

// ValidateNagios reads the first line of a check's nagios output as a
// Nagios core does, "TITLE STATUS: text | perfdata", and checks every
// perfdata item against the plugin guidelines
// ('label'=value[UOM];[warn];[crit];[min];[max], no exponents). It
// returns the status word and the perfdata values by label.
func ValidateNagios(out, title string) (status string, perf map[string]string, err error) {
	first, _, _ := strings.Cut(out, "\n")
	head, perfText, hasPerf := strings.Cut(first, " | ")
	m := statusLine.FindStringSubmatch(head)
	if m == nil || m[1] != title {
		return "", nil, fmt.Errorf("first line %q is not %q", first, title+" STATUS: …")
	}
	var ps problems
	perf = map[string]string{}
	if hasPerf {
		for _, item := range splitPerfdata(perfText) {
			pm := nagiosPerf.FindStringSubmatch(item)
			if pm == nil {
				ps.addf("perfdata item %q breaks the guidelines", item)
				continue
			}
			label := pm[1]
			if strings.HasPrefix(label, "'") {
				label = strings.ReplaceAll(label[1:len(label)-1], "''", "'")
			}
			perf[label] = pm[2]
		}
	}
	return m[2], perf, ps.err()
}

// splitPerfdata splits perfdata at spaces outside quoted labels.
func splitPerfdata(s string) []string {
	var out []string
	var b strings.Builder
	quoted := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			quoted = !quoted
		case c == ' ' && !quoted:
			if b.Len() > 0 {
				out = append(out, b.String())
				b.Reset()
			}
			continue
		}
		b.WriteByte(c)
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}
