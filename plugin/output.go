package plugin

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	flags "github.com/jessevdk/go-flags"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/metrics"
)

// runtimeRenamable are the runtime's long options that give way to a
// plugin option of the same name: the runtime's is then spelled with
// "teko-" in front (metrics-accesslog's own -format makes the runtime's
// --teko-format).
var runtimeRenamable = map[string]bool{"format": true, "output-file": true, "instance": true}

// renameCollisions gives way to the plugin's own options (the group
// own) wherever a runtime option in groups has the same long name.
func renameCollisions(own *flags.Group, groups []*flags.Group) {
	taken := map[string]bool{}
	var walk func(*flags.Group)
	walk = func(g *flags.Group) {
		for _, o := range g.Options() {
			taken[o.LongName] = true
		}
		for _, sub := range g.Groups() {
			walk(sub)
		}
	}
	walk(own)
	for _, g := range groups {
		for _, o := range g.Options() {
			if runtimeRenamable[o.LongName] && taken[o.LongName] {
				o.LongName = "teko-" + o.LongName
			}
		}
	}
}

// isMeta reports whether mackerel-agent asked for graph definitions.
func (inv *Invocation) isMeta() bool { return inv.Getenv("MACKEREL_AGENT_PLUGIN_META") != "" }

// output is where a run's result goes: stdout, or the --output-file,
// written whole once the run is done.
type output struct {
	path   string
	stdout io.Writer
	buf    bytes.Buffer
}

// newOutput returns the run's output: the file at path, or stdout when
// path is empty or in a meta run (mackerel-agent reads the graph
// definitions from stdout).
func newOutput(inv *Invocation, path string) *output {
	if inv.isMeta() {
		path = ""
	}
	return &output{path: path, stdout: inv.env.Stdout}
}

// writer is what the result is written to.
func (o *output) writer() io.Writer {
	if o.path == "" {
		return o.stdout
	}
	return &o.buf
}

// finish writes the --output-file, if any.
func (o *output) finish() error {
	if o.path == "" {
		return nil
	}
	return WriteFileAtomic(o.path, o.buf.Bytes())
}

// WriteFileAtomic replaces the file at path with data so that a reader
// sees either the old file or the new one, never a part: data goes to a
// temporary file in the same directory (named ".<name>.tmp<random>", which
// node_exporter's textfile collector ignores), is synced, and is renamed
// over path. The new file gets the mode 0666 less the umask (0644 under
// umask 022), as a file the shell creates would. The error names path.
//
// A symbolic link at path is followed, not replaced: the file it points
// to is the one replaced (in that file's directory), and the link stays.
// A path that is not a regular file — a device such as /dev/null, a named
// pipe, or /dev/stdout — is written to directly, as a shell's redirection
// would, and never renamed over (which would put a regular file in place
// of the device); a named pipe without a reader is an error, not a wait.
// A directory is an error.
func WriteFileAtomic(path string, data []byte) error {
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		if fi.IsDir() {
			return fmt.Errorf("cannot write %s: is a directory", path)
		}
		return writeSpecial(path, data)
	}
	target := followLinks(path)
	if real, err := filepath.EvalSymlinks(path); err == nil {
		target = real // the kernel's reading of "..", when the file exists
	}
	dir, base := filepath.Split(target)
	if base == "" {
		return fmt.Errorf("cannot write %s: not a file name", path)
	}
	var f *os.File
	var err error
	for range 100 {
		tmp := filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(rand.Uint64(), 36))
		f, err = os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, reason(err))
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, target)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write %s: %v", path, reason(err))
	}
	return nil
}

// followLinks returns the path that symbolic links at path lead to, the
// last one possibly missing (a dangling link names the file to create).
// A path that is no link, or cannot be read, is returned as it is.
func followLinks(path string) string {
	for range 40 {
		fi, err := os.Lstat(path)
		if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
			return path
		}
		to, err := os.Readlink(path)
		if err != nil {
			return path
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(path), to)
		}
		path = to
	}
	return path
}

// writeSpecial writes data to a path that is not a regular file (a
// device, a named pipe). Opening does not block: a pipe without a reader
// fails at once.
func writeSpecial(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, reason(err))
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, reason(err))
	}
	return nil
}

// reason is the bare cause of a file error, without the temp file's name.
func reason(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}

// writeCheck writes res in the run's check format, title starting the
// text formats' status line. A meta run with
// --format metrics writes the graph definitions derived from the
// perfdata instead.
func (p *Plugin) writeCheck(w io.Writer, inv *Invocation, pr *parsed, res *checkers.Result, title string) error {
	o := checkers.Output{Format: pr.check.Format, Title: title, Check: p.Name, Instance: pr.check.Instance, Now: inv.Now()}
	if o.Format != checkers.FormatMetrics {
		return res.Write(w, o)
	}
	if res.Status != checkers.OK { // the agent logs stderr; the values alone would hide why
		inv.Warnf("%s %s: %s", o.Title, res.Status, oneLine(res.Summary))
	}
	if inv.isMeta() {
		prefix, _, graphs := res.Metrics(p.Name, title)
		return metrics.WriteMeta(w, prefix, graphs)
	}
	return res.Write(w, o)
}
