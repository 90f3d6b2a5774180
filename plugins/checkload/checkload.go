package checkload

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

// Plugin is check-load.
var Plugin = &plugin.Plugin{
	Name:        "check-load",
	Title:       "LOAD",
	Description: "checks the 1, 5 and 15 minute load averages",
	New:         func() any { return &options{} },
}

type options struct {
	Warning  triple `short:"w" long:"warning" required:"true" value-name:"WL1,WL5,WL15" description:"WARNING when a load average is above its threshold: three numbers for the 1, 5 and 15 minute averages, or one for all three"`
	Critical triple `short:"c" long:"critical" required:"true" value-name:"CL1,CL5,CL15" description:"CRITICAL when a load average is above its threshold, as -w"`
	PerCPU   bool   `short:"r" long:"percpu" description:"divide the load averages by the number of CPUs this check may use (its affinity, and its cgroup's CPU quota)"`
}

// triple is three thresholds, for the 1, 5 and 15 minute averages.
type triple [3]float64

// UnmarshalFlag reads "4,3,2" or "4".
func (t *triple) UnmarshalFlag(text string) error {
	parts := strings.Split(text, ",")
	if len(parts) == 1 {
		parts = []string{parts[0], parts[0], parts[0]}
	}
	if len(parts) != 3 {
		return fmt.Errorf("%q: want three numbers, for the 1, 5 and 15 minute load averages (4,3,2), or one for all three", text)
	}
	for i, p := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%q: %q is not a load average (a number, 0 or more)", text, p)
		}
		t[i] = v
	}
	return nil
}

// loads are the 1, 5 and 15 minute load averages and, for -r, the number
// of CPUs and where it comes from.
type loads struct {
	avg  [3]float64
	cpus float64
	how  string // "2 CPUs", "1.5 CPUs (cgroup quota in /sys/fs/cgroup/…/cpu.max)"
}

var periods = [3]string{"load1", "load5", "load15"}

// Check reads the load averages and judges each against its thresholds.
func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	l, err := readLoads(inv, o.PerCPU)
	if err != nil {
		return nil, err
	}
	vals := l.avg
	if o.PerCPU {
		for i := range vals {
			vals[i] /= l.cpus
		}
	}
	status := checkers.OK
	for i, v := range vals {
		switch {
		case v > o.Critical[i]:
			status = checkers.Critical
		case v > o.Warning[i] && status < checkers.Warning:
			status = checkers.Warning
		}
	}
	res := checkers.NewResult(status, "load average: %.2f, %.2f, %.2f", vals[0], vals[1], vals[2])
	if o.PerCPU {
		res.AddDetail("per CPU: the load averages %.2f, %.2f, %.2f divided by %s", l.avg[0], l.avg[1], l.avg[2], l.how)
	}
	for i, v := range vals {
		w := checkers.Range{Start: 0, End: o.Warning[i]}
		c := checkers.Range{Start: 0, End: o.Critical[i]}
		res.AddPerfdata(checkers.Perfdata{Label: periods[i], Value: round(v), Warn: &w, Crit: &c, Min: checkers.Float(0)})
	}
	return res, nil
}

// round keeps the perfdata short: the kernel gives two decimals, which a
// division by the CPU count stretches.
func round(v float64) float64 { return math.Round(v*1000) / 1000 }

// ConformanceArgs gives the teko conformance suite thresholds no machine
// reaches.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	return []string{"-w", "100000", "-c", "100000"}, func() {}, nil
}

// cpuCount says how many CPUs n is, "1 CPU" or "2 CPUs".
func cpuCount(n string) string {
	if n == "1" {
		return "1 CPU"
	}
	return n + " CPUs"
}
