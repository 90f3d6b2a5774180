package state

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad puts arbitrary bytes where a state file belongs, as a disk
// error, an editor or an older build might leave them. Load either
// decodes them, or says so in a warning naming the file and starts
// afresh (never a silent reset, never a panic), and the next Save and
// Commit replace them with a state that reads back whole.
func FuzzLoad(f *testing.F) {
	for _, s := range []string{
		`{"teko_state":1,"key":"k","data":{"n":5}}`,
		`{"teko_state":1,"key":"k","options":"pattern=x","data":{"n":5,"padding":"xx"}}` + "\n",
		`{"teko_state":1,"key":"k","data":null}`,
		`{"teko_state":1,"key":"k"}`,
		`{"teko_state":2,"key":"k","data":{"n":5}}`,
		`{"teko_state":1,"key":"k","data":{"n":"five"}}`,
		`{"teko_state":1,"key":"k","data":{"n":1e99}}`,
		`{"teko_state":1,"data":{"n":5},"data":{"n":6}}`,
		`{"teko_state":1,"key":"k","data":{"n":5}}garbage`,
		`{"teko_state":1,"key":"k","data":{"n":`,
		"", "null", "[1,2,3]", "{}", "\x00\x00\x00\x00", "\xef\xbb\xbf{}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, content []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "k.json")
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		var warnings []string
		s, err := Open(context.Background(), Options{Dir: dir, Key: "k", Warn: func(m string) { warnings = append(warnings, m) }})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		st := counterState{N: -1}
		found, err := s.Load(&st)
		if errors.Is(err, ErrNewerFormat) {
			// A newer release's file: refused, and never written over.
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("%v does not name the file", err)
			}
			s.Save(counterState{N: 42})
			if err := s.Commit(); !errors.Is(err, ErrNewerFormat) {
				t.Fatalf("a newer release's file was written over: %v", err)
			}
			if b, _ := os.ReadFile(path); string(b) != string(content) {
				t.Fatalf("a newer release's file was changed")
			}
			return
		}
		if err != nil {
			t.Fatalf("a readable regular file gave an error: %v", err)
		}
		switch {
		case found && len(warnings) > 0:
			t.Fatalf("found, yet warned %q", warnings)
		case !found && len(warnings) != 1:
			t.Fatalf("%q: not found and %d warnings: a state was dropped silently", content, len(warnings))
		case !found && (!strings.Contains(warnings[0], path) || !strings.Contains(warnings[0], "starting afresh")):
			t.Fatalf("the warning %q does not name the file and what happens", warnings[0])
		case !found && st.N != -1:
			t.Fatalf("not found, but the value was changed to %+v", st)
		}

		if err := s.Save(counterState{N: 42, Padding: "p"}); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(); err != nil {
			t.Fatalf("the state cannot be replaced: %v", err)
		}
		s.Close()
		s, err = Open(context.Background(), Options{Dir: dir, Key: "k", Warn: func(m string) { t.Errorf("warning after recovery: %s", m) }})
		if err != nil {
			t.Fatal(err)
		}
		var back counterState
		if found, err := s.Load(&back); err != nil || !found || back != (counterState{N: 42, Padding: "p"}) {
			t.Fatalf("after recovery: %+v, found %v, %v", back, found, err)
		}
	})
}
