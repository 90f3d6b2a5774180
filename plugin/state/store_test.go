package state

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The test binary doubles as the child process of the multi-process
// tests: TestMain dispatches on STATE_TEST_CHILD.
func TestMain(m *testing.M) {
	switch os.Getenv("STATE_TEST_CHILD") {
	case "increment":
		os.Exit(childIncrement(os.Getenv("STATE_TEST_DIR")))
	case "rewrite":
		os.Exit(childRewrite(os.Getenv("STATE_TEST_DIR")))
	case "open":
		_, err := Open(context.Background(), Options{Dir: os.Getenv("STATE_TEST_DIR"), Key: "k"})
		fmt.Print(err)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type counterState struct {
	N       int    `json:"n"`
	Padding string `json:"padding,omitempty"`
}

// childIncrement is one "run" of a plugin: read, think, write, with the
// output written between Prepare and Commit as the runtime does.
func childIncrement(dir string) int {
	s, err := Open(context.Background(), Options{Dir: dir, Key: "counter", LockWait: 20 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close()
	var st counterState
	if _, err := s.Load(&st); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	time.Sleep(10 * time.Millisecond) // widen the window a lost update would need
	st.N++
	s.Save(st)
	if err := s.Prepare(); err != nil {
		return 1
	}
	fmt.Println(st.N)
	if err := s.Commit(); err != nil {
		return 1
	}
	return 0
}

// childRewrite writes ever larger states as fast as it can until killed.
func childRewrite(dir string) int {
	s, err := Open(context.Background(), Options{Dir: dir, Key: "big"})
	if err != nil {
		return 1
	}
	for i := 1; ; i++ {
		s.Save(counterState{N: i, Padding: strings.Repeat("x", 1000+i%50000)})
		if err := s.Commit(); err != nil {
			return 1
		}
		if i == 1 {
			fmt.Println("started")
		}
	}
}

func child(t *testing.T, mode, dir string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "STATE_TEST_CHILD="+mode, "STATE_TEST_DIR="+dir)
	cmd.Stderr = os.Stderr
	return cmd
}

func TestKeyIsCanonical(t *testing.T) {
	a := Key("check-log", []string{"file=\"/var/log/x\"", "pattern=[\"ERROR\"]"})
	b := Key("check-log", []string{"pattern=[\"ERROR\"]", "file=\"/var/log/x\""})
	assert.Equal(t, a, b, "option order does not change the key")
	assert.NotEqual(t, a, Key("check-log", []string{"file=\"/var/log/y\"", "pattern=[\"ERROR\"]"}))
	assert.NotEqual(t, a, Key("check-foo", []string{"file=\"/var/log/x\"", "pattern=[\"ERROR\"]"}))
	assert.True(t, strings.HasPrefix(a, "check-log-"))
}

func TestDir(t *testing.T) {
	env := map[string]string{"MACKEREL_PLUGIN_WORKDIR": "/var/tmp/mackerel-agent"}
	assert.Equal(t, "/flag", Dir("/flag", func(k string) string { return env[k] }))
	assert.Equal(t, "/var/tmp/mackerel-agent", Dir("", func(k string) string { return env[k] }))
	assert.Equal(t, filepath.Join(os.TempDir(), defaultDirName()), Dir("", func(string) string { return "" }))
}

func TestRoundTripAndPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "state")
	s, err := Open(context.Background(), Options{Dir: dir, Key: "k", Describe: "pattern=x"})
	require.NoError(t, err, "missing directories are created")
	var st counterState
	found, err := s.Load(&st)
	require.NoError(t, err)
	assert.False(t, found, "first run")
	require.NoError(t, s.Save(counterState{N: 7}))
	_, err = os.Stat(s.Path())
	assert.True(t, os.IsNotExist(err), "Save only stages")
	require.NoError(t, s.Prepare())
	_, err = os.Stat(s.Path())
	assert.True(t, os.IsNotExist(err), "Prepare does not replace the state yet")
	require.NoError(t, s.Commit())
	require.NoError(t, s.Close())

	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	fi, err = os.Stat(filepath.Join(dir, "k.json"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		assert.False(t, strings.Contains(e.Name(), ".tmp-"), "no temp file left: %s", e.Name())
	}

	s, err = Open(context.Background(), Options{Dir: dir, Key: "k"})
	require.NoError(t, err)
	defer s.Close()
	found, err = s.Load(&st)
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, 7, st.N)
}

func TestCloseWithoutCommitKeepsOldState(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, 1)
	s, err := Open(context.Background(), Options{Dir: dir, Key: "k"})
	require.NoError(t, err)
	s.Save(counterState{N: 2})
	require.NoError(t, s.Prepare())
	require.NoError(t, s.Close()) // the run failed after preparing
	assert.Equal(t, 1, read(t, dir))
	entries, _ := os.ReadDir(dir)
	assert.Len(t, entries, 2, "state and lock file only, the prepared temp file is gone")
}

func write(t *testing.T, dir string, n int) {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: dir, Key: "k"})
	require.NoError(t, err)
	defer s.Close()
	s.Save(counterState{N: n})
	require.NoError(t, s.Commit())
}

func read(t *testing.T, dir string) int {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: dir, Key: "k"})
	require.NoError(t, err)
	defer s.Close()
	var st counterState
	_, err = s.Load(&st)
	require.NoError(t, err)
	return st.N
}

func TestCorruptAndUnknownVersion(t *testing.T) {
	for name, content := range map[string]string{
		"garbage":      "{not json",
		"empty":        "",
		"truncated":    `{"teko_state":1,"key":"k","data":{"n":`,
		"no version":   `{"key":"k","data":{"n":5}}`,
		"wrong shape":  `{"teko_state":1,"key":"k","data":{"n":"five"}}`,
		"not envelope": `[1,2,3]`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "k.json"), []byte(content), 0o600))
			var warnings []string
			s, err := Open(context.Background(), Options{Dir: dir, Key: "k", Warn: func(m string) { warnings = append(warnings, m) }})
			require.NoError(t, err)
			defer s.Close()
			st := counterState{N: -1}
			found, err := s.Load(&st)
			require.NoError(t, err)
			assert.False(t, found, "a fresh start")
			require.Len(t, warnings, 1)
			assert.Contains(t, warnings[0], filepath.Join(dir, "k.json"))
			assert.Contains(t, warnings[0], "starting afresh")
			// and the fresh state can be written over it
			s.Save(counterState{N: 3})
			require.NoError(t, s.Commit())
		})
	}
}

func TestStateFileReplacedByDirectory(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "k.json"), 0o700))
	s, err := Open(context.Background(), Options{Dir: dir, Key: "k"})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Load(&counterState{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), filepath.Join(dir, "k.json"))
}

func TestUnusableDirectory(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain-file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	_, err := Open(context.Background(), Options{Dir: filepath.Join(file, "state"), Key: "k"})
	require.Error(t, err)
	assert.Equal(t, "state directory "+filepath.Join(file, "state")+": not a directory", err.Error())
}

func TestReadOnlyDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ro")
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.Chmod(dir, 0o500))
	defer os.Chmod(dir, 0o700)
	msg := openAsUnprivileged(t, dir)
	assert.Equal(t, "state directory "+dir+": cannot create lock file: permission denied", msg)
}

func TestWorldWritableRefused(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Chmod(dir, 0o777))
	_, err := Open(context.Background(), Options{Dir: dir, Key: "k"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is writable by every user")

	require.NoError(t, os.Chmod(dir, 0o777|os.ModeSticky))
	s, err := Open(context.Background(), Options{Dir: dir, Key: "k"})
	require.NoError(t, err, "a sticky world-writable directory such as /tmp is fine")
	s.Save(counterState{N: 1})
	require.NoError(t, s.Commit())
	s.Close()

	require.NoError(t, os.Chmod(filepath.Join(dir, "k.json"), 0o666))
	s, err = Open(context.Background(), Options{Dir: dir, Key: "k"})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Load(&counterState{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "k.json is writable by every user")
}

func TestLockWaitIsBounded(t *testing.T) {
	dir := t.TempDir()
	first, err := Open(context.Background(), Options{Dir: dir, Key: "k"})
	require.NoError(t, err)
	start := time.Now()
	_, err = Open(context.Background(), Options{Dir: dir, Key: "k", LockWait: 150 * time.Millisecond})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is locked by another run of this check (waited 150ms)")
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)

	ctx, cancel := context.WithCancelCause(context.Background())
	go func() { time.Sleep(50 * time.Millisecond); cancel(fmt.Errorf("interrupted")) }()
	_, err = Open(ctx, Options{Dir: dir, Key: "k", LockWait: time.Minute})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "interrupted", "a cancelled run stops waiting")

	// Once the first run ends, the lock is free.
	require.NoError(t, first.Close())
	second, err := Open(context.Background(), Options{Dir: dir, Key: "k", LockWait: time.Second})
	require.NoError(t, err)
	second.Close()
}

func TestConcurrentProcessesNeverLoseAnUpdate(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	var wg sync.WaitGroup
	outputs := make([]string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			out, err := child(t, "increment", dir).Output()
			assert.NoError(t, err)
			outputs[i] = strings.TrimSpace(string(out))
		}(i)
	}
	wg.Wait()
	var st counterState
	s, err := Open(context.Background(), Options{Dir: dir, Key: "counter"})
	require.NoError(t, err)
	defer s.Close()
	_, err = s.Load(&st)
	require.NoError(t, err)
	assert.Equal(t, n, st.N, "every run saw the previous run's state")
	seen := map[string]bool{}
	for _, o := range outputs {
		assert.False(t, seen[o], "two runs reported the same count %s", o)
		seen[o] = true
	}
}

func TestKilledMidWriteLeavesReadableState(t *testing.T) {
	dir := t.TempDir()
	for round := 0; round < 5; round++ {
		cmd := child(t, "rewrite", dir)
		stdout, err := cmd.StdoutPipe()
		require.NoError(t, err)
		require.NoError(t, cmd.Start())
		buf := make([]byte, 8)
		_, err = stdout.Read(buf) // "started": at least one state is committed
		require.NoError(t, err)
		time.Sleep(time.Duration(5+round*7) * time.Millisecond)
		require.NoError(t, cmd.Process.Kill()) // SIGKILL, no chance to clean up
		cmd.Wait()

		var warnings []string
		s, err := Open(context.Background(), Options{Dir: dir, Key: "big", Warn: func(m string) { warnings = append(warnings, m) }})
		require.NoError(t, err, "the killed process's lock died with it")
		var st counterState
		found, err := s.Load(&st)
		require.NoError(t, err)
		assert.True(t, found)
		assert.Empty(t, warnings, "never a torn file")
		assert.Equal(t, 1000+st.N%50000, len(st.Padding), "a whole state of round %d", round)
		s.Close()
	}
}

func TestChildHelperWorks(t *testing.T) {
	// guards the helper: a child that failed to run would print nothing
	out, err := child(t, "increment", t.TempDir()).Output()
	require.NoError(t, err)
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}
