package logtail

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRandomHistoriesLoseAndRepeatNothing plays random histories of a log
// against the tailer: a writer appends lines (some left unfinished for a
// while), logrotate renames with numbered shifting (with or without
// creating the new log) or copies and truncates (with nothing written
// between the copy and the truncate), a writer not yet reopened writes on
// to its rotated file, the rotated files' modification times are put out
// of order (a clock stepped back, a late writer), and runs come at random
// moments, some with a small byte budget. After a final line and
// enough runs to drain everything, every line must have been read
// exactly once. Each seed is one history; a failure names it and lists
// its steps.
func TestRandomHistoriesLoseAndRepeatNothing(t *testing.T) {
	seeds := 200
	if testing.Short() {
		seeds = 40
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { playHistory(t, int64(seed), "app.log") })
	}
}

// TestRandomHistoriesThroughAStaticSymlink plays the same histories with
// the log watched through a symbolic link that always names app.log
// (current.log -> app.log, as /var/log/containers links name the logs of
// Kubernetes pods): the rotations happen beside the link's target.
func TestRandomHistoriesThroughAStaticSymlink(t *testing.T) {
	skipWithoutSymlinks(t)
	seeds := 100
	if testing.Short() {
		seeds = 20
	}
	for seed := range seeds {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { playHistory(t, int64(seed), "current.log") })
	}
}

// playHistory plays one history of app.log, watched under the name watch
// (app.log, or a symbolic link to it).
func playHistory(t *testing.T, seed int64, watch string) {
	rng := rand.New(rand.NewSource(seed))
	h := newTailer(t)
	if watch != "app.log" {
		h.link("app.log", watch)
	}
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
		got, rep := h.run(watch)
		for _, f := range rep.Files {
			if f.Err != nil && !(filepath.Base(f.Path) == watch && errors.Is(f.Err, fs.ErrNotExist)) {
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

	exists := func(name string) bool {
		_, err := os.Stat(h.path(name))
		return err == nil
	}
	run()
	for range 40 {
		switch op := rng.Intn(16); {
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
		case op < 6 && exists("app.log"):
			h.rotateNumbered(false, "")
			writerAt, unfinished = shifted(writerAt), shifted(unfinished)
			if writerAt == "" {
				writerAt = "app.log.1"
			}
			if unfinished == "app.log" {
				unfinished = "app.log.1"
			}
			steps = append(steps, "rotate")
		case op < 7 && unfinished != "app.log" && exists("app.log"):
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
		case op == 14 && exists("app.log"): // logrotate nocreate, a cron mv
			h.rotateNumbered(false, "")
			if err := os.Remove(h.path("app.log")); err != nil {
				t.Fatal(err)
			}
			writerAt, unfinished = shifted(writerAt), shifted(unfinished)
			if writerAt == "" {
				writerAt = "app.log.1"
			}
			if unfinished == "app.log" {
				unfinished = "app.log.1"
			}
			steps = append(steps, "rotate without create")
		case op == 15:
			now := time.Now()
			for k := 1; k <= 99; k++ {
				name := fmt.Sprintf("app.log.%d", k)
				if exists(name) {
					h.setMtime(name, now.Add(time.Duration(rng.Intn(7200)-3600)*time.Second))
				}
			}
			steps = append(steps, "mtimes out of order")
		case op >= 8 && op < 14:
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

// TestRandomHistoriesOfARepointedSymlink plays random histories of a log
// watched through a symbolic link that is re-pointed at each rotation
// (current.log -> app-0001.log, then app-0002.log, …, as cronolog
// --symlink does), or a hard link made anew (as rotatelogs -L does), once
// or several times between runs:
// a writer not yet moved on writes on to the old target while the new
// one is empty, lines are left unfinished for a while, the old targets'
// modification times are put out of order, and runs come at random
// moments, some with a small byte budget. Every line must be read exactly
// once.
func TestRandomHistoriesOfARepointedSymlink(t *testing.T) {
	skipWithoutSymlinks(t)
	seeds := 100
	if testing.Short() {
		seeds = 20
	}
	for seed := range seeds {
		// Odd seeds use a hard link made anew, as rotatelogs -L does.
		t.Run(fmt.Sprint(seed), func(t *testing.T) { playLinkHistory(t, int64(seed), seed%2 == 1) })
	}
}

func playLinkHistory(t *testing.T, seed int64, hard bool) {
	rng := rand.New(rand.NewSource(seed))
	h := newTailer(t)
	var written, steps []string
	n, gen := 0, 1
	target := func(k int) string { return fmt.Sprintf("app-%04d.log", k) }
	relink := func() {
		if hard {
			h.hardlink(target(gen), "current.log")
		} else {
			h.link(target(gen), "current.log")
		}
	}
	h.write(target(gen), "")
	relink()
	budgeted := rng.Intn(3) > 0
	seen := map[string]int{}
	run := func() {
		h.tl.MaxBytes = 0
		if budgeted && rng.Intn(2) == 0 {
			h.tl.MaxBytes = int64(1 + rng.Intn(60))
		}
		steps = append(steps, fmt.Sprintf("run (budget %d)", h.tl.MaxBytes))
		got, rep := h.run("current.log")
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
	// writerAt is the generation the writer writes to; unfinished the one
	// whose last line is not finished (0 for none).
	writerAt, unfinished := gen, 0
	run()
	for range 40 {
		switch op := rng.Intn(12); {
		case op < 4: // the writer writes, to the new target once it has moved on
			if op < 2 {
				writerAt = gen
			}
			b := lines()
			if unfinished == writerAt {
				b, unfinished = "\n"+b, 0
			}
			h.append(target(writerAt), b)
			steps = append(steps, fmt.Sprintf("append to %s %q", target(writerAt), b))
		case op < 5 && unfinished == 0:
			n++
			line := fmt.Sprintf("L%d unfinished", n)
			written = append(written, line)
			h.append(target(writerAt), line)
			unfinished = writerAt
			steps = append(steps, fmt.Sprintf("append to %s %q", target(writerAt), line))
		case op < 7: // the link is re-pointed at a new, empty file
			gen++
			h.write(target(gen), "")
			relink()
			steps = append(steps, "re-point to "+target(gen))
		case op == 7:
			now := time.Now()
			for k := 1; k < gen; k++ {
				h.setMtime(target(k), now.Add(time.Duration(rng.Intn(7200)-3600)*time.Second))
			}
			steps = append(steps, "mtimes out of order")
		default:
			run()
		}
	}
	final := "Lfinal\n"
	if unfinished != 0 && unfinished != gen {
		h.append(target(unfinished), "\n")
	} else if unfinished == gen {
		final = "\n" + final
	}
	h.append(target(gen), final) // the writer has moved on for good
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
