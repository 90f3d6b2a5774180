package checkers

import (
	"fmt"
	"math"
	"strings"
)

// Perfdata is one performance value in the Nagios plugin format
//
//	'label'=value[UOM];[warn];[crit];[min];[max]
//
// UOM is one of "", "s", "ms", "us", "%", "B", "KB", "MB", "TB" or "c"
// (a continuous counter). Warn, Crit, Min and Max are optional.
type Perfdata struct {
	Label      string
	Value      float64
	UOM        string
	Warn, Crit *Range
	Min, Max   *float64
}

var validUOM = map[string]bool{"": true, "s": true, "ms": true, "us": true, "%": true, "B": true, "KB": true, "MB": true, "TB": true, "c": true}

// Validate reports an empty label or a unit the guidelines do not allow.
// Result.Render leaves out perfdata that fails it.
func (p Perfdata) Validate() error {
	if p.Label == "" {
		return fmt.Errorf("perfdata: empty label")
	}
	if !validUOM[p.UOM] {
		return fmt.Errorf("perfdata %q: unit %q is not one of s ms us %% B KB MB TB c", p.Label, p.UOM)
	}
	return nil
}

// String formats p by the Nagios guidelines: the label is quoted when it
// holds a space, quote, '=' or other special character (a quote is
// doubled, a line break becomes a space), numbers never use exponent
// notation, and trailing empty fields are dropped. A NaN or infinite
// value (a percentage of nothing) is written "U", the guidelines' "could
// not be determined"; a NaN or infinite Min or Max is left empty.
func (p Perfdata) String() string {
	var b strings.Builder
	b.WriteString(quoteLabel(p.Label))
	b.WriteByte('=')
	if isFinite(p.Value) {
		b.WriteString(FormatNumber(p.Value))
	} else {
		b.WriteByte('U')
	}
	b.WriteString(p.UOM)
	fields := []string{rangeField(p.Warn), rangeField(p.Crit), numberField(p.Min), numberField(p.Max)}
	last := len(fields)
	for last > 0 && fields[last-1] == "" {
		last--
	}
	for _, f := range fields[:last] {
		b.WriteByte(';')
		b.WriteString(f)
	}
	return b.String()
}

func quoteLabel(label string) string {
	label = lineBreaks.Replace(label) // a line break would end the status line
	if !strings.ContainsAny(label, " '=;|\"\t") {
		return label
	}
	return "'" + strings.ReplaceAll(label, "'", "''") + "'"
}

func rangeField(r *Range) string {
	if r == nil {
		return ""
	}
	return r.String()
}

func numberField(v *float64) string {
	if v == nil || !isFinite(*v) {
		return ""
	}
	return FormatNumber(*v)
}

// finiteOrNil returns v when it points to a finite number, else nil: JSON
// has no NaN or infinity.
func finiteOrNil(v *float64) *float64 {
	if v == nil || !isFinite(*v) {
		return nil
	}
	return v
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Float returns a pointer to v, for Perfdata.Min and Max.
func Float(v float64) *float64 { return &v }
