package metricsjvm

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/teko-dev/teko/plugin/hsperf"
)

// find returns the performance data of the JVM the flags name: the
// process in --pidfile, else the one running JVM whose jps name is
// --javaname.
func (o *options) find() (*hsperf.Data, error) {
	if o.PidFile != "" {
		return o.findByPidFile()
	}
	return o.findByName()
}

func (o *options) findByPidFile() (*hsperf.Data, error) {
	b, err := os.ReadFile(o.PidFile)
	if err != nil {
		return nil, fmt.Errorf("--pidfile: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return nil, fmt.Errorf("--pidfile %s: %q is not a process id", o.PidFile, strings.TrimSpace(string(b)))
	}
	if !alive(pid) {
		return nil, fmt.Errorf("the JVM %s from %s is not running (gone since the pid file was written); no values", strconv.Itoa(pid), o.PidFile)
	}
	f, err := hsperf.FindPID(pid)
	if err != nil {
		return nil, noFile(pid)
	}
	return read(f)
}

// read reads one file, explaining a permission error.
func read(f hsperf.File) (*hsperf.Data, error) {
	d, err := hsperf.ReadFile(f.Path)
	if errors.Is(err, fs.ErrPermission) {
		return nil, fmt.Errorf("%s: permission denied: run metrics-jvm as the JVM's user %s (or root)", f.Path, f.User)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the JVM %d exited during the run; no values", f.PID)
	}
	return d, err
}

// noFile explains why a running process has no performance data file.
func noFile(pid int) error {
	args := cmdline(pid)
	for _, a := range args {
		switch a {
		case "-XX:+PerfDisableSharedMem":
			return fmt.Errorf("process %d was started with -XX:+PerfDisableSharedMem, which keeps its performance counters private: no tool outside the JVM (jstat included) can read them; remove that flag to monitor it", pid)
		case "-XX:-UsePerfData":
			return fmt.Errorf("process %d was started with -XX:-UsePerfData, which turns its performance counters off; remove that flag to monitor it", pid)
		}
	}
	return fmt.Errorf("process %d has no performance data file %s (not a HotSpot JVM, or it runs in another mount namespace such as a container: run metrics-jvm there)", pid, hsperf.Path("<user>", pid))
}

func (o *options) findByName() (*hsperf.Data, error) {
	files, err := hsperf.Files()
	if err != nil {
		return nil, err
	}
	type match struct {
		file hsperf.File
		data *hsperf.Data
	}
	var matches []match
	var others []string
	var denied []string
	for _, f := range files {
		if !alive(f.PID) {
			continue // a file left behind by a killed JVM
		}
		d, err := hsperf.ReadFile(f.Path)
		if errors.Is(err, fs.ErrPermission) {
			denied = append(denied, f.User)
			continue
		}
		if err != nil {
			continue // exited meanwhile, or being created
		}
		name := d.MainClass()
		if name == o.JavaName {
			matches = append(matches, match{f, d})
		} else {
			others = append(others, fmt.Sprintf("%s (%d)", name, f.PID))
		}
	}
	switch len(matches) {
	case 1:
		return matches[0].data, nil
	case 0:
		msg := fmt.Sprintf("no running JVM named %q", o.JavaName)
		if len(others) > 0 {
			sort.Strings(others)
			msg += "; running: " + strings.Join(others, ", ")
		}
		if len(denied) > 0 {
			msg += fmt.Sprintf("; %d JVMs of user(s) %s could not be read: run metrics-jvm as the JVM's user", len(denied), strings.Join(uniq(denied), ", "))
		}
		for _, pid := range hiddenJVMs() {
			if mainClassOf(cmdline(pid)) == o.JavaName {
				return nil, noFile(pid)
			}
		}
		return nil, errors.New(msg + "; no values")
	}
	var pids []string
	for _, m := range matches {
		pids = append(pids, strconv.Itoa(m.file.PID))
	}
	sort.Strings(pids)
	return nil, fmt.Errorf("%d running JVMs are named %q (pids %s): give --pidfile to pick one", len(matches), o.JavaName, strings.Join(pids, ", "))
}

func uniq(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// mainClassOf returns jps's name for a java command line (the argument
// vector of the process): the first argument after the options that is
// not an option's value, or the jar after -jar.
func mainClassOf(args []string) string {
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-jar" && i+1 < len(args):
			return hsperf.MainClass(args[i+1])
		case a == "-cp" || a == "-classpath" || a == "--class-path" || a == "-p" || a == "--module-path" ||
			a == "--add-modules" || a == "--add-opens" || a == "--add-exports" || a == "-m" || a == "--module":
			if a == "-m" || a == "--module" {
				if i+1 < len(args) {
					return hsperf.MainClass(args[i+1])
				}
			}
			i++
		case strings.HasPrefix(a, "-"):
		case strings.HasSuffix(a, ".java"):
			return "Main" // the source launcher, as jps shows it
		default:
			return hsperf.MainClass(a)
		}
	}
	return ""
}
