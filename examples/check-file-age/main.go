// Command check-file-age is the smallest real check plugin written with
// teko: it alerts when a file has not been modified for too long (a
// backup that stopped, a heartbeat file nobody touches any more).
//
//	check-file-age -f /var/backups/last.tar -w 86400 -c 172800
//
// -w and -c take Nagios ranges of seconds, so "-c 3600:" also works (alert
// when the file is younger than an hour).
//
// This is the SDK's teaching example. The official check-file-age, a
// drop-in for Mackerel's with its flags (-w/-c in seconds, -W/-C sizes,
// -i), is plugins/checkfileage.
package main

import (
	"context"
	"os"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
)

type options struct {
	File     string          `short:"f" long:"file" required:"true" value-name:"PATH" description:"file to check"`
	Warning  *checkers.Range `short:"w" long:"warning" value-name:"RANGE" statekey:"-" description:"warning range for the age in seconds (Nagios syntax)"`
	Critical *checkers.Range `short:"c" long:"critical" value-name:"RANGE" statekey:"-" description:"critical range for the age in seconds (Nagios syntax)"`
}

func (o *options) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	fi, err := os.Stat(o.File)
	if err != nil {
		return nil, err // the runtime reports UNKNOWN with the reason
	}
	age := inv.Now().Sub(fi.ModTime()).Seconds()
	status := checkers.Thresholds{Warning: o.Warning, Critical: o.Critical}.Status(age)
	res := checkers.NewResult(status, "%s was modified %.0f seconds ago", o.File, age)
	res.AddPerfdata(checkers.Perfdata{Label: "age", Value: age, UOM: "s", Warn: o.Warning, Crit: o.Critical})
	return res, nil
}

var fileAge = &plugin.Plugin{
	Name:        "check-file-age",
	Title:       "FILE AGE",
	Description: "alert when a file was last modified too long ago",
	New:         func() any { return &options{} },
}

func main() { plugin.Main(fileAge) }
