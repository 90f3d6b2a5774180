package netclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// JoinHostPort joins a host and a port into an address for Dial or a
// URL: "[::1]:80" for an IPv6 literal, whether the operator wrote it with
// brackets or not ("::1" and "[::1]" alike), "db.example:5432" for a
// name. A zone ("fe80::1%eth0") is kept.
func JoinHostPort(host string, port int) string {
	return net.JoinHostPort(trimBrackets(host), strconv.Itoa(port))
}

func trimBrackets(host string) string {
	if len(host) >= 2 && host[0] == '[' && host[len(host)-1] == ']' {
		return host[1 : len(host)-1]
	}
	return host
}

// Port is a TCP or UDP port number as a flag type: a number from 1 to
// 65535, or a service name known to the system ("http", "https",
// "smtp"; Go knows the common ones without /etc/services), as the Go
// flag-based Mackerel plugins accepted through net.Dial. Its value is
// the number; it marshals as the number, so state keys do not depend on
// the spelling.
type Port int

// ParsePort reads a port number or a service name, for network
// ("tcp" or "udp"; "" means tcp).
func ParsePort(text, network string) (int, error) {
	if network == "" {
		network = "tcp"
	}
	t := strings.TrimSpace(text)
	if n, err := strconv.Atoi(t); err == nil {
		if n < 1 || n > 65535 {
			return 0, fmt.Errorf("%q: want a port number from 1 to 65535", text)
		}
		return n, nil
	}
	if t == "" || strings.ContainsAny(t, ":/[] ") {
		return 0, fmt.Errorf("%q: want a port number from 1 to 65535 or a service name such as http", text)
	}
	n, err := net.LookupPort(network, t)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("%q: not a port number, nor a service name this system knows (want e.g. 80 or http)", text)
	}
	return n, nil
}

// UnmarshalFlag reads a number or a service name (ParsePort, tcp).
func (p *Port) UnmarshalFlag(text string) error {
	n, err := ParsePort(text, "tcp")
	if err != nil {
		return err
	}
	*p = Port(n)
	return nil
}

// MarshalFlag shows the number in --help.
func (p Port) MarshalFlag() (string, error) { return strconv.Itoa(int(p)), nil }

// Target is where an HTTP client sends its request: an http or https
// URL, and optionally a unix socket that connections go to instead of the
// URL's host and port (the URL's host is then only the Host header).
type Target struct {
	URL    *url.URL
	Socket string // path of a unix socket; empty to connect to URL's host
}

// ParseTarget reads an address in one of two forms:
//
//	http://127.0.0.1:8080/status     (or https://…)
//	unix:/run/app.sock:/status       (a unix socket, then the path)
//
// The unix form requests http://localhost/PATH over the socket. The path
// starts at the first ":/", so a socket name may contain a colon
// (unix:/run/app:edge.sock:/status); one whose directories end in a
// colon needs Target.Socket set directly.
//
// Errors quote the address with the password of its user info, if any,
// masked by Redact.
func ParseTarget(addr string) (Target, error) {
	if rest, ok := strings.CutPrefix(addr, "unix:"); ok {
		end := strings.Index(rest, ":/")
		if end <= 0 {
			return Target{}, fmt.Errorf("address %q: want unix:SOCKET:/PATH, e.g. unix:/run/nginx.sock:/nginx_status", addr)
		}
		socket, path := rest[:end], rest[end+1:]
		u, err := url.Parse("http://localhost" + path)
		if err != nil {
			return Target{}, fmt.Errorf("address %q: path: %w", addr, urlParseReason(err))
		}
		return Target{URL: u, Socket: socket}, nil
	}
	if !strings.HasPrefix(addr, "http://") && !strings.HasPrefix(addr, "https://") {
		return Target{}, fmt.Errorf("address %q: want an http:// or https:// URL, or unix:SOCKET:/PATH", Redact(addr))
	}
	u, err := ParseURL(addr)
	if err != nil {
		return Target{}, fmt.Errorf("address %w", err)
	}
	return Target{URL: u}, nil
}

// ParseURL reads an http:// or https:// URL with a host, as a plugin's
// --url flag takes it. Its errors start with the address quoted, its
// password masked (Redact), then the reason: a flag error is
// fmt.Errorf("--url %w", err). A password with a "/", "?" or "#" that is
// not percent-encoded, which url.Parse would take for the end of the
// host (and quote part of in its error), gets a reason that says so.
func ParseURL(addr string) (*url.URL, error) {
	if misplacedPassword(addr) {
		return nil, fmt.Errorf("%q: the password has a \"/\", \"?\" or \"#\": percent-encode it (%%2F, %%3F, %%23)", Redact(addr))
	}
	u, err := url.Parse(addr)
	switch {
	case err != nil:
		return nil, fmt.Errorf("%q: %w", Redact(addr), urlParseReason(err))
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("%q: want an http:// or https:// URL", Redact(addr))
	case u.Host == "":
		return nil, fmt.Errorf("%q: no host", Redact(addr))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("%q: port %s: want a port number from 1 to 65535", Redact(addr), p)
		}
	}
	return u, nil
}

// String returns the address as an operator would write it, for
// messages, with the password of its user info, if any, masked.
func (t Target) String() string {
	if t.URL == nil {
		return ""
	}
	if t.Socket == "" {
		return t.URL.Redacted()
	}
	return "unix:" + t.Socket + ":" + t.URL.RequestURI()
}

// urlParseReason drops the quoted input from url.Parse's error, which the
// caller quotes already (without its password).
func urlParseReason(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}

// Redact returns addr with the password of its user info
// ("http://user:pass@host/", "http://:pass@proxy:3128") replaced by
// "xxxxx", as url.URL.Redacted does, also for an address url.Parse does
// not accept. Everything this package prints goes through it.
func Redact(addr string) string {
	scheme, rest, ok := strings.Cut(addr, "://")
	if !ok {
		return addr
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	at := strings.LastIndex(authority, "@")
	if at < 0 {
		if at = misplacedAt(rest, authority); at < 0 {
			return addr
		}
	}
	user, _, hasPassword := strings.Cut(rest[:at], ":")
	if !hasPassword {
		return addr
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}

// misplacedAt finds, in rest (an address after its "://"), the "@" that
// ends a user info whose password holds an unencoded "/", "?" or "#"
// (which ends authority, the text before it, early): authority is then
// USER:TEXT where TEXT is not a port number, and an "@" follows. It
// returns -1 when the address does not look like that.
func misplacedAt(rest, authority string) int {
	_, after, ok := strings.Cut(authority, ":")
	if !ok || strings.HasPrefix(authority, "[") || isDigits(after) {
		return -1
	}
	at := strings.Index(rest[len(authority):], "@")
	if at < 0 {
		return -1
	}
	at += len(authority)
	host := rest[at+1:]
	if i := strings.IndexAny(host, "/?#"); i >= 0 {
		host = host[:i]
	}
	if i := strings.LastIndex(host, "@"); i >= 0 { // an "@" in the password too
		at += 1 + i
	}
	return at
}

// misplacedPassword reports whether addr has a user info whose password
// holds an unencoded "/", "?" or "#" (see misplacedAt).
func misplacedPassword(addr string) bool {
	_, rest, ok := strings.Cut(addr, "://")
	if !ok {
		return false
	}
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	return !strings.Contains(authority, "@") && misplacedAt(rest, authority) >= 0
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// MaskedURL is a string option holding an address that may carry a
// password ("http://user:pass@host/status"), for a metric plugin's --url:
//
//	URL netclient.MaskedURL `long:"url"`
//
// Options take part in the plugin's state key and are recorded in its
// state file as JSON; MaskedURL marshals with the password masked
// (Redact), so that it is never written there. Use string(o.URL) for the
// address itself.
type MaskedURL string

// MarshalJSON writes the address with its password masked.
func (u MaskedURL) MarshalJSON() ([]byte, error) { return json.Marshal(Redact(string(u))) }
