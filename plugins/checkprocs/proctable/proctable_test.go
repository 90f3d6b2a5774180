package proctable_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugins/checkprocs/proctable"
)

// sleeperEnv makes the test binary, started as a child, sleep until it
// is killed: a real process whose argv the test chooses.
const sleeperEnv = "PROCTABLE_TEST_SLEEP"

func TestMain(m *testing.M) {
	if os.Getenv(sleeperEnv) != "" {
		fmt.Println("ready") // exec is complete: argv and memory are in place
		time.Sleep(time.Hour)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// startSleeper starts the test binary with args as a sleeping child and
// returns it once it runs (exec.Cmd.Start returns while the kernel may
// still be setting up argv); it is killed when the test ends.
func startSleeper(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, args...)
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
	return cmd
}

// supported reports whether this system gives every fact.
func supported(t *testing.T) proctable.Fields {
	t.Helper()
	switch runtime.GOOS {
	case "linux", "freebsd":
		return proctable.All
	case "darwin":
		return proctable.All &^ proctable.Threads
	case "windows":
		return proctable.All &^ proctable.State
	}
	t.Skipf("no process table on %s", runtime.GOOS)
	return 0
}

func find(t *testing.T, need proctable.Fields, pid int) *proctable.Process {
	t.Helper()
	tab, err := proctable.Read(context.Background(), need)
	require.NoError(t, err)
	p := tab.Find(pid)
	require.NotNil(t, p, "pid %d is not listed", pid)
	require.NoError(t, p.Load(need))
	return p
}

func TestOwnProcess(t *testing.T) {
	need := supported(t)
	p := find(t, need, os.Getpid())
	assert.Equal(t, need, p.Loaded()&need)
	assert.Equal(t, strings.Join(os.Args, " "), p.Args)
	assert.Equal(t, os.Args[0], p.Argv0)
	assert.Equal(t, os.Getppid(), p.PPID)
	assert.NotEmpty(t, p.Name)
	assert.Greater(t, p.RSS, uint64(1<<20), "a Go test binary uses more than 1 MiB")
	assert.GreaterOrEqual(t, p.VSZ, p.RSS)
	assert.Greater(t, p.Elapsed, time.Duration(0))
	if runtime.GOOS != "windows" {
		assert.Equal(t, strconv.Itoa(os.Geteuid()), p.UID)
		assert.Contains(t, "RS", string(p.State), "the test process runs or sleeps")
	}
	if need&proctable.Threads != 0 {
		assert.GreaterOrEqual(t, p.Threads, 2, "the Go runtime starts threads")
	}
}

// The command line is argv as the process has it: spaces inside an
// argument, empty arguments and tabs are kept, not reflowed.
func TestArgsAsTheProcessHasThem(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only /proc gives argv exactly")
	}
	cmd := startSleeper(t, "two  spaces", "", "tab\there", "end")
	p := find(t, proctable.Args|proctable.Name, cmd.Process.Pid)
	assert.Equal(t, cmd.Path+" two  spaces  tab\there end", p.Args)
	assert.Equal(t, cmd.Path, p.Argv0)
}

func TestElapsedAndCPUTime(t *testing.T) {
	supported(t)
	cmd := startSleeper(t)
	time.Sleep(1200 * time.Millisecond)
	p := find(t, proctable.Times, cmd.Process.Pid)
	assert.GreaterOrEqual(t, p.Elapsed, time.Second)
	assert.Less(t, p.Elapsed, time.Minute)
	assert.Less(t, p.CPUTime, p.Elapsed, "a sleeper hardly uses the CPU")
	assert.Less(t, p.CPUPercent(), 50.0)
}

// A process that exits between the listing and the reading of its facts
// is ErrGone, whatever fact is asked for.
func TestGoneAfterListing(t *testing.T) {
	need := supported(t)
	cmd := startSleeper(t)
	tab, err := proctable.Read(context.Background(), need&^proctable.Name)
	require.NoError(t, err)
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()
	if runtime.GOOS == "darwin" || runtime.GOOS == "freebsd" {
		t.Skip("ps reads every fact with the listing")
	}
	for _, f := range []proctable.Fields{proctable.Args, proctable.UID, proctable.Times, proctable.Memory} {
		p := tab.Find(cmd.Process.Pid)
		require.NotNil(t, p)
		err := p.Load(f)
		assert.True(t, errors.Is(err, proctable.ErrGone), "%s: %v", f, err)
	}
}

// A zombie has no command line: it shows as "[name]", as in ps.
func TestZombie(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("zombies are a Unix thing and ps shows them its own way")
	}
	cmd := exec.Command("sleep", "60")
	require.NoError(t, cmd.Start())
	defer cmd.Wait() //nolint:errcheck // reaps the zombie
	require.NoError(t, cmd.Process.Kill())
	var p *proctable.Process
	require.Eventually(t, func() bool {
		p = find(t, proctable.Args|proctable.State, cmd.Process.Pid)
		return p.State == 'Z'
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, "[sleep]", p.Args)
	assert.Equal(t, "", p.Argv0)
}

func TestKernelThreadHasPlaceholderArgs(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux kernel threads")
	}
	tab, err := proctable.Read(context.Background(), proctable.Args)
	require.NoError(t, err)
	p := tab.Find(2)
	if p == nil || p.Load(proctable.Name) != nil || p.Name != "kthreadd" {
		t.Skip("no kthreadd in this PID namespace")
	}
	require.NoError(t, p.Load(proctable.Args))
	assert.Equal(t, "[kthreadd]", p.Args)
}

func TestUnsupportedFactIsAnError(t *testing.T) {
	var missing proctable.Fields
	switch runtime.GOOS {
	case "darwin":
		missing = proctable.Threads
	case "windows":
		missing = proctable.State
	default:
		t.Skip("every fact is supported here")
	}
	_, err := proctable.Read(context.Background(), missing)
	assert.ErrorContains(t, err, "not available on "+runtime.GOOS)
}

func TestHandMadeProcessHoldsEverything(t *testing.T) {
	p := proctable.Process{PID: 7, Args: "x"}
	assert.NoError(t, p.Load(proctable.All))
	assert.Equal(t, proctable.All, p.Loaded())
	assert.Equal(t, "x", p.Args)
}

func TestFieldsString(t *testing.T) {
	assert.Equal(t, "command line, owner", (proctable.Args | proctable.UID).String())
}

func TestCPUPercent(t *testing.T) {
	p := proctable.Process{Elapsed: 10 * time.Second, CPUTime: 2500 * time.Millisecond}
	assert.InDelta(t, 25.0, p.CPUPercent(), 1e-9)
	assert.Zero(t, (&proctable.Process{}).CPUPercent())
}

// BenchmarkScan lists the processes and reads every command line: the
// work of a check that matches patterns.
func BenchmarkScan(b *testing.B) {
	for b.Loop() {
		tab, err := proctable.Read(context.Background(), proctable.Args)
		if err != nil {
			b.Fatal(err)
		}
		for i := range tab.Processes {
			_ = tab.Processes[i].Load(proctable.Args)
		}
	}
}

// BenchmarkScanAll reads every fact of every process.
func BenchmarkScanAll(b *testing.B) {
	need := proctable.All
	switch runtime.GOOS {
	case "darwin":
		need &^= proctable.Threads
	case "windows":
		need &^= proctable.State
	}
	for b.Loop() {
		tab, err := proctable.Read(context.Background(), need)
		if err != nil {
			b.Fatal(err)
		}
		for i := range tab.Processes {
			_ = tab.Processes[i].Load(need)
		}
	}
}

func ExampleRead() {
	tab, err := proctable.Read(context.Background(), proctable.Args)
	if err != nil {
		fmt.Println(err)
		return
	}
	self := tab.Find(os.Getpid())
	if err := self.Load(proctable.Args); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(self.Argv0 == os.Args[0])
	// Output: true
}
