package logtail_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/teko-dev/teko/plugin/logtail"
)

// A check reads what was appended since its last run, keeping the State
// between runs; here the State goes through JSON as it would through a
// state file. After a rotation, the rest of the old file comes first.
func ExampleTailer_Run() {
	dir, _ := os.MkdirTemp("", "logtail-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "app.log")
	os.WriteFile(path, []byte("old line\n"), 0o644)

	var saved []byte // what a check keeps between runs
	run := func() {
		var prev *logtail.State
		if saved != nil {
			prev = new(logtail.State)
			json.Unmarshal(saved, prev)
		}
		t := &logtail.Tailer{StartAtEnd: prev == nil} // the very first run skips old lines
		next, report := t.Run(context.Background(), []string{path}, prev, func(b logtail.Block) {
			fmt.Printf("%s: %q\n", filepath.Base(b.Path), b.Lines)
		})
		for _, f := range report.Files {
			fmt.Printf("  %s %s, now at %d\n", filepath.Base(f.Path), f.Event, f.To)
		}
		saved, _ = json.Marshal(next) // only after the lines were dealt with
	}

	run()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("new line\nhalf a li")
	f.Close()
	run()
	os.Rename(path, path+".1")
	os.WriteFile(path, []byte("fresh file\n"), 0o644)
	run()
	// Output:
	//   app.log started at end, now at 9
	// app.log: "new line\n"
	//   app.log continued, now at 18
	// app.log.1: "half a li"
	// app.log: "fresh file\n"
	//   app.log.1 rotated away, now at 27
	//   app.log new, now at 11
}
