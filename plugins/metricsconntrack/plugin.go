package metricsconntrack

import (
	"context"
	"errors"
	"fmt"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/procfs"
)

// Plugin is metrics-conntrack. Its flags are mackerel-plugin-conntrack's,
// in either spelling ("-tempfile=x" or "--tempfile x").
var Plugin = &plugin.Plugin{
	Name:           "metrics-conntrack",
	Description:    "entries in use and free in the kernel's connection tracking table",
	SingleDashLong: true,
	Aliases:        []string{"mackerel-plugin-conntrack"},
	New:            func() any { return &options{} },
}

type options struct {
	Tempfile string `long:"tempfile" value-name:"FILE" statekey:"-" description:"mackerel-plugin-conntrack compatibility: accepted, unused (the values need no state)"`
}

func (o *options) Prefix() string { return "conntrack" }

// Graphs is mackerel-plugin-conntrack's one graph.
func (o *options) Graphs() metrics.Graphs {
	return metrics.Graphs{
		"count": {Label: "Conntrack Count", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "*", Label: "%1", Stacked: true},
		}},
	}
}

// Collect reads the table's count and maximum. Without connection
// tracking (the module not loaded) nothing is printed: a 0 would read as
// an empty table.
func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	c, err := procfs.Host(inv.Getenv).Conntrack()
	if errors.Is(err, procfs.ErrNoConntrack) {
		return fmt.Errorf("%v; it loads with the first firewall rule that tracks connections (or: modprobe nf_conntrack). Nothing is reported until then", err)
	}
	if err != nil {
		return err
	}
	free := uint64(0)
	if c.Max > c.Count {
		free = c.Max - c.Count
	}
	b.Gauge("count.used", float64(c.Count))
	b.Gauge("count.free", float64(free))
	return nil
}
