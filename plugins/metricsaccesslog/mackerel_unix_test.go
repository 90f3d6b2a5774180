//go:build unix

package metricsaccesslog

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
)

func inode(t *testing.T, path string) uint64 {
	fi, err := os.Stat(path)
	require.NoError(t, err)
	return fi.Sys().(*syscall.Stat_t).Ino
}

// writePos writes a position file as mackerel-plugin-accesslog does
// (Songmu/postailer's JSON), dated at the harness clock.
func writePos(t *testing.T, h *plugintest.Harness, posfile string, ino uint64, pos int64) {
	require.NoError(t, os.MkdirAll(filepath.Dir(posfile), 0o755))
	require.NoError(t, os.WriteFile(posfile, []byte(fmt.Sprintf(`{"inode":%d,"pos":%d}`, ino, pos)), 0o644))
	require.NoError(t, os.Chtimes(posfile, h.Now(), h.Now()))
}

// The first run after switching goes on from the old plugin's position:
// nothing skipped, nothing counted twice.
func TestTakeOverMackerelPosition(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	appendTo(t, log, combined(200), combined(200))
	read := int64(2 * len(combined(200))) // what the old plugin had read
	appendTo(t, log, combined(404), combined(500))

	h := plugintest.New(t, Plugin)
	writePos(t, h, filepath.Join(h.StateDir, "mackerel-plugin-accesslog.d", log+".pos.json"), inode(t, log), read)
	v := h.Values(h.Run(log), log)
	assert.Equal(t, 2.0, v["accesslog.access_num.total_count"], "the two lines after the old position: %v", v)
	assert.Equal(t, 1.0, v["accesslog.access_num.4xx_count"])

	// -posfile, relative: under the work directory, as the original.
	log2 := filepath.Join(dir, "other.log")
	appendTo(t, log2, combined(200), combined(301))
	writePos(t, h, filepath.Join(h.StateDir, "mackerel-plugin-accesslog.d", "custom.pos"), inode(t, log2), int64(len(combined(200))))
	v = h.Values(h.Run("-posfile", "custom.pos", log2), log2)
	assert.Equal(t, 1.0, v["accesslog.access_num.3xx_count"])
	assert.Equal(t, 1.0, v["accesslog.access_num.total_count"])
}

// A position that is stale, of another file, or inside a line is not
// taken over: the run starts at the end, as a first run.
func TestNoTakeOver(t *testing.T) {
	for name, c := range map[string]struct {
		age time.Duration
		ino func(uint64) uint64
		cut int64
	}{
		"stale":      {age: MaxAge + time.Minute, ino: func(i uint64) uint64 { return i }},
		"other file": {ino: func(i uint64) uint64 { return i + 1 }},
		"mid-line":   {ino: func(i uint64) uint64 { return i }, cut: 5},
	} {
		t.Run(name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "access.log")
			appendTo(t, log, combined(200), combined(404))
			h := plugintest.New(t, Plugin)
			writePos(t, h, filepath.Join(h.StateDir, "mackerel-plugin-accesslog.d", log+".pos.json"), c.ino(inode(t, log)), int64(len(combined(200)))-c.cut)
			h.Advance(c.age)
			assert.Empty(t, h.Values(h.Run(log), log))
		})
	}
}

func TestMackerelPosfile(t *testing.T) {
	assert.Equal(t, "/w/mackerel-plugin-accesslog.d/var/log/a.log.pos.json", mackerelPosfile("/var/log/a.log", "", "/w"))
	assert.Equal(t, "/w/mackerel-plugin-accesslog.d/x.pos", mackerelPosfile("/var/log/a.log", "x.pos", "/w"))
	assert.Equal(t, "/abs/x.pos", mackerelPosfile("/var/log/a.log", "/abs/x.pos", "/w"))
	assert.Equal(t, filepath.Join(os.TempDir(), "mackerel-plugin-accesslog.d", "rel.log.pos.json"), mackerelPosfile("rel.log", "", ""))
}
