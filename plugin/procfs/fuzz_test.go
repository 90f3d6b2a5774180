package procfs_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/teko-dev/teko/plugin/procfs"
)

// FuzzParsers feeds arbitrary bytes to the exported parsers: none may
// panic, and what they return keeps their promises.
func FuzzParsers(f *testing.F) {
	f.Add([]byte("42 (a) (b c) S 7 42 42 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 3 0 50000 8192000 300 1\n"))
	f.Add([]byte("5000 100 80000 3000 6000 200 96000 4000 0 5000 7000"))
	f.Add([]byte("1000.50 3000.00\n"))
	f.Add(procfs.AppendUtmp(nil, procfs.UtmpEntry{Type: procfs.UtmpUserProcess, PID: 1, User: "a"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if st, err := procfs.ParseProcessStat(b); err == nil && !bytes.Contains(b, []byte(st.Comm)) {
			t.Fatalf("comm %q is not in %q", st.Comm, b)
		}
		if d, err := procfs.ParseDiskStat(bytes.Fields(b)); err == nil && d.Fields != len(bytes.Fields(b)) {
			t.Fatalf("%d fields from %q", d.Fields, b)
		}
		if u, err := procfs.ParseUptime("uptime", b); err == nil && (u.Up < 0 || u.Idle < 0) {
			t.Fatalf("negative uptime %+v from %q", u, b)
		}
		entries, err := procfs.ParseUtmp(bytes.NewReader(b))
		if err != nil || len(entries) != len(b)/procfs.UtmpSize {
			t.Fatalf("%d records from %d bytes: %v", len(entries), len(b), err)
		}
		for _, e := range entries {
			if strings.ContainsRune(e.User, 0) || len(e.User) > 32 {
				t.Fatalf("user %q", e.User)
			}
		}
		procfs.JoinCmdline(bytes.Clone(b))
		if pid, ok := procfs.ParsePID(string(b)); ok && pid <= 0 {
			t.Fatalf("ParsePID(%q) = %d, true: a PID is positive", b, pid)
		}
	})
}
