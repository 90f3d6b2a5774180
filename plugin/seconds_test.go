package plugin_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/teko-dev/teko/plugin"
)

func TestParseSeconds(t *testing.T) {
	good := map[string]time.Duration{
		"10": 10 * time.Second, "1.5": 1500 * time.Millisecond, " 90s ": 90 * time.Second, "1h30m": 90 * time.Minute,
		"0": 0, "-5": -5 * time.Second, "-5m": -5 * time.Minute, "1e-400": 0, "-1e400": math.MinInt64,
	}
	for in, want := range good {
		d, err := plugin.ParseSeconds(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, d, in)
		}
	}
	for _, in := range []string{"", "soon", "NaN", "10 s", "1,5", "0x"} {
		_, err := plugin.ParseSeconds(in)
		assert.ErrorIs(t, err, plugin.ErrNotATime, in)
	}
	for _, in := range []string{"1e10", "9223372037", "inf", "+Inf", "1e400"} {
		_, err := plugin.ParseSeconds(in)
		assert.ErrorIs(t, err, plugin.ErrTooLong, in)
	}
}

// A flag type that takes a time the way plugins do, refusing negatives.
func ExampleParseSeconds() {
	for _, text := range []string{"90", "1.5", "5m", "-1", "1e10", "soon"} {
		d, err := plugin.ParseSeconds(text)
		switch {
		case err != nil:
			fmt.Printf("%s: %v\n", text, err)
		case d < 0:
			fmt.Printf("%s: must not be negative\n", text)
		default:
			fmt.Printf("%s: %v\n", text, d)
		}
	}
	// Output:
	// 90: 1m30s
	// 1.5: 1.5s
	// 5m: 5m0s
	// -1: must not be negative
	// 1e10: too long for a time.Duration (about 292 years)
	// soon: not a number of seconds or a duration
}
