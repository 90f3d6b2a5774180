package checkuptime_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugins/checkuptime"
	"github.com/teko-dev/teko/plugins/conformance"
)

// harness points the plugin at a procfs whose uptime is the given text.
func harness(t *testing.T, uptime string) *plugintest.Harness {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("reads a Linux procfs tree")
	}
	root := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(root, "uptime"), []byte(uptime), 0o644))
	h := plugintest.New(t, checkuptime.Plugin)
	h.Env["HOST_PROC"] = root
	return h
}

func TestThresholds(t *testing.T) {
	h := harness(t, "93784.56 10.00\n") // 1 day, 2 hours, 3 minutes, 4.56 seconds
	for _, tc := range []struct {
		args []string
		code int
	}{
		{nil, 0},
		{[]string{"--warning-under=600", "--critical-under=120"}, 0},
		{[]string{"-w", "100000"}, 1},
		{[]string{"-w", "100000", "-c", "93785"}, 2},
		{[]string{"-c", "93784"}, 0}, // at the threshold, not under it
		{[]string{"-W", "86400"}, 1},
		{[]string{"-W", "86400", "-C", "90000"}, 2},
		{[]string{"-C", "93785"}, 0},
		{[]string{"--warn-under", "100000"}, 1}, // the old spellings
		{[]string{"--warn-over", "60"}, 1},
		{[]string{"-w", "28h"}, 1}, // a duration
		{[]string{"-W", "1d"}, 3},  // not a Go duration
	} {
		r := h.Run(tc.args...)
		assert.Equal(t, tc.code, r.Code, "%v: %s", tc.args, r.Stdout)
		if tc.code != 3 {
			assert.Contains(t, r.Stdout, ": 1 day(s) 2 hour(s) 3 minute(s) (93784 second(s))\n", "%v", tc.args)
		}
	}
	r := h.Run("-w", "600", "-c", "120", "-W", "1000000", "--format", "nagios")
	assert.Equal(t, "Uptime OK: 1 day(s) 2 hour(s) 3 minute(s) (93784 second(s)) | uptime=93784s;600:1000000;120:;0\n", r.Stdout)
}

func TestBadInput(t *testing.T) {
	h := harness(t, "x y\n")
	r := h.Run()
	assert.Equal(t, 3, r.Code)
	assert.Contains(t, r.Stdout, `"x" is not a number of seconds`)
	for _, args := range [][]string{{"-w", "abc"}, {"-c", "-5"}, {"-w", "600", "-W", "300"}} {
		r := h.Run(args...)
		assert.Equal(t, 3, r.Code, "%v", args)
		assert.Contains(t, r.Stdout, "Uptime UNKNOWN: ", "%v", args)
	}
}

func TestConformance(t *testing.T) {
	conformance.Test(t, checkuptime.Plugin)
}

// Seconds beyond what a Go duration holds (about 292 years), as configs
// write "never" (-W 9999999999), are taken as the old plugin took them.
func TestHugeSeconds(t *testing.T) {
	h := harness(t, "93784.56 10.00\n")
	r := h.Run("-W", "9999999999", "-C", "1e300")
	assert.Equal(t, 0, r.Code, r.Stdout)
	r = h.Run("-w", "99999999999")
	assert.Equal(t, 1, r.Code, r.Stdout)
	for _, bad := range []string{"Inf", "NaN", "-1e300"} {
		r = h.Run("--warning-over=" + bad)
		assert.Equal(t, 3, r.Code, bad)
	}
}
