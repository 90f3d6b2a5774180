package logtail

import (
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// Regression tests for rotations and truncations that land while a run
// is under way, as they did in the check-log soak test. The hooks in
// testHooks make them happen at an exact moment of the run, so that the
// outcome never depends on timing.

// setHook sets one of testHooks for the rest of the test.
func setHook(t *testing.T, hook *func(string), f func(path string)) {
	t.Helper()
	*hook = f
	t.Cleanup(func() { *hook = nil })
}

// copyTruncate does what logrotate's copytruncate does to app.log, without
// shifting older copies: copy it to app.log.1, truncate it, then append
// content (what the writer adds next).
func (h *tailer) copyTruncate(content string) {
	h.t.Helper()
	old, err := os.ReadFile(h.path("app.log"))
	if err != nil {
		h.t.Fatal(err)
	}
	h.write("app.log.1", string(old))
	if err := os.Truncate(h.path("app.log"), 0); err != nil {
		h.t.Fatal(err)
	}
	h.append("app.log", content)
}

// drain runs until a run finds nothing more and returns all the lines.
func (h *tailer) drain(names ...string) []string {
	h.t.Helper()
	var all []string
	for range 5 {
		got, _ := h.run(names...)
		if len(got) == 0 {
			return all
		}
		all = append(all, got...)
	}
	h.t.Fatalf("runs keep finding lines: %q", all)
	return nil
}

// skipRenamingOpenFiles skips a test that renames files a run holds open,
// which Windows does not allow.
func skipRenamingOpenFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows does not rename a file that is open")
	}
}

func TestRotationWhileARunOpensTheFiles(t *testing.T) {
	skipRenamingOpenFiles(t)
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.append("app.log", "a2\n")
	h.rotateNumbered(false, "b1\n")
	// Right after the run opened app.log (b1), logrotate rotates again:
	// the file the run holds as app.log is app.log.1 by the time it
	// looks for the generations rotated since its last run. Before the
	// fix it opened that file a second time under its new name, took it
	// for a generation never read, and reported b1 twice.
	rotated := false
	setHook(t, &testHooks.opened, func(path string) {
		if filepath.Base(path) == "app.log" && !rotated {
			rotated = true
			h.rotateNumbered(false, "c1\n")
		}
	})
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log.2: a2", "app.log.1: b1", "app.log: c1")
	got, _ = h.run("app.log")
	expectLines(t, got)
}

func TestRotationsWhileEveryLookOfARunIsUnderWay(t *testing.T) {
	// The run looks again while names change under it, but not for ever:
	// with a rotation during each of its looks it reads from the last
	// one. Whatever it read then, no line is read twice or lost.
	skipRenamingOpenFiles(t)
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.append("app.log", "a2\n")
	h.rotateNumbered(false, "b1\n")
	rotations := 0
	setHook(t, &testHooks.opened, func(path string) {
		if filepath.Base(path) == "app.log" && rotations < maxPlanAttempts {
			rotations++
			h.rotateNumbered(false, "g"+string(rune('0'+rotations))+"\n")
		}
	})
	got, _ := h.run("app.log")
	testHooks.opened = nil
	got = append(got, h.drain("app.log")...)
	var lines []string
	for _, l := range got {
		lines = append(lines, l[strings.Index(l, ": ")+2:])
	}
	sort.Strings(lines)
	expectLines(t, lines, "a2", "b1", "g1", "g2", "g3", "g4", "g5")
}

func TestWriterStillWritingTheRotatedFile(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.append("app.log", "a2\n")
	h.rename("app.log", "app.log.1")
	h.write("app.log", "") // logrotate's create: a new, empty log
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log.1: a2")

	// The writer has not reopened its log yet: it is still writing a
	// line to the rotated file. While the new log is empty, the rotated
	// file is neither forgotten nor its unfinished line delivered; before
	// the fix "a3 is be" was delivered and "ing written" lost.
	h.append("app.log.1", "a3 is be")
	got, _ = h.run("app.log")
	expectLines(t, got)
	got, _ = h.run("app.log")
	expectLines(t, got)
	h.append("app.log.1", "ing written\n")
	h.append("app.log", "b1\n") // it reopened
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log.1: a3 is being written", "app.log: b1")
	got, _ = h.run("app.log")
	expectLines(t, got)
	if st := h.state(); len(st.Files) != 1 {
		t.Fatalf("the rotated file should be forgotten: %+v", st.Files)
	}
}

func TestGenerationsRotatedWhileTheLogWasMissing(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.append("app.log", "a2\n")
	h.rename("app.log", "app.log.1") // no new log yet
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log.1: a2")
	// The rotated file is the only record left; two more rotations
	// follow. Before the fix the generation between them (b1) was never
	// read.
	h.write("app.log", "b1\n")
	h.rotateNumbered(false, "c1\n")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log.1: b1", "app.log: c1")
	got, _ = h.run("app.log")
	expectLines(t, got)
}

func TestCopyTruncateAfterARunFoundTheLogEmpty(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.append("app.log", "a2\n")
	h.copyTruncate("")
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log.1: a2")
	// The run found app.log empty, so its position says nothing of what
	// comes next. b1 is written, copied and truncated before the next
	// run: before the fix that copy was never read.
	h.append("app.log", "b1\n")
	h.rename("app.log.1", "app.log.2")
	h.copyTruncate("c1\n")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log.1: b1", "app.log: c1")
	got, _ = h.run("app.log")
	expectLines(t, got)
}

func TestCopyTruncateLandsBeforeARead(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.append("app.log", "a2\na3\n")
	// The run has decided to read on from after a1; before it reads,
	// app.log is copied, truncated and written again past that offset.
	// Before the fix the run read the new content from the middle
	// ("longer than before", b2), then again from its start, and lost a2
	// and a3, left in the copy.
	truncated := false
	setHook(t, &testHooks.beforeRead, func(path string) {
		if !truncated {
			truncated = true
			h.copyTruncate("b1 longer than before\nb2\n")
		}
	})
	got, rep := h.run("app.log")
	expectLines(t, got)
	if !rep.Files[0].TruncatedWhileRead {
		t.Fatalf("the truncation should be reported: %+v", rep.Files)
	}
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log.1: a2", "app.log.1: a3", "app.log: b1 longer than before", "app.log: b2")
	got, _ = h.run("app.log")
	expectLines(t, got)
}

func TestCopyTruncateLandsAfterARead(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.append("app.log", "a2\na3\n")
	// The run reads a2 and a3; the truncate lands before it looks for
	// more. Before the fix the position it saved was past the end of the
	// truncated file.
	reads := 0
	setHook(t, &testHooks.beforeRead, func(path string) {
		if reads++; reads == 2 {
			h.copyTruncate("")
		}
	})
	got, rep := h.run("app.log")
	expectLines(t, got, "app.log: a2", "app.log: a3")
	if !rep.Files[0].TruncatedWhileRead {
		t.Fatalf("the truncation should be reported: %+v", rep.Files)
	}
	live := fileID(t, h.path("app.log"))
	st := h.state()
	for _, p := range st.Files {
		if p.ID == live && p.Offset > 0 {
			t.Fatalf("position %d past the end of the truncated file: %+v", p.Offset, st.Files)
		}
	}
	h.append("app.log", "b1\n")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log: b1")
	got, _ = h.run("app.log")
	expectLines(t, got)
}

func TestRunBetweenACopyAndItsTruncate(t *testing.T) {
	for _, copied := range []string{"a1\n", ""} {
		t.Run("copy of "+strings.TrimSpace(strings.ReplaceAll(copied, "\n", " "))+"…", func(t *testing.T) {
			h := newTailer(t)
			h.write("app.log", copied)
			h.run("app.log")
			// A run lands between copytruncate's copy and its truncate,
			// and reads what was written after the copy: app.log.1 is
			// shorter than what the run has seen of app.log, so the
			// next run cannot find the rest of it by its fingerprints.
			h.write("app.log.1", copied)
			h.append("app.log", "w1 between the copy and the truncate\n")
			got, _ := h.run("app.log")
			expectLines(t, got, "app.log: w1 between the copy and the truncate")
			if err := os.Truncate(h.path("app.log"), 0); err != nil {
				t.Fatal(err)
			}
			// Another copytruncate before the next run. Before the fix
			// b1, in the copy it made, was never read.
			h.append("app.log", "b1\n")
			h.rename("app.log.1", "app.log.2")
			h.copyTruncate("c1\n")
			got, _ = h.run("app.log")
			expectLines(t, got, "app.log.1: b1", "app.log: c1")
			got, _ = h.run("app.log")
			expectLines(t, got)
		})
	}
}
