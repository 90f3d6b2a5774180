package metrics_test

import (
	"fmt"
	"os"
	"time"

	"github.com/teko-dev/teko/metrics"
)

// A CPU time kept in microseconds (exact, as an integer) drawn as CPU
// seconds per minute.
func ExampleBatch_ScaledCounter() {
	t0 := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	b := metrics.NewBatch()
	b.ScaledCounter("rusage.user", 12_000_000, 1e-6) // 12 s of CPU so far
	_, memory, _ := b.Resolve(metrics.Memory{}, t0, metrics.Rates{})

	b = metrics.NewBatch()
	b.ScaledCounter("rusage.user", 12_450_000, 1e-6) // 0.45 s more, a minute later
	values, _, _ := b.Resolve(memory, t0.Add(time.Minute), metrics.Rates{})
	fmt.Printf("%s %.3f\n", values[0].Name, values[0].Value)
	// Output: rusage.user 0.450
}

// JVM clock ticks (exact, as an integer) drawn as GC seconds per minute,
// and printed by --format prometheus as a running total in seconds.
func ExampleBatch_ConvertedCounter() {
	const ticksPerSecond = 1e9
	t0 := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	b := metrics.NewBatch()
	b.ConvertedCounter("gc.time", 2_500_000_000, 1/ticksPerSecond, 1/ticksPerSecond) // 2.5 s so far
	_, memory, _ := b.Resolve(metrics.Memory{}, t0, metrics.Rates{})

	b = metrics.NewBatch()
	b.ConvertedCounter("gc.time", 2_800_000_000, 1/ticksPerSecond, 1/ticksPerSecond) // 0.3 s more, a minute later
	values, _, _ := b.Resolve(memory, t0.Add(time.Minute), metrics.Rates{})
	fmt.Printf("%s %.3f\n", values[0].Name, values[0].Value)
	metrics.FormatPrometheus.Write(os.Stdout, metrics.Output{Prefix: "jvm", Batch: b, Now: t0})
	// Output:
	// gc.time 0.300
	// # HELP jvm_gc_time_total teko metric jvm.gc.time (jvm.gc.time, running total)
	// # TYPE jvm_gc_time_total counter
	// jvm_gc_time_total 2.8
}
