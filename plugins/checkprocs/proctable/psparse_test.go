package proctable

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParsePSLine(t *testing.T) {
	p, err := parsePSLine("  812     1   501 Ss   01-02:03:04   0:01.50  10240 409600   7 /usr/sbin/daemon  -f  two  spaces", true)
	require.NoError(t, err)
	assert.Equal(t, 812, p.PID)
	assert.Equal(t, 1, p.PPID)
	assert.Equal(t, "501", p.UID)
	assert.Equal(t, byte('S'), p.State)
	assert.Equal(t, 26*time.Hour+3*time.Minute+4*time.Second, p.Elapsed)
	assert.Equal(t, 1500*time.Millisecond, p.CPUTime)
	assert.Equal(t, uint64(10240*1024), p.RSS)
	assert.Equal(t, uint64(409600*1024), p.VSZ)
	assert.Equal(t, 7, p.Threads)
	assert.Equal(t, "/usr/sbin/daemon  -f  two  spaces", p.Args, "only the padding before the command is dropped")
	assert.Equal(t, "/usr/sbin/daemon", p.Argv0)

	p, err = parsePSLine("1 0 0 R 00:05 125:01.00 1 2 launchd", false)
	require.NoError(t, err)
	assert.Equal(t, 125*time.Minute+time.Second, p.CPUTime, "darwin shows minutes past 59")
	assert.Equal(t, "launchd", p.Args)

	p, err = parsePSLine("  77     1     0 Z      0:01   0:00.00      0      0", false)
	require.NoError(t, err, "a process without a command line")
	assert.Equal(t, 77, p.PID)
	assert.Equal(t, "", p.Args)

	// procps' ps, for a process that started after it read the clock
	// (seen for ps itself): a wrapped negative elapsed time.
	p, err = parsePSLine(" 7165  7106     0 R 441077234-00:18:40 00:00:00  4344   8116   1 /bin/ps -axww", true)
	require.NoError(t, err)
	assert.Equal(t, time.Duration(0), p.Elapsed, "it has just started")
	assert.Equal(t, 7165, p.PID)

	for _, bad := range []string{"", "1 2 3", "x 0 0 R 00:05 0:00.00 1 2 cmd", "1 0 0 R 5 0:00.00 1 2 cmd", "1 0 0 R 00:05 0:00.00 -1 2 cmd",
		"1 0 0 R 441077234-00:x 0:00.00 1 2 cmd", "1 0 0 R 1-00:00 99999999999-0:00.00 1 2 cmd", "1 0 0 R 100-00:00:00x 0:00 1 2 cmd"} {
		_, err := parsePSLine(bad, false)
		assert.Error(t, err, "%q", bad)
	}
}

func TestParseClock(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"00:00":       0,
		"59:59":       59*time.Minute + 59*time.Second,
		"1:00:00":     time.Hour,
		"2-00:00:01":  48*time.Hour + time.Second,
		"0:00.25":     250 * time.Millisecond,
		"1-2:03:04.5": 26*time.Hour + 3*time.Minute + 4500*time.Millisecond,
	} {
		got, err := parseClock(in)
		if assert.NoError(t, err, in) {
			assert.Equal(t, want, got, in)
		}
	}
	for _, bad := range []string{"", "5", "a:b", "1:2:3:4", "x-1:00"} {
		_, err := parseClock(bad)
		assert.Error(t, err, bad)
	}
}
