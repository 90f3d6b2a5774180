package checklog_test

import (
	"bytes"
	"errors"
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
	"testing"
	"time"

	"github.com/teko-dev/teko/plugin/plugintest"
)

// The tests in this file run the real check-log binary, as an agent does.

func TestMain(m *testing.M) { os.Exit(plugintest.RunTests(m)) }

// binary is the check-log executable, built once for the package's tests.
func binary(t *testing.T) string {
	return plugintest.Binary(t, "github.com/teko-dev/teko/plugins/cmd/check-log")
}

var outputCount = regexp.MustCompile(`^LOG [A-Z]+: (\d+) warnings, (\d+) criticals`)

// parseCount reads the criticals from check-log's output.
func parseCount(out string) (int, bool) {
	m := outputCount.FindStringSubmatch(out)
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[2])
	return n, true
}

func appendErrors(t *testing.T, path string, from, n int) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b bytes.Buffer
	for i := from; i < from+n; i++ {
		fmt.Fprintf(&b, "2026-11-24T00:00:00Z INFO  request %d served in 12 ms by worker 7\n", i)
		fmt.Fprintf(&b, "2026-11-24T00:00:00Z ERROR request %d failed: upstream timeout\n", i)
	}
	if _, err := f.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
}

func TestKilledRunsLoseNoLine(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL is Unix")
	}
	bin := binary(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "app.log")
	args := []string{"-f", logPath, "-p", "ERROR", "--check-first", "-s", filepath.Join(dir, "state"), "--max-read-bytes", "256KiB"}
	total := 0
	appendErrors(t, logPath, total, 40_000) // about 5 MB: a backlog for many runs
	total += 40_000

	rng := rand.New(rand.NewPCG(4, 2))
	counted, repeatable, killed := 0, 0, 0
	// At least 80 runs and at least 20 that really died mid-run (a run
	// can finish before its kill lands, more often on a fast machine).
	for i := 0; i < 80 || killed < 20; i++ {
		if i == 1000 {
			t.Fatalf("only %d of 1000 runs were killed before they finished", killed)
		}
		if i%10 == 0 {
			appendErrors(t, logPath, total, 500)
			total += 500
		}
		cmd := exec.Command(bin, args...)
		var out bytes.Buffer
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		kill := rng.IntN(4) != 0
		if kill {
			time.Sleep(time.Duration(rng.IntN(6000)) * time.Microsecond)
			cmd.Process.Kill()
		}
		err := cmd.Wait()
		var exitErr *exec.ExitError
		wasKilled := errors.As(err, &exitErr) && !exitErr.Exited()
		n, ok := parseCount(out.String())
		if wasKilled {
			killed++
			if ok {
				// Killed after its output, perhaps before saving its
				// position: the next run may report the same lines.
				repeatable += n
			}
		} else if !ok {
			t.Fatalf("run %d: %v, output %q", i, err, out.String())
		}
		counted += n
	}
	for runs := 0; ; runs++ {
		out, _ := exec.Command(bin, args...).Output()
		n, ok := parseCount(string(out))
		if !ok || runs > 100 {
			t.Fatalf("final runs: %q", out)
		}
		counted += n
		if !strings.Contains(string(out), "left to read") {
			break
		}
	}
	t.Logf("%d lines, %d counted, %d runs killed, %d lines reported by killed runs", total, counted, killed, repeatable)
	if counted < total {
		t.Fatalf("lost %d lines", total-counted)
	}
	if counted > total+repeatable {
		t.Fatalf("%d lines counted twice, more than the killed runs reported", counted-total)
	}
}

func TestRunsAtTheSameMomentNeverCountALineTwice(t *testing.T) {
	bin := binary(t)
	dir := t.TempDir()
	logPath := filepath.Join(dir, "app.log")
	args := []string{"-f", logPath, "-p", "ERROR", "-s", filepath.Join(dir, "state")}
	appendErrors(t, logPath, 0, 10)
	if out, err := exec.Command(bin, args...).Output(); err != nil {
		t.Fatalf("first run: %v %s", err, out)
	}
	for round := range 5 {
		appendErrors(t, logPath, 0, 20_000)
		var wg sync.WaitGroup
		counts := make([]int, 4)
		for i := range counts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				out, _ := exec.Command(bin, args...).Output()
				n, ok := parseCount(string(out))
				if !ok {
					t.Errorf("output %q", out)
				}
				counts[i] = n
			}()
		}
		wg.Wait()
		sum := 0
		for _, n := range counts {
			sum += n
		}
		if sum != 20_000 {
			t.Fatalf("round %d: runs counted %v, %d in all, want 20000", round, counts, sum)
		}
	}
}
