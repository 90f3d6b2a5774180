package proctable

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeProc points procRoot at a tree with the given files for the
// duration of the test.
func fakeProc(t *testing.T, files map[string]string) {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		path := filepath.Join(root, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
	old := procRoot
	procRoot = root
	t.Cleanup(func() { procRoot = old })
}

// A command name may hold spaces and parentheses; the fields after it
// are found from the last ')'.
func TestStatWithAwkwardName(t *testing.T) {
	fakeProc(t, map[string]string{
		"uptime":      "1000.50 3000.00\n",
		"self/stat":   "not a process",
		"42/stat":     "42 (a) (b c) S 7 42 42 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 3 0 50000 8192000 300 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
		"42/status":   "Name:\ta) (b c\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t1000\t1001\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\n",
		"42/cmdline":  "",
		"0042/stat":   "leading zero: not a PID",
		"43x/cmdline": "not a PID",
	})
	tab, err := Read(context.Background(), All)
	require.NoError(t, err)
	require.Len(t, tab.Processes, 1)
	p := &tab.Processes[0]
	require.NoError(t, p.Load(All))
	assert.Equal(t, 42, p.PID)
	assert.Equal(t, "a) (b c", p.Name)
	assert.Equal(t, byte('S'), p.State)
	assert.Equal(t, 7, p.PPID)
	assert.Equal(t, 4*time.Second, p.CPUTime)
	assert.Equal(t, 3, p.Threads)
	assert.Equal(t, 500500*time.Millisecond, p.Elapsed)
	assert.Equal(t, uint64(8192000), p.VSZ)
	assert.Equal(t, uint64(300*os.Getpagesize()), p.RSS)
	assert.Equal(t, "1001", p.UID, "the effective uid, as ps's USER")
	assert.Equal(t, "[a) (b c]", p.Args)
}

func TestMalformedStat(t *testing.T) {
	fakeProc(t, map[string]string{
		"uptime":    "10.00 20.00\n",
		"5/stat":    "5 (short) S 1 5\n",
		"6/stat":    "6 no parentheses S 1\n",
		"7/stat":    "7 (x) S 1 7 7 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 100 4096 1\n",
		"7/cmdline": "a\x00b\x00",
	})
	tab, err := Read(context.Background(), All)
	require.NoError(t, err)
	for _, p := range tab.Processes {
		err := p.Load(Name)
		switch p.PID {
		case 5:
			assert.ErrorContains(t, err, "only 5 fields")
		case 6:
			assert.ErrorContains(t, err, "unexpected format")
		case 7:
			assert.NoError(t, err)
			require.NoError(t, p.Load(Args))
			assert.Equal(t, "a b", p.Args)
			assert.Equal(t, "a", p.Argv0)
		}
	}
}

// A long command line is read whole, past the first buffer.
func TestLongCommandLine(t *testing.T) {
	long := make([]byte, 100000)
	for i := range long {
		long[i] = 'a' + byte(i%26)
	}
	fakeProc(t, map[string]string{"9/cmdline": "java\x00" + string(long) + "\x00"})
	tab, err := Read(context.Background(), Args)
	require.NoError(t, err)
	p := tab.Find(9)
	require.NoError(t, p.Load(Args))
	assert.Equal(t, "java "+string(long), p.Args)
}

func TestMissingFileIsGone(t *testing.T) {
	fakeProc(t, map[string]string{"9/stat": "x"})
	tab, err := Read(context.Background(), Args)
	require.NoError(t, err)
	assert.True(t, errors.Is(tab.Find(9).Load(Args), ErrGone))
}

func TestNoProcfs(t *testing.T) {
	fakeProc(t, map[string]string{"uptime": "1 1"})
	_, err := Read(context.Background(), Args)
	assert.ErrorContains(t, err, "lists none")
	procRoot = filepath.Join(t.TempDir(), "missing")
	_, err = Read(context.Background(), Args)
	assert.ErrorContains(t, err, "listing processes")
}
