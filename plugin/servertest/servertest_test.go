//go:build !windows

package servertest_test

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin/servertest"
)

func TestFindReportsThePackage(t *testing.T) {
	_, err := servertest.Find("teko-no-such-pkg", "teko-no-such-binary")
	var ni *servertest.NotInstalledError
	require.True(t, errors.As(err, &ni))
	assert.Contains(t, err.Error(), "apt-get install teko-no-such-pkg")

	sh, err := servertest.Find("dash", "teko-no-such-binary", "sh")
	require.NoError(t, err)
	assert.True(t, filepath.IsAbs(sh))
}

func TestStartAndStopAProcessGroup(t *testing.T) {
	dir := t.TempDir()
	// The shell starts a child; Stop must end both.
	p, err := servertest.Start(exec.Command("sh", "-c", "sleep 60 & echo started; wait"), filepath.Join(dir, "log"))
	require.NoError(t, err)
	require.NoError(t, servertest.WaitFor(5*time.Second, func() error {
		if !strings.Contains(servertest.Tail(p.Log, 100), "started") {
			return errors.New("no output yet")
		}
		return nil
	}))
	assert.NoError(t, p.Exited())
	start := time.Now()
	p.Stop()
	assert.Error(t, p.Exited())
	assert.Less(t, time.Since(start), 5*time.Second, "SIGTERM ends the group")
}

func TestWaitWithinStopsWhenTheServerDies(t *testing.T) {
	p, err := servertest.Start(exec.Command("sh", "-c", "echo bad config >&2; exit 3"), filepath.Join(t.TempDir(), "log"))
	require.NoError(t, err)
	start := time.Now()
	err = p.WaitWithin(time.Minute, func() error { return errors.New("not listening") })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad config", "the log is in the error")
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestWaitDial(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	assert.NoError(t, servertest.WaitDial("tcp", l.Addr().String(), time.Second))
	port, err := servertest.FreePort()
	require.NoError(t, err)
	assert.Error(t, servertest.WaitDial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 100*time.Millisecond))
}

func TestSharedStartsOnceAndRemembersFailure(t *testing.T) {
	var s servertest.Shared[int]
	starts := 0
	start := func() (int, func(), error) { starts++; return 42, func() { starts = -100 }, nil }
	assert.Equal(t, 42, s.Get(t, start))
	assert.Equal(t, 42, s.Get(t, start))
	assert.Equal(t, 1, starts)
	s.Close()
	assert.Equal(t, -100, starts, "Close stops the server")
	s.Close()

	t.Run("not installed skips outside CI", func(t *testing.T) {
		if servertest.Required() {
			t.Skip("TEKO_REQUIRE_SERVERS=1 turns this into a failure")
		}
		var missing servertest.Shared[int]
		ok := t.Run("inner", func(t *testing.T) {
			missing.Get(t, func() (int, func(), error) {
				return 0, nil, &servertest.NotInstalledError{Names: []string{"x"}, Package: "x"}
			})
			t.Error("not reached")
		})
		assert.True(t, ok, "a skip is not a failure")
	})
}

func TestTempDirIsShortAndOpen(t *testing.T) {
	dir, err := servertest.TempDir("x")
	require.NoError(t, err)
	defer os.RemoveAll(dir)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o755), fi.Mode().Perm())
	assert.Less(t, len(dir), 40)
}
