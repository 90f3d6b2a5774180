package checkmemory

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/procfs"
)

// Plugin is check-memory.
var Plugin = &plugin.Plugin{
	Name:        "check-memory",
	Title:       "MEMORY",
	Description: "checks the available memory (MemAvailable) and, optionally, free swap",
	New:         func() any { return &options{} },
}

type options struct {
	Warning      limit `short:"w" long:"warning" value-name:"PERCENT%|SIZE" default:"10%" description:"WARNING when the available memory is below this: a percentage of the total (10%) or a size (512MiB, 2G)"`
	Critical     limit `short:"c" long:"critical" value-name:"PERCENT%|SIZE" default:"5%" description:"CRITICAL when the available memory is below this"`
	SwapWarning  limit `long:"swap-warning" value-name:"PERCENT%|SIZE" description:"also check swap: WARNING when free swap is below this"`
	SwapCritical limit `long:"swap-critical" value-name:"PERCENT%|SIZE" description:"also check swap: CRITICAL when free swap is below this"`
}

// limit is a lower bound on what is left: a percentage of the total or
// a number of bytes.
type limit struct {
	set   bool
	isPct bool
	pct   float64
	bytes uint64
}

var units = []struct {
	suffixes []string
	factor   float64
}{
	{[]string{"TiB", "TB", "T"}, 1 << 40},
	{[]string{"GiB", "GB", "G"}, 1 << 30},
	{[]string{"MiB", "MB", "M"}, 1 << 20},
	{[]string{"KiB", "KB", "kB", "K", "k"}, 1 << 10},
	{[]string{"B"}, 1},
}

// UnmarshalFlag reads "10%" or a size with its unit ("512MiB", "2G";
// powers of 1024).
func (l *limit) UnmarshalFlag(text string) error {
	s := strings.TrimSpace(text)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || v < 0 || v > 100 || math.IsNaN(v) {
			return fmt.Errorf("%q is not a percentage from 0%% to 100%%", text)
		}
		*l = limit{set: true, isPct: true, pct: v}
		return nil
	}
	for _, u := range units {
		for _, suffix := range u.suffixes {
			if n, ok := strings.CutSuffix(s, suffix); ok {
				v, err := strconv.ParseFloat(strings.TrimSpace(n), 64)
				if err != nil || v < 0 || math.IsNaN(v) || v*u.factor >= 1<<63 {
					return fmt.Errorf("%q is not a size (512MiB, 2G)", text)
				}
				*l = limit{set: true, bytes: uint64(v * u.factor)}
				return nil
			}
		}
	}
	return fmt.Errorf("%q: say what it is: a percentage (10%%) or a size with its unit (512MiB, 2G)", text)
}

// MarshalFlag shows the default in --help.
func (l limit) MarshalFlag() (string, error) {
	if !l.set {
		return "", nil
	}
	return l.String(), nil
}

func (l limit) String() string {
	if l.isPct {
		return checkers.FormatNumber(l.pct) + "%"
	}
	return formatBytes(l.bytes)
}

// threshold is the bound in bytes out of total.
func (l limit) threshold(total uint64) float64 {
	if l.isPct {
		return l.pct / 100 * float64(total)
	}
	return float64(l.bytes)
}

// active reports whether l is a threshold at all (swap limits are off
// unless given).
func (l limit) active() bool { return l.set }

// Check reads /proc/meminfo and judges what is left.
func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	fsys := procfs.Host(inv.Getenv)
	if runtime.GOOS != "linux" && fsys.Proc == "" {
		return nil, fmt.Errorf("check-memory reads Linux's /proc/meminfo; there is none on %s", runtime.GOOS)
	}
	m, err := fsys.MemInfo()
	if err != nil {
		return nil, err
	}
	total := m["MemTotal"]
	if total == 0 {
		return nil, fmt.Errorf("%s says MemTotal is 0", fsys.ProcPath("meminfo"))
	}
	avail, estimated := m["MemAvailable"], false
	if !m.Has("MemAvailable") { // before Linux 3.14
		if !m.Has("MemFree") {
			return nil, fmt.Errorf("%s has neither MemAvailable nor MemFree: nothing to tell the available memory by", fsys.ProcPath("meminfo"))
		}
		avail, estimated = m["MemFree"]+m["Buffers"]+m["Cached"]+m["SReclaimable"], true
	}
	res := judge("memory", avail, total, o.Warning, o.Critical)
	res.Summary = fmt.Sprintf("%s of %s memory available (%s)", formatBytes(avail), formatBytes(total), pct(avail, total))
	res.AddPerfdata(perfdata("available", avail, total, o.Warning, o.Critical)...)
	if estimated {
		res.AddDetail("this kernel has no MemAvailable (Linux 3.14 and later have it): estimated as MemFree + Buffers + Cached + SReclaimable")
	}
	if o.SwapWarning.active() || o.SwapCritical.active() {
		swapTotal, swapFree := m["SwapTotal"], m["SwapFree"]
		if swapTotal > 0 && !m.Has("SwapFree") {
			return nil, fmt.Errorf("%s gives SwapTotal but no SwapFree", fsys.ProcPath("meminfo"))
		}
		if swapTotal == 0 {
			res.Summary += "; no swap"
			res.AddDetail("swap is not checked: the system has none")
		} else {
			sw := judge("swap", swapFree, swapTotal, o.SwapWarning, o.SwapCritical)
			res.Status = checkers.Worst(res.Status, sw.Status)
			res.Summary += fmt.Sprintf("; %s of %s swap free (%s)", formatBytes(swapFree), formatBytes(swapTotal), pct(swapFree, swapTotal))
			res.AddPerfdata(perfdata("swap_free", swapFree, swapTotal, o.SwapWarning, o.SwapCritical)...)
		}
	}
	return res, nil
}

// judge is the status of what is left (left of total) against the two
// limits: below critical is CRITICAL, else below warning is WARNING.
func judge(what string, left, total uint64, warn, crit limit) *checkers.Result {
	status := checkers.OK
	if warn.active() && float64(left) < warn.threshold(total) {
		status = checkers.Warning
	}
	if crit.active() && float64(left) < crit.threshold(total) {
		status = checkers.Critical
	}
	return checkers.NewResult(status, "%s", what)
}

// perfdata gives what is left in bytes and in percent, each with the
// thresholds given in its unit.
func perfdata(label string, left, total uint64, warn, crit limit) []checkers.Perfdata {
	bytesRange := func(l limit) *checkers.Range {
		if !l.active() || l.isPct {
			return nil
		}
		return &checkers.Range{Start: float64(l.bytes), End: math.Inf(1)}
	}
	pctRange := func(l limit) *checkers.Range {
		if !l.active() || !l.isPct {
			return nil
		}
		return &checkers.Range{Start: l.pct, End: math.Inf(1)}
	}
	return []checkers.Perfdata{
		{Label: label, Value: float64(left), UOM: "B", Warn: bytesRange(warn), Crit: bytesRange(crit), Min: checkers.Float(0), Max: checkers.Float(float64(total))},
		{Label: label + "_pct", Value: math.Round(10000*float64(left)/float64(total)) / 100, UOM: "%", Warn: pctRange(warn), Crit: pctRange(crit), Min: checkers.Float(0), Max: checkers.Float(100)},
	}
}

func pct(part, total uint64) string {
	return strconv.FormatFloat(100*float64(part)/float64(total), 'f', 1, 64) + "%"
}

// formatBytes writes a size briefly: 7.8GiB, 512MiB.
func formatBytes(b uint64) string {
	names := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	v, i := float64(b), 0
	for v >= 1024 && i < len(names)-1 {
		v /= 1024
		i++
	}
	if i == 0 {
		return strconv.FormatUint(b, 10) + "B"
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + names[i]
}

// ConformanceArgs: thresholds no machine reaches.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	return []string{"-w", "0%", "-c", "0%"}, func() {}, nil
}
