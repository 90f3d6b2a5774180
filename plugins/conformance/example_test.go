package conformance_test

import (
	"context"
	"testing"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugins/conformance"
)

type uptimeOptions struct {
	Warning *checkers.Range `short:"w" long:"warning" value-name:"RANGE" description:"warning range of the uptime in seconds"`
}

func (o *uptimeOptions) Check(ctx context.Context, inv *plugin.Invocation) (*checkers.Result, error) {
	return checkers.NewResult(checkers.OK, "up"), nil
}

var uptime = &plugin.Plugin{
	Name: "check-uptime", Title: "UPTIME", Description: "how long the host has been up",
	New: func() any { return &uptimeOptions{} },
}

// A plugin's own test file needs one line to run every rule.
func TestUptimeConformance(t *testing.T) {
	conformance.Test(t, uptime)
}

func Example() {}
