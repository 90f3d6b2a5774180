// Command metrics-file-size is the smallest real metric plugin written
// with teko: for every file matching a glob it reports the size (a gauge)
// and how fast it grows (a counter turned into bytes per minute), so a log
// that suddenly fills up shows on a graph.
//
//	metrics-file-size -f '/var/log/app/*.log'
//
// prints, from the second run on,
//
//	filesize.bytes.app_log	1048576	1795862400
//	filesize.growth.app_log	2048	1795862400
//
// A file that shrank (rotated, truncated) has no growth value for one run,
// rather than a negative or a zero one.
package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
)

type options struct {
	Files string `short:"f" long:"files" required:"true" value-name:"GLOB" description:"files to measure (a glob)"`
}

func (o *options) Prefix() string { return "filesize" }

func (o *options) Graphs() metrics.Graphs {
	return metrics.Graphs{
		"bytes":  {Label: "File size", Unit: metrics.Bytes, Metrics: []metrics.Metric{{Name: "#", Label: "size"}}},
		"growth": {Label: "File growth per minute", Unit: metrics.Bytes, Metrics: []metrics.Metric{{Name: "#", Label: "growth"}}},
	}
}

func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	paths, err := filepath.Glob(o.Files)
	if err != nil {
		return err
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue // vanished or not a file: nothing to measure
		}
		name := metrics.Segment(filepath.Base(p))
		b.Gauge("bytes."+name, float64(fi.Size()))
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
