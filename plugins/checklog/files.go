package checklog

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"

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
	if _, err := zglob.New(pattern); err != nil {
		return fmt.Errorf("invalid --file glob %q: %v", pattern, err)
	}
	matches, err := zglob.Glob(pattern)
	switch {
	case errors.Is(err, os.ErrNotExist):
		set.missing = append(set.missing, pattern)
		return nil
	case err != nil:
		set.broken = append(set.broken, fmt.Sprintf("%s (%v)", pattern, err))
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
