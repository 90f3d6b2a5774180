package checkers_test

import (
	"fmt"
	"os"

	"github.com/teko-dev/teko/checkers"
)

func ExampleParseRange() {
	r, err := checkers.ParseRange("@10:20")
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Alert(15), r.Alert(25))
	// Output: true false
}

func ExampleThresholds() {
	th := checkers.Thresholds{
		Warning:  &checkers.Range{Start: 0, End: 80},
		Critical: &checkers.Range{Start: 0, End: 95},
	}
	fmt.Println(th.Status(50), th.Status(90), th.Status(99))
	// Output: OK WARNING CRITICAL
}

func ExampleResult_Render() {
	res := checkers.NewResult(checkers.OK, "2 workers running")
	res.AddPerfdata(checkers.Perfdata{Label: "workers", Value: 2, Crit: &checkers.Range{Start: 1, End: 8}})
	res.Add(checkers.NewResult(checkers.Warning, "queue is long"))
	res.Render(os.Stdout, "WORKERS", checkers.FormatNagios)
	// Output:
	// WORKERS WARNING: 2 workers running | workers=2;;1:8
	// WARNING: queue is long
}

func ExamplePerfdata() {
	p := checkers.Perfdata{Label: "free space", Value: 0.0000125, UOM: "TB", Min: checkers.Float(0)}
	fmt.Println(p)
	// Output: 'free space'=0.0000125TB;;;0
}
