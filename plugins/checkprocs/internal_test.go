package checkprocs

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugins/checkprocs/proctable"
)

func TestHoldsArgs(t *testing.T) {
	args := []string{"-p", "nginx: worker", "--user=www data"}
	for cmdline, want := range map[string]bool{
		`sh -c check-procs -p "nginx: worker" --user="www data"`:        true,
		`sh -c 'check-procs -p '\''nginx: worker'\'' --user=www\ data'`: true,
		`sudo -u nobody check-procs -p nginx: worker --user=www data`:   true,
		`/usr/sbin/nginx -g daemon off;`:                                false,
		`sh -c check-procs --user="www data" -p "nginx: worker"`:        false, // another order: another command
		`nginx: worker process`:                                         false,
	} {
		assert.Equal(t, want, holdsArgs(cmdline, args), cmdline)
	}
	assert.False(t, holdsArgs("anything", nil), "a run without arguments has no wrapper to recognise")
}

func TestRunners(t *testing.T) {
	// agent(10) → sh -c(20) → sudo(30) → check(40); 5 is init.
	tab := &proctable.Table{Processes: []proctable.Process{
		{PID: 5, PPID: 0, Args: "/sbin/init"},
		{PID: 10, PPID: 5, Args: "/usr/bin/mackerel-agent supervise"},
		{PID: 20, PPID: 10, Args: "sh -c sudo -u app check-procs -p worker"},
		{PID: 30, PPID: 20, Args: "sudo -u app check-procs -p worker"},
		{PID: 40, PPID: 30, Args: "check-procs -p worker"},
	}}
	assert.Equal(t, []int{30, 20}, runners(tab, 40, []string{"-p", "worker"}))
	// Run by hand from a login shell: only the parent, as the old plugin.
	tab.Processes[2].Args, tab.Processes[3].Args = "-bash", "sshd: me@pts/0"
	assert.Equal(t, []int{30}, runners(tab, 40, []string{"-p", "worker"}))
	// A loop in the parents (a stale PPID reused) ends the walk.
	tab.Processes[0].PPID = 40
	assert.Equal(t, []int{30}, runners(tab, 40, []string{"-p", "worker"}))
}

func TestThresholdRanges(t *testing.T) {
	rng := func(s string) countLimit {
		var c countLimit
		require.NoError(t, c.UnmarshalFlag(s))
		return c
	}
	n := func(v int64) count { return count{set: true, n: v} }
	for _, tc := range []struct {
		over  countLimit
		under count
		want  string // "" for no range
	}{
		{countLimit{}, count{}, "1:"},
		{countLimit{}, n(0), ""},
		{rng("8"), count{}, "1:8"},
		{rng("8"), n(4), "4:8"},
		{rng("8"), n(0), "8"},
		{rng("4"), n(4), "4:4"},
		{rng("4:8"), count{}, "4:8"},
		{rng("@0:2"), count{}, "@2"},
		{rng("~:10"), count{}, "~:10"},
	} {
		r, err := thresholds("warning", "-w", "-W", tc.over, tc.under)
		require.NoError(t, err)
		if tc.want == "" {
			assert.Nil(t, r)
			continue
		}
		require.NotNil(t, r, tc.want)
		assert.Equal(t, tc.want, r.String())
	}
	_, err := thresholds("warning", "-w", "-W", rng("3"), n(5))
	assert.EqualError(t, err, "-W 5 and -w 3 leave no count that is not WARNING")
}

func TestExpectation(t *testing.T) {
	r := func(s string) *checkers.Range { v := checkers.MustParseRange(s); return &v }
	th := checkers.Thresholds{Warning: r("4:8"), Critical: r("1:")}
	assert.Equal(t, "", expectation(th, checkers.OK, 5))
	assert.Equal(t, " (expected at least 4)", expectation(th, checkers.Warning, 3))
	assert.Equal(t, " (expected at most 8)", expectation(th, checkers.Warning, 9))
	assert.Equal(t, " (expected at least 1)", expectation(th, checkers.Critical, 0))
	assert.Equal(t, " (expected outside 0 to 2)", expectation(checkers.Thresholds{Critical: r("@0:2")}, checkers.Critical, 1))
	assert.Equal(t, " (expected outside 3 or more)", expectation(checkers.Thresholds{Critical: r("@3:")}, checkers.Critical, 5))
}

func TestOptionValues(t *testing.T) {
	sizes := map[string]uint64{
		"10240": 10240 << 10, "512MiB": 512 << 20, "2G": 2 << 30, "1.5T": 3 << 39,
		"100K": 100 << 10, "100 kB": 100 << 10, "4096B": 4096, "0": 0,
	}
	for in, want := range sizes {
		var s size
		if assert.NoError(t, s.UnmarshalFlag(in), in) {
			assert.Equal(t, want, s.bytes, in)
			assert.True(t, s.set)
		}
	}
	for _, bad := range []string{"", "M", "-1", "1X", "NaN", "1e400", "10000000T"} {
		var s size
		assert.Error(t, s.UnmarshalFlag(bad), bad)
	}

	durations := map[string]time.Duration{"90": 90 * time.Second, "1.5": 1500 * time.Millisecond, "5m": 5 * time.Minute, "0": 0}
	for in, want := range durations {
		var s seconds
		if assert.NoError(t, s.UnmarshalFlag(in), in) {
			assert.Equal(t, want, s.d, in)
		}
	}
	for _, bad := range []string{"", "-1", "-5m", "soon", "Inf"} {
		var s seconds
		assert.Error(t, s.UnmarshalFlag(bad), bad)
	}
	for _, huge := range []string{"1e10", "9223372037"} { // beyond a time.Duration, not negative
		var s seconds
		assert.ErrorContains(t, s.UnmarshalFlag(huge), "is too long", huge)
	}

	var p percent
	require.NoError(t, p.UnmarshalFlag("150%"))
	assert.Equal(t, 150.0, p.v)
	assert.Error(t, p.UnmarshalFlag("NaN"))

	var c countLimit
	require.NoError(t, c.UnmarshalFlag("10:"))
	assert.True(t, c.isRng)
	assert.Equal(t, 10.0, c.rng.Start)
	assert.True(t, math.IsInf(c.rng.End, 1))
	assert.Error(t, c.UnmarshalFlag("1.5"), "a count is whole")
}

func TestFormatSize(t *testing.T) {
	for b, want := range map[uint64]string{0: "0B", 1023: "1023B", 1024: "1KiB", 3 << 29: "1.5GiB", 512 << 20: "512MiB", 5 << 50: "5120TiB"} {
		assert.Equal(t, want, formatSize(b))
	}
}

func TestNameMatchesLongNames(t *testing.T) {
	if nameLimit == 0 {
		t.Skip("names are kept whole here")
	}
	long := "a-daemon-with-a-long-name-indeed"
	kept := long[:nameLimit]
	for _, tc := range []struct {
		p    proctable.Process
		name string
		want bool
	}{
		{proctable.Process{Name: "sshd", Args: "sshd: me@pts/0"}, "sshd", true},
		{proctable.Process{Name: "sshd", Args: "/usr/sbin/sshd -D"}, "ssh", false},
		{proctable.Process{Name: kept, Args: "/opt/bin/" + long + " -f x"}, long, true},
		{proctable.Process{Name: kept, Args: "/usr/bin/python3 /opt/bin/" + long}, long, true},
		{proctable.Process{Name: kept, Args: "/usr/bin/python3 -m x /opt/bin/" + long}, long, false},
		{proctable.Process{Name: kept, Args: "/opt/bin/" + long + "-2"}, long, false},
		{proctable.Process{Name: kept, Args: "x"}, kept, true},
	} {
		got, err := nameMatches(&tc.p, tc.name)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%q named %q, args %q", tc.name, tc.p.Name, tc.p.Args)
	}
}
