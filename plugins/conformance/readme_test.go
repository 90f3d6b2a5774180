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
		{"no agents section", "## Running under other agents", "## Elsewhere", `no "running under other agents" section`},
		{"agents section after the exit statuses", "## Running under other agents", "## Other", `no "exit statuses" section (level-2 headings, in the order what it checks or collects, flags, output example, agent configuration example, running under other agents, exit statuses)`},
		{"no link to docs/agents.md", "[docs/agents.md](../../docs/agents.md)", "the docs", "does not link to docs/agents.md"},
		{"no textfile output file", "--format prometheus --output-file /var", "--format prometheus > /var", "no node_exporter line running check-file with --format prometheus and --output-file PATH"},
		{"Telegraf with the influx parser for a check", `data_format = "nagios"`, `data_format = "influx"`, `no Telegraf [[inputs.exec]] running check-file with --format nagios and data_format = "nagios"`},
		{"Telegraf running another plugin", `commands = ["/usr/local/bin/check-file --file`, `commands = ["/usr/local/bin/check-files --file`, "no Telegraf [[inputs.exec]] running check-file"},
		{"no Sensu check", "type: CheckConfig", "type: Asset", "no Sensu check (type: CheckConfig) running check-file"},
		{"no Nagios command", "define command {", "define host {", `no Nagios "define command" or Icinga "object CheckCommand" running check-file with --format nagios`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(good, tc.old, tc.new, 1)
			require.NotEqual(t, good, text)
			switch tc.name {
			case "flag only outside its section":
				text += "\nSee also `--limit` (default 10).\n"
			case "agents section after the exit statuses":
				text += "\n## Running under other agents\n\n" + good[strings.Index(good, "The formats are"):strings.Index(good, "## Exit statuses")]
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

func TestMetricAgentsSection(t *testing.T) {
	good := readTestdata(t, "metrics-demo.md")
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"Telegraf with the nagios parser", `data_format = "influx"`, `data_format = "nagios"`, `no Telegraf [[inputs.exec]] running metrics-demo with --format influx and data_format = "influx"`},
		{"Telegraf with checks' format", "metrics-demo --format influx", "metrics-demo --format nagios", "no Telegraf [[inputs.exec]] running metrics-demo with --format influx"},
		{"textfile line without prometheus", "--format prometheus", "--format graphite", "no node_exporter line running metrics-demo with --format prometheus"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			text := strings.Replace(good, tc.old, tc.new, 1)
			require.NotEqual(t, good, text)
			assertProblem(t, CheckREADME(goodMetric, text), tc.want)
		})
	}
}
