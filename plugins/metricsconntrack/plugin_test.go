package metricsconntrack_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugins/conformance"
	"github.com/teko-dev/teko/plugins/metricsconntrack"
)

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(root, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	}
}

func TestUsedAndFree(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"newer kernels": {"sys/net/netfilter/nf_conntrack_count": "1234\n", "sys/net/nf_conntrack_max": "65536\n"},
		"older kernels": {"sys/net/ipv4/netfilter/ip_conntrack_count": "1234\n", "sys/net/ipv4/netfilter/ip_conntrack_max": "65536\n"},
		"netfilter max": {"sys/net/netfilter/nf_conntrack_count": "1234\n", "sys/net/netfilter/nf_conntrack_max": "65536\n"},
	} {
		root := t.TempDir()
		write(t, root, files)
		h := plugintest.New(t, metricsconntrack.Plugin)
		h.Env["HOST_PROC"] = root
		v := h.Values(h.Run())
		assert.Equal(t, map[string]float64{"conntrack.count.used": 1234, "conntrack.count.free": 64302}, v, name)
	}
}

// Without the conntrack module the old plugin failed with "Cannot find
// files"; this one says what is missing and how it comes, and prints no
// value: a 0 would read as an empty table.
func TestModuleNotLoaded(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"sys/net/ipv4/ip_forward": "0\n"})
	h := plugintest.New(t, metricsconntrack.Plugin)
	h.Env["HOST_PROC"] = root
	r := h.Run()
	assert.Equal(t, 3, r.Code)
	assert.Empty(t, r.Stdout)
	assert.Contains(t, r.Stderr, "the nf_conntrack module is not loaded")
	assert.Contains(t, r.Stderr, "modprobe nf_conntrack")
	assert.Equal(t, 1, countLines(r.Stderr))

	// a count without a maximum (a broken tree) is an error too, not a
	// made-up free count
	write(t, root, map[string]string{"sys/net/netfilter/nf_conntrack_count": "5\n"})
	r = h.Run()
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stderr, "exists but no conntrack maximum")

	write(t, root, map[string]string{"sys/net/nf_conntrack_max": "lots\n"})
	r = h.Run()
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stderr, `"lots" is not a number`)
}

func countLines(s string) int {
	n := 0
	for _, c := range s {
		if c == '\n' {
			n++
		}
	}
	return n
}

func TestOldFlags(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{"sys/net/netfilter/nf_conntrack_count": "1\n", "sys/net/nf_conntrack_max": "2\n"})
	h := plugintest.New(t, metricsconntrack.Plugin)
	h.Env["HOST_PROC"] = root
	v := h.Values(h.Run("-tempfile", filepath.Join(t.TempDir(), "x")), "-tempfile", "/tmp/x")
	assert.Equal(t, 1.0, v["conntrack.count.used"])
	r := h.Run("-version")
	assert.Equal(t, 0, r.Code)
	assert.Contains(t, r.Stdout, "metrics-conntrack ")
}

func TestConformance(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads Linux's conntrack table")
	}
	conformance.Test(t, metricsconntrack.Plugin)
}
