package plugin

// BuildVersion returns the version that --version prints: Version when
// the build set it, else the module version recorded by
// "go install …@version", else "devel". Programs built around plugins,
// such as the multi-call binary, print it for themselves.
func BuildVersion() string { return version() }
