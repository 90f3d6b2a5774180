package metrics

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// shape is how a full metric name maps onto a structured format: the
// literal segments of the graph definition that covers it, and the
// values of its wildcard segments as named labels.
type shape struct {
	literal  []string // the pattern's literal segments, in order
	inKey    int      // how many of literal belong to the prefix and graph key
	labels   []label  // the wildcard segments' values, in order
	help     string   // the graph's and the metric's label
	patterns string   // the pattern, for HELP
}

type label struct{ name, value string }

// pattern is one metric of one graph definition, prefix included.
type pattern struct {
	segs      []string
	keySegs   int // segments of prefix and graph key
	wildcards int
	help      string
	text      string
}

// shaper finds the shape of full names against a plugin's graphs.
type shaper struct{ patterns []pattern }

func newShaper(prefix string, g Graphs) *shaper {
	s := &shaper{}
	for _, k := range slices.Sorted(maps.Keys(g)) {
		gr := g[k]
		key := join(prefix, k)
		keySegs := strings.Count(key, ".") + 1
		for _, m := range gr.Metrics {
			text := key + "." + m.Name
			p := pattern{segs: strings.Split(text, "."), keySegs: keySegs, text: text, help: gr.Label}
			if m.Label != "" && m.Label != gr.Label {
				p.help += ": " + m.Label
			}
			for _, seg := range p.segs {
				if isWildcard(seg) {
					p.wildcards++
				}
			}
			s.patterns = append(s.patterns, p)
		}
	}
	// The most literal definition wins; among equals, the first in key
	// order.
	slices.SortStableFunc(s.patterns, func(a, b pattern) int { return a.wildcards - b.wildcards })
	return s
}

func isWildcard(seg string) bool { return seg == "#" || seg == "*" }

// of returns the shape of the full name (prefix included). A name no
// graph covers is all literal, its last segment the field.
func (s *shaper) of(name string) shape {
	segs := strings.Split(name, ".")
	for _, p := range s.patterns {
		if !matchSplit(p.segs, segs) {
			continue
		}
		sh := shape{help: p.help, patterns: p.text}
		used := map[string]bool{}
		for i, seg := range p.segs {
			if !isWildcard(seg) {
				sh.literal = append(sh.literal, seg)
				if i < p.keySegs {
					sh.inKey++
				}
				continue
			}
			prev := ""
			if i > 0 && !isWildcard(p.segs[i-1]) {
				prev = p.segs[i-1]
			}
			n := labelName(prev, used)
			used[n] = true
			sh.labels = append(sh.labels, label{n, segs[i]})
		}
		return sh
	}
	return shape{literal: segs, inKey: len(segs) - 1, help: "teko metric " + name, patterns: name}
}

func matchSplit(pattern, name []string) bool {
	if len(pattern) != len(name) {
		return false
	}
	for i := range pattern {
		if pattern[i] != name[i] && !isWildcard(pattern[i]) {
			return false
		}
	}
	return true
}

// labelName names a wildcard segment after the literal segment before
// it ("cpu" in "multicore.cpu.#.user"), made a valid label name; when
// that is empty, taken, or a name Prometheus reserves (le, quantile,
// instance, job, __…), "key", then "key2", "key3"….
func labelName(prev string, used map[string]bool) string {
	n := strings.ToLower(strings.ReplaceAll(prev, "-", "_"))
	switch {
	case n == "", n[0] >= '0' && n[0] <= '9', strings.HasPrefix(n, "__"),
		n == "le", n == "quantile", n == "instance", n == "job", used[n]:
		n = "key"
		for i := 2; used[n]; i++ {
			n = "key" + strconv.Itoa(i)
		}
	}
	return n
}
