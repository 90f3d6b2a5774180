package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugins/conformance"
)

func write(t *testing.T, path string, size int) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, make([]byte, size), 0o644))
}

func TestFileSize(t *testing.T) {
	dir := t.TempDir()
	app, db := filepath.Join(dir, "app.log"), filepath.Join(dir, "db.log")
	write(t, app, 1000)
	write(t, db, 0)
	h := plugintest.New(t, fileSize)
	args := []string{"-f", filepath.Join(dir, "*.log")}

	// First run: sizes only; growth has nothing to compare with.
	v := h.Values(h.Run(args...), args...)
	assert.Equal(t, map[string]float64{"filesize.size.app_log": 1000, "filesize.size.db_log": 0}, v)

	// 30 s later app.log grew by 500 bytes: 1000 bytes per minute.
	h.Advance(30 * time.Second)
	write(t, app, 1500)
	v = h.Values(h.Run(args...), args...)
	assert.Equal(t, map[string]float64{
		"filesize.size.app_log": 1500, "filesize.growth.app_log": 1000,
		"filesize.size.db_log": 0, "filesize.growth.db_log": 0,
	}, v)

	// Truncated: the size shows, the growth is skipped rather than negative.
	h.Advance(time.Minute)
	write(t, app, 0)
	r := h.Run(args...)
	v = h.Values(r, args...)
	assert.Equal(t, map[string]float64{"filesize.size.app_log": 0, "filesize.size.db_log": 0, "filesize.growth.db_log": 0}, v)
	assert.Equal(t, "metrics-file-size: growth.app_log: counter went down from 1500 to 0 (a restart); rate skipped\n", r.Stderr)

	// Per second, from the same state: 600 bytes in a minute is 10 bytes/sec.
	h.Advance(time.Minute)
	write(t, app, 600)
	perSecond := []string{"-f", filepath.Join(dir, "*.log"), "--per-second"}
	v = h.Values(h.Run(perSecond...), perSecond...)
	assert.Equal(t, 10.0, v["filesize.growth.app_log"])
	assert.Contains(t, h.Meta(perSecond...).Stdout, `"filesize.growth":{"label":"File growth","unit":"bytes/sec"`)
}

func TestPrefixSeparatesInstances(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.log"), 100)
	h := plugintest.New(t, fileSize)
	logs := []string{"-f", filepath.Join(dir, "*.log"), "--metric-key-prefix", "logs"}
	h.Values(h.Run(logs...), logs...)

	// A second instance, with its own prefix, has its own first run.
	h.Advance(time.Minute)
	write(t, filepath.Join(dir, "a.log"), 160)
	other := []string{"-f", filepath.Join(dir, "*.log"), "--metric-key-prefix", "other"}
	assert.Equal(t, map[string]float64{"other.size.a_log": 160}, h.Values(h.Run(other...), other...))
	assert.Equal(t, map[string]float64{"logs.size.a_log": 160, "logs.growth.a_log": 60}, h.Values(h.Run(logs...), logs...))
}

func TestSameNameInTwoDirectories(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"a", "b"} {
		require.NoError(t, os.Mkdir(filepath.Join(dir, sub), 0o755))
		write(t, filepath.Join(dir, sub, "app.log"), 10)
	}
	h := plugintest.New(t, fileSize)
	args := []string{"-f", filepath.Join(dir, "*", "app.log")}
	r := h.Run(args...)
	assert.Equal(t, map[string]float64{"filesize.size.app_log": 10}, h.Values(r, args...))
	assert.Contains(t, r.Stderr, "are both named app_log; only the first is measured")
}

func TestNothingToMeasure(t *testing.T) {
	h := plugintest.New(t, fileSize)
	for args, want := range map[string]string{
		filepath.Join(t.TempDir(), "*.log"): "no file matches",
		"[":                                 "syntax error in pattern",
	} {
		r := h.Run("-f", args)
		assert.Equal(t, 3, r.Code)
		assert.Empty(t, r.Stdout)
		assert.Contains(t, r.Stderr, want)
	}
}

// The promises every teko plugin keeps (--help, --version, bad flags,
// output shape) hold for a plugin written outside the registry too.
func TestConformance(t *testing.T) { conformance.Test(t, fileSize) }

// ConformanceArgs gives the suite a file to measure. Declared in a test
// file, it is part of the plugin only while testing.
func (o *options) ConformanceArgs(dir string) ([]string, func(), error) {
	path := filepath.Join(dir, "data.bin")
	return []string{"-f", path}, nil, os.WriteFile(path, make([]byte, 100), 0o644)
}
