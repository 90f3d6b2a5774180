package servertest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireEnv is the environment variable that, set to 1, turns a missing
// server from a skip into a failure. CI sets it.
const RequireEnv = "TEKO_REQUIRE_SERVERS"

// Required reports whether a missing server must fail the tests.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// NotInstalledError says that none of a server's executables was found.
type NotInstalledError struct {
	Names   []string // the executables looked for
	Package string   // the Debian package that provides them
	// Reason, when set, is the whole message instead: for a server that
	// is installed but cannot run here, such as one that needs root.
	Reason string
}

func (e *NotInstalledError) Error() string {
	if e.Reason != "" {
		return e.Reason
	}
	return fmt.Sprintf("%s not found (apt-get install %s)", strings.Join(e.Names, " or "), e.Package)
}

// Find returns the first executable of names that exists: a name with a
// slash is taken as a path; otherwise PATH is searched, then /usr/sbin,
// /usr/bin and /usr/local/bin (tests may run with a PATH without sbin).
// pkg names the Debian package for the error.
func Find(pkg string, names ...string) (string, error) {
	for _, n := range names {
		if strings.ContainsRune(n, '/') {
			if isExecutable(n) {
				return n, nil
			}
			continue
		}
		if p, err := exec.LookPath(n); err == nil {
			return p, nil
		}
		for _, dir := range []string{"/usr/sbin", "/usr/bin", "/usr/local/bin", "/sbin"} {
			if p := filepath.Join(dir, n); isExecutable(p) {
				return p, nil
			}
		}
	}
	return "", &NotInstalledError{Names: names, Package: pkg}
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0
}

// Binary is Find for a test: it returns the executable or skips t (fails
// it when Required).
func Binary(t testing.TB, pkg string, names ...string) string {
	t.Helper()
	p, err := Find(pkg, names...)
	if err != nil {
		Unavailable(t, err)
	}
	return p
}

// Unavailable ends t because its server could not be had: a
// NotInstalledError skips (fails when Required), any other error fails.
func Unavailable(t testing.TB, err error) {
	t.Helper()
	var ni *NotInstalledError
	switch {
	case errors.As(err, &ni) && !Required():
		t.Skipf("%v; set %s=1 to make this a failure", err, RequireEnv)
	case errors.As(err, &ni):
		t.Fatalf("%v, and %s=1 requires it", err, RequireEnv)
	default:
		t.Fatalf("starting the server: %v", err)
	}
}

// Shared is a server started at most once per test package, by the
// first test that asks for it, and stopped by Close (call it from
// TestMain after m.Run). A failed start is remembered: every later test
// that asks skips or fails with the same reason, without trying again.
// It is safe for parallel tests.
type Shared[T any] struct {
	mu      sync.Mutex
	started bool
	val     T
	stop    func()
	err     error
}

// Get returns the server, starting it with start on the first call.
// start returns the server, a function that stops it (may be nil) and an
// error; on an error t is ended as Unavailable says.
func (s *Shared[T]) Get(t testing.TB, start func() (T, func(), error)) T {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		s.started = true
		s.val, s.stop, s.err = start()
	}
	if s.err != nil {
		Unavailable(t, s.err)
	}
	return s.val
}

// Close stops the server if it was started. It is safe to call more than
// once and when no test asked for the server.
func (s *Shared[T]) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
		s.stop = nil
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
// Another process may take it before the server binds it; servers that
// can report the port they bound (":0") are better still.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// TempDir makes a fresh directory with a short path (under /tmp on unix,
// so that unix socket paths inside it stay under the ~100-byte limit),
// readable by every user (servers often drop privileges). The caller
// removes it.
func TempDir(prefix string) (string, error) {
	base := os.TempDir()
	if len(base) > 20 {
		if fi, err := os.Stat("/tmp"); err == nil && fi.IsDir() {
			base = "/tmp"
		}
	}
	dir, err := os.MkdirTemp(base, "teko-"+prefix+"-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// WaitFor calls ready until it returns nil or timeout passes; it returns
// ready's last error, with the time waited, when it gives up.
func WaitFor(timeout time.Duration, ready func() error) error {
	deadline := time.Now().Add(timeout)
	delay := 10 * time.Millisecond
	for {
		err := ready()
		if err == nil {
			return nil
		}
		var sw stopWaiting
		if errors.As(err, &sw) {
			return sw.error
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not ready after %s: %w", timeout, err)
		}
		time.Sleep(delay)
		delay = min(delay*2, 200*time.Millisecond)
	}
}

// WaitDial waits until network ("tcp" or "unix") address accepts a
// connection.
func WaitDial(network, address string, timeout time.Duration) error {
	return WaitFor(timeout, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		var d net.Dialer
		c, err := d.DialContext(ctx, network, address)
		if err != nil {
			return err
		}
		return c.Close()
	})
}

func writeFile(path, content string) error { return os.WriteFile(path, []byte(content), 0o644) }

func removeAll(dir string) { os.RemoveAll(dir) }
