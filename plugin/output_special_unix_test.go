//go:build !windows && !plan9

package plugin_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin"
)

// A symbolic link given as --output-file stays a link: the file it points
// to is replaced (atomically, in its own directory), not the link.
func TestWriteFileAtomicFollowsSymlinks(t *testing.T) {
	linkDir, targetDir := t.TempDir(), t.TempDir()
	target := filepath.Join(targetDir, "real.prom")
	require.NoError(t, os.WriteFile(target, []byte("old\n"), 0o644))
	link := filepath.Join(linkDir, "link.prom")
	require.NoError(t, os.Symlink(target, link))

	require.NoError(t, plugin.WriteFileAtomic(link, []byte("new\n")))
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSymlink, fi.Mode()&os.ModeSymlink, "the link is still a link")
	b, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "new\n", string(b), "the target holds the new text")
	for _, d := range []string{linkDir, targetDir} {
		entries, _ := os.ReadDir(d)
		assert.Len(t, entries, 1, "no temp file left in %s", d)
	}

	// a relative "../" link inside a symlinked directory: ".." is the
	// kernel's (the real directory's parent), not the lexical one
	deep := filepath.Join(targetDir, "deep")
	require.NoError(t, os.Mkdir(deep, 0o755))
	require.NoError(t, os.Symlink(deep, filepath.Join(linkDir, "sub-link")))
	require.NoError(t, os.Symlink("../real.prom", filepath.Join(deep, "up.prom")))
	require.NoError(t, plugin.WriteFileAtomic(filepath.Join(linkDir, "sub-link", "up.prom"), []byte("via up\n")))
	b, err = os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, "via up\n", string(b))
	_, err = os.Stat(filepath.Join(linkDir, "real.prom"))
	assert.True(t, os.IsNotExist(err), "nothing written beside the link")

	// a relative link to a file not yet there: created where it points
	dangling := filepath.Join(linkDir, "dangling.prom")
	require.NoError(t, os.Symlink("sub/made.prom", dangling))
	require.NoError(t, os.Mkdir(filepath.Join(linkDir, "sub"), 0o755))
	require.NoError(t, plugin.WriteFileAtomic(dangling, []byte("made\n")))
	b, err = os.ReadFile(filepath.Join(linkDir, "sub", "made.prom"))
	require.NoError(t, err)
	assert.Equal(t, "made\n", string(b))
	fi, _ = os.Lstat(dangling)
	assert.Equal(t, os.ModeSymlink, fi.Mode()&os.ModeSymlink)
}

// A named pipe (or a device such as /dev/null) is written to, never
// replaced by a regular file; a pipe nobody reads fails at once.
func TestWriteFileAtomicWritesIntoPipesAndDevices(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))

	start := time.Now()
	err := plugin.WriteFileAtomic(fifo, []byte("x\n"))
	require.Error(t, err, "no reader")
	assert.Contains(t, err.Error(), "cannot write "+fifo)
	assert.Less(t, time.Since(start), 2*time.Second, "no wait for a reader")

	// The reader opens read-write so that it neither waits for a writer
	// nor sees end-of-file before the write, and reads the bytes expected.
	want := "through the pipe\n"
	got := make(chan string, 1)
	r, err := os.OpenFile(fifo, os.O_RDWR, 0)
	require.NoError(t, err)
	go func() { b := make([]byte, len(want)); n, _ := io.ReadFull(r, b); got <- string(b[:n]) }()
	require.NoError(t, plugin.WriteFileAtomic(fifo, []byte(want)))
	select {
	case s := <-got:
		assert.Equal(t, want, s)
	case <-time.After(10 * time.Second):
		t.Fatal("the reader got nothing")
	}
	r.Close()
	fi, err := os.Lstat(fifo)
	require.NoError(t, err)
	assert.Equal(t, os.ModeNamedPipe, fi.Mode().Type(), "still a pipe")

	err = plugin.WriteFileAtomic(dir, []byte("x"))
	require.Error(t, err)
	assert.Equal(t, "cannot write "+dir+": is a directory", err.Error())

	if os.Geteuid() == 0 { // a copy of /dev/null: mknod needs root
		null := filepath.Join(dir, "null")
		if err := syscall.Mknod(null, syscall.S_IFCHR|0o666, 1<<8|3); err == nil {
			require.NoError(t, plugin.WriteFileAtomic(null, []byte("gone\n")))
			fi, err := os.Lstat(null)
			require.NoError(t, err)
			assert.Equal(t, os.ModeDevice|os.ModeCharDevice, fi.Mode().Type(), "still the device")
		}
	}
}

// `--output-file /dev/stdout` prints to stdout. Before, the runtime
// renamed a regular file over the path: run as root, it replaced the
// machine's /dev/stdout link with a file (and /dev/null with one). The
// test uses its own link to /proc/self/fd/1, so a failure harms nothing.
func TestOutputFileDevStdout(t *testing.T) {
	if os.Getenv("PLUGIN_SIGNAL_CHILD") == "1" {
		return // the signal tests' child mode: nothing to do here
	}
	if runtime.GOOS != "linux" {
		t.Skip("/proc/self/fd is Linux's")
	}
	stdout := filepath.Join(t.TempDir(), "stdout")
	require.NoError(t, os.Symlink("/proc/self/fd/1", stdout))
	cmd := exec.Command(os.Args[0], "-test.run=^TestEveryTerminatingSignalIsUnknown$")
	cmd.Env = append(os.Environ(), "PLUGIN_SIGNAL_CHILD=1", "PLUGIN_TEST_ARGS=--state-dir "+t.TempDir()+" --format prometheus --output-file "+stdout)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	assert.Contains(t, out.String(), "teko_check_status{", "the output came through stdout; stderr: %s", errb.String())
	assert.NotEqual(t, 3, code, "stdout: %s", out.String())
	fi, err := os.Lstat(stdout)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSymlink, fi.Mode()&os.ModeSymlink, "the link was not replaced by a file")
}
