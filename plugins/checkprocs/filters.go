package checkprocs

import (
	"errors"
	"fmt"
	"os/exec"
	"os/user"
	"regexp"
	"runtime"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/plugins/checkprocs/proctable"
)

// bound is one side of a resource filter: "over" or "under" a value.
type bound struct {
	flag  string
	set   bool
	value float64
}

// addRange adds the filters of an over/under pair on one fact, after
// checking that some process can pass both.
func (m *matcher) addRange(need proctable.Fields, over, under bound, get func(*proctable.Process) float64, overPhrase, underPhrase string) error {
	if over.set && under.set && under.value <= over.value {
		return fmt.Errorf("%s and %s leave no process to count: the value must be above the one and below the other", over.flag, under.flag)
	}
	if over.set {
		v := over.value
		m.filters = append(m.filters, filter{need: need, phrase: overPhrase, keep: func(p *proctable.Process) bool { return get(p) > v }})
	}
	if under.set {
		v := under.value
		m.filters = append(m.filters, filter{need: need, phrase: underPhrase, keep: func(p *proctable.Process) bool { return get(p) < v }})
	}
	return nil
}

// addFilters adds the filters the flags ask for, the cheapest first. On
// Linux every filter but the owner and the command line reads the same
// /proc/PID/stat.
func (o *options) addFilters(m *matcher) error {
	if o.PPID.set {
		ppid := int(o.PPID.n)
		m.filters = append(m.filters, filter{need: proctable.PPID, phrase: fmt.Sprintf("with parent PID %d", ppid),
			keep: func(p *proctable.Process) bool { return p.PPID == ppid }})
	}
	if o.States != "" {
		states := string(o.States)
		for _, c := range states {
			if c > 127 || !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
				return fmt.Errorf("--state %q: a state is one letter, as in ps's STAT (R, S, D, Z, T, I, …)", states)
			}
			if err := knownState(byte(c)); err != nil {
				return fmt.Errorf("--state %q: %v", states, err)
			}
		}
		m.filters = append(m.filters, filter{need: proctable.State, phrase: "in state " + strings.Join(strings.Split(states, ""), " or "),
			keep: func(p *proctable.Process) bool { return p.State != 0 && strings.IndexByte(states, p.State) >= 0 }})
	}
	pairs := []struct {
		need                    proctable.Fields
		over, under             bound
		get                     func(*proctable.Process) float64
		overPhrase, underPhrase string
	}{
		{proctable.Times, bound{"-e/--esec-over", o.EsecOver.set, o.EsecOver.d.Seconds()}, bound{"-E/--esec-under", o.EsecUnder.set, o.EsecUnder.d.Seconds()},
			func(p *proctable.Process) float64 { return p.Elapsed.Seconds() },
			"running for more than " + formatSeconds(o.EsecOver.d), "running for less than " + formatSeconds(o.EsecUnder.d)},
		{proctable.Times, bound{"-i/--cpu-over", o.CPUOver.set, o.CPUOver.d.Seconds()}, bound{"-I/--cpu-under", o.CPUUnder.set, o.CPUUnder.d.Seconds()},
			func(p *proctable.Process) float64 { return p.CPUTime.Seconds() },
			"with more than " + formatSeconds(o.CPUOver.d) + " of CPU time", "with less than " + formatSeconds(o.CPUUnder.d) + " of CPU time"},
		{proctable.Times, bound{"--pcpu-over", o.PCPUOver.set, o.PCPUOver.v}, bound{"--pcpu-under", o.PCPUUnder.set, o.PCPUUnder.v},
			(*proctable.Process).CPUPercent,
			"using more than " + strconv.FormatFloat(o.PCPUOver.v, 'f', -1, 64) + "% CPU", "using less than " + strconv.FormatFloat(o.PCPUUnder.v, 'f', -1, 64) + "% CPU"},
		{proctable.Memory, bound{"--rss-over", o.RSSOver.set, float64(o.RSSOver.bytes)}, bound{"--rss-under", o.RSSUnder.set, float64(o.RSSUnder.bytes)},
			func(p *proctable.Process) float64 { return float64(p.RSS) },
			"with RSS over " + formatSize(o.RSSOver.bytes), "with RSS under " + formatSize(o.RSSUnder.bytes)},
		{proctable.Memory, bound{"--vsz-over", o.VSZOver.set, float64(o.VSZOver.bytes)}, bound{"--vsz-under", o.VSZUnder.set, float64(o.VSZUnder.bytes)},
			func(p *proctable.Process) float64 { return float64(p.VSZ) },
			"with VSZ over " + formatSize(o.VSZOver.bytes), "with VSZ under " + formatSize(o.VSZUnder.bytes)},
		{proctable.Threads, bound{"--threads-over", o.ThreadsOver.set, float64(o.ThreadsOver.n)}, bound{"--threads-under", o.ThreadsUnder.set, float64(o.ThreadsUnder.n)},
			func(p *proctable.Process) float64 { return float64(p.Threads) },
			fmt.Sprintf("with more than %d threads", o.ThreadsOver.n), fmt.Sprintf("with fewer than %d threads", o.ThreadsUnder.n)},
	}
	for _, pr := range pairs {
		if err := m.addRange(pr.need, pr.over, pr.under, pr.get, pr.overPhrase, pr.underPhrase); err != nil {
			return err
		}
	}
	for _, x := range o.Exclude {
		if x == "" {
			continue // "-x ''": not set, as in the old check-procs (an empty RE would leave out every process)
		}
		re, err := regexp.Compile(x)
		if err != nil {
			return fmt.Errorf("--exclude-pattern %q: %v", x, err)
		}
		m.filters = append(m.filters, filter{need: proctable.Args, phrase: "not matching /" + x + "/",
			keep: func(p *proctable.Process) bool { return !re.MatchString(p.Args) }})
	}
	return nil
}

// stateLetters are the process states each system reports, as the first
// letter of ps's STAT: Linux's from the kernel's task states (K and W,
// x lowercase, from older kernels), darwin's and FreeBSD's from their
// ps(1). A letter outside them would match no process, without a word:
// "-s z" for zombies would stay OK forever.
var stateLetters = map[string]string{
	"linux":   "RSDTtXxZPIKW",
	"darwin":  "IRSTUZ",
	"freebsd": "DILRSTWZ",
}[runtime.GOOS]

// knownState returns an error for a state letter the system does not
// report. Where the letters are not known, every letter is accepted.
func knownState(c byte) error {
	if stateLetters == "" || strings.IndexByte(stateLetters, c) >= 0 {
		return nil
	}
	hint := ""
	if upper := c &^ 0x20; upper != c && strings.IndexByte(stateLetters, upper) >= 0 {
		hint = fmt.Sprintf("; did you mean %c?", upper)
	}
	return fmt.Errorf("%c is not a process state on %s, which has %s%s", c, runtime.GOOS, strings.Join(strings.Split(stateLetters, ""), " "), hint)
}

// addUserFilters adds the --user and --user-not filters. It runs at check
// time, not at validation, as it looks the users up.
func (o *options) addUserFilters(m *matcher) error {
	add := func(flag string, names []string, want bool, phrase string) error {
		if len(names) == 0 {
			return nil
		}
		ids := map[string]bool{}
		for _, n := range names {
			id, err := lookupUser(n)
			if err != nil {
				return fmt.Errorf("%s: %v", flag, err)
			}
			ids[id] = true
		}
		m.filters = append(m.filters, filter{need: proctable.UID, phrase: phrase + " " + strings.Join(names, " or "),
			keep: func(p *proctable.Process) bool { return ids[p.UID] == want }})
		return nil
	}
	if err := add("--user", o.Users, true, "owned by"); err != nil {
		return err
	}
	return add("--user-not", o.UsersNot, false, "not owned by")
}

// lookupUser returns the user ID that proctable reports for a user given
// by name or ID: a decimal uid on Unix, a SID on Windows. Names are
// looked up whole, whatever their length (ps cuts them at 8 characters).
// Without cgo, Go reads only /etc/passwd; a name it does not find there
// is asked of "getent passwd", which also knows directory users (LDAP,
// SSSD).
func lookupUser(name string) (string, error) {
	if runtime.GOOS == "windows" {
		if strings.HasPrefix(name, "S-1-") {
			return name, nil
		}
	} else if uid, err := strconv.ParseUint(name, 10, 32); err == nil {
		// As proctable writes it: "0042" is uid 42.
		return strconv.FormatUint(uid, 10), nil
	}
	u, err := user.Lookup(name)
	if err == nil {
		return u.Uid, nil
	}
	if runtime.GOOS != "windows" {
		if uid, ok := getentUID(name); ok {
			return uid, nil
		}
	}
	var unknown user.UnknownUserError
	if errors.As(err, &unknown) {
		return "", fmt.Errorf("no user named %q", name)
	}
	return "", err
}

// getentUID asks "getent passwd name" for the uid of name.
func getentUID(name string) (string, bool) {
	out, err := exec.Command("getent", "passwd", name).Output()
	if err != nil {
		return "", false
	}
	line, _, _ := strings.Cut(string(out), "\n")
	fields := strings.Split(line, ":") // name:password:uid:gid:…
	if len(fields) < 3 || fields[0] != name {
		return "", false
	}
	if _, err := strconv.ParseUint(fields[2], 10, 32); err != nil {
		return "", false
	}
	return fields[2], true
}
