package metrics

import (
	"bufio"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Format is how a metric plugin's values are printed (the runtime's
// --format flag). Every format carries the same names and values; they
// differ in syntax and in what a counter becomes.
type Format string

// The formats of a metric plugin.
const (
	// FormatMackerel is "name<TAB>value<TAB>epoch", as mackerel-agent
	// reads it; counters are printed as rates (Write). The default.
	FormatMackerel Format = "mackerel"
	// FormatGraphite is carbon's plaintext protocol, "name value epoch";
	// counters are printed as rates.
	FormatGraphite Format = "graphite"
	// FormatInflux is InfluxDB's line protocol with epoch seconds: the
	// literal segments of a graph key are the measurement, the metric's
	// name the field, and the wildcard segments tags; counters are
	// printed as rates.
	FormatInflux Format = "influx"
	// FormatPrometheus is the text exposition format 0.0.4: gauges as
	// gauges, counters as their raw running totals (TYPE counter, name
	// ending in _total; Prometheus takes the rate itself, so no state is
	// needed), wildcard segments as labels, HELP from the graph labels,
	// no timestamps. See PrometheusName for the names.
	FormatPrometheus Format = "prometheus"
	// FormatJSON is one JSON document holding every value with its full
	// name, its kind (gauge, rate, or counter for a raw total) and the
	// epoch.
	FormatJSON Format = "json"
)

// Formats lists every Format, the default first.
var Formats = []Format{FormatMackerel, FormatGraphite, FormatInflux, FormatPrometheus, FormatJSON}

// UnmarshalFlag lets a Format be a go-flags option value.
func (f *Format) UnmarshalFlag(text string) error {
	v := Format(strings.ToLower(text))
	if !slices.Contains(Formats, v) {
		return fmt.Errorf("unknown format %q (want mackerel, graphite, influx, prometheus or json)", text)
	}
	*f = v
	return nil
}

// NeedsRates reports whether f prints counters as rates, which need the
// previous run's totals from the state store. Prometheus prints raw
// totals and needs no state.
func (f Format) NeedsRates() bool { return f != FormatPrometheus }

// Kind is what a printed value is.
type Kind string

// The kinds of values.
const (
	KindGauge   Kind = "gauge"   // printed as recorded
	KindCounter Kind = "counter" // a counter's raw running total
	KindRate    Kind = "rate"    // a counter's rate against the previous run
)

// Kind returns how name was recorded in b: KindGauge or KindCounter, or
// "" when it was not recorded.
func (b *Batch) Kind(name string) Kind {
	if _, ok := b.gauges[name]; ok {
		return KindGauge
	}
	if _, ok := b.counters[name]; ok {
		return KindCounter
	}
	return ""
}

// Total is a counter's running total as recorded, its name relative to
// the prefix.
type Total struct {
	Name  string
	Value uint64
}

// Totals returns every counter's recorded total, sorted by name, as
// recorded (a ConvertedCounter's in its own unit; the prometheus and json
// formats print it converted, see appendTotal).
func (b *Batch) Totals() []Total {
	out := make([]Total, 0, len(b.counters))
	for _, name := range slices.Sorted(maps.Keys(b.counters)) {
		out = append(out, Total{name, b.counters[name].value})
	}
	return out
}

// Output is one run's values, for Format.Write.
type Output struct {
	// Prefix is the first part of every name; empty adds nothing.
	Prefix string
	// Graphs are the plugin's graph definitions (keys relative to
	// Prefix): they give influx its measurements and tags, prometheus its
	// labels and HELP texts.
	Graphs Graphs
	// Values are the printable values: the gauges and the rates that
	// Batch.Resolve returned. Prometheus prints only the gauges among
	// them.
	Values []Value
	// Batch is the run's batch: which values are rates, and the
	// counters' raw totals (for prometheus and json). Nil means every
	// value is a gauge and there is no counter.
	Batch *Batch
	// Now is the run's time, printed as epoch seconds (not by
	// prometheus, whose samples carry no timestamp).
	Now time.Time
}

// kind returns the kind of a printable value.
func (o *Output) kind(name string) Kind {
	if o.Batch != nil && o.Batch.Kind(name) == KindCounter {
		return KindRate
	}
	return KindGauge
}

// Write prints o in format f. Like Write (the package function), it
// prints no NaN or infinite value and returns those it left out; an
// invalid prefix prints nothing and returns an error.
func (f Format) Write(w io.Writer, o Output) (unprintable []Value, err error) {
	if err := validatePrefix(o.Prefix); err != nil {
		return nil, err
	}
	var printable []Value
	for _, v := range o.Values {
		if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
			unprintable = append(unprintable, v)
		} else {
			printable = append(printable, v)
		}
	}
	slices.SortStableFunc(printable, func(a, b Value) int { return strings.Compare(a.Name, b.Name) })
	bw := bufio.NewWriterSize(w, 32<<10)
	switch f {
	case FormatMackerel, "":
		_, err = Write(bw, o.Prefix, printable, o.Now)
	case FormatGraphite:
		writeGraphite(bw, o, printable)
	case FormatInflux:
		writeInflux(bw, o, printable)
	case FormatPrometheus:
		writePrometheus(bw, o, printable)
	case FormatJSON:
		err = writeJSON(bw, o, printable)
	default:
		return unprintable, fmt.Errorf("unknown format %q", string(f))
	}
	if err != nil {
		return unprintable, err
	}
	return unprintable, bw.Flush()
}

func writeGraphite(w *bufio.Writer, o Output, values []Value) {
	tail := " " + strconv.FormatInt(o.Now.Unix(), 10) + "\n"
	line := make([]byte, 0, 128)
	for _, v := range values {
		line = append(line[:0], join(o.Prefix, v.Name)...)
		line = append(line, ' ')
		line = appendValue(line, v.Value)
		line = append(line, tail...)
		w.Write(line)
	}
}

// appendTotal appends t's total as the prometheus and json formats print
// it: in the graph's unit, so a ConvertedCounter's total is multiplied by
// its unit (CPU microseconds become seconds, JVM clock ticks seconds);
// any other counter's is the exact integer.
func (b *Batch) appendTotal(dst []byte, t Total) []byte {
	if c, ok := b.counters[t.Name]; ok && c.unit != 0 && c.unit != 1 {
		// rounded to 15 significant digits: 135818058 ticks at 1e-9 are
		// 0.135818058 s, not the product's 0.13581805800000002
		v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(t.Value)*c.unit, 'g', 15, 64), 64)
		return appendValue(dst, v)
	}
	return strconv.AppendUint(dst, t.Value, 10)
}
