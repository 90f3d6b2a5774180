package checkers

import (
	"strings"
	"testing"

	flags "github.com/jessevdk/go-flags"
)

func TestStatusMapCodes(t *testing.T) {
	m, err := ParseStatusMap("404=ok, 500-599=critical,400-499=warning")
	if err != nil {
		t.Fatal(err)
	}
	for code, want := range map[int]Status{404: OK, 500: Critical, 599: Critical, 403: Warning, 499: Warning} {
		got, ok := m.Code(code)
		if !ok || got != want {
			t.Errorf("Code(%d) = %v, %v; want %v, true", code, got, ok, want)
		}
	}
	for _, code := range []int{200, 302, 600, 399} {
		if got, ok := m.Code(code); ok {
			t.Errorf("Code(%d) = %v, true; want no rule", code, got)
		}
	}
	if got := m.String(); got != "404=ok,500-599=critical,400-499=warning" {
		t.Errorf("String() = %q", got)
	}
}

func TestStatusMapFirstCodeRuleWins(t *testing.T) {
	m, err := ParseStatusMap("500=ok,500-599=critical")
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Code(500); got != OK {
		t.Errorf("Code(500) = %v, want OK (the first rule)", got)
	}
	if got, _ := m.Code(501); got != Critical {
		t.Errorf("Code(501) = %v, want CRITICAL", got)
	}
}

func TestStatusMapStatuses(t *testing.T) {
	m, err := ParseStatusMap("WARNING=critical,crit=ok, unknown = warn")
	if err != nil {
		t.Fatal(err)
	}
	for from, want := range map[Status]Status{Warning: Critical, Critical: OK, Unknown: Warning, OK: OK} {
		if got := m.Apply(from); got != want {
			t.Errorf("Apply(%v) = %v, want %v (rules are applied once, not chained)", from, got, want)
		}
	}
	res := NewResult(Warning, "slow")
	m.ApplyResult(res)
	if res.Status != Critical || len(res.Details) != 1 || res.Details[0] != "status WARNING mapped to CRITICAL" {
		t.Errorf("ApplyResult: %+v", res)
	}
	var zero StatusMap
	if !zero.IsZero() || zero.Apply(Warning) != Warning {
		t.Error("the zero StatusMap changes nothing")
	}
	if _, ok := zero.Code(500); ok {
		t.Error("the zero StatusMap maps no code")
	}
}

func TestStatusMapRejects(t *testing.T) {
	for text, want := range map[string]string{
		"":             "empty",
		"404":          "no '='",
		"404=fine":     `"fine" is not a status`,
		"abc=ok":       `"abc" is neither a status nor a code`,
		"599-500=ok":   "ends below its start",
		"500-x=ok":     "is not a range",
		"-5=ok":        "neither a status nor a code",
		"404=ok,,":     "no '='",
		"=critical":    "no '='",
		"warning=":     "no '='",
		"500-599-600=": "no '='",
	} {
		_, err := ParseStatusMap(text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseStatusMap(%q) = %v, want an error with %q", text, err, want)
		}
	}
}

// As a go-flags option, repeated flags and comma lists add up.
func TestStatusMapFlag(t *testing.T) {
	var opts struct {
		Status StatusMap `short:"s" long:"status"`
	}
	if _, err := flags.ParseArgs(&opts, []string{"-s", "404=ok", "--status", "500-599=warning,critical=unknown"}); err != nil {
		t.Fatal(err)
	}
	if got, _ := opts.Status.Code(404); got != OK {
		t.Errorf("404 -> %v", got)
	}
	if got, _ := opts.Status.Code(503); got != Warning {
		t.Errorf("503 -> %v", got)
	}
	if got := opts.Status.Apply(Critical); got != Unknown {
		t.Errorf("CRITICAL -> %v", got)
	}
	_, err := flags.ParseArgs(&opts, []string{"-s", "404=nope"})
	if err == nil || !strings.Contains(err.Error(), `"nope" is not a status`) {
		t.Errorf("bad flag: %v", err)
	}
}
