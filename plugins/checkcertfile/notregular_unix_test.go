//go:build unix

package checkcertfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
)

// A path that is not a certificate file at all — a device such as
// /dev/zero, a FIFO, a huge file — is CRITICAL at once: it used to be read
// to its end (2.7 GB of memory for /dev/zero before -t stopped the check,
// which then took twice -t to exit) or to block until -t on a FIFO.
func TestNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	huge := filepath.Join(dir, "huge.pem")
	f, err := os.Create(huge)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(1<<30)) // sparse: no disk used
	require.NoError(t, f.Close())
	h := plugintest.New(t, Plugin)
	for _, c := range []struct{ path, msg string }{
		{"/dev/zero", "CERT Expiry CRITICAL: /dev/zero: not a regular file (a character device)\n"},
		{fifo, "CERT Expiry CRITICAL: " + fifo + ": not a regular file (a named pipe)\n"},
		{huge, "CERT Expiry CRITICAL: " + huge + ": 1073741824 bytes, more than a certificate file holds (at most 16 MiB read)\n"},
	} {
		start := time.Now()
		r := h.Run("-f", c.path, "-t", "3")
		assert.Less(t, time.Since(start), time.Second, c.path)
		assert.Equal(t, 2, r.Code, r.Stdout)
		assert.Equal(t, c.msg, r.Stdout)
	}
}
