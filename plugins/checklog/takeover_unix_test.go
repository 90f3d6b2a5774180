//go:build unix

package checklog_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/teko-dev/teko/checkers"
)

// Mackerel's position is taken over only when check-log has no state of
// its own at all: a damaged state file of check-log's is not a first
// run, and taking the old position again would report once more every
// line since it (a false CRITICAL).
func TestNoTakeoverOverADamagedOwnState(t *testing.T) {
	d := newLogDir(t)
	oldDir := t.TempDir()
	d.write("app.log", "ERROR reported long ago by the old check-log, then by teko\n")
	args := []string{"-f", d.path("app.log"), "-p", "ERROR", "-s", oldDir}
	leaveOldPosition(t, oldDir, d.path("app.log"), args, 0, inodeOf(t, d.path("app.log")))
	expect(t, d.h.Run(args...), checkers.Critical, "LOG CRITICAL: 1 warnings, 1 criticals for pattern /ERROR/.")
	expect(t, d.h.Run(args...), checkers.OK, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/.")

	states, _ := filepath.Glob(filepath.Join(oldDir, "check-log-*.json"))
	if len(states) != 1 {
		t.Fatalf("want one state file, got %v", states)
	}
	if err := os.WriteFile(states[0], []byte("{damaged"), 0o600); err != nil {
		t.Fatal(err)
	}
	expect(t, d.h.Run(args...), checkers.OK, "LOG OK: 0 warnings, 0 criticals for pattern /ERROR/.")
}
