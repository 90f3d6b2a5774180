package plugin

import (
	"unicode/utf8"

	"github.com/teko-dev/teko/checkers"
)

// cutMarker ends a line the runtime had to cut.
const cutMarker = "… (cut)"

// fitLine returns s (one line, without its newline) cut so that, with
// its newline, it fits checkers.MessageLimit bytes — what mackerel-agent
// keeps of a check's message — ending with cutMarker when it was cut,
// and never inside a UTF-8 sequence. Every line the runtime prints for
// the agent (a command-line error, a warning on stderr) goes through it.
func fitLine(s string) string {
	limit := checkers.MessageLimit - 1
	if len(s) <= limit {
		return s
	}
	cut := limit - len(cutMarker)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + cutMarker
}
