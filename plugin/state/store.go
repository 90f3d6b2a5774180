package state

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"
)

// FormatVersion is the version of the state file envelope this package
// writes and reads.
const FormatVersion = 1

// DefaultLockWait is how long Open waits for another run to release the
// lock when Options.LockWait is zero.
const DefaultLockWait = 5 * time.Second

// Dir chooses the state directory: flagValue when set, else
// $MACKEREL_PLUGIN_WORKDIR (which mackerel-agent sets), else a folder of
// this user's own in the OS temporary directory: "teko-<uid>" (the
// effective user id) on Unix, "teko" on Windows, whose temporary
// directory is already per user. See FormerDirs for the shared folder
// earlier releases used.
func Dir(flagValue string, getenv func(string) string) string {
	if flagValue != "" {
		return flagValue
	}
	if getenv != nil {
		if d := getenv("MACKEREL_PLUGIN_WORKDIR"); d != "" {
			return d
		}
	}
	return filepath.Join(os.TempDir(), defaultDirName())
}

func defaultDirName() string {
	if uid := os.Geteuid(); uid >= 0 {
		return "teko-" + strconv.Itoa(uid)
	}
	return "teko"
}

// FormerDirs returns the directories where earlier releases kept state
// for the same choice of Dir, to be searched (Options.Former) when Dir
// holds no state yet: the shared "teko" folder of the temporary
// directory, which releases up to 7888c66 used by default for every
// user, when Dir chose the per-user default and that folder belongs to
// the running user. A shared folder another user created is never read.
func FormerDirs(flagValue string, getenv func(string) string) []string {
	if flagValue != "" || (getenv != nil && getenv("MACKEREL_PLUGIN_WORKDIR") != "") {
		return nil
	}
	shared := filepath.Join(os.TempDir(), "teko")
	if shared == Dir(flagValue, getenv) {
		return nil
	}
	fi, err := os.Lstat(shared)
	if err != nil || !fi.IsDir() || !ownedByMe(fi) {
		return nil
	}
	return []string{shared}
}

// Key names the state of one plugin instance: the plugin name followed by
// a hash of its canonical options (each "name=value", in any order; Key
// sorts them). The same options give the same key however they were
// spelled on the command line. Which options a plugin passes is the
// caller's rule; the plugin runtime's is in the package doc.
func Key(plugin string, options []string) string {
	sorted := append([]string(nil), options...)
	sort.Strings(sorted)
	h := sha256.Sum256([]byte(strings.Join(sorted, "\x00")))
	return plugin + "-" + hex.EncodeToString(h[:8])
}

// Options configures Open.
type Options struct {
	Dir      string        // the state directory; created (0700) if missing
	Key      string        // the file name stem, from Key
	Describe string        // optional note kept in the file for humans, e.g. the options
	LockWait time.Duration // how long to wait for another run; zero means DefaultLockWait
	Warn     func(string)  // receives warnings (a corrupt file); nil discards them
	// Former lists where earlier releases may have kept this instance's
	// state (another key, another directory). When Dir holds no state
	// file for Key, Open carries the newest of them over: under that
	// location's lock too, it is renamed (or, from another file system,
	// copied, synced and removed) to this Key in Dir, so that an upgrade
	// neither loses nor repeats anything.
	Former []Location
}

// Location is where a state file may be: Dir/Key.json.
type Location struct {
	Dir, Key string
}

// Store is the locked state of one plugin instance. It is not safe for
// concurrent use by several goroutines.
type Store struct {
	opts Options
	path string
	lock *os.File
	tmp  string

	read    bool                       // file, existed, readErr and newer are set
	existed bool                       // there was a state file, usable or not
	file    *envelope                  // the file as read; nil when absent or corrupt
	readErr error                      // the file exists but cannot be read
	newer   error                      // the file has a newer format: never touched
	saved   map[string]json.RawMessage // staged by Save, by part ("" is the main part)
	adopted string                     // the former state file carried over, if any

	root *Store // for a Part: the store that owns the file
	part string
}

// Path returns the state file's path.
func (s *Store) Path() string { return s.path }

// Adopted returns the path of the earlier release's state file that Open
// carried over to Path (Options.Former), or "" when there was none.
func (s *Store) Adopted() string { return s.owner().adopted }

// Existed reports whether the instance had a state file when the store
// was opened — written by this release or carried over from an earlier
// one (Options.Former) — even one that Load could not use (corrupt, of
// another format). A plugin that takes over another tool's state on its
// first run does so only when Existed is false: a damaged state of its
// own is not a first run.
func (s *Store) Existed() bool {
	r := s.owner()
	r.readFile()
	return r.existed
}

// Part returns a named part of the same state file: a separate value
// that Load and Save read and write independently of the main one (and
// of other parts), saved together with it by the same Prepare and
// Commit, so that the parts can never disagree after a crash. What a run
// does not Save of a part is kept as it was. The plugin runtime keeps a
// metric plugin's counters in the main part and gives the plugin its own
// part. Prepare, Commit and Close on a part act on the whole store; the
// name "" is the main part.
func (s *Store) Part(name string) *Store {
	root := s.owner()
	if name == "" {
		return root
	}
	return &Store{opts: root.opts, path: root.path, root: root, part: name}
}

func (s *Store) owner() *Store {
	if s.root != nil {
		return s.root
	}
	return s
}

// Open creates the directory if needed, checks its permissions and takes
// the instance's exclusive lock, waiting at most LockWait (or until ctx
// ends) for another run to finish. When ctx has a deadline, Open stops
// waiting at nine tenths of the time left, so that the caller can still
// report that the lock was held. When there is no state file yet, it
// carries over the newest one of Options.Former; a former file that
// exists but cannot be carried over (its lock held, an I/O error) is an
// error, as losing it would lose or repeat work.
func Open(ctx context.Context, o Options) (*Store, error) {
	if o.Key == "" || strings.ContainsAny(o.Key, `/\`) {
		return nil, fmt.Errorf("state: invalid key %q", o.Key)
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", o.Dir, unwrapPath(err))
	}
	if err := checkShared(o.Dir, true); err != nil {
		return nil, err
	}
	s := &Store{opts: o, path: filepath.Join(o.Dir, o.Key+".json")}
	wait := o.LockWait
	if wait <= 0 {
		wait = DefaultLockWait
	}
	if end, ok := ctx.Deadline(); ok {
		// Give up with the reason while the caller still has time to
		// report it, rather than let its deadline hide why.
		wait = min(wait, time.Until(end)*9/10).Round(10 * time.Millisecond)
	}
	deadline := time.Now().Add(wait)
	f, err := acquire(ctx, o.Dir, o.Key, s.path, deadline, wait)
	if err != nil {
		return nil, err
	}
	s.lock = f
	if len(o.Former) > 0 {
		if _, err := os.Lstat(s.path); errors.Is(err, fs.ErrNotExist) {
			if err := s.adopt(ctx, deadline, wait); err != nil {
				s.Close()
				return nil, err
			}
		}
	}
	return s, nil
}

// acquire takes the lock of dir/key, waiting until deadline.
func acquire(ctx context.Context, dir, key, statePath string, deadline time.Time, wait time.Duration) (*os.File, error) {
	lockPath := filepath.Join(dir, key+".lock")
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state directory %s: cannot create lock file: %w", dir, unwrapPath(err))
	}
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("state lock %s: %w", lockPath, err)
		}
		if ok {
			return f, nil
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("state %s is locked by another run of this check (waited %s)", statePath, wait)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for the state lock %s: %w", lockPath, context.Cause(ctx))
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// adopt carries the newest former state file over to s.path.
func (s *Store) adopt(ctx context.Context, deadline time.Time, wait time.Duration) error {
	type found struct {
		loc   Location
		mtime time.Time
	}
	var all []found
	for _, loc := range s.opts.Former {
		if loc.Key == "" || strings.ContainsAny(loc.Key, `/\`) || (loc.Dir == s.opts.Dir && loc.Key == s.opts.Key) {
			continue
		}
		if fi, err := os.Lstat(filepath.Join(loc.Dir, loc.Key+".json")); err == nil && fi.Mode().IsRegular() {
			all = append(all, found{loc, fi.ModTime()})
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].mtime.After(all[j].mtime) })
	for _, c := range all {
		old := filepath.Join(c.loc.Dir, c.loc.Key+".json")
		lock, err := acquire(ctx, c.loc.Dir, c.loc.Key, old, deadline, wait)
		if err != nil {
			return fmt.Errorf("carrying over the state of an earlier release: %w", err)
		}
		err = s.moveIn(old, c.loc.Dir)
		lock.Close()
		if errors.Is(err, fs.ErrNotExist) {
			continue // another run carried it over first
		}
		if err != nil {
			return fmt.Errorf("carrying over the state of an earlier release from %s: %w", old, err)
		}
		s.adopted = old
		s.warn("state: carried over %s, written by an earlier release, to %s", old, s.path)
		return nil
	}
	return nil
}

// moveIn moves the state file old (in oldDir, whose lock is held) to
// s.path atomically.
func (s *Store) moveIn(old, oldDir string) error {
	if err := checkShared(old, false); err != nil {
		return err
	}
	if oldDir == s.opts.Dir {
		if err := os.Rename(old, s.path); err != nil {
			return unwrapPath(err)
		}
		return syncDir(s.opts.Dir)
	}
	b, err := os.ReadFile(old)
	if err != nil {
		return unwrapPath(err)
	}
	f, err := os.CreateTemp(s.opts.Dir, "."+s.opts.Key+".tmp-*")
	if err != nil {
		return unwrapPath(err)
	}
	_, werr := f.Write(b)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(f.Name())
		return unwrapPath(err)
	}
	if err := os.Rename(f.Name(), s.path); err != nil {
		os.Remove(f.Name())
		return unwrapPath(err)
	}
	if err := syncDir(s.opts.Dir); err != nil {
		return err
	}
	if err := os.Remove(old); err != nil {
		s.warn("state: %s was carried over but could not be removed: %v", old, unwrapPath(err))
		return nil
	}
	return syncDir(oldDir)
}

type envelope struct {
	Format   int                        `json:"teko_state"`
	Key      string                     `json:"key"`
	Describe string                     `json:"options,omitempty"`
	Data     json.RawMessage            `json:"data"`
	Parts    map[string]json.RawMessage `json:"parts,omitempty"`
}

// ErrNewerFormat is wrapped by the error Load and Prepare return for a
// state file written by a newer release (a rollback after an upgrade):
// the file is left untouched, so that the newer release finds it again.
var ErrNewerFormat = errors.New("written by a newer release")

// readFile reads the state file once per Store.
func (s *Store) readFile() {
	if s.read {
		return
	}
	s.read = true
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	s.existed = true
	if err != nil {
		s.readErr = fmt.Errorf("state file %s: %w", s.path, unwrapPath(err))
		return
	}
	if err := checkShared(s.path, false); err != nil {
		s.readErr = err
		return
	}
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		s.warn("state file %s is corrupt (%v); starting afresh", s.path, err)
		return
	}
	if env.Format > FormatVersion {
		s.newer = fmt.Errorf("state file %s has format version %d, %w than this build (which reads %d): left untouched; run the newer release, or remove the file to start afresh", s.path, env.Format, ErrNewerFormat, FormatVersion)
		return
	}
	if env.Format != FormatVersion {
		s.warn("state file %s has format version %d, this build reads %d; starting afresh", s.path, env.Format, FormatVersion)
		return
	}
	s.file = &env
}

// Load decodes the saved state (of this part: see Part) into v. It
// returns false, and leaves v alone, when there is no state yet or the
// file is unusable (corrupt, an old unknown format version: a warning
// says so). An error means the file exists but cannot be read
// (permissions, a directory in its place) or was written by a newer
// release (ErrNewerFormat): the run must not go on as if there were no
// state, and Prepare will not write over it.
func (s *Store) Load(v any) (found bool, err error) {
	r := s.owner()
	r.readFile()
	switch {
	case r.readErr != nil:
		return false, r.readErr
	case r.newer != nil:
		return false, r.newer
	case r.file == nil:
		return false, nil
	}
	raw := r.file.Data
	if s.part != "" {
		if raw = r.file.Parts[s.part]; len(raw) == 0 {
			return false, nil // this part was never saved
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		what := "this plugin's state"
		if s.part != "" {
			what = fmt.Sprintf("the state part %q", s.part)
		}
		s.warn("state file %s does not hold %s (%v); starting afresh", s.path, what, err)
		return false, nil
	}
	return true, nil
}

// Save stages v (encoded as JSON) as this part's state (see Part), to be
// written by Prepare and Commit.
func (s *Store) Save(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("state: encoding: %w", err)
	}
	r := s.owner()
	if r.saved == nil {
		r.saved = map[string]json.RawMessage{}
	}
	r.saved[s.part] = data
	if r.tmp != "" { // prepared before this Save: prepare again
		os.Remove(r.tmp)
		r.tmp = ""
	}
	return nil
}

// Prepare writes the staged state to a temporary file beside the state
// file and flushes it to disk, so that Commit only has to rename it. It
// does nothing when nothing was saved. Parts not saved in this run keep
// what the file held.
func (s *Store) Prepare() error {
	s = s.owner()
	if len(s.saved) == 0 || s.tmp != "" {
		return nil
	}
	s.readFile()
	if s.newer != nil {
		return s.newer
	}
	env := envelope{Format: FormatVersion, Key: s.opts.Key, Describe: s.opts.Describe}
	if s.file != nil {
		env.Data = s.file.Data
		for k, v := range s.file.Parts {
			if env.Parts == nil {
				env.Parts = map[string]json.RawMessage{}
			}
			env.Parts[k] = v
		}
	}
	for k, v := range s.saved {
		if k == "" {
			env.Data = v
			continue
		}
		if env.Parts == nil {
			env.Parts = map[string]json.RawMessage{}
		}
		env.Parts[k] = v
	}
	if env.Data == nil {
		env.Data = json.RawMessage("null")
	}
	b, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("state: encoding: %w", err)
	}
	f, err := os.CreateTemp(s.opts.Dir, "."+s.opts.Key+".tmp-*")
	if err != nil {
		return fmt.Errorf("state directory %s: cannot write: %w", s.opts.Dir, unwrapPath(err))
	}
	_, werr := f.Write(append(b, '\n'))
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("state file %s: cannot write: %w", s.path, unwrapPath(err))
	}
	s.tmp = f.Name()
	return nil
}

// Commit makes the prepared state the current one: it renames the
// temporary file over the state file and flushes the directory. It
// prepares first if Prepare was not called.
func (s *Store) Commit() error {
	s = s.owner()
	if err := s.Prepare(); err != nil || s.tmp == "" {
		return err
	}
	if err := os.Rename(s.tmp, s.path); err != nil {
		os.Remove(s.tmp)
		s.tmp = ""
		return fmt.Errorf("state file %s: %w", s.path, unwrapPath(err))
	}
	s.tmp, s.saved = "", nil
	s.read, s.file = false, nil // the file changed: read it again if asked
	return syncDir(s.opts.Dir)
}

// Close discards anything prepared but not committed and releases the
// lock. It is safe to call more than once.
func (s *Store) Close() error {
	s = s.owner()
	if s.tmp != "" {
		os.Remove(s.tmp)
		s.tmp = ""
	}
	if s.lock == nil {
		return nil
	}
	err := s.lock.Close() // closing the descriptor releases the lock
	s.lock = nil
	return err
}

func (s *Store) warn(format string, args ...any) {
	if s.opts.Warn != nil {
		s.opts.Warn(fmt.Sprintf(format, args...))
	}
}

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for sync there; rename is durable
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("state directory %s: %w", dir, unwrapPath(err))
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("state directory %s: sync: %w", dir, unwrapPath(err))
	}
	return nil
}

// checkShared refuses a path other users could write: one that belongs
// to another user (root aside), a world-writable file, or a
// world-writable directory without the sticky bit.
func checkShared(path string, isDir bool) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("state %s: %w", path, unwrapPath(err))
	}
	if isDir != fi.IsDir() {
		if isDir {
			return fmt.Errorf("state directory %s is not a directory", path)
		}
		return fmt.Errorf("state file %s is not a regular file", path)
	}
	if uid, foreign := foreignOwner(fi); foreign {
		what := "state file"
		if isDir {
			what = "state directory"
		}
		return fmt.Errorf("%s %s belongs to uid %d, not to this user (uid %d) or root; refusing to trust it: choose another --state-dir", what, path, uid, os.Geteuid())
	}
	m := fi.Mode()
	if m.Perm()&0o002 != 0 && !(isDir && m&fs.ModeSticky != 0) {
		return fmt.Errorf("state %s is writable by every user (mode %s); refusing to trust it: chmod o-w it or choose another --state-dir", path, m.Perm())
	}
	return nil
}

// unwrapPath drops the *PathError wrapper, whose path our messages
// already name.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
