package checkprocs_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugins/checkprocs"
	"github.com/teko-dev/teko/plugins/conformance"
)

// The test binary plays two more parts, chosen by the environment: a
// sleeper, a real process with the argv a test gives it; and the
// check-procs binary itself, so that tests can run it under sh -c,
// timeout and the like, as an agent does.
const (
	sleeperEnv = "CHECKPROCS_TEST_SLEEP"
	pluginEnv  = "CHECKPROCS_TEST_PLUGIN"
)

func TestMain(m *testing.M) {
	switch {
	case os.Getenv(sleeperEnv) != "":
		fmt.Println("ready") // exec is complete: argv and memory are in place
		time.Sleep(time.Hour)
		os.Exit(0)
	case os.Getenv(pluginEnv) != "":
		plugin.Main(checkprocs.Plugin)
	}
	os.Exit(m.Run())
}

func linuxOnly(t *testing.T) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("runs real processes the Linux way")
	}
}

var tagSeq atomic.Int64

// newTag returns a word no other process has in its command line: the
// tests count the processes they start by it, whatever else runs.
func newTag() string {
	return fmt.Sprintf("sleeper%dx%dx%d", os.Getpid(), tagSeq.Add(1), time.Now().UnixNano()%1e6)
}

func testBinary(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	return exe
}

// startSleeper starts a sleeping copy of the test binary with argv
// [exe, args...] and returns once it runs; it is killed when the test
// ends.
func startSleeper(t *testing.T, exe string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(exe, args...)
	startReady(t, cmd)
	return cmd
}

// startReady starts cmd as a sleeper, kills it when the test ends, and
// waits for its "ready" line.
// exec.Cmd.Start returns while the kernel is still inside execve: for a
// moment the new process has no command line and almost no memory, and
// a check run then would rightly not count it.
func startReady(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.Env = append(os.Environ(), sleeperEnv+"=1")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err, "sleeper did not start")
	require.Equal(t, "ready\n", line)
}

func startSleepers(t *testing.T, n int, tag string) []*exec.Cmd {
	t.Helper()
	var cmds []*exec.Cmd
	for range n {
		cmds = append(cmds, startSleeper(t, testBinary(t), tag))
	}
	return cmds
}

// check runs check-procs in-process.
func check(t *testing.T, args ...string) plugintest.Result {
	t.Helper()
	return plugintest.New(t, checkprocs.Plugin).Run(args...)
}

// shell runs script with sh, $CHECK_PROCS naming the check-procs binary,
// and returns the exit code and the output.
func shell(t *testing.T, script string) (int, string) {
	t.Helper()
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(os.Environ(), pluginEnv+"=1", "CHECK_PROCS="+testBinary(t))
	out, err := cmd.Output()
	if _, exited := err.(*exec.ExitError); err != nil && !exited {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), string(out)
}

func TestCountsMatchingProcesses(t *testing.T) {
	linuxOnly(t)
	tag := newTag()
	startSleepers(t, 3, tag)
	r := check(t, "-p", tag, "--format", "nagios")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "PROCS OK: 3 processes matching /"+tag+"/ | procs=3;1:;1:;0\nOK: 3 processes matching /"+tag+"/\n", r.Stdout)
	assert.Empty(t, r.Stderr)
}

func TestNothingRunningIsCritical(t *testing.T) {
	tag := newTag()
	r := check(t, "-p", tag)
	assert.Equal(t, 2, r.Code)
	assert.Equal(t, "PROCS CRITICAL: 0 processes matching /"+tag+"/ (expected at least 1)\nCRITICAL: 0 processes matching /"+tag+"/ (expected at least 1)\n", r.Stdout)
}

// Each pattern is judged on its own and the worst status wins, in
// whatever order the patterns come.
func TestWorstPatternWinsInAnyOrder(t *testing.T) {
	linuxOnly(t)
	present, missing := newTag(), newTag()
	startSleepers(t, 2, present)
	for _, args := range [][]string{{"-p", missing, "-p", present}, {"-p", present, "-p", missing}} {
		r := check(t, append(args, "--format", "nagios")...)
		assert.Equal(t, 2, r.Code, "%v: %s", args, r.Stdout)
		assert.Contains(t, r.Stdout, "CRITICAL: 0 processes matching /"+missing+"/ (expected at least 1)\n")
		assert.Contains(t, r.Stdout, "OK: 2 processes matching /"+present+"/\n")
	}
	// The count that alerts leads the summary; the perfdata keeps the
	// order of the flags.
	r := check(t, "-p", present, "-p", missing, "--format", "nagios")
	first, _, _ := strings.Cut(r.Stdout, "\n")
	assert.Equal(t, "PROCS CRITICAL: 0 processes matching /"+missing+"/ (expected at least 1); 2 processes matching /"+present+"/ | procs_1=2;1:;1:;0 procs_2=0;1:;1:;0", first)
}

// With many patterns the output is cut at 1024 bytes; the count that
// alerts is still on the first line, whichever flag gave it.
func TestAlertSurvivesALongSummary(t *testing.T) {
	linuxOnly(t)
	present, missing := newTag(), newTag()
	startSleepers(t, 1, present)
	var args []string
	for i := range 30 {
		args = append(args, "-p", fmt.Sprintf("%s|pattern-number-%d-that-is-long", present, i))
	}
	args = append(args, "-p", missing, "-w", "5")
	r := check(t, args...)
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.LessOrEqual(t, len(r.Stdout), 1024)
	first, _, _ := strings.Cut(r.Stdout, "\n")
	assert.True(t, strings.HasPrefix(first, "PROCS CRITICAL: 0 processes matching /"+missing+"/ (expected at least 1); 1 process matching /"+present+"|pattern-number-0-that-is-long/; "), first)
	assert.Equal(t, r.Stdout, check(t, args...).Stdout, "the same result reads the same")
}

// The check never counts the shell that wraps it, however far up:
// "sh -c 'check-procs -p sleeper'" with no sleeper running is CRITICAL.
func TestWrappersAreNotCounted(t *testing.T) {
	linuxOnly(t)
	tag := newTag()
	for name, script := range map[string]string{
		"sh -c":        `"$CHECK_PROCS" -p ` + tag + `; exit $?`,
		"sh -c, twice": `sh -c '"$CHECK_PROCS" -p ` + tag + `; exit $?'; exit $?`,
		"timeout":      `timeout 30 "$CHECK_PROCS" -p ` + tag + `; exit $?`,
		"quoted":       `"$CHECK_PROCS" -p "` + tag + `" --pattern='` + tag + `' ; exit $?`,
	} {
		code, out := shell(t, script)
		assert.Equal(t, 2, code, "%s: %s", name, out)
		assert.Contains(t, out, "PROCS CRITICAL: 0 processes matching /"+tag+"/", name)
	}

	// -M counts them again, as in the old check-procs.
	code, out := shell(t, `sh -c '"$CHECK_PROCS" -M -p `+tag+`; exit $?'; exit $?`)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "PROCS OK: 2 processes matching /"+tag+"/")

	// With the daemon running, it alone is counted.
	startSleepers(t, 1, tag)
	code, out = shell(t, `sh -c '"$CHECK_PROCS" -p `+tag+`; exit $?'; exit $?`)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "PROCS OK: 1 process matching /"+tag+"/\n")
}

// An ancestor that does not run the check, here a shell whose command
// line merely matches the pattern, is counted like any process (as sshd
// is when an operator runs the check by hand).
func TestAncestorThatIsNotAWrapperIsCounted(t *testing.T) {
	linuxOnly(t)
	tag := newTag()
	script := filepath.Join(t.TempDir(), "run.sh")
	require.NoError(t, os.WriteFile(script, []byte(`"$CHECK_PROCS" -p "^sh -c : `+tag+`"; exit $?`+"\n"), 0o644))
	code, out := shell(t, `: `+tag+`; sh `+script+`; exit $?`)
	assert.Equal(t, 0, code, out)
	assert.Contains(t, out, "PROCS OK: 1 process matching")
}

func TestMatchSelf(t *testing.T) {
	linuxOnly(t)
	tag := newTag()
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"-p", tag}, 2},
		{[]string{"-p", tag, "-m"}, 0},
	} {
		cmd := exec.Command(testBinary(t), tc.args...)
		cmd.Env = append(os.Environ(), pluginEnv+"=1")
		out, _ := cmd.Output()
		assert.Equal(t, tc.code, cmd.ProcessState.ExitCode(), "%v: %s", tc.args, out)
	}
}

// Arguments are matched as the process has them: argv joined by single
// spaces, so an argument with two spaces or an empty one shows as such.
func TestArgsMatchedAsTheProcessHasThem(t *testing.T) {
	linuxOnly(t)
	tag := newTag()
	startSleeper(t, testBinary(t), tag, "two  spaces", "", "end")
	r := check(t, "-p", tag+" two  spaces  end$", "-p", tag+" two spaces end")
	assert.Contains(t, r.Stdout, "OK: 1 process matching /"+tag+" two  spaces  end$/\n")
	assert.Contains(t, r.Stdout, "CRITICAL: 0 processes matching /"+tag+" two spaces end/")
}

func TestExcludePattern(t *testing.T) {
	linuxOnly(t)
	tag := newTag()
	startSleeper(t, testBinary(t), tag, "keep")
	startSleeper(t, testBinary(t), tag, "drop")
	r := check(t, "-p", tag, "-x", "dr[o]p")
	assert.Equal(t, 0, r.Code)
	assert.Equal(t, "PROCS OK: 1 process matching /"+tag+"/\ncounting only processes not matching /dr[o]p/\nOK: 1 process matching /"+tag+"/\n", r.Stdout)
}

// -n matches the process name exactly, not its arguments; a name longer
// than the kernel keeps (15 bytes) still matches in full.
func TestName(t *testing.T) {
	linuxOnly(t)
	dir := t.TempDir()
	long := filepath.Join(dir, "daemon-with-a-long-name")
	require.NoError(t, os.Symlink(testBinary(t), long))
	startSleeper(t, long)
	tag := newTag()
	startSleeper(t, testBinary(t), tag, "daemon-with-a-long-name")

	for name, want := range map[string]int{
		"daemon-with-a-long-name":  1, // the whole name
		"daemon-with-a-":           0, // a part is not the name
		"daemon-with-a-long-other": 0, // the kernel's 15 bytes agree, the rest does not
	} {
		r := check(t, "-n", name, "-W", "0", "-C", "0")
		assert.Contains(t, r.Stdout, fmt.Sprintf("PROCS OK: %d %s named %s\n", want, map[bool]string{true: "process", false: "processes"}[want == 1], name))
	}
}

func TestUserFilters(t *testing.T) {
	linuxOnly(t)
	me, err := user.Current()
	require.NoError(t, err)
	tag := newTag()
	startSleepers(t, 2, tag)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-u", me.Uid}, "PROCS OK: 2 processes"},
		{[]string{"-u", me.Username}, "PROCS OK: 2 processes"},
		{[]string{"-u", "0", "-u", me.Username}, "PROCS OK: 2 processes"},
		{[]string{"-U", me.Username}, "PROCS CRITICAL: 0 processes"},
		{[]string{"-u", "00" + me.Uid}, "PROCS OK: 2 processes"}, // a uid with leading zeros is the same uid
		{[]string{"-U", "0" + me.Uid}, "PROCS CRITICAL: 0 processes"},
	} {
		r := check(t, append([]string{"-p", tag}, tc.args...)...)
		assert.Contains(t, r.Stdout, tc.want, "%v", tc.args)
	}
	r := check(t, "-p", tag, "-u", "no-such-user-"+tag)
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "PROCS UNKNOWN: --user: no user named \"no-such-user-"+tag+"\"\n", r.Stdout)
}

func TestStateFilter(t *testing.T) {
	linuxOnly(t)
	tag := newTag()
	startSleepers(t, 2, tag)
	zombie := exec.Command(testBinary(t), tag)
	zombie.Env = append(os.Environ(), sleeperEnv+"=1")
	require.NoError(t, zombie.Start())
	defer zombie.Wait() //nolint:errcheck // reaps the zombie
	require.NoError(t, zombie.Process.Kill())

	// A zombie has no command line ("[name]"), so count zombies by name.
	require.Eventually(t, func() bool {
		return strings.Contains(check(t, "-n", "checkprocs.test", "-s", "Z").Stdout, "PROCS OK: 1 process")
	}, 5*time.Second, 20*time.Millisecond)
	// The sleepers may still be starting (R) on a busy machine: wait
	// until both sleep.
	require.Eventually(t, func() bool {
		r := check(t, "-p", tag, "-s", "S")
		return strings.HasPrefix(r.Stdout, "PROCS OK: 2 processes matching /"+tag+"/\ncounting only processes in state S\n")
	}, 10*time.Second, 20*time.Millisecond)
	r := check(t, "-p", tag, "-s", "DR")
	assert.Contains(t, r.Stdout, "PROCS CRITICAL: 0 processes")
	assert.Contains(t, r.Stdout, "counting only processes in state D or R\n")
	// The usual zombie alarm: no -W/-C, WARNING above 0 and CRITICAL above 5.
	r = check(t, "-n", "checkprocs.test", "-s", "Z", "-W", "0", "-C", "0", "-w", "0", "-c", "5")
	assert.Equal(t, 1, r.Code, r.Stdout)
	assert.Contains(t, r.Stdout, "PROCS WARNING: 1 process named checkprocs.test (expected at most 0)\n")
}

func TestPIDFile(t *testing.T) {
	linuxOnly(t)
	tag := newTag()
	daemon := startSleepers(t, 2, tag)[0]
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "daemon.pid")
	require.NoError(t, os.WriteFile(pidFile, []byte(strconv.Itoa(daemon.Process.Pid)+"\n"), 0o644))

	r := check(t, "--pid-file", pidFile, "-p", tag)
	assert.Equal(t, 0, r.Code)
	assert.Equal(t, fmt.Sprintf("PROCS OK: 1 process matching /%s/\ncounting only processes with PID %d from %s\nOK: 1 process matching /%s/\n", tag, daemon.Process.Pid, pidFile, tag), r.Stdout)
	r = check(t, "-f", pidFile) // the old flag takes a file too
	assert.Equal(t, 0, r.Code, r.Stdout)
	r = check(t, "-f", strconv.Itoa(daemon.Process.Pid)) // or, as before, a PID
	assert.Contains(t, r.Stdout, fmt.Sprintf("PROCS OK: 1 process\ncounting only processes with PID %d\n", daemon.Process.Pid))

	// A PID reused by another program: the pattern tells.
	r = check(t, "--pid-file", pidFile, "-p", "not-"+tag)
	assert.Equal(t, 2, r.Code)

	require.NoError(t, daemon.Process.Kill())
	_ = daemon.Wait()
	r = check(t, "--pid-file", pidFile, "-p", tag)
	assert.Equal(t, 2, r.Code)
	assert.Equal(t, fmt.Sprintf("PROCS CRITICAL: pid file %s names PID %d, which is not running (stale pid file)\n", pidFile, daemon.Process.Pid), r.Stdout)

	r = check(t, "--pid-file", filepath.Join(dir, "missing.pid"))
	assert.Equal(t, 2, r.Code)
	assert.Equal(t, "PROCS CRITICAL: pid file "+filepath.Join(dir, "missing.pid")+" does not exist\n", r.Stdout)

	require.NoError(t, os.WriteFile(pidFile, []byte("nginx\n"), 0o644))
	r = check(t, "--pid-file", pidFile)
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "PROCS UNKNOWN: pid file "+pidFile+" holds \"nginx\", not a process ID\n", r.Stdout)

	r = check(t, "--pid-file", dir) // a directory: unreadable
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, "PROCS UNKNOWN: pid file: read "+dir)

	// A name that is not a pid file: its head is read, not all of it.
	r = check(t, "--pid-file", "/dev/zero")
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, `PROCS UNKNOWN: pid file /dev/zero holds "`+strings.Repeat(`\x00`, 40)+`…", not a process ID`+"\n", r.Stdout)
}

func TestPIDFileOfAZombieIsStale(t *testing.T) {
	linuxOnly(t)
	zombie := exec.Command("sleep", "60")
	require.NoError(t, zombie.Start())
	defer zombie.Wait() //nolint:errcheck // reaps the zombie
	require.NoError(t, zombie.Process.Kill())
	pidFile := filepath.Join(t.TempDir(), "sleep.pid")
	require.NoError(t, os.WriteFile(pidFile, []byte(strconv.Itoa(zombie.Process.Pid)), 0o644))
	require.Eventually(t, func() bool {
		return strings.Contains(check(t, "--pid-file", pidFile).Stdout, "which has exited (a zombie)")
	}, 5*time.Second, 20*time.Millisecond)
	// -f with the PID itself: a zombie is just as dead.
	r := check(t, "-f", strconv.Itoa(zombie.Process.Pid))
	assert.Equal(t, 2, r.Code, r.Stdout)
	assert.Equal(t, fmt.Sprintf("PROCS CRITICAL: PID %d has exited (a zombie)\n", zombie.Process.Pid), r.Stdout)
}

// Time and resource filters do what their names say.
func TestTimeAndResourceFilters(t *testing.T) {
	linuxOnly(t)
	tag := newTag()
	startSleepers(t, 2, tag)
	// A process a few milliseconds old may have used the CPU all its
	// life: let the sleepers age before judging %CPU.
	require.Eventually(t, func() bool {
		return strings.HasPrefix(check(t, "-p", tag, "-e", "1").Stdout, "PROCS OK: 2 processes")
	}, 10*time.Second, 50*time.Millisecond)
	for _, tc := range []struct {
		args  []string
		count int
	}{
		{[]string{"-e", "3600"}, 0},
		{[]string{"-E", "1h"}, 2},
		{[]string{"-e", "0", "-E", "60"}, 2},
		{[]string{"-i", "100"}, 0},
		{[]string{"-I", "100"}, 2},
		{[]string{"--pcpu-over", "90"}, 0},
		{[]string{"--pcpu-under", "90%"}, 2},
		{[]string{"--rss-over", "1M"}, 2}, // a Go binary is resident beyond 1 MiB
		{[]string{"--rss-under", "1024"}, 0},
		{[]string{"--rss-over", "16TiB"}, 0},
		{[]string{"--vsz-over", "1MiB"}, 2},
		{[]string{"--vsz-under", "1MiB"}, 0},
		{[]string{"--threads-over", "1"}, 2}, // the Go runtime runs several threads
		{[]string{"--threads-under", "2"}, 0},
	} {
		r := check(t, append([]string{"-p", tag, "-W", "0", "-C", "0"}, tc.args...)...)
		noun := "processes"
		if tc.count == 1 {
			noun = "process"
		}
		assert.Contains(t, r.Stdout, fmt.Sprintf("PROCS OK: %d %s matching", tc.count, noun), "%v", tc.args)
	}
	r := check(t, "-p", tag, "--rss-over", "2048", "--vsz-under", "1.5T", "-e", "90", "-I", "2.5", "--threads-over", "3")
	assert.Contains(t, r.Stdout, "counting only processes running for more than 1m30s, with less than 2.5s of CPU time, with RSS over 2MiB, with VSZ under 1.5TiB, with more than 3 threads\n")
}

func TestThresholds(t *testing.T) {
	linuxOnly(t)
	tag := newTag()
	startSleepers(t, 3, tag)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-w", "2"}, 1, "PROCS WARNING: 3 processes matching /" + tag + "/ (expected at most 2) | procs=3;1:2;1:;0"},
		{[]string{"-w", "2", "-c", "2"}, 2, "PROCS CRITICAL: 3 processes matching /" + tag + "/ (expected at most 2)"},
		{[]string{"-W", "4"}, 1, "PROCS WARNING: 3 processes matching /" + tag + "/ (expected at least 4) | procs=3;4:;1:;0"},
		{[]string{"-w", "4:8", "-c", "2:10"}, 1, "PROCS WARNING: 3 processes matching /" + tag + "/ (expected at least 4) | procs=3;4:8;2:10;0"},
		{[]string{"-c", "@3:5"}, 2, "PROCS CRITICAL: 3 processes matching /" + tag + "/ (expected outside 3 to 5) | procs=3;1:;@3:5;0"},
		{[]string{"-c", "~:2"}, 2, "PROCS CRITICAL: 3 processes matching /" + tag + "/ (expected at most 2) | procs=3;1:;~:2;0"},
		{[]string{"-W", "0", "-C", "0"}, 0, "PROCS OK: 3 processes matching /" + tag + "/ | procs=3;;;0"},
		{[]string{"--warn-over", "2"}, 1, "PROCS WARNING: 3 processes"}, // the old spelling
		{[]string{"--warn-under", "5"}, 1, "PROCS WARNING: 3 processes"},
	} {
		r := check(t, append([]string{"-p", tag, "--format", "nagios"}, tc.args...)...)
		assert.Equal(t, tc.code, r.Code, "%v: %s", tc.args, r.Stdout)
		assert.True(t, strings.HasPrefix(r.Stdout, tc.want), "%v:\n got %s\nwant %s", tc.args, r.Stdout, tc.want)
	}
}

// Bad input is one clear line and UNKNOWN, before anything is read.
func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-p", "("}, "PROCS UNKNOWN: --pattern \"(\": error parsing regexp: missing closing ): `(`\n"},
		{[]string{"-x", "[z-a]"}, "PROCS UNKNOWN: --exclude-pattern \"[z-a]\": error parsing regexp: invalid character class range: `z-a`\n"},
		{[]string{"-w", "x"}, "PROCS UNKNOWN: invalid argument for flag `-w, --warning-over': \"x\" is not a count (a whole number, 0 or more)\n"},
		{[]string{"-w", "5:2"}, "PROCS UNKNOWN: invalid argument for flag `-w, --warning-over': invalid range \"5:2\": start 5 is greater than end 2\n"},
		{[]string{"-w", "2:5", "-W", "3"}, "PROCS UNKNOWN: -w/--warning-over is a range, which gives both bounds: leave out -W/--warning-under\n"},
		{[]string{"-c", "0"}, "PROCS UNKNOWN: -C/--critical-under 1 (its default) and -c/--critical-over 0 leave no count that is not CRITICAL\n"},
		{[]string{"--warning-under=-1"}, "PROCS UNKNOWN: invalid argument for flag `-W, --warning-under': \"-1\" is not a count (a whole number, 0 or more)\n"},
		{[]string{"-s", "Z1"}, "PROCS UNKNOWN: --state \"Z1\": a state is one letter, as in ps's STAT (R, S, D, Z, T, I, …)\n"},
		{[]string{"--rss-over", "lots"}, "PROCS UNKNOWN: invalid argument for flag `--rss-over': \"lots\" is not a size (KiB, or a number with a unit: 512MiB, 2G)\n"},
		{[]string{"--rss-over", "2G", "--rss-under", "1G"}, "PROCS UNKNOWN: --rss-over and --rss-under leave no process to count: the value must be above the one and below the other\n"},
		{[]string{"-e", "soon"}, "PROCS UNKNOWN: invalid argument for flag `-e, --esec-over': \"soon\" is not a number of seconds or a duration such as 5m\n"},
		{[]string{"--pcpu-over=-5"}, "PROCS UNKNOWN: invalid argument for flag `--pcpu-over': \"-5\" is not a percentage (a number, 0 or more)\n"},
		{[]string{"-n", ""}, "PROCS UNKNOWN: --name: empty name\n"},
		{[]string{"--pid-file", "a", "-f", "b"}, "PROCS UNKNOWN: give --pid-file or -f/--file-pid, not both\n"},
		// An empty value, as a template with an unset variable writes it,
		// would otherwise drop the filter and count every process.
		{[]string{"--pid-file", ""}, "PROCS UNKNOWN: invalid argument for flag `--pid-file': empty value\n"},
		{[]string{"-f", ""}, "PROCS UNKNOWN: invalid argument for flag `-f, --file-pid': empty value\n"},
		{[]string{"-s", ""}, "PROCS UNKNOWN: invalid argument for flag `-s, --state': empty value\n"},
		{[]string{"-f", "0"}, "PROCS UNKNOWN: -f/--file-pid 0 is not a process ID\n"},
		{[]string{"--file-pid=-1"}, "PROCS UNKNOWN: -f/--file-pid -1 is not a process ID\n"},
		{[]string{"-f", "99999999999999999999"}, "PROCS UNKNOWN: -f/--file-pid 99999999999999999999 is not a process ID\n"},
		{[]string{"-r", "1000"}, "PROCS UNKNOWN: -r/--resident-set-size is not supported: the old check-procs counted the processes at or below the value although its help said above; say which you mean with --rss-over or --rss-under\n"},
		{[]string{"-z", "1000"}, "PROCS UNKNOWN: -z/--virtual-memory-size is not supported"},
		{[]string{"-P", "10"}, "PROCS UNKNOWN: -P/--proportional-set-size is not supported"},
		{[]string{"-T", "10"}, "PROCS UNKNOWN: -T/--thread-count is not supported"},
	} {
		r := check(t, tc.args...)
		assert.Equal(t, 3, r.Code, "%v", tc.args)
		assert.True(t, strings.HasPrefix(r.Stdout, tc.want), "%v:\n got %q\nwant %q", tc.args, r.Stdout, tc.want)
		assert.Equal(t, 1, strings.Count(r.Stdout, "\n"), "%v: one line", tc.args)
	}
}

// A state letter the system does not report would match nothing, and a
// zombie alarm written "-s z" would stay OK forever.
func TestUnknownStateLetter(t *testing.T) {
	linuxOnly(t)
	for _, tc := range []struct{ letters, want string }{
		{"z", "PROCS UNKNOWN: --state \"z\": z is not a process state on linux, which has R S D T t X x Z P I K W; did you mean Z?\n"},
		{"SQ", "PROCS UNKNOWN: --state \"SQ\": Q is not a process state on linux, which has R S D T t X x Z P I K W\n"},
	} {
		r := check(t, "-s", tc.letters, "-W", "0", "-C", "0", "-w", "0")
		assert.Equal(t, 3, r.Code, tc.letters)
		assert.Equal(t, tc.want, r.Stdout)
	}
	r := check(t, "-s", "t", "-W", "0", "-C", "0") // traced, a real lowercase state
	assert.Equal(t, 0, r.Code, r.Stdout)
}

// Processes that exit while the table is read are skipped without an
// error: runs amid a storm of short-lived processes are all clean.
func TestProcessesExitingWhileReadAreSkipped(t *testing.T) {
	linuxOnly(t)
	tag := newTag()
	startSleepers(t, 2, tag)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for ctx.Err() == nil {
				_ = exec.Command("true", tag+"-churn").Run()
			}
		})
	}
	defer func() { stop(); wg.Wait() }()
	me, err := user.Current()
	require.NoError(t, err)
	for range 40 {
		r := check(t, "-p", tag, "-u", me.Uid, "--rss-over", "1", "-s", "RSDZ", "-W", "2", "-w", "1000")
		require.Equal(t, 0, r.Code, r.Stdout)
		require.Empty(t, r.Stderr)
		require.NotContains(t, r.Stdout, "could not be read")
	}
}

func TestConformance(t *testing.T) {
	conformance.Test(t, checkprocs.Plugin)
	text, err := os.ReadFile("README.md")
	require.NoError(t, err)
	assert.NoError(t, conformance.CheckREADME(checkprocs.Plugin, string(text)))
}

// The plugin is a value: it runs in-process with its own arguments and
// output, here reporting a daemon whose pid file is missing.
func Example() {
	code := checkprocs.Plugin.Run(context.Background(), plugin.Env{
		Args:   []string{"--pid-file", "/nonexistent/nginx.pid", "-p", "nginx: master"},
		Stdout: os.Stdout,
		Stderr: os.Stderr,
	})
	fmt.Println("exit status", code)
	// Output:
	// PROCS CRITICAL: pid file /nonexistent/nginx.pid does not exist
	// exit status 2
}
