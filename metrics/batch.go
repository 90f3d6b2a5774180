package metrics

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Batch collects the values of one run. Names are relative to the
// plugin's prefix. The zero value is not usable; call NewBatch. A Batch
// is not safe for concurrent use: a plugin that collects in several
// goroutines gathers their results and records them from one.
//
// A name is either a gauge or a counter, and is recorded once per run
// (recording it again replaces the value). An invalid name, or a name
// used for both kinds, is a bug in the plugin: the batch remembers the
// first such mistake, Err returns it, and the runtime then prints
// nothing and reports it, so that any test that runs the plugin fails.
type Batch struct {
	gauges   map[string]float64
	counters map[string]counter
	together [][]string
	err      error
}

type counter struct {
	value uint64
	wrap  int     // 0: a decrease is a restart; 32 or 64: the counter wraps at that width
	scale float64 // the rate is multiplied by it; 0 means 1
	unit  float64 // the running total (prometheus, json) is multiplied by it; 0 means 1
}

// NewBatch returns an empty batch.
func NewBatch() *Batch {
	return &Batch{gauges: map[string]float64{}, counters: map[string]counter{}}
}

// Gauge records a value that is printed as it is: a temperature, a queue
// length, a size.
func (b *Batch) Gauge(name string, v float64) {
	if b.check(name, false) {
		b.gauges[name] = v
	}
}

// Counter records the current total of a monotonic counter (requests
// served since start, bytes read); it is printed as a rate against the
// previous run's total (see Rates). A total lower than the previous one
// means the source restarted: the counter is skipped for this run.
func (b *Batch) Counter(name string, total uint64) {
	if b.check(name, true) {
		b.counters[name] = counter{value: total}
	}
}

// ScaledCounter is Counter for a total kept in a unit other than the
// graph's: its rate is multiplied by scale. A total of CPU microseconds
// drawn as seconds per minute takes scale 1e-6; JVM clock ticks drawn as
// a percentage of the minute take 100/ticksPerSecond/60. The total itself
// stays an exact integer, so no precision is lost between runs. The
// formats that print running totals (prometheus, json) print the total as
// recorded: for one in a finer unit than the graph's, use ConvertedCounter.
// A scale
// that is not a positive finite number is a bug in the plugin.
func (b *Batch) ScaledCounter(name string, total uint64, scale float64) {
	if !(scale > 0 && scale <= math.MaxFloat64) {
		b.fail(fmt.Errorf("counter %q: scale %v is not a positive finite number", name, scale))
		return
	}
	if b.check(name, true) {
		b.counters[name] = counter{value: total, scale: scale}
	}
}

// ConvertedCounter is ScaledCounter for a total kept in a finer unit
// than the graph's: unit converts the total to the graph's unit (CPU
// microseconds to seconds: 1e-6; JVM clock ticks to seconds:
// 1/ticksPerSecond), and the formats that print running totals
// (prometheus, json) print total×unit, so that a Prometheus rate() of it
// is in the graph's unit per second. The rate is multiplied by scale, as
// with ScaledCounter: the same as unit for a per-minute graph in that
// unit, or unit×100/60 for a percentage of the minute. A scale or unit
// that is not a positive finite number is a bug in the plugin.
func (b *Batch) ConvertedCounter(name string, total uint64, scale, unit float64) {
	for _, f := range []float64{scale, unit} {
		if !(f > 0 && f <= math.MaxFloat64) {
			b.fail(fmt.Errorf("counter %q: scale or unit %v is not a positive finite number", name, f))
			return
		}
	}
	if b.check(name, true) {
		b.counters[name] = counter{value: total, scale: scale, unit: unit}
	}
}

// WrappingCounter is Counter for a counter that wraps around to 0 after
// 2^bits-1, bits being 32 (an SNMP Counter32, a 32-bit kernel counter) or
// 64. A lower total is read as one wrap when that means an increase of
// less than half the counter's range, and as a restart (skipped)
// otherwise: a 64-bit counter that goes from 1000 to 5 restarted, it did
// not grow by 2^64-995.
func (b *Batch) WrappingCounter(name string, total uint64, bits int) {
	switch {
	case bits != 32 && bits != 64:
		b.fail(fmt.Errorf("counter %q: wrap width %d is neither 32 nor 64", name, bits))
	case bits == 32 && total > 1<<32-1:
		b.fail(fmt.Errorf("counter %q: %d does not fit the declared 32 bits", name, total))
	case b.check(name, true):
		b.counters[name] = counter{value: total, wrap: bits}
	}
}

// Together declares counters that restart together, such as the
// counters of one server process. When one of them went down since the
// previous run, the source restarted, and none of them gets a rate this
// run: not even one that, counting again from zero, has already passed
// its old total (its rate would span the restart and be wrong). Names
// not recorded as counters in this run are ignored.
func (b *Batch) Together(names ...string) {
	b.together = append(b.together, names)
}

// Err returns the first invalid use of the batch (a bad name, a name
// used as both gauge and counter), which is a bug in the plugin.
func (b *Batch) Err() error { return b.err }

// HasCounters reports whether the batch holds any counter, and so needs
// the previous run's totals.
func (b *Batch) HasCounters() bool { return len(b.counters) > 0 }

func (b *Batch) check(name string, isCounter bool) bool {
	if err := ValidateName(name); err != nil {
		b.fail(err)
		return false
	}
	_, gauge := b.gauges[name]
	_, ctr := b.counters[name]
	if isCounter && gauge || !isCounter && ctr {
		b.fail(fmt.Errorf("name %q is used for both a gauge and a counter", name))
		return false
	}
	return true
}

func (b *Batch) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// Memory is what a metric plugin keeps between runs: the last sample of
// every counter. The runtime keeps it in the plugin instance's state
// store.
type Memory struct {
	Counters map[string]Sample `json:"counters"`
}

// Sample is a counter's total and when it was read.
type Sample struct {
	Value uint64 `json:"v"` // JSON numbers decode into uint64 exactly
	Time  int64  `json:"t"` // Unix nanoseconds
}

// Rates says how counters become rates. The zero value is the Mackerel
// convention: per minute, stale after 10 minutes.
type Rates struct {
	// Per is the rate's time unit: time.Minute (the default, for zero)
	// or time.Second, say, for a graph in bytes/sec.
	Per time.Duration
	// MaxAge is how old the previous sample may be; an older one gives
	// no rate, as it would average over an outage. Zero means 10
	// minutes.
	MaxAge time.Duration
}

// DefaultMaxAge is the staleness limit when Rates.MaxAge is zero.
const DefaultMaxAge = 10 * time.Minute

// Value is one printable value, its name relative to the prefix.
type Value struct {
	Name  string
	Value float64
}

// Resolve returns the values to print at now: every gauge, and a rate
// for every counter whose previous sample in prev is sound. It also
// returns the memory to keep for the next run, and one note (for
// stderr), in sorted order, for each counter skipped for a reason other
// than being seen for the first time.
//
// A counter gets no rate, and is not printed at all (never as 0, never
// as a spike), when:
//   - prev has no sample of it (the first run, or a new name);
//   - the previous sample is less than a second old (two runs in the
//     same second; the older sample is kept, so the next run measures
//     over a longer interval);
//   - the previous sample is in the future (the clock went back): the
//     run counts as a first run;
//   - the previous sample is older than r.MaxAge;
//   - the total went down (a restart), unless the counter was recorded
//     with WrappingCounter and the decrease reads as a wrap;
//   - another counter declared Together with it went down.
//
// The order of values is unspecified; Write sorts them.
func (b *Batch) Resolve(prev Memory, now time.Time, r Rates) (values []Value, next Memory, notes []string) {
	if r.Per <= 0 {
		r.Per = time.Minute
	}
	if r.MaxAge <= 0 {
		r.MaxAge = DefaultMaxAge
	}
	values = make([]Value, 0, len(b.gauges)+len(b.counters))
	for name, v := range b.gauges {
		values = append(values, Value{name, v})
	}
	next.Counters = make(map[string]Sample, len(b.counters))
	rates := make(map[string]float64, len(b.counters))
	restarted := map[string]bool{}
	for name, c := range b.counters {
		cur := Sample{Value: c.value, Time: now.UnixNano()}
		next.Counters[name] = cur
		old, ok := prev.Counters[name]
		if !ok {
			continue
		}
		elapsed := time.Duration(cur.Time - old.Time)
		switch {
		case elapsed < 0:
			notes = append(notes, fmt.Sprintf("%s: the clock went back %s since the previous run; rate skipped", name, -elapsed))
			continue
		case elapsed < time.Second:
			next.Counters[name] = old
			continue
		case elapsed > r.MaxAge:
			notes = append(notes, fmt.Sprintf("%s: the previous value is %s old (limit %s); rate skipped", name, elapsed.Round(time.Second), r.MaxAge))
			continue
		}
		delta, ok := increase(old.Value, c.value, c.wrap)
		if !ok {
			notes = append(notes, fmt.Sprintf("%s: counter went down from %d to %d (a restart); rate skipped", name, old.Value, c.value))
			restarted[name] = true
			continue
		}
		rates[name] = float64(delta) * float64(r.Per) / float64(elapsed)
		if c.scale != 0 {
			rates[name] *= c.scale
		}
	}
	for _, group := range b.together {
		if down := firstIn(group, restarted); down != "" {
			for _, name := range group {
				if _, ok := rates[name]; ok {
					delete(rates, name)
					notes = append(notes, fmt.Sprintf("%s: restarted together with %s; rate skipped", name, down))
				}
			}
		}
	}
	for name, v := range rates {
		values = append(values, Value{name, v})
	}
	slices.Sort(notes)
	return values, next, notes
}

// firstIn returns the first of names that is in set, or "".
func firstIn(names []string, set map[string]bool) string {
	for _, n := range names {
		if set[n] {
			return n
		}
	}
	return ""
}

// increase returns how much a counter grew from old to cur, and false
// when it went down and that is not a wrap (see WrappingCounter).
func increase(old, cur uint64, wrap int) (uint64, bool) {
	if cur >= old {
		return cur - old, true
	}
	if wrap == 0 {
		return 0, false
	}
	size := uint64(1) << (wrap - 1) // half the range; 2^(bits-1) fits in a uint64 for both widths
	mask := size<<1 - 1             // 2^bits - 1; for 64 bits, 2^64-1 by unsigned wrap-around
	delta := (cur - old) & mask     // cur + 2^bits - old, modulo 2^bits
	return delta, delta < size
}
