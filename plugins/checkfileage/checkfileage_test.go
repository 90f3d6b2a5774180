package checkfileage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
)

// file writes size bytes and sets the modification time to the harness
// clock minus age.
func file(t *testing.T, h *plugintest.Harness, size int, age time.Duration) (string, time.Time) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "heartbeat")
	require.NoError(t, os.WriteFile(path, make([]byte, size), 0o644))
	mtime := h.Now().Add(-age)
	require.NoError(t, os.Chtimes(path, mtime, mtime))
	return path, mtime
}

func clock(t time.Time) string {
	l := t.In(time.Local)
	return fmt.Sprintf("%02d:%02d:%02d", l.Hour(), l.Minute(), l.Second())
}

// The original's defaults (-w 240, -c 600) and its message.
func TestAgeThresholds(t *testing.T) {
	h := plugintest.New(t, Plugin)
	for _, c := range []struct {
		age  time.Duration
		code int
	}{{0, 0}, {240 * time.Second, 0}, {241 * time.Second, 1}, {600 * time.Second, 1}, {601 * time.Second, 2}, {48 * time.Hour, 2}} {
		path, mtime := file(t, h, 10, c.age)
		r := h.Run("-f", path)
		assert.Equal(t, c.code, r.Code, "%v: %s", c.age, r.Stdout)
		want := fmt.Sprintf("%s is %d seconds old (%s) and 10 bytes.", path, int(c.age.Seconds()), clock(mtime))
		assert.Equal(t, want, strings.SplitN(strings.TrimSpace(r.Stdout), ": ", 2)[1], c.age)
	}
	path, _ := file(t, h, 10, time.Hour)
	r := h.Run("-f", path, "-w", "0", "-c", "0")
	assert.Equal(t, 0, r.Code, "0 means no limit: %s", r.Stdout)
	r = h.Run("--file", path, "--warning-age", "3000", "--critical-age", "4000", "--format", "nagios")
	assert.Equal(t, 1, r.Code)
	assert.True(t, strings.HasSuffix(r.Stdout, " | age=3600s;~:3000;~:4000;0 size=10B;;;0\n"), r.Stdout)
	assert.True(t, strings.HasPrefix(r.Stdout, "FileAge WARNING: "), r.Stdout)
}

func TestSizeThresholds(t *testing.T) {
	h := plugintest.New(t, Plugin)
	path, _ := file(t, h, 100, 0)
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"-W", "100"}, 0},
		{[]string{"-W", "101"}, 1},
		{[]string{"-W", "200", "-C", "101"}, 2},
		{[]string{"--critical-size", "100"}, 0},
	} {
		r := h.Run(append([]string{"-f", path}, c.args...)...)
		assert.Equal(t, c.code, r.Code, "%v: %s", c.args, r.Stdout)
	}
}

// A modification time in the future is never CRITICAL and never a
// negative age (the original said "-3600 seconds old"); a little ahead is
// clock jitter and OK, far ahead is a WARNING that names it.
func TestFutureModificationTime(t *testing.T) {
	h := plugintest.New(t, Plugin)
	path, mtime := file(t, h, 5, -30*time.Second)
	r := h.Run("-f", path)
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, fmt.Sprintf("FileAge OK: %s is 0 seconds old (%s) and 5 bytes.\n", path, clock(mtime)), r.Stdout)

	path, _ = file(t, h, 5, -time.Hour)
	for _, args := range [][]string{{"-f", path}, {"-f", path, "-c", "1", "-w", "0"}} {
		r = h.Run(args...)
		assert.Equal(t, 1, r.Code, r.Stdout)
		assert.Equal(t, "FileAge WARNING: "+path+" was modified 1h0m0s in the future (2026-11-24T01:00:00Z), clock skew? It is 5 bytes.\n", r.Stdout)
		assert.NotContains(t, r.Stdout, "-3600")
	}
	r = h.Run("-f", path, "--format", "nagios")
	assert.Contains(t, r.Stdout, "| age=0s;", "the age in perfdata is 0, never negative")

	// With no age limit (-w 0 -c 0: only the size is watched) the skew
	// cannot hide an alert: it is named, but not a WARNING.
	r = h.Run("-f", path, "-w", "0", "-c", "0", "-W", "1")
	assert.Equal(t, 0, r.Code, r.Stdout)
	assert.Equal(t, "FileAge OK: "+path+" was modified 1h0m0s in the future (2026-11-24T01:00:00Z), clock skew? It is 5 bytes.\n", r.Stdout)
}

func TestMissingFile(t *testing.T) {
	h := plugintest.New(t, Plugin)
	missing := filepath.Join(t.TempDir(), "nope")
	r := h.Run("-f", missing)
	assert.Equal(t, 3, r.Code)
	assert.Equal(t, "FileAge UNKNOWN: stat "+missing+": no such file or directory\n", r.Stdout)
	r = h.Run("-f", missing, "-i")
	assert.Equal(t, 0, r.Code)
	assert.Equal(t, "FileAge OK: No such file, but ignore missing is set.\n", r.Stdout)
	r = h.Run("-f", missing, "-w", "-5")
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, "--warning-age -5: must be 0 (no limit) or more")
	r = h.Run()
	assert.Equal(t, 3, r.Code, "a missing -f is a flag error, not WARNING")
}
