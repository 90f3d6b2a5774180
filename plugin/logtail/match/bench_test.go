package match

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"regexp"
	"testing"
)

// benchLog returns about size bytes of log lines, one in a hundred of
// them an error.
func benchLog(size int) []byte {
	rng := rand.New(rand.NewPCG(7, 7))
	levels := []string{"INFO", "INFO", "INFO", "DEBUG", "WARN"}
	var b bytes.Buffer
	for i := 0; b.Len() < size; i++ {
		level := levels[rng.IntN(len(levels))]
		if rng.IntN(100) == 0 {
			level = "ERROR"
		}
		fmt.Fprintf(&b, "2026-11-24T10:%02d:%02d.%06dZ %-5s [worker-%d] request id=%016x path=/api/v1/items/%d took %d ms\n",
			i/60%60, i%60, rng.IntN(1e6), level, rng.IntN(16), rng.Uint64(), rng.IntN(1e5), rng.IntN(2000))
	}
	return b.Bytes()
}

var benchSpecs = []struct {
	name string
	spec Spec
}{
	{"literal", Spec{Patterns: []string{`ERROR`}}},
	{"icase", Spec{Patterns: []string{`error`}, IgnoreCase: true}},
	{"alternation", Spec{Patterns: []string{`ERROR|FATAL`}}},
	{"icase-alternation", Spec{Patterns: []string{`error|fatal`}, IgnoreCase: true}},
	{"regexp", Spec{Patterns: []string{`ERROR.*took \d{4} ms`}}},
	{"no-literal", Spec{Patterns: []string{`^\S+ +W`}}},
}

func BenchmarkScan(b *testing.B) {
	block := benchLog(1 << 20) // the tailer's read size
	for _, c := range benchSpecs {
		b.Run(c.name, func(b *testing.B) {
			m, err := Compile(c.spec)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(block)))
			n := 0
			for b.Loop() {
				m.Scan(block, func(_, _ []byte) { n++ })
			}
		})
	}
}

// BenchmarkRegexpPerLine is the old way, for comparison: a scanner
// splitting lines and the regular expression run on each.
func BenchmarkRegexpPerLine(b *testing.B) {
	block := benchLog(1 << 20)
	for _, c := range benchSpecs[:4] {
		b.Run(c.name, func(b *testing.B) {
			re := regexp.MustCompile(withCase(c.spec.Patterns[0], c.spec.IgnoreCase))
			b.SetBytes(int64(len(block)))
			n := 0
			for b.Loop() {
				sc := bufio.NewScanner(bytes.NewReader(block))
				for sc.Scan() {
					if re.Match(sc.Bytes()) {
						n++
					}
				}
			}
		})
	}
}
