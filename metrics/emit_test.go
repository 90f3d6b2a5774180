package metrics

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var epoch = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC) // 1795478400

func TestFormatValue(t *testing.T) {
	for v, want := range map[float64]string{
		42:                          "42",
		-42:                         "-42",
		0:                           "0",
		math.Copysign(0, -1):        "0",
		0.1:                         "0.1",
		1e-07:                       "0.0000001",
		1234567.5:                   "1234567.5",
		1e21:                        "1000000000000000000000",
		1 << 53:                     "9007199254740992",
		1<<53 + 2:                   "9007199254740994",
		100.0 / 3:                   "33.333333333333336",
		math.SmallestNonzeroFloat64: "0." + strings.Repeat("0", 323) + "5",
	} {
		assert.Equal(t, want, FormatValue(v), "%v", v)
	}
}

func TestWriteSortsAndFormats(t *testing.T) {
	var out bytes.Buffer
	unprintable, err := Write(&out, "nginx", []Value{
		{"requests.requests", 240},
		{"connections.connections", 12},
		{"queue.waiting", 0.0000001},
	}, epoch)
	require.NoError(t, err)
	assert.Empty(t, unprintable)
	assert.Equal(t, "nginx.connections.connections\t12\t1795478400\n"+
		"nginx.queue.waiting\t0.0000001\t1795478400\n"+
		"nginx.requests.requests\t240\t1795478400\n", out.String())
}

func TestWriteWithoutPrefix(t *testing.T) {
	var out bytes.Buffer
	_, err := Write(&out, "", []Value{{"a.b", 1}}, epoch)
	require.NoError(t, err)
	assert.Equal(t, "a.b\t1\t1795478400\n", out.String())
}

func TestWriteKeepsTheLastOfEqualNames(t *testing.T) {
	var out bytes.Buffer
	_, err := Write(&out, "p", []Value{{"b", 1}, {"a", 2}, {"b", 3}}, epoch)
	require.NoError(t, err)
	assert.Equal(t, "p.a\t2\t1795478400\np.b\t1\t1795478400\np.b\t3\t1795478400\n", out.String(),
		"given order within a name, so the agent's last-wins picks the last given")
}

func TestWriteLeavesOutNonFiniteValues(t *testing.T) {
	var out bytes.Buffer
	in := []Value{{"nan", math.NaN()}, {"inf", math.Inf(1)}, {"ok", 1}, {"minf", math.Inf(-1)}}
	unprintable, err := Write(&out, "p", in, epoch)
	require.NoError(t, err)
	assert.Equal(t, "p.ok\t1\t1795478400\n", out.String())
	names := []string{}
	for _, v := range unprintable {
		names = append(names, v.Name)
	}
	assert.Equal(t, []string{"inf", "minf", "nan"}, names, "sorted, like the printed ones")
	assert.Equal(t, "nan", in[0].Name, "the caller's slice is not reordered")
}

func TestWriteRejectsABadPrefix(t *testing.T) {
	for _, prefix := range []string{"a b", ".a", "a.", "#"} {
		var out bytes.Buffer
		_, err := Write(&out, prefix, []Value{{"x", 1}}, epoch)
		assert.ErrorContains(t, err, "metric key prefix", prefix)
		assert.Empty(t, out.String())
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestWriteReportsAWriteError(t *testing.T) {
	_, err := Write(failingWriter{}, "p", []Value{{"x", 1}}, epoch)
	assert.ErrorContains(t, err, "broken pipe")
}

// FuzzFormatValue shows that a printed value is exactly the value given:
// the text parses back to the same float64 (bit for bit, but for -0,
// printed "0"), has no exponent, and is as short as can be. Write prints
// that same text on a well-formed line, or nothing for NaN and ±Inf.
func FuzzFormatValue(f *testing.F) {
	for _, v := range []float64{0, 42, 0.1, 1e-07, 1234567.5, -2.5, 1e300, 5e-324, math.MaxFloat64, 1<<53 + 1} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		var out bytes.Buffer
		unprintable, err := Write(&out, "p", []Value{{"x", v}}, epoch)
		if err != nil {
			t.Fatal(err)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			if out.Len() != 0 || len(unprintable) != 1 {
				t.Fatalf("%v printed %q, returned %v", v, out.String(), unprintable)
			}
			return
		}
		s := FormatValue(v)
		if want := "p.x\t" + s + "\t1795478400\n"; out.String() != want {
			t.Fatalf("Write(%v) = %q, want %q", v, out.String(), want)
		}
		if strings.ContainsAny(s, "eE+") {
			t.Fatalf("FormatValue(%v) = %q has an exponent", v, s)
		}
		back, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("FormatValue(%v) = %q does not parse: %v", v, s, err)
		}
		if back != v || v != 0 && math.Float64bits(back) != math.Float64bits(v) {
			t.Fatalf("FormatValue(%v) = %q parses back to %v", v, s, back)
		}
		if got, want := significantDigits(s), significantDigits(strconv.FormatFloat(v, 'e', -1, 64)); got != want {
			t.Fatalf("FormatValue(%v) = %q: digits %s, the shortest are %s", v, s, got, want)
		}
	})
}

// significantDigits returns the digits of a decimal number without its
// sign, point, exponent, and leading and trailing zeros.
func significantDigits(s string) string {
	s, _, _ = strings.Cut(s, "e")
	s = strings.NewReplacer("-", "", ".", "").Replace(s)
	return strings.Trim(s, "0")
}

func benchValues(n int) []Value {
	values := make([]Value, n)
	for i := range values {
		values[n-1-i] = Value{fmt.Sprintf("disk.sd%d.read_bytes", i), float64(i) * 1.25}
	}
	return values
}

// BenchmarkWrite prints 10,000 values, given in reverse order.
func BenchmarkWrite(b *testing.B) {
	values := benchValues(10000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Write(io.Discard, "linux", values, epoch); err != nil {
			b.Fatal(err)
		}
	}
}
