package metricsdocker

import (
	"fmt"
	"path"
	"strings"
)

// nameFormats are the values of -name-format, as the original takes them.
var nameFormats = []string{"name", "name_id", "id", "image", "image_id", "image_name", "label"}

// sanitize makes s a metric name segment the way the original does:
// every character but ASCII letters, digits, '-' and '_' becomes "_"
// (a multi-byte character becomes one "_", as its regexp replaced it).
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// shortID is the first six characters of an ID, as the original's
// name_id and image_id formats use.
func shortID(id string) string { return id[:min(6, len(id))] }

// metricName returns the segment that stands for c in metric names, or
// a reason why c has none (no such label, an empty name).
func (o *options) metricName(c container) (string, error) {
	var n string
	switch o.NameFormat {
	case "name":
		n = c.name()
	case "name_id":
		n = fmt.Sprintf("%s_%s", c.name(), shortID(c.ID))
	case "id":
		n = c.ID
	case "image":
		n = c.Image
	case "image_id":
		n = fmt.Sprintf("%s_%s", c.Image, shortID(c.ID))
	case "image_name":
		n = fmt.Sprintf("%s_%s", c.Image, c.name())
	case "label":
		v, ok := c.Labels[o.Label]
		if !ok {
			return "", fmt.Errorf("it has no label %q", o.Label)
		}
		n = v
	}
	if n = sanitize(n); n == "" {
		return "", fmt.Errorf("its -name-format %s name is empty", o.NameFormat)
	}
	return n, nil
}

// wanted reports whether --include and --exclude let container c
// through: its name matches an --include pattern (when any is given) and
// no --exclude pattern.
func (o *options) wanted(c container) bool {
	name := c.name()
	if len(o.Include) > 0 && !matchAny(o.Include, name) {
		return false
	}
	return !matchAny(o.Exclude, name)
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// checkPatterns rejects a malformed glob before the plugin runs.
func checkPatterns(flag string, patterns []string) error {
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("%s %q: %v", flag, p, err)
		}
		if strings.Contains(p, "/") {
			return fmt.Errorf("%s %q: a container name has no slash; give the name as docker ps shows it", flag, p)
		}
	}
	return nil
}
