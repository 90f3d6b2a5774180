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

func ExampleStatusMap() {
	// As check-http's -s: codes to statuses, the first rule that covers
	// a code wins.
	codes, err := checkers.ParseStatusMap("404=ok,500-599=critical")
	if err != nil {
		panic(err)
	}
	fmt.Println(codes.Code(404))
	fmt.Println(codes.Code(503))
	fmt.Println(codes.Code(200))

	// As check-tcp's --status-as: one status turned into another.
	as, _ := checkers.ParseStatusMap("warning=critical")
	res := checkers.NewResult(checkers.Warning, "slow answer")
	as.ApplyResult(res)
	res.Render(os.Stdout, "TCP", checkers.FormatMackerel)
	// Output:
	// OK true
	// CRITICAL true
	// UNKNOWN false
	// TCP CRITICAL: slow answer
	// status WARNING mapped to CRITICAL
}

func ExampleResult_SubsSummary() {
	res := checkers.NewResult(checkers.OK, "")
	for _, host := range []string{"web1", "web2", "web3"} {
		sub := checkers.NewResult(checkers.OK, "%s answered", host)
		if host == "web2" {
			sub = checkers.NewResult(checkers.Critical, "%s refused the connection", host)
		}
		sub.Name = host
		sub.AddPerfdata(checkers.Perfdata{Label: "time", Value: 0.25, UOM: "s"})
		res.Add(sub)
	}
	res.Summary = fmt.Sprintf("%d hosts: %s", len(res.Subs), res.SubsSummary())
	res.Render(os.Stdout, "WEB", checkers.FormatNagios)
	// Output:
	// WEB CRITICAL: 3 hosts: 1 CRITICAL, 2 OK | web1_time=0.25s web2_time=0.25s web3_time=0.25s
	// OK: web1 answered
	// CRITICAL: web2 refused the connection
	// OK: web3 answered
}
