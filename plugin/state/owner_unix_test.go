//go:build !windows

package state

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A directory or file that belongs to another user is that user's to
// rewrite, whatever its mode: a sticky bit does not stop a directory's
// owner, and a file's owner can chmod it. Anyone may create /tmp/teko
// first, mode 1777, and then rewrite the state of every later run, root's
// included.
func TestAnotherUsersPathsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a path to another user needs root")
	}
	const nobody = 65534

	dir := filepath.Join(t.TempDir(), "teko")
	require.NoError(t, os.Mkdir(dir, 0o700))
	require.NoError(t, os.Chmod(dir, 0o777|os.ModeSticky))
	require.NoError(t, os.Chown(dir, nobody, nobody))
	_, err := Open(context.Background(), Options{Dir: dir, Key: "k"})
	require.Error(t, err)
	assert.Equal(t, "state directory "+dir+" belongs to uid 65534, not to this user (uid 0) or root; refusing to trust it: choose another --state-dir", err.Error())

	// A file planted in a shared sticky directory such as /tmp.
	require.NoError(t, os.Chown(dir, 0, 0))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "k.json"), []byte(`{"teko_state":1,"key":"k","data":{"n":99}}`), 0o644))
	require.NoError(t, os.Chown(filepath.Join(dir, "k.json"), nobody, nobody))
	s, err := Open(context.Background(), Options{Dir: dir, Key: "k"})
	require.NoError(t, err, "a sticky directory of root's is fine")
	defer s.Close()
	var c counterState
	_, err = s.Load(&c)
	require.Error(t, err)
	assert.Equal(t, "state file "+filepath.Join(dir, "k.json")+" belongs to uid 65534, not to this user (uid 0) or root; refusing to trust it: choose another --state-dir", err.Error())
	assert.Zero(t, c.N, "nothing of it was read")
}
