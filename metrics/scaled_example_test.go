package metrics_test

import (
	"fmt"
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
