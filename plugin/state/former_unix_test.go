//go:build !windows

package state

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shared $TMPDIR/teko of earlier releases is read only when it
// belongs to the running user: one made by another user (root, by a
// sudo test run) is never searched, so it cannot feed this user's runs.
func TestSharedDirOfAnotherUserIsNotRead(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("giving a directory to another user needs root")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	none := func(string) string { return "" }
	shared := filepath.Join(tmp, "teko")
	require.NoError(t, os.Mkdir(shared, 0o700))
	assert.Equal(t, []string{shared}, FormerDirs("", none), "root's own")
	require.NoError(t, os.Chown(shared, 65534, 65534))
	assert.Nil(t, FormerDirs("", none), "nobody's")
}
