package checklog_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// peakRSS runs the check-log binary under /usr/bin/time and returns its
// output and its peak resident memory in bytes. The rusage of a child of
// the test process cannot be used: Linux starts a child's peak from its
// parent's when the child is created with vfork, as Go does, and the test
// process is large; /usr/bin/time forks check-log from a small process.
func peakRSS(t *testing.T, args ...string) (string, int64) {
	t.Helper()
	timeBin, err := exec.LookPath("/usr/bin/time")
	if err != nil {
		t.Skip("needs /usr/bin/time (Debian package time)")
	}
	rssFile := filepath.Join(t.TempDir(), "rss")
	cmd := exec.Command(timeBin, append([]string{"-f", "%M", "-o", rssFile, binary(t)}, args...)...)
	out, _ := cmd.Output()
	b, err := os.ReadFile(rssFile)
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(b)) // "Command exited with non-zero status 2" may come first
	kib, err := strconv.ParseInt(fields[len(fields)-1], 10, 64)
	if err != nil {
		t.Fatalf("/usr/bin/time wrote %q", b)
	}
	return string(out), kib * 1024
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
