// Package metricsdocker is metrics-docker: CPU, memory and block I/O of
// every running Docker container, read from the Docker Engine API over
// its unix socket (or TCP), a drop-in for mackerel-plugin-docker with its
// flags, graph keys, labels and container names — on cgroup v1 and v2
// hosts alike, and without one container that stops mid-run ending the
// whole run.
package metricsdocker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
)

// Plugin is metrics-docker. Its flags are mackerel-plugin-docker's, in
// either spelling (-name-format=name or --name-format name), plus
// --include/--exclude, --state-dir and the runtime's --metric-key-prefix.
var Plugin = &plugin.Plugin{
	Name:           "metrics-docker",
	Description:    "CPU, memory and block I/O of each running Docker container, from the Docker Engine API",
	SingleDashLong: true,
	Aliases:        []string{"mackerel-plugin-docker"},
	New:            func() any { return &options{} },
}

type options struct {
	Host       string   `long:"host" value-name:"URL" default:"unix:///var/run/docker.sock" description:"the Docker engine: unix:///PATH for its socket, or tcp://HOST:PORT"`
	NameFormat string   `long:"name-format" value-name:"FORMAT" default:"name_id" description:"what names a container in metric names: name, name_id, id, image, image_id, image_name or label"`
	Label      string   `long:"label" value-name:"KEY" description:"with -name-format label: the label whose value names the container"`
	CPUFormat  string   `long:"cpu-format" value-name:"FORMAT" default:"percentage" description:"CPU metrics as percentage (of one CPU, as docker stats shows) or usage (CPU time per minute)"`
	Include    []string `long:"include" value-name:"GLOB" description:"only containers whose name matches this pattern (path.Match syntax); repeatable"`
	Exclude    []string `long:"exclude" value-name:"GLOB" description:"leave out containers whose name matches this pattern; repeatable"`
	Tempfile   string   `long:"tempfile" value-name:"FILE" statekey:"-" description:"mackerel-plugin-docker compatibility: the same as --state-dir with FILE's directory"`
	Command    string   `long:"command" value-name:"PATH" default:"docker" statekey:"-" description:"ignored (deprecated in the original too); accepted so that old configurations keep working"`
	Method     string   `long:"method" value-name:"API" statekey:"-" description:"deprecated: API, or empty, is the only method (File is no longer supported)"`

	engine *engine
}

func (o *options) Prefix() string { return "docker" }

// Graphs are mackerel-plugin-docker's, key for key and label for label.
// Both CPU graphs are declared whatever -cpu-format says, as the original
// does.
func (o *options) Graphs() metrics.Graphs {
	four := func() []metrics.Metric {
		return []metrics.Metric{
			{Name: "read", Label: "Read", Stacked: true},
			{Name: "write", Label: "Write", Stacked: true},
			{Name: "sync", Label: "Sync", Stacked: true},
			{Name: "async", Label: "Async", Stacked: true},
		}
	}
	return metrics.Graphs{
		"cpuacct.#": {Label: "Docker CPU", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "user", Label: "User", Stacked: true},
			{Name: "system", Label: "System", Stacked: true},
		}},
		"cpuacct_percentage.#": {Label: "Docker CPU Percentage", Unit: metrics.Percentage, Metrics: []metrics.Metric{
			{Name: "user", Label: "User", Stacked: true},
			{Name: "system", Label: "System", Stacked: true},
		}},
		"memory.#": {Label: "Docker Memory", Unit: metrics.Bytes, Metrics: []metrics.Metric{
			{Name: "cache", Label: "Cache", Stacked: true},
			{Name: "rss", Label: "RSS", Stacked: true},
		}},
		"blkio.io_queued.#":        {Label: "Docker BlkIO Queued", Unit: metrics.Integer, Metrics: four()},
		"blkio.io_serviced.#":      {Label: "Docker BlkIO IOPS", Unit: metrics.IOPS, Metrics: four()},
		"blkio.io_service_bytes.#": {Label: "Docker BlkIO Bytes", Unit: metrics.Bytes, Metrics: four()},
	}
}

// Validate checks the flags as the original does, with the reason.
func (o *options) Validate() error {
	if !slices.Contains(nameFormats, o.NameFormat) {
		return fmt.Errorf("-name-format %q: want one of %s", o.NameFormat, strings.Join(nameFormats, ", "))
	}
	if o.NameFormat == "label" && o.Label == "" {
		return errors.New("-name-format label needs -label KEY: the label whose value names each container")
	}
	switch o.CPUFormat {
	case "":
		o.CPUFormat = "percentage" // the original's default value, which configurations may spell out
	case "percentage", "usage":
	default:
		return fmt.Errorf("-cpu-format %q: want percentage or usage", o.CPUFormat)
	}
	switch o.Method {
	case "", "API":
	case "File":
		return errors.New("-method File is no longer supported (nor in the original); leave -method out to read the Docker Engine API")
	default:
		return fmt.Errorf("-method %q: want API, or leave it out", o.Method)
	}
	if err := checkPatterns("--include", o.Include); err != nil {
		return err
	}
	if err := checkPatterns("--exclude", o.Exclude); err != nil {
		return err
	}
	e, err := newEngine(o.Host)
	if err != nil {
		return err
	}
	o.engine = e
	return nil
}

// maxParallel bounds the stats requests in flight. The engine answers
// every waiting stats request at its next sampling tick (about a
// second), so the run costs a tick per batch of maxParallel containers:
// it must be large enough that a busy host (a Kubernetes node: 200
// containers and more) is read in one or two ticks, well within -t. The
// original sends them all at once; this only caps the sockets open.
const maxParallel = 256

// target is one container to report.
type target struct {
	c     container
	name  string // its metric name segment
	stats *stats
	err   error
}

// Collect lists the running containers, reads each one's stats
// concurrently and records its values. A container that stops or is
// removed in between is left out with a note on stderr; so is one whose
// stats cannot be read, unless none can, which fails the run.
func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	cs, err := o.engine.list(ctx)
	if err != nil {
		return err
	}
	targets := o.targets(inv, cs)

	var wg sync.WaitGroup
	sem := make(chan struct{}, maxParallel)
	for i := range targets {
		wg.Add(1)
		go func(t *target) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				t.err = context.Cause(ctx)
				return
			}
			defer func() { <-sem }()
			t.stats, t.err = o.engine.stats(ctx, t.c.ID)
		}(&targets[i])
	}
	wg.Wait()

	var got []*target
	var failed []error
	var unread []string // IDs of running containers not read this run
	for i := range targets {
		t := &targets[i]
		switch {
		case errors.Is(t.err, errGone):
			inv.Warnf("container %s (%s) is no longer running; left out", t.c.name(), shortID(t.c.ID))
		case t.err != nil:
			failed = append(failed, t.err)
			unread = append(unread, t.c.ID)
			inv.Warnf("container %s (%s) left out: %v", t.c.name(), shortID(t.c.ID), t.err)
		default:
			got = append(got, t)
		}
	}
	if len(got) == 0 && len(failed) > 0 {
		return fmt.Errorf("no container's stats could be read: %w", failed[0])
	}
	o.record(inv, b, got, unread)
	return nil
}

// targets filters the listed containers and names them. Two containers
// that would get the same name (-name-format image, a shared label)
// would mix their numbers in one graph: the oldest keeps the name and the
// others are left out with a note.
func (o *options) targets(inv *plugin.Invocation, cs []container) []target {
	slices.SortFunc(cs, func(a, b container) int {
		if a.Created != b.Created {
			return int(min(max(a.Created-b.Created, -1), 1))
		}
		return strings.Compare(a.ID, b.ID)
	})
	var out []target
	owner := map[string]container{}
	for _, c := range cs {
		if !o.wanted(c) {
			continue
		}
		name, err := o.metricName(c)
		if err != nil {
			inv.Warnf("container %s (%s) left out: %v", c.name(), shortID(c.ID), err)
			continue
		}
		if first, dup := owner[name]; dup {
			inv.Warnf("container %s (%s) left out: its name %q under -name-format %s is %s's already", c.name(), shortID(c.ID), name, o.NameFormat, first.name())
			continue
		}
		owner[name] = c
		out = append(out, target{c: c, name: name})
	}
	return out
}
