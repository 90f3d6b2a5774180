// Command metrics-file-size is the smallest real metric plugin written
// with teko: for every file matching a glob it reports the size (a
// gauge) and how fast the file grows (a counter, printed as a rate), so
// that a log that suddenly fills up shows on a graph.
//
//	metrics-file-size -f '/var/log/app/*.log'
//
// prints, from the second run on (the first has no previous size to
// compare with, so it prints sizes only),
//
//	filesize.growth.app_log	2048	1795862400
//	filesize.size.app_log	1048576	1795862400
//
// Each file is one segment of the name: its base name through
// metrics.Segment, matched by the wildcard "#" in the graph definitions.
// --per-second reports growth in bytes/sec instead of bytes per minute;
// --metric-key-prefix lets two instances (two globs) run side by side.
// A file that shrank (rotated, truncated) has no growth value for one
// run, rather than a negative or a zero one.
//
// In mackerel-agent.conf:
//
//	[plugin.metrics.app-logs]
//	command = [ "metrics-file-size", "-f", "/var/log/app/*.log" ]
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
)

type options struct {
	Files     string `short:"f" long:"files" required:"true" value-name:"GLOB" description:"files to measure (a glob)"`
	PerSecond bool   `long:"per-second" statekey:"-" description:"report growth in bytes/sec instead of bytes per minute"`
}

func (o *options) Prefix() string { return "filesize" }

func (o *options) Graphs() metrics.Graphs {
	growth := metrics.Graph{Label: "File growth per minute", Unit: metrics.Bytes}
	if o.PerSecond {
		growth = metrics.Graph{Label: "File growth", Unit: metrics.BytesPerSec}
	}
	growth.Metrics = []metrics.Metric{{Name: "#", Label: "growth"}}
	return metrics.Graphs{
		"size":   {Label: "File size", Unit: metrics.Bytes, Metrics: []metrics.Metric{{Name: "#", Label: "size"}}},
		"growth": growth,
	}
}

// Rates makes --per-second work: the runtime asks every Collector that
// has this method how to turn its counters into rates.
func (o *options) Rates() metrics.Rates {
	if o.PerSecond {
		return metrics.Rates{Per: time.Second}
	}
	return metrics.Rates{} // per minute
}

func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	paths, err := filepath.Glob(o.Files)
	if err != nil {
		return fmt.Errorf("--files %q: %w", o.Files, err)
	}
	if len(paths) == 0 {
		return fmt.Errorf("no file matches %q", o.Files)
	}
	seen := map[string]string{} // name segment → the path it was taken from
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue // vanished since the glob, or not a file: nothing to measure
		}
		name := metrics.Segment(filepath.Base(p))
		if first, dup := seen[name]; dup {
			inv.Warnf("%s and %s are both named %s; only the first is measured", first, p, name)
			continue
		}
		seen[name] = p
		b.Gauge("size."+name, float64(fi.Size()))
		b.Counter("growth."+name, uint64(fi.Size()))
	}
	return nil
}

var fileSize = &plugin.Plugin{
	Name:        "metrics-file-size",
	Description: "size and growth rate of files",
	New:         func() any { return &options{} },
}

func main() { plugin.Main(fileSize) }
