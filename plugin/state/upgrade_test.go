package state

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeState(t *testing.T, dir, key string, n int) {
	t.Helper()
	s, err := Open(context.Background(), Options{Dir: dir, Key: key})
	require.NoError(t, err)
	defer s.Close()
	require.NoError(t, s.Save(counterState{N: n}))
	require.NoError(t, s.Commit())
}

func loadN(t *testing.T, s *Store) (int, bool) {
	t.Helper()
	var st counterState
	found, err := s.Load(&st)
	require.NoError(t, err)
	return st.N, found
}

func TestFormerStateIsCarriedOver(t *testing.T) {
	dir, shared := t.TempDir(), t.TempDir()
	writeState(t, dir, "old-key", 7)
	writeState(t, shared, "new-key", 3)
	past := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(shared, "new-key.json"), past, past))

	var warnings []string
	o := Options{Dir: dir, Key: "new-key", Warn: func(m string) { warnings = append(warnings, m) },
		Former: []Location{{shared, "new-key"}, {dir, "old-key"}, {dir, "absent"}}}
	s, err := Open(context.Background(), o)
	require.NoError(t, err)
	n, found := loadN(t, s)
	assert.True(t, found)
	assert.Equal(t, 7, n, "the newest former file wins")
	assert.Equal(t, filepath.Join(dir, "old-key.json"), s.Adopted())
	require.Len(t, warnings, 1)
	assert.Contains(t, warnings[0], "carried over "+filepath.Join(dir, "old-key.json"))
	assert.NoFileExists(t, filepath.Join(dir, "old-key.json"), "renamed, not copied: it cannot be taken over twice")
	s.Close()

	// Once this key has state, former files are left alone.
	s, err = Open(context.Background(), o)
	require.NoError(t, err)
	n, _ = loadN(t, s)
	assert.Equal(t, 7, n)
	assert.Empty(t, s.Adopted())
	s.Close()
	assert.FileExists(t, filepath.Join(shared, "new-key.json"))
}

func TestFormerStateFromAnotherDirectory(t *testing.T) {
	dir, shared := t.TempDir(), t.TempDir()
	writeState(t, shared, "k", 5)
	s, err := Open(context.Background(), Options{Dir: dir, Key: "k", Former: []Location{{shared, "k"}}})
	require.NoError(t, err)
	n, found := loadN(t, s)
	assert.True(t, found)
	assert.Equal(t, 5, n)
	s.Close()
	assert.NoFileExists(t, filepath.Join(shared, "k.json"), "moved out of the old directory")
	fi, err := os.Stat(filepath.Join(dir, "k.json"))
	require.NoError(t, err)
	if os.PathSeparator == '/' {
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}
}

func TestFormerStateWaitsForTheOldLock(t *testing.T) {
	dir := t.TempDir()
	writeState(t, dir, "old", 1)
	held, err := Open(context.Background(), Options{Dir: dir, Key: "old"}) // an old release's run
	require.NoError(t, err)
	_, err = Open(context.Background(), Options{Dir: dir, Key: "new", LockWait: 100 * time.Millisecond, Former: []Location{{dir, "old"}}})
	require.Error(t, err, "a former file that cannot be carried over now is an error, not a fresh start")
	assert.Contains(t, err.Error(), "earlier release")
	assert.FileExists(t, filepath.Join(dir, "old.json"))
	held.Close()
	s, err := Open(context.Background(), Options{Dir: dir, Key: "new", Former: []Location{{dir, "old"}}})
	require.NoError(t, err)
	n, _ := loadN(t, s)
	assert.Equal(t, 1, n)
	s.Close()
}

func TestNewerFormatIsRefusedAndKept(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.json")
	content := `{"teko_state":2,"key":"k","data":{"n":5}}`
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	s, err := Open(context.Background(), Options{Dir: dir, Key: "k", Warn: func(m string) { t.Errorf("warned: %s", m) }})
	require.NoError(t, err)
	defer s.Close()
	var st counterState
	_, err = s.Load(&st)
	require.ErrorIs(t, err, ErrNewerFormat)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "format version 2")
	require.NoError(t, s.Save(counterState{N: 1}))
	assert.ErrorIs(t, s.Commit(), ErrNewerFormat)
	b, _ := os.ReadFile(path)
	assert.Equal(t, content, string(b), "left untouched")
}

func TestPartsAreSeparateAndSavedTogether(t *testing.T) {
	dir := t.TempDir()
	open := func() *Store {
		s, err := Open(context.Background(), Options{Dir: dir, Key: "k", Warn: func(m string) { t.Errorf("warned: %s", m) }})
		require.NoError(t, err)
		return s
	}
	s := open()
	p := s.Part("plugin")
	_, found := loadN(t, p)
	assert.False(t, found)
	require.NoError(t, s.Save(counterState{N: 1}))
	require.NoError(t, p.Save(counterState{N: 100}))
	require.NoError(t, p.Commit())
	s.Close()

	s = open()
	n, _ := loadN(t, s)
	m, _ := loadN(t, s.Part("plugin"))
	assert.Equal(t, []int{1, 100}, []int{n, m})
	// Saving only the main part keeps the other part.
	require.NoError(t, s.Save(counterState{N: 2}))
	require.NoError(t, s.Commit())
	s.Close()

	s = open()
	n, _ = loadN(t, s)
	m, _ = loadN(t, s.Part("plugin"))
	assert.Equal(t, []int{2, 100}, []int{n, m})
	// A run that ends before Commit moves neither.
	require.NoError(t, s.Save(counterState{N: 3}))
	require.NoError(t, s.Part("plugin").Save(counterState{N: 300}))
	require.NoError(t, s.Prepare())
	s.Close()
	s = open()
	defer s.Close()
	n, _ = loadN(t, s)
	m, _ = loadN(t, s.Part("plugin"))
	assert.Equal(t, []int{2, 100}, []int{n, m})
}

func TestFormerDirs(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	none := func(string) string { return "" }
	assert.Nil(t, FormerDirs("", none), "no shared directory yet")
	shared := filepath.Join(tmp, "teko")
	require.NoError(t, os.Mkdir(shared, 0o700))
	if os.Geteuid() < 0 {
		assert.Equal(t, shared, Dir("", none), "Windows: the temp directory is per user already")
		return
	}
	assert.Equal(t, filepath.Join(tmp, "teko-"+itoa(os.Geteuid())), Dir("", none))
	assert.Equal(t, []string{shared}, FormerDirs("", none))
	assert.Nil(t, FormerDirs("/x", none), "an explicit directory has no former one")
	assert.Nil(t, FormerDirs("", func(string) string { return "/var/tmp/mackerel-agent" }))
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestExisted(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), Options{Dir: dir, Key: "k", Former: []Location{{dir, "old"}}})
	require.NoError(t, err)
	assert.False(t, s.Existed(), "a first run")
	s.Close()

	writeState(t, dir, "old", 1)
	s, err = Open(context.Background(), Options{Dir: dir, Key: "k", Former: []Location{{dir, "old"}}})
	require.NoError(t, err)
	assert.True(t, s.Part("x").Existed(), "carried over from an earlier release")
	s.Close()

	require.NoError(t, os.WriteFile(filepath.Join(dir, "k.json"), []byte("{damaged"), 0o600))
	s, err = Open(context.Background(), Options{Dir: dir, Key: "k"})
	require.NoError(t, err)
	defer s.Close()
	found, err := s.Load(&counterState{})
	require.NoError(t, err)
	assert.False(t, found)
	assert.True(t, s.Existed(), "damaged, but there")
}
