package match

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// naive is the obvious matcher: every regular expression on every line.
func naive(s Spec, block string) []string {
	compile := func(ps []string) []*regexp.Regexp {
		var out []*regexp.Regexp
		for _, p := range ps {
			out = append(out, regexp.MustCompile(withCase(p, s.IgnoreCase)))
		}
		return out
	}
	pats, exAll, exAny := compile(s.Patterns), compile(s.ExcludeAll), compile(s.ExcludeAny)
	var out []string
	block = strings.TrimSuffix(block, "\n")
	if block == "" {
		return nil
	}
lines:
	for _, line := range strings.Split(block, "\n") {
		line = strings.TrimSuffix(line, "\r")
		if s.MaxLineLen > 0 && len(line) > s.MaxLineLen {
			line = line[:s.MaxLineLen]
		}
		group := ""
		for i, re := range pats {
			sub := re.FindStringSubmatch(line)
			if sub == nil {
				continue lines
			}
			if i == 0 && s.Group {
				group = sub[1]
			}
		}
		if len(exAll) > 0 {
			allMatch := true
			for _, re := range exAll {
				allMatch = allMatch && re.MatchString(line)
			}
			if allMatch {
				continue
			}
		}
		for _, re := range exAny {
			if re.MatchString(line) {
				continue lines
			}
		}
		if s.Group {
			line += " [" + group + "]"
		}
		out = append(out, line)
	}
	return out
}

func scan(t *testing.T, s Spec, block string) []string {
	t.Helper()
	m, err := Compile(s)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	m.Scan([]byte(block), func(line, group []byte) {
		l := string(line)
		if s.Group {
			l += " [" + string(group) + "]"
		}
		out = append(out, l)
	})
	return out
}

func same(t *testing.T, s Spec, block string) {
	t.Helper()
	got, want := scan(t, s, block), naive(s, block)
	if strings.Join(got, "\n") != strings.Join(want, "\n") || len(got) != len(want) {
		m, _ := Compile(s)
		t.Fatalf("spec %+v (%s)\nblock %q\n got  %q\n want %q", s, m.Prefilter(), block, got, want)
	}
}

var sampleLog = strings.Join([]string{
	"2026-11-24T00:00:01 INFO started",
	"2026-11-24T00:00:02 ERROR disk full",
	"2026-11-24T00:00:03 error: lower case",
	"2026-11-24T00:00:04 FATAL out of memory\r",
	"2026-11-24T00:00:05 Error Mixed case timeout",
	"",
	"2026-11-24T00:00:06 WARN slow request took 1532 ms",
	"2026-11-24T00:00:07 ERROR timeout after 30s",
	"ERROR at the start",
	"at the end ERROR",
	"Kelvin: 5 \u212a, long s: \u017fuccess, SUCCESS, success",
	"ERRNO 5, ERRATA, ERR",
	"\xff\xfe invalid utf-8 \xef\xbf\xbd replacement",
	"日本語のエラーが発生しました",
	"last line without newline ERROR",
}, "\n")

func TestScanAgreesWithRegexpOnEveryLine(t *testing.T) {
	patterns := []string{
		`ERROR`, `error`, `ERROR|FATAL`, `ERR(OR|NO)`, `E[Rr]ROR`, `ERROR.*timeout`,
		`^ERROR`, `ERROR$`, `\d+ ms`, `took (\d+) ms`, `success`, `k`, `\x{212a}`, `ſ`,
		`エラー`, `\x{fffd}`, `(?i)fatal`, `a\nb`, `timeout|`, `.*`, `^$`, `ERROR (disk|timeout)`,
		`(?:ERRNO|ERRATA) \d?`, `[Ee]rror`, `out of memory\r?$`, `s+uccess`,
	}
	for _, p := range patterns {
		for _, icase := range []bool{false, true} {
			s := Spec{Patterns: []string{p}, IgnoreCase: icase}
			t.Run(fmt.Sprintf("%s/i=%v", p, icase), func(t *testing.T) {
				same(t, s, sampleLog)
				same(t, s, sampleLog+"\n")
			})
		}
	}
}

func TestPrefilterChoice(t *testing.T) {
	for _, c := range []struct {
		spec Spec
		want string
	}{
		{Spec{Patterns: []string{`ERROR`}}, `exact "ERROR"`},
		{Spec{Patterns: []string{`ERROR|FATAL`}}, `exact "ERROR" | "FATAL"`},
		{Spec{Patterns: []string{`ERROR|ERRNO`}}, `exact "ERROR" | "ERRNO"`},
		{Spec{Patterns: []string{`error`}, IgnoreCase: true}, `exact fold "error"`},
		{Spec{Patterns: []string{`ERROR|FATAL`}, IgnoreCase: true}, `exact fold "error" | fold "fatal"`},
		{Spec{Patterns: []string{`success`}, IgnoreCase: true}, `verify fold "ucce"`},
		{Spec{Patterns: []string{`ERROR.*timeout`}}, `verify "timeout"`},
		{Spec{Patterns: []string{`^ERROR`}}, `verify "ERROR"`},
		{Spec{Patterns: []string{`took (\d+) ms`}, Group: true}, `verify "took "`},
		{Spec{Patterns: []string{`\d+`}}, `every line`},
		{Spec{Patterns: []string{`.`, `FATAL`}}, `exact "FATAL"`},
	} {
		m, err := Compile(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Prefilter(); got != c.want {
			t.Errorf("%q (i=%v): prefilter %s, want %s", c.spec.Patterns, c.spec.IgnoreCase, got, c.want)
		}
	}
}

func TestSeveralPatternsExcludesAndGroups(t *testing.T) {
	for _, s := range []Spec{
		{Patterns: []string{`ERROR`, `timeout`}},
		{Patterns: []string{`2026`, `ERROR|FATAL`}},
		{Patterns: []string{`ERROR`}, ExcludeAll: []string{`disk`}},
		{Patterns: []string{`ERROR`}, ExcludeAll: []string{`disk`, `full`}},
		{Patterns: []string{`ERROR`}, ExcludeAll: []string{`disk`, `timeout`}},
		{Patterns: []string{`ERROR`}, ExcludeAny: []string{`disk`, `timeout`}},
		{Patterns: []string{`error`}, IgnoreCase: true, ExcludeAny: []string{`LOWER`}},
		{Patterns: []string{`took (\d+) ms`}, Group: true},
		{Patterns: []string{`(ERROR|FATAL) (\w+)`}, Group: true},
		{Patterns: []string{`(x)?ERROR`}, Group: true},
	} {
		same(t, s, sampleLog)
	}
}

func TestMaxLineLenLooksAtTheStartOfALineOnly(t *testing.T) {
	block := "short ERROR\n" + strings.Repeat("x", 100) + " ERROR\nERROR" + strings.Repeat("y", 100) + "\n"
	for _, s := range []Spec{
		{Patterns: []string{`ERROR`}, MaxLineLen: 50},
		{Patterns: []string{`ERROR|FATAL`}, MaxLineLen: 50},
		{Patterns: []string{`error`}, IgnoreCase: true, MaxLineLen: 50},
		{Patterns: []string{`ERROR.*y`}, MaxLineLen: 50},
		{Patterns: []string{`y+$`}, MaxLineLen: 50},
		{Patterns: []string{`LONGER|x+ ERR`}, MaxLineLen: 103},
	} {
		same(t, s, block)
	}
	got := scan(t, Spec{Patterns: []string{`ERROR`}, MaxLineLen: 50}, block)
	if len(got) != 2 || len(got[1]) != 50 {
		t.Fatalf("got %q", got)
	}
}

func TestRandomLogsAgreeWithRegexp(t *testing.T) {
	words := []string{"ERROR", "error", "Error", "FATAL", "fatal", "warn", "timeout", "ok", "K", "\u212a", "s", "ſ",
		"ERRNO", "ERR", "e", "rr", "エラー", "1532", "ms", " ", " ", "\r", "\t"}
	specs := []Spec{
		{Patterns: []string{`ERROR`}},
		{Patterns: []string{`error`}, IgnoreCase: true},
		{Patterns: []string{`ERROR|FATAL`}},
		{Patterns: []string{`error|fatal`}, IgnoreCase: true},
		{Patterns: []string{`k`}, IgnoreCase: true},
		{Patterns: []string{`ERR(OR|NO)`}},
		{Patterns: []string{`ERROR.*timeout`}, IgnoreCase: true},
		{Patterns: []string{`(\d+) ms`}, Group: true},
		{Patterns: []string{`error`}, IgnoreCase: true, ExcludeAll: []string{`ok`, `warn`}, MaxLineLen: 40},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		var b strings.Builder
		for range rng.IntN(40) {
			for range rng.IntN(12) {
				b.WriteString(words[rng.IntN(len(words))])
			}
			b.WriteByte('\n')
		}
		if rng.IntN(2) == 0 {
			b.WriteString("tail ERROR fatal")
		}
		same(t, specs[i%len(specs)], b.String())
	}
}

func TestInvalidPatterns(t *testing.T) {
	for _, c := range []struct {
		spec Spec
		want string
	}{
		{Spec{Patterns: []string{`ERROR(`}}, `invalid pattern "ERROR(": missing closing )`},
		{Spec{Patterns: []string{`ERROR(`}, IgnoreCase: true}, `invalid pattern "ERROR(": missing closing )`},
		{Spec{Patterns: []string{`user=(?=admin)`}}, "invalid pattern \"user=(?=admin)\": invalid or unsupported Perl syntax: `(?=`"},
		{Spec{Patterns: []string{`ok`}, ExcludeAny: []string{`a{2,1}`}}, "invalid exclude pattern \"a{2,1}\": invalid repeat count: `{2,1}`"},
		{Spec{Patterns: []string{`ok`}, ExcludeAll: []string{`[z-a]`}}, "invalid exclude pattern \"[z-a]\": invalid character class range: `z-a`"},
		{Spec{Patterns: []string{`ok`}, ExcludeAny: []string{`*`}}, `invalid exclude pattern "*": missing argument to repetition operator`},
		{Spec{Patterns: []string{`ok`}, Group: true}, `pattern "ok" has no capture group`},
		{Spec{}, `no pattern`},
	} {
		_, err := Compile(c.spec)
		if err == nil || err.Error() != c.want {
			t.Errorf("%+v: error %v, want %s", c.spec, err, c.want)
		}
	}
}

func ExampleMatcher_Scan() {
	m, err := Compile(Spec{Patterns: []string{`error|fatal`}, IgnoreCase: true, ExcludeAny: []string{`expected`}})
	if err != nil {
		panic(err)
	}
	block := []byte("INFO start\nERROR disk full\nerror: expected, retrying\nFatal: out of memory\n")
	m.Scan(block, func(line, _ []byte) {
		fmt.Printf("%s\n", line)
	})
	fmt.Println(m.Prefilter())
	// Output:
	// ERROR disk full
	// Fatal: out of memory
	// exact fold "error" | fold "fatal"
}

func TestFoldNeedleFindsEveryCaseAtEveryOffset(t *testing.T) {
	for _, lit := range []string{"e", "error", "fatal", "a-b c", "timeout", "xx", "エラーe"} {
		n := newFoldNeedle(lit)
		r, size := utf8.DecodeRuneInString(lit)
		variants := []string{lit, strings.ToUpper(lit), string(unicode.ToUpper(r)) + lit[size:]}
		for _, v := range variants {
			for pad := range 20 {
				s := strings.Repeat(".", pad) + v + strings.Repeat("-", pad%9)
				if got := n.index([]byte(s)); got != pad {
					t.Fatalf("%q in %q: %d, want %d", lit, s, got, pad)
				}
			}
		}
		// Near misses: a byte that differs only in a bit other than 0x20.
		if lit == "error" {
			for _, s := range []string{"errpr", "ERRO", "eRRoS", "e@r@o", "\x05rror"} {
				if got := n.index([]byte(strings.Repeat(s, 5))); got != -1 {
					t.Fatalf("%q found in %q at %d", lit, s, got)
				}
			}
		}
	}
}
