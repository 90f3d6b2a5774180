package conformance

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/teko-dev/teko/plugin"
)

// Sections are the level-2 sections every plugin README has, in this
// order, each recognised by a word of its heading: "## What it checks",
// "## Flags", "## Output example", "## Agent configuration",
// "## Running under other agents", "## Exit statuses". More sections may
// follow them or sit between them.
var Sections = []struct {
	Name    string
	Heading *regexp.Regexp
}{
	{"what it checks or collects", regexp.MustCompile(`(?i)\bwhat\b`)},
	{"flags", regexp.MustCompile(`(?i)\b(flags|options)\b`)},
	{"output example", regexp.MustCompile(`(?i)\boutput\b`)},
	{"agent configuration example", regexp.MustCompile(`(?i)\bconfig(uration)?\b`)},
	{"running under other agents", regexp.MustCompile(`(?i)\bother agents\b`)},
	{"exit statuses", regexp.MustCompile(`(?i)\bexit\b`)},
}

// section is one "## heading" of a Markdown text and what follows it up
// to the next level-2 heading.
type section struct {
	heading string
	body    string
	code    []string // the fenced code blocks in body
}

// splitSections cuts Markdown text at its level-2 headings, ignoring
// lines inside fenced code blocks.
func splitSections(text string) []section {
	var out []section
	var cur *section
	var block []string
	fenced := false
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			if fenced && cur != nil {
				cur.code = append(cur.code, strings.Join(block, "\n"))
			}
			fenced, block = !fenced, nil
		} else if fenced {
			block = append(block, line)
		} else if strings.HasPrefix(line, "## ") {
			out = append(out, section{heading: strings.TrimSpace(line[3:])})
			cur = &out[len(out)-1]
			continue
		}
		if cur != nil {
			cur.body += line + "\n"
		}
	}
	return out
}

// CheckREADME checks the README of p, given as its text: the six
// Sections in order; in the flags section every flag of p's own options
// (as --name, or -x when it has no long name) and every non-empty
// default; an output example in p's real output format; a configuration
// example with a [plugin.checks.NAME] or [plugin.metrics.NAME] table
// whose command is an array starting with the plugin's binary; the
// configurations for other agents that checkAgents lists; an exit
// statuses section that gives the codes 0 and 3. It returns every
// problem, joined, or nil.
func CheckREADME(p *plugin.Plugin, text string) error {
	var ps problems
	found := map[string]section{}
	next := 0
	for _, s := range splitSections(text) {
		if next < len(Sections) && Sections[next].Heading.MatchString(s.heading) {
			found[Sections[next].Name] = s
			next++
		}
	}
	for _, want := range Sections[next:] {
		ps.addf("README: no %q section (level-2 headings, in the order %s)", want.Name, sectionOrder())
	}
	own, err := Flags(p)
	if err != nil {
		return fmt.Errorf("its options cannot be parsed: %w", err)
	}
	_, isMetric := p.New().(plugin.Collector)
	if s, ok := found["flags"]; ok {
		for _, f := range own {
			if !mentions(s.body, f.Spelling()) {
				ps.addf("README: the flags section does not document %s", f.Spelling())
			} else if f.Default != "" && !strings.Contains(s.body, f.Default) {
				ps.addf("README: the flags section does not give %s's default %q", f.Spelling(), f.Default)
			}
		}
	}
	if s, ok := found["output example"]; ok && !hasOutputExample(p, s, isMetric) {
		if isMetric {
			ps.addf("README: the output example has no line \"%s.NAME<TAB>VALUE<TAB>EPOCH\" in a code block", prefixOf(p))
		} else {
			ps.addf("README: the output example has no line %q in a code block", titleOf(p)+" STATUS: …")
		}
	}
	if s, ok := found["agent configuration example"]; ok {
		ps.add(checkConfigExample(p, s, isMetric))
	}
	if s, ok := found["running under other agents"]; ok {
		ps.add(checkAgents(p, s, isMetric))
	}
	if s, ok := found["exit statuses"]; ok {
		for _, code := range []string{"0", "3"} {
			if !regexp.MustCompile(`\b` + code + `\b`).MatchString(s.body) {
				ps.addf("README: the exit statuses section does not give exit code %s", code)
			}
		}
	}
	return ps.err()
}

func sectionOrder() string {
	var names []string
	for _, s := range Sections {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

func prefixOf(p *plugin.Plugin) string {
	if c, ok := p.New().(plugin.Collector); ok {
		return c.Prefix()
	}
	return ""
}

func hasOutputExample(p *plugin.Plugin, s section, isMetric bool) bool {
	valueLine := regexp.MustCompile(`^` + regexp.QuoteMeta(prefixOf(p)) + `\.\S+\s+-?[0-9.]+\s+[0-9]+$`)
	for _, block := range s.code {
		for _, line := range strings.Split(block, "\n") {
			line = strings.TrimSpace(line)
			if isMetric && valueLine.MatchString(line) {
				return true
			}
			if m := statusLine.FindStringSubmatch(line); !isMetric && m != nil && titleMatches(p, m[1]) {
				return true
			}
		}
	}
	return false
}

// commandArray matches a command given as a TOML array and captures the
// array's first two strings.
var commandArray = regexp.MustCompile(`(?m)^\s*command\s*=\s*\[\s*"([^"]*)"\s*(?:,\s*"([^"]*)")?`)

func checkConfigExample(p *plugin.Plugin, s section, isMetric bool) error {
	table := "[plugin.checks."
	if isMetric {
		table = "[plugin.metrics."
	}
	for _, block := range s.code {
		if !strings.Contains(block, table) {
			continue
		}
		m := commandArray.FindStringSubmatch(block)
		if m == nil {
			continue
		}
		if path.Base(m[1]) == p.Name || path.Base(m[1]) == "teko" && m[2] == p.Name {
			return nil
		}
	}
	return fmt.Errorf("README: the configuration example needs a code block with a %sNAME] table and command = [ \"…/%s\", … ] as an array", table, p.Name)
}

// checkAgents checks the section "Running under other agents": a link to
// docs/agents.md and, in code blocks that run p's binary with the
// runtime's flags as p spells them (--teko-format when p has a --format
// of its own), a node_exporter textfile line (--format prometheus and
// --output-file), a Telegraf [[inputs.exec]] with the data_format that
// parses it (nagios for a check, influx for a metric plugin), a Sensu
// check (type: CheckConfig) and, for a check, a Nagios or Icinga
// command with --format nagios.
func checkAgents(p *plugin.Plugin, s section, isMetric bool) error {
	var ps problems
	if !strings.Contains(s.body, "docs/agents.md") {
		ps.addf("README: the section %q does not link to docs/agents.md", "Running under other agents")
	}
	format, outputFile := formatFlag(p), runtimeFlag(p, "output-file")
	runs := func(block, format string) bool {
		return mentions(block, p.Name) && strings.Contains(block, format)
	}
	var textfile, telegraf, sensu, nagios bool
	telegrafFormat, dataFormat := format+" influx", `data_format = "influx"`
	if !isMetric {
		telegrafFormat, dataFormat = format+" nagios", `data_format = "nagios"`
	}
	for _, block := range s.code {
		textfile = textfile || runs(block, format+" prometheus") && strings.Contains(block, outputFile+" ")
		telegraf = telegraf || strings.Contains(block, "[[inputs.exec]]") && runs(block, telegrafFormat) && strings.Contains(block, dataFormat)
		sensu = sensu || strings.Contains(block, "type: CheckConfig") && mentions(block, p.Name)
		nagios = nagios || (strings.Contains(block, "define command") || strings.Contains(block, "object CheckCommand")) &&
			mentions(block, p.Name) && (strings.Contains(block, format+" nagios") || strings.Contains(block, fmt.Sprintf("%q, \"nagios\"", format)))
	}
	if !textfile {
		ps.addf("README: running under other agents: no node_exporter line running %s with %s prometheus and %s PATH in a code block", p.Name, format, outputFile)
	}
	if !telegraf {
		ps.addf("README: running under other agents: no Telegraf [[inputs.exec]] running %s with %s and %s in a code block", p.Name, telegrafFormat, dataFormat)
	}
	if !sensu {
		ps.addf("README: running under other agents: no Sensu check (type: CheckConfig) running %s in a code block", p.Name)
	}
	if !isMetric && !nagios {
		ps.addf("README: running under other agents: no Nagios \"define command\" or Icinga \"object CheckCommand\" running %s with %s nagios in a code block", p.Name, format)
	}
	return ps.err()
}
