package metrics

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestValidateName(t *testing.T) {
	for _, name := range []string{"a", "nginx.requests", "disk.sda-1.read_bytes", "A.B.9", "-._"} {
		assert.NoError(t, ValidateName(name), name)
	}
	for name, want := range map[string]string{
		"":          "empty name",
		".a":        "empty segment",
		"a.":        "empty segment",
		"a..b":      "empty segment",
		".":         "empty segment",
		"a b":       `character ' ' is not allowed`,
		"a/b":       `character '/' is not allowed`,
		"a\tb":      `character '\t' is not allowed`,
		"disk.#":    `character '#' is not allowed`,
		"disk.*":    `character '*' is not allowed`,
		"caf\u00e9": `character 'é' is not allowed`,
		"a\xffb":    `character '�' is not allowed`,
	} {
		err := ValidateName(name)
		if assert.Error(t, err, "%q", name) {
			assert.Contains(t, err.Error(), want, "%q", name)
		}
	}
}

func TestWildcardsInGraphNames(t *testing.T) {
	assert.NoError(t, validateName("disk.#.read", true))
	assert.NoError(t, validateName("*", true))
	assert.Error(t, validateName("disk.#x", true), "a wildcard is a whole segment")
	assert.Error(t, validateName("disk..#", true))
}

func TestSegment(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "_",
		"sda1":                     "sda1",
		"my-queue_2":               "my-queue_2",
		"/dev/sda1":                "_dev_sda1",
		"app.log":                  "app_log",
		"http://x:80/a?b":          "http___x_80_a_b",
		"#":                        "_",
		"*":                        "_",
		"caf\u00e9":                "caf_", // one '_' per character, not per byte
		"a\xff\xfeb":               "a__b", // one per byte of invalid UTF-8
		"with space\tand\nnewline": "with_space_and_newline",
	} {
		got := Segment(in)
		assert.Equal(t, want, got, "Segment(%q)", in)
		assert.NoError(t, ValidateName(got))
	}
}

func TestSegmentReturnsValidSegmentsUnchanged(t *testing.T) {
	s := "already_valid-1"
	assert.Equal(t, s, Segment(s))
	assert.Zero(t, testing.AllocsPerRun(100, func() { Segment(s) }), "no copy of a valid segment")
}

// FuzzValidateName checks ValidateName against a plain reading of the
// rule: split on '.', every part non-empty and made of [A-Za-z0-9_-].
func FuzzValidateName(f *testing.F) {
	for _, s := range []string{"a", "a.b", ".a", "a.", "a..b", "a b", "disk.#", "é", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		want := name != ""
		for _, seg := range strings.Split(name, ".") {
			want = want && seg != "" && strings.Trim(seg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == ""
		}
		if err := ValidateName(name); (err == nil) != want {
			t.Fatalf("ValidateName(%q) = %v, want valid=%v", name, err, want)
		}
	})
}

// FuzzSegment checks that Segment always yields one valid segment, of
// one byte per character of its input, and changes nothing valid.
func FuzzSegment(f *testing.F) {
	for _, s := range []string{"", "sda1", "/dev/sda1", "app.log", "#", "é", "\xff\xfe", "a b\tc"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Segment(s)
		if err := ValidateName(got); err != nil {
			t.Fatalf("Segment(%q) = %q: %v", s, got, err)
		}
		if strings.Contains(got, ".") {
			t.Fatalf("Segment(%q) = %q has more than one segment", s, got)
		}
		if n := max(1, utf8.RuneCountInString(s)); len(got) != n {
			t.Fatalf("Segment(%q) = %q: %d bytes, want %d", s, got, len(got), n)
		}
		if ValidateName(s) == nil && !strings.Contains(s, ".") && got != s {
			t.Fatalf("Segment(%q) = %q changed a valid segment", s, got)
		}
	})
}
