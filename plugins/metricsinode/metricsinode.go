// Package metricsinode is metrics-inode: inode counts of the mounted file
// systems, a drop-in for mackerel-plugin-inode. See README.md.
package metricsinode

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/mounts"
)

// Plugin is metrics-inode.
var Plugin = &plugin.Plugin{
	Name:           "metrics-inode",
	Aliases:        []string{"mackerel-plugin-inode"},
	Description:    "used, free and total inodes of mounted file systems",
	SingleDashLong: true,
	New:            func() any { return &options{} },
}

type options struct {
	AllMounts    bool           `long:"all-mounts" description:"also report file systems whose source is not a /dev device (tmpfs, NFS, ZFS datasets), named after their mount point"`
	MountTimeout plugin.Timeout `long:"mount-timeout" value-name:"DURATION" default:"3s" statekey:"-" description:"how long one file system may take to answer before it is left out as hung (seconds, or a duration such as 500ms)"`
}

// statfs and mountRoot are replaced in tests.
var (
	statfs    func(string) (mounts.Stats, error)
	mountRoot = ""
)

func (o *options) Prefix() string { return "inode" }

// Graphs are mackerel-plugin-inode's, key for key.
func (o *options) Graphs() metrics.Graphs {
	return metrics.Graphs{
		"count.#": {Label: "Inode", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "used", Label: "used"},
			{Name: "free", Label: "free"},
			{Name: "total", Label: "total"},
		}},
		"percentage.#": {Label: "Inode Percentage", Unit: metrics.Percentage, Metrics: []metrics.Metric{
			{Name: "used", Label: "used %"},
		}},
	}
}

func (o *options) Validate() error {
	if o.MountTimeout <= 0 {
		return errors.New("--mount-timeout must be positive")
	}
	return nil
}

// Name returns the metric segment of a mount: the device name after
// "/dev/" as the original names it ("sda1", "mapper_vg-root"), or, for a
// source that is not a device, the mount point ("/dev/shm" → "dev_shm",
// "/" → "root"). ok is false for a mount the original never reported
// (not a device, or a Docker devicemapper volume) unless all is set.
func Name(m mounts.Mount, all bool) (name string, ok bool) {
	if dev, isDev := strings.CutPrefix(m.Source, "/dev/"); isDev && dev != "" {
		if strings.HasPrefix(dev, "mapper/docker-") {
			return "", false
		}
		return clean(dev), true
	}
	if !all {
		return "", false
	}
	p := strings.Trim(m.Point, "/")
	if p == "" {
		return "root", true
	}
	return clean(p), true
}

// clean replaces what the original replaces: anything but ASCII letters,
// digits, '_' and '-'.
func clean(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			b[i] = '_'
		}
	}
	return string(b)
}

// Collect reports each selected file system that has a fixed inode
// count. A mount that hangs or fails is left out with a note on stderr;
// the others are printed.
func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	if !mounts.Supported {
		return errors.New("metrics-inode reads Linux's mount table; it does not run on this system")
	}
	all, err := mounts.Read(mountRoot)
	if err != nil {
		return err
	}
	var sel []mounts.Mount
	var names []string
	seen := map[string]string{} // metric name → mount point
	for _, m := range mounts.Unique(mounts.Filter{}.Apply(mounts.Visible(all))) {
		name, ok := Name(m, o.AllMounts)
		if !ok {
			continue
		}
		if first, dup := seen[name]; dup {
			// A second mount under the same name would overwrite the
			// first one's figures: left out, and said so.
			inv.Warnf("%s is left out: its metric name %s is that of %s", m.Point, name, first)
			continue
		}
		seen[name] = m.Point
		sel = append(sel, m)
		names = append(names, name)
	}
	timeout := time.Duration(o.MountTimeout)
	if dl, ok := ctx.Deadline(); ok {
		if share := time.Until(dl) * 3 / 4; share < timeout {
			timeout = max(share.Round(time.Millisecond), time.Millisecond)
		}
	}
	var failed []string
	for i, u := range mounts.Stat(ctx, sel, mounts.Options{Timeout: timeout, Statfs: statfs}) {
		if u.Err != nil {
			failed = append(failed, u.Err.Error())
			continue
		}
		if !u.HasInodes() {
			continue // btrfs and others: no inode count, not "100% used"
		}
		n := names[i]
		b.Gauge("count."+n+".used", float64(u.InodesUsed()))
		b.Gauge("count."+n+".free", float64(u.FilesFree))
		b.Gauge("count."+n+".total", float64(u.Files))
		b.Gauge("percentage."+n+".used", u.InodesUsedPercent())
	}
	if len(failed) > 0 {
		inv.Warnf("left out: %s", strings.Join(failed, "; "))
	}
	return nil
}
