//go:build linux

package metricsconntrack_test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/plugin"
	"github.com/teko-dev/teko/plugin/servertest"
	"github.com/teko-dev/teko/plugins/metricsconntrack"
)

const childEnv = "METRICSCONNTRACK_TEST_NETNS"

// TestMain plays a second part: inside a private network namespace
// (unshare -n), it makes connection tracking count connections, opens
// some on loopback and runs the plugin.
func TestMain(m *testing.M) {
	if n := os.Getenv(childEnv); n != "" {
		os.Exit(netnsChild(n))
	}
	os.Exit(m.Run())
}

func netnsChild(arg string) int {
	n, _ := strconv.Atoi(arg)
	fail := func(err error) int { fmt.Println("ERROR", err); return 1 }
	for _, cmd := range [][]string{
		{"ip", "link", "set", "lo", "up"},
		{"nft", "add", "table", "ip", "tekotest"},
		{"nft", "add", "chain", "ip", "tekotest", "out", "{ type filter hook output priority 0 ; }"},
		{"nft", "add", "rule", "ip", "tekotest", "out", "ct", "state", "new", "accept"},
	} {
		if out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
			return fail(fmt.Errorf("%v: %v %s", cmd, err, out))
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fail(err)
	}
	for range n {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			return fail(err)
		}
		defer c.Close()
	}
	read := func(p string) string { b, _ := os.ReadFile(p); return strings.TrimSpace(string(b)) }
	before := read("/proc/sys/net/netfilter/nf_conntrack_count")
	var out, errOut bytes.Buffer
	code := metricsconntrack.Plugin.Run(context.Background(), plugin.Env{Stdout: &out, Stderr: &errOut, Getenv: func(string) string { return "" }})
	max := read("/proc/sys/net/nf_conntrack_max") // the first namespace's only
	if max == "" {
		max = read("/proc/sys/net/netfilter/nf_conntrack_max")
	}
	fmt.Printf("BEFORE %s\nAFTER %s\nMAX %s\nCODE %d\n%s", before, read("/proc/sys/net/netfilter/nf_conntrack_count"), max, code, out.String())
	return 0
}

// In a network namespace of its own, where nothing else makes
// connections, the table holds exactly the test's connections, and the
// plugin says so.
func TestRealTableInAPrivateNamespace(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making a network namespace needs root")
	}
	servertest.Binary(t, "nftables", "nft")
	servertest.Binary(t, "util-linux", "unshare")
	servertest.Binary(t, "iproute2", "ip")
	if out, err := exec.Command("unshare", "-n", "true").CombinedOutput(); err != nil {
		t.Skipf("cannot make a network namespace here (a container without CAP_SYS_ADMIN?): %v %s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "-n", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=7")
	out, err := cmd.CombinedOutput()
	if _, statErr := os.Stat("/proc/sys/net/netfilter/nf_conntrack_count"); statErr != nil {
		// the nft rule loads nf_conntrack where modules can be loaded
		t.Skipf("no conntrack on this kernel, and it could not be loaded: %v\n%s", statErr, out)
	}
	require.NoError(t, err, string(out))
	vals := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 {
			vals[f[0]] = f[1]
		}
	}
	require.NotContains(t, vals, "ERROR", string(out))
	assert.Equal(t, "0", vals["CODE"], string(out))
	assert.Equal(t, "7", vals["BEFORE"], "seven connections, one entry each")
	assert.Equal(t, vals["BEFORE"], vals["AFTER"])
	assert.Equal(t, vals["BEFORE"], vals["conntrack.count.used"], string(out))
	max, _ := strconv.Atoi(vals["MAX"])
	assert.Equal(t, strconv.Itoa(max-7), vals["conntrack.count.free"])
}
