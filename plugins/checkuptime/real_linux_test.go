//go:build linux

package checkuptime_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugins/checkuptime"
)

// The uptime printed is the kernel's, as sysinfo(2) gives it.
func TestRealUptimeMatchesSysinfo(t *testing.T) {
	var before, after unix.Sysinfo_t
	h := plugintest.New(t, checkuptime.Plugin)
	require.NoError(t, unix.Sysinfo(&before))
	r := h.Run()
	require.NoError(t, unix.Sysinfo(&after))
	require.Equal(t, 0, r.Code, r.Stdout)
	m := regexp.MustCompile(`\((\d+) second\(s\)\)`).FindStringSubmatch(r.Stdout)
	require.NotNil(t, m, r.Stdout)
	got, _ := strconv.ParseInt(m[1], 10, 64)
	assert.True(t, got >= before.Uptime-1 && got <= after.Uptime+1, "%d not within [%d, %d]", got, before.Uptime, after.Uptime)
}
