package state_test

// Fault injection through the plugin runtime: what an operator sees when
// the state store's disk misbehaves, and that the state survives it.
// Each fault gives UNKNOWN with a reason, or a clean recovery; a failed
// run never moves the saved state, so the next good run goes on from
// where the last good run stopped.

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugin/state"
)

// faultCheck counts its runs in the state store, like a log check moving
// its position: a run that reports "run N" must be followed by "run N+1".
type faultCheck struct {
	plugin.StateOptions
	Instance       string `long:"instance" default:"a" description:"names the instance (part of the state key)"`
	RemoveStateDir bool   `long:"remove-state-dir" statekey:"-" description:"remove the state directory after loading, as a cleaner might"`
}

type runCount struct{ N int }

func (o *faultCheck) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	st, err := inv.State()
	if err != nil {
		return nil, err
	}
	var c runCount
	if _, err := st.Load(&c); err != nil {
		return nil, err
	}
	c.N++
	if err := st.Save(c); err != nil {
		return nil, err
	}
	if o.RemoveStateDir {
		if err := os.RemoveAll(inv.StateDir()); err != nil {
			return nil, err
		}
	}
	return checkers.NewResult(checkers.OK, "run %d", c.N), nil
}

var faultPlugin = &plugin.Plugin{
	Name: "check-fault", Title: "FAULT", Description: "counts its runs",
	New: func() any { return &faultCheck{} },
}

// TestFaultChild is the child process of the tests that need one; run
// normally, it does nothing. FAULT_CHILD says what to do:
//
//	run      run faultPlugin with FAULT_ARGS, after applying FAULT_FSIZE
//	         (see limitFileSize) when it is set
//	hold     open the store in FAULT_DIR, print "locked", and hang, as a
//	         stuck run would
func TestFaultChild(t *testing.T) {
	switch os.Getenv("FAULT_CHILD") {
	case "run":
		if n := os.Getenv("FAULT_FSIZE"); n != "" {
			if err := limitFileSize(n); err != nil {
				fmt.Println("limit:", err)
				os.Exit(99)
			}
		}
		os.Exit(plugin.RunMain(faultPlugin, strings.Fields(os.Getenv("FAULT_ARGS"))))
	case "hold":
		st, err := state.Open(context.Background(), state.Options{Dir: os.Getenv("FAULT_DIR"), Key: os.Getenv("FAULT_KEY")})
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("locked")
		time.Sleep(time.Hour)
		st.Close()
		os.Exit(0)
	}
}

func faultChild(mode string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestFaultChild$")
	cmd.Env = append(append(os.Environ(), "FAULT_CHILD="+mode), env...)
	return cmd
}

// runChild runs faultPlugin in a child process and returns its exit code
// and output.
func runChild(t *testing.T, args string, env ...string) (int, string, string) {
	t.Helper()
	cmd := faultChild("run", append(env, "FAULT_ARGS="+args)...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return code, stdout.String(), stderr.String()
}

func TestFaultStateFileReplacedByDirectory(t *testing.T) {
	h := plugintest.New(t, faultPlugin)
	dir := filepath.Join(t.TempDir(), "state")
	assert.Equal(t, "FAULT OK: run 1\n", h.Run("--state-dir", dir).Stdout)
	path := statePath(t, dir)
	require.NoError(t, os.Remove(path))
	require.NoError(t, os.Mkdir(path, 0o700))

	r := h.Run("--state-dir", dir)
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "FAULT UNKNOWN: state file "+path+": is a directory\n", r.Stdout)
	r = h.Run("--state-dir", dir)
	assert.Equal(t, "FAULT UNKNOWN: state file "+path+": is a directory\n", r.Stdout, "the same every time, never a silent fresh start")

	require.NoError(t, os.Remove(path))
	assert.Equal(t, "FAULT OK: run 1\n", h.Run("--state-dir", dir).Stdout, "once the directory is gone, a clean first run; the lock was not left held")
}

func TestFaultStateDirectoryDisappearsBetweenRuns(t *testing.T) {
	h := plugintest.New(t, faultPlugin)
	dir := filepath.Join(t.TempDir(), "var", "state")
	assert.Equal(t, "FAULT OK: run 1\n", h.Run("--state-dir", dir).Stdout)
	require.NoError(t, os.RemoveAll(filepath.Dir(dir)))

	r := h.Run("--state-dir", dir)
	assert.Equal(t, "FAULT OK: run 1\n", r.Stdout, "a clean start: the directory is made again")
	assert.Empty(t, r.Stderr)
	assertModes(t, dir)
	assert.Equal(t, "FAULT OK: run 2\n", h.Run("--state-dir", dir).Stdout)
}

func TestFaultStateDirectoryDisappearsDuringRun(t *testing.T) {
	h := plugintest.New(t, faultPlugin)
	dir := filepath.Join(t.TempDir(), "state")
	assert.Equal(t, "FAULT OK: run 1\n", h.Run("--state-dir", dir).Stdout)

	r := h.Run("--state-dir", dir, "--remove-state-dir")
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "FAULT UNKNOWN: state directory "+dir+": cannot write: no such file or directory\n", r.Stdout,
		"the state cannot be kept, so the run says so before reporting anything")
}

func TestFaultLockHeldByStuckProcess(t *testing.T) {
	h := plugintest.New(t, faultPlugin)
	dir := filepath.Join(t.TempDir(), "state")
	assert.Equal(t, "FAULT OK: run 1\n", h.Run("--state-dir", dir).Stdout)
	key := strings.TrimSuffix(filepath.Base(statePath(t, dir)), ".json")

	stuck := faultChild("hold", "FAULT_DIR="+dir, "FAULT_KEY="+key)
	out, err := stuck.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, stuck.Start())
	defer stuck.Process.Kill()
	buf := make([]byte, 7)
	_, err = out.Read(buf)
	require.NoError(t, err)
	require.Equal(t, "locked\n", string(buf))

	start := time.Now()
	r := h.Run("--state-dir", dir)
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "FAULT UNKNOWN: state "+statePath(t, dir)+" is locked by another run of this check (waited 5s)\n", r.Stdout)
	assert.Less(t, time.Since(start), 7*time.Second)

	// A short --timeout still names the lock, not only the deadline.
	start = time.Now()
	r = h.Run("--state-dir", dir, "-t", "2s")
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "FAULT UNKNOWN: state "+statePath(t, dir)+" is locked by another run of this check (waited 1.8s)\n", r.Stdout)
	assert.Less(t, time.Since(start), 3*time.Second)

	require.NoError(t, stuck.Process.Kill())
	stuck.Wait()
	assert.Equal(t, "FAULT OK: run 2\n", h.Run("--state-dir", dir).Stdout, "the stuck run's death frees the lock; nothing was lost")
}

func TestFaultPermissions(t *testing.T) {
	h := plugintest.New(t, faultPlugin)
	dir := filepath.Join(t.TempDir(), "new", "state")
	assert.Equal(t, "FAULT OK: run 1\n", h.Run("--state-dir", dir).Stdout)
	assertModes(t, dir)

	require.NoError(t, os.Chmod(statePath(t, dir), 0o666))
	r := h.Run("--state-dir", dir)
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "FAULT UNKNOWN: state "+statePath(t, dir)+" is writable by every user (mode -rw-rw-rw-); refusing to trust it: chmod o-w it or choose another --state-dir\n", r.Stdout)
	require.NoError(t, os.Chmod(statePath(t, dir), 0o600))

	require.NoError(t, os.Chmod(dir, 0o777))
	r = h.Run("--state-dir", dir)
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "FAULT UNKNOWN: state "+dir+" is writable by every user (mode -rwxrwxrwx); refusing to trust it: chmod o-w it or choose another --state-dir\n", r.Stdout)

	require.NoError(t, os.Chmod(dir, 0o777|fs.ModeSticky))
	assert.Equal(t, "FAULT OK: run 2\n", h.Run("--state-dir", dir).Stdout, "a sticky shared directory such as /tmp is fine")
}

// assertModes checks that the state directory is 0700 and every file in
// it 0600.
func assertModes(t *testing.T, dir string) {
	t.Helper()
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	if isUnixModes() {
		assert.Equal(t, fs.FileMode(0o700), fi.Mode().Perm(), dir)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	for _, e := range entries {
		fi, err := e.Info()
		require.NoError(t, err)
		if isUnixModes() {
			assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm(), e.Name())
		}
	}
}

// statePath returns the one state file in dir.
func statePath(t *testing.T, dir string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "check-fault-*.json"))
	require.NoError(t, err)
	require.Len(t, m, 1)
	return m[0]
}

// readRuns reads the run count saved in dir without taking part in a run.
func readRuns(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(statePath(t, dir))
	require.NoError(t, err)
	var n int
	_, err = fmt.Sscanf(string(b[strings.Index(string(b), `"data":`):]), `"data":{"N":%d}`, &n)
	require.NoError(t, err, "%s", b)
	return n
}
