// Package metricsjvm is the metrics-jvm plugin, a drop-in replacement
// for mackerel-plugin-jvm: the same flags in either spelling, the same
// metric names (jvm.<javaname>.gc_events.YGC, …), graph keys, labels and
// units. Where the original runs jps, four jstat and jinfo on every run
// (seconds of CPU, and blind to a JVM it may not attach to), metrics-jvm
// reads the counters jstat reads from the JVM's performance data file
// /tmp/hsperfdata_<user>/<pid> itself (package plugin/hsperf): one file
// read per run.
//
// A JVM started with -XX:+PerfDisableSharedMem has no such file; the run
// then says so, naming the flag. A JVM that is gone (exited, or killed
// and its file left behind) prints no values and says so.
package metricsjvm

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/hsperf"
)

// Plugin is metrics-jvm.
var Plugin = &plugin.Plugin{
	Name:           "metrics-jvm",
	Description:    "garbage collections and heap, metaspace and permanent space sizes of a local HotSpot JVM, read from its performance data file",
	SingleDashLong: true,
	New:            func() any { return &options{} },
}

type options struct {
	JavaName    string `long:"javaname" value-name:"NAME" description:"the JVM's name as jps shows it (main class or jar file name); with --pidfile, only the first part of graph names and labels (required)"`
	PidFile     string `long:"pidfile" value-name:"FILE" description:"read the JVM's process id from this file instead of looking it up by --javaname"`
	MetricKey   string `long:"metric-key" value-name:"KEY" description:"the graph name segment after jvm. (default: --javaname, lower-cased)"`
	MetricLabel string `long:"metric-label" value-name:"LABEL" statekey:"-" description:"the name in graph labels (default: --javaname)"`
	Remote      string `long:"remote" value-name:"HOST[:PORT]" statekey:"-" description:"mackerel-plugin-jvm's jstatd target: not supported (metrics-jvm reads the local JVM's file); run metrics-jvm on the JVM's host"`
	Host        string `long:"host" value-name:"HOST" statekey:"-" description:"deprecated form of --remote: not supported"`
	Port        int    `long:"port" value-name:"PORT" statekey:"-" description:"deprecated form of --remote: not supported"`
	JstatPath   string `long:"jstatpath" value-name:"PATH" statekey:"-" description:"accepted for compatibility and not used: jstat is not run"`
	JinfoPath   string `long:"jinfopath" value-name:"PATH" statekey:"-" description:"accepted for compatibility and not used: jinfo is not run"`
	JpsPath     string `long:"jpspath" value-name:"PATH" statekey:"-" description:"accepted for compatibility and not used: jps is not run"`
	Tempfile    string `long:"tempfile" value-name:"FILE" statekey:"-" description:"mackerel-plugin-jvm compatibility: the same as --state-dir with FILE's directory"`
}

func (o *options) Prefix() string { return "jvm" }

// key is the graph name segment(s) after the prefix.
func (o *options) key() string {
	k := o.MetricKey
	if k == "" {
		k = o.JavaName
	}
	return strings.ToLower(k)
}

func (o *options) label() string {
	if o.MetricLabel != "" {
		return o.MetricLabel
	}
	return o.JavaName
}

// Validate checks the flags as a whole.
func (o *options) Validate() error {
	switch {
	case o.JavaName == "":
		return errors.New("--javaname is required (with --pidfile it is only the first part of graph names and labels)")
	case o.Remote != "" || o.Host != "" || o.Port != 0:
		return errors.New("--remote, --host and --port (jstatd) are not supported: metrics-jvm reads the JVM's performance data file, so run it on the JVM's host")
	}
	if err := metrics.ValidateName(o.key()); err != nil {
		return fmt.Errorf("the graph name %q (from --metric-key or --javaname) is not a valid metric name (%v): give --metric-key", o.key(), err)
	}
	return nil
}

func jm(name, label string) metrics.Metric { return metrics.Metric{Name: name, Label: label} }

// Graphs are mackerel-plugin-jvm's: keys jvm.<key>.…, labels
// "JVM <label> …", units as the original declares them. Sizes are in
// bytes, as the original's (jstat's KiB ×1024).
func (o *options) Graphs() metrics.Graphs {
	k, l := o.key()+".", "JVM "+o.label()+" "
	return metrics.Graphs{
		k + "gc_events": {Label: l + "GC events", Unit: metrics.Integer, Metrics: []metrics.Metric{
			jm("YGC", "Young GC event"), jm("FGC", "Full GC event"), jm("CGC", "Concurrent GC event")}},
		k + "gc_time": {Label: l + "GC time (sec)", Unit: metrics.Float, Metrics: []metrics.Metric{
			jm("YGCT", "Young GC time"), jm("FGCT", "Full GC time"), jm("CGCT", "Concurrent GC time")}},
		k + "gc_time_percentage": {Label: l + "GC time percentage", Unit: metrics.Percentage, Metrics: []metrics.Metric{
			jm("YGCT", "Young GC time"), jm("FGCT", "Full GC time"), jm("CGCT", "Concurrent GC time")}},
		k + "new_space": {Label: l + "New Space memory", Unit: metrics.Float, Metrics: []metrics.Metric{
			jm("NGCMX", "New max"), jm("NGC", "New current"), jm("EU", "Eden used"), jm("S0U", "Survivor0 used"), jm("S1U", "Survivor1 used")}},
		k + "old_space": {Label: l + "Old Space memory", Unit: metrics.Float, Metrics: []metrics.Metric{
			jm("OGCMX", "Old max"), jm("OGC", "Old current"), jm("OU", "Old used")}},
		k + "perm_space": {Label: l + "Permanent Space", Unit: metrics.Float, Metrics: []metrics.Metric{
			jm("PGCMX", "Perm max"), jm("PGC", "Perm current"), jm("PU", "Perm used")}},
		k + "metaspace": {Label: l + "Metaspace", Unit: metrics.Float, Metrics: []metrics.Metric{
			jm("MCMX", "Metaspace capacity max"), jm("MCMN", "Metaspace capacity min"), jm("MC", "Metaspace capacity"),
			jm("MU", "Metaspace utilization "), jm("CCSC", "Compressed Class Space Capacity"), jm("CCSU", "Compressed Class Space Used")}},
		k + "memorySpace": {Label: l + "MemorySpace", Unit: metrics.Float, Metrics: []metrics.Metric{
			jm("oldSpaceRate", "GC Old Memory Space"), jm("newSpaceRate", "GC New Memory Space"),
			jm("CMSInitiatingOccupancyFraction", "CMS Initiating Occupancy Fraction")}},
	}
}

// sizes maps each size metric to its performance counter (bytes), as the
// JDK's jstat_options defines jstat's columns.
var sizes = []struct{ graph, name, counter string }{
	{"new_space", "NGCMX", "sun.gc.generation.0.maxCapacity"},
	{"new_space", "NGC", "sun.gc.generation.0.capacity"},
	{"new_space", "EU", "sun.gc.generation.0.space.0.used"},
	{"new_space", "S0U", "sun.gc.generation.0.space.1.used"},
	{"new_space", "S1U", "sun.gc.generation.0.space.2.used"},
	{"old_space", "OGCMX", "sun.gc.generation.1.maxCapacity"},
	{"old_space", "OGC", "sun.gc.generation.1.capacity"},
	{"old_space", "OU", "sun.gc.generation.1.space.0.used"},
	{"metaspace", "MCMX", "sun.gc.metaspace.maxCapacity"},
	{"metaspace", "MCMN", "sun.gc.metaspace.minCapacity"},
	{"metaspace", "MC", "sun.gc.metaspace.capacity"},
	{"metaspace", "MU", "sun.gc.metaspace.used"},
	{"metaspace", "CCSC", "sun.gc.compressedclassspace.capacity"},
	{"metaspace", "CCSU", "sun.gc.compressedclassspace.used"},
}

// permSizes are Java 7's permanent generation (generation 2, "perm").
var permSizes = []struct{ name, counter string }{
	{"PGCMX", "sun.gc.generation.2.maxCapacity"},
	{"PGC", "sun.gc.generation.2.capacity"},
	{"PU", "sun.gc.generation.2.space.0.used"},
}

// collectors are jstat's GC columns: collector 0 is young, 1 full (old),
// 2 concurrent (G1's and ZGC's cycles, JDK 11 and later).
var collectors = []struct{ events, time string }{{"YGC", "YGCT"}, {"FGC", "FGCT"}, {"CGC", "CGCT"}}

// Collect finds the JVM and records its counters.
func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	d, err := o.find()
	if err != nil {
		return err
	}
	return record(d, o.key(), b)
}

func record(d *hsperf.Data, key string, b *metrics.Batch) error {
	k := key + "."
	freq, ok := d.Int("sun.os.hrt.frequency")
	if !ok || freq <= 0 {
		return errors.New("the performance data has no sun.os.hrt.frequency; not a HotSpot JVM?")
	}
	var together []string
	for i, c := range collectors {
		prefix := fmt.Sprintf("sun.gc.collector.%d.", i)
		if n, ok := d.Int(prefix + "invocations"); ok && n >= 0 {
			b.Counter(k+"gc_events."+c.events, uint64(n))
			together = append(together, k+"gc_events."+c.events)
		}
		if t, ok := d.Int(prefix + "time"); ok && t >= 0 {
			b.ConvertedCounter(k+"gc_time."+c.time, uint64(t), 1/float64(freq), 1/float64(freq))                 // seconds per minute; totals in seconds
			b.ConvertedCounter(k+"gc_time_percentage."+c.time, uint64(t), 100/float64(freq)/60, 1/float64(freq)) // share of the minute; totals in seconds
			together = append(together, k+"gc_time."+c.time, k+"gc_time_percentage."+c.time)
		}
	}
	b.Together(together...) // one JVM: a restart resets them all
	for _, s := range sizes {
		if v, ok := d.Int(s.counter); ok {
			b.Gauge(k+s.graph+"."+s.name, float64(v))
		}
	}
	if name, _ := d.String("sun.gc.generation.2.name"); name == "perm" {
		for _, s := range permSizes {
			if v, ok := d.Int(s.counter); ok {
				b.Gauge(k+"perm_space."+s.name, float64(v))
			}
		}
	}
	// jstat -gc's OU/OC and (S0U+S1U+EU)/(S0C+S1C+EC), in percent.
	ou, ok1 := d.Int("sun.gc.generation.1.space.0.used")
	oc, ok2 := d.Int("sun.gc.generation.1.space.0.capacity")
	if ok1 && ok2 && oc > 0 {
		b.Gauge(k+"memorySpace.oldSpaceRate", 100*float64(ou)/float64(oc))
	}
	var used, capacity int64
	complete := true
	for i := 0; i < 3; i++ {
		u, ok1 := d.Int(fmt.Sprintf("sun.gc.generation.0.space.%d.used", i))
		c, ok2 := d.Int(fmt.Sprintf("sun.gc.generation.0.space.%d.capacity", i))
		complete = complete && ok1 && ok2
		used, capacity = used+u, capacity+c
	}
	if complete && capacity > 0 {
		b.Gauge(k+"memorySpace.newSpaceRate", 100*float64(used)/float64(capacity))
	}
	if f, ok := cmsFraction(d); ok {
		b.Gauge(k+"memorySpace.CMSInitiatingOccupancyFraction", f)
	}
	return nil
}

// cmsFraction returns -XX:CMSInitiatingOccupancyFraction of a JVM that
// runs the CMS collector (Java 13 and older) and was given the flag; the
// original asked jinfo. Without the flag there is no value to show (the
// JVM computes one it does not publish).
func cmsFraction(d *hsperf.Data) (float64, bool) {
	flags, _ := d.String("sun.rt.vmFlags")
	args, _ := d.String("java.rt.vmArgs")
	all := flags + " " + args
	if !strings.Contains(all, "-XX:+UseConcMarkSweepGC") {
		return 0, false
	}
	var v float64
	found := false
	for _, f := range strings.Fields(all) {
		if rest, ok := strings.CutPrefix(f, "-XX:CMSInitiatingOccupancyFraction="); ok {
			if _, err := fmt.Sscanf(rest, "%g", &v); err == nil {
				found = true // the last one given wins, as in the JVM
			}
		}
	}
	return v, found
}
