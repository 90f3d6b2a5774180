//go:build !windows && !plan9

package plugin_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin"
)

func signalChild(t *testing.T, args string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestEveryTerminatingSignalIsUnknown$")
	cmd.Env = append(os.Environ(), "PLUGIN_SIGNAL_CHILD=1", "PLUGIN_TEST_ARGS="+args)
	return cmd
}

// Every catchable signal that would end the process ends the run as
// UNKNOWN with the signal's name, exit code 3: not an empty stdout and
// exit 129 (SIGHUP), nor a Go stack and exit 2 (SIGQUIT, SIGABRT).
func TestEveryTerminatingSignalIsUnknown(t *testing.T) {
	if os.Getenv("PLUGIN_SIGNAL_CHILD") == "1" {
		os.Exit(plugin.RunMain(check, strings.Fields(os.Getenv("PLUGIN_TEST_ARGS"))))
	}
	dir := t.TempDir()
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGABRT} {
		t.Run(sig.String(), func(t *testing.T) {
			ready := filepath.Join(t.TempDir(), "ready")
			cmd := signalChild(t, "--state-dir "+dir+" --sleep 10s --ready "+ready)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			require.NoError(t, cmd.Start())
			require.Eventually(t, func() bool { _, err := os.Stat(ready); return err == nil }, 20*time.Second, 10*time.Millisecond)
			require.NoError(t, cmd.Process.Signal(sig))
			err := cmd.Wait()
			var exit *exec.ExitError
			require.ErrorAs(t, err, &exit)
			assert.Equal(t, 3, exit.ExitCode(), "stderr: %s", stderr.String())
			assert.Equal(t, "TEST UNKNOWN: interrupted by signal "+sig.String()+"\n", stdout.String())
			assert.NotContains(t, stderr.String(), "goroutine", "no stack dump")
		})
	}
}

// A closed stdout (the reader went away) does not kill the plugin with
// SIGPIPE: the failed write is reported on stderr and the exit code is 3.
func TestClosedStdoutIsUnknownNotSIGPIPE(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := signalChild(t, "--state-dir "+t.TempDir()+" --sleep 300ms --ready "+ready)
	r, w, err := os.Pipe()
	require.NoError(t, err)
	cmd.Stdout = w
	var stderr strings.Builder
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Start())
	w.Close()
	r.Close() // before the plugin writes its result
	err = cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, 3, exit.ExitCode(), "not killed by SIGPIPE; stderr: %s", stderr.String())
	assert.Contains(t, stderr.String(), "writing the result")
}

// SIGUSR1 and SIGUSR2 do not end a Go program: the run goes on.
func TestUserSignalsDoNotEndTheRun(t *testing.T) {
	ready := filepath.Join(t.TempDir(), "ready")
	cmd := signalChild(t, "--state-dir "+t.TempDir()+" --sleep 300ms --ready "+ready)
	var stdout strings.Builder
	cmd.Stdout = &stdout
	require.NoError(t, cmd.Start())
	require.Eventually(t, func() bool { _, err := os.Stat(ready); return err == nil }, 20*time.Second, 10*time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGUSR1))
	require.NoError(t, cmd.Process.Signal(syscall.SIGUSR2))
	require.NoError(t, cmd.Wait())
	assert.Equal(t, "TEST OK: run 1 with \n", stdout.String())
}
