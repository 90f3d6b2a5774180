//go:build unix

package state

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// openAsUnprivileged tries to open a store in dir as a user without
// special rights, and returns the error text. Root ignores file modes, so
// as root the attempt runs in a child process switched to "nobody".
func openAsUnprivileged(t *testing.T, dir string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		_, err := Open(t.Context(), Options{Dir: dir, Key: "k"})
		require.Error(t, err)
		return err.Error()
	}
	// The child must be able to execute a copy of this test binary.
	bin, err := os.MkdirTemp("", "teko-state-test")
	require.NoError(t, err)
	defer os.RemoveAll(bin)
	require.NoError(t, os.Chmod(bin, 0o755))
	exe := filepath.Join(bin, "state.test")
	data, err := os.ReadFile(os.Args[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(exe, data, 0o755))
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o001 == 0 {
			require.NoError(t, os.Chmod(d, fi.Mode().Perm()|0o001)) // traversable, not readable
			defer os.Chmod(d, fi.Mode().Perm())
		}
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), "STATE_TEST_CHILD=open", "STATE_TEST_DIR="+dir)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.Output()
	require.NoError(t, err)
	return string(out)
}
