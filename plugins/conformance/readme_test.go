package conformance

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readTestdata(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return string(b)
}

func TestGoodREADMEs(t *testing.T) {
	assert.NoError(t, CheckREADME(goodCheck, readTestdata(t, "check-file.md")))
	assert.NoError(t, CheckREADME(goodMetric, readTestdata(t, "metrics-demo.md")))
}

func TestREADMEProblems(t *testing.T) {
	good := readTestdata(t, "check-file.md")
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"missing flag", "| `--limit N` | `10` | most bytes before a warning |", "", "does not document --limit"},
		{"missing default", "| `--limit N` | `10` |", "| `--limit N` | ten |", `does not give --limit's default "10"`},
		{"flag only outside its section", "| `--limit N` | `10` | most bytes before a warning |\n", "", "does not document --limit"},
		{"missing section", "## Exit statuses", "## Statuses", `no "exit statuses" section`},
		{"sections out of order", "## What it checks", "## Checks", `no "what it checks or collects" section`},
		{"wrong title in output", "FILE OK: 3 bytes", "OK: 3 bytes", `the output example has no line "FILE STATUS: …"`},
		{"command as a string", `command = [ "/usr/local/bin/check-file", "--file", "/var/run/app.pid" ]`, `command = "check-file --file /var/run/app.pid"`, "command = [ \"…/check-file\""},
		{"metrics table for a check", "[plugin.checks.file]", "[plugin.metrics.file]", "[plugin.checks.NAME]"},
		{"no UNKNOWN code", "| 3 | UNKNOWN |", "| | UNKNOWN |", "does not give exit code 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(good, tc.old, tc.new, 1)
			require.NotEqual(t, good, text)
			if tc.name == "flag only outside its section" {
				text += "\nSee also `--limit` (default 10).\n"
			}
			assertProblem(t, CheckREADME(goodCheck, text), tc.want)
		})
	}
}

func TestHeadingsInCodeBlocksAreNotSections(t *testing.T) {
	text := "## What it checks\n```\n## Flags\n--file --limit 10\n```\n"
	err := CheckREADME(goodCheck, text)
	assertProblem(t, err, `no "flags" section`)
}
