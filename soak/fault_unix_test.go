//go:build unix

package soak

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Fault tests with the real check-log: a fault makes a run UNKNOWN with
// the reason (or, when only the positions cannot be saved, reports what it
// found and says so), and the lines of that run are counted by the next
// good run.

// holdLock takes the flock on path, says so, and hangs.
func holdLock(path string) int {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err == nil {
		err = unix.Flock(int(f.Fd()), unix.LOCK_EX)
	}
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println("locked")
	time.Sleep(time.Hour)
	return 0
}

func appendLines(t *testing.T, path string, lines ...string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, l := range lines {
		if _, err := f.WriteString(l + "\n"); err != nil {
			t.Fatal(err)
		}
	}
}

// checkLogIn runs check-log over dir/app.log, through sh when shell
// commands (ulimit, trap) must come first, and returns its exit code and
// first output line.
func checkLogIn(t *testing.T, dir, stateDir, shell string) (int, string) {
	t.Helper()
	args := []string{"--file", filepath.Join(dir, "app.log"), "--pattern", pattern, "--state-dir", stateDir, "--check-first", "-t", "3s"}
	cmd := exec.Command(checkLog(t), args...)
	if shell != "" {
		cmd = exec.Command("sh", append([]string{"-c", shell + `; exec "$0" "$@"`, checkLog(t)}, args...)...)
	}
	out, err := cmd.Output()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return code, first
}

const countOf3 = "LOG CRITICAL: 3 warnings, 3 criticals for pattern /" + pattern + "/."

func TestCheckLogDiskFull(t *testing.T) {
	dir, stateDir := t.TempDir(), filepath.Join(t.TempDir(), "state")
	log := filepath.Join(dir, "app.log")
	appendLines(t, log, "ERROR seq=0 end")
	if code, out := checkLogIn(t, dir, stateDir, ""); code != 2 {
		t.Fatalf("first run: %d %s", code, out)
	}
	appendLines(t, log, "ERROR seq=1 end", "INFO seq=2 ok", "ERROR seq=3 end", "ERROR seq=4 end")

	// A process that may not write a byte (RLIMIT_FSIZE 0, SIGXFSZ
	// ignored): what a full disk looks like without the rights to mount one.
	// What was found is reported, saying the positions were not saved.
	code, out := checkLogIn(t, dir, stateDir, "trap '' XFSZ; ulimit -f 0")
	if code != 2 || !strings.HasPrefix(out, countOf3+" The read positions could not be saved (state directory ") || !strings.HasSuffix(out, ": cannot write: file too large): the next run reads these lines again.") {
		t.Fatalf("full disk: exit %d, %q", code, out)
	}
	if code, out := checkLogIn(t, dir, stateDir, ""); code != 2 || out != countOf3 {
		t.Fatalf("after the full disk: exit %d, %q; want the 3 lines of the failed run", code, out)
	}
}

func TestCheckLogDiskFullTmpfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root; TestCheckLogDiskFull covers a full disk without it")
	}
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=32k,mode=0700", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here (%v: %s); TestCheckLogDiskFull covers a full disk", err, strings.TrimSpace(string(out)))
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	dir, stateDir := t.TempDir(), filepath.Join(mnt, "state")
	log := filepath.Join(dir, "app.log")
	appendLines(t, log, "ERROR seq=0 end")
	if code, out := checkLogIn(t, dir, stateDir, ""); code != 2 {
		t.Fatalf("first run: %d %s", code, out)
	}
	appendLines(t, log, "ERROR seq=1 end", "ERROR seq=2 end", "ERROR seq=3 end")
	filler := filepath.Join(mnt, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for err == nil {
		_, err = f.Write(make([]byte, 1024))
	}
	f.Close()
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the tmpfs: %v", err)
	}
	code, out := checkLogIn(t, dir, stateDir, "")
	if code != 2 || !strings.HasPrefix(out, countOf3+" The read positions could not be saved (state directory ") || !strings.HasSuffix(out, ": cannot write: no space left on device): the next run reads these lines again.") {
		t.Fatalf("full disk: exit %d, %q", code, out)
	}
	os.Remove(filler)
	if code, out := checkLogIn(t, dir, stateDir, ""); code != 2 || out != countOf3 {
		t.Fatalf("after the full disk: exit %d, %q; want the 3 lines of the failed run", code, out)
	}
}

func TestCheckLogLockHeldByStuckRun(t *testing.T) {
	dir, stateDir := t.TempDir(), filepath.Join(t.TempDir(), "state")
	log := filepath.Join(dir, "app.log")
	appendLines(t, log, "ERROR seq=0 end")
	checkLogIn(t, dir, stateDir, "")
	locks, _ := filepath.Glob(filepath.Join(stateDir, "check-log-*.lock"))
	if len(locks) != 1 {
		t.Fatalf("lock files: %v", locks)
	}
	stuck := exec.Command(os.Args[0], "-test.run=^$")
	stuck.Env = append(os.Environ(), "SOAK_HOLD_LOCK="+locks[0])
	out, err := stuck.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := stuck.Start(); err != nil {
		t.Fatal(err)
	}
	defer stuck.Process.Kill()
	buf := make([]byte, 7)
	if _, err := out.Read(buf); err != nil || string(buf) != "locked\n" {
		t.Fatalf("the stuck run did not take the lock: %q %v", buf, err)
	}

	appendLines(t, log, "ERROR seq=1 end", "ERROR seq=2 end", "ERROR seq=3 end")
	code, first := checkLogIn(t, dir, stateDir, "")
	if code != 3 || !strings.Contains(first, "is locked by another run of this check") {
		t.Fatalf("with the lock held: exit %d, %q", code, first)
	}
	stuck.Process.Kill()
	stuck.Wait()
	if code, first := checkLogIn(t, dir, stateDir, ""); code != 2 || first != countOf3 {
		t.Fatalf("after the stuck run died: exit %d, %q", code, first)
	}
}
