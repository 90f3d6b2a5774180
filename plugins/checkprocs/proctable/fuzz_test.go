package proctable

import (
	"strings"
	"testing"
)

// FuzzParsePSLine feeds lines as ps prints them on darwin and FreeBSD
// (process names and arguments are anyone's to choose). A line is either
// refused with one message that quotes it, or read into a process whose
// command is what followed the fixed columns.
func FuzzParsePSLine(f *testing.F) {
	for _, s := range []string{
		"  412     1     0 Ss    01-02:03:04   0:01.50  1024  40960 /usr/sbin/sshd -D",
		"    7     1 www   S         12:34     1:00    10     20 nginx: worker process",
		"    1     0 root  S          0:01      0:00     0      0 ",
		"   99     1 root  R       00:00:01  00:00:00   100    200   4 /bin/sh -c 'sleep 1'",
		"", "1 2 3", "x 1 0 S 0:01 0:00 1 1 cmd", "1 1 0 S 99:99:99:99 0:00 1 1 cmd", "1 1 0 S -1:00 0:00 1 1 cmd",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, line string, threads bool) {
		p, err := parsePSLine(line, threads)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "unexpected ") || !strings.Contains(err.Error(), "line from ps") {
				t.Fatalf("error %q does not say what was wrong", err)
			}
			return
		}
		if !strings.HasSuffix(line, p.Args) || !strings.HasPrefix(p.Args, p.Argv0) {
			t.Fatalf("%q: args %q, argv0 %q", line, p.Args, p.Argv0)
		}
		if p.UID == "" || p.Elapsed < 0 || p.CPUTime < 0 {
			t.Fatalf("%q: read as %+v", line, p)
		}
	})
}
