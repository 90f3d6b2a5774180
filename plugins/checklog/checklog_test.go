package checklog_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/unicode"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin/plugintest"
	"github.com/teko-dev/teko/plugins/checklog"
	"github.com/teko-dev/teko/plugins/conformance"
)

// logDir is a directory of real log files and a plugin harness whose
// state lives beside them.
type logDir struct {
	t   *testing.T
	dir string
	h   *plugintest.Harness
}

func newLogDir(t *testing.T) *logDir {
	t.Helper()
	return &logDir{t: t, dir: t.TempDir(), h: plugintest.New(t, checklog.Plugin)}
}

func (d *logDir) path(name string) string { return filepath.Join(d.dir, name) }

func (d *logDir) write(name, content string) {
	d.t.Helper()
	if err := os.WriteFile(d.path(name), []byte(content), 0o644); err != nil {
		d.t.Fatal(err)
	}
}

func (d *logDir) append(name, content string) {
	d.t.Helper()
	f, err := os.OpenFile(d.path(name), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		d.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		d.t.Fatal(err)
	}
}

func (d *logDir) rename(from, to string) {
	d.t.Helper()
	if err := os.Rename(d.path(from), d.path(to)); err != nil {
		d.t.Fatal(err)
	}
}

// run runs check-log with args; "{dir}" in an argument is the log
// directory.
func (d *logDir) run(args ...string) plugintest.Result {
	d.t.Helper()
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "{dir}", d.dir)
	}
	return d.h.Run(args...)
}

// expect checks the exit code and the first line of the output.
func expect(t *testing.T, r plugintest.Result, code checkers.Status, first string) {
	t.Helper()
	got, _, _ := strings.Cut(r.Stdout, "\n")
	if r.Code != int(code) || got != first {
		t.Fatalf("got exit %d:\n%s\nwant exit %d with first line\n%s\n(stderr %q)", r.Code, r.Stdout, code, first, r.Stderr)
	}
}

var counted = regexp.MustCompile(`^LOG [A-Z]+: (\d+) warnings, (\d+) criticals`)

// criticals reads the number of criticals from a run's output.
func criticals(t *testing.T, r plugintest.Result) int {
	t.Helper()
	m := counted.FindStringSubmatch(r.Stdout)
	if m == nil {
		t.Fatalf("no count in %q", r.Stdout)
	}
	n, _ := strconv.Atoi(m[2])
	return n
}

func TestConformance(t *testing.T) { conformance.Test(t, checklog.Plugin) }

func TestFirstRunStartsAtTheEndThenCountsAppendedLines(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "INFO start\nERROR old one\nERROR old two\n")
	expect(t, d.run("-f", "{dir}/app.log", "-p", "ERROR"), checkers.OK, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/.")
	d.append("app.log", "ERROR a\nINFO b\nERROR c\nERROR d\n")
	expect(t, d.run("-f", "{dir}/app.log", "-p", "ERROR"), checkers.Critical, "LOG CRITICAL: 3 warnings, 3 criticals for pattern /ERROR/.")
	expect(t, d.run("-f", "{dir}/app.log", "-p", "ERROR"), checkers.OK, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/.")
}

func TestCheckFirstReadsTheWholeFileOnTheFirstRun(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "ERROR old one\nERROR old two\n")
	expect(t, d.run("-f", "{dir}/app.log", "-p", "ERROR", "--check-first"), checkers.Critical, "LOG CRITICAL: 2 warnings, 2 criticals for pattern /ERROR/.")
	expect(t, d.run("-f", "{dir}/app.log", "-p", "ERROR", "--check-first"), checkers.OK, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/.")
}

func TestNoStateReadsEverythingEveryTime(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "ERROR one\nERROR two\n")
	for range 2 {
		expect(t, d.run("-f", "{dir}/app.log", "-p", "ERROR", "--no-state"), checkers.Critical, "LOG CRITICAL: 2 warnings, 2 criticals for pattern /ERROR/.")
	}
	if entries, _ := os.ReadDir(d.h.StateDir); len(entries) != 0 {
		t.Fatalf("--no-state wrote state: %v", entries)
	}
}

func TestThresholdsAndTheStateKey(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "")
	expect(t, d.run("-f", "{dir}/app.log", "-p", "ERROR"), checkers.OK, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/.")
	d.append("app.log", "ERROR 1\nERROR 2\n")
	// Another spelling, another order, new thresholds: the same check, so
	// the same positions.
	expect(t, d.run("--warning-over=1", "--pattern=ERROR", "-c", "2", "--file={dir}/app.log"), checkers.Warning, "LOG WARNING: 2 warnings, 2 criticals for pattern /ERROR/.")
	d.append("app.log", "ERROR 3\nERROR 4\nERROR 5\n")
	expect(t, d.run("-f", "{dir}/app.log", "-p", "ERROR", "-w", "1", "-c", "2", "--suppress-pattern"), checkers.Critical, "LOG CRITICAL: 3 warnings, 3 criticals.")
}

func TestSeveralPatternsAndExcludes(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "")
	args := func(extra ...string) []string {
		return append([]string{"-f", "{dir}/app.log", "-p", "ERROR", "-p", "db"}, extra...)
	}
	d.run(args()...)
	d.run(args("-E", "retry", "-E", "timeout")...)
	d.run(args("--exclude-any", "retry", "--exclude-any", "timeout")...)
	d.append("app.log", "ERROR db down\nERROR db retry\nERROR db retry timeout\nERROR cache\nINFO db\n")
	expect(t, d.run(args()...), checkers.Critical, "LOG CRITICAL: 3 warnings, 3 criticals for pattern /ERROR/ and /db/.")
	// -E: dropped only when every exclude matches.
	expect(t, d.run(args("-E", "retry", "-E", "timeout")...), checkers.Critical, "LOG CRITICAL: 2 warnings, 2 criticals for pattern /ERROR/ and /db/.")
	// --exclude-any: dropped when any matches.
	expect(t, d.run(args("--exclude-any", "retry", "--exclude-any", "timeout")...), checkers.Critical, "LOG CRITICAL: 1 warnings, 1 criticals for pattern /ERROR/ and /db/.")
}

func TestIgnoreCase(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "error a\nError b\nERROR c\nok\n")
	expect(t, d.run("-f", "{dir}/app.log", "-p", "error", "-i", "--check-first"), checkers.Critical, "LOG CRITICAL: 3 warnings, 3 criticals for pattern /error/.")
}

func TestLevels(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "")
	args := []string{"-f", "{dir}/app.log", "-p", `level=(\S+)`, "--warning-level", "5", "--critical-level", "10", "-r"}
	d.run(args...)
	d.append("app.log", "level=1\nlevel=6\nlevel=11\nlevel=x\nnothing\n")
	r := d.run(args...)
	// 6, 11 and the unparsable x are warnings; 11 and x are criticals.
	expect(t, r, checkers.Critical, "LOG CRITICAL: 3 warnings, 2 criticals for pattern /level=(\\S+)/.")
	if want := "[" + d.path("app.log") + "]\nlevel=6\nlevel=11\nlevel=x\n"; !strings.HasSuffix(r.Stdout, want) {
		t.Fatalf("shown lines:\n%s\nwant\n%s", r.Stdout, want)
	}
}

func TestReturnShowsLinesOldestFirstUnderTheirFile(t *testing.T) {
	d := newLogDir(t)
	d.write("a.log", "")
	d.write("b.log", "")
	args := []string{"-f", "{dir}/*.log", "-p", "ERROR", "-r"}
	d.run(args...)
	d.append("a.log", "ERROR a1 | with a bar\nINFO\nERROR a2\n")
	d.append("b.log", "ERROR b1\n")
	r := d.run(args...)
	want := fmt.Sprintf("LOG CRITICAL: 3 warnings, 3 criticals for pattern /ERROR/.\n[%s]\nERROR a1 | with a bar\nERROR a2\n[%s]\nERROR b1\n", d.path("a.log"), d.path("b.log"))
	if r.Stdout != want {
		t.Fatalf("got\n%s\nwant\n%s", r.Stdout, want)
	}
}

func TestReturnWithManyMatchesStaysInTheMessageAndCountsExactly(t *testing.T) {
	d := newLogDir(t)
	var b strings.Builder
	for i := range 100_000 {
		fmt.Fprintf(&b, "ERROR number %06d %s\n", i, strings.Repeat("x", i%50))
	}
	d.write("app.log", b.String())
	r := d.run("-f", "{dir}/app.log", "-p", "ERROR", "-r", "--check-first")
	expect(t, r, checkers.Critical, "LOG CRITICAL: 100000 warnings, 100000 criticals for pattern /ERROR/.")
	if len(r.Stdout) > checkers.MessageLimit {
		t.Fatalf("%d bytes of output", len(r.Stdout))
	}
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if lines[2] != "ERROR number 000000 " {
		t.Fatalf("the oldest line first: %q", lines[2])
	}
	shown := len(lines) - 3 // the status line, the file, the marker
	if want := fmt.Sprintf("… (%d more matched lines)", 100_000-shown); lines[len(lines)-1] != want {
		t.Fatalf("last line %q, want %q", lines[len(lines)-1], want)
	}
}

func TestReturnWithOneGiantLine(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "ERROR "+strings.Repeat("y", 5000)+"\n")
	r := d.run("-f", "{dir}/app.log", "-p", "ERROR", "-r", "--check-first")
	expect(t, r, checkers.Critical, "LOG CRITICAL: 1 warnings, 1 criticals for pattern /ERROR/.")
	lines := strings.Split(strings.TrimSuffix(r.Stdout, "\n"), "\n")
	if len(r.Stdout) > checkers.MessageLimit || len(lines) != 3 || !strings.HasPrefix(lines[2], "ERROR yyy") || !strings.HasSuffix(lines[2], "y…") {
		t.Fatalf("got %d bytes:\n%s", len(r.Stdout), r.Stdout)
	}
}

func TestRotationCountsEveryLineOnce(t *testing.T) {
	d := newLogDir(t)
	args := []string{"-f", "{dir}/app.log", "-p", "ERROR"}
	d.write("app.log", "ERROR before the first run\n")
	d.run(args...)
	d.append("app.log", "ERROR 1\nERROR 2 unterminated")
	d.rename("app.log", "app.log-20261124")
	d.write("app.log", "ERROR 3, in a new file already longer than the old one\nERROR 4\n")
	expect(t, d.run(args...), checkers.Critical, "LOG CRITICAL: 4 warnings, 4 criticals for pattern /ERROR/.")
	expect(t, d.run(args...), checkers.OK, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/.")
}

func TestCopyTruncateCountsEveryLineOnce(t *testing.T) {
	d := newLogDir(t)
	args := []string{"-f", "{dir}/app.log", "-p", "ERROR"}
	d.write("app.log", "2026-11-24 ERROR before the first run\n")
	d.run(args...)
	d.append("app.log", "2026-11-24 ERROR 1\n")
	old, _ := os.ReadFile(d.path("app.log"))
	d.write("app.log.1", string(old))
	d.write("app.log", "2026-11-25 ERROR 2, regrown past the old offset at once\n")
	expect(t, d.run(args...), checkers.Critical, "LOG CRITICAL: 2 warnings, 2 criticals for pattern /ERROR/.")
}

func TestNewFileInTheGlobIsReadFromItsStart(t *testing.T) {
	d := newLogDir(t)
	args := []string{"-f", "{dir}/app-*.log", "-p", "ERROR"}
	d.write("app-2026-11-24.log", "ERROR old\n")
	expect(t, d.run(args...), checkers.OK, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/.")
	d.write("app-2026-11-25.log", "ERROR new day\nERROR again\n")
	expect(t, d.run(args...), checkers.Critical, "LOG CRITICAL: 2 warnings, 2 criticals for pattern /ERROR/.")
}

func TestDoubleStarGlob(t *testing.T) {
	d := newLogDir(t)
	if err := os.MkdirAll(d.path("a/b"), 0o755); err != nil {
		t.Fatal(err)
	}
	d.write("a/b/deep.log", "ERROR deep\n")
	d.write("top.log", "ERROR top\n")
	expect(t, d.run("-f", "{dir}/**/*.log", "-p", "ERROR", "--check-first"), checkers.Critical, "LOG CRITICAL: 2 warnings, 2 criticals for pattern /ERROR/.")
}

func TestFilePatternInADirectory(t *testing.T) {
	d := newLogDir(t)
	d.write("access.log", "ERROR a\n")
	d.write("error.log", "ERROR e\n")
	d.write("notes.txt", "ERROR n\n")
	expect(t, d.run("-F", `\.log$`, "--search-in-directory", "{dir}", "-p", "ERROR", "--check-first"), checkers.Critical, "LOG CRITICAL: 2 warnings, 2 criticals for pattern /ERROR/.")
	// The old form: the directory in the pattern.
	if runtime.GOOS != "windows" {
		expect(t, d.run("-F", `{dir}/^error\.log$`, "-p", "ERROR", "--check-first"), checkers.Critical, "LOG CRITICAL: 1 warnings, 1 criticals for pattern /ERROR/.")
	}
}

func TestMissing(t *testing.T) {
	d := newLogDir(t)
	r := d.run("-f", "{dir}/nothing-*.log", "-p", "ERROR")
	expect(t, r, checkers.Unknown, "LOG UNKNOWN: 0 warnings, 0 criticals for pattern /ERROR/.")
	if want := "The following 1 files are missing.\n" + d.path("nothing-*.log") + "\n"; !strings.HasSuffix(r.Stdout, want) {
		t.Fatalf("got\n%s", r.Stdout)
	}
	for _, c := range []struct {
		status string
		code   checkers.Status
	}{{"OK", checkers.OK}, {"warning", checkers.Warning}, {"CRITICAL", checkers.Critical}} {
		expect(t, d.run("-f", "{dir}/nothing.log", "-p", "ERROR", "--missing", c.status), c.code, fmt.Sprintf("LOG %s: 0 warnings, 0 criticals for pattern /ERROR/.", c.code))
		expect(t, d.run("-F", `^nothing`, "--search-in-directory", "{dir}", "-p", "ERROR", "--missing", c.status), c.code, fmt.Sprintf("LOG %s: 0 warnings, 0 criticals for pattern /ERROR/.", c.code))
	}
	// A match elsewhere still counts: CRITICAL beats the missing status.
	d.write("here.log", "ERROR x\n")
	expect(t, d.run("-f", "{dir}/here.log", "-F", `^nothing`, "--search-in-directory", "{dir}", "-p", "ERROR", "--check-first"), checkers.Critical, "LOG CRITICAL: 1 warnings, 1 criticals for pattern /ERROR/.")
}

func TestUnreadableFileIsNamedAndNeverHidesACritical(t *testing.T) {
	d := newLogDir(t)
	d.write("good.log", "ERROR real\n")
	if err := os.Mkdir(d.path("dir.log"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := d.run("-f", "{dir}/*.log", "-p", "ERROR", "--check-first")
	expect(t, r, checkers.Critical, fmt.Sprintf("LOG CRITICAL: 1 warnings, 1 criticals for pattern /ERROR/. Cannot read 1 file: %s (is a directory).", d.path("dir.log")))
	// Nothing matched in the readable files: UNKNOWN, never OK.
	r = d.run("-f", "{dir}/*.log", "-p", "FATAL", "--check-first")
	expect(t, r, checkers.Unknown, fmt.Sprintf("LOG UNKNOWN: 0 warnings, 0 criticals for pattern /FATAL/. Cannot read 1 file: %s (is a directory).", d.path("dir.log")))
	// Only a warning: UNKNOWN ranks above it.
	r = d.run("-f", "{dir}/*.log", "-p", "ERROR", "--check-first", "-c", "5")
	if r.Code != int(checkers.Unknown) {
		t.Fatalf("exit %d: %s", r.Code, r.Stdout)
	}
}

func TestUnreadablePermissions(t *testing.T) {
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		t.Skip("needs a user that file permissions apply to")
	}
	d := newLogDir(t)
	d.write("secret.log", "ERROR x\n")
	os.Chmod(d.path("secret.log"), 0)
	r := d.run("-f", "{dir}/secret.log", "-p", "ERROR")
	expect(t, r, checkers.Unknown, fmt.Sprintf("LOG UNKNOWN: 0 warnings, 0 criticals for pattern /ERROR/. Cannot read 1 file: %s (permission denied).", d.path("secret.log")))
}

func TestUnwritableStateDirectory(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "ERROR x\n")
	d.write("not-a-dir", "")
	r := d.run("-f", "{dir}/app.log", "-p", "ERROR", "-s", "{dir}/not-a-dir/state")
	if r.Code != int(checkers.Unknown) || !strings.HasPrefix(r.Stdout, "LOG UNKNOWN: state directory "+d.path("not-a-dir/state")) || !strings.Contains(r.Stdout, "not a directory") {
		t.Fatalf("exit %d: %q", r.Code, r.Stdout)
	}
}

func TestEncodings(t *testing.T) {
	utf16le := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()
	utf16be := unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewEncoder()
	text := "情報 開始\nエラー: ディスクが一杯\n1 エラー\n情報 終了\nエラー 2\n"
	// In UTF-16, U+0A0A is the bytes 0A 0A: two halves of newlines that
	// are not one.
	text16 := "情報 開始\nエラー: ディスクが一杯\n\u0a0a 1 エラー\n情報 終了\u0a0a\nエラー 2\n"
	for _, c := range []struct {
		names []string
		enc   interface{ String(string) (string, error) }
		text  string
	}{
		{[]string{"UTF-16LE", "utf-16le", "UTF-16"}, utf16le, text16},
		{[]string{"UTF-16BE", "utf-16be"}, utf16be, text16},
		{[]string{"EUC-JP", "euc-jp"}, japanese.EUCJP.NewEncoder(), text},
		{[]string{"Shift_JIS", "shift_jis", "SJIS"}, japanese.ShiftJIS.NewEncoder(), text},
	} {
		encoded, err := c.enc.String(c.text)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range c.names {
			t.Run(name, func(t *testing.T) {
				d := newLogDir(t)
				d.write("app.log", encoded)
				expect(t, d.run("-f", "{dir}/app.log", "-p", "エラー", "--encoding", name, "--check-first"), checkers.Critical, "LOG CRITICAL: 3 warnings, 3 criticals for pattern /エラー/.")
				r := d.run("-f", "{dir}/app.log", "-p", "^エラー", "--encoding", name, "--check-first", "--no-state", "-r")
				if !strings.HasSuffix(r.Stdout, "\nエラー: ディスクが一杯\nエラー 2\n") {
					t.Fatalf("lines decoded wrongly:\n%s", r.Stdout)
				}
			})
		}
	}
}

func TestBadInputIsUnknownWithTheReason(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-f", "{dir}/app.log", "-p", "ERROR("}, `LOG UNKNOWN: invalid pattern "ERROR(": missing closing )`},
		{[]string{"-f", "{dir}/app.log", "-p", "x", "-E", "[z-a]"}, "LOG UNKNOWN: invalid exclude pattern \"[z-a]\": invalid character class range: `z-a`"},
		{[]string{"-f", "{dir}/app.log", "-p", "x", "--encoding", "klingon"}, `LOG UNKNOWN: unknown encoding "klingon"`},
		{[]string{"-f", "{dir}/app.log", "-p", "x", "--encoding", "UTF-32"}, `LOG UNKNOWN: encoding "UTF-32" is not supported`},
		{[]string{"-f", "{dir}/app.log", "-p", "x", "--encoding", "IBM037"}, `LOG UNKNOWN: encoding "IBM037" is not supported: its newline is not the byte 0x0A`},
		{[]string{"-f", "{dir}/app.log", "-p", "x", "-w", "many"}, "LOG UNKNOWN: invalid argument for flag `-w, --warning-over': \"many\" is not a number"},
		{[]string{"-f", "{dir}/app.log", "-p", "x", "--max-read-bytes", "lots"}, "LOG UNKNOWN: invalid argument for flag `--max-read-bytes': invalid size \"lots\" (want bytes, or a number with K, M, G or T)"},
		{[]string{"-f", "{dir}/app.log", "-p", "x", "--missing", "maybe"}, "LOG UNKNOWN: invalid argument for flag `--missing': unknown status \"maybe\" (want OK, WARNING, CRITICAL or UNKNOWN)"},
		{[]string{"-f", "{dir}/app.log", "-p", "x", "--frobnicate"}, "LOG UNKNOWN: unknown flag `frobnicate'"},
		{[]string{"-f", "{dir}/app.log"}, "LOG UNKNOWN: no pattern given: use -p/--pattern"},
		{[]string{"-p", "x"}, "LOG UNKNOWN: no log file given: use --file or --file-pattern"},
		{[]string{"-f", "{dir}/app.log", "-p", "x", "--search-in-directory", "{dir}"}, "LOG UNKNOWN: --search-in-directory needs --file-pattern"},
		{[]string{"-F", "(", "--search-in-directory", "{dir}", "-p", "x"}, "LOG UNKNOWN: invalid --file-pattern \"(\": error parsing regexp: missing closing ): `(`"},
		{[]string{"-f", "{dir}/app.log", "-p", "x", "-p", "y", "--warning-level", "3"}, "LOG UNKNOWN: --warning-level and --critical-level need a single --pattern"},
	} {
		expect(t, d.run(c.args...), checkers.Unknown, c.want)
	}
}

func TestBudgetWorksOffABacklogOverSeveralRuns(t *testing.T) {
	d := newLogDir(t)
	var b strings.Builder
	for i := range 50_000 {
		fmt.Fprintf(&b, "%06d ERROR %s\n", i, strings.Repeat("z", 40))
	}
	d.write("app.log", b.String()) // about 2.4 MB
	args := []string{"-f", "{dir}/app.log", "-p", "ERROR", "--check-first", "--max-read-bytes", "512KiB"}
	total, runs := 0, 0
	for {
		r := d.run(args...)
		total += criticals(t, r)
		runs++
		if !strings.Contains(r.Stdout, "left to read") {
			break
		}
		if !regexp.MustCompile(`\. [0-9.]+ [KM]iB left to read in 1 file; the next runs read on\.\n`).MatchString(r.Stdout) {
			t.Fatalf("backlog note: %q", r.Stdout)
		}
		if runs > 20 {
			t.Fatal("no progress")
		}
	}
	if total != 50_000 || runs < 4 {
		t.Fatalf("%d lines counted in %d runs", total, runs)
	}
}

func TestJSONAndNagiosFormats(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "ERROR x\n")
	r := d.run("-f", "{dir}/app.log", "-p", "ERROR", "--check-first", "--no-state", "--format", "nagios", "-w", "3", "-c", "5")
	expect(t, r, checkers.OK, "LOG OK: 1 warnings, 1 criticals for pattern /ERROR/. | warnings=1;3;;0 criticals=1;;5;0")
}
