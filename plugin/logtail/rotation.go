package logtail

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxRotatedNames bounds how many rotated-looking names beside a file
// are examined when looking for where it went.
const maxRotatedNames = 200

// compressed lists the suffixes of rotated files that were compressed:
// their bytes are no longer the log's, so they are not candidates.
var compressed = []string{".gz", ".bz2", ".xz", ".zst", ".lz4", ".lzma", ".zip", ".Z"}

// look is what a run found beside a path: the rotated-looking names, and
// the paths of the regular files among them, most recently modified first.
type look struct {
	names []string
	paths []string
}

// rotatedNames returns the paths beside path whose names look like
// rotated forms of it, most recently modified first: for "app.log",
// names such as "app.log.1", "app.log-20261124", "app.log.2026-11-24"
// and "app-20261124.log"; compressed ones are left out. It looks once per
// run, and keeps the names for unchanged.
func (r *run) rotatedNames(path string) []string {
	if l := r.looked[path]; l != nil {
		return l.paths
	}
	dir, base := splitPath(path)
	names := rotatedNamesIn(r.listDir(dir), base)
	type cand struct {
		path  string
		mtime int64
	}
	var cands []cand
	for _, name := range names {
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
	r.looked[path] = &look{names: names, paths: out}
	return out
}

// splitPath returns path's directory ("." for none) and base name.
func splitPath(path string) (dir, base string) {
	dir, base = filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	return dir, base
}

// rotatedNamesIn returns the names among names (sorted) that look like
// rotated forms of base.
func rotatedNamesIn(names []string, base string) []string {
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	var out []string
	for _, name := range names {
		if name != base && isRotatedName(name, base, stem, ext) {
			out = append(out, name)
		}
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

// listDir returns the names in dir, sorted, read once per run.
func (r *run) listDir(dir string) []string {
	if names, ok := r.dirs[dir]; ok {
		return names
	}
	names, err := listNames(dir)
	r.dirs[dir] = names
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		r.unlisted[dir] = err
	}
	return names
}

// readDirNames returns the names in dir, sorted; none when it cannot be
// read.
func readDirNames(dir string) []string {
	names, _ := listNames(dir)
	return names
}

// listNames returns the names in dir, sorted, or why it cannot list them.
func listNames(dir string) ([]string, error) {
	d, err := os.Open(dir)
	if err != nil {
		return nil, reason(err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	sort.Strings(names)
	return names, reason(err)
}

// probedNames are the rotated names tried beside path when its directory
// can be searched but not listed (mode 0711, an SELinux policy): the
// usual first generation of logrotate (app.log.1), and with dateext,
// today's and yesterday's (app.log-20261124).
func probedNames(path string, now time.Time) []string {
	return []string{
		path + ".1",
		path + "-" + now.Format("20060102"),
		path + "-" + now.AddDate(0, 0, -1).Format("20060102"),
	}
}

// errUnlisted says that the file of a position could not be looked for,
// its directory not being listable.
type errUnlisted struct {
	name string
	err  error
}

func (e *errUnlisted) Error() string {
	return fmt.Sprintf("cannot list it to find where %s was rotated to: %v", e.name, e.err)
}

func (e *errUnlisted) Unwrap() error { return e.err }

// rotatedBeside returns the rotated files of a watched path: those beside
// it and, for a link, those beside the file it names (target), where a
// log watched through a symbolic link (/var/log/containers/app.log ->
// /var/log/pods/…/0.log) is rotated.
func (r *run) rotatedBeside(path, target string) []string {
	if target == "" || target == path {
		return r.rotatedNames(path)
	}
	return slices.Concat(r.rotatedNames(path), r.rotatedNames(target))
}

// schemeOf returns which of a watched path and the file it links to
// (target) the rotated file p is a rotated form of: the origin of p.
func schemeOf(path, target, p string) string {
	if target != "" && rotationSuffix(path, p) == "" && rotationSuffix(target, p) != "" &&
		filepath.Dir(p) == filepath.Dir(target) {
		return target
	}
	return path
}

// newestRotated returns the newest of the rotated files of the watched
// path (see rotatedBeside): the latest generation by name (app.log.1,
// app.log-20261124), else the most recently modified. Nil when there is
// none or the platform has no file identity.
func (r *run) newestRotated(path, target string) *FileRef {
	paths := r.rotatedBeside(path, target)
	if len(paths) == 0 {
		return nil
	}
	newest := paths[0]
	for _, p := range paths[1:] {
		if scheme := schemeOf(path, target, p); scheme == schemeOf(path, target, newest) && laterName(scheme, newest, p) {
			newest = p
		}
	}
	fl, err := r.open(newest)
	if err != nil || !fl.id.Known() {
		return nil
	}
	return &FileRef{Path: newest, ID: fl.id}
}

// find returns the file that ref names, among the rotated files of the
// watched path (see rotatedBeside), with its origin set; nil if it is not
// there.
func (r *run) find(ref *FileRef, path, target string) *file {
	if ref == nil {
		return nil
	}
	for _, p := range r.rotatedBeside(path, target) {
		if fl, err := r.open(p); err == nil && sameFile(fl.id, ref.ID) {
			if fl.origin == "" && !fl.live {
				fl.origin = schemeOf(path, target, p)
			}
			return fl
		}
	}
	return nil
}

// laterGenerations returns the files rotated after the rotated-away files
// in rotated and never read. With several rotations between two runs
// (app.log becomes app.log.1, then app.log.2, while the next app.log
// becomes app.log.1), the generations in between hold lines that no
// position points at. A file qualifies when its name is a later form of
// the same scheme as a rotated-away file's (see laterName) and no
// position or watched name claims it. The names give the order, not the
// modification times: a clock stepped back, or a late writer touching an
// older generation, puts those out of order. A generation read earlier
// is either claimed by its position or older by name than every file
// still read on, so it is never taken again. They are read whole, like
// any rotated-away file.
func (r *run) laterGenerations(rotated []*file, isLive map[string]bool) []*file {
	var out []*file
	for _, old := range rotated {
		for _, p := range slices.Concat(r.rotatedNames(old.origin), r.targetsBetween(old)) {
			if isLive[p] || !laterName(old.origin, old.path, p) && !r.isTargetBetween(old, p) {
				continue
			}
			fl, err := r.open(p)
			if err != nil || fl.planned || fl.live {
				continue
			}
			if r.claimGeneration(fl, old.origin, isLive) {
				out = append(out, fl)
			}
		}
	}
	return out
}

// allGenerations returns the rotated files beside the watched path origin
// that no position or watched name claims, for a position taken when no
// rotated file lay beside it: every one of them came since. They are
// read whole, like any rotated-away file.
func (r *run) allGenerations(path, target string, isLive map[string]bool) []*file {
	var out []*file
	for _, p := range r.rotatedBeside(path, target) {
		if isLive[p] {
			continue
		}
		fl, err := r.open(p)
		if err == nil && !fl.planned && !fl.live && r.claimGeneration(fl, schemeOf(path, target, p), isLive) {
			out = append(out, fl)
		}
	}
	return out
}

// claimGeneration plans to read fl, a generation rotated from the watched
// path origin that nothing has read, from its start to its end. It
// declines a copy of the watched file whose truncate is still to come:
// its lines are read in the watched file.
func (r *run) claimGeneration(fl *file, origin string, isLive map[string]bool) bool {
	if w := r.originFile(origin, isLive); w != nil && w.live && fl.copiedFrom(w) {
		return false
	}
	fl.planned = true
	fl.event, fl.was, fl.from, fl.rotated, fl.origin = RotatedAway, origin, 0, true, origin
	fl.final = !r.awaitingWriter(origin, isLive)
	return true
}

// oldestFirst sorts rotated files in the order their content was
// written: by name within a scheme (file times are often too coarse to
// order rotations made in quick succession), else by modification time.
// Reading them in that order matters beyond the order of the lines: when
// the budget stops a run, the generations it did not finish must all be
// older than those it finished, or a finished one, forgotten on the next
// run, would be taken again for a generation rotated after an unfinished
// older one.
func oldestFirst(files []*file) {
	mtimes := make(map[*file]time.Time, len(files))
	for _, fl := range files {
		if fi, err := fl.f.Stat(); err == nil {
			mtimes[fl] = fi.ModTime()
		}
	}
	sort.SliceStable(files, func(i, j int) bool {
		a, b := files[i], files[j]
		if a.origin == b.origin && laterName(a.origin, a.path, b.path) != laterName(a.origin, b.path, a.path) {
			return laterName(a.origin, a.path, b.path)
		}
		if a.origin == b.origin && targetScheme(a, b) {
			return filepath.Base(a.path) < filepath.Base(b.path)
		}
		return mtimes[a].Before(mtimes[b])
	})
}

// copiedFrom reports whether w, as it is now, holds all of fl: fl is a
// copy of w, as copytruncate makes, and w has not been truncated yet.
func (fl *file) copiedFrom(w *file) bool {
	tail, err := tailMark(fl.f, fl.size)
	if err != nil {
		return false
	}
	now, err := w.f.Stat()
	return err == nil && now.Size() >= fl.size &&
		matchesAt(w.f, now.Size(), 0, fl.head) && matchesAt(w.f, now.Size(), fl.size-tail.Len, tail)
}

// maxNumberedSuffix is the longest suffix read as a rotation number
// (".9999"); a longer run of digits is a date or a time.
const maxNumberedSuffix = 5

// laterName reports whether name is a later generation than rotated, both
// being rotated forms of watched in the same scheme: numbered, where later
// is smaller (app.log.2, then app.log.1), or any other suffix of the same
// shape, such as a date, where later sorts higher (app.log-20261123, then
// app.log-20261124).
func laterName(watched, rotated, name string) bool {
	a, b := rotationSuffix(watched, rotated), rotationSuffix(watched, name)
	if a == "" || b == "" || a[0] != b[0] {
		return false
	}
	na, errA := strconv.Atoi(a[1:])
	nb, errB := strconv.Atoi(b[1:])
	if errA == nil && errB == nil && len(a) <= maxNumberedSuffix && len(b) <= maxNumberedSuffix {
		return nb < na
	}
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if isDigit(a[i]) != isDigit(b[i]) || !isDigit(a[i]) && a[i] != b[i] {
			return false
		}
	}
	return b > a
}

// rotationSuffix returns what rotation added to watched's name to make
// path's ("." + "1" for app.log.1, "-20261124" for app-20261124.log),
// starting with its separator, or "" when path is no rotated form of it.
func rotationSuffix(watched, path string) string {
	base, name := filepath.Base(watched), filepath.Base(path)
	if rest, ok := strings.CutPrefix(name, base); ok && rest != "" {
		return rest
	}
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	if ext == "" || stem == "" || !strings.HasSuffix(name, ext) {
		return ""
	}
	rest, _ := strings.CutPrefix(strings.TrimSuffix(name, ext), stem)
	if len(rest) == len(name)-len(ext) {
		return "" // the stem is not a prefix
	}
	return rest
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// linkTarget returns the file a watched name that is a symbolic link
// points at, "" for any other name.
func linkTarget(path string) string {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return ""
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return ""
	}
	return target
}

// otherName returns another name of fl, a watched file with several
// hard links, in its directory: rotatelogs -L and some appenders keep
// such a link (current.log) to the file being written
// (app-20261130.log), and make it anew for each new file. "" when there
// is none there.
func (r *run) otherName(fl *file) string {
	dir, base := splitPath(fl.path)
	for _, name := range r.listDir(dir) {
		if name == base {
			continue
		}
		p := filepath.Join(dir, name)
		if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() && os.SameFile(fi, fl.info) {
			return p
		}
	}
	return ""
}

// targetsBetween returns, for old, a file a watched symbolic link pointed
// at until it was re-pointed, the files beside it that the link may have
// pointed at in between: those whose names have the shape of old's and
// of the link's target now (app-2026113011.log between app-2026113010.log
// and app-2026113012.log) and sort between the two. A link re-pointed
// twice between two runs leaves such a file, which no position names.
func (r *run) targetsBetween(old *file) []string {
	live := r.opened[old.origin]
	if live == nil || !live.live || live.target == "" || old.path == live.target {
		return nil
	}
	dir, _ := splitPath(old.path)
	var out []string
	for _, name := range r.listDir(dir) {
		if p := filepath.Join(dir, name); r.isTargetBetween(old, p) {
			out = append(out, p)
		}
	}
	return out
}

// isTargetBetween reports whether path is one of targetsBetween(old).
func (r *run) isTargetBetween(old *file, path string) bool {
	live := r.opened[old.origin]
	if live == nil || !live.live || live.target == "" {
		return false
	}
	lo, hi := filepath.Base(old.path), filepath.Base(live.target)
	dir, name := filepath.Dir(path), filepath.Base(path)
	return dir == filepath.Dir(old.path) && dir == filepath.Dir(live.target) &&
		sameShape(lo, name) && sameShape(hi, name) && lo < name && name < hi
}

// sameShape reports whether a and b differ only in digits, digit for
// digit: two names of one dated or numbered scheme.
func sameShape(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if isDigit(a[i]) != isDigit(b[i]) || !isDigit(a[i]) && a[i] != b[i] {
			return false
		}
	}
	return true
}

// targetScheme reports whether a and b are files a watched symbolic link
// pointed at, named in one dated or numbered scheme of their own (not
// rotated forms of the link's name): their names sort in the order the
// link pointed at them.
func targetScheme(a, b *file) bool {
	return rotationSuffix(a.origin, a.path) == "" && rotationSuffix(b.origin, b.path) == "" &&
		filepath.Dir(a.path) == filepath.Dir(b.path) && sameShape(filepath.Base(a.path), filepath.Base(b.path))
}
