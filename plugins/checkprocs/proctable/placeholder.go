//go:build linux || windows

package proctable

// placeholderArgs is the command line of a process that has none, as ps
// shows it: "[name]". (ps on darwin and FreeBSD writes its own.)
func placeholderArgs(name string) string {
	return "[" + name + "]"
}
