//go:build unix

package state_test

import (
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/teko-dev/teko/plugin/plugintest"
)

func isUnixModes() bool { return true }

// limitFileSize makes every file this process writes stop at n bytes,
// with EFBIG rather than the SIGXFSZ that would kill it: a full disk, as
// far as the process can tell, without the privileges a mount needs.
func limitFileSize(n string) error {
	v, err := strconv.ParseUint(n, 10, 64)
	if err != nil {
		return err
	}
	signal.Ignore(syscall.SIGXFSZ)
	var rl unix.Rlimit
	setLimit(&rl.Cur, v)
	setLimit(&rl.Max, v)
	return unix.Setrlimit(unix.RLIMIT_FSIZE, &rl)
}

// setLimit sets an rlimit field, an int64 on some systems and a uint64
// on others.
func setLimit[T int64 | uint64](field *T, v uint64) { *field = T(v) }

// TestFaultDiskFullFileSizeLimit runs the plugin in a child process that
// cannot write a byte: the state cannot be kept, so the run is UNKNOWN
// before it reports anything, and the saved state does not move.
func TestFaultDiskFullFileSizeLimit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	code, out, _ := runChild(t, "--state-dir "+dir)
	require.Equal(t, 0, code)
	require.Equal(t, "FAULT OK: run 1\n", out)

	code, out, _ = runChild(t, "--state-dir "+dir, "FAULT_FSIZE=0")
	assert.Equal(t, 3, code)
	assert.Equal(t, "FAULT UNKNOWN: state file "+statePath(t, dir)+": cannot write: file too large\n", out)
	assert.Equal(t, 1, readRuns(t, dir), "the saved state is the last good run's")
	assertNoTempFiles(t, dir)

	code, out, _ = runChild(t, "--state-dir "+dir)
	assert.Equal(t, 0, code)
	assert.Equal(t, "FAULT OK: run 2\n", out, "the failed run is repeated, not lost")
}

// TestFaultDiskFullTmpfs fills a real, small file system.
func TestFaultDiskFullTmpfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root; TestFaultDiskFullFileSizeLimit covers a full disk without it")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=32k,mode=0700", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); TestFaultDiskFullFileSizeLimit covers a full disk", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })

	h := plugintest.New(t, faultPlugin)
	dir := filepath.Join(mnt, "state")
	require.Equal(t, "FAULT OK: run 1\n", h.Run("--state-dir", dir).Stdout)

	filler := filepath.Join(mnt, "filler")
	f, err := os.Create(filler)
	require.NoError(t, err)
	chunk := make([]byte, 1024)
	for {
		if _, err = f.Write(chunk); err != nil {
			break
		}
	}
	f.Close()
	require.True(t, errors.Is(err, syscall.ENOSPC), "filling the tmpfs: %v", err)

	r := h.Run("--state-dir", dir)
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "FAULT UNKNOWN: state file "+statePath(t, dir)+": cannot write: no space left on device\n", r.Stdout)
	assert.Equal(t, 1, readRuns(t, dir))
	assertNoTempFiles(t, dir)

	require.NoError(t, os.Remove(filler))
	assert.Equal(t, "FAULT OK: run 2\n", h.Run("--state-dir", dir).Stdout, "room again: the run goes on from the last good state")
}

func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.NotContains(t, e.Name(), ".tmp-", "a failed write leaves no temp file")
	}
}
