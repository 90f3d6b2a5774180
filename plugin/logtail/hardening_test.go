package logtail

import (
	"fmt"
	"os"
	"testing"
)

// Regression tests for what the check-log soak test (package soak) found.

// rotateNumbered shifts app.log.N to app.log.N+1 and app.log to
// app.log.1, as logrotate does, then makes a new app.log with content,
// or copies app.log to app.log.1 and truncates it (copytruncate).
func (h *tailer) rotateNumbered(copyTruncate bool, content string) {
	h.t.Helper()
	// Up to 99 generations, none deleted: the randomized models count
	// every line, and a deleted generation would take some with it.
	for i := 99; i >= 1; i-- {
		if err := os.Rename(h.path(fmt.Sprintf("app.log.%d", i)), h.path(fmt.Sprintf("app.log.%d", i+1))); err != nil && !os.IsNotExist(err) {
			h.t.Fatal(err)
		}
	}
	if copyTruncate {
		h.copyTruncate(content)
		return
	}
	h.rename("app.log", "app.log.1")
	h.write("app.log", content)
}

func TestSeveralRotationsBetweenTwoRuns(t *testing.T) {
	for _, copyTruncate := range []bool{false, true} {
		t.Run(fmt.Sprintf("copytruncate=%v", copyTruncate), func(t *testing.T) {
			h := newTailer(t)
			h.write("app.log", "a1\n")
			h.run("app.log")
			h.append("app.log", "a2\n")
			h.rotateNumbered(copyTruncate, "b1\n")
			h.rotateNumbered(copyTruncate, "c1 the third generation\n")
			h.rotateNumbered(copyTruncate, "d1\n")
			// Before the fix b1 and c1, in the generations rotated after
			// app.log and before the next run, were never read.
			got, rep := h.run("app.log")
			expectLines(t, got, "app.log.3: a2", "app.log.2: b1", "app.log.1: c1 the third generation", "app.log: d1")
			expectEvent(t, rep, "app.log.2", RotatedAway)
			expectEvent(t, rep, "app.log.1", RotatedAway)

			got, _ = h.run("app.log")
			expectLines(t, got)
			h.append("app.log", "d2\n")
			got, _ = h.run("app.log")
			expectLines(t, got, "app.log: d2")
		})
	}
}

func TestLaterName(t *testing.T) {
	for _, c := range []struct {
		rotated, name string
		later         bool
	}{
		{"app.log.3", "app.log.1", true},
		{"app.log.3", "app.log.3", false},
		{"app.log.1", "app.log.2", false},
		{"app.log.3", "app.log-1", false},
		{"app.log-20261123", "app.log-20261124", true},
		{"app.log-20261124", "app.log-20261123", false},
		{"app.log-20261123", "app.log-error", false},
		{"app-20261123.log", "app-20261124.log", true},
		{"app.log.3", "other.log.1", false},
	} {
		if got := laterName("/var/log/app.log", "/var/log/"+c.rotated, "/var/log/"+c.name); got != c.later {
			t.Errorf("laterName(%s, %s) = %v", c.rotated, c.name, got)
		}
	}
}

func TestRotatedFileRotatedAgainBeforeItsLastLook(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a1\n")
	h.run("app.log")
	h.rotateNumbered(false, "b1\n")
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log: b1")
	// The writer had not reopened its log yet: a2 goes to the rotated
	// file, which is rotated once more before the next run.
	h.append("app.log.1", "a2\n")
	h.rotateNumbered(false, "c1\n")
	got, rep := h.run("app.log")
	expectLines(t, got, "app.log.2: a2", "app.log: c1")
	expectEvent(t, rep, "app.log.2", RotatedAway)
}

func TestCopyOfAFileNotReadYetIsFound(t *testing.T) {
	h := newTailer(t)
	h.write("big.log", "0123456789\n")
	h.write("app.log", "a1\n")
	h.tl.MaxBytes = 1 // big.log spends the budget: app.log keeps offset 0
	h.run("big.log", "app.log")
	// A copytruncate before the next run (or during the last one) moves
	// the unread content to app.log.1. Before the fix a position at
	// offset 0 was never looked for by content, and a1 was lost.
	h.rotateNumbered(true, "b1\n")
	h.tl.MaxBytes = 0
	got, rep := h.run("big.log", "app.log")
	expectLines(t, got, "app.log.1: a1", "app.log: b1")
	expectEvent(t, rep, "app.log.1", RotatedAway)
}
