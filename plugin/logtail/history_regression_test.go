package logtail

import "testing"

// Regression tests for what a randomized model of writers, rotations,
// copytruncates and budgeted runs found.

func TestCopyTruncateOfALogFoundEmptyOnTheLastRun(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "") // an error log, empty until something fails
	h.run("app.log")
	h.append("app.log", "a1\n")
	h.copyTruncate("")
	// Before the fix the empty position matched the truncated log
	// ("continued" at offset 0) and a1, in the copy, was never read.
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log.1: a1")
	got, _ = h.run("app.log")
	expectLines(t, got)
	h.append("app.log", "b1\n")
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log: b1")
}

func TestCopyTruncateOfALogFoundEmptyThenRenamed(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "")
	h.run("app.log")
	h.append("app.log", "b1\n")
	h.rotateNumbered(true, "c1\n")
	h.rotateNumbered(false, "")
	// app.log.2 is the copy of b1, app.log.1 the log itself with c1
	// only. Before the fix b1 was never read.
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log.2: b1", "app.log.1: c1")
	got, _ = h.run("app.log")
	expectLines(t, got)
}

func TestGenerationsAreReadOldestFirstUnderABudget(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a0\n")
	h.run("app.log")
	h.append("app.log", "a1\n")
	h.copyTruncate("")
	h.run("app.log")
	h.append("app.log", "b1\nb2\n")
	h.rotateNumbered(true, "c1\n") // app.log.1 has b1 b2, app.log c1
	h.rotateNumbered(false, "")    // app.log.2 has b1 b2, app.log.1 c1
	h.tl.MaxBytes = 1              // a line per run
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log.2: b1")
	h.append("app.log", "d1\n") // the writer has moved on
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log.2: b2")
	// Before the fix c1 was read first, forgotten while b2 was still to
	// be read, and then read again as a generation rotated after
	// app.log.2.
	h.tl.MaxBytes = 0
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log.1: c1", "app.log: d1")
}

func TestRotatedFilesAreForgottenTogether(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a0\n")
	h.run("app.log")
	h.append("app.log", "a1 unfinished")
	h.rotateNumbered(false, "")
	h.run("app.log") // the writer may still finish a1 in app.log.1
	h.append("app.log", "b1\n")
	h.rotateNumbered(true, "")
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log.1: b1")
	h.rotateNumbered(false, "c1\n")
	// The writer has moved on: a1 is read as it is, and the copy of b1,
	// read already, is not looked at any more.
	got, _ = h.run("app.log")
	expectLines(t, got, "app.log.3: a1 unfinished", "app.log: c1")
	h.rotateNumbered(false, "")
	// Before the fix the copy had been forgotten while the older
	// app.log.4 was kept, and was read again as a generation after it.
	got, _ = h.run("app.log")
	expectLines(t, got)
}

func TestLinesWrittenToATruncatedLogRenamedAway(t *testing.T) {
	h := newTailer(t)
	h.write("app.log", "a0\n")
	h.run("app.log")
	h.copyTruncate("")
	h.rotateNumbered(false, "")
	h.run("app.log")
	// The writer still writes to the log it has open, truncated and now
	// app.log.1; the watched app.log is empty.
	h.append("app.log.1", "a1\n")
	got, _ := h.run("app.log")
	expectLines(t, got, "app.log.1: a1")
}
