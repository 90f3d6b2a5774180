// Package checkntpoffset is check-ntpoffset: is this machine's clock
// close enough to NTP time? It asks the given NTP servers directly (one
// SNTP exchange each, all at once) or, without -s, the time daemon that
// runs here: chronyd through chronyc, ntpd through ntpq, and otherwise
// the kernel's clock discipline, which systemd-timesyncd feeds.
package checkntpoffset

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

// Plugin is check-ntpoffset. Its flags are those of Mackerel's
// check-ntpoffset; -t is the NTP timeout there, so the run's own limit is
// --timeout only.
var Plugin = &plugin.Plugin{
	Name:        "check-ntpoffset",
	Title:       "NTP",
	Description: "checks the clock's offset from NTP servers or from the local time daemon (chronyd, ntpd, the kernel)",
	New:         func() any { return &options{NTPTimeout: plugin.Timeout(15 * time.Second)} },
}

type options struct {
	Critical     float64        `short:"c" long:"critical" value-name:"MS" default:"100" statekey:"-" description:"CRITICAL when the clock is off by more than MS milliseconds, ahead or behind"`
	Warning      float64        `short:"w" long:"warning" value-name:"MS" default:"50" statekey:"-" description:"WARNING when the clock is off by more than MS milliseconds, ahead or behind"`
	NTPServers   string         `short:"s" long:"ntp-servers" value-name:"HOST[:PORT],..." description:"ask these NTP servers (comma-separated, port 123 by default) instead of the local daemon; all are asked at once and the first synchronised answer counts"`
	NTPTimeout   plugin.Timeout `short:"t" long:"ntp-timeout" value-name:"SECONDS" statekey:"-" description:"give up on the servers or the daemon after this long (seconds, or a duration such as 3s); --timeout still bounds the whole run"`
	CheckStratum bool           `short:"S" long:"check-stratum" statekey:"-" description:"CRITICAL (not WARNING) when the local daemon says the clock is not synchronised"`

	procRoot string           // /proc; tests point it elsewhere
	now      func() time.Time // the clock SNTP requests are stamped with; nil is time.Now
}

// Validate checks the thresholds and the server list.
func (o *options) Validate() error {
	switch {
	case o.Warning < 0 || math.IsNaN(o.Warning) || math.IsInf(o.Warning, 0):
		return fmt.Errorf("-w %v: must be a number of milliseconds, 0 or more", o.Warning)
	case o.Critical < 0 || math.IsNaN(o.Critical) || math.IsInf(o.Critical, 0):
		return fmt.Errorf("-c %v: must be a number of milliseconds, 0 or more", o.Critical)
	}
	if o.NTPServers != "" && len(o.servers()) == 0 {
		return fmt.Errorf("-s %q: no server named", o.NTPServers)
	}
	return nil
}

func (o *options) servers() []string {
	var list []string
	for _, s := range strings.Split(o.NTPServers, ",") {
		if s = strings.TrimSpace(s); s != "" {
			list = append(list, s)
		}
	}
	return list
}

// Check asks for a reading and judges its offset.
func (o *options) Check(ctx context.Context, _ *plugin.Invocation) (*checkers.Result, error) {
	ctx, cancel := context.WithTimeout(ctx, o.budget(ctx))
	defer cancel()
	var (
		r      Reading
		others []string // what the servers not used said
		err    error
	)
	if o.NTPServers != "" {
		r, others, err = o.askServers(ctx)
	} else {
		root := o.procRoot
		if root == "" {
			root = "/proc"
		}
		r, err = queryLocal(ctx, root)
	}
	if errors.Is(err, errUnsynced) {
		res := checkers.NewResult(checkers.Critical, "%s", strings.Join(others, "; "))
		return res, nil
	}
	if err != nil {
		if len(others) > 0 {
			return nil, fmt.Errorf("no offset from any server: %s", strings.Join(others, "; "))
		}
		return nil, err
	}
	return o.judge(r, others), nil
}

// budget is how long the servers or the daemon may take: --ntp-timeout,
// but at most three quarters of what is left of the run, so that a silent
// server is named before the run's own deadline cuts everything short.
func (o *options) budget(ctx context.Context) time.Duration {
	d := time.Duration(o.NTPTimeout)
	if deadline, ok := ctx.Deadline(); ok {
		d = min(d, time.Until(deadline)*3/4)
	}
	return max(d, time.Millisecond)
}

var errUnsynced = errors.New("not synchronised")

// askServers asks every server at once and returns the first synchronised
// answer, with what the servers that answered earlier (or failed) said.
// When every server answered but none is synchronised it returns
// errUnsynced.
func (o *options) askServers(ctx context.Context) (Reading, []string, error) {
	servers := o.servers()
	type answer struct {
		r   Reading
		err error
	}
	answers := make(chan answer, len(servers))
	now := o.now
	if now == nil {
		now = time.Now
	}
	for _, s := range servers {
		go func() {
			r, err := querySNTP(ctx, s, now)
			answers <- answer{r, err}
		}()
	}
	var said []string
	unsynced := 0
	for range servers {
		a := <-answers
		switch {
		case a.err != nil:
			said = append(said, fmt.Sprintf("%s: %v", a.r.Source, a.err))
		case a.r.Unsynced != "":
			unsynced++
			said = append(said, fmt.Sprintf("%s is not synchronised: %s", a.r.Source, a.r.Unsynced))
		default:
			return a.r, said, nil
		}
	}
	if unsynced > 0 {
		return Reading{}, said, errUnsynced
	}
	return Reading{}, said, errors.New("no answer")
}

// judge compares the reading's offset with the thresholds. The OK summary
// holds no number, so that it stays the same from run to run (the agent
// re-sends an OK whose message changed); the offset is in the perfdata
// and, when it alerts, in the summary.
func (o *options) judge(r Reading, others []string) *checkers.Result {
	ms := float64(r.Offset) / float64(time.Millisecond)
	abs := math.Abs(ms)
	from := r.Source
	if r.Stratum > 0 {
		from = fmt.Sprintf("%s, stratum %d", r.Source, r.Stratum)
	}
	var res *checkers.Result
	switch {
	case r.Unsynced != "" && o.CheckStratum:
		res = checkers.NewResult(checkers.Critical, "%s", r.Unsynced)
	case r.Unsynced != "":
		res = checkers.NewResult(checkers.Warning, "%s", r.Unsynced)
	case abs > o.Critical:
		res = checkers.NewResult(checkers.Critical, "clock off by %s ms (%s) > %s ms", formatMS(ms), from, formatMS(o.Critical))
	case abs > o.Warning:
		res = checkers.NewResult(checkers.Warning, "clock off by %s ms (%s) > %s ms", formatMS(ms), from, formatMS(o.Warning))
	default:
		res = checkers.NewResult(checkers.OK, "clock within %s ms of NTP time (%s)", formatMS(o.Warning), from)
	}
	for _, s := range others {
		res.AddDetail("%s", s)
	}
	warn, crit := checkers.Range{Start: -o.Warning, End: o.Warning}, checkers.Range{Start: -o.Critical, End: o.Critical}
	res.AddPerfdata(checkers.Perfdata{Label: "offset", Value: ms, UOM: "ms", Warn: &warn, Crit: &crit})
	return res
}

// formatMS writes milliseconds with up to three decimals, keeping what
// the original lost (it truncated to whole milliseconds).
func formatMS(ms float64) string {
	return checkers.FormatNumber(math.Round(ms*1000) / 1000)
}
