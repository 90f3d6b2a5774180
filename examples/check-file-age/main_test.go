package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugins/conformance"
)

func TestFileAge(t *testing.T) {
	h := plugintest.New(t, fileAge)
	path := filepath.Join(t.TempDir(), "heartbeat")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	mtime := plugintest.Start.Add(-90 * time.Second)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}

	r := h.Run("-f", path, "-w", "60", "-c", "120")
	assert.Equal(t, 1, r.Code)
	assert.Equal(t, "FILE AGE WARNING: "+path+" was modified 90 seconds ago\n", r.Stdout)

	r = h.Run("-f", path, "-w", "60", "-c", "120", "--format", "nagios")
	assert.Equal(t, "FILE AGE WARNING: "+path+" was modified 90 seconds ago | age=90s;60;120\n", r.Stdout)

	h.Advance(time.Minute)
	r = h.Run("-f", path, "-w", "60", "-c", "120")
	assert.Equal(t, 2, r.Code, r.Stdout)

	r = h.Run("-f", filepath.Join(t.TempDir(), "missing"))
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, "FILE AGE UNKNOWN: stat ")
	assert.Contains(t, r.Stdout, "no such file or directory")
}

// The promises every teko plugin keeps (--help, --version, bad flags,
// output shape) hold for a plugin written outside the registry too.
func TestConformance(t *testing.T) { conformance.Test(t, fileAge) }

// ConformanceArgs gives the suite a file to check. Declared in a test
// file, it is part of the plugin only while testing.
func (o *options) ConformanceArgs(dir string) ([]string, func(), error) {
	path := filepath.Join(dir, "heartbeat")
	return []string{"-f", path}, nil, os.WriteFile(path, nil, 0o644)
}
