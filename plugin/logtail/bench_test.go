package logtail

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// writeLog writes about size bytes of 100-byte lines.
func writeLog(tb testing.TB, path string, size int) {
	tb.Helper()
	line := strings.Repeat("x", 99) + "\n"
	if err := os.WriteFile(path, []byte(strings.Repeat(line, size/len(line))), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkRead measures the tailer alone: reading a file from the page
// cache and splitting it into blocks of whole lines.
func BenchmarkRead(b *testing.B) {
	path := filepath.Join(b.TempDir(), "app.log")
	writeLog(b, path, 64<<20)
	for _, enc := range []string{"UTF-8", "EUC-JP"} {
		b.Run(enc, func(b *testing.B) {
			e, err := LookupEncoding(enc)
			if err != nil {
				b.Fatal(err)
			}
			t := &Tailer{Encoding: e}
			b.SetBytes(64 << 20)
			for b.Loop() {
				t.Run(context.Background(), []string{path}, nil, func(Block) {})
			}
		})
	}
}

// BenchmarkAppendToHugeFile is a run after 1 MiB was appended to a 10
// GiB file: its cost depends on the 1 MiB, not on the 10 GiB.
func BenchmarkAppendToHugeFile(b *testing.B) {
	path, start := hugeFileWithPosition(b)
	mib := []byte(strings.Repeat(strings.Repeat("y", 99)+"\n", (1<<20)/100))
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	t := &Tailer{}
	for b.Loop() {
		b.StopTimer()
		if _, err := f.WriteAt(mib, 10<<30); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		var read int
		t.Run(context.Background(), []string{path}, start, func(bl Block) { read += len(bl.Lines) })
		if read != len(mib) {
			b.Fatalf("read %d bytes", read)
		}
		b.StopTimer()
		if err := f.Truncate(10 << 30); err != nil { // as before: the same start fits again
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// hugeFileWithPosition makes a sparse 10 GiB file and a State positioned
// at its end.
func hugeFileWithPosition(tb testing.TB) (string, *State) {
	tb.Helper()
	if runtime.GOOS != "linux" {
		tb.Skip("sparse files are only sure to be cheap on Linux")
	}
	path := filepath.Join(tb.TempDir(), "huge.log")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(10 << 30); err != nil {
		tb.Skip("no sparse file:", err)
	}
	if _, err := f.WriteAt([]byte("\n"), 10<<30-1); err != nil {
		tb.Fatal(err)
	}
	prev, rep := (&Tailer{StartAtEnd: true}).Run(context.Background(), []string{path}, nil, func(Block) {})
	if rep.Files[0].To != 10<<30 {
		tb.Fatalf("started at %d", rep.Files[0].To)
	}
	return path, prev
}

func TestAppendToHugeFileReadsOnlyTheNewBytes(t *testing.T) {
	path, prev := hugeFileWithPosition(t)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10_000 {
		fmt.Fprintf(f, "line %d of the new MiB, %s\n", i, strings.Repeat("z", 80))
	}
	f.Close()
	var lines int
	_, rep := (&Tailer{}).Run(context.Background(), []string{path}, prev, func(b Block) {
		lines += strings.Count(string(b.Lines), "\n")
	})
	if fr := rep.Files[0]; fr.Event != Continued || fr.From != 10<<30 || lines != 10_000 {
		t.Fatalf("%+v, %d lines", fr, lines)
	}
}
