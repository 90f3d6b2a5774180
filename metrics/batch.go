package metrics

import (
	"fmt"
	"math"
	"time"
)

// Batch collects the values of one run. The zero value is not usable;
// call NewBatch. Names are relative to the plugin's prefix.
type Batch struct {
	gauges   map[string]float64
	counters map[string]counter
	err      error
}

type counter struct {
	value uint64
	wrap  int // 0: a decrease is a reset; 32 or 64: the counter wraps at that width
}

// NewBatch returns an empty batch.
func NewBatch() *Batch {
	return &Batch{gauges: map[string]float64{}, counters: map[string]counter{}}
}

// Gauge records a value printed as it is. The last value given for a
// name wins.
func (b *Batch) Gauge(name string, v float64) {
	if b.check(name) {
		b.gauges[name] = v
	}
}

// Counter records the current total of a monotonic counter; it is printed
// as a rate against the previous run. A value lower than the previous one
// means the source restarted, and the counter is skipped for this run.
func (b *Batch) Counter(name string, v uint64) {
	if b.check(name) {
		b.counters[name] = counter{value: v}
	}
}

// WrappingCounter is Counter for a counter known to wrap around at 32 or
// 64 bits (an SNMP Counter32, say): a lower value is read as a wrap, not a
// restart.
func (b *Batch) WrappingCounter(name string, v uint64, bits int) {
	if bits != 32 && bits != 64 {
		b.fail(fmt.Errorf("counter %q: wrap width %d is neither 32 nor 64", name, bits))
		return
	}
	if b.check(name) {
		b.counters[name] = counter{value: v, wrap: bits}
	}
}

// Err returns the first invalid use of the batch (a bad name), which is a
// bug in the plugin; the runtime reports it instead of printing anything.
func (b *Batch) Err() error { return b.err }

func (b *Batch) check(name string) bool {
	if err := ValidateName(name); err != nil {
		b.fail(err)
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
// every counter.
type Memory struct {
	Counters map[string]Sample `json:"counters"`
}

// Sample is a counter value and when it was read.
type Sample struct {
	Value uint64 `json:"v"`
	Time  int64  `json:"t"` // Unix nanoseconds
}

// Rates says how counters become rates.
type Rates struct {
	Per    time.Duration // the rate's time unit; zero means per minute
	MaxAge time.Duration // a previous sample older than this is stale; zero means 10 minutes
}

// Value is one printable value, its name relative to the prefix.
type Value struct {
	Name  string
	Value float64
}

// Resolve returns the values to print now: every gauge, and every counter
// for which the previous sample in prev gives a sound rate. It also
// returns the memory to keep for the next run, and one note per counter
// skipped for a reason other than a first run.
func (b *Batch) Resolve(prev Memory, now time.Time, r Rates) (values []Value, next Memory, notes []string) {
	if r.Per <= 0 {
		r.Per = time.Minute
	}
	if r.MaxAge <= 0 {
		r.MaxAge = 10 * time.Minute
	}
	for name, v := range b.gauges {
		values = append(values, Value{name, v})
	}
	next.Counters = make(map[string]Sample, len(b.counters))
	for name, c := range b.counters {
		cur := Sample{Value: c.value, Time: now.UnixNano()}
		next.Counters[name] = cur
		old, ok := prev.Counters[name]
		if !ok {
			continue // first sight of this counter
		}
		elapsed := time.Duration(cur.Time - old.Time)
		switch {
		case elapsed < 0:
			notes = append(notes, fmt.Sprintf("%s: the clock went back %s since the previous run; rate skipped", name, -elapsed))
			continue
		case elapsed < time.Second:
			next.Counters[name] = old // keep the older sample: the next run gets a longer interval
			continue
		case elapsed > r.MaxAge:
			notes = append(notes, fmt.Sprintf("%s: previous value is %s old (limit %s); rate skipped", name, elapsed.Round(time.Second), r.MaxAge))
			continue
		}
		delta, ok := increase(old.Value, c.value, c.wrap)
		if !ok {
			notes = append(notes, fmt.Sprintf("%s: counter went down from %d to %d (restart); rate skipped", name, old.Value, c.value))
			continue
		}
		values = append(values, Value{name, float64(delta) * float64(r.Per) / float64(elapsed)})
	}
	return values, next, notes
}

// increase returns how much a counter grew from old to cur.
func increase(old, cur uint64, wrap int) (uint64, bool) {
	switch {
	case cur >= old:
		return cur - old, true
	case wrap == 64:
		return cur - old, true // unsigned arithmetic wraps at 2^64
	case wrap == 32 && old <= math.MaxUint32 && cur <= math.MaxUint32:
		return (math.MaxUint32 - old) + cur + 1, true
	}
	return 0, false
}

// HasCounters reports whether the batch holds any counter, and so needs
// the previous run's values.
func (b *Batch) HasCounters() bool { return len(b.counters) > 0 }
