package plugin

import (
	"encoding/json"
	"math/bits"
	"sort"

	flags "github.com/jessevdk/go-flags"

	"github.com/teko-dev/teko/plugin/state"
)

// keyOptions returns the canonical "name=value" of every option of
// parser that can take part in the state key: all but --help and those
// tagged statekey:"-". The name is the long name (the short one when
// there is none); the value is the parsed value as JSON.
func keyOptions(parser *flags.Parser) map[string]string {
	out := map[string]string{}
	for _, g := range parser.Groups() {
		for _, o := range g.Options() {
			if o.Field().Tag.Get("statekey") == "-" || o.LongName == "help" {
				continue
			}
			name := o.LongName
			if name == "" {
				name = string(o.ShortName)
			}
			v, _ := json.Marshal(o.Value())
			out[name] = name + "=" + string(v)
		}
	}
	return out
}

// stateKeyOptions splits the options of a parsed command line into those
// that name the instance — whose values differ from their defaults (see
// the package doc, "State") — and the others, at their defaults. The
// defaults are what parsing an empty command line gives.
func (p *Plugin) stateKeyOptions(parser *flags.Parser) (key, atDefault []string) {
	defaults := map[string]string{}
	if _, dparser, err := p.newParser(); err == nil {
		dparser.ParseArgs(nil) // a missing required option still leaves the defaults set
		defaults = keyOptions(dparser)
	}
	for name, pair := range keyOptions(parser) {
		if defaults[name] == pair {
			atDefault = append(atDefault, pair)
		} else {
			key = append(key, pair)
		}
	}
	sort.Strings(key)
	sort.Strings(atDefault)
	return key, atDefault
}

// maxFormerOptions bounds the search for state keyed by earlier
// releases: with more options at their defaults than this, only the
// combinations leaving out at most two of them are tried.
const maxFormerOptions = 10

// formerKeys returns the keys earlier releases gave the same instance,
// most likely first. Releases up to 7888c66 hashed every option the
// binary had, defaults included (state.Key of all of them): an option
// added since then is at its default in any command line that release
// could run, so each combination of the options now at their defaults
// is tried, from "all of them" (7888c66's options are all still here)
// to leaving some out (options added since).
func formerKeys(name string, key, atDefault []string) []string {
	n := len(atDefault)
	if n == 0 {
		return nil
	}
	var out []string
	try := func(leftOut uint64) {
		pairs := append([]string(nil), key...)
		for i, p := range atDefault {
			if leftOut&(1<<i) == 0 {
				pairs = append(pairs, p)
			}
		}
		out = append(out, state.Key(name, pairs))
	}
	all := uint64(1)<<n - 1 // leaving all out is today's key
	if n <= maxFormerOptions {
		masks := make([]uint64, 0, all)
		for m := uint64(0); m < all; m++ {
			masks = append(masks, m)
		}
		sort.SliceStable(masks, func(i, j int) bool { return bits.OnesCount64(masks[i]) < bits.OnesCount64(masks[j]) })
		for _, m := range masks {
			try(m)
		}
		return out
	}
	try(0)
	for i := range min(n, 64) {
		try(1 << i)
		for j := i + 1; j < min(n, 64); j++ {
			try(1<<i | 1<<j)
		}
	}
	return out
}
