package checkmysql

import (
	"context"
	"fmt"
	"strings"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/mysqlclient"
)

type replicationCmd struct {
	plugin.Subcommand
	server
	Critical int64 `short:"c" long:"critical" default:"250" statekey:"-" description:"CRITICAL when a channel is more than this many seconds behind"`
	Warning  int64 `short:"w" long:"warning" default:"200" statekey:"-" description:"WARNING when a channel is more than this many seconds behind"`
}

func (c *replicationCmd) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	conn, res, err := c.connect(ctx, inv)
	if conn == nil {
		return res, err
	}
	defer conn.Close()
	channels, _, err := conn.Replicas(ctx)
	if err != nil {
		return downResult(queryFailure(err))
	}
	return c.judge(channels), nil
}

// judge rates every channel; the result is the worst. One unnamed
// channel reads as the original's messages; several are each named.
func (c *replicationCmd) judge(channels []mysqlclient.Replica) *checkers.Result {
	if len(channels) == 0 {
		return checkers.NewResult(checkers.OK, "MySQL is not a replica")
	}
	type verdict struct {
		st  checkers.Status
		msg string
	}
	var vs []verdict
	worst := checkers.OK
	var perf []checkers.Perfdata
	for _, ch := range channels {
		v := c.channel(ch)
		vs = append(vs, v)
		worst = checkers.Worst(worst, v.st)
		if ch.SecondsBehind != nil {
			label := "seconds_behind"
			if ch.Channel != "" {
				label += "_" + ch.Channel
			}
			perf = append(perf, checkers.Perfdata{Label: label, Value: float64(*ch.SecondsBehind), UOM: "s",
				Warn: &checkers.Range{End: float64(c.Warning)}, Crit: &checkers.Range{End: float64(c.Critical)}})
		}
	}
	var r *checkers.Result
	if len(channels) == 1 && channels[0].Channel == "" {
		r = checkers.NewResult(vs[0].st, "%s", vs[0].msg)
	} else {
		parts := make([]string, len(vs))
		for i, v := range vs {
			parts[i] = fmt.Sprintf("channel '%s': %s", channels[i].Channel, v.msg)
		}
		r = checkers.NewResult(worst, "%s", strings.Join(parts, "; "))
	}
	for _, ch := range channels {
		for _, e := range []string{ch.LastIOError, ch.LastSQLError} {
			if e != "" {
				r.AddDetail("%s: %s", ch.Name(), e)
			}
		}
	}
	r.AddPerfdata(perf...)
	return r
}

func (c *replicationCmd) channel(ch mysqlclient.Replica) (v struct {
	st  checkers.Status
	msg string
}) {
	if ch.IORunning != "Yes" || ch.SQLRunning != "Yes" {
		v.st = checkers.Critical
		v.msg = fmt.Sprintf("MySQL replication has been stopped (IO thread: %s, SQL thread: %s)", orNone(ch.IORunning), orNone(ch.SQLRunning))
		return v
	}
	if ch.SecondsBehind == nil {
		v.st = checkers.Unknown
		v.msg = "Unknown seconds behind in MySQL replication"
		return v
	}
	lag := *ch.SecondsBehind
	v.msg = fmt.Sprintf("MySQL replication behind master %d seconds", lag)
	switch {
	case lag > c.Critical:
		v.st = checkers.Critical
	case lag > c.Warning:
		v.st = checkers.Warning
	}
	return v
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
