// Package secret carries passwords from where an operator keeps them to
// the plugin, and nowhere else.
//
// A password may come from a flag (--password), from a file
// (--password-file, for secrets managers and systemd credentials) or
// from the environment variable the Mackerel original read
// (MYSQL_PASSWORD, PGPASSWORD, REDIS_PASSWORD, …). Resolve picks the first
// that is set, in that order.
//
// Value is the flag type. It prints as "" in --help and as a mask
// anywhere it is formatted, so a password cannot reach --help, a
// message, a log line or the state key by accident:
//
//	type options struct {
//		Password     secret.Value `long:"password" statekey:"-" description:"password (default: $MYSQL_PASSWORD)"`
//		PasswordFile string       `long:"password-file" statekey:"-" description:"read the password from this file's first line"`
//	}
//
//	pw, err := secret.Resolve(o.Password, o.PasswordFile, inv.Getenv, "MYSQL_PASSWORD")
//
// Messages built from a driver's error may still hold the password (some
// drivers echo a DSN): pass them through Redact.
package secret

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// Mask is what a password is replaced with wherever it is shown.
const Mask = "********"

// Value is a password given on the command line. The zero Value is
// unset. It implements go-flags' Unmarshaler and Marshaler; formatting it
// with fmt (%v, %s, %q, %#v) prints Mask, never the password.
type Value struct {
	v   string
	set bool
}

// New returns a Value holding password.
func New(password string) Value { return Value{v: password, set: true} }

// UnmarshalFlag sets the password from a flag.
func (s *Value) UnmarshalFlag(v string) error {
	s.v, s.set = v, true
	return nil
}

// MarshalFlag shows nothing: --help must not print a default password.
func (s Value) MarshalFlag() (string, error) { return "", nil }

// IsSet reports whether the flag was given (an empty password included).
func (s Value) IsSet() bool { return s.set }

// Reveal returns the password, for the one call that needs it (a driver's
// configuration). Never format its result into a message.
func (s Value) Reveal() string { return s.v }

// String returns Mask when a password is set, else "".
func (s Value) String() string {
	if !s.set {
		return ""
	}
	return Mask
}

// GoString is String, so %#v does not print the password either.
func (s Value) GoString() string { return s.String() }

// Format makes every fmt verb print String.
func (s Value) Format(f fmt.State, _ rune) { io.WriteString(f, s.String()) }

// maxFileSize bounds what Resolve reads of a password file.
const maxFileSize = 64 << 10

// Resolve returns the password: the flag's value if it was given, else
// the first line of file if file is not empty, else the first of the
// environment variables envs that is set (getenv nil means os.Getenv).
// No password at all is "", nil: many servers need none. Errors name the
// file, never its content.
func Resolve(flag Value, file string, getenv func(string) string, envs ...string) (string, error) {
	if flag.IsSet() {
		return flag.Reveal(), nil
	}
	if file != "" {
		return ReadFile(file)
	}
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, e := range envs {
		if v := getenv(e); v != "" {
			return v, nil
		}
	}
	return "", nil
}

// ReadFile returns the first line of a password file, without its line
// ending. A file with nothing on its first line is an error: an empty
// password is better given as --password ”.
func ReadFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("password file: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFileSize+1))
	if err != nil {
		return "", fmt.Errorf("password file %s: %w", path, err)
	}
	if len(b) > maxFileSize {
		return "", fmt.Errorf("password file %s: larger than %d KiB, not a password file", path, maxFileSize>>10)
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return "", fmt.Errorf("password file %s: the first line is empty", path)
	}
	return string(line), nil
}

// Redact replaces every occurrence of each non-empty secret in s with
// Mask.
func Redact(s string, secrets ...string) string {
	for _, sec := range secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, Mask)
		}
	}
	return s
}

// RedactError returns err with every secret masked in its message; nil
// stays nil. The result still unwraps to err, so errors.Is and errors.As
// keep working (only the text changes).
func RedactError(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := Redact(err.Error(), secrets...)
	if msg == err.Error() {
		return err
	}
	return &redacted{msg: msg, err: err}
}

type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
