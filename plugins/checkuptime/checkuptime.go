package checkuptime

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

// Plugin is check-uptime.
var Plugin = &plugin.Plugin{
	Name:        "check-uptime",
	Title:       "Uptime",
	Description: "checks the time since the system booted",
	New:         func() any { return &options{} },
}

type options struct {
	WarningUnder  *secs `short:"w" long:"warning-under" value-name:"SECONDS" description:"WARNING when up for less than SECONDS (or a duration: 10m)"`
	CriticalUnder *secs `short:"c" long:"critical-under" value-name:"SECONDS" description:"CRITICAL when up for less than SECONDS"`
	WarningOver   *secs `short:"W" long:"warning-over" value-name:"SECONDS" description:"WARNING when up for more than SECONDS (or a duration: 2160h)"`
	CriticalOver  *secs `short:"C" long:"critical-over" value-name:"SECONDS" description:"CRITICAL when up for more than SECONDS"`
	WarnUnder     *secs `long:"warn-under" hidden:"true" description:"old spelling of --warning-under"`
	WarnOver      *secs `long:"warn-over" hidden:"true" description:"old spelling of --warning-over"`
}

// secs is a number of seconds, as the old plugin took them, or a Go
// duration.
type secs float64

// UnmarshalFlag reads seconds ("600", "1.5") or a duration ("10m").
func (s *secs) UnmarshalFlag(text string) error {
	d, err := plugin.ParseSeconds(text)
	if err != nil {
		// Seconds beyond a duration's range (about 292 years), a
		// configuration's "never": the old plugin took any float.
		if f, ferr := strconv.ParseFloat(strings.TrimSpace(text), 64); ferr == nil || errors.Is(ferr, strconv.ErrRange) {
			if f >= float64(math.MaxInt64/int64(time.Second)) && !math.IsInf(f, 0) {
				*s = secs(f)
				return nil
			}
		}
	}
	if err != nil || d < 0 {
		return fmt.Errorf("%q is not a number of seconds (0 or more) or a duration such as 10m", text)
	}
	*s = secs(d.Seconds())
	return nil
}

// Validate merges the old spellings and refuses thresholds that leave
// no uptime OK.
func (o *options) Validate() error {
	if o.WarningUnder == nil {
		o.WarningUnder = o.WarnUnder
	}
	if o.WarningOver == nil {
		o.WarningOver = o.WarnOver
	}
	for _, p := range []struct {
		under, over *secs
		u, v        string
	}{
		{o.WarningUnder, o.WarningOver, "-w/--warning-under", "-W/--warning-over"},
		{o.CriticalUnder, o.CriticalOver, "-c/--critical-under", "-C/--critical-over"},
	} {
		if p.under != nil && p.over != nil && *p.under > *p.over {
			return fmt.Errorf("%s %v is above %s %v: every uptime would alert", p.u, float64(*p.under), p.v, float64(*p.over))
		}
	}
	return nil
}

// Check reads the uptime and judges it.
func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	up, err := uptime(inv)
	if err != nil {
		return nil, err
	}
	if up < 0 {
		return nil, errors.New("the system reports a negative uptime")
	}
	s := up.Seconds()
	status := checkers.OK
	if o.WarningUnder != nil && s < float64(*o.WarningUnder) || o.WarningOver != nil && s > float64(*o.WarningOver) {
		status = checkers.Warning
	}
	if o.CriticalUnder != nil && s < float64(*o.CriticalUnder) || o.CriticalOver != nil && s > float64(*o.CriticalOver) {
		status = checkers.Critical
	}
	total := int64(s)
	res := checkers.NewResult(status, "%d day(s) %d hour(s) %d minute(s) (%d second(s))", total/86400, total/3600%24, total/60%60, total)
	res.AddPerfdata(checkers.Perfdata{Label: "uptime", Value: math.Floor(s), UOM: "s", Warn: rng(o.WarningUnder, o.WarningOver), Crit: rng(o.CriticalUnder, o.CriticalOver), Min: checkers.Float(0)})
	return res, nil
}

// rng is the Nagios range of the uptimes that do not alert.
func rng(under, over *secs) *checkers.Range {
	if under == nil && over == nil {
		return nil
	}
	r := checkers.Range{Start: 0, End: math.Inf(1)}
	if under != nil {
		r.Start = float64(*under)
	}
	if over != nil {
		r.End = float64(*over)
	}
	return &r
}

// ConformanceArgs: the check needs no input.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	return nil, func() {}, nil
}
