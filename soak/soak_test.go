package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teko-dev/teko/plugin/plugintest"
)

func TestMain(m *testing.M) {
	if path := os.Getenv("SOAK_HOLD_LOCK"); path != "" {
		os.Exit(holdLock(path)) // a child process: a run stuck with the lock
	}
	os.Exit(plugintest.RunTests(m))
}

// checkLog is the check-log executable, built once for the package's tests.
func checkLog(t *testing.T) string {
	return plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-log")
}

// The lines the writer appends. Only complete matching lines count: a
// piece of one (the end of a copy taken mid-write) matches nothing.
const pattern = `ERROR seq=[0-9]+ end$`

var matchingLine = regexp.MustCompile(`ERROR seq=([0-9]+) end$`)

// run is one check-log result, read from its JSON output.
type run struct {
	Code     int
	Count    int64   // the "criticals" perfdata: lines that matched
	Shown    []int64 // the sequence numbers of the lines shown with -r
	Missing  bool    // the log was missing (between a rename and a create)
	Output   string
	ExitCode int
}

// runCheck runs check-log once over dir/app.log with its state in
// stateDir.
func runCheck(t *testing.T, bin, dir, stateDir string, extra ...string) run {
	args := append([]string{"--file", filepath.Join(dir, "app.log"), "--pattern", pattern, "--state-dir", stateDir,
		"--check-first", "--return", "--format", "json"}, extra...)
	cmd := exec.Command(bin, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := run{Output: stdout.String() + stderr.String()}
	if exit, ok := err.(*exec.ExitError); ok {
		r.ExitCode = exit.ExitCode()
	} else if err != nil {
		t.Errorf("check-log: %v", err)
		return r
	}
	var out struct {
		Code     int
		Details  []string
		Perfdata []struct {
			Label string
			Value float64
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Errorf("check-log output is not JSON (%v): %s", err, r.Output)
		return r
	}
	r.Code = out.Code
	for _, p := range out.Perfdata {
		if p.Label == "criticals" {
			r.Count = int64(p.Value)
		}
	}
	for _, d := range out.Details {
		if m := matchingLine.FindStringSubmatch(d); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			r.Shown = append(r.Shown, n)
		}
		if strings.Contains(d, "files are missing") {
			r.Missing = true
		}
	}
	return r
}

// writer appends lines to a log, one write per line, as a program that
// logs would, and reopens the log when asked (logrotate's postrotate).
type writer struct {
	path   string
	reopen chan chan struct{}
	seq    atomic.Int64 // lines written so far; the next line's number
	// started counts the lines whose write has begun: seq+1 while a line
	// is being written. A window measured from seq to started holds every
	// line that was in flight at either end.
	started atomic.Int64

	mu       sync.Mutex
	matching map[int64]bool // the numbers of the matching lines written
}

func newWriter(path string) *writer {
	return &writer{path: path, reopen: make(chan chan struct{}), matching: map[int64]bool{}}
}

func (w *writer) run(t *testing.T, ctx context.Context, rng *rand.Rand) {
	f, err := os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Error(err)
		return
	}
	defer func() { f.Close() }()
	for {
		select {
		case <-ctx.Done():
			return
		case ack := <-w.reopen:
			f.Close()
			if f, err = os.OpenFile(w.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err != nil {
				t.Error(err)
				return
			}
			close(ack)
		default:
		}
		for burst := 1 + rng.IntN(20); burst > 0; burst-- {
			n := w.seq.Load()
			line := fmt.Sprintf("2026-11-24T00:00:00Z INFO  seq=%d request served\n", n)
			match := rng.IntN(4) == 0
			if match {
				line = fmt.Sprintf("2026-11-24T00:00:00Z ERROR seq=%d end\n", n)
			}
			w.started.Store(n + 1)
			if _, err := f.WriteString(line); err != nil {
				t.Error(err)
				return
			}
			if match {
				w.mu.Lock()
				w.matching[n] = true
				w.mu.Unlock()
			}
			w.seq.Add(1)
		}
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond)
	}
}

// rotator rotates a log as logrotate does, keeping `keep` numbered files.
type rotator struct {
	path         string
	keep         int
	copyTruncate bool
	w            *writer
	rotations    atomic.Int64 // since the last check-log run
	total        int64
	bursts       int64

	// copytruncate only: what the copies hold, and when each window
	// between a copy and its truncate opened and closed (line numbers).
	copied  map[int64]bool
	windows [][2]int64
	// held from a copy to its truncate; check-log runs take it too
	// unless TEKO_SOAK_OVERLAP is set (see soak).
	copying sync.Mutex
}

func (r *rotator) rotate(rng *rand.Rand) error {
	os.Remove(fmt.Sprintf("%s.%d", r.path, r.keep))
	for i := r.keep - 1; i >= 1; i-- {
		if err := os.Rename(fmt.Sprintf("%s.%d", r.path, i), fmt.Sprintf("%s.%d", r.path, i+1)); err != nil && !os.IsNotExist(err) {
			return err
		}
	}
	if r.copyTruncate {
		r.copying.Lock()
		defer r.copying.Unlock()
		from := r.w.seq.Load()
		data, err := os.ReadFile(r.path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(r.path+".1", data, 0o644); err != nil {
			return err
		}
		time.Sleep(time.Duration(rng.IntN(2000)) * time.Microsecond) // copying takes time
		if err := os.Truncate(r.path, 0); err != nil {
			return err
		}
		// A line written just before the truncate is lost with it even
		// when the writer has not counted it yet: the window ends with
		// the lines begun, not only those counted.
		r.windows = append(r.windows, [2]int64{from, r.w.started.Load()})
		for _, n := range matchingIn(data) {
			r.copied[n] = true
		}
	} else {
		if err := os.Rename(r.path, r.path+".1"); err != nil {
			return err
		}
		f, err := os.OpenFile(r.path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return err
		}
		f.Close()
		time.Sleep(time.Duration(rng.IntN(3000)) * time.Microsecond) // the writer still writes to the old file
		ack := make(chan struct{})
		r.w.reopen <- ack
		<-ack
	}
	r.rotations.Add(1)
	r.total++
	return nil
}

func (r *rotator) run(t *testing.T, ctx context.Context, rng *rand.Rand) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Duration(50+rng.IntN(400)) * time.Millisecond):
		}
		n := 1
		if rng.IntN(4) == 0 {
			n = 2 + rng.IntN(3) // several rotations before check-log runs again
			r.bursts++
		}
		for ; n > 0; n-- {
			if err := r.rotate(rng); err != nil {
				t.Error(err)
				return
			}
		}
	}
}

// matchingIn returns the numbers of the complete matching lines in data.
func matchingIn(data []byte) []int64 {
	var out []int64
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if !strings.HasSuffix(line, "\n") {
			continue // a line cut by the copy
		}
		if m := matchingLine.FindStringSubmatch(strings.TrimSuffix(line, "\n")); m != nil {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			out = append(out, n)
		}
	}
	return out
}

func soakDuration(t *testing.T) time.Duration {
	d := 10 * time.Second
	if s := os.Getenv("TEKO_SOAK_DURATION"); s != "" {
		v, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("TEKO_SOAK_DURATION=%q: %v", s, err)
		}
		d = v
	}
	return d
}

func soakSeed(t *testing.T) uint64 {
	if s := os.Getenv("TEKO_SOAK_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("TEKO_SOAK_SEED=%q: %v", s, err)
		}
		return v
	}
	return uint64(time.Now().UnixNano())
}

func TestSoakRenameRotation(t *testing.T)       { soak(t, false) }
func TestSoakCopyTruncateRotation(t *testing.T) { soak(t, true) }

func soak(t *testing.T, copyTruncate bool) {
	if runtime.GOOS == "windows" {
		t.Skip("logrotate's renames of an open file are a Unix thing")
	}
	bin := checkLog(t)
	seed, duration := soakSeed(t), soakDuration(t)
	t.Logf("seed %d (TEKO_SOAK_SEED=%d replays it), duration %s", seed, seed, duration)
	dir, stateDir := t.TempDir(), filepath.Join(t.TempDir(), "state")
	path := filepath.Join(dir, "app.log")
	w := newWriter(path)
	rot := &rotator{path: path, keep: 30, copyTruncate: copyTruncate, w: w, copied: map[int64]bool{}}

	writing, stopWriting := context.WithCancel(context.Background())
	rotating, stopRotating := context.WithTimeout(context.Background(), duration)
	defer stopWriting()
	defer stopRotating()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); w.run(t, writing, rand.New(rand.NewPCG(seed, 1))) }()
	var (
		counted, runs, missingRuns int64
		maxBetween                 int64
		shown                      = map[int64]int{}
	)
	record := func(r run) {
		runs++
		counted += r.Count
		for _, n := range r.Shown {
			shown[n]++
		}
		switch {
		case r.ExitCode == 3 && r.Missing:
			missingRuns++ // between a rename and the create
		case r.ExitCode != 0 && r.ExitCode != 2, r.ExitCode != r.Code:
			t.Errorf("run %d: exit %d: %s", runs, r.ExitCode, r.Output)
		}
	}
	// The first run reads the log from its start (--check-first); only
	// then does rotation begin, as a check is set up before rotation
	// could take anything away from it.
	time.Sleep(100 * time.Millisecond)
	record(runCheck(t, bin, dir, stateDir))
	var rotWG sync.WaitGroup
	rotWG.Add(1)
	go func() { defer rotWG.Done(); rot.run(t, rotating, rand.New(rand.NewPCG(seed, 2))) }()

	// A check-log run that reads the log between a copy and its truncate
	// may count lines that end up in no file, which would make the count
	// inexact: by default check-log runs before a copy or after its
	// truncate, never in between (see the package documentation).
	// TEKO_SOAK_OVERLAP=1 lets them overlap.
	overlap := os.Getenv("TEKO_SOAK_OVERLAP") == "1"
	rng := rand.New(rand.NewPCG(seed, 3))
	for rotating.Err() == nil {
		time.Sleep(time.Duration(rng.IntN(500)) * time.Millisecond)
		if copyTruncate && !overlap {
			rot.copying.Lock()
		}
		maxBetween = max(maxBetween, rot.rotations.Swap(0))
		record(runCheck(t, bin, dir, stateDir))
		if copyTruncate && !overlap {
			rot.copying.Unlock()
		}
	}
	rotWG.Wait()
	stopWriting()
	wg.Wait()

	// The final drain reads what is left; a second drain finds nothing.
	maxBetween = max(maxBetween, rot.rotations.Swap(0))
	record(runCheck(t, bin, dir, stateDir))
	last := runCheck(t, bin, dir, stateDir)
	if last.Count != 0 || last.ExitCode != 0 {
		t.Errorf("a run after the drain found more: %s", last.Output)
	}

	written := int64(len(w.matching))
	for n, times := range shown {
		if times > 1 || !w.matching[n] {
			t.Errorf("line %d was reported %d times (written: %v)", n, times, w.matching[n])
		}
	}
	t.Logf("%d lines written, %d matching; %d rotations (%d bursts, at most %d between two runs); %d check-log runs (%d while the log was missing); %d lines counted; %d seen one by one with -r",
		w.seq.Load(), written, rot.total, rot.bursts, maxBetween, runs, missingRuns, counted, len(shown))
	if rot.total == 0 || maxBetween < 2 {
		t.Errorf("the schedule did not rotate several times between two runs; run longer")
	}

	if !copyTruncate {
		if counted != written {
			t.Errorf("rename rotation: %d matching lines written, %d counted", written, counted)
		}
		return
	}
	// copytruncate: a line written after the copy and before the
	// truncate is in no file. check-log may still have read it, if it ran
	// in between; every other line must be counted.
	final, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	kept := map[int64]bool{}
	for n := range rot.copied {
		kept[n] = true
	}
	for _, n := range matchingIn(final) {
		kept[n] = true
	}
	var lost []int64
	for n := range w.matching {
		if !kept[n] {
			lost = append(lost, n)
		}
	}
	for _, n := range lost {
		inWindow := false
		for _, win := range rot.windows {
			inWindow = inWindow || (n >= win[0] && n < win[1])
		}
		if !inWindow {
			t.Errorf("line %d is in no file, yet was not written between a copy and a truncate", n)
		}
	}
	t.Logf("copytruncate: %d matching lines were written between a copy and its truncate; check-log missed %d lines", len(lost), written-counted)
	if !overlap && counted != written-int64(len(lost)) {
		t.Errorf("copytruncate: %d matching lines written, %d of them only between a copy and a truncate, %d counted", written, len(lost), counted)
	}
	if overlap && (counted < written-int64(len(lost)) || counted > written) {
		t.Errorf("copytruncate: %d matching lines written, %d of them only between a copy and a truncate, %d counted", written, len(lost), counted)
	}
}
