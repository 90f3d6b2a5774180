// Package metricsaccesslog is metrics-accesslog: requests by status class
// and request-time percentiles from a web server's access log, a drop-in
// for mackerel-plugin-accesslog. See README.md.
package metricsaccesslog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/teko-dev/teko/metrics"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/logtail"
)

// Plugin is metrics-accesslog.
var Plugin = &plugin.Plugin{
	Name:           "metrics-accesslog",
	Aliases:        []string{"mackerel-plugin-accesslog"},
	Description:    "requests by status class and request-time percentiles from an access log (Apache/nginx combined or LTSV)",
	SingleDashLong: true,
	// The original's -format (the log's) is a runtime flag name in teko.
	New: func() any {
		o := &options{}
		o.Posfile = func(path string) {
			o.posfile = path
			if filepath.IsAbs(path) {
				o.StateDir = filepath.Dir(path)
			}
		}
		return o
	},
}

// MaxAge is how old the previous run may be for this run's counts to
// follow on from it. After a longer pause (the agent was stopped) the
// backlog is skipped, as the original does, rather than reported as one
// huge interval.
const MaxAge = metrics.DefaultMaxAge

type options struct {
	Format    Format       `long:"format" value-name:"ltsv|apache" statekey:"-" description:"log format: ltsv, or apache (common or combined); default: told apart line by line (the output format is then --teko-format)"`
	StateDir  string       `long:"state-dir" value-name:"DIR" statekey:"-" description:"directory for the read position (default: $MACKEREL_PLUGIN_WORKDIR, else a teko folder in the temp directory)"`
	Posfile   func(string) `long:"posfile" value-name:"FILE" statekey:"-" description:"mackerel-plugin-accesslog's position file: taken over on the first run; when absolute, its directory is also --state-dir's"`
	NoPosfile bool         `long:"no-posfile" description:"keep no position: read the whole file on every run"`
	posfile   string       // -posfile as given, to find the original's position
	Args      struct {
		Log string `positional-arg-name:"LOGFILE" required:"yes" description:"the access log"`
	} `positional-args:"yes" required:"yes"`
}

func (o *options) Prefix() string { return "accesslog" }

// Graphs are mackerel-plugin-accesslog's, key for key; the labels start
// with the prefix in title case, as the original's do.
func (o *options) Graphs() metrics.Graphs {
	return graphs("accesslog")
}

func graphs(prefix string) metrics.Graphs {
	r, n := utf8.DecodeRuneInString(prefix)
	label := string(unicode.ToTitle(r)) + prefix[n:]
	return metrics.Graphs{
		"access_num": {Label: label + " Access Num", Unit: metrics.Integer, Metrics: []metrics.Metric{
			{Name: "total_count", Label: "Total Count"},
			{Name: "5xx_count", Label: "HTTP 5xx Count", Stacked: true},
			{Name: "4xx_count", Label: "HTTP 4xx Count", Stacked: true},
			{Name: "3xx_count", Label: "HTTP 3xx Count", Stacked: true},
			{Name: "2xx_count", Label: "HTTP 2xx Count", Stacked: true},
		}},
		"access_rate": {Label: label + " Access Rate", Unit: metrics.Percentage, Metrics: []metrics.Metric{
			{Name: "5xx_percentage", Label: "HTTP 5xx Percentage", Stacked: true},
			{Name: "4xx_percentage", Label: "HTTP 4xx Percentage", Stacked: true},
			{Name: "3xx_percentage", Label: "HTTP 3xx Percentage", Stacked: true},
			{Name: "2xx_percentage", Label: "HTTP 2xx Percentage", Stacked: true},
		}},
		"latency": {Label: label + " Latency", Unit: metrics.Float, Metrics: []metrics.Metric{
			{Name: "99_percentile", Label: "99 Percentile"},
			{Name: "95_percentile", Label: "95 Percentile"},
			{Name: "90_percentile", Label: "90 Percentile"},
			{Name: "average", Label: "Average"},
		}},
	}
}

// saved is the state: per log file, where reading stopped and when.
type saved struct {
	Logs map[string]logState `json:"logs"`
}

type logState struct {
	Tail logtail.State `json:"tail"`
	Time time.Time     `json:"time"`
}

// Counts are one run's tallies.
type Counts struct {
	Total   uint64
	Class   [6]uint64 // by status / 100; 1xx is in Total only, as in the original
	Times   Times     // request times in seconds, of the lines that have one
	Skipped uint64    // lines that are not access log lines
	Example string    // why the first skipped line was skipped
}

func (c *Counts) add(f Format, line []byte) {
	line = bytes.TrimRight(line, "\r\n")
	if len(line) == 0 {
		return
	}
	r, err := f.Parse(line)
	if err != nil {
		if c.Skipped == 0 {
			c.Example = err.Error()
		}
		c.Skipped++
		return
	}
	c.Total++
	c.Class[r.Status/100]++
	if r.HasTime {
		c.Times.Add(r.Seconds)
	}
}

// Times tallies request times exactly, in memory that grows with the
// number of distinct times rather than of requests: logged times have a
// fixed resolution (nginx's $request_time is in milliseconds), so a
// million requests take a few thousand entries.
type Times struct {
	count map[float64]uint64
	n     uint64
	sum   float64
}

// Add records one request time.
func (t *Times) Add(v float64) {
	if t.count == nil {
		t.count = map[float64]uint64{}
	}
	t.count[v]++
	t.n++
	t.sum += v
}

// Len returns how many times were recorded.
func (t *Times) Len() uint64 { return t.n }

// Mean returns their average.
func (t *Times) Mean() float64 { return t.sum / float64(t.n) }

// Percentiles returns the nearest-rank percentile for each of ps: the
// smallest recorded time that at least p% of the times do not exceed,
// always one of the recorded times.
func (t *Times) Percentiles(ps ...float64) []float64 {
	keys := make([]float64, 0, len(t.count))
	for k := range t.count {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]float64, len(ps))
	for i, p := range ps {
		rank := uint64(math.Ceil(p / 100 * float64(t.n)))
		rank = min(max(rank, 1), t.n)
		var seen uint64
		for _, k := range keys {
			seen += t.count[k]
			if seen >= rank {
				out[i] = k
				break
			}
		}
	}
	return out
}

// Percentile returns the nearest-rank percentile of sorted values: the
// smallest value that at least p% of the values do not exceed. It is
// always one of the values.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	return sorted[min(max(rank, 1), len(sorted))-1]
}

// Collect reads what was appended to the log since the last run (the rest
// of a rotated file first) and reports this run's counts.
func (o *options) Collect(ctx context.Context, inv *plugin.Invocation, b *metrics.Batch) error {
	path, err := filepath.Abs(o.Args.Log)
	if err != nil {
		return err
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("%s is a directory, not a log file", path)
	}
	t := &logtail.Tailer{Deadline: readDeadline(ctx)}
	var c Counts
	emit := func(blk logtail.Block) {
		lines := blk.Lines
		for len(lines) > 0 {
			i := bytes.IndexByte(lines, '\n')
			if i < 0 {
				c.add(o.Format, lines)
				break
			}
			c.add(o.Format, lines[:i])
			lines = lines[i+1:]
		}
	}
	if o.NoPosfile {
		_, rep := t.Run(ctx, []string{path}, nil, emit)
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if err := failed(rep); err != nil {
			return err
		}
		if left, _ := rep.Backlog(); left > 0 {
			return fmt.Errorf("%s: %d bytes left unread within the run's time; without a position the counts would be partial (raise -t, or drop --no-posfile)", path, left)
		}
		o.report(inv, b, &c)
		return nil
	}

	st, err := inv.State()
	if err != nil {
		return err
	}
	var s saved
	if _, err := st.Load(&s); err != nil {
		return err
	}
	if s.Logs == nil {
		s.Logs = map[string]logState{}
	}
	now := inv.Now()
	for p, l := range s.Logs {
		// Instances that differ only in their log share a state: forget
		// a log no run has read for a week.
		if p != path && now.Sub(l.Time) > 7*24*time.Hour {
			delete(s.Logs, p)
		}
	}
	prev, found := s.Logs[path]
	fresh := found && !prev.Time.After(now) && now.Sub(prev.Time) <= MaxAge
	if !found {
		// Switching from mackerel-plugin-accesslog: go on from where it
		// stopped.
		if taken, ok := importMackerel(mackerelPosfile(o.Args.Log, o.posfile, inv.Getenv("MACKEREL_PLUGIN_WORKDIR")), path, now); ok {
			prev, fresh = logState{Tail: *taken}, true
		}
	}
	if !fresh {
		// The first run, or the first after a long pause: start at the
		// end, print nothing (there is no interval to count over).
		t.StartAtEnd = true
		next, rep := t.Run(ctx, []string{path}, nil, func(logtail.Block) {})
		if err := failed(rep); err != nil {
			return err
		}
		if found {
			inv.Warnf("the last run was at %s, more than %v ago (or in the future): skipped to the end of %s", prev.Time.Format(time.RFC3339), MaxAge, path)
		}
		s.Logs[path] = logState{Tail: *next, Time: now}
		return st.Save(s)
	}
	next, rep := t.Run(ctx, []string{path}, &prev.Tail, emit)
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	if err := failed(rep); err != nil {
		return err
	}
	o.report(inv, b, &c)
	s.Logs[path] = logState{Tail: *next, Time: now}
	return st.Save(s)
}

// failed turns the files that could not be read into one error.
func failed(rep *logtail.Report) error {
	var msgs []string
	for _, f := range rep.Failed() {
		msgs = append(msgs, f.Path+": "+f.Err.Error())
	}
	if len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "; "))
	}
	return nil
}

// readDeadline leaves a quarter of the run's time to report: a huge
// backlog is read on over the next runs.
func readDeadline(ctx context.Context) time.Time {
	dl, ok := ctx.Deadline()
	if !ok {
		return time.Time{}
	}
	return time.Now().Add(time.Until(dl) * 3 / 4)
}

func (o *options) report(inv *plugin.Invocation, b *metrics.Batch, c *Counts) {
	b.Gauge("access_num.total_count", float64(c.Total))
	for class := 2; class <= 5; class++ {
		b.Gauge(fmt.Sprintf("access_num.%dxx_count", class), float64(c.Class[class]))
	}
	if c.Total > 0 {
		for class := 2; class <= 5; class++ {
			b.Gauge(fmt.Sprintf("access_rate.%dxx_percentage", class), float64(c.Class[class])*100/float64(c.Total))
		}
	}
	if c.Times.Len() > 0 {
		b.Gauge("latency.average", c.Times.Mean())
		ps := c.Times.Percentiles(90, 95, 99)
		b.Gauge("latency.90_percentile", ps[0])
		b.Gauge("latency.95_percentile", ps[1])
		b.Gauge("latency.99_percentile", ps[2])
	}
	if c.Skipped > 0 {
		inv.Warnf("%d lines are not access log lines and were not counted; the first: %s", c.Skipped, c.Example)
	}
}
