package checklog

import (
	"crypto/md5"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/teko-dev/teko/plugin/logtail"
)

// Taking over from Mackerel's check-log.
//
// The old check-log keeps, per log file and command line, a JSON file
// {"skip_bytes": N, "inode": I} named after the log's path and the MD5
// of the arguments joined by spaces, in --state-dir or else in the
// check-log folder of $MACKEREL_PLUGIN_WORKDIR (or the temp directory).
// On check-log's very first run, a file the old check-log was reading
// continues from where it stopped instead of from its end, so that the
// lines written between the old plugin's last run and the new one's
// first are not lost. An old position is used only when its inode is
// that of the file now (an old file rotated away since then is not
// followed: its rest is lost, as it would be without the import);
// anything unreadable is ignored and the file starts at its end. UTF-16
// files are not taken over (the old check-log's offsets in them can
// fall inside a character).

// mackerelPosition is the old check-log's state file.
type mackerelPosition struct {
	SkipBytes int64  `json:"skip_bytes"`
	Inode     uint64 `json:"inode"`
}

// drivePrefix is how the old check-log turned "C:\logs" into "C\logs".
var drivePrefix = regexp.MustCompile(`^([a-zA-Z]):[/\\]`)

// mackerelStateDir is where the old check-log kept its files.
func mackerelStateDir(stateDir string, getenv func(string) string) string {
	if stateDir != "" {
		return stateDir
	}
	work := getenv("MACKEREL_PLUGIN_WORKDIR")
	if work == "" {
		work = os.TempDir()
	}
	return filepath.Join(work, "check-log")
}

// mackerelStateFile names the old check-log's state file for the log at
// path, run with args.
func mackerelStateFile(dir, path string, args []string) string {
	sum := md5.Sum([]byte(strings.Join(args, " ")))
	name := drivePrefix.ReplaceAllString(path, "${1}"+string(filepath.Separator))
	return filepath.Join(dir, fmt.Sprintf("%s-%x.json", name, sum))
}

// importMackerel returns a position for each of paths that the old
// check-log, run with args and keeping its files in dir, was reading.
func importMackerel(dir string, args, paths []string) []logtail.Position {
	var out []logtail.Position
	for _, path := range paths {
		if p, ok := importOne(mackerelStateFile(dir, path, args), path); ok {
			out = append(out, p)
		}
	}
	return out
}

func importOne(stateFile, path string) (logtail.Position, bool) {
	b, err := os.ReadFile(stateFile)
	if err != nil || len(b) > 4096 {
		return logtail.Position{}, false
	}
	var old mackerelPosition
	if json.Unmarshal(b, &old) != nil || old.Inode == 0 || old.SkipBytes < 0 {
		return logtail.Position{}, false
	}
	f, err := os.Open(path)
	if err != nil {
		return logtail.Position{}, false
	}
	defer f.Close()
	id, err := logtail.Identify(f)
	if err != nil || id.Ino != old.Inode {
		return logtail.Position{}, false
	}
	// The old check-log counted whole lines only, so the offset is at the
	// start of a line. Should the file now be shorter (copytruncate since
	// then), the tailer reads it from its start.
	return logtail.Position{Path: path, ID: id, Offset: old.SkipBytes}, true
}
