package plugin_test

import (
	"context"
	"os"
	"strings"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
)

// queueMetrics labels its graph after the metric key prefix, as
// mackerel-plugin-postgres does ("Postgres Connections").
type queueMetrics struct{}

func (queueMetrics) Prefix() string         { return "queue" }
func (queueMetrics) Graphs() metrics.Graphs { return queueMetrics{}.GraphsFor("queue") }
func (queueMetrics) GraphsFor(prefix string) metrics.Graphs {
	label := strings.ToUpper(prefix[:1]) + prefix[1:] + " Length"
	return metrics.Graphs{"length": {Label: label, Unit: metrics.Integer, Metrics: []metrics.Metric{{Name: "jobs", Label: "Jobs"}}}}
}
func (queueMetrics) Collect(_ context.Context, _ *plugin.Invocation, b *metrics.Batch) error {
	b.Gauge("length.jobs", 3)
	return nil
}

// A metric plugin whose graph labels come from the metric key prefix
// implements PrefixGrapher: with --metric-key-prefix, two instances'
// graphs are told apart by their labels too.
func ExamplePrefixGrapher() {
	p := &plugin.Plugin{Name: "metrics-queue", New: func() any { return &queueMetrics{} }}
	meta := func(string) string { return "1" } // MACKEREL_AGENT_PLUGIN_META=1
	p.Run(context.Background(), plugin.Env{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: meta})
	p.Run(context.Background(), plugin.Env{Args: []string{"--metric-key-prefix", "mail"}, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: meta})
	// Output:
	// # mackerel-agent-plugin
	// {"graphs":{"queue.length":{"label":"Queue Length","unit":"integer","metrics":[{"name":"jobs","label":"Jobs","stacked":false}]}}}
	// # mackerel-agent-plugin
	// {"graphs":{"mail.length":{"label":"Mail Length","unit":"integer","metrics":[{"name":"jobs","label":"Jobs","stacked":false}]}}}
}
