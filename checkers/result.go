package checkers

import (
	"fmt"
	"strings"
)

// Result is the outcome of one check run.
//
// Summary is the one-line message; Details are long-output lines shown
// under it; Perfdata is rendered only in the nagios and json formats, and
// an item that fails Perfdata.Validate is left out (the plugin runtime
// notes it on stderr).
// Sub-results added with Add are shown as detail lines of their own and
// raise Status to the worst of all.
type Result struct {
	Status   Status
	Summary  string
	Details  []string
	Perfdata []Perfdata
	Subs     []*Result
	// Name names a sub-result (a target, a probe: "web1", "dns"). It
	// qualifies the sub's perfdata labels when another part of the
	// result uses the same label (the rule is in AllPerfdata). Unused on the top-level result.
	Name string
}

// NewResult returns a result with the status and a summary formatted as
// by fmt.Sprintf.
func NewResult(status Status, format string, args ...any) *Result {
	return &Result{Status: status, Summary: fmt.Sprintf(format, args...)}
}

// AddDetail appends a long-output line formatted as by fmt.Sprintf.
func (r *Result) AddDetail(format string, args ...any) {
	r.Details = append(r.Details, fmt.Sprintf(format, args...))
}

// AddPerfdata appends performance values.
func (r *Result) AddPerfdata(p ...Perfdata) {
	r.Perfdata = append(r.Perfdata, p...)
}

// Add attaches a sub-result and raises r.Status to the worst of the two
// (see Worst for the order). The sub-result's summary becomes a detail
// line "STATUS: summary", its details follow indented, and its perfdata
// is reported with r's. Adding nil does nothing.
func (r *Result) Add(sub *Result) {
	if sub == nil {
		return
	}
	r.Subs = append(r.Subs, sub)
	r.Status = Worst(r.Status, sub.Status)
}

// lines returns every long-output line of r and its sub-results, in order.
// A nil entry in Subs is skipped: rendering must not crash.
func (r *Result) lines() []string {
	out := append([]string(nil), r.Details...)
	for _, s := range r.Subs {
		if s == nil {
			continue
		}
		out = append(out, s.Status.String()+": "+s.Summary)
		for _, l := range s.lines() {
			out = append(out, "  "+l)
		}
	}
	return out
}

// allPerfdata returns AllPerfdata leaving out any item that fails
// Perfdata.Validate.
func (r *Result) allPerfdata() []Perfdata {
	var out []Perfdata
	for _, p := range r.AllPerfdata() {
		if p.Validate() == nil {
			out = append(out, p)
		}
	}
	return out
}

// AllPerfdata returns r's perfdata followed by that of its sub-results,
// in order, every label unique, as the renderers print them:
//
//   - a label used once in the whole result is kept as it is;
//   - a label used more than once is qualified by the path of the sub
//     that reports it: each sub's Name (or its 1-based position among
//     its parent's subs when it has no Name), joined by "_", then "_"
//     and the label: two subs "web1" and "web2" reporting "time" print
//     web1_time and web2_time; r's own items keep the bare label;
//   - a sub's label still used twice after that (two subs of one name)
//     gets "_2", "_3", … on its later uses; r's own items are never
//     renamed (a plugin that repeats a label of its own gets what it
//     wrote).
//
// Items failing Perfdata.Validate are included (see InvalidPerfdata).
func (r *Result) AllPerfdata() []Perfdata {
	type item struct {
		p    Perfdata
		path string
	}
	var items []item
	var walk func(*Result, string)
	walk = func(res *Result, path string) {
		for _, p := range res.Perfdata {
			items = append(items, item{p, path})
		}
		for i, s := range res.Subs {
			if s == nil {
				continue
			}
			name := s.Name
			if name == "" {
				name = fmt.Sprint(i + 1)
			}
			if path != "" {
				name = path + "_" + name
			}
			walk(s, name)
		}
	}
	walk(r, "")
	uses := map[string]int{}
	for _, it := range items {
		uses[it.p.Label]++
	}
	out := make([]Perfdata, 0, len(items))
	taken := map[string]int{}
	for _, it := range items {
		p := it.p
		if uses[p.Label] > 1 && it.path != "" && p.Label != "" {
			p.Label = it.path + "_" + p.Label
		}
		if n := taken[p.Label]; n > 0 && it.path != "" {
			taken[p.Label]++
			p.Label = fmt.Sprintf("%s_%d", p.Label, n+1)
		} else {
			taken[p.Label] = 1
		}
		out = append(out, p)
	}
	return out
}

// SubsSummary counts r's sub-results by status, worst first in the order
// of Worst, statuses with no sub left out: "1 CRITICAL, 2 OK". It returns
// "" when r has no sub-results. A check over several targets may use it
// as its summary:
//
//	res.Summary = fmt.Sprintf("%d hosts: %s", len(res.Subs), res.SubsSummary())
func (r *Result) SubsSummary() string {
	counts := map[Status]int{}
	for _, s := range r.Subs {
		if s != nil {
			counts[s.Status.normal()]++
		}
	}
	var parts []string
	for _, st := range []Status{Critical, Unknown, Warning, OK} {
		if n := counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	return strings.Join(parts, ", ")
}

// InvalidPerfdata returns why each perfdata item of r and its sub-results
// that fails Perfdata.Validate is left out of the output: a bug in the
// plugin, for it to report (the teko runtime writes it to stderr).
func (r *Result) InvalidPerfdata() []error {
	var errs []error
	r.eachPerfdata(func(p Perfdata) {
		if err := p.Validate(); err != nil {
			errs = append(errs, err)
		}
	})
	return errs
}

// eachPerfdata calls f with r's perfdata and then its sub-results', in
// order, skipping nil sub-results.
func (r *Result) eachPerfdata(f func(Perfdata)) {
	for _, p := range r.Perfdata {
		f(p)
	}
	for _, s := range r.Subs {
		if s != nil {
			s.eachPerfdata(f)
		}
	}
}
