package logtail

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"
)

// TestRandomHistoriesLoseAndRepeatNothing plays random histories of a log
// against the tailer: a writer appends lines (some left unfinished for a
// while), logrotate renames with numbered shifting or copies and
// truncates (with nothing written between the copy and the truncate), a
// writer not yet reopened writes on to its rotated file, and runs come at
// random moments, some with a small byte budget. After a final line and
// enough runs to drain everything, every line must have been read
// exactly once. Each seed is one history; a failure names it and lists
// its steps.
func TestRandomHistoriesLoseAndRepeatNothing(t *testing.T) {
	seeds := 200
	if testing.Short() {
		seeds = 40
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { playHistory(t, int64(seed)) })
	}
}

func playHistory(t *testing.T, seed int64) {
	rng := rand.New(rand.NewSource(seed))
	h := newTailer(t)
	var written []string // every line, as it must be read
	var steps []string
	n := 0
	if seed%2 == 0 {
		h.write("app.log", "L0\n")
		written = append(written, "L0")
	} else {
		h.write("app.log", "") // an error log, empty at first
	}
	budgeted := rng.Intn(3) > 0
	seen := map[string]int{}
	run := func() {
		h.tl.MaxBytes = 0
		if budgeted && rng.Intn(2) == 0 {
			h.tl.MaxBytes = int64(1 + rng.Intn(60))
		}
		steps = append(steps, fmt.Sprintf("run (budget %d)", h.tl.MaxBytes))
		got, rep := h.run("app.log")
		for _, f := range rep.Files {
			if f.Err != nil {
				t.Fatalf("%s: %v", f.Path, f.Err)
			}
		}
		for _, l := range got {
			_, line, _ := strings.Cut(l, ": ")
			seen[line]++
		}
	}
	lines := func() string {
		var b strings.Builder
		for range 1 + rng.Intn(4) {
			n++
			line := fmt.Sprintf("L%d %s", n, strings.Repeat("x", rng.Intn(30)))
			written = append(written, line)
			b.WriteString(line + "\n")
		}
		return b.String()
	}
	// writerAt is the rotated file the writer still writes to ("" when it
	// writes to app.log); unfinished is the file whose last line is not
	// finished yet ("" for none).
	writerAt, unfinished := "", ""
	shifted := func(name string) string {
		if name == "" || name == "app.log" {
			return name
		}
		var k int
		fmt.Sscanf(name, "app.log.%d", &k)
		return fmt.Sprintf("app.log.%d", k+1)
	}

	run()
	for range 40 {
		switch op := rng.Intn(14); {
		case op < 4: // the writer (re)opens app.log and writes
			b := lines()
			if unfinished == "app.log" {
				b = "\n" + b
			}
			h.append("app.log", b)
			writerAt, unfinished = "", ""
			steps = append(steps, fmt.Sprintf("append %q", b))
		case op < 5 && writerAt == "" && unfinished == "":
			n++
			line := fmt.Sprintf("L%d unfinished", n)
			written = append(written, line)
			h.append("app.log", line)
			unfinished = "app.log"
			steps = append(steps, fmt.Sprintf("append %q", line))
		case op < 6:
			h.rotateNumbered(false, "")
			writerAt, unfinished = shifted(writerAt), shifted(unfinished)
			if writerAt == "" {
				writerAt = "app.log.1"
			}
			if unfinished == "app.log" {
				unfinished = "app.log.1"
			}
			steps = append(steps, "rotate")
		case op < 7 && unfinished != "app.log":
			h.rotateNumbered(true, "")
			writerAt, unfinished = shifted(writerAt), shifted(unfinished)
			steps = append(steps, "copytruncate")
		case op < 8 && writerAt != "":
			b := lines()
			if unfinished == writerAt {
				b, unfinished = "\n"+b, ""
			}
			h.append(writerAt, b)
			steps = append(steps, fmt.Sprintf("append to %s %q", writerAt, b))
		case op >= 8:
			run()
		}
	}
	final := "Lfinal\n"
	if unfinished == "app.log" {
		final = "\n" + final
	}
	h.append("app.log", final) // the writer has moved on for good
	written = append(written, "Lfinal")
	for range 40 {
		run()
	}
	var wrong []string
	for _, l := range written {
		if seen[l] != 1 {
			wrong = append(wrong, fmt.Sprintf("%q read %d times", l, seen[l]))
		}
	}
	if len(wrong) > 0 {
		t.Fatalf("seed %d: %s\nsteps:\n%s", seed, strings.Join(wrong, ", "), strings.Join(steps, "\n"))
	}
}
