package checklog_test

import (
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/teko-dev/teko/checkers"
)

func TestADirectoryThatCannotBeListedDoesNotHideTheOthers(t *testing.T) {
	if os.Geteuid() == 0 || runtime.GOOS == "windows" {
		t.Skip("needs a user that file permissions apply to")
	}
	d := newLogDir(t)
	for _, dir := range []string{"ok", "secret"} {
		if err := os.Mkdir(d.path(dir), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	d.write("ok/app.log", "ERROR seen\n")
	d.write("secret/app.log", "ERROR hidden\n")
	if err := os.Chmod(d.path("secret"), 0); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(d.path("secret"), 0o755)
	// Before the fix the whole glob failed: UNKNOWN, and the CRITICAL in
	// ok/app.log was hidden behind it.
	r := d.run("-f", "{dir}/**/*.log", "-p", "ERROR", "--check-first")
	expect(t, r, checkers.Critical, fmt.Sprintf("LOG CRITICAL: 1 warnings, 1 criticals for pattern /ERROR/. Cannot read 1 file: %s (permission denied).", d.path("secret")))
	// Nothing readable matches: UNKNOWN for the directory, not missing.
	r = d.run("-f", "{dir}/secret/*.log", "-p", "ERROR", "--check-first", "--missing", "CRITICAL")
	expect(t, r, checkers.Unknown, fmt.Sprintf("LOG UNKNOWN: 0 warnings, 0 criticals for pattern /ERROR/. Cannot read 1 file: %s (permission denied).", d.path("secret")))
}

func TestALevelThatIsNaNIsNotANumber(t *testing.T) {
	d := newLogDir(t)
	d.write("app.log", "level=nan\nlevel=NaN\nlevel=1\n")
	// Before the fix "nan" parsed as a float that is above no level, and
	// the line was silently ignored.
	r := d.run("-f", "{dir}/app.log", "-p", `level=(\S+)`, "--warning-level", "5", "--critical-level", "10", "--check-first")
	expect(t, r, checkers.Critical, "LOG CRITICAL: 2 warnings, 2 criticals for pattern /level=(\\S+)/.")
}
