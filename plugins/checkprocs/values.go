package checkprocs

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

// The option value types below remember whether they were given, so that
// 0 can be a real limit ("--esec-over 0") rather than "off".

// countLimit is the value of -w and -c: a count N ("over N", as in the
// old check-procs) or, when it holds ':', '@' or '~', a Nagios range on
// the count.
type countLimit struct {
	set   bool
	over  int64
	rng   checkers.Range
	isRng bool
}

// UnmarshalFlag reads a count or a Nagios range.
func (c *countLimit) UnmarshalFlag(text string) error {
	if strings.ContainsAny(text, ":@~") {
		r, err := checkers.ParseRange(text)
		if err != nil {
			return err
		}
		*c = countLimit{set: true, rng: r, isRng: true}
		return nil
	}
	n, err := parseCount(text)
	if err != nil {
		return err
	}
	*c = countLimit{set: true, over: n}
	return nil
}

// count is a non-negative whole number that remembers whether it was
// given.
type count struct {
	set bool
	n   int64
}

// UnmarshalFlag reads a non-negative whole number.
func (c *count) UnmarshalFlag(text string) error {
	n, err := parseCount(text)
	if err != nil {
		return err
	}
	*c = count{set: true, n: n}
	return nil
}

func parseCount(text string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(text), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a count (a whole number, 0 or more)", text)
	}
	return n, nil
}

// seconds is a duration given as a number of seconds ("90", "1.5", as
// the old check-procs took them) or as a Go duration ("5m", "2h30m").
// Zero means no limit, as in the old check-procs: configurations made
// from templates carry "-e 0 -E 0 -i 0 -I 0" for "not set".
type seconds struct {
	set bool
	d   time.Duration
}

// UnmarshalFlag reads seconds or a duration (plugin.ParseSeconds).
func (s *seconds) UnmarshalFlag(text string) error {
	d, err := plugin.ParseSeconds(text)
	switch {
	case errors.Is(err, plugin.ErrTooLong):
		return fmt.Errorf("%q is too long: a time of at most %d years", text, int64(math.MaxInt64/(365*24*time.Hour)))
	case err != nil:
		return fmt.Errorf("%q is not a number of seconds or a duration such as 5m", text)
	case d < 0:
		return fmt.Errorf("%q: a time cannot be negative", text)
	case d == 0:
		*s = seconds{} // not set
		return nil
	}
	*s = seconds{set: true, d: d}
	return nil
}

// nonEmpty is a string option that refuses an empty value: an empty
// --pid-file or --state, as a configuration template with an unset
// variable writes it, would otherwise drop the filter without a word and
// count every process.
type nonEmpty string

// UnmarshalFlag refuses an empty value.
func (s *nonEmpty) UnmarshalFlag(text string) error {
	if text == "" {
		return fmt.Errorf("empty value")
	}
	*s = nonEmpty(text)
	return nil
}

// percent is a share of one CPU, e.g. 50 or 150 (one and a half CPUs).
type percent struct {
	set bool
	v   float64
}

// UnmarshalFlag reads a percentage, with or without the % sign.
func (p *percent) UnmarshalFlag(text string) error {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(text), "%"), 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return fmt.Errorf("%q is not a percentage (a number, 0 or more)", text)
	}
	*p = percent{set: true, v: v}
	return nil
}

// size is a memory size in bytes. A plain number is KiB, the unit in
// which ps shows RSS and VSZ and the old check-procs took them; a unit
// may follow: B, K, M, G, T, with or without "iB" or "B", all powers of
// 1024.
type size struct {
	set   bool
	bytes uint64
}

var sizeUnits = []struct {
	suffixes []string
	factor   float64
}{
	{[]string{"TiB", "TB", "T"}, 1 << 40},
	{[]string{"GiB", "GB", "G"}, 1 << 30},
	{[]string{"MiB", "MB", "M"}, 1 << 20},
	{[]string{"KiB", "KB", "kB", "K", "k"}, 1 << 10},
	{[]string{"B"}, 1},
}

// UnmarshalFlag reads a size such as 512MiB, 2G or 10240 (KiB).
func (s *size) UnmarshalFlag(text string) error {
	num, factor := strings.TrimSpace(text), float64(1<<10)
units:
	for _, u := range sizeUnits {
		for _, suffix := range u.suffixes {
			if n, ok := strings.CutSuffix(num, suffix); ok {
				num, factor = strings.TrimSpace(n), u.factor
				break units
			}
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) || v*factor >= 1<<63 {
		return fmt.Errorf("%q is not a size (KiB, or a number with a unit: 512MiB, 2G)", text)
	}
	*s = size{set: true, bytes: uint64(v * factor)}
	return nil
}

// formatSize writes a byte count briefly: 512MiB, 1.5GiB, 300KiB.
func formatSize(b uint64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	v, i := float64(b), 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64) + units[i]
}

// formatSeconds writes a duration as seconds, or briefly when longer.
func formatSeconds(d time.Duration) string {
	if d < time.Minute {
		return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + "s"
	}
	return d.String()
}
