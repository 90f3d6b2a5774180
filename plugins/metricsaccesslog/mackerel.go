package metricsaccesslog

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/teko-dev/teko/plugin/logtail"
)

// mackerelPosition is mackerel-plugin-accesslog's position file
// (Songmu/postailer's format).
type mackerelPosition struct {
	Inode uint64 `json:"inode"`
	Pos   int64  `json:"pos"`
}

var drive = regexp.MustCompile(`^([a-zA-Z]):[/\\]`)

// mackerelPosfile returns where mackerel-plugin-accesslog kept its
// position for log (as written on its command line): -posfile when
// absolute, else under $MACKEREL_PLUGIN_WORKDIR (or the temp directory)
// in mackerel-plugin-accesslog.d, named after -posfile or the log path
// with ".pos.json" added.
func mackerelPosfile(log, posfile, workdir string) string {
	base := log + ".pos.json"
	if posfile != "" {
		if filepath.IsAbs(posfile) {
			return posfile
		}
		base = posfile
	}
	if workdir == "" {
		workdir = os.TempDir()
	}
	return filepath.Join(workdir, "mackerel-plugin-accesslog.d", drive.ReplaceAllString(base, `$1`+string(filepath.Separator)))
}

// importMackerel takes over the position mackerel-plugin-accesslog left
// for path, so that switching to teko neither skips nor repeats requests:
// only when the position file is fresh (the old plugin ran less than
// MaxAge ago), names the file now at path (same inode), and points at a
// line start within it. Otherwise it returns false and the run starts at
// the end, as a first run does.
func importMackerel(posfile, path string, now time.Time) (*logtail.State, bool) {
	fi, err := os.Stat(posfile)
	if err != nil || fi.Size() > 4096 || now.Sub(fi.ModTime()) > MaxAge || fi.ModTime().After(now.Add(time.Minute)) {
		return nil, false
	}
	b, err := os.ReadFile(posfile)
	if err != nil {
		return nil, false
	}
	var old mackerelPosition
	if json.Unmarshal(b, &old) != nil || old.Inode == 0 || old.Pos < 0 {
		return nil, false
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	id, err := logtail.Identify(f)
	if err != nil || id.Ino != old.Inode {
		return nil, false
	}
	if old.Pos > 0 {
		// The old plugin also consumed an unfinished last line; take over
		// only a position at a line start.
		var c [1]byte
		if _, err := f.ReadAt(c[:], old.Pos-1); err != nil && err != io.EOF || c[0] != '\n' {
			return nil, false
		}
	}
	return &logtail.State{Files: []logtail.Position{{Path: path, ID: id, Offset: old.Pos}}}, true
}
