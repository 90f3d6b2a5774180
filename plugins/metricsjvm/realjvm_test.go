//go:build linux

package metricsjvm_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/hsperf"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/servertest"
	"github.com/teko-dev/teko/plugins/metricsjvm"
)

// hello allocates a little, says ready, and then idles until its stdin
// closes (when the test process ends, however it ends). The normal JVM
// runs it compiled, so that jps names it TekoHello (a source-file launch,
// "java TekoHello.java", is named Main, as any other one on the machine);
// the hidden one runs it as a source file.
const hello = `public class TekoHello {
    static byte[][] keep = new byte[64][];
    public static void main(String[] args) throws Exception {
        for (int i = 0; i < keep.length; i++) keep[i] = new byte[64 * 1024];
        System.out.println("ready");
        while (System.in.read() >= 0) {}
    }
}
`

// jvms are the two JVMs of this package, started once: a normal one and
// one started with -XX:+PerfDisableSharedMem.
type jvms struct {
	normal, hidden *servertest.Process
	dir            string
}

var shared servertest.Shared[*jvms]

func TestMain(m *testing.M) {
	code := plugintest.RunTests(m)
	shared.Close()
	os.Exit(code)
}

func startJVMs() (*jvms, func(), error) {
	java, err := servertest.Find("openjdk-17-jdk-headless", "java")
	if err != nil {
		return nil, nil, err
	}
	if _, err := servertest.Find("openjdk-17-jdk-headless", "jstat"); err != nil {
		return nil, nil, err
	}
	javac, err := servertest.Find("openjdk-17-jdk-headless", "javac")
	if err != nil {
		return nil, nil, err
	}
	dir, err := servertest.TempDir("jvm")
	if err != nil {
		return nil, nil, err
	}
	src := filepath.Join(dir, "TekoHello.java")
	if err := os.WriteFile(src, []byte(hello), 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	var (
		mu      sync.Mutex
		writers []*os.File
	)
	start := func(name string, args ...string) (*servertest.Process, error) {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, err
		}
		mu.Lock()
		writers = append(writers, w)
		mu.Unlock()
		cmd := exec.Command(java, append([]string{"-Xmx128m"}, args...)...)
		cmd.Stdin = r
		p, err := servertest.Start(cmd, filepath.Join(dir, name+".log"))
		r.Close()
		if err != nil {
			return nil, err
		}
		return p, p.WaitWithin(60*time.Second, func() error {
			if strings.Contains(servertest.Tail(p.Log, 200), "ready") {
				return nil
			}
			return errors.New("not ready")
		})
	}
	j := &jvms{dir: dir}
	var wg sync.WaitGroup
	var err1, err2 error
	wg.Add(2)
	go func() {
		defer wg.Done()
		if out, err := exec.Command(javac, "-d", dir, src).CombinedOutput(); err != nil {
			err1 = fmt.Errorf("javac: %v: %s", err, out)
			return
		}
		j.normal, err1 = start("normal", "-cp", dir, "TekoHello")
	}()
	go func() { defer wg.Done(); j.hidden, err2 = start("hidden", "-XX:+PerfDisableSharedMem", src) }()
	wg.Wait()
	stop := func() {
		for _, w := range writers {
			w.Close()
		}
		j.normal.Stop()
		j.hidden.Stop()
		os.RemoveAll(dir)
	}
	if err := errors.Join(err1, err2); err != nil {
		stop()
		return nil, nil, err
	}
	return j, stop, nil
}

func get(t *testing.T) *jvms { return shared.Get(t, startJVMs) }

func pidFile(t *testing.T, pid int) string {
	f := filepath.Join(t.TempDir(), "app.pid")
	require.NoError(t, os.WriteFile(f, []byte(strconv.Itoa(pid)+"\n"), 0o644))
	return f
}

// jstat runs "jstat -<option> pid" and returns its columns by name.
func jstat(t *testing.T, option string, pid int) map[string]float64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "jstat", "-"+option, strconv.Itoa(pid)).Output()
	require.NoError(t, err, "jstat -%s: %s", option, out)
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	require.Len(t, lines, 2, string(out))
	names, values := strings.Fields(lines[0]), strings.Fields(lines[1])
	require.Equal(t, len(names), len(values))
	cols := map[string]float64{}
	for i, n := range names {
		if v, err := strconv.ParseFloat(values[i], 64); err == nil {
			cols[n] = v
		}
	}
	return cols
}

func jcmd(t *testing.T, pid int, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "jcmd", append([]string{strconv.Itoa(pid)}, args...)...).CombinedOutput()
	require.NoError(t, err, "%s", out)
}

// The sizes match jstat's columns (KiB with one decimal; ours in bytes,
// as the original's ×1024); a column that moved between the two jstat
// readings around the run may hold either value.
func TestSizesMatchJstat(t *testing.T) {
	j := get(t)
	pid := j.normal.Cmd.Process.Pid
	h := plugintest.New(t, metricsjvm.Plugin)
	args := []string{"-javaname", "Hello", "-pidfile", pidFile(t, pid)}
	gc1, cap1 := jstat(t, "gc", pid), jstat(t, "gccapacity", pid)
	v := h.Values(h.Run(args...), args...)
	gc2, cap2 := jstat(t, "gc", pid), jstat(t, "gccapacity", pid)

	check := func(name string, col string, a, b map[string]float64) {
		t.Helper()
		got, ok := v["jvm.hello."+name]
		require.True(t, ok, "jvm.hello.%s not printed", name)
		kib := got / 1024
		if abs(kib-a[col]) > 0.051 && abs(kib-b[col]) > 0.051 {
			t.Errorf("%s: %v bytes = %.2f KiB; jstat %s said %v then %v", name, got, kib, col, a[col], b[col])
		}
	}
	for name, col := range map[string]string{
		"new_space.EU": "EU", "new_space.S0U": "S0U", "new_space.S1U": "S1U", "old_space.OU": "OU",
		"metaspace.MC": "MC", "metaspace.MU": "MU", "metaspace.CCSC": "CCSC", "metaspace.CCSU": "CCSU",
	} {
		check(name, col, gc1, gc2)
	}
	for name, col := range map[string]string{
		"new_space.NGCMX": "NGCMX", "new_space.NGC": "NGC", "old_space.OGCMX": "OGCMX", "old_space.OGC": "OGC",
		"metaspace.MCMN": "MCMN", "metaspace.MCMX": "MCMX",
	} {
		check(name, col, cap1, cap2)
	}
	assert.InDelta(t, 100*gc2["OU"]/gc2["OC"], v["jvm.hello.memorySpace.oldSpaceRate"], 0.5)
	assert.InDelta(t, 100*(gc2["S0U"]+gc2["S1U"]+gc2["EU"])/(gc2["S0C"]+gc2["S1C"]+gc2["EC"]), v["jvm.hello.memorySpace.newSpaceRate"], 1)
	for name := range v {
		assert.NotContains(t, name, "perm_space", "Java 17 has no permanent generation")
		assert.NotContains(t, name, "CMSInitiatingOccupancyFraction", "G1, not CMS")
	}
}

// GC counts and times are per-minute rates; over one minute of the fake
// clock they are jstat's differences.
func TestGCRatesMatchJstat(t *testing.T) {
	j := get(t)
	pid := j.normal.Cmd.Process.Pid
	h := plugintest.New(t, metricsjvm.Plugin)
	args := []string{"-javaname", "TekoHello"} // found by name, as jps shows it
	before := jstat(t, "gc", pid)
	v1 := h.Values(h.Run(args...), args...)
	assert.NotContains(t, v1, "jvm.tekohello.gc_events.FGC", "no rate on the first run")
	jcmd(t, pid, "GC.run")
	jcmd(t, pid, "GC.run")
	h.Advance(time.Minute)
	r := h.Run(args...)
	v := h.Values(r, args...)
	after := jstat(t, "gc", pid)
	assert.Empty(t, r.Stderr)

	for _, c := range []struct{ events, time string }{{"YGC", "YGCT"}, {"FGC", "FGCT"}, {"CGC", "CGCT"}} {
		assert.Equal(t, after[c.events]-before[c.events], v["jvm.tekohello.gc_events."+c.events], c.events)
		dt := after[c.time] - before[c.time]
		assert.InDelta(t, dt, v["jvm.tekohello.gc_time."+c.time], 0.0011, c.time)
		assert.InDelta(t, dt*100/60, v["jvm.tekohello.gc_time_percentage."+c.time], 0.002, c.time)
	}
	assert.GreaterOrEqual(t, v["jvm.tekohello.gc_events.FGC"], 2.0, "two System.gc() are two full collections")
	assert.Greater(t, v["jvm.tekohello.gc_time.FGCT"], 0.0)
}

// --format prometheus prints the GC time totals in seconds, as jstat's
// YGCT and FGCT columns, not in the JVM's clock ticks.
func TestPrometheusGCTimeTotalsInSeconds(t *testing.T) {
	j := get(t)
	pid := j.normal.Cmd.Process.Pid
	jcmd(t, pid, "GC.run")
	h := plugintest.New(t, metricsjvm.Plugin)
	before := jstat(t, "gc", pid)
	r := h.Run("-javaname", "TekoHello", "--format", "prometheus")
	after := jstat(t, "gc", pid)
	require.Equal(t, 0, r.Code, r.Stderr)
	for _, col := range []string{"YGCT", "FGCT"} {
		got := -1.0
		for _, line := range strings.Split(r.Stdout, "\n") {
			if v, ok := strings.CutPrefix(line, "jvm_tekohello_gc_time_"+strings.ToLower(col)+"_total "); ok {
				var err error
				got, err = strconv.ParseFloat(v, 64)
				require.NoError(t, err)
			}
		}
		// jstat rounds to milliseconds
		assert.GreaterOrEqual(t, got, before[col]-0.0006, "%s in seconds as jstat's (%v)", col, before[col])
		assert.LessOrEqual(t, got, after[col]+0.0006, "%s in seconds as jstat's (%v)", col, after[col])
	}
}

func TestPerfDisableSharedMemIsNamed(t *testing.T) {
	j := get(t)
	pid := j.hidden.Cmd.Process.Pid
	_, err := os.Stat(hsperf.Path("root", pid))
	require.True(t, os.IsNotExist(err) || os.Getuid() != 0, "the flag leaves no file")
	h := plugintest.New(t, metricsjvm.Plugin)
	r := h.Run("-javaname", "Hidden", "-pidfile", pidFile(t, pid))
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "-XX:+PerfDisableSharedMem")
	assert.Contains(t, r.Stderr, strconv.Itoa(pid))
}

// A JVM that is gone (exited, or killed with its file left behind)
// prints no values and says so.
func TestGoneJVM(t *testing.T) {
	j := get(t)
	live := j.normal.Cmd.Process.Pid
	dead := exec.Command("true")
	require.NoError(t, dead.Run())
	deadPID := dead.Process.Pid
	// What SIGKILL leaves: the file of a JVM whose process is gone.
	data, err := os.ReadFile(hsperf.Path(currentUser(t), live))
	require.NoError(t, err)
	leftover := hsperf.Path(currentUser(t), deadPID)
	require.NoError(t, os.WriteFile(leftover, data, 0o600))
	defer os.Remove(leftover)

	h := plugintest.New(t, metricsjvm.Plugin)
	pf := pidFile(t, live)
	args := []string{"-javaname", "app", "-pidfile", pf}
	h.Values(h.Run(args...), args...)
	require.NoError(t, os.WriteFile(pf, []byte(strconv.Itoa(deadPID)), 0o644)) // restarted? no: gone
	h.Advance(time.Minute)
	r := h.Run(args...)
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "is not running")

	r = h.Run("-javaname", "NoSuchApp")
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, `no running JVM named "NoSuchApp"`)
	assert.Contains(t, r.Stderr, fmt.Sprintf("TekoHello (%d)", live), "names the JVMs it saw")
	assert.NotContains(t, r.Stderr, strconv.Itoa(deadPID), "a leftover file is no JVM")
}

func currentUser(t *testing.T) string {
	f, err := hsperf.FindPID(get(t).normal.Cmd.Process.Pid)
	require.NoError(t, err)
	return f.User
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// Found by name, a JVM that hides its counters is named with its flag:
// jps would not list it at all. (java TekoHello.java is "Main" to jps.)
func TestPerfDisableSharedMemFoundByName(t *testing.T) {
	j := get(t)
	files, err := hsperf.Files()
	require.NoError(t, err)
	for _, f := range files {
		if d, err := hsperf.ReadFile(f.Path); err == nil && d.MainClass() == "Main" && syscall.Kill(f.PID, 0) == nil {
			t.Skipf("another JVM named Main runs here (pid %d)", f.PID)
		}
	}
	h := plugintest.New(t, metricsjvm.Plugin)
	r := h.Run("-javaname", "Main")
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, fmt.Sprintf("process %d was started with -XX:+PerfDisableSharedMem", j.hidden.Cmd.Process.Pid))
}

// The file is its owner's: another user is told to run as the JVM's
// user (the original's jps just listed nothing).
func TestAnotherUsersJVM(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run the plugin as nobody")
	}
	runuser, err := exec.LookPath("runuser")
	if err != nil {
		t.Skip("no runuser")
	}
	j := get(t)
	bin := plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/metrics-jvm")
	dir, err := servertest.TempDir("jvmbin")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	exe := filepath.Join(dir, "metrics-jvm")
	b, err := os.ReadFile(bin)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(exe, b, 0o755))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, runuser, "-u", "nobody", "--", exe, "-javaname", "TekoHello", "--state-dir", dir)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee)
	assert.Equal(t, 3, ee.ExitCode())
	assert.Empty(t, stdout.String())
	assert.Contains(t, stderr.String(), "could not be read: run metrics-jvm as the JVM's user")

	pf := filepath.Join(dir, "app.pid")
	require.NoError(t, os.WriteFile(pf, []byte(strconv.Itoa(j.normal.Cmd.Process.Pid)), 0o644))
	stderr.Reset()
	cmd = exec.CommandContext(ctx, runuser, "-u", "nobody", "--", exe, "-javaname", "app", "-pidfile", pf, "--state-dir", dir)
	cmd.Stderr = &stderr
	require.Error(t, cmd.Run())
	assert.Contains(t, stderr.String(), "permission denied: run metrics-jvm as the JVM's user root")
}

// A named pipe where the JVM's file belongs (put there by the JVM's user,
// whose directory it is) ends the run at once, saying what it is; before,
// opening it waited for a writer until -t ran out ("timed out").
func TestPipeInPlaceOfTheFile(t *testing.T) {
	sleeper := exec.Command("sleep", "30")
	require.NoError(t, sleeper.Start())
	defer func() { sleeper.Process.Kill(); sleeper.Wait() }()
	dir := filepath.Dir(hsperf.Path(currentUser(t), sleeper.Process.Pid))
	require.NoError(t, os.MkdirAll(dir, 0o755))
	fifo := hsperf.Path(currentUser(t), sleeper.Process.Pid)
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	defer os.Remove(fifo)

	h := plugintest.New(t, metricsjvm.Plugin)
	start := time.Now()
	r := h.Run("-javaname", "app", "-pidfile", pidFile(t, sleeper.Process.Pid), "-t", "5")
	assert.Less(t, time.Since(start), 3*time.Second)
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, fifo+": not a regular file")
}
