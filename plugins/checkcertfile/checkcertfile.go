// Package checkcertfile is check-cert-file: days left before the
// certificates in a file expire, a drop-in for Mackerel's check-cert-file.
// See README.md.
package checkcertfile

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/certinfo"
	"github.com/teko-dev/teko/plugin/certinfo/certtest"
)

// Plugin is check-cert-file.
var Plugin = &plugin.Plugin{
	Name:        "check-cert-file",
	Title:       "CERT Expiry",
	Description: "days left before the certificates in a file (PEM, DER, a bundle) expire",
	New:         func() any { return &options{} },
}

type options struct {
	Files    []string `short:"f" long:"file" required:"true" value-name:"PATH" description:"certificate file: PEM or DER, one certificate or a bundle, a private key beside it allowed (repeatable)"`
	Critical int64    `short:"c" long:"critical" default:"14" value-name:"DAYS" statekey:"-" description:"CRITICAL when fewer days than this are left"`
	Warning  int64    `short:"w" long:"warning" default:"30" value-name:"DAYS" statekey:"-" description:"WARNING when fewer days than this are left"`
}

// Check judges each file by the certificate in it that expires first.
func (o *options) Check(_ context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	now := inv.Now()
	if len(o.Files) == 1 {
		res, _ := o.checkFile(o.Files[0], now, "days")
		return res, nil
	}
	var subs []*checkers.Result
	worst := checkers.OK
	for _, f := range o.Files {
		r, _ := o.checkFile(f, now, f)
		r.Summary = f + ": " + r.Summary
		subs = append(subs, r)
		worst = checkers.Worst(worst, r.Status)
	}
	res := checkers.NewResult(worst, "%d files", len(o.Files))
	for _, want := range []checkers.Status{checkers.Critical, checkers.Unknown, checkers.Warning, checkers.OK} {
		for _, r := range subs {
			if r.Status == want {
				if worst != checkers.OK && want != checkers.OK {
					if res.Summary == fmt.Sprintf("%d files", len(o.Files)) {
						res.Summary = r.Summary
					} else {
						res.Summary += "; " + r.Summary
					}
				}
				res.AddDetail("%s: %s", r.Status, r.Summary)
				for _, d := range r.Details {
					res.AddDetail("  %s", d)
				}
				res.AddPerfdata(r.Perfdata...)
			}
		}
	}
	if worst == checkers.OK {
		res.Summary = fmt.Sprintf("%d files, the first expiry in %s", len(o.Files), firstExpiry(subs))
	}
	return res, nil
}

func firstExpiry(subs []*checkers.Result) string {
	best := math.Inf(1)
	for _, r := range subs {
		for _, p := range r.Perfdata {
			best = min(best, p.Value)
		}
	}
	if math.IsInf(best, 1) {
		return "?"
	}
	return fmt.Sprintf("%.0f days", best)
}

// checkFile judges one file. label names its perfdata.
func (o *options) checkFile(path string, now time.Time, label string) (*checkers.Result, int) {
	b, err := certinfo.ReadFile(path)
	if err != nil {
		// As the original: a certificate file that cannot be read or
		// holds no certificate is CRITICAL, not "could not tell".
		msg := err.Error()
		if pe, ok := err.(*os.PathError); ok {
			msg = pe.Path + ": " + pe.Err.Error()
		}
		if label != "days" { // several files: the caller names the file
			msg = strings.TrimPrefix(msg, path+": ")
		}
		return checkers.NewResult(checkers.Critical, "%s", msg), 0
	}
	c := b.Earliest()
	days := certinfo.DaysLeft(c.NotAfter, now)
	status := checkers.OK
	switch {
	case int64(days) < o.Critical || days < 0:
		status = checkers.Critical
	case int64(days) < o.Warning:
		status = checkers.Warning
	}
	var msg string
	if days < 0 {
		msg = fmt.Sprintf("expired %s ago (%s)", plural(-days, "day"), c.NotAfter.UTC().Format(time.RFC3339))
	} else {
		msg = fmt.Sprintf("%d days remaining", days)
	}
	if len(b.Certs) > 1 {
		msg += fmt.Sprintf(" (%s %s, certificate %d of %d, expires first)", certinfo.Role(c, b.Index(c), len(b.Certs)), certinfo.Name(c), b.Index(c)+1, len(b.Certs))
	}
	if now.Before(c.NotBefore) {
		status = checkers.Critical
		msg += fmt.Sprintf("; not valid before %s", c.NotBefore.UTC().Format(time.RFC3339))
	}
	for _, other := range b.Certs {
		if other != c && now.Before(other.NotBefore) {
			status = checkers.Critical
			msg += fmt.Sprintf("; %s not valid before %s", certinfo.Name(other), other.NotBefore.UTC().Format(time.RFC3339))
		}
	}
	res := checkers.NewResult(status, "%s", msg)
	res.AddDetail("%s %s: %s", filepath.Base(path), b.Format, b.Chain())
	res.AddPerfdata(checkers.Perfdata{Label: label, Value: float64(days),
		Warn: &checkers.Range{Start: float64(o.Warning), End: math.Inf(1)},
		Crit: &checkers.Range{Start: float64(o.Critical), End: math.Inf(1)}})
	return res, days
}

// ConformanceArgs writes a certificate valid from 2000 to 2100 for the
// conformance suite's sample run (whose clock is not the real one).
func (o *options) ConformanceArgs(dir string) ([]string, func(), error) {
	c, err := certtest.New(certtest.Spec{CN: "conformance.test",
		NotBefore: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)}, nil)
	if err != nil {
		return nil, nil, err
	}
	path := filepath.Join(dir, "cert.pem")
	if err := os.WriteFile(path, c.PEM(), 0o644); err != nil {
		return nil, nil, err
	}
	return []string{"-f", path}, func() {}, nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
