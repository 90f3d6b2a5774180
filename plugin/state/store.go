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
// $MACKEREL_PLUGIN_WORKDIR (which mackerel-agent sets), else a "teko"
// folder in the OS temporary directory.
func Dir(flagValue string, getenv func(string) string) string {
	if flagValue != "" {
		return flagValue
	}
	if getenv != nil {
		if d := getenv("MACKEREL_PLUGIN_WORKDIR"); d != "" {
			return d
		}
	}
	return filepath.Join(os.TempDir(), "teko")
}

// Key names the state of one plugin instance: the plugin name followed by
// a hash of its canonical options (each "name=value", in any order; Key
// sorts them). The same options give the same key however they were
// spelled on the command line.
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
}

// Store is the locked state of one plugin instance. It is not safe for
// concurrent use by several goroutines.
type Store struct {
	opts    Options
	path    string
	lock    *os.File
	staged  []byte
	hasData bool
	tmp     string
}

// Path returns the state file's path.
func (s *Store) Path() string { return s.path }

// Open creates the directory if needed, checks its permissions and takes
// the instance's exclusive lock, waiting at most LockWait (or until ctx
// ends) for another run to finish. When ctx has a deadline, Open stops
// waiting at nine tenths of the time left, so that the caller can still
// report that the lock was held.
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
	lockPath := filepath.Join(o.Dir, o.Key+".lock")
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state directory %s: cannot create lock file: %w", o.Dir, unwrapPath(err))
	}
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
	for {
		ok, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("state lock %s: %w", lockPath, err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			f.Close()
			return nil, fmt.Errorf("state %s is locked by another run of this check (waited %s)", s.path, wait)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for the state lock %s: %w", lockPath, context.Cause(ctx))
		case <-time.After(20 * time.Millisecond):
		}
	}
	s.lock = f
	return s, nil
}

type envelope struct {
	Format   int             `json:"teko_state"`
	Key      string          `json:"key"`
	Describe string          `json:"options,omitempty"`
	Data     json.RawMessage `json:"data"`
}

// Load decodes the saved state into v. It returns false, and leaves v
// alone, when there is no state yet or the file is unusable (corrupt, an
// unknown format version: a warning says so). An error means the file
// exists but cannot be read (permissions, a directory in its place).
func (s *Store) Load(v any) (found bool, err error) {
	b, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("state file %s: %w", s.path, unwrapPath(err))
	}
	if err := checkShared(s.path, false); err != nil {
		return false, err
	}
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		s.warn("state file %s is corrupt (%v); starting afresh", s.path, err)
		return false, nil
	}
	if env.Format != FormatVersion {
		s.warn("state file %s has format version %d, this build reads %d; starting afresh", s.path, env.Format, FormatVersion)
		return false, nil
	}
	if err := json.Unmarshal(env.Data, v); err != nil {
		s.warn("state file %s does not hold this plugin's state (%v); starting afresh", s.path, err)
		return false, nil
	}
	return true, nil
}

// Save stages v (encoded as JSON) to be written by Prepare and Commit.
func (s *Store) Save(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("state: encoding: %w", err)
	}
	b, err := json.Marshal(envelope{Format: FormatVersion, Key: s.opts.Key, Describe: s.opts.Describe, Data: data})
	if err != nil {
		return fmt.Errorf("state: encoding: %w", err)
	}
	s.staged, s.hasData = append(b, '\n'), true
	return nil
}

// Prepare writes the staged state to a temporary file beside the state
// file and flushes it to disk, so that Commit only has to rename it. It
// does nothing when nothing was saved.
func (s *Store) Prepare() error {
	if !s.hasData || s.tmp != "" {
		return nil
	}
	f, err := os.CreateTemp(s.opts.Dir, "."+s.opts.Key+".tmp-*")
	if err != nil {
		return fmt.Errorf("state directory %s: cannot write: %w", s.opts.Dir, unwrapPath(err))
	}
	_, werr := f.Write(s.staged)
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
	if err := s.Prepare(); err != nil || s.tmp == "" {
		return err
	}
	if err := os.Rename(s.tmp, s.path); err != nil {
		os.Remove(s.tmp)
		s.tmp = ""
		return fmt.Errorf("state file %s: %w", s.path, unwrapPath(err))
	}
	s.tmp, s.hasData = "", false
	return syncDir(s.opts.Dir)
}

// Close discards anything prepared but not committed and releases the
// lock. It is safe to call more than once.
func (s *Store) Close() error {
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
