package logtail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// tailer runs a Tailer over and over, keeping its State between runs as
// a real check does (through JSON).
type tailer struct {
	t     *testing.T
	dir   string
	tl    Tailer
	saved []byte // the JSON of the last State; nil before the first run
}

func newTailer(t *testing.T) *tailer {
	t.Helper()
	return &tailer{t: t, dir: t.TempDir()}
}

func (h *tailer) path(name string) string { return filepath.Join(h.dir, name) }

// state decodes the State the last run saved; nil before the first run.
func (h *tailer) state() *State {
	h.t.Helper()
	if h.saved == nil {
		return nil
	}
	st := &State{}
	if err := json.Unmarshal(h.saved, st); err != nil {
		h.t.Fatal(err)
	}
	return st
}

// run reads the named files and returns the lines seen, each as
// "file: line" (file is the base name) and the report.
func (h *tailer) run(names ...string) ([]string, *Report) {
	h.t.Helper()
	prev := h.state()
	paths := make([]string, len(names))
	for i, n := range names {
		paths[i] = h.path(n)
	}
	var lines []string
	tl := h.tl
	tl.StartAtEnd = tl.StartAtEnd && h.saved == nil
	next, rep := tl.Run(context.Background(), paths, prev, func(b Block) {
		for _, l := range splitLines(b.Lines) {
			lines = append(lines, filepath.Base(b.Path)+": "+l)
		}
	})
	var err error
	if h.saved, err = json.Marshal(next); err != nil {
		h.t.Fatal(err)
	}
	return lines, rep
}

func splitLines(b []byte) []string {
	s := strings.TrimSuffix(string(b), "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func (h *tailer) write(name, content string) {
	h.t.Helper()
	if err := os.WriteFile(h.path(name), []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

func (h *tailer) append(name, content string) {
	h.t.Helper()
	f, err := os.OpenFile(h.path(name), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		h.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		h.t.Fatal(err)
	}
}

func (h *tailer) rename(from, to string) {
	h.t.Helper()
	if err := os.Rename(h.path(from), h.path(to)); err != nil {
		h.t.Fatal(err)
	}
}

func expectLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("lines:\n got  %q\n want %q", got, want)
	}
}

func expectEvent(t *testing.T, rep *Report, name string, want Event) {
	t.Helper()
	for _, f := range rep.Files {
		if filepath.Base(f.Path) == name {
			if f.Event != want || f.Err != nil {
				t.Fatalf("%s: event %v (err %v), want %v", name, f.Event, f.Err, want)
			}
			return
		}
	}
	t.Fatalf("%s not in report %+v", name, rep.Files)
}

func TestFirstRunStartsAtEndThenReadsAppended(t *testing.T) {
	h := newTailer(t)
	h.tl.StartAtEnd = true
	h.write("app.log", "old 1\nold 2\n")
	got, rep := h.run("app.log")
	expectLines(t, got)
	expectEvent(t, rep, "app.log", Started)
	h.append("app.log", "new 1\nnew 2\n")
	got, rep = h.run("app.log")
	expectLines(t, got, "app.log: new 1", "app.log: new 2")
	expectEvent(t, rep, "app.log", Continued)
	got, _ = h.run("app.log")
	expectLines(t, got)
}

func TestFirstRunKeepsALineBeingWritten(t *testing.T) {
	h := newTailer(t)
	h.tl.StartAtEnd = true
	h.write("app.log", "old\nhalf a li")
	got, _ := h.run("app.log")
	expectLines(t, got)
	h.append("app.log", "ne\nnext\n")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log: half a line", "app.log: next")
}

func TestWithoutStartAtEndTheFirstRunReadsEverything(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a\nb\n")
	got, rep := h.run("app.log")
	expectLines(t, got, "app.log: a", "app.log: b")
	expectEvent(t, rep, "app.log", New)
}

func TestTrailingLineWaitsForItsNewline(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "one\ntw")
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log: one")
	got, _ = h.run("app.log")
	expectLines(t, got)
	h.append("app.log", "o\nthr")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log: two")
	h.append("app.log", "ee\n")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log: three")
}

func TestRenameAndCreateRotation(t *testing.T) {
	for _, rotated := range []string{"app.log.1", "app.log-20261124", "app-20261124.log"} {
		t.Run(rotated, func(t *testing.T) {
			h := newTailer(t)
			h.write("app.log", "a1\na2\n")
			h.run("app.log")
			h.append("app.log", "a3\na4 unterminated")
			h.rename("app.log", rotated)
			// The new file grows past the old offset before the next run.
			h.write("app.log", "b1 a much longer line than before\nb2\nb3\n")
			got, rep := h.run("app.log")
			expectLines(t, got, rotated+": a3", rotated+": a4 unterminated",
				"app.log: b1 a much longer line than before", "app.log: b2", "app.log: b3")
			expectEvent(t, rep, rotated, RotatedAway)
			expectEvent(t, rep, "app.log", New)

			// A writer that had not reopened its log yet adds to the
			// rotated file: that is read once more, then it is dropped.
			h.append(rotated, "\nlate\n")
			h.append("app.log", "b4\n")
			got, _ = h.run("app.log")
			expectLines(t, got, rotated+": ", rotated+": late", "app.log: b4")
			got, _ = h.run("app.log")
			expectLines(t, got)
			st := h.state()
			if len(st.Files) != 1 || filepath.Base(st.Files[0].Path) != "app.log" {
				t.Fatalf("the rotated file should be forgotten: %+v", st.Files)
			}
		})
	}
}

func TestRotationWithoutNewFileYet(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.append("app.log", "a2\n")
	h.rename("app.log", "app.log.1")
	got, rep := h.run("app.log")
	expectLines(t, got, "app.log.1: a2")
	if len(rep.Failed()) != 1 {
		t.Fatalf("the missing app.log should be reported: %+v", rep.Files)
	}
	h.write("app.log", "b1\n")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log: b1")
}

func TestRotatedFileRenamedAgainBeforeItsRestWasRead(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.tl.MaxBytes = 1 // read one line per run
	h.append("app.log", "a2\na3\na4\n")
	h.rename("app.log", "app.log.1")
	h.write("app.log", "b1\n")
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log.1: a2")
	// The next rotation renames the old file again before its rest was
	// read.
	h.rename("app.log.1", "app.log.2")
	h.rename("app.log", "app.log.1")
	h.write("app.log", "c1\n")
	h.tl.MaxBytes = 0
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log.2: a3", "app.log.2: a4", "app.log.1: b1", "app.log: c1")
}

func TestRotationWithinTheWatchedNames(t *testing.T) {
	// A glob such as app.log* watches the rotated files too: a rename
	// among them is neither a new file nor a repeat.
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.write("app.log.1", "z1\n")
	h.run("app.log", "app.log.1")
	h.append("app.log", "a2\n")
	h.rename("app.log.1", "app.log.2")
	h.rename("app.log", "app.log.1")
	h.write("app.log", "b1\n")
	got, rep := h.run("app.log", "app.log.1", "app.log.2")
	expectLines(t, got, "app.log: b1", "app.log.1: a2")
	expectEvent(t, rep, "app.log.1", Moved)
	expectEvent(t, rep, "app.log.2", Moved)
}

func TestCopyTruncate(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "2026-11-24 a1\n2026-11-24 a2\n")
	h.run("app.log")
	h.append("app.log", "2026-11-24 a3\n")
	// logrotate copytruncate: copy, then truncate in place.
	old, _ := os.ReadFile(h.path("app.log"))
	h.write("app.log.1", string(old))
	if err := os.Truncate(h.path("app.log"), 0); err != nil {
		t.Fatal(err)
	}
	// The live file regrows past the old offset.
	h.append("app.log", "2026-11-25 b1 a longer line than any before\n2026-11-25 b2\n")
	got, rep := h.run("app.log")
	expectLines(t, got, "app.log.1: 2026-11-24 a3",
		"app.log: 2026-11-25 b1 a longer line than any before", "app.log: 2026-11-25 b2")
	// The head changed as well: the same reading from 0 as for a reused
	// inode.
	expectEvent(t, rep, "app.log", Replaced)
	expectEvent(t, rep, "app.log.1", RotatedAway)
}

func TestCopyTruncateWithoutCopyReadsFromStart(t *testing.T) {
	h := newTailer(t)
	header := strings.Repeat("H", 1100) + "\n" // longer than the head mark
	h.write("app.log", header+"0123456789\n0123456789\n")
	h.run("app.log")
	// Truncated and regrown past the old offset with the same head: the
	// bytes before the offset changed, so it is read from the start,
	// never mid-line.
	h.write("app.log", header+"x\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\nzz\n")
	got, rep := h.run("app.log")
	expectLines(t, got, "app.log: "+header[:1100], "app.log: x", "app.log: yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy", "app.log: zz")
	expectEvent(t, rep, "app.log", Truncated)
	// Truncated to less than the offset.
	h.write("app.log", "s\n")
	got, rep = h.run("app.log")
	expectLines(t, got, "app.log: s")
	expectEvent(t, rep, "app.log", Truncated)
}

func TestSameInodeDifferentHeadIsANewFile(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "first file line 1\nfirst file line 2\n")
	h.run("app.log")
	// Rewritten in place (same inode), longer than before, new head.
	h.write("app.log", "second file line 1\nsecond file line 2\nsecond file line 3\n")
	got, rep := h.run("app.log")
	expectLines(t, got, "app.log: second file line 1", "app.log: second file line 2", "app.log: second file line 3")
	expectEvent(t, rep, "app.log", Replaced)
}

func TestDeleteAndRecreate(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "first file line 1\nfirst file line 2\n")
	h.run("app.log")
	before := fileID(t, h.path("app.log"))
	if err := os.Remove(h.path("app.log")); err != nil {
		t.Fatal(err)
	}
	h.write("app.log", "second file line 1\nsecond file line 2\nsecond file line 3\n")
	got, rep := h.run("app.log")
	expectLines(t, got, "app.log: second file line 1", "app.log: second file line 2", "app.log: second file line 3")
	if fileID(t, h.path("app.log")) == before {
		expectEvent(t, rep, "app.log", Replaced)
	} else {
		t.Logf("the file system gave a new inode; treated as %v", rep.Files[0].Event)
		expectEvent(t, rep, "app.log", New)
	}
}

func fileID(t *testing.T, path string) FileID {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	id, err := Identify(f)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestFileNewlyMatchedIsReadFromStart(t *testing.T) {
	h := newTailer(t)
	h.tl.StartAtEnd = true
	h.write("app-2026-11-24.log", "old\n")
	got, _ := h.run("app-2026-11-24.log")
	expectLines(t, got)
	h.write("app-2026-11-25.log", "first\nsecond\n")
	got, rep := h.run("app-2026-11-24.log", "app-2026-11-25.log")
	expectLines(t, got, "app-2026-11-25.log: first", "app-2026-11-25.log: second")
	expectEvent(t, rep, "app-2026-11-25.log", New)
}

func TestFirstRunWithNoFileThenAFileAppears(t *testing.T) {
	// The check ran (with nothing to watch), so a file that appears
	// later is new: read from its start.
	h := newTailer(t)
	h.tl.StartAtEnd = true
	got, _ := h.run()
	expectLines(t, got)
	h.write("app.log", "first\n")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log: first")
}

func TestUnreadablePathsDoNotStopTheOthers(t *testing.T) {
	h := newTailer(t)
	h.write("good.log", "g1\n")
	if err := os.Mkdir(h.path("dir.log"), 0o755); err != nil {
		t.Fatal(err)
	}
	names := []string{"dir.log", "good.log", "gone.log"}
	if err := os.Symlink(h.path("nowhere"), h.path("dangling.log")); err == nil {
		names = append(names, "dangling.log")
	}
	if err := mkfifo(h.path("fifo.log")); err == nil {
		names = append(names, "fifo.log")
	}
	got, rep := h.run(names...)
	expectLines(t, got, "good.log: g1")
	failed := map[string]error{}
	for _, f := range rep.Failed() {
		failed[filepath.Base(f.Path)] = f.Err
	}
	if len(failed) != len(names)-1 {
		t.Fatalf("failed files: %v", failed)
	}
	for name, err := range failed {
		switch name {
		case "dir.log":
			if err.Error() != "is a directory" {
				t.Errorf("%s: %v", name, err)
			}
		case "fifo.log":
			if err.Error() != "is not a regular file" {
				t.Errorf("%s: %v", name, err)
			}
		default:
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("%s: %v", name, err)
			}
		}
	}
}

func TestUnreadableFileKeepsItsPosition(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads files whatever their permissions")
	}
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.append("app.log", "a2\n")
	os.Chmod(h.path("app.log"), 0)
	_, rep := h.run("app.log")
	if len(rep.Failed()) != 1 {
		t.Fatalf("want one failure: %+v", rep.Files)
	}
	os.Chmod(h.path("app.log"), 0o644)
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log: a2")
}

func TestByteBudgetWorksOffABacklogWithoutLoss(t *testing.T) {
	h := newTailer(t)
	var want []string
	var content strings.Builder
	for i := range 5000 {
		line := fmt.Sprintf("line %05d %s", i, strings.Repeat("x", i%97))
		want = append(want, "app.log: "+line)
		content.WriteString(line + "\n")
	}
	h.write("app.log", content.String())
	h.tl.MaxBytes = 64 << 10
	var got []string
	runs := 0
	for {
		lines, rep := h.run("app.log")
		got = append(got, lines...)
		runs++
		left, _ := rep.Backlog()
		if left == 0 {
			break
		}
		if runs > 100 {
			t.Fatal("no progress")
		}
	}
	if runs < 3 {
		t.Fatalf("budget not applied: %d runs", runs)
	}
	expectLines(t, got, want...)
}

func TestDeadlineStopsReading(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", strings.Repeat("line\n", 1000))
	h.tl.Deadline = time.Now().Add(-time.Second)
	got, rep := h.run("app.log")
	expectLines(t, got)
	if left, files := rep.Backlog(); left != 5000 || files != 1 {
		t.Fatalf("backlog %d in %d files", left, files)
	}
	h.tl.Deadline = time.Time{}
	got, _ = h.run("app.log")
	if len(got) != 1000 {
		t.Fatalf("read %d lines after the deadline was lifted", len(got))
	}
}

// hugeLine is longer than what one read can hold, so the tailer must
// skip through it.
var hugeLine = strings.Repeat("0123456789", 300_000) // 3 MB

func TestLongLineIsOneLineAndOnlyItsHeadIsDelivered(t *testing.T) {
	h := newTailer(t)
	h.tl.MaxLineLen = 64
	h.write("app.log", "short\n"+hugeLine+"\nafter\n")
	var lines []string
	_, rep := h.tl.Run(context.Background(), []string{h.path("app.log")}, nil, func(b Block) {
		if b.Cut {
			lines = append(lines, fmt.Sprintf("cut %d: %s", b.Offset, b.Lines))
			return
		}
		lines = append(lines, splitLines(b.Lines)...)
	})
	expectLines(t, lines, "short", "cut 6: "+hugeLine[:64], "after")
	if to := rep.Files[0].To; to != int64(6+len(hugeLine)+1+6) {
		t.Fatalf("position %d", to)
	}
}

func TestLongUnterminatedLineWaitsAndIsReadOnceComplete(t *testing.T) {
	h := newTailer(t)
	h.tl.MaxLineLen = 64
	h.write("app.log", "a\n"+hugeLine)
	got, rep := h.run("app.log")
	expectLines(t, got, "app.log: a")
	if rep.Files[0].To != 2 {
		t.Fatalf("position %d, want 2", rep.Files[0].To)
	}
	h.append("app.log", "\nb\n")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log: "+hugeLine[:64], "app.log: b")
}

func TestLongUnterminatedLineOfARotatedFileIsDelivered(t *testing.T) {
	h := newTailer(t)
	h.tl.MaxLineLen = 64
	h.write("app.log", "a\n")
	h.run("app.log")
	h.append("app.log", hugeLine)
	h.rename("app.log", "app.log.1")
	h.write("app.log", "b\n") // the writer has moved on
	got, rep := h.run("app.log")
	expectLines(t, got, "app.log.1: "+hugeLine[:64], "app.log: b")
	expectEvent(t, rep, "app.log.1", RotatedAway)
}

func TestStateSurvivesJSON(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a\n")
	h.run("app.log")
	p := h.state().Files[0]
	if p.Offset != 2 || p.Head.Len != 2 || p.Tail.Len != 2 || !p.ID.Known() && runtime.GOOS != "plan9" {
		t.Fatalf("position %+v", p)
	}
}
