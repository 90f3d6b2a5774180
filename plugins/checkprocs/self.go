package checkprocs

import (
	"strings"

	"github.com/teko-dev/teko/plugins/checkprocs/proctable"
)

// maxAncestors bounds the walk up the process tree.
const maxAncestors = 64

// runners returns the processes that run this check, which must not be
// counted: its parent (as the old check-procs left out), and every
// ancestor up to the highest one whose command line holds this run's
// arguments — a wrapping "sh -c 'check-procs -p x'", sudo, timeout or
// env, whose command line matches the check's own pattern. An ancestor
// whose command line does not hold the arguments (the agent, a login
// shell, sshd, init) is not a runner and is counted like any process.
func runners(t *proctable.Table, self int, args []string) []int {
	var chain []int
	seen := map[int]bool{self: true}
	for pid := self; len(chain) < maxAncestors; {
		p := t.Find(pid)
		if p == nil || p.Load(proctable.PPID) != nil || p.PPID <= 0 || seen[p.PPID] {
			break // the top, or a loop (a parent's PID reused by a descendant)
		}
		pid = p.PPID
		seen[pid] = true
		chain = append(chain, pid)
	}
	top := min(len(chain), 1)
	for i, pid := range chain {
		p := t.Find(pid)
		if p != nil && p.Load(proctable.Args) == nil && holdsArgs(p.Args, args) {
			top = i + 1
		}
	}
	return chain[:top]
}

// shellQuotes are the characters a shell removes from a command line.
var shellQuotes = strings.NewReplacer(`'`, "", `"`, "", `\`, "")

// holdsArgs tells whether the command line cmdline holds every one of
// args, in order. Quotes and backslashes are ignored on both sides, as a
// shell removes them: "sh -c 'check-procs --pattern=\"a b\"'" holds
// --pattern=a b.
func holdsArgs(cmdline string, args []string) bool {
	if len(args) == 0 {
		return false
	}
	cmdline = shellQuotes.Replace(cmdline)
	for _, a := range args {
		a = shellQuotes.Replace(a)
		i := strings.Index(cmdline, a)
		if i < 0 {
			return false
		}
		cmdline = cmdline[i+len(a):]
	}
	return true
}
