package redisproto

import (
	"bufio"
	"bytes"
	"testing"
)

// A peer's bytes, whatever they are, give a reply or an error: never a
// panic, never an allocation beyond the limits.
func FuzzReadReply(f *testing.F) {
	for _, seed := range []string{"+OK\r\n", "-ERR x\r\n", ":42\r\n", "$3\r\nabc\r\n", "$-1\r\n", "*2\r\n$1\r\na\r\n:1\r\n",
		"*-1\r\n", "*1\r\n*1\r\n*1\r\n:0\r\n", "HTTP/1.1 400\r\n", "$99999999999\r\n"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		rep, err := readReply(bufio.NewReader(bytes.NewReader(b)), 0)
		if err == nil && rep.Kind == KindBulk && len(rep.Str) > MaxBulk {
			t.Fatalf("bulk of %d bytes", len(rep.Str))
		}
		ParseInfo(string(b))
	})
}

func TestReplyRoundTrip(t *testing.T) {
	in := Array(Status("OK"), Err("ERR no"), Int(-7), Bulk("a\r\nb"), Reply{Kind: KindNil}, BulkArray("x", ""))
	out, err := readReply(bufio.NewReader(bytes.NewReader(in.Encode())), 0)
	if err != nil {
		t.Fatal(err)
	}
	if string(out.Encode()) != string(in.Encode()) {
		t.Fatalf("round trip: %q != %q", out.Encode(), in.Encode())
	}
}
