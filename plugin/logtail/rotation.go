package logtail

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// maxRotatedNames bounds how many rotated-looking names beside a file
// are examined when looking for where it went.
const maxRotatedNames = 200

// compressed lists the suffixes of rotated files that were compressed:
// their bytes are no longer the log's, so they are not candidates.
var compressed = []string{".gz", ".bz2", ".xz", ".zst", ".lz4", ".lzma", ".zip", ".Z"}

// rotatedNames returns the paths beside path whose names look like
// rotated forms of it, most recently modified first: for "app.log",
// names such as "app.log.1", "app.log-20261124", "app.log.2026-11-24"
// and "app-20261124.log"; compressed ones are left out. listDir lists a
// directory's entry names.
func rotatedNames(path string, listDir func(string) []string) []string {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	type cand struct {
		path  string
		mtime int64
	}
	var cands []cand
	for _, name := range listDir(dir) {
		if name == base || !isRotatedName(name, base, stem, ext) {
			continue
		}
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		cands = append(cands, cand{p, fi.ModTime().UnixNano()})
	}
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].mtime > cands[j].mtime })
	out := make([]string, 0, min(len(cands), maxRotatedNames))
	for i := 0; i < len(cands) && i < maxRotatedNames; i++ {
		out = append(out, cands[i].path)
	}
	return out
}

func isRotatedName(name, base, stem, ext string) bool {
	for _, c := range compressed {
		if strings.HasSuffix(name, c) {
			return false
		}
	}
	if rest, ok := strings.CutPrefix(name, base); ok {
		return rest[0] == '.' || rest[0] == '-' || rest[0] == '_'
	}
	// "app-20261124.log": the stem, a separator, anything, the extension.
	if ext == "" || stem == "" || !strings.HasSuffix(name, ext) {
		return false
	}
	rest, ok := strings.CutPrefix(strings.TrimSuffix(name, ext), stem)
	return ok && rest != "" && (rest[0] == '.' || rest[0] == '-' || rest[0] == '_')
}

// listDir returns the names in dir, read once per run.
func (r *run) listDir(dir string) []string {
	if names, ok := r.dirs[dir]; ok {
		return names
	}
	d, err := os.Open(dir)
	var names []string
	if err == nil {
		names, _ = d.Readdirnames(-1)
		d.Close()
	}
	r.dirs[dir] = names
	return names
}
