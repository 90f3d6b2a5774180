package plugin

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrNotATime and ErrTooLong are the errors of ParseSeconds.
var (
	ErrNotATime = errors.New("not a number of seconds or a duration")
	ErrTooLong  = errors.New("too long for a time.Duration (about 292 years)")
)

// ParseSeconds reads a time as monitoring plugins take one on the command
// line: a number of seconds ("10", "1.5", as Nagios and the Mackerel
// plugins write them) or a Go duration ("90s", "5m", "1h30m"), spaces
// around it ignored. Zero and negative times are returned as they are:
// what a flag accepts is its own business. More than a time.Duration
// holds is ErrTooLong (a plain conversion would wrap around, differently
// on each architecture); NaN, and anything else that is no time,
// ErrNotATime.
func ParseSeconds(text string) (time.Duration, error) {
	text = strings.TrimSpace(text)
	if d, err := time.ParseDuration(text); err == nil {
		return d, nil
	}
	secs, err := strconv.ParseFloat(text, 64)
	nanos := secs * float64(time.Second)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange), math.IsNaN(secs):
		return 0, ErrNotATime
	case nanos >= math.MaxInt64:
		return 0, ErrTooLong
	case nanos <= math.MinInt64:
		return math.MinInt64, nil // negative, whatever its size
	}
	return time.Duration(nanos), nil
}
