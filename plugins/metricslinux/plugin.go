package metricslinux

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/procfs"
)

// Plugin is metrics-linux. Its flags are mackerel-plugin-linux's, in
// either spelling ("-type=swap" or "--type swap").
var Plugin = &plugin.Plugin{
	Name:           "metrics-linux",
	Description:    "swap, TCP connection states, disk I/O time, interrupts, context switches, forks and users of a Linux host",
	SingleDashLong: true,
	Aliases:        []string{"mackerel-plugin-linux"},
	New:            func() any { return &options{} },
}

// The -type values.
var allTypes = []string{"swap", "netstat", "diskstats", "proc_stat", "users"}

type options struct {
	Types    []string `short:"p" long:"type" value-name:"TYPE" description:"what to collect, repeatable: all, swap, netstat, diskstats, proc_stat, users (default all; also $ENVVAR_TYPE, comma-separated)"`
	Tempfile string   `short:"t" long:"tempfile" value-name:"FILE" env:"ENVVAR_TEMPFILE" statekey:"-" description:"mackerel-plugin-linux compatibility: the same as --state-dir with FILE's directory (also $ENVVAR_TEMPFILE)"`
}

func (o *options) Prefix() string { return "linux" }

// Validate refuses a -type the old plugin did not know (it ignored one
// silently and printed nothing for it).
func (o *options) Validate() error {
	for _, t := range o.Types {
		for _, t := range strings.Split(t, ",") {
			if t != "all" && !slices.Contains(allTypes, strings.TrimSpace(t)) {
				return fmt.Errorf("--type %q: want all, %s", t, strings.Join(allTypes, ", "))
			}
		}
	}
	return nil
}

// types returns the chosen types: the flags, else $ENVVAR_TYPE, else all.
func (o *options) types(getenv func(string) string) map[string]bool {
	given := o.Types
	if len(given) == 0 && getenv("ENVVAR_TYPE") != "" {
		given = []string{getenv("ENVVAR_TYPE")}
	}
	chosen := map[string]bool{}
	for _, g := range given {
		for _, t := range strings.Split(g, ",") {
			t = strings.TrimSpace(t)
			if t == "all" {
				t = ""
			}
			if t != "" && slices.Contains(allTypes, t) {
				chosen[t] = true
			} else if t == "" {
				for _, a := range allTypes {
					chosen[a] = true
				}
			}
		}
	}
	if len(chosen) == 0 {
		for _, a := range allTypes {
			chosen[a] = true
		}
	}
	return chosen
}

// tcpStates are the linux.ss metrics, in the old plugin's order.
var tcpStates = []struct{ name, label string }{
	{"ESTAB", "Established"}, {"SYN-SENT", "Syn Sent"}, {"SYN-RECV", "Syn Received"},
	{"FIN-WAIT-1", "Fin Wait 1"}, {"FIN-WAIT-2", "Fin Wait 2"}, {"TIME-WAIT", "Time Wait"},
	{"UNCONN", "Close"}, {"CLOSE-WAIT", "Close Wait"}, {"LAST-ACK", "Last Ack"},
	{"LISTEN", "Listen"}, {"CLOSING", "Closing"}, {"UNKNOWN", "Unknown"},
}

// Graphs are mackerel-plugin-linux's, key for key and label for label.
// The disk graphs list the devices /sys/block has now, as the old
// plugin's did.
func (o *options) Graphs() metrics.Graphs {
	types := o.types(os.Getenv)
	g := metrics.Graphs{}
	if types["swap"] {
		g["swap"] = metrics.Graph{Label: "Linux Swap Usage", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "pswpin", Label: "Swap In"}, {Name: "pswpout", Label: "Swap Out"},
		}}
	}
	if types["netstat"] {
		var ms []metrics.Metric
		for _, s := range tcpStates {
			ms = append(ms, metrics.Metric{Name: s.name, Label: s.label, Stacked: true})
		}
		g["ss"] = metrics.Graph{Label: "Linux Network Connection States", Unit: metrics.Integer, Metrics: ms}
	}
	if types["diskstats"] {
		var elapsed, rwtime []metrics.Metric
		devs, _ := procfs.Host(os.Getenv).BlockDevices() // none: empty graphs, as the old plugin
		for _, d := range devs {
			if !d.Physical() {
				continue
			}
			seg := metrics.Segment(d.Name)
			elapsed = append(elapsed, metrics.Metric{Name: "iotime_" + seg, Label: d.Name + " IO Time"},
				metrics.Metric{Name: "iotime_weighted_" + seg, Label: d.Name + " IO Time Weighted"})
			rwtime = append(rwtime, metrics.Metric{Name: "tsreading_" + seg, Label: d.Name + " Read"},
				metrics.Metric{Name: "tswriting_" + seg, Label: d.Name + " Write"})
		}
		g["disk.elapsed"] = metrics.Graph{Label: "Disk Elapsed IO Time", Unit: metrics.Integer, Metrics: elapsed}
		g["disk.rwtime"] = metrics.Graph{Label: "Disk Read/Write Time", Unit: metrics.Integer, Metrics: rwtime}
	}
	if types["proc_stat"] {
		g["interrupts"] = metrics.Graph{Label: "Linux Interrupts", Unit: metrics.Integer, Metrics: []metrics.Metric{{Name: "interrupts", Label: "Interrupts"}}}
		g["context_switches"] = metrics.Graph{Label: "Linux Context Switches", Unit: metrics.Integer, Metrics: []metrics.Metric{{Name: "context_switches", Label: "Context Switches"}}}
		g["forks"] = metrics.Graph{Label: "Linux Forks", Unit: metrics.Integer, Metrics: []metrics.Metric{{Name: "forks", Label: "Forks"}}}
	}
	if types["users"] {
		g["users"] = metrics.Graph{Label: "Linux Users", Unit: metrics.Integer, Metrics: []metrics.Metric{{Name: "users", Label: "Users"}}}
	}
	return g
}

// Collect reads each chosen type. A type that cannot be read is left
// out with a line on stderr naming what failed, and the others are
// printed; the run fails only when nothing could be read.
func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	fsys := procfs.Host(inv.Getenv)
	if runtime.GOOS != "linux" && fsys.Proc == "" {
		return fmt.Errorf("metrics-linux reads Linux's /proc and /sys; there are none on %s", runtime.GOOS)
	}
	if len(o.Types) == 0 {
		for _, t := range strings.Split(inv.Getenv("ENVVAR_TYPE"), ",") {
			if t = strings.TrimSpace(t); t != "" && t != "all" && !slices.Contains(allTypes, t) {
				return fmt.Errorf("$ENVVAR_TYPE %q: want all, %s", t, strings.Join(allTypes, ", "))
			}
		}
	}
	types := o.types(inv.Getenv)
	var failed []string
	var firstErr error
	fail := func(what string, err error) {
		failed = append(failed, what)
		if firstErr == nil {
			firstErr = err
		}
		inv.Warnf("%s: %v", what, err)
	}
	if types["swap"] {
		if vm, err := fsys.VMStat(); err != nil {
			fail("swap", err)
		} else {
			for _, k := range []string{"pswpin", "pswpout"} {
				if v, ok := vm[k]; ok {
					b.Counter("swap."+k, v)
				}
			}
		}
	}
	if types["netstat"] {
		if states, err := fsys.TCPStates(); err != nil {
			fail("netstat", err)
		} else {
			counts := map[string]int{}
			for st, n := range states {
				counts[st.String()] += n
			}
			for _, s := range tcpStates {
				b.Gauge("ss."+s.name, float64(counts[s.name]))
			}
		}
	}
	if types["diskstats"] {
		if devs, err := fsys.BlockDevices(); err != nil {
			fail("diskstats", err)
		} else {
			for _, d := range devs {
				if !d.Physical() {
					continue
				}
				seg := metrics.Segment(d.Name)
				b.Counter("disk.elapsed.iotime_"+seg, d.Stat.IOTicks)
				b.Counter("disk.elapsed.iotime_weighted_"+seg, d.Stat.TimeInQueue)
				b.Counter("disk.rwtime.tsreading_"+seg, d.Stat.ReadTicks)
				b.Counter("disk.rwtime.tswriting_"+seg, d.Stat.WriteTicks)
			}
		}
	}
	if types["proc_stat"] {
		if st, err := fsys.Stat(); err != nil {
			fail("proc_stat", err)
		} else {
			b.Counter("interrupts.interrupts", st.Interrupts)
			b.Counter("context_switches.context_switches", st.ContextSwitches)
			b.Counter("forks.forks", st.Forks)
		}
	}
	if types["users"] {
		n, err := fsys.Users()
		switch {
		case errors.Is(err, fs.ErrNotExist):
			// no utmp: this system keeps no login records (a container,
			// or a distribution that dropped utmp); a 0 would be made up
			inv.Warnf("users: %s does not exist, so the logged-in users cannot be counted; not reported", fsys.UtmpPath())
			failed = append(failed, "users")
		case err != nil:
			fail("users", err)
		default:
			b.Gauge("users.users", float64(n))
		}
	}
	if len(failed) == len(types) {
		if firstErr == nil {
			return errors.New("nothing could be read")
		}
		return firstErr
	}
	return nil
}

// ConformanceArgs chooses every type but users for the teko conformance
// suite: a machine without utmp (a CI container) has no user count and
// says so on stderr, which the suite's sample run must not have.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	return []string{"-type", "swap", "-type", "netstat", "-type", "diskstats", "-type", "proc_stat"}, func() {}, nil
}
