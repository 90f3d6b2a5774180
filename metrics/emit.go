package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"time"
)

// FormatValue writes v as the shortest decimal text that parses back to
// the same float64, without an exponent: 42, 0.0000001, 1234567.5.
func FormatValue(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// Write prints values as "prefix.name<TAB>value<TAB>epoch" lines sorted by
// name. NaN and infinite values are not printed; each is named on notes
// (stderr) instead, as the agent would drop them anyway.
func Write(w io.Writer, notes io.Writer, prefix string, values []Value, now time.Time) error {
	sorted := append([]Value(nil), values...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Name < sorted[j].Name })
	bw := bufio.NewWriter(w)
	epoch := strconv.AppendInt(nil, now.Unix(), 10)
	var line []byte
	for _, v := range sorted {
		name := join(prefix, v.Name)
		if math.IsNaN(v.Value) || math.IsInf(v.Value, 0) {
			fmt.Fprintf(notes, "%s: value %v not printed\n", name, v.Value)
			continue
		}
		line = append(line[:0], name...)
		line = append(line, '\t')
		line = strconv.AppendFloat(line, v.Value, 'f', -1, 64)
		line = append(line, '\t')
		line = append(line, epoch...)
		line = append(line, '\n')
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}
