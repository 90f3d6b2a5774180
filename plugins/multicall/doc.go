// Package multicall turns a list of plugins into one program that runs
// any of them, the way busybox does: the teko binary.
//
// A Program picks the plugin from its own name first, then from its first
// argument:
//
//	teko check-log -f /var/log/app.log -p ERROR   # by argument
//	check-log -f /var/log/app.log -p ERROR        # check-log is a symlink to teko
//
// The plugin then runs exactly as its single binary would, with the same
// flags, output and exit codes; only the binary on disk is shared, which
// saves space when many plugins are installed.
//
// Run with no plugin name, or with -h/--help, the program lists every
// plugin with its one-line description. No plugin name, or an unknown
// one, is a usage error: a "teko UNKNOWN: …" line on stdout and exit code
// 3, which a monitoring agent shows as UNKNOWN, never as OK.
//
// The program's main is two lines:
//
//	var teko = &multicall.Program{Name: "teko", Plugins: all.Plugins}
//
//	func main() { os.Exit(teko.Main()) }
package multicall
