package metricsaccesslog

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
)

func appendTo(t *testing.T, path string, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	require.NoError(t, err)
	_, err = f.WriteString(strings.Join(lines, ""))
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

func combined(status int) string {
	return fmt.Sprintf(`127.0.0.1 - - [01/Dec/2026:03:00:00 +0000] "GET /x?q=\"a b\" HTTP/1.1" %d 12 "-" "curl/8.0 \"quoted\""`+"\n", status)
}

func ltsv(status int, reqtime string) string {
	return fmt.Sprintf("time:01/Dec/2026:03:00:00 +0000\thost:127.0.0.1\treq:GET / HTTP/1.1\tstatus:%d\tsize:12\treqtime:%s\n", status, reqtime)
}

// The first run only finds the end; the next ones count exactly what was
// appended; a run with nothing new prints zeros, and no percentages or
// latency (there is nothing to take them of).
func TestCountsPerRun(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, log, combined(200), combined(500))
	h := plugintest.New(t, Plugin)
	assert.Empty(t, h.Values(h.Run(log), log), "the first run has no interval: nothing printed")

	appendTo(t, log, combined(200), combined(200), combined(201), combined(304), combined(404), combined(503), combined(101))
	h.Advance(time.Minute)
	v := h.Values(h.Run(log), log)
	assert.Equal(t, map[string]float64{
		"accesslog.access_num.total_count": 7, "accesslog.access_num.2xx_count": 3, "accesslog.access_num.3xx_count": 1,
		"accesslog.access_num.4xx_count": 1, "accesslog.access_num.5xx_count": 1,
		"accesslog.access_rate.2xx_percentage": 300.0 / 7, "accesslog.access_rate.3xx_percentage": 100.0 / 7,
		"accesslog.access_rate.4xx_percentage": 100.0 / 7, "accesslog.access_rate.5xx_percentage": 100.0 / 7,
	}, v)

	h.Advance(time.Minute)
	r := h.Run(log)
	v = h.Values(r, log)
	assert.Equal(t, map[string]float64{
		"accesslog.access_num.total_count": 0, "accesslog.access_num.2xx_count": 0, "accesslog.access_num.3xx_count": 0,
		"accesslog.access_num.4xx_count": 0, "accesslog.access_num.5xx_count": 0,
	}, v)
	assert.Empty(t, r.Stderr)
}

// An unfinished last line waits for its end; rename-and-create rotation,
// twice between two runs, loses and repeats nothing.
func TestRotation(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	appendTo(t, log, combined(200))
	h := plugintest.New(t, Plugin)
	h.Values(h.Run(log), log)

	half := combined(404)
	appendTo(t, log, combined(200), half[:20])
	h.Advance(time.Minute)
	v := h.Values(h.Run(log), log)
	assert.Equal(t, 1.0, v["accesslog.access_num.total_count"], "the unfinished line waits")

	appendTo(t, log, half[20:], combined(500))
	require.NoError(t, os.Rename(log, log+".1"))
	appendTo(t, log, combined(201), combined(202))
	require.NoError(t, os.Rename(log+".1", log+".2"))
	require.NoError(t, os.Rename(log, log+".1"))
	appendTo(t, log, combined(301))
	h.Advance(time.Minute)
	v = h.Values(h.Run(log), log)
	assert.Equal(t, 5.0, v["accesslog.access_num.total_count"], "the rest of the first file, the whole second, the third: %v", v)
	assert.Equal(t, 2.0, v["accesslog.access_num.2xx_count"])
	assert.Equal(t, 1.0, v["accesslog.access_num.3xx_count"])
	assert.Equal(t, 1.0, v["accesslog.access_num.4xx_count"])
	assert.Equal(t, 1.0, v["accesslog.access_num.5xx_count"])

	h.Advance(time.Minute)
	v = h.Values(h.Run(log), log)
	assert.Equal(t, 0.0, v["accesslog.access_num.total_count"], "nothing is read twice")
}

// LTSV request times give the latency graph: the average and
// nearest-rank percentiles, in seconds; reqtime_microsec wins over
// reqtime, as in the original.
func TestLatency(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.ltsv")
	appendTo(t, log, ltsv(200, "0.5"))
	h := plugintest.New(t, Plugin)
	h.Values(h.Run("-format", "ltsv", log), "-format", "ltsv", log)
	var lines []string
	for i := 1; i <= 20; i++ { // 0.01 … 0.20 s
		lines = append(lines, ltsv(200, fmt.Sprintf("%.3f", float64(i)/100)))
	}
	lines = append(lines, "status:500\treqtime_microsec:3000000\treqtime:0.001\n", ltsv(404, "-"))
	appendTo(t, log, lines...)
	h.Advance(time.Minute)
	v := h.Values(h.Run("-format", "ltsv", log), "-format", "ltsv", log)
	assert.Equal(t, 22.0, v["accesslog.access_num.total_count"])
	assert.InDelta(t, (2.1+3)/21, v["accesslog.latency.average"], 1e-12, "the line with reqtime - has no time")
	assert.Equal(t, 0.19, v["accesslog.latency.90_percentile"], "rank ceil(0.9*21)=19")
	assert.Equal(t, 0.20, v["accesslog.latency.95_percentile"], "rank 20")
	assert.Equal(t, 3.0, v["accesslog.latency.99_percentile"], "rank 21: the 3 s request")
}

func TestPercentile(t *testing.T) {
	assert.Equal(t, 7.0, Percentile([]float64{7}, 99), "one value is every percentile (the original gave NaN)")
	s := []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	assert.Equal(t, 9.0, Percentile(s, 90))
	assert.Equal(t, 10.0, Percentile(s, 95))
	assert.Equal(t, 10.0, Percentile(s, 99))
	assert.Equal(t, 1.0, Percentile(s, 0))
}

// Mixed formats are told apart line by line; lines that are neither are
// not counted, and said so on stderr.
func TestMixedAndBadLines(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, log, "")
	h := plugintest.New(t, Plugin)
	h.Values(h.Run(log), log)
	appendTo(t, log, combined(200), ltsv(404, "0.1"), "garbage line\n", combined(999), "\n")
	h.Advance(time.Minute)
	r := h.Run(log)
	v := h.Values(r, log)
	assert.Equal(t, 2.0, v["accesslog.access_num.total_count"])
	assert.Equal(t, 0.1, v["accesslog.latency.average"])
	assert.Equal(t, "metrics-accesslog: 2 lines are not access log lines and were not counted; the first: not an Apache log line: no [time]\n", r.Stderr)

	appendTo(t, log, ltsv(200, "0.1"))
	h.Advance(time.Minute)
	v = h.Values(h.Run("-format", "apache", log), "-format", "apache", log)
	assert.Equal(t, 0.0, v["accesslog.access_num.total_count"], "-format apache does not read LTSV")
}

// After a long pause the backlog is skipped, as in the original, with a
// note; the following run counts again.
func TestStalePosition(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, log, combined(200))
	h := plugintest.New(t, Plugin)
	h.Values(h.Run(log), log)
	appendTo(t, log, combined(200), combined(200))
	h.Advance(MaxAge + time.Second)
	r := h.Run(log)
	assert.Empty(t, h.Values(r, log))
	assert.Contains(t, r.Stderr, "more than 10m0s ago (or in the future): skipped to the end of "+log)
	appendTo(t, log, combined(500))
	h.Advance(time.Minute)
	v := h.Values(h.Run(log), log)
	assert.Equal(t, 1.0, v["accesslog.access_num.5xx_count"])
	assert.Equal(t, 1.0, v["accesslog.access_num.total_count"])
}

// -no-posfile counts the whole file on every run; -posfile puts the
// state beside the named file.
func TestPosfileFlags(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	appendTo(t, log, combined(200), combined(404))
	h := plugintest.New(t, Plugin)
	for range 2 {
		v := h.Values(h.Run("-no-posfile", log), "-no-posfile", log)
		assert.Equal(t, 2.0, v["accesslog.access_num.total_count"])
	}
	posdir := filepath.Join(dir, "pos")
	h.Values(h.Run("-posfile", filepath.Join(posdir, "x.pos.json"), log), log)
	entries, err := os.ReadDir(posdir)
	require.NoError(t, err)
	assert.NotEmpty(t, entries, "the state is kept in -posfile's directory")
}

func TestBadArguments(t *testing.T) {
	h := plugintest.New(t, Plugin)
	r := h.Run()
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout+r.Stderr, "LOGFILE")
	r = h.Run("-format", "json", "x.log")
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout+r.Stderr, `"json": want ltsv or apache`)
	dir := t.TempDir()
	r = h.Run(dir)
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stderr, "is a directory")
	r = h.Run(filepath.Join(dir, "missing.log"))
	assert.Equal(t, 3, r.Code, "a missing log prints nothing: %s", r.Stdout)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "missing.log")
}

func TestParseApache(t *testing.T) {
	for line, want := range map[string]int{
		`::1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326`:                       200,
		`www.example.com:80 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 302 - "-" "Mozilla/5.0"`: 302,
		`10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /\"] \"x HTTP/1.0" 404 0 "-" "-"`:                       404,
		`10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "\x16\x03\x01" 400 157 "-" "-"`:                              400,
		`10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 503 0 "-" "-" 0.123`:                        503,
	} {
		r, err := ParseApache([]byte(line))
		require.NoError(t, err, line)
		assert.Equal(t, want, r.Status, line)
	}
	for _, bad := range []string{`no brackets here`, `x [t] GET 200`, `x [t] "GET / 200`, `x [t] "GET /" abc 1`, `x [t] "GET /" 1000 1`} {
		_, err := ParseApache([]byte(bad))
		assert.Error(t, err, bad)
	}
}

// copytruncate (logrotate's other way): the copy's unread lines and the
// truncated file's new ones are each counted once.
func TestCopyTruncate(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	appendTo(t, log, combined(200))
	h := plugintest.New(t, Plugin)
	h.Values(h.Run(log), log)
	appendTo(t, log, combined(404), combined(404))
	data, err := os.ReadFile(log)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(log+".1", data, 0o644))
	require.NoError(t, os.Truncate(log, 0))
	appendTo(t, log, combined(500))
	h.Advance(time.Minute)
	v := h.Values(h.Run(log), log)
	assert.Equal(t, 3.0, v["accesslog.access_num.total_count"], "%v", v)
	assert.Equal(t, 2.0, v["accesslog.access_num.4xx_count"])
	assert.Equal(t, 1.0, v["accesslog.access_num.5xx_count"])
}

// Times gives the same percentiles as sorting every value, with
// repeated values kept once.
func TestTimesMatchesSorting(t *testing.T) {
	var tm Times
	var all []float64
	for i := range 5000 {
		v := float64((i*7919)%997) / 1000 // many repeats
		tm.Add(v)
		all = append(all, v)
	}
	slices.Sort(all)
	got := tm.Percentiles(0, 1, 50, 90, 95, 99, 100)
	for i, p := range []float64{0, 1, 50, 90, 95, 99, 100} {
		assert.Equal(t, Percentile(all, p), got[i], "p%v", p)
	}
	assert.Len(t, tm.count, 997)
	assert.EqualValues(t, 5000, tm.Len())
}

// Two logs under one prefix keep their own positions; a log no run has
// read for a week is forgotten.
func TestTwoLogsOneState(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	appendTo(t, a, combined(200))
	appendTo(t, b, combined(200))
	h := plugintest.New(t, Plugin)
	h.Values(h.Run(a), a)
	h.Values(h.Run(b), b)
	appendTo(t, a, combined(404))
	appendTo(t, b, combined(500), combined(500))
	h.Advance(time.Minute)
	assert.Equal(t, 1.0, h.Values(h.Run(a), a)["accesslog.access_num.4xx_count"])
	assert.Equal(t, 2.0, h.Values(h.Run(b), b)["accesslog.access_num.5xx_count"])
	state := func() string { // every state file's text
		var all []byte
		filepath.WalkDir(h.StateDir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				data, _ := os.ReadFile(p)
				all = append(all, data...)
			}
			return nil
		})
		return string(all)
	}
	require.Contains(t, state(), b)
	h.Advance(8 * 24 * time.Hour)
	h.Run(a)
	assert.Contains(t, state(), a)
	assert.NotContains(t, state(), b, "b, not read for a week, is forgotten")
}

// Without a position, a log too big to read within -t prints nothing
// rather than partial counts.
func TestNoPosfileTooBig(t *testing.T) {
	log := filepath.Join(t.TempDir(), "access.log")
	line := combined(200)
	require.NoError(t, os.WriteFile(log, []byte(strings.Repeat(line, 40<<20/len(line))), 0o644))
	r := plugintest.New(t, Plugin).Run("--no-posfile", "-t", "0.05", log)
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.NotEmpty(t, r.Stderr)
}

// A request time that is not a finite number (NaN, Inf, as strconv reads
// them) is refused like a negative one: one such line used to turn the
// run's average into NaN (not printed) and its percentiles into 0 or +Inf.
func TestNonFiniteRequestTime(t *testing.T) {
	for _, bad := range []string{"NaN", "nan", "Inf", "+Inf", "-Inf", "infinity"} {
		log := filepath.Join(t.TempDir(), "access.ltsv")
		appendTo(t, log, "")
		h := plugintest.New(t, Plugin)
		h.Values(h.Run("-format", "ltsv", log), "-format", "ltsv", log)
		appendTo(t, log, ltsv(200, "0.5"), ltsv(200, bad), ltsv(200, "0.5"),
			"status:200\treqtime_microsec:"+bad+"\n", "status:200\ttaken_sec:"+bad+"\n")
		h.Advance(time.Minute)
		r := h.Run("-format", "ltsv", log)
		v := h.Values(r, "-format", "ltsv", log)
		assert.Equal(t, 2.0, v["accesslog.access_num.total_count"], bad)
		assert.Equal(t, 0.5, v["accesslog.latency.average"], bad)
		assert.Equal(t, 0.5, v["accesslog.latency.99_percentile"], bad)
		assert.Contains(t, r.Stderr, "3 lines are not access log lines", bad)
	}
}
