package checkers

import "fmt"

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

// allPerfdata returns r's perfdata followed by that of its sub-results,
// leaving out any that fails Perfdata.Validate.
func (r *Result) allPerfdata() []Perfdata {
	var out []Perfdata
	r.eachPerfdata(func(p Perfdata) {
		if p.Validate() == nil {
			out = append(out, p)
		}
	})
	return out
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
