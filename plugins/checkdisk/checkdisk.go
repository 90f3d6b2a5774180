// Package checkdisk is check-disk: free space and free inodes of the
// mounted file systems, a drop-in for Mackerel's check-disk. See
// README.md.
package checkdisk

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/mounts"
)

// Plugin is check-disk.
var Plugin = &plugin.Plugin{
	Name:        "check-disk",
	Title:       "Disk",
	Description: "free space and free inodes of mounted file systems",
	New:         func() any { return &options{} },
}

// Free is a -w/-c threshold: "N" units or "N%" of the file system free.
type Free struct {
	Value   float64
	Percent bool
}

// UnmarshalFlag reads "N" or "N%".
func (f *Free) UnmarshalFlag(text string) error {
	s, pct := strings.CutSuffix(strings.TrimSpace(text), "%")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return fmt.Errorf("%q: want N (in --units) or N%% free, N a number ≥ 0", text)
	}
	if pct && v > 100 {
		return fmt.Errorf("%q: a percentage is at most 100", text)
	}
	*f = Free{Value: v, Percent: pct}
	return nil
}

// InodeFree is a -W/-K threshold: "N%" of the inodes free.
type InodeFree float64

// UnmarshalFlag reads "N%".
func (f *InodeFree) UnmarshalFlag(text string) error {
	s, ok := strings.CutSuffix(strings.TrimSpace(text), "%")
	v, err := strconv.ParseFloat(s, 64)
	if !ok || err != nil || math.IsNaN(v) || v < 0 || v > 100 {
		return fmt.Errorf("%q: want N%% of the inodes free, N from 0 to 100", text)
	}
	*f = InodeFree(v)
	return nil
}

// Unit is a --units value: a name and its size in bytes.
type Unit struct {
	Name string
	Size float64
}

var units = []Unit{{"bytes", 1}, {"kB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"TB", 1 << 40}}

// UnmarshalFlag reads bytes, kB, MB, GB or TB in any case (also b, k, m,
// g, t and KiB-style names).
func (u *Unit) UnmarshalFlag(text string) error {
	t := strings.ToLower(strings.TrimSpace(text))
	alias := map[string]string{"b": "bytes", "byte": "bytes", "k": "kb", "kib": "kb", "m": "mb", "mib": "mb", "g": "gb", "gib": "gb", "t": "tb", "tib": "tb"}
	if a, ok := alias[t]; ok {
		t = a
	}
	for _, c := range units {
		if strings.ToLower(c.Name) == t {
			*u = c
			return nil
		}
	}
	return fmt.Errorf("%q: want bytes, kB, MB, GB or TB", text)
}

// MarshalFlag shows the default in --help.
func (u Unit) MarshalFlag() (string, error) { return u.Name, nil }

type options struct {
	Warning       *Free          `short:"w" long:"warning" value-name:"N, N%" statekey:"-" description:"WARNING if less than N units (--units) or N% of a file system is available"`
	Critical      *Free          `short:"c" long:"critical" value-name:"N, N%" statekey:"-" description:"CRITICAL if less than N units (--units) or N% of a file system is available"`
	InodeWarning  *InodeFree     `short:"W" long:"iwarning" value-name:"N%" statekey:"-" description:"WARNING if less than N% of a file system's inodes are free"`
	InodeCritical *InodeFree     `short:"K" long:"icritical" value-name:"N%" statekey:"-" description:"CRITICAL if less than N% of a file system's inodes are free"`
	Path          []string       `short:"p" long:"path" value-name:"PATH" description:"check only this mount point or device (repeatable); a directory that is not a mount point means the file system holding it"`
	Exclude       []string       `short:"x" long:"exclude-device" value-name:"PATH" description:"skip this mount point or device (repeatable; not with --path)"`
	All           bool           `short:"A" long:"all" description:"check every file system not excluded by default, ignoring --path, --exclude-device, --exclude-type and --include-type"`
	ExcludeType   []string       `short:"X" long:"exclude-type" value-name:"TYPE" description:"skip file systems of this type (repeatable)"`
	IncludeType   []string       `short:"N" long:"include-type" value-name:"TYPE" description:"check only file systems of this type (repeatable); a type excluded by default (squashfs, overlay, …) is checked when named here"`
	Units         Unit           `short:"u" long:"units" value-name:"UNIT" default:"MB" statekey:"-" description:"unit of N in -w/-c and of the message: bytes, kB, MB, GB or TB (powers of 1024)"`
	MountTimeout  plugin.Timeout `long:"mount-timeout" value-name:"DURATION" default:"3s" statekey:"-" description:"how long one file system may take to answer before it is reported as hung (seconds, or a duration such as 500ms)"`
}

// statfs replaces the system call in tests.
var statfs func(string) (mounts.Stats, error)

// mountRoot is where the mount table is read; tests point it at fixtures.
var mountRoot = ""

func (o *options) Validate() error {
	if len(o.Path) > 0 && len(o.Exclude) > 0 && !o.All {
		return errors.New("--exclude-device does not work with --path")
	}
	if o.MountTimeout <= 0 {
		return fmt.Errorf("--mount-timeout %s: must be positive", time.Duration(o.MountTimeout))
	}
	return nil
}

// Check reads the mount table, asks every selected file system for its
// usage and judges each against the thresholds.
func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	if !mounts.Supported {
		return nil, errors.New("check-disk reads Linux's mount table; it does not run on this system")
	}
	all, err := mounts.Read(mountRoot)
	if err != nil {
		return nil, err
	}
	selected, err := o.selectMounts(mounts.Visible(all))
	if err != nil {
		return nil, err
	}
	timeout := time.Duration(o.MountTimeout)
	if dl, ok := ctx.Deadline(); ok {
		// Leave time to report the hung mount by name before the run's
		// own deadline makes the whole check a bare "timed out".
		if share := time.Until(dl) * 3 / 4; share < timeout {
			timeout = max(share.Round(time.Millisecond), time.Millisecond)
		}
	}
	usages := mounts.Stat(ctx, selected, mounts.Options{Timeout: timeout, Statfs: statfs})
	return o.judge(usages), nil
}

// selectMounts applies the flags to the mount table, as the original
// does: type filters first, then --path or --exclude-device.
func (o *options) selectMounts(ms []mounts.Mount) ([]mounts.Mount, error) {
	if o.All {
		return mounts.Unique(mounts.Filter{ExcludeReadOnly: true}.Apply(ms)), nil
	}
	typed := mounts.Filter{All: true, IncludeTypes: o.IncludeType, ExcludeTypes: o.ExcludeType}.Apply(ms)
	if len(o.IncludeType) > 0 && len(typed) == 0 {
		return nil, fmt.Errorf("no file system of type %s is mounted", strings.Join(o.IncludeType, ", "))
	}
	if len(o.Path) == 0 {
		f := mounts.Filter{IncludeTypes: o.IncludeType, ExcludeTypes: o.ExcludeType, ExcludePoints: o.Exclude, ExcludeReadOnly: true}
		var sel []mounts.Mount
		for _, m := range mounts.Unique(f.Apply(ms)) {
			if !slices.Contains(o.Exclude, m.Source) { // a device, as the flag's name says
				sel = append(sel, m)
			}
		}
		if len(sel) == 0 {
			return nil, errors.New("no file system left to check after the exclusions")
		}
		return sel, nil
	}
	var sel []mounts.Mount
	var missing []string
	for _, p := range o.Path {
		m, ok := findMount(typed, p)
		if !ok {
			missing = append(missing, p)
			continue
		}
		if !slices.ContainsFunc(sel, func(s mounts.Mount) bool { return s.Point == m.Point }) {
			sel = append(sel, m)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no mounted file system for --path %s", strings.Join(missing, ", "))
	}
	return sel, nil
}

// findMount finds p as a mount point, then as a mounted device, then as
// an existing directory inside a mount (the longest mount point that
// holds it).
func findMount(ms []mounts.Mount, p string) (mounts.Mount, bool) {
	clean := filepath.Clean(p)
	for _, m := range ms {
		if m.Point == clean {
			return m, true
		}
	}
	for _, m := range ms {
		if m.Source == p {
			return m, true
		}
	}
	if fi, err := os.Stat(clean); err != nil || !fi.IsDir() || !filepath.IsAbs(clean) {
		return mounts.Mount{}, false
	}
	best := -1
	for i, m := range ms {
		if under(clean, m.Point) && (best < 0 || len(m.Point) > len(ms[best].Point)) {
			best = i
		}
	}
	if best < 0 {
		return mounts.Mount{}, false
	}
	return ms[best], true
}

func under(p, dir string) bool {
	return dir == "/" || p == dir || strings.HasPrefix(p, dir+"/")
}

// judged is one file system and what the thresholds made of it.
type judged struct {
	u      mounts.Usage
	status checkers.Status
	why    string // for a status other than OK
}

func (o *options) judge(usages []mounts.Usage) *checkers.Result {
	var items []judged
	for _, u := range usages {
		if u.Err != nil {
			items = append(items, judged{u: u, status: checkers.Unknown, why: u.Err.Error()})
			continue
		}
		if u.Blocks == 0 {
			continue // no space of its own (as the original skips)
		}
		items = append(items, o.judgeOne(u))
	}
	if len(items) == 0 {
		return checkers.NewResult(checkers.Unknown, "no file system with space to check")
	}
	// The fullest first, as the original sorts; failed mounts on top.
	sort.SliceStable(items, func(i, j int) bool {
		ei, ej := items[i].u.Err != nil, items[j].u.Err != nil
		if ei != ej {
			return ei
		}
		return items[i].u.UsedPercent() > items[j].u.UsedPercent()
	})
	status := checkers.OK
	var tripped []string
	for _, it := range items {
		status = checkers.Worst(status, it.status)
	}
	for _, want := range []checkers.Status{checkers.Critical, checkers.Unknown, checkers.Warning} {
		for _, it := range items {
			if it.status == want {
				tripped = append(tripped, it.why)
			}
		}
	}
	var res *checkers.Result
	if status == checkers.OK {
		res = checkers.NewResult(checkers.OK, "%s", o.okSummary(items))
	} else {
		res = checkers.NewResult(status, "%s", strings.Join(tripped, "; "))
	}
	single := status == checkers.OK && len(items) == 1
	for _, it := range items {
		if it.u.Err != nil {
			continue
		}
		if !single { // a single file system's line is the summary already
			res.AddDetail("%s", o.line(it.u))
		}
		res.AddPerfdata(o.perfdata(it.u))
	}
	return res
}

func (o *options) okSummary(items []judged) string {
	if len(items) == 1 {
		return o.line(items[0].u)
	}
	return fmt.Sprintf("%d file systems; the fullest is %s at %.2f%% free", len(items), items[0].u.Mount.Point, 100-items[0].u.UsedPercent())
}

func (o *options) judgeOne(u mounts.Usage) judged {
	j := judged{u: u, status: checkers.OK}
	avail := float64(u.Available()) / o.Units.Size
	freePct := 100 - u.UsedPercent()
	space := func(t *Free, st checkers.Status, name string) {
		if t == nil || j.status != checkers.OK {
			return
		}
		if t.Percent && freePct < t.Value {
			j.status, j.why = st, fmt.Sprintf("%s: %s%% available, below the %s %s%%", u.Mount.Point, below(freePct, t.Value), name, checkers.FormatNumber(t.Value))
		} else if !t.Percent && avail < t.Value {
			j.status, j.why = st, fmt.Sprintf("%s: %s %s available, below the %s %s %s", u.Mount.Point, below(avail, t.Value), o.Units.Name, name, checkers.FormatNumber(t.Value), o.Units.Name)
		}
	}
	inode := func(t *InodeFree, st checkers.Status, name string) {
		if t == nil || j.status != checkers.OK || !u.HasInodes() {
			return
		}
		if free := 100 - u.InodesUsedPercent(); free < float64(*t) {
			j.status, j.why = st, fmt.Sprintf("%s: %s%% of inodes free, below the %s %s%%", u.Mount.Point, below(free, float64(*t)), name, checkers.FormatNumber(float64(*t)))
		}
	}
	space(o.Critical, checkers.Critical, "critical")
	inode(o.InodeCritical, checkers.Critical, "critical")
	space(o.Warning, checkers.Warning, "warning")
	inode(o.InodeWarning, checkers.Warning, "warning")
	return j
}

// below formats v, which is below the threshold t, with two decimals as
// the original does, or with as many more as it takes not to read as t
// or above ("100.00% available, below 100%" for 99.996%).
func below(v, t float64) string {
	for prec := 2; prec < 10; prec++ {
		s := strconv.FormatFloat(v, 'f', prec, 64)
		if f, err := strconv.ParseFloat(s, 64); err == nil && f < t {
			return s
		}
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// numbers is the original's message, after "Path: …, ".
func (o *options) numbers(u mounts.Usage) string {
	s := o.Units.Size
	inodes := ""
	if u.HasInodes() {
		inodes = fmt.Sprintf(" (inodes %.2f)", 100-u.InodesUsedPercent())
	}
	return fmt.Sprintf("All: %.2f %s, Used: %.2f %s, Free: %.2f %s, Free percentage: %.2f%s",
		float64(u.Total())/s, o.Units.Name, float64(u.Used())/s, o.Units.Name, float64(u.Available())/s, o.Units.Name, 100-u.UsedPercent(), inodes)
}

// line is one file system as the original writes it.
func (o *options) line(u mounts.Usage) string {
	return "Path: " + u.Mount.Point + ", " + o.numbers(u)
}

// perfdata is the available space in bytes, with the thresholds turned
// into bytes ("alert below").
func (o *options) perfdata(u mounts.Usage) checkers.Perfdata {
	base := float64(u.Used() + u.Available()) // what df's percentage is of
	rng := func(t *Free) *checkers.Range {
		if t == nil {
			return nil
		}
		v := t.Value * o.Units.Size
		if t.Percent {
			v = math.Round(t.Value / 100 * base)
		}
		return &checkers.Range{Start: v, End: math.Inf(1)}
	}
	return checkers.Perfdata{Label: u.Mount.Point, Value: float64(u.Available()), UOM: "B",
		Warn: rng(o.Warning), Crit: rng(o.Critical), Min: checkers.Float(0), Max: checkers.Float(float64(u.Total()))}
}
