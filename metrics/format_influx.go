package metrics

import (
	"bufio"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// influxPoint is one line of line protocol: a measurement, its tags, and
// the fields that share them.
type influxPoint struct {
	key    string // measurement and tags, escaped
	fields []string
	seen   map[string]int
}

// influxEscape escapes s for line protocol: a backslash before each byte
// of special. (Names are letters, digits, '-', '_' and '.', so this
// rarely changes anything.)
func influxEscape(s, special string) string {
	if !strings.ContainsAny(s, special) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(special, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// writeInflux prints one line per measurement and tag set:
//
//	nginx.requests accepts=61.5,handled=61.5,requests=120 1795478400
//	multicore.cpu,cpu=cpu0 user=12.5,system=3 1795478400
//
// The measurement is the literal segments of the graph key (prefix
// included), the field the literal segments of the metric's name
// ("value" when it is all wildcards), each wildcard segment a tag named
// as Prometheus labels are. Values are floats; the timestamp is in
// seconds (write with precision=s).
func writeInflux(w *bufio.Writer, o Output, values []Value) {
	sh := newShaper(o.Prefix, o.Graphs)
	points := map[string]*influxPoint{}
	var order []string
	for _, v := range values {
		s := sh.of(join(o.Prefix, v.Name))
		measurement := strings.Join(s.literal[:s.inKey], ".")
		field := strings.Join(s.literal[s.inKey:], ".")
		if measurement == "" {
			measurement = "teko"
		}
		if field == "" {
			field = "value"
		}
		tags := slices.Clone(s.labels)
		slices.SortFunc(tags, func(a, b label) int { return strings.Compare(a.name, b.name) })
		var key strings.Builder
		key.WriteString(influxEscape(measurement, `\, `))
		for _, t := range tags {
			key.WriteString("," + influxEscape(t.name, `\,= `) + "=" + influxEscape(t.value, `\,= `))
		}
		p := points[key.String()]
		if p == nil {
			p = &influxPoint{key: key.String(), seen: map[string]int{}}
			points[p.key] = p
			order = append(order, p.key)
		}
		text := influxEscape(field, `\,= `) + "=" + FormatValue(v.Value)
		if i, ok := p.seen[field]; ok {
			p.fields[i] = text // the same field twice in a point: the last wins, as in the agent
			continue
		}
		p.seen[field] = len(p.fields)
		p.fields = append(p.fields, text)
	}
	slices.Sort(order)
	tail := " " + strconv.FormatInt(o.Now.Unix(), 10) + "\n"
	for _, k := range order {
		p := points[k]
		w.WriteString(p.key)
		w.WriteByte(' ')
		w.WriteString(strings.Join(p.fields, ","))
		w.WriteString(tail)
	}
}

type jsonValue struct {
	Name  string      `json:"name"`
	Value json.Number `json:"value"`
	Kind  Kind        `json:"kind"`
	Epoch int64       `json:"epoch"`
}

// writeJSON prints one document:
//
//	{"epoch":1795478400,"values":[{"name":"nginx.requests.requests","value":120,"kind":"rate","epoch":1795478400}, …]}
//
// with every gauge and rate, and every counter's raw total (kind
// "counter", the same name as its rate), sorted by name, totals after
// rates.
func writeJSON(w *bufio.Writer, o Output, values []Value) error {
	epoch := o.Now.Unix()
	doc := struct {
		Epoch  int64       `json:"epoch"`
		Values []jsonValue `json:"values"`
	}{Epoch: epoch, Values: []jsonValue{}}
	for _, v := range values {
		doc.Values = append(doc.Values, jsonValue{join(o.Prefix, v.Name), json.Number(FormatValue(v.Value)), o.kind(v.Name), epoch})
	}
	if o.Batch != nil {
		for _, t := range o.Batch.Totals() {
			doc.Values = append(doc.Values, jsonValue{join(o.Prefix, t.Name), json.Number(o.Batch.appendTotal(nil, t)), KindCounter, epoch})
		}
	}
	slices.SortStableFunc(doc.Values, func(a, b jsonValue) int { return strings.Compare(a.Name, b.Name) })
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
