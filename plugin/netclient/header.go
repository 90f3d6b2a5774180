package netclient

import (
	"fmt"
	"net/http"
	"strings"
)

// ParseHeaders reads request headers given as flags, each "Name: value"
// (check-http's -H, metrics-nginx's --header). A repeated name keeps
// every value, in order; a "Host" entry is kept as a header here and
// becomes the request's host in HTTP.Do. flag names the option in
// errors ("-H", "--header"). A name that is not an HTTP token, or a
// value with a control character (a line break would smuggle in another
// header), is an error: Go's client would refuse it only when sending,
// as a failed run rather than a bad flag.
func ParseHeaders(flag string, values []string) (http.Header, error) {
	header := http.Header{}
	for _, f := range values {
		name, value, ok := strings.Cut(f, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || !validHeaderName(name) {
			return nil, fmt.Errorf("%s %q: want \"Name: value\"", flag, f)
		}
		if strings.ContainsFunc(value, isControl) {
			return nil, fmt.Errorf("%s %q: the value has a control character", flag, f)
		}
		header.Add(name, value)
	}
	return header, nil
}

// validHeaderName reports whether name is an HTTP header name: one or more
// of the characters RFC 9110 allows in a token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, c := range []byte(name) {
		isAlnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !isAlnum && !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

// isControl reports whether r may not appear in a header value: a control
// character other than tab.
func isControl(r rune) bool {
	return r < ' ' && r != '\t' || r == 0x7f
}
