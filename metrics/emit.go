package metrics

import (
	"bufio"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FormatValue returns v as the agent should read it: the shortest
// decimal text that parses back to the same float64, without an
// exponent — "42", "0.0000001", "1234567.5", never "1e-07" or
// "42.000000". Negative zero is written "0". NaN and the infinities,
// which the agent drops, come out as Go spells them; Write never prints
// them.
func FormatValue(v float64) string {
	return string(appendValue(nil, v))
}

func appendValue(dst []byte, v float64) []byte {
	if v == 0 {
		return append(dst, '0') // also for -0, which would print as "-0"
	}
	return strconv.AppendFloat(dst, v, 'f', -1, 64)
}

// Write prints values the way mackerel-agent reads them, one line each:
//
//	prefix.name<TAB>value<TAB>epoch
//
// sorted by name (values with the same name keep their order, so the
// last one wins as it does in the agent), each value formatted by
// FormatValue, the epoch taken from now. An empty prefix adds nothing.
//
// NaN and infinite values are not printed, as the agent would drop them
// anyway; Write returns them so that the caller can say which were left
// out. An invalid prefix prints nothing and returns an error.
func Write(w io.Writer, prefix string, values []Value, now time.Time) (unprintable []Value, err error) {
	if err := validatePrefix(prefix); err != nil {
		return nil, err
	}
	sorted := slices.Clone(values)
	slices.SortStableFunc(sorted, func(a, b Value) int { return strings.Compare(a.Name, b.Name) })
	tail := "\t" + strconv.FormatInt(now.Unix(), 10) + "\n"
	bw := bufio.NewWriterSize(w, 32<<10)
	line := make([]byte, 0, 128)
	for _, v := range sorted {
		if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
			unprintable = append(unprintable, v)
			continue
		}
		line = line[:0]
		if prefix != "" {
			line = append(line, prefix...)
			line = append(line, '.')
		}
		line = append(line, v.Name...)
		line = append(line, '\t')
		line = appendValue(line, v.Value)
		line = append(line, tail...)
		if _, err := bw.Write(line); err != nil {
			return unprintable, err
		}
	}
	return unprintable, bw.Flush()
}
