// Package checkfileage is check-file-age: how long ago a file was
// modified, and how big it is, a drop-in for Mackerel's check-file-age.
// See README.md.
package checkfileage

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

// Plugin is check-file-age.
var Plugin = &plugin.Plugin{
	Name:        "check-file-age",
	Title:       "FileAge",
	Description: "alert when a file was last modified too long ago or is too small",
	New:         func() any { return &options{} },
}

// FutureTolerance is how far in the future a modification time may lie
// (clocks of a file server and of this host disagree by a little) before
// the check warns about it.
const FutureTolerance = time.Minute

type options struct {
	File          string `short:"f" long:"file" required:"true" value-name:"PATH" description:"the file to check"`
	WarningAge    int64  `short:"w" long:"warning-age" default:"240" value-name:"SECONDS" statekey:"-" description:"WARNING when modified more than this many seconds ago (0: no limit)"`
	WarningSize   int64  `short:"W" long:"warning-size" default:"0" value-name:"BYTES" statekey:"-" description:"WARNING when smaller than this many bytes (0: no limit)"`
	CriticalAge   int64  `short:"c" long:"critical-age" default:"600" value-name:"SECONDS" statekey:"-" description:"CRITICAL when modified more than this many seconds ago (0: no limit)"`
	CriticalSize  int64  `short:"C" long:"critical-size" default:"0" value-name:"BYTES" statekey:"-" description:"CRITICAL when smaller than this many bytes (0: no limit)"`
	IgnoreMissing bool   `short:"i" long:"ignore-missing" statekey:"-" description:"OK when the file does not exist"`
}

func (o *options) Validate() error {
	for _, f := range []struct {
		name string
		v    int64
	}{{"--warning-age", o.WarningAge}, {"--warning-size", o.WarningSize}, {"--critical-age", o.CriticalAge}, {"--critical-size", o.CriticalSize}} {
		if f.v < 0 {
			return fmt.Errorf("%s %d: must be 0 (no limit) or more", f.name, f.v)
		}
	}
	return nil
}

// Check stats the file and judges its age and size. A modification time
// in the future counts as age 0: never CRITICAL, never a negative age;
// more than FutureTolerance ahead, it is a WARNING (a clock is wrong, and
// the file could otherwise never grow old enough to alert) when an age
// limit is set.
func (o *options) Check(_ context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	fi, err := os.Stat(o.File)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && o.IgnoreMissing {
			return checkers.NewResult(checkers.OK, "No such file, but ignore missing is set."), nil
		}
		return nil, err // UNKNOWN with the reason, as the original
	}
	now := inv.Now()
	mtime := fi.ModTime()
	ahead := mtime.Sub(now)
	age := int64(math.Floor(now.Sub(mtime).Seconds()))
	if age < 0 {
		age = 0
	}
	size := fi.Size()

	status := checkers.OK
	if (o.WarningAge != 0 && age > o.WarningAge) || (o.WarningSize != 0 && size < o.WarningSize) {
		status = checkers.Warning
	}
	if (o.CriticalAge != 0 && age > o.CriticalAge) || (o.CriticalSize != 0 && size < o.CriticalSize) {
		status = checkers.Critical
	}
	local := mtime.In(time.Local)
	msg := fmt.Sprintf("%s is %d seconds old (%02d:%02d:%02d) and %d bytes.", o.File, age, local.Hour(), local.Minute(), local.Second(), size)
	if ahead > 0 {
		msg = fmt.Sprintf("%s was modified %s in the future (%s), clock skew? It is %d bytes.", o.File, ahead.Round(time.Second), mtime.UTC().Format(time.RFC3339), size)
		if ahead > FutureTolerance {
			if o.WarningAge != 0 || o.CriticalAge != 0 {
				status = checkers.Worst(status, checkers.Warning)
			}
		} else {
			msg = fmt.Sprintf("%s is %d seconds old (%02d:%02d:%02d) and %d bytes.", o.File, age, local.Hour(), local.Minute(), local.Second(), size)
		}
	}
	res := checkers.NewResult(status, "%s", msg)
	rng := func(v int64, below bool) *checkers.Range {
		switch {
		case v == 0:
			return nil
		case below:
			return &checkers.Range{Start: float64(v), End: math.Inf(1)}
		}
		return &checkers.Range{Start: math.Inf(-1), End: float64(v)}
	}
	res.AddPerfdata(
		checkers.Perfdata{Label: "age", Value: float64(age), UOM: "s", Warn: rng(o.WarningAge, false), Crit: rng(o.CriticalAge, false), Min: checkers.Float(0)},
		checkers.Perfdata{Label: "size", Value: float64(size), UOM: "B", Warn: rng(o.WarningSize, true), Crit: rng(o.CriticalSize, true), Min: checkers.Float(0)},
	)
	return res, nil
}

// ConformanceArgs writes a fresh file for the conformance suite's sample
// run, with no age limit (the suite's clock is not the real one).
func (o *options) ConformanceArgs(dir string) ([]string, func(), error) {
	path := filepath.Join(dir, "heartbeat")
	if err := os.WriteFile(path, []byte("ok\n"), 0o644); err != nil {
		return nil, nil, err
	}
	old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(path, old, old); err != nil {
		return nil, nil, err
	}
	return []string{"-f", path, "-w", "0", "-c", "0"}, func() {}, nil
}
