package logtail

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// FuzzLookupEncoding feeds --encoding values. A name is either refused
// with one line that quotes it, or gives an encoding whose lines split on
// the newline.
func FuzzLookupEncoding(f *testing.F) {
	for _, s := range []string{"", "UTF-8", "utf-16le", "UTF-16BE", "UTF-16", "EUC-JP", "Shift_JIS", "sjis", "latin1",
		"windows-1252", "GB18030", "Big5", "UTF-32", "IBM037", "x-user-defined", "replacement", "nonsense", "utf\x00-8", " utf-8 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		enc, err := LookupEncoding(name)
		if err != nil {
			if !strings.Contains(err.Error(), strconv.Quote(name)) || strings.ContainsAny(err.Error(), "\r\n") {
				t.Fatalf("LookupEncoding(%q): %q does not quote the name on one line", name, err)
			}
			return
		}
		if enc.String() == "" {
			t.Fatalf("LookupEncoding(%q) has no name", name)
		}
		c := enc.codecFor(nil)
		if enc.UnitSize() != c.unit {
			t.Fatalf("%s: UnitSize %d, but its codec reads units of %d bytes", enc, enc.UnitSize(), c.unit)
		}
		line := append([]byte("ok"), c.newline...)
		if k := c.lastNewline(append(line, line...)); k != 2*len(line) {
			t.Fatalf("%s: the newline of two lines ends at %d, want %d", enc, k, 2*len(line))
		}
	})
}

// FuzzSavedState runs the tailer with arbitrary saved positions (a state
// file edited, corrupted or written by another version) over an arbitrary
// log. It must not panic, deliver only bytes of the file, save offsets
// inside it, and a second run over the unchanged file must deliver
// nothing: a position never makes a line count twice.
func FuzzSavedState(f *testing.F) {
	f.Add([]byte(`{"files":[{"path":"app.log","id":{},"offset":3,"head":{"len":3},"tail":{"len":3}}]}`), []byte("a1\na2\na3\n"))
	f.Add([]byte(`{"files":[{"path":"app.log","offset":-5,"head":{"len":99999,"hash":"x"},"tail":{"len":-1}}]}`), []byte("x\n"))
	f.Add([]byte(`{"files":[{"path":"app.log.1","offset":1000000,"rotated":true,"origin":"app.log"},{"path":"app.log"}]}`), []byte("a\nb"))
	f.Add([]byte(`{"files":[{"path":"../../etc/passwd","offset":1}]}`), []byte(""))
	f.Add([]byte(`{"files":null}`), []byte("line without end"))
	f.Fuzz(func(t *testing.T, saved, content []byte) {
		var prev State
		if json.Unmarshal(saved, &prev) != nil {
			return // the state store drops undecodable files with a warning
		}
		dir := t.TempDir()
		for i := range prev.Files { // keep every path inside the test's directory
			prev.Files[i].Path = filepath.Join(dir, filepath.Base(prev.Files[i].Path))
			if prev.Files[i].Origin != "" {
				prev.Files[i].Origin = filepath.Join(dir, filepath.Base(prev.Files[i].Origin))
			}
		}
		path := filepath.Join(dir, "app.log")
		if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+".1", content, 0o644); err != nil {
			t.Fatal(err)
		}
		tl := &Tailer{MaxLineLen: 64}
		emit := func(b Block) {
			if b.Offset < 0 || b.Offset+int64(len(b.Lines)) > int64(len(content)) && !b.Cut {
				t.Fatalf("block at %d of %d bytes is outside the %d-byte file", b.Offset, len(b.Lines), len(content))
			}
		}
		next, _ := tl.Run(context.Background(), []string{path}, &prev, emit)
		for _, p := range next.Files {
			if p.Offset < 0 || p.Offset > int64(len(content)) {
				t.Fatalf("saved offset %d outside the %d-byte file", p.Offset, len(content))
			}
		}
		b, err := json.Marshal(next)
		if err != nil {
			t.Fatal(err)
		}
		var again State
		if err := json.Unmarshal(b, &again); err != nil {
			t.Fatal(err)
		}
		tl.Run(context.Background(), []string{path}, &again, func(b Block) {
			t.Fatalf("the unchanged file delivered %q again at %d", b.Lines, b.Offset)
		})
	})
}
