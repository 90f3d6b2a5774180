//go:build linux

package servertest_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/servertest"
)

// A private engine runs a container from its busybox image, and Stop
// leaves nothing behind: no container process, no mount, no directory.
func TestStartDocker(t *testing.T) {
	d, err := servertest.StartDocker()
	if err != nil {
		var ni *servertest.NotInstalledError
		if errors.As(err, &ni) && !servertest.Required() {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			d.Stop()
		}
	}()
	out, err := d.CLI("run", "--rm", "--network", "none", d.Image, "/bin/sh", "-c", "echo hello from $(cat /proc/1/comm)")
	require.NoError(t, err)
	assert.Equal(t, "hello from sh", out)
	id, err := d.CLI("run", "-d", "--network", "none", d.Image, "/bin/sleep", "600")
	require.NoError(t, err)
	pid, err := d.CLI("inspect", "-f", "{{.State.Pid}}", id)
	require.NoError(t, err)

	d.Stop()
	stopped = true
	_, err = os.Stat("/proc/" + pid)
	assert.True(t, os.IsNotExist(err), "the container's process is gone")
	_, err = os.Stat(d.Dir)
	assert.True(t, os.IsNotExist(err), "the directory is removed")
	mounts, err := os.ReadFile("/proc/self/mountinfo")
	require.NoError(t, err)
	assert.NotContains(t, string(mounts), d.Dir, "nothing left mounted")
	procs, _ := os.ReadDir("/proc")
	for _, p := range procs {
		cmdline, _ := os.ReadFile("/proc/" + p.Name() + "/cmdline")
		assert.NotContains(t, strings.ReplaceAll(string(cmdline), "\x00", " "), d.Dir, "process %s outlived Stop", p.Name())
	}
}
