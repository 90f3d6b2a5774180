package logtail

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Rotation schemes and file system corners found when check-log was
// attacked with real estates' setups (issue 12).

// setMtime sets a file's modification time.
func (h *tailer) setMtime(name string, t time.Time) {
	h.t.Helper()
	if err := os.Chtimes(h.path(name), t, t); err != nil {
		h.t.Fatal(err)
	}
}

func TestGenerationsWithMtimesOutOfOrderAreReadByName(t *testing.T) {
	for _, copyTruncate := range []bool{false, true} {
		t.Run(map[bool]string{false: "rename", true: "copytruncate"}[copyTruncate], func(t *testing.T) {
			h := newTailer(t)
			h.write("app.log", "a1\n")
			h.run("app.log")
			h.append("app.log", "a2\n")
			h.rotateNumbered(copyTruncate, "b1\n")
			h.rotateNumbered(copyTruncate, "c1\n")
			// The clock was stepped back, or a late writer touched the
			// older generation: app.log.2 looks newer than app.log.1.
			// Before the fix b1, in the middle generation, was skipped.
			now := time.Now()
			h.setMtime("app.log.1", now.Add(-time.Hour))
			h.setMtime("app.log.2", now)
			got, _ := h.run("app.log")
			expectLines(t, got, "app.log.2: a2", "app.log.1: b1", "app.log: c1")
			h.append("app.log", "c2\n")
			got, _ = h.run("app.log")
			expectLines(t, got, "app.log: c2")
			// Another rotation: nothing read earlier is read again,
			// whatever the times say.
			h.rotateNumbered(copyTruncate, "d1\n")
			h.setMtime("app.log.3", now.Add(time.Hour))
			h.setMtime("app.log.2", now.Add(time.Hour))
			got, _ = h.run("app.log")
			expectLines(t, got, "app.log: d1")
		})
	}
}

func TestRenameWithoutCreateKeepsTheRotatedFileWhileTheLogIsMissing(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.append("app.log", "a2\n")
	h.rename("app.log", "app.log.1") // logrotate nocreate, or a cron mv
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log.1: a2")
	// A quiet run while app.log is missing. Before the fix it forgot
	// app.log.1, and what the writer still added to it was lost.
	got, _ = h.run("app.log")
	expectLines(t, got)
	h.append("app.log.1", "a3\n")
	h.append("app.log.1", "a4 unfinished")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log.1: a3")
	got, _ = h.run("app.log")
	expectLines(t, got)
	// The writer finishes its line, then reopens its log.
	h.append("app.log.1", "\n")
	h.append("app.log", "b1\n")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log.1: a4 unfinished", "app.log: b1")
	got, _ = h.run("app.log")
	expectLines(t, got)
	if st := h.state(); len(st.Files) != 1 {
		t.Fatalf("the rotated file should be forgotten now: %+v", st.Files)
	}
}

func skipWithoutSymlinks(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
}

// link points name at target, replacing what name was, as cronolog
// --symlink and rotatelogs -L do (a new link renamed over the old one).
func (h *tailer) link(target, name string) {
	h.t.Helper()
	tmp := h.path(name + ".tmp-link")
	if err := os.Symlink(target, tmp); err != nil {
		h.t.Fatal(err)
	}
	if err := os.Rename(tmp, h.path(name)); err != nil {
		h.t.Fatal(err)
	}
}

func TestSymlinkRepointedAtEachRotation(t *testing.T) {
	skipWithoutSymlinks(t)
	h := newTailer(t)
	h.write("app-20261130.log", "a1\n")
	h.link("app-20261130.log", "current.log")
	h.run("current.log")
	h.append("app-20261130.log", "a2\n")
	h.write("app-20261201.log", "b1\n")
	h.link("app-20261201.log", "current.log")
	// Before the fix only names built from current.log were searched:
	// a2, in the old target, was lost.
	got, rep := h.run("current.log")
	expectLines(t, got, "app-20261130.log: a2", "current.log: b1")
	expectEvent(t, rep, "app-20261130.log", RotatedAway)
	h.append("app-20261130.log", "a3 late\n") // a writer not yet moved on
	h.append("app-20261201.log", "b2\n")
	got, _ = h.run("current.log")
	expectLines(t, got, "app-20261130.log: a3 late", "current.log: b2")
	got, _ = h.run("current.log")
	expectLines(t, got)
}

func TestSymlinkRepointedTwiceBetweenRuns(t *testing.T) {
	skipWithoutSymlinks(t)
	h := newTailer(t)
	h.write("app-2026113010.log", "a1\n")
	h.link("app-2026113010.log", "current.log")
	h.run("current.log")
	h.append("app-2026113010.log", "a2\n")
	h.write("app-2026113011.log", "b1\n")
	h.link("app-2026113011.log", "current.log")
	h.write("app-2026113012.log", "c1\n")
	h.link("app-2026113012.log", "current.log")
	h.write("app-2026113009.log", "older, never watched\n")
	h.write("other-2026113011.log", "another log\n")
	got, _ := h.run("current.log")
	expectLines(t, got, "app-2026113010.log: a2", "app-2026113011.log: b1", "current.log: c1")
	got, _ = h.run("current.log")
	expectLines(t, got)
}

func TestSymlinkLoopIsUnreadableNotMissing(t *testing.T) {
	skipWithoutSymlinks(t)
	h := newTailer(t)
	h.link("b.log", "a.log")
	h.link("a.log", "b.log")
	_, rep := h.run("a.log")
	failed := rep.Failed()
	if len(failed) != 1 || errors.Is(failed[0].Err, os.ErrNotExist) || !errors.Is(failed[0].Err, syscall.ELOOP) {
		t.Fatalf("want a.log unreadable with ELOOP, got %+v", rep.Files)
	}
}

func TestRotationInADirectoryThatCannotBeListed(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs Unix modes and a user they apply to (the check-log binary test covers root)")
	}
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.append("app.log", "a2\n")
	h.rename("app.log", "app.log-rotated")
	h.write("app.log", "b1\n")
	if err := os.Chmod(h.dir, 0o311); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(h.dir, 0o755) })
	got, rep := h.run("app.log")
	expectLines(t, got, "app.log: b1")
	var msgs []string
	for _, f := range rep.Failed() {
		msgs = append(msgs, f.Path+": "+f.Err.Error())
	}
	if len(msgs) != 1 || !strings.Contains(msgs[0], filepath.Clean(h.dir)) || !strings.Contains(msgs[0], "permission denied") {
		t.Fatalf("want the directory named as unlistable, got %q", msgs)
	}
}

func TestSymlinkTargetsAreReadInNameOrderWhateverTheirMtimes(t *testing.T) {
	skipWithoutSymlinks(t)
	h := newTailer(t)
	h.write("app-2026113010.log", "a1\n")
	h.link("app-2026113010.log", "current.log")
	h.run("current.log")
	h.append("app-2026113010.log", "a2\n")
	h.write("app-2026113011.log", "b1\n")
	h.write("app-2026113012.log", "c1\n")
	h.write("app-2026113013.log", "d1\n")
	h.link("app-2026113013.log", "current.log")
	now := time.Now()
	h.setMtime("app-2026113010.log", now)
	h.setMtime("app-2026113011.log", now.Add(-time.Minute))
	h.setMtime("app-2026113012.log", now.Add(-2*time.Minute))
	got, _ := h.run("current.log")
	expectLines(t, got, "app-2026113010.log: a2", "app-2026113011.log: b1", "app-2026113012.log: c1", "current.log: d1")
}

func TestRotationToTheUsualNameInADirectoryThatCannotBeListed(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs Unix modes and a user they apply to (the check-log binary test covers root)")
	}
	for _, name := range []string{"app.log.1", "app.log-" + time.Now().Format("20060102")} {
		t.Run(name, func(t *testing.T) {
			h := newTailer(t)
			h.write("app.log", "a1\n")
			h.run("app.log")
			h.append("app.log", "a2\n")
			h.rename("app.log", name)
			h.write("app.log", "b1\n")
			if err := os.Chmod(h.dir, 0o311); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(h.dir, 0o755) })
			// The directory cannot be listed, but the usual rotated
			// names can be tried.
			got, rep := h.run("app.log")
			expectLines(t, got, name+": a2", "app.log: b1")
			if len(rep.Failed()) != 0 {
				t.Fatalf("nothing failed: %+v", rep.Failed())
			}
		})
	}
}

func TestRenameWithoutCreateWhenTheMissingLogIsNotEvenWatched(t *testing.T) {
	// check-log's glob names no file that is not there: the run is not
	// asked for app.log while it is missing.
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.append("app.log", "a2\n")
	h.rename("app.log", "app.log.1")
	got, _ := h.run()
	expectLines(t, got, "app.log.1: a2")
	got, _ = h.run()
	expectLines(t, got)
	h.append("app.log.1", "a3\n")
	got, _ = h.run()
	expectLines(t, got, "app.log.1: a3")
	h.append("app.log", "b1\n")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log: b1")
	got, _ = h.run("app.log")
	expectLines(t, got)
	if st := h.state(); len(st.Files) != 1 {
		t.Fatalf("the rotated file should be forgotten now: %+v", st.Files)
	}
}

// hardlink makes name a hard link to target anew, as rotatelogs -L does.
func (h *tailer) hardlink(target, name string) {
	h.t.Helper()
	if err := os.Remove(h.path(name)); err != nil && !errors.Is(err, os.ErrNotExist) {
		h.t.Fatal(err)
	}
	if err := os.Link(h.path(target), h.path(name)); err != nil {
		h.t.Fatal(err)
	}
}

func TestHardLinkMadeAnewAtEachRotation(t *testing.T) {
	skipWithoutSymlinks(t)
	h := newTailer(t)
	h.write("app-2026113010.log", "a1\n")
	h.hardlink("app-2026113010.log", "current.log")
	h.run("current.log")
	h.append("app-2026113010.log", "a2\n")
	h.write("app-2026113011.log", "b1\n")
	h.write("app-2026113012.log", "c1\n")
	h.hardlink("app-2026113012.log", "current.log")
	// Before the fix the file current.log named before was not looked
	// for under its other name: a2 and b1 were lost.
	got, _ := h.run("current.log")
	expectLines(t, got, "app-2026113010.log: a2", "app-2026113011.log: b1", "current.log: c1")
	h.append("app-2026113012.log", "c2\n")
	got, _ = h.run("current.log")
	expectLines(t, got, "current.log: c2")
}
