package main

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestZipDirIsReproducible(t *testing.T) {
	src := filepath.Join(t.TempDir(), "teko_v1_windows_amd64")
	require.NoError(t, os.MkdirAll(filepath.Join(src, "doc"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "teko.exe"), []byte("MZ binary"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "doc", "check-log.md"), []byte("# check-log\n"), 0o644))
	mtime := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

	out := t.TempDir()
	a, b := filepath.Join(out, "a.zip"), filepath.Join(out, "b.zip")
	require.NoError(t, zipDir(a, src, mtime))
	// Different file times on disk must not change the archive.
	require.NoError(t, os.Chtimes(filepath.Join(src, "teko.exe"), time.Now(), time.Now()))
	require.NoError(t, zipDir(b, src, mtime))
	da, err := os.ReadFile(a)
	require.NoError(t, err)
	db, err := os.ReadFile(b)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(da, db), "two archives of the same folder differ")

	zr, err := zip.OpenReader(a)
	require.NoError(t, err)
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		assert.True(t, f.Modified.Equal(mtime), f.Name)
	}
	assert.Equal(t, []string{
		"teko_v1_windows_amd64/",
		"teko_v1_windows_amd64/doc/",
		"teko_v1_windows_amd64/doc/check-log.md",
		"teko_v1_windows_amd64/teko.exe",
	}, names)
	assert.Equal(t, os.FileMode(0o755), zr.File[3].Mode().Perm())
	rc, err := zr.File[3].Open()
	require.NoError(t, err)
	body, _ := io.ReadAll(rc)
	rc.Close()
	assert.Equal(t, "MZ binary", string(body))
}
