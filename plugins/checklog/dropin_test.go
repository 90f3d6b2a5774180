package checklog_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
)

// The tests in this file run the check-log binary on what operators'
// real estates do to it (issue 12): old command lines, rotation schemes,
// hardened hosts, full disks.

// binRun is one run of the binary.
type binRun struct {
	code           int
	stdout, stderr string
}

func (r binRun) first() string { first, _, _ := strings.Cut(r.stdout, "\n"); return first }

// runCmd runs cmd and returns what it printed and its exit code.
func runCmd(t *testing.T, cmd *exec.Cmd) binRun {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return binRun{exit.ExitCode(), stdout.String(), stderr.String()}
	case err != nil:
		t.Fatal(err)
	}
	return binRun{0, stdout.String(), stderr.String()}
}

// checkLog runs the binary with args.
func checkLog(t *testing.T, args ...string) binRun {
	t.Helper()
	return runCmd(t, exec.Command(binary(t), args...))
}

// want checks a run's exit code and first line.
func (r binRun) want(t *testing.T, code int, first string) {
	t.Helper()
	if r.code != code || r.first() != first {
		t.Fatalf("got exit %d:\n%s\n(stderr %q)\nwant exit %d with first line\n%s", r.code, r.stdout, r.stderr, code, first)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path, content string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
}

func mustRename(t *testing.T, from, to string) {
	t.Helper()
	if err := os.Rename(from, to); err != nil {
		t.Fatal(err)
	}
}

// relink points the symbolic link name at target, replacing it at once
// (as cronolog --symlink and rotatelogs -L do).
func relink(t *testing.T, target, name string) {
	t.Helper()
	tmp := name + ".new-link"
	if err := os.Symlink(target, tmp); err != nil {
		t.Fatal(err)
	}
	mustRename(t, tmp, name)
}

func criticalsLine(n int) string {
	return fmt.Sprintf("LOG CRITICAL: %d warnings, %d criticals for pattern /ERROR/.", n, n)
}

const okLine = "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/."

func TestBinaryFollowsALinkRepointedAtEachRotation(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows, and hard links are not followed there")
	}
	for _, kind := range []string{"symbolic", "hard"} {
		t.Run(kind, func(t *testing.T) {
			dir := t.TempDir()
			link := filepath.Join(dir, "current.log")
			repoint := func(target string) {
				if kind == "symbolic" { // cronolog --symlink
					relink(t, target, link)
					return
				}
				os.Remove(link) // rotatelogs -L
				if err := os.Link(filepath.Join(dir, target), link); err != nil {
					t.Fatal(err)
				}
			}
			args := []string{"-f", link, "-p", "ERROR", "-s", filepath.Join(dir, "state")}
			writeFile(t, filepath.Join(dir, "app-20261130.log"), "INFO start\n")
			repoint("app-20261130.log")
			checkLog(t, args...).want(t, 0, okLine)
			appendFile(t, filepath.Join(dir, "app-20261130.log"), "ERROR before midnight\n")
			writeFile(t, filepath.Join(dir, "app-20261201.log"), "ERROR after midnight\n")
			writeFile(t, filepath.Join(dir, "app-20261202.log"), "ERROR the day after\n")
			repoint("app-20261202.log")
			// Before the fix only names built from current.log were
			// searched: the errors of the 30th and the 1st were lost.
			checkLog(t, args...).want(t, 2, criticalsLine(3))
			checkLog(t, args...).want(t, 0, okLine)
		})
	}
}

func TestBinaryRenameWithoutCreateKeepsTheRotatedFile(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	args := []string{"-f", log, "-p", "ERROR", "-s", filepath.Join(dir, "state"), "--missing", "OK"}
	writeFile(t, log, "INFO start\n")
	checkLog(t, args...).want(t, 0, okLine)
	appendFile(t, log, "ERROR one\n")
	mustRename(t, log, log+".1") // logrotate nocreate: the writer keeps writing app.log.1
	checkLog(t, args...).want(t, 2, criticalsLine(1))
	checkLog(t, args...).want(t, 0, okLine) // a quiet run while app.log is missing
	appendFile(t, log+".1", "ERROR two\n")
	// Before the fix the quiet run forgot app.log.1: ERROR two was lost.
	checkLog(t, args...).want(t, 2, criticalsLine(1))
	appendFile(t, log, "ERROR three\n") // the writer reopens its log
	checkLog(t, args...).want(t, 2, criticalsLine(1))
	checkLog(t, args...).want(t, 0, okLine)
}

func TestBinaryReadsGenerationsByNameWhenMtimesAreOutOfOrder(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	args := []string{"-f", log, "-p", "ERROR", "-s", filepath.Join(dir, "state")}
	writeFile(t, log, "INFO start\n")
	checkLog(t, args...).want(t, 0, okLine)
	appendFile(t, log, "ERROR a\n")
	mustRename(t, log, log+".1")
	writeFile(t, log, "ERROR b\n")
	mustRename(t, log+".1", log+".2")
	mustRename(t, log, log+".1")
	writeFile(t, log, "ERROR c\n")
	// The clock was stepped back: app.log.2 looks newer than app.log.1.
	// Before the fix ERROR b, in the middle generation, was skipped.
	now := time.Now()
	os.Chtimes(log+".1", now.Add(-time.Hour), now.Add(-time.Hour))
	os.Chtimes(log+".2", now, now)
	checkLog(t, args...).want(t, 2, criticalsLine(3))
	checkLog(t, args...).want(t, 0, okLine)
}

// oldEncodings are the --encoding names Mackerel's check-log accepted
// (mattn/go-encoding's table), each with the encoding it meant.
var oldEncodings = map[string]encoding.Encoding{
	"UTF-8": unicode.UTF8, "ISO-2022-JP": japanese.ISO2022JP, "Big5": traditionalchinese.Big5,
	"EUC-KR": korean.EUCKR, "HZ-GB2312": simplifiedchinese.HZGB2312, "sjis": japanese.ShiftJIS,
	"CP932": japanese.ShiftJIS, "Shift_JIS": japanese.ShiftJIS, "EUC-JP": japanese.EUCJP,
	"UTF-16":   unicode.UTF16(unicode.BigEndian, unicode.UseBOM),
	"UTF-16be": unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM),
	"UTF-16le": unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM),
	"CP437":    charmap.CodePage437, "CP850": charmap.CodePage850, "CP852": charmap.CodePage852,
	"CP855": charmap.CodePage855, "CP858": charmap.CodePage858, "CP860": charmap.CodePage860,
	"CP862": charmap.CodePage862, "CP863": charmap.CodePage863, "CP865": charmap.CodePage865,
	"CP866": charmap.CodePage866, "LATIN-1": charmap.ISO8859_1, "ISO-8859-1": charmap.ISO8859_1,
	"ISO-8859-2": charmap.ISO8859_2, "ISO-8859-3": charmap.ISO8859_3, "ISO-8859-4": charmap.ISO8859_4,
	"ISO-8859-5": charmap.ISO8859_5, "ISO-8859-6": charmap.ISO8859_6, "ISO-8859-7": charmap.ISO8859_7,
	"ISO-8859-8": charmap.ISO8859_8, "ISO-8859-10": charmap.ISO8859_10, "ISO-8859-13": charmap.ISO8859_13,
	"ISO-8859-14": charmap.ISO8859_14, "ISO-8859-15": charmap.ISO8859_15, "ISO-8859-16": charmap.ISO8859_16,
	"KOI8R": charmap.KOI8R, "KOI8U": charmap.KOI8U, "Macintosh": charmap.Macintosh,
	"MacintoshCyrillic": charmap.MacintoshCyrillic, "Windows1250": charmap.Windows1250,
	"Windows1251": charmap.Windows1251, "Windows1252": charmap.Windows1252, "Windows1253": charmap.Windows1253,
	"Windows1254": charmap.Windows1254, "Windows1255": charmap.Windows1255, "Windows1256": charmap.Windows1256,
	"Windows1257": charmap.Windows1257, "Windows1258": charmap.Windows1258, "Windows874": charmap.Windows874,
	"XUserDefined": charmap.XUserDefined,
}

func TestBinaryTakesEveryEncodingNameOfTheOldPlugin(t *testing.T) {
	dir := t.TempDir()
	// Every byte from 0x80 up, for the one-byte code pages: decoded by
	// another code page, the line would not match.
	var high []byte
	for b := 0x80; b <= 0xFF; b++ {
		high = append(high, byte(b))
	}
	for name, enc := range oldEncodings {
		var raw []byte
		if _, ok := enc.(*charmap.Charmap); ok {
			raw = append(append([]byte("ERROR "), high...), '\n')
		} else {
			// Not every script is in every encoding: text each has.
			text, ok := map[string]string{"Big5": "ERROR 日誌監視\n", "EUC-KR": "ERROR 로그 감시\n", "HZ-GB2312": "ERROR 日志监视\n"}[name]
			if !ok {
				text = "ERROR ログ監視 ｶﾅ\n"
			}
			var err error
			if raw, err = enc.NewEncoder().Bytes([]byte(text)); err != nil {
				t.Fatalf("%s: cannot encode the sample: %v", name, err)
			}
		}
		line, err := enc.NewDecoder().Bytes(raw)
		if err != nil {
			t.Fatal(err)
		}
		pattern := regexp.QuoteMeta(strings.TrimSuffix(string(line), "\n"))
		path := filepath.Join(dir, strings.ToLower(name)+".log")
		writeFile(t, path, string(raw))
		for _, spelling := range []string{name, strings.ToLower(name), strings.ToUpper(name)} {
			// Before the fix CP932, Windows1252, LATIN-1, KOI8R, … were
			// unknown encodings.
			r := checkLog(t, "-f", path, "-p", pattern, "--encoding", spelling, "--no-state", "--suppress-pattern")
			if r.code != 2 || r.first() != "LOG CRITICAL: 1 warnings, 1 criticals." {
				t.Errorf("--encoding %s: exit %d %q (stderr %q)", spelling, r.code, r.stdout, r.stderr)
			}
		}
	}
}

// asUnprivileged makes cmd run as nobody when the tests run as root, for
// whom file modes do not apply; it skips the test where that cannot be.
func asUnprivileged(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	setCredential(cmd, 65534, 65534)
}

func TestBinaryRotationInADirectoryThatCannotBeListed(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs Unix file modes")
	}
	// A directory nobody may enter, of its own, outside t.TempDir (0700).
	dir, err := os.MkdirTemp("", "checklog-0711-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755); os.RemoveAll(dir) })
	state := filepath.Join(dir, "state")
	logs := filepath.Join(dir, "logs")
	for _, d := range []string{state, logs} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if os.Geteuid() == 0 {
		os.Chown(state, 65534, 65534) // the logs stay root's
	}
	os.Chmod(dir, 0o755)
	// A copy of the binary nobody may run (Binary's directory is 0700).
	exe := filepath.Join(dir, filepath.Base(binary(t)))
	b, err := os.ReadFile(binary(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(logs, "app.log")
	run := func() binRun {
		cmd := exec.Command(exe, "-f", log, "-p", "ERROR", "-s", state)
		asUnprivileged(t, cmd)
		return runCmd(t, cmd)
	}
	writeFile(t, log, "INFO start\n")
	os.Chmod(logs, 0o711) // may be searched, not listed
	run().want(t, 0, okLine)

	// Rotated to the usual name: tried without listing, and read.
	appendFile(t, log, "ERROR one\n")
	mustRename(t, log, log+".1")
	writeFile(t, log, "ERROR two\n")
	run().want(t, 2, criticalsLine(2))

	// Rotated to a name that cannot be guessed: said, naming the
	// directory. Before the fix the rest of the rotated file was dropped
	// and the run was OK.
	appendFile(t, log, "ERROR three\n")
	mustRename(t, log, filepath.Join(logs, "app.log.2026-11-30"))
	writeFile(t, log, "INFO new\n")
	unknown := fmt.Sprintf("LOG UNKNOWN: 0 warnings, 0 criticals for pattern /ERROR/. Cannot read 1 file: %s (cannot list it to find where app.log was rotated to: permission denied).", logs)
	run().want(t, 3, unknown)
	run().want(t, 0, okLine) // said once: the file may as well have been deleted
	appendFile(t, log, "ERROR four\n")
	run().want(t, 2, criticalsLine(1))
}

func TestBinaryNoStateWithABudgetIsNotASilentOK(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	var b strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&b, "INFO request %d served\n", i)
	}
	b.WriteString("ERROR the newest line\n")
	writeFile(t, log, b.String())
	// Without state every run starts at the top: a budget that stops
	// before the end never reaches the newest lines. Before the fix this
	// was OK, saying that the next runs read on.
	r := checkLog(t, "-f", log, "-p", "ERROR", "--no-state", "--max-read-bytes", "4KiB")
	if r.code != 3 || !strings.HasPrefix(r.first(), "LOG UNKNOWN: 0 warnings, 0 criticals for pattern /ERROR/. ") ||
		!strings.Contains(r.first(), "with --no-state every run starts again at the top") {
		t.Fatalf("got exit %d %q", r.code, r.stdout)
	}
	checkLog(t, "-f", log, "-p", "ERROR", "--no-state").want(t, 2, criticalsLine(1))
}

func TestBinarySymlinkLoopIsUnreadableNotMissing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.log"), filepath.Join(dir, "b.log")
	if err := errors.Join(os.Symlink(b, a), os.Symlink(a, b)); err != nil {
		t.Fatal(err)
	}
	// Before the fix the loop was a missing file: with --missing OK, a
	// silent OK.
	r := checkLog(t, "-f", a, "-p", "ERROR", "-s", filepath.Join(dir, "state"), "--missing", "OK")
	r.want(t, 3, fmt.Sprintf("LOG UNKNOWN: 0 warnings, 0 criticals for pattern /ERROR/. Cannot read 1 file: %s (too many levels of symbolic links).", a))
}

func TestBinaryTakesTheOldPluginsCommandLines(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	writeFile(t, log, "ERROR one\nINFO two\nERROR three\n")

	// Levels with a pattern without a capture group: the old check-log
	// ignored the levels and counted every matching line. Before the fix
	// this was UNKNOWN.
	r := checkLog(t, "-f", log, "-p", "ERROR", "--warning-level", "3", "--critical-level", "5", "--no-state")
	r.want(t, 2, criticalsLine(2))
	if want := `check-log: ignoring --warning-level and --critical-level: the pattern "ERROR" has no capture group`; !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("stderr %q, want one line starting %q", r.stderr, want)
	}

	// A stray argument ("--pattern ERROR FATAL"): ignored, as the old
	// check-log did. Before the fix this was UNKNOWN.
	r = checkLog(t, "-f", log, "--pattern", "ERROR", "FATAL", "PANIC", "--no-state")
	r.want(t, 2, criticalsLine(2))
	if want := "check-log: ignoring \"FATAL\" \"PANIC\", which no flag takes"; !strings.HasPrefix(r.stderr, want) || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("stderr %q, want one line starting %q", r.stderr, want)
	}
}

func TestBinaryReportsWhatItFoundWhenTheStateCannotBeSaved(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("ulimit -f is Unix")
	}
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	args := []string{"-f", log, "-p", "ERROR", "-s", filepath.Join(dir, "state")}
	writeFile(t, log, "INFO start\n")
	checkLog(t, args...).want(t, 0, okLine)
	appendFile(t, log, "ERROR one\nERROR two\nERROR three\n")
	// A process that may not write a byte (RLIMIT_FSIZE 0, SIGXFSZ
	// ignored) sees what a full disk shows. Before the fix the CRITICAL
	// was held back behind "LOG UNKNOWN: state file …: cannot write".
	full := exec.Command("sh", "-c", `trap '' XFSZ; ulimit -f 0; exec "$@"`, "sh", binary(t))
	full.Args = append(full.Args, args...)
	r := runCmd(t, full)
	if r.code != 2 || !strings.HasPrefix(r.first(), criticalsLine(3)+" The read positions could not be saved (state directory ") ||
		!strings.HasSuffix(r.first(), ": cannot write: file too large): the next run reads these lines again.") {
		t.Fatalf("full disk: exit %d %q (stderr %q)", r.code, r.stdout, r.stderr)
	}
	// Nothing was lost: the lines are reported again once it can save.
	checkLog(t, args...).want(t, 2, criticalsLine(3))
	checkLog(t, args...).want(t, 0, okLine)
}

func TestBinaryPatternErrorsAndTimes(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "app.log")
	writeFile(t, log, "ERROR one\n")
	// Before the fix the message ended at "Perl syntax", without the part.
	checkLog(t, "-f", log, "-p", "user=(?=admin)").want(t, 3, "LOG UNKNOWN: invalid pattern \"user=(?=admin)\": invalid or unsupported Perl syntax: `(?=`")
	// --max-read-time takes bare seconds as -t does. Before the fix "2"
	// was refused as a duration with no unit.
	for _, v := range []string{"2", "0.5", "2s", "1m"} {
		checkLog(t, "-f", log, "-p", "ERROR", "--no-state", "-t", "30", "--max-read-time", v).want(t, 2, criticalsLine(1))
	}
	checkLog(t, "-f", log, "-p", "ERROR", "--max-read-time", "soon").want(t, 3, "LOG UNKNOWN: invalid argument for flag `--max-read-time': \"soon\" is no time (want seconds, or a duration such as 5s)")
}

func TestBinaryLogWatchedThroughALinkIsRotatedBesideItsTarget(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	// /var/log/containers/app.log -> /var/log/pods/…/0.log, which the
	// kubelet rotates to 0.log.<time> beside it.
	dir := t.TempDir()
	pods, containers := filepath.Join(dir, "pods"), filepath.Join(dir, "containers")
	for _, d := range []string{pods, containers} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	log, link := filepath.Join(pods, "0.log"), filepath.Join(containers, "app.log")
	writeFile(t, log, "INFO start\n")
	if err := os.Symlink(log, link); err != nil {
		t.Fatal(err)
	}
	args := []string{"-f", filepath.Join(containers, "*.log"), "-p", "ERROR", "-s", filepath.Join(dir, "state")}
	checkLog(t, args...).want(t, 0, okLine)
	appendFile(t, log, "ERROR before the rotation\n")
	mustRename(t, log, log+".20261130-120000")
	writeFile(t, log, "ERROR after the rotation\n")
	// Before the fix rotated names were looked for beside the link only:
	// the first error was lost.
	checkLog(t, args...).want(t, 2, criticalsLine(2))
	checkLog(t, args...).want(t, 0, okLine)
}
