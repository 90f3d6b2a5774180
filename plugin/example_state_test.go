package plugin_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
)

// queueOptions is a metric plugin that remembers something of its own —
// the deepest queue it has seen — beside the counter the runtime turns
// into a rate.
type queueOptions struct {
	Depth     float64 `long:"depth" statekey:"-" description:"the queue's depth now"`
	Processed uint64  `long:"processed" statekey:"-" description:"items processed so far"`
}

func (o *queueOptions) Prefix() string { return "queue" }
func (o *queueOptions) Graphs() metrics.Graphs {
	return metrics.Graphs{
		"depth": {Label: "Queue depth", Unit: metrics.Integer, Metrics: []metrics.Metric{{Name: "now", Label: "Now"}, {Name: "max", Label: "Deepest"}}},
		"items": {Label: "Queue items", Unit: metrics.Float, Metrics: []metrics.Metric{{Name: "processed", Label: "Processed per minute"}}},
	}
}

// peak is what the plugin keeps in its own part of the state file.
type peak struct{ Max float64 }

func (o *queueOptions) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	st, err := inv.State() // the plugin's own state; the counter's totals are kept apart
	if err != nil {
		return err
	}
	var p peak
	if _, err := st.Load(&p); err != nil {
		return err
	}
	p.Max = max(p.Max, o.Depth)
	b.Gauge("depth.now", o.Depth)
	b.Gauge("depth.max", p.Max)
	b.Counter("items.processed", o.Processed)
	return st.Save(p) // written after the values, together with the counter's totals
}

// In a metric plugin, Invocation.State is the plugin's own state: saved
// together with the totals the runtime keeps for counters, and never
// mistaken for them.
func ExampleInvocation_State() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	queue := &plugin.Plugin{Name: "metrics-queue", Description: "a queue", New: func() any { return &queueOptions{} }}
	now := time.Unix(1800000000, 0)
	run := func(args ...string) {
		queue.Run(context.Background(), plugin.Env{
			Args: args, Stdout: os.Stdout, Stderr: os.Stdout,
			Getenv: func(k string) string {
				if k == "MACKEREL_PLUGIN_WORKDIR" {
					return dir
				}
				return ""
			},
			Now: func() time.Time { return now },
		})
		fmt.Println("--")
		now = now.Add(time.Minute)
	}
	run("--depth", "7", "--processed", "100")
	run("--depth", "3", "--processed", "160")
	run("--depth", "5", "--processed", "250")
	// Output:
	// queue.depth.max	7	1800000000
	// queue.depth.now	7	1800000000
	// --
	// queue.depth.max	7	1800000060
	// queue.depth.now	3	1800000060
	// queue.items.processed	60	1800000060
	// --
	// queue.depth.max	7	1800000120
	// queue.depth.now	5	1800000120
	// queue.items.processed	90	1800000120
	// --
}
