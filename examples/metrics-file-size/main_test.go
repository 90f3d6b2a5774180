package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/teko-dev/teko/plugin/plugintest"
)

func TestFileSize(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	assert.NoError(t, os.WriteFile(log, make([]byte, 1000), 0o644))
	h := plugintest.New(t, fileSize)
	glob := filepath.Join(dir, "*.log")

	// First run: the gauge only; the counter has nothing to compare with.
	v := h.Values(h.Run("-f", glob), "-f", glob)
	assert.Equal(t, map[string]float64{"filesize.bytes.app_log": 1000}, v)

	// 30 s later the file grew by 500 bytes: 1000 bytes per minute.
	h.Advance(30 * time.Second)
	assert.NoError(t, os.WriteFile(log, make([]byte, 1500), 0o644))
	v = h.Values(h.Run("-f", glob), "-f", glob)
	assert.Equal(t, map[string]float64{"filesize.bytes.app_log": 1500, "filesize.growth.app_log": 1000}, v)

	// Truncated: the size shows, the growth is skipped rather than negative.
	h.Advance(time.Minute)
	assert.NoError(t, os.WriteFile(log, nil, 0o644))
	r := h.Run("-f", glob)
	v = h.Values(r, "-f", glob)
	assert.Equal(t, map[string]float64{"filesize.bytes.app_log": 0}, v)
	assert.Contains(t, r.Stderr, "went down")

	// A second instance with its own prefix neither collides in names nor in state.
	v = h.Values(h.Run("-f", glob, "--metric-key-prefix", "logs"), "-f", glob, "--metric-key-prefix", "logs")
	assert.Equal(t, map[string]float64{"logs.bytes.app_log": 0}, v)
}
