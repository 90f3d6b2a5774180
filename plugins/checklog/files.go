package checklog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/mattn/go-zglob"
)

// fileSet is what --file and --file-pattern name in this run.
type fileSet struct {
	paths   []string // the files, sorted
	missing []string // a glob or pattern that matched nothing
	broken  []string // "DIR (reason)": a directory that could not be listed
}

// files resolves --file and --file-pattern.
func (o *options) files() (*fileSet, error) {
	if o.File == "" && o.FilePattern == "" {
		return nil, errors.New("no log file given: use --file or --file-pattern")
	}
	if o.Directory != "" && o.FilePattern == "" {
		return nil, errors.New("--search-in-directory needs --file-pattern")
	}
	set := &fileSet{}
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			set.paths = append(set.paths, p)
		}
	}
	if o.File != "" {
		if err := set.glob(o.File, add); err != nil {
			return nil, err
		}
	}
	if o.FilePattern != "" {
		if err := set.byName(o.Directory, o.FilePattern, o.IgnoreCase, add); err != nil {
			return nil, err
		}
	}
	sort.Strings(set.paths)
	return set, nil
}

func (set *fileSet) glob(pattern string, add func(string)) error {
	z, err := zglob.New(pattern)
	if err != nil {
		return fmt.Errorf("invalid --file glob %q: %v", pattern, err)
	}
	matches, err := zglob.Glob(pattern)
	if errors.Is(err, os.ErrNotExist) {
		// zglob calls a path without wildcards missing whatever stopped
		// it: a symbolic link loop, a directory that may not be searched.
		// Such a file is there but unreadable, which reading it says.
		if _, serr := os.Stat(pattern); serr != nil && !errors.Is(serr, fs.ErrNotExist) {
			add(pattern)
			return nil
		}
	}
	if root, ok := globRoot(pattern); ok && err != nil && !errors.Is(err, os.ErrNotExist) {
		// zglob gives up on the whole glob when one directory cannot be
		// listed: walk again, passing over such directories.
		broken := len(set.broken)
		if matches, err = set.walkPast(root, z.Match), nil; len(matches) == 0 && len(set.broken) > broken {
			return nil // not missing: perhaps in what could not be listed
		}
	}
	switch {
	case err != nil && !errors.Is(err, os.ErrNotExist):
		set.broken = append(set.broken, fmt.Sprintf("%s (%v)", pattern, reasonOf(err)))
		return nil
	case errors.Is(err, os.ErrNotExist):
		set.missing = append(set.missing, pattern)
		return nil
	case len(matches) == 0:
		set.missing = append(set.missing, pattern)
		return nil
	}
	for _, m := range matches {
		add(filepath.FromSlash(m))
	}
	return nil
}

// globRoot is the directory a glob's walk starts from, as zglob finds
// it: the elements before the first one with a wildcard ("." for none).
// It is not ok for a glob that starts with "~" or holds a $VARIABLE,
// which zglob expands.
func globRoot(pattern string) (root string, ok bool) {
	var elems []string
	for i, elem := range strings.Split(filepath.ToSlash(pattern), "/") {
		if i == 0 && elem == "~" || strings.HasPrefix(elem, "$") {
			return "", false
		}
		if strings.ContainsAny(elem, "*{") {
			break
		}
		elems = append(elems, elem)
	}
	switch {
	case len(elems) == 0:
		return ".", true
	case len(elems) == 1 && elems[0] == "":
		return string(filepath.Separator), true
	}
	return filepath.Clean(filepath.FromSlash(strings.Join(elems, "/"))), true
}

// walkPast returns the paths under root that match, written as zglob
// writes them, and names each directory that cannot be listed in
// set.broken instead of giving up.
func (set *fileSet) walkPast(root string, match func(string) bool) []string {
	var matches []string
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			set.broken = append(set.broken, fmt.Sprintf("%s (%v)", path, reasonOf(err)))
			return nil
		}
		if path != root && match(filepath.ToSlash(path)) {
			matches = append(matches, filepath.ToSlash(path))
		}
		return nil
	})
	return matches
}

// byName adds the files of dir whose name matches the regular expression
// pattern. Without dir, pattern's directory part is the directory and
// its last element the expression (the old check-log's form).
func (set *fileSet) byName(dir, pattern string, ignoreCase bool, add func(string)) error {
	if dir == "" {
		dir, pattern = filepath.Dir(pattern), filepath.Base(pattern)
	}
	if ignoreCase {
		pattern = "(?i)" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return fmt.Errorf("invalid --file-pattern %q: %v", pattern, err)
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		set.missing = append(set.missing, filepath.Join(dir, pattern))
		return nil
	}
	if err != nil {
		set.broken = append(set.broken, fmt.Sprintf("%s (%v)", dir, reasonOf(err)))
		return nil
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() && re.MatchString(e.Name()) {
			add(filepath.Join(dir, e.Name()))
			n++
		}
	}
	if n == 0 {
		set.missing = append(set.missing, filepath.Join(dir, pattern))
	}
	return nil
}

func reasonOf(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
