package checklog_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// peakRSS runs the check-log binary and returns its output and its peak
// resident memory in bytes.
func peakRSS(t *testing.T, args ...string) (string, int64) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	out, _ := cmd.Output()
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		t.Fatal("no rusage")
	}
	return string(out), ru.Maxrss * 1024 // KiB on Linux
}

func TestMemoryIsBoundedWhateverTheInput(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 330 MB file")
	}
	dir := t.TempDir()
	logPath := filepath.Join(dir, "huge.log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	// One 300 MB line that matches, then 1.4 million short matching lines.
	w.WriteString("ERROR ")
	chunk := strings.Repeat("0123456789abcdef", 4096)
	for range 300 << 20 / len(chunk) {
		w.WriteString(chunk)
	}
	w.WriteString("\n")
	const many = 1_400_000
	for i := range many {
		fmt.Fprintf(w, "ERROR %d\n", i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	const limit = 64 << 20
	for _, extra := range [][]string{nil, {"-r"}} {
		args := append([]string{"-f", logPath, "-p", "ERROR", "--check-first", "--no-state", "-t", "120"}, extra...)
		out, rss := peakRSS(t, args...)
		t.Logf("%v: peak RSS %.1f MiB", extra, float64(rss)/(1<<20))
		if want := fmt.Sprintf("LOG CRITICAL: %d warnings, %d criticals", many+1, many+1); !strings.HasPrefix(out, want) {
			t.Fatalf("%v: output %q, want %q…", extra, out, want)
		}
		if rss > limit {
			t.Fatalf("%v: peak RSS %d MiB, over %d MiB", extra, rss>>20, limit>>20)
		}
		if len(out) > 1024 {
			t.Fatalf("%d bytes of output", len(out))
		}
	}
}
