package plugin

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

	flags "github.com/jessevdk/go-flags"

	"github.com/teko-dev/teko/plugin/secret"
)

// singleDashLong rewrites "-name", "-name=value" to "--name", "--name=value"
// when name is exactly the long name of one of the parser's options, so
// that command lines written for Go's flag package keep working (see
// Plugin.SingleDashLong). go-flags itself reads "-name" as a cluster of
// short options: "-host=x" would be -h, help. Go's flag package also
// takes a value for a switch ("-tls-skip-verify=true", "=false", "=0");
// go-flags refuses one, so a switch with a value that strconv.ParseBool
// reads becomes "--name" when true and is dropped when false.
//
// It is unambiguous in practice: long names have two or more letters and
// are words, so a token that spells one exactly is never meant as short
// options ("-t5", "-hV" match no long name and are left alone). Nothing
// after "--" is touched. As in Go's flag package, an option that takes a
// value and is written without "=" takes the next word as it is, even one
// that starts with "-" (a password "-x1y"): the two words become
// "--name=value", which go-flags reads whatever the value looks like.
func singleDashLong(parser *flags.Parser, args []string) []string {
	out := make([]string, 0, len(args))
	skip := false
	for i, arg := range args {
		if skip {
			skip = false
			continue
		}
		if arg == "--" {
			return append(out, args[i:]...)
		}
		long := strings.TrimPrefix(arg, "-")
		if long == arg { // not an option
			out = append(out, arg)
			continue
		}
		long = strings.TrimPrefix(long, "-")
		name, value, hasValue := strings.Cut(long, "=")
		opt := parser.FindOptionByLongName(name)
		switch {
		case len(name) < 2 || opt == nil:
			out = append(out, arg)
		case hasValue && opt.Field().Type.Kind() == reflect.Bool:
			if on, err := strconv.ParseBool(value); err != nil {
				out = append(out, "--"+long) // go-flags refuses it, naming the flag
			} else if on {
				out = append(out, "--"+name)
			}
		case !hasValue && takesValue(opt) && i+1 < len(args):
			// Go's flag package takes the next word as the value whatever
			// it looks like ("-password -x1y"); go-flags refuses a value
			// that starts with "-" unless it is joined with "=".
			out = append(out, "--"+name+"="+args[i+1])
			skip = true
			continue
		default:
			out = append(out, "--"+long)
		}
	}
	return out
}

// takesValue reports whether opt needs a value (it is no switch and its
// value is not optional).
func takesValue(opt *flags.Option) bool {
	return opt.Field().Type.Kind() != reflect.Bool && !opt.OptionalArgument
}

// unknownSingleDash names the whole word in go-flags' "unknown flag `m'"
// when the letter came from a one-dash word that is no option
// ("-metric-key-prefx=x", a typo), as Go's flag package would: go-flags
// read the word as a cluster of short options and named only its first
// letter. args are the arguments after singleDashLong (known names
// already have two dashes).
func unknownSingleDash(args []string, err error) error {
	var ferr *flags.Error
	if !errors.As(err, &ferr) || ferr.Type != flags.ErrUnknownFlag {
		return err
	}
	letter, ok := strings.CutPrefix(ferr.Message, "unknown flag `")
	letter, ok2 := strings.CutSuffix(letter, "'")
	if !ok || !ok2 || len(letter) != 1 {
		return err
	}
	for _, arg := range args {
		if arg == "--" {
			break
		}
		if strings.HasPrefix(arg, "-"+letter) && len(arg) > 2 {
			name, _, _ := strings.Cut(arg[1:], "=")
			return &flags.Error{Type: flags.ErrUnknownFlag, Message: "unknown flag `" + name + "'"}
		}
	}
	return err
}

// helpByAccident returns the one-dash word that go-flags read as -h
// (help) followed by other letters ("-hots=db", a typo of -host) when
// nothing in args asks for help itself; "" otherwise. Go's flag package
// refuses such a word; printing the help and exiting 0 would make a
// mistyped check OK and a metric plugin silently print nothing.
func helpByAccident(args []string) string {
	word := ""
	for _, arg := range args {
		if arg == "--" {
			break
		}
		switch {
		case arg == "-h" || arg == "--help" || arg == "-help" || arg == "-?":
			return ""
		case word == "" && strings.HasPrefix(arg, "-h") && len(arg) > 2:
			word, _, _ = strings.Cut(arg[1:], "=")
		}
	}
	return word
}

// hideSecretValue keeps a password out of go-flags' "expected argument
// for flag `-P, --password', but got option `-x1y'": the word it calls an
// option is the password itself, which starts with "-". The message
// says how to give such a value instead.
func hideSecretValue(parser *flags.Parser, err error) error {
	var ferr *flags.Error
	if !errors.As(err, &ferr) || ferr.Type != flags.ErrExpectedArgument {
		return err
	}
	rest, ok := strings.CutPrefix(ferr.Message, "expected argument for flag `")
	flag, rest, ok2 := strings.Cut(rest, "'")
	if !ok || !ok2 || !strings.HasPrefix(rest, ", but got option `") {
		return err
	}
	_, long, ok := strings.Cut(flag, "--")
	if !ok {
		return err
	}
	opt := parser.FindOptionByLongName(long)
	if opt == nil || opt.Field().Type != reflect.TypeOf(secret.Value{}) {
		return err
	}
	return &flags.Error{Type: ferr.Type, Message: "expected argument for flag `" + flag + "' (a value that starts with \"-\" is written --" + long + "=VALUE)"}
}
