//go:build linux

package proctable

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzProcFiles puts arbitrary bytes in a fake /proc/PID/stat, status and
// cmdline (a process chooses its own name and arguments, so these hold
// outside input) and loads every fact. Loading either fails with one
// message naming the file, or gives a process whose name is the text in
// the stat file's outer parentheses and whose arguments hold no NUL.
func FuzzProcFiles(f *testing.F) {
	f.Add([]byte("42 (a) (b c) S 7 42 42 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 3 0 50000 8192000 300 18446744073709551615 1 1 0 0\n"),
		[]byte("Name:\tx\nUmask:\t0022\nUid:\t1000\t1001\t1000\t1000\n"), []byte("/usr/bin/python3\x00-m\x00http.server\x00"), []byte("1000.50 3000.00\n"))
	f.Add([]byte("1 (systemd) S 0 1 1 0 -1 4194560 1 2 3 4 5 6 7 8 20 0 1 0 9 10 11\n"), []byte("Uid:\t0\t0\t0\t0\n"), []byte(""), []byte("5.5 1\n"))
	f.Add([]byte("7 (x"), []byte("Uid:"), []byte("\x00\x00"), []byte("nan"))
	f.Add([]byte("7 () Z 1 1 1 0 0 0 0 0 0 0 99999999999999999999 1 0 0 0 0 1 0 1 1 1"), []byte("\nUid: 5 6\n"), []byte("a\x00b"), []byte("1e300"))
	root := f.TempDir() // one fake tree per fuzzing process, rewritten for each input
	if err := os.Mkdir(filepath.Join(root, "1"), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, stat, status, cmdline, uptime []byte) {
		for name, content := range map[string][]byte{"1/stat": stat, "1/status": status, "1/cmdline": cmdline, "uptime": uptime} {
			if err := os.WriteFile(filepath.Join(root, name), content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		src := &procSource{root: root, pageSize: 4096}
		p := Process{PID: 1, src: src}
		if err := p.Load(All); err != nil {
			if !strings.HasPrefix(err.Error(), "reading ") || !strings.Contains(err.Error(), root) && !strings.Contains(err.Error(), "uptime") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		open, end := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
		if p.Name != string(stat[open+1:end]) {
			t.Fatalf("name %q from %q", p.Name, stat)
		}
		if strings.ContainsRune(p.Args, 0) || !strings.HasPrefix(p.Args, p.Argv0) {
			t.Fatalf("args %q, argv0 %q from %q", p.Args, p.Argv0, cmdline)
		}
		if p.Elapsed < 0 || p.CPUTime < 0 {
			t.Fatalf("negative times in %+v", p)
		}
	})
}

// Regression test for what FuzzProcFiles found: a CPU time too large for
// a time.Duration came out negative.
func TestHugeCPUTimeIsNotNegative(t *testing.T) {
	fakeProc(t, map[string]string{
		"uptime":    "100.0 1\n",
		"1/stat":    "1 (x) S 0 1 1 0 -1 0 0 0 0 0 18446744073709551615 18446744073709551615 0 0 20 0 1 0 5 1 1\n",
		"1/status":  "Name:\tx\nUid:\t0\t0\t0\t0\n",
		"1/cmdline": "x\x00",
	})
	tab, err := Read(t.Context(), All)
	if err != nil {
		t.Fatal(err)
	}
	p := tab.Processes[0]
	if err := p.Load(All); err != nil {
		t.Fatal(err)
	}
	if p.CPUTime <= 0 || p.CPUPercent() < 0 {
		t.Fatalf("cpu time %v, %v%%", p.CPUTime, p.CPUPercent())
	}
}
