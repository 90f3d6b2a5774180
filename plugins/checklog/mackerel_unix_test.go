//go:build unix

package checklog_test

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/teko-dev/teko/checkers"
)

// leaveOldPosition writes the file Mackerel's check-log, run with args,
// leaves in dir for the log at path: {"skip_bytes":…,"inode":…} under
// the log's path and the MD5 of the joined arguments.
func leaveOldPosition(t *testing.T, dir, path string, args []string, skip int64, inode uint64) string {
	t.Helper()
	sum := md5.Sum([]byte(strings.Join(args, " ")))
	file := filepath.Join(dir, path+"-"+hex.EncodeToString(sum[:])+".json")
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"skip_bytes":%d,"inode":%d}`, skip, inode)
	if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func inodeOf(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return uint64(fi.Sys().(*syscall.Stat_t).Ino)
}

func TestFirstRunContinuesFromMackerelCheckLogsPosition(t *testing.T) {
	d := newLogDir(t)
	oldDir := t.TempDir()
	d.write("app.log", "ERROR read by the old check-log\nINFO too\nERROR written after its last run\n")
	args := []string{"-f", d.path("app.log"), "-p", "ERROR", "-s", oldDir}
	oldFile := leaveOldPosition(t, oldDir, d.path("app.log"), args, int64(len("ERROR read by the old check-log\nINFO too\n")), inodeOf(t, d.path("app.log")))

	expect(t, d.h.Run(args...), checkers.Critical, "LOG CRITICAL: 1 warnings, 1 criticals for pattern /ERROR/.")
	d.append("app.log", "ERROR next\n")
	expect(t, d.h.Run(args...), checkers.Critical, "LOG CRITICAL: 1 warnings, 1 criticals for pattern /ERROR/.")
	expect(t, d.h.Run(args...), checkers.OK, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/.")

	// From then on check-log's own positions count, and the old file is
	// left as it was.
	leaveOldPosition(t, oldDir, d.path("app.log"), args, 0, inodeOf(t, d.path("app.log")))
	expect(t, d.h.Run(args...), checkers.OK, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/.")
	if b, _ := os.ReadFile(oldFile); !strings.HasPrefix(string(b), `{"skip_bytes":0,`) {
		t.Fatalf("the old position file was changed: %s", b)
	}
}

func TestMackerelPositionInTheDefaultDirectory(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "ERROR old\nERROR new\n")
	// Without -s, the old check-log kept its files in the check-log
	// folder of $MACKEREL_PLUGIN_WORKDIR.
	args := []string{"-f", d.path("app.log"), "-p", "ERROR"}
	leaveOldPosition(t, filepath.Join(d.h.Env["MACKEREL_PLUGIN_WORKDIR"], "check-log"), d.path("app.log"), args, int64(len("ERROR old\n")), inodeOf(t, d.path("app.log")))
	expect(t, d.h.Run(args...), checkers.Critical, "LOG CRITICAL: 1 warnings, 1 criticals for pattern /ERROR/.")
}

// With -F DIR/REGEXP the old check-log named each file DIR + "/" + name;
// both sides clean the path, so a "./" or a doubled slash in the flag
// does not matter, and each file has its own old position.
func TestMackerelPositionsForAFilePattern(t *testing.T) {
	d := newLogDir(t)
	oldDir := t.TempDir()
	d.write("a.log", "ERROR a old\nERROR a new\n")
	d.write("b.log", "ERROR b old\nERROR b new 1\nERROR b new 2\n")
	args := []string{"-F", d.dir + "//./" + `.\.log$`, "-p", "ERROR", "-s", oldDir}
	for _, name := range []string{"a.log", "b.log"} {
		old := int64(len("ERROR " + name[:1] + " old\n"))
		leaveOldPosition(t, oldDir, d.path(name), args, old, inodeOf(t, d.path(name)))
	}
	expect(t, d.h.Run(args...), checkers.Critical, `LOG CRITICAL: 3 warnings, 3 criticals for pattern /ERROR/.`)
}

func TestMackerelPositionsThatDoNotFitAreNotUsed(t *testing.T) {
	const content = "ERROR one\nERROR two\n"
	tests := []struct {
		name  string
		old   func(t *testing.T, dir, log string, args []string)
		first string // the first run's first line
	}{
		{"another file now (inode)", func(t *testing.T, dir, log string, args []string) {
			leaveOldPosition(t, dir, log, args, 0, inodeOf(t, log)+1)
		}, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/."},
		{"another command line", func(t *testing.T, dir, log string, args []string) {
			leaveOldPosition(t, dir, log, append(args, "-r"), 0, inodeOf(t, log))
		}, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/."},
		{"no inode (an old plain-number file)", func(t *testing.T, dir, log string, args []string) {
			leaveOldPosition(t, dir, log, args, 0, 0)
		}, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/."},
		{"garbage", func(t *testing.T, dir, log string, args []string) {
			file := leaveOldPosition(t, dir, log, args, 0, inodeOf(t, log))
			if err := os.WriteFile(file, []byte("{\"skip_bytes\":"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/."},
		{"a directory", func(t *testing.T, dir, log string, args []string) {
			file := leaveOldPosition(t, dir, log, args, 0, inodeOf(t, log))
			if err := os.Remove(file); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(file, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/."},
		// The same file, truncated since the old check-log's last run:
		// everything in it is new.
		{"beyond the end", func(t *testing.T, dir, log string, args []string) {
			leaveOldPosition(t, dir, log, args, int64(len(content))+100, inodeOf(t, log))
		}, "LOG CRITICAL: 2 warnings, 2 criticals for pattern /ERROR/."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newLogDir(t)
			oldDir := t.TempDir()
			d.write("app.log", content)
			args := []string{"-f", d.path("app.log"), "-p", "ERROR", "-s", oldDir}
			tc.old(t, oldDir, d.path("app.log"), args)
			r := d.h.Run(args...)
			expect(t, r, checkers.Status(r.Code), tc.first)
			if r.Stderr != "" {
				t.Fatalf("stderr: %q", r.Stderr)
			}
			d.append("app.log", "ERROR three\n")
			expect(t, d.h.Run(args...), checkers.Critical, "LOG CRITICAL: 1 warnings, 1 criticals for pattern /ERROR/.")
		})
	}
}

// The old check-log split UTF-16 at the byte 0x0A, so its offset in a
// UTF-16LE file falls between the two bytes of a newline. Taken over,
// every later line would be read one byte off and never match.
func TestMackerelPositionInUTF16IsNotTakenOver(t *testing.T) {
	utf16le := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			b.WriteByte(byte(r))
			b.WriteByte(0)
		}
		return b.String()
	}
	d := newLogDir(t)
	oldDir := t.TempDir()
	first := utf16le("ERROR one\n")
	d.write("app.log", first+utf16le("ERROR two\n"))
	args := []string{"-f", d.path("app.log"), "-p", "ERROR", "--encoding", "UTF-16LE", "-s", oldDir}
	leaveOldPosition(t, oldDir, d.path("app.log"), args, int64(len(first)-1), inodeOf(t, d.path("app.log")))
	expect(t, d.h.Run(args...), checkers.OK, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/.")
	d.append("app.log", utf16le("ERROR three\n"))
	expect(t, d.h.Run(args...), checkers.Critical, "LOG CRITICAL: 1 warnings, 1 criticals for pattern /ERROR/.")
}
