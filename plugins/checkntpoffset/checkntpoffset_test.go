package checkntpoffset

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
)

// offsetOf returns the offset perfdata of a --format nagios run.
func offsetOf(t *testing.T, stdout string) float64 {
	t.Helper()
	m := regexp.MustCompile(`offset=(-?[0-9.]+)ms;`).FindStringSubmatch(stdout)
	require.NotNil(t, m, "no offset perfdata in %q", stdout)
	v, err := strconv.ParseFloat(m[1], 64)
	require.NoError(t, err)
	return v
}

// fake starts an SNTP server answering with reply.
func fake(t *testing.T, reply func([]byte) []byte) string {
	t.Helper()
	addr, stop, err := serveSNTP(reply)
	require.NoError(t, err)
	t.Cleanup(stop)
	return addr
}

func TestRealChronyIsOKWithItsOffset(t *testing.T) {
	c := syncedChrony.Get(t, startChrony(true))
	r := plugintest.New(t, Plugin).Run("-s", c.Addr(), "--format", "nagios")
	require.Equal(t, 0, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "NTP OK: clock within 50 ms of NTP time ("+c.Addr()+", stratum 8)")
	// chronyd serves our own clock: the offset is the exchange's noise.
	assert.Less(t, abs(offsetOf(t, r.Stdout)), 5.0)
}

func TestRealUnsynchronisedChronyIsCritical(t *testing.T) {
	c := unsyncedChrony.Get(t, startChrony(false))
	r := plugintest.New(t, Plugin).Run("-s", c.Addr())
	assert.Equal(t, 2, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, c.Addr()+" is not synchronised")

	// With a synchronised server beside it, the synchronised one counts.
	good := syncedChrony.Get(t, startChrony(true))
	r = plugintest.New(t, Plugin).Run("-s", c.Addr()+","+good.Addr())
	assert.Equal(t, 0, r.Code, "%v", r)
}

func TestChronycTrackingFromTheRealDaemon(t *testing.T) {
	c := syncedChrony.Get(t, startChrony(true))
	csv, err := exec.Command("chronyc", "-h", c.Socket, "-n", "-c", "tracking").CombinedOutput()
	require.NoError(t, err, "%s", csv)
	human, err := exec.Command("chronyc", "-h", c.Socket, "-n", "tracking").Output()
	require.NoError(t, err)
	r, err := parseChronyTracking(csv)
	require.NoError(t, err)
	assert.Equal(t, 8, r.Stratum)
	assert.Empty(t, r.Unsynced)
	m := regexp.MustCompile(`System time\s*:\s*([0-9.]+) seconds (fast|slow)`).FindStringSubmatch(string(human))
	require.NotNil(t, m, "%s", human)
	secs, _ := strconv.ParseFloat(m[1], 64)
	if m[2] == "fast" {
		secs = -secs
	}
	assert.InDelta(t, secs*1e3, float64(r.Offset)/1e6, 1e-6, "the offset is chronyc's System time")

	unsynced := unsyncedChrony.Get(t, startChrony(false))
	csv, err = exec.Command("chronyc", "-h", unsynced.Socket, "-n", "-c", "tracking").Output()
	require.NoError(t, err)
	r, err = parseChronyTracking(csv)
	require.NoError(t, err)
	assert.Contains(t, r.Unsynced, "not synchronised")
}

func TestOffsetsAreJudgedWithFractions(t *testing.T) {
	for _, tc := range []struct {
		skew time.Duration
		code int
		want string
	}{
		{400 * time.Microsecond, 0, "NTP OK: clock within 50 ms"},
		{75 * time.Millisecond, 1, "NTP WARNING: clock off by 7"},
		{-75 * time.Millisecond, 1, "NTP WARNING: clock off by -7"},
		{150 * time.Millisecond, 2, "NTP CRITICAL: clock off by 1"},
		{-3 * time.Second, 2, "NTP CRITICAL: clock off by -"},
	} {
		addr := fake(t, func(req []byte) []byte { return answer(req, 0, 3, tc.skew) })
		r := plugintest.New(t, Plugin).Run("-s", addr, "--format", "nagios")
		assert.Equal(t, tc.code, r.Code, "%s: %v", tc.skew, r)
		assert.Contains(t, r.Stdout, tc.want)
		got := offsetOf(t, r.Stdout)
		assert.InDelta(t, float64(tc.skew)/1e6, got, 20, "%s: the exchange's round trip, slow under -race on a loaded machine, is the only error", tc.skew)
		if tc.skew == 400*time.Microsecond {
			assert.NotEqual(t, 0.0, got, "fractions of a millisecond are kept (the original printed 0)")
		}
	}
}

func TestThresholdsAreMilliseconds(t *testing.T) {
	addr := fake(t, func(req []byte) []byte { return answer(req, 0, 3, 30*time.Millisecond) })
	r := plugintest.New(t, Plugin).Run("-s", addr, "-w", "10", "-c", "20.5")
	assert.Equal(t, 2, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "> 20.5 ms")
}

// silent is a UDP port that reads and never answers.
func silent(t *testing.T) string {
	t.Helper()
	return fake(t, func([]byte) []byte { return nil })
}

func TestSilentServerEndsWithinTheNTPTimeout(t *testing.T) {
	addr := silent(t)
	start := time.Now()
	r := plugintest.New(t, Plugin).Run("-s", addr, "-t", "0.5")
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Equal(t, 3, r.Code, "%v", r)
	assert.Regexp(t, regexp.QuoteMeta(addr)+`: no answer within \d+ms\n`, r.Stdout)
}

func TestSilentServerEndsWithinTheRunTimeoutToo(t *testing.T) {
	addr := silent(t)
	exe := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-ntpoffset")
	start := time.Now()
	out, err := exec.Command(exe, "-s", addr, "--timeout", "1").Output() // -t is 15 s
	elapsed := time.Since(start)
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 3, ee.ExitCode())
	assert.Less(t, elapsed, 3*time.Second)
	assert.Contains(t, string(out), addr+": no answer", "the server is named before the run's deadline")
}

func TestADeadFirstServerDoesNotStallTheRun(t *testing.T) {
	good := fake(t, func(req []byte) []byte { return answer(req, 0, 2, 0) })
	start := time.Now()
	r := plugintest.New(t, Plugin).Run("-s", silent(t)+", "+good)
	assert.Equal(t, 0, r.Code, "%v", r)
	assert.Less(t, time.Since(start), 2*time.Second)
}

func TestBadAnswers(t *testing.T) {
	for name, tc := range map[string]struct {
		reply func([]byte) []byte
		code  int
		want  string
	}{
		"short":     {func([]byte) []byte { return []byte("hello") }, 3, "is not an NTP packet"},
		"mode":      {func(req []byte) []byte { a := answer(req, 0, 2, 0); a[0] = 4<<3 | 3; return a }, 3, "mode 3"},
		"kiss":      {func(req []byte) []byte { a := answer(req, 0, 0, 0); copy(a[12:], "RATE"); return a }, 2, "kiss code RATE"},
		"leap 3":    {func(req []byte) []byte { return answer(req, 3, 2, 0) }, 2, "leap indicator 3"},
		"stratum16": {func(req []byte) []byte { return answer(req, 0, 16, 0) }, 2, "stratum 16"},
		"forged":    {func(req []byte) []byte { a := answer(req, 0, 2, 0); a[25]++; return a }, 3, "ms (1 packet that did not answer this request)"},
		"zero time": {func(req []byte) []byte { a := answer(req, 0, 2, 0); clear(a[32:48]); return a }, 3, "not in order"},
	} {
		addr := fake(t, tc.reply)
		r := plugintest.New(t, Plugin).Run("-s", addr, "-t", "0.5")
		assert.Equal(t, tc.code, r.Code, "%s: %v", name, r)
		assert.Contains(t, r.Stdout, tc.want, name)
	}
}

func TestBadFlagsAreUnknown(t *testing.T) {
	for _, args := range [][]string{
		{"-w", "abc"}, {"-c", "-1"}, {"-s", " , "}, {"-t", "0"}, {"-t", "soon"},
	} {
		r := plugintest.New(t, Plugin).Run(args...)
		assert.Equal(t, 3, r.Code, "%v: %v", args, r)
		assert.True(t, strings.HasPrefix(r.Stdout, "NTP UNKNOWN: "), "%v: %v", args, r)
	}
}

func TestIPv6Server(t *testing.T) {
	addr := servertest.ServeUDP(t, "udp6", "", func(req []byte) []byte { return answer(req, 0, 2, 0) })
	r := plugintest.New(t, Plugin).Run("-s", addr)
	assert.Equal(t, 0, r.Code, "%v", r)
	assert.Equal(t, "[::1]:123", serverAddress("::1"))
	assert.Equal(t, "[::1]:123", serverAddress("[::1]"))
	assert.Equal(t, "ntp.example:123", serverAddress("ntp.example"))
}

// procWith makes a /proc fixture whose processes have these names.
func procWith(t *testing.T, comms ...string) string {
	root := t.TempDir()
	for i, c := range append([]string{"systemd", "sshd"}, comms...) {
		dir := filepath.Join(root, strconv.Itoa(i+1))
		require.NoError(t, os.MkdirAll(dir, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "comm"), []byte(c+"\n"), 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "self"), 0o755))
	return root
}

// tool puts an executable script called name, printing out, first in PATH.
func tool(t *testing.T, name, out string) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\ncat <<'EOF'\n"+out+"EOF\n"), 0o755))
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func localCheck(t *testing.T, root string, args ...string) plugintest.Result {
	p := *Plugin
	p.New = func() any { o := Plugin.New().(*options); o.procRoot = root; return o }
	return plugintest.New(t, &p).Run(append(args, "--format", "nagios")...)
}

func TestLocalChronyd(t *testing.T) {
	tracking, err := os.ReadFile("testdata/chronyc-tracking.csv")
	require.NoError(t, err)
	tool(t, "chronyc", string(tracking))
	r := localCheck(t, procWith(t, "chronyd"))
	assert.Equal(t, 1, r.Code, "%v", r) // the recorded offset is 60.5 ms
	assert.Contains(t, r.Stdout, "clock off by 60.5 ms (chronyd, stratum 3)")

	unsynced, err := os.ReadFile("testdata/chronyc-tracking-unsynced.csv")
	require.NoError(t, err)
	tool(t, "chronyc", string(unsynced))
	r = localCheck(t, procWith(t, "chronyd"))
	assert.Equal(t, 1, r.Code, "%v", r)
	assert.Contains(t, r.Stdout, "chronyd is not synchronised")
	r = localCheck(t, procWith(t, "chronyd"), "-S")
	assert.Equal(t, 2, r.Code, "%v", r)
}

func TestLocalNTPD(t *testing.T) {
	for file, want := range map[string]string{
		"testdata/ntpq-rv.txt":     "NTP OK: clock within 50 ms of NTP time (ntpd, stratum 2)",
		"testdata/ntpsec-rv.txt":   "NTP CRITICAL: clock off by -123.456 ms (ntpd, stratum 3)",
		"testdata/ntpq-unsync.txt": "NTP WARNING: ntpd is not synchronised",
	} {
		out, err := os.ReadFile(file)
		require.NoError(t, err)
		tool(t, "ntpq", string(out))
		r := localCheck(t, procWith(t, "ntpd"))
		assert.Contains(t, r.Stdout, want, file)
	}
}

func TestLocalDaemonToolMissingOrHung(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	r := localCheck(t, procWith(t, "chronyd"))
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, "chronyc is not installed")

	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "chronyc"), []byte("#!/bin/sh\nexec /bin/sleep 30\n"), 0o755))
	t.Setenv("PATH", dir)
	start := time.Now()
	r = localCheck(t, procWith(t, "chronyd"), "-t", "0.5")
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, "chronyc did not answer in time")
}

func TestNoDaemonFallsBackToTheKernel(t *testing.T) {
	want, err := kernelClock()
	if err != nil {
		t.Skip(err)
	}
	r := localCheck(t, procWith(t, "cron"))
	if want.Unsynced != "" {
		assert.Equal(t, 1, r.Code, "%v", r)
		assert.Contains(t, r.Stdout, "the kernel says the clock is not synchronised")
	} else {
		assert.Contains(t, r.Stdout, "(kernel)")
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// chronyc says why it failed on stdout ("506 Cannot talk to daemon",
// as the real one does when chronyd's command socket is off or another
// user's): the message carries it, not only "exit status 1".
func TestLocalToolFailureSaysWhy(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "chronyc"), []byte("#!/bin/sh\necho '506 Cannot talk to daemon'\nexit 1\n"), 0o755))
	t.Setenv("PATH", dir)
	r := localCheck(t, procWith(t, "chronyd"))
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, "NTP UNKNOWN: chronyc -n -c tracking: 506 Cannot talk to daemon (exit status 1)")
}
