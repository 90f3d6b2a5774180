package metrics

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBatchRejectsMisuse(t *testing.T) {
	for want, fill := range map[string]func(b *Batch){
		`name "a b": character ' ' is not allowed`:             func(b *Batch) { b.Gauge("a b", 1) },
		`name "x." has an empty segment`:                       func(b *Batch) { b.Counter("x.", 1) },
		`name "disk.#": character '#' is not allowed`:          func(b *Batch) { b.Gauge("disk.#", 1) },
		`name "x" is used for both a gauge and a counter`:      func(b *Batch) { b.Gauge("x", 1); b.Counter("x", 1) },
		`name "y" is used for both a gauge and a counter`:      func(b *Batch) { b.WrappingCounter("y", 1, 64); b.Gauge("y", 1) },
		`counter "z": wrap width 16 is neither 32 nor 64`:      func(b *Batch) { b.WrappingCounter("z", 1, 16) },
		`counter "z": 4294967296 does not fit the declared 32`: func(b *Batch) { b.WrappingCounter("z", 1<<32, 32) },
		`name "a b"`: func(b *Batch) { b.Gauge("a b", 1); b.Gauge("c d", 1) }, // the first mistake
	} {
		b := NewBatch()
		fill(b)
		assert.ErrorContains(t, b.Err(), want)
	}
}

func TestBatchReplacesARepeatedName(t *testing.T) {
	b := NewBatch()
	b.Gauge("g", 1)
	b.Gauge("g", 2)
	b.Counter("c", 10)
	b.Counter("c", 20)
	assert.NoError(t, b.Err())
	values, next, _ := b.Resolve(Memory{}, epoch, Rates{})
	assert.Equal(t, []Value{{"g", 2}}, values)
	assert.Equal(t, uint64(20), next.Counters["c"].Value)
}

func TestIncrease(t *testing.T) {
	const max32, max64 = math.MaxUint32, math.MaxUint64
	for _, tt := range []struct {
		old, cur uint64
		wrap     int
		delta    uint64
		ok       bool
	}{
		{100, 160, 0, 60, true},
		{100, 100, 0, 0, true},
		{100, 99, 0, 0, false},
		{max64 - 5, 4, 0, 0, false},
		{max32 - 5, 4, 32, 10, true},
		{max32, 0, 32, 1, true},
		{1 << 31, 0, 32, 1 << 31, false}, // exactly half the range: a restart
		{1<<31 + 1, 0, 32, 1<<31 - 1, true},
		{1000, 5, 32, 0, false},
		{max64 - 5, 4, 64, 10, true},
		{max64, 0, 64, 1, true},
		{1000, 5, 64, 0, false},
		{5, 1000, 64, 995, true},
	} {
		delta, ok := increase(tt.old, tt.cur, tt.wrap)
		assert.Equal(t, tt.ok, ok, "%d → %d, wrap %d", tt.old, tt.cur, tt.wrap)
		if ok {
			assert.Equal(t, tt.delta, delta, "%d → %d, wrap %d", tt.old, tt.cur, tt.wrap)
		}
	}
}

func TestResolveRates(t *testing.T) {
	b := NewBatch()
	b.Counter("c", 1<<63+615)
	prev := Memory{Counters: map[string]Sample{"c": {Value: 1 << 63, Time: epoch.Add(-30 * time.Second).UnixNano()}}}

	values, next, notes := b.Resolve(prev, epoch, Rates{})
	assert.Equal(t, []Value{{"c", 1230}}, values, "615 in 30s, per minute, counted in uint64")
	assert.Empty(t, notes)
	assert.Equal(t, Sample{Value: 1<<63 + 615, Time: epoch.UnixNano()}, next.Counters["c"])

	values, _, _ = b.Resolve(prev, epoch, Rates{Per: time.Second})
	assert.Equal(t, []Value{{"c", 20.5}}, values)

	values, _, notes = b.Resolve(prev, epoch, Rates{MaxAge: 29 * time.Second})
	assert.Empty(t, values)
	assert.Equal(t, []string{"c: the previous value is 30s old (limit 29s); rate skipped"}, notes)
}

func TestCountersThatRestartTogether(t *testing.T) {
	minuteAgo := epoch.Add(-time.Minute).UnixNano()
	// nginx restarted a minute ago and has already accepted more
	// connections than before, but served fewer requests.
	prev := Memory{Counters: map[string]Sample{
		"accepts": {Value: 5, Time: minuteAgo}, "requests": {Value: 900, Time: minuteAgo}, "other": {Value: 1, Time: minuteAgo},
	}}
	record := func() *Batch {
		b := NewBatch()
		b.Counter("accepts", 40)
		b.Counter("requests", 70)
		b.Counter("other", 3)
		return b
	}

	values, _, notes := record().Resolve(prev, epoch, Rates{})
	assert.ElementsMatch(t, []Value{{"accepts", 35}, {"other", 2}}, values, "alone, accepts looks like it grew")
	assert.Len(t, notes, 1)

	b := record()
	b.Together("accepts", "requests", "not-recorded")
	values, next, notes := b.Resolve(prev, epoch, Rates{})
	assert.Equal(t, []Value{{"other", 2}}, values, "together, the restart is seen for both")
	assert.Equal(t, []string{
		"accepts: restarted together with requests; rate skipped",
		"requests: counter went down from 900 to 70 (a restart); rate skipped",
	}, notes)
	assert.Equal(t, uint64(40), next.Counters["accepts"].Value, "the next run measures from now")

	prev = next
	b = record()
	b.Together("accepts", "requests")
	values, _, notes = b.Resolve(prev, epoch.Add(time.Minute), Rates{})
	assert.ElementsMatch(t, []Value{{"accepts", 0}, {"requests", 0}, {"other", 0}}, values)
	assert.Empty(t, notes)
}

func TestResolveForgetsCountersNoLongerRecorded(t *testing.T) {
	prev := Memory{Counters: map[string]Sample{"gone": {Value: 1, Time: epoch.Add(-time.Minute).UnixNano()}}}
	_, next, _ := NewBatch().Resolve(prev, epoch, Rates{})
	assert.Empty(t, next.Counters, "a removed disk or file does not stay in the state forever")
}

func benchBatch(gauges, counters int) (*Batch, Memory) {
	b := NewBatch()
	prev := Memory{Counters: map[string]Sample{}}
	for _, v := range benchValues(gauges) {
		b.Gauge(v.Name, v.Value)
	}
	for i, v := range benchValues(counters) {
		name := "net." + v.Name
		b.Counter(name, uint64(i)*1000+500)
		prev.Counters[name] = Sample{Value: uint64(i) * 1000, Time: epoch.Add(-time.Minute).UnixNano()}
	}
	return b, prev
}

// BenchmarkResolve turns 5,000 gauges and 5,000 counters into values.
func BenchmarkResolve(b *testing.B) {
	batch, prev := benchBatch(5000, 5000)
	b.ReportAllocs()
	for b.Loop() {
		batch.Resolve(prev, epoch, Rates{})
	}
}

func TestScaledCounter(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	b := NewBatch()
	b.ScaledCounter("cpu.user", 1_000_000, 1e-6)
	_, mem, _ := b.Resolve(Memory{}, t0, Rates{})
	b = NewBatch()
	b.ScaledCounter("cpu.user", 4_000_000, 1e-6) // 3 CPU seconds in 30 s: 6 per minute
	values, _, notes := b.Resolve(mem, t0.Add(30*time.Second), Rates{})
	if len(values) != 1 || values[0].Value != 6 || len(notes) != 0 {
		t.Fatalf("got %v %v, want cpu.user 6", values, notes)
	}
	for _, bad := range []float64{0, -1, math.Inf(1), math.NaN()} {
		b := NewBatch()
		b.ScaledCounter("x", 1, bad)
		if b.Err() == nil {
			t.Errorf("scale %v accepted", bad)
		}
	}
}
