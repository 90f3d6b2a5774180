package plugin

import (
	"errors"
	"reflect"
	"strconv"
	"strings"

	flags "github.com/jessevdk/go-flags"
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
// after "--" is touched. A value is never at stake: go-flags does not take
// an argument that starts with "-" as a value unless it is joined with
// "=" ("--path=-x"), and then it is part of the same token.
func singleDashLong(parser *flags.Parser, args []string) []string {
	out := make([]string, 0, len(args))
	for i, arg := range args {
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
		default:
			out = append(out, "--"+long)
		}
	}
	return out
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
