package plugin

import (
	"strings"

	flags "github.com/jessevdk/go-flags"
)

// singleDashLong rewrites "-name", "-name=value" to "--name", "--name=value"
// when name is exactly the long name of one of the parser's options, so
// that command lines written for Go's flag package keep working (see
// Plugin.SingleDashLong). go-flags itself reads "-name" as a cluster of
// short options: "-host=x" would be -h, help.
//
// It is unambiguous in practice: long names have two or more letters and
// are words, so a token that spells one exactly is never meant as short
// options ("-t5", "-hV" match no long name and are left alone). Nothing
// after "--" is touched. A value is never at stake: go-flags does not take
// an argument that starts with "-" as a value unless it is joined with
// "=" ("--path=-x"), and then it is part of the same token.
func singleDashLong(parser *flags.Parser, args []string) []string {
	out := append([]string(nil), args...)
	for i, arg := range out {
		if arg == "--" {
			break
		}
		if !strings.HasPrefix(arg, "-") || strings.HasPrefix(arg, "--") {
			continue
		}
		name, _, _ := strings.Cut(arg[1:], "=")
		if len(name) > 1 && parser.FindOptionByLongName(name) != nil {
			out[i] = "-" + arg
		}
	}
	return out
}
