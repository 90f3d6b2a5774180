//go:build !linux

package mounts

func sysStatfs(string) (Stats, error) { return Stats{}, ErrUnsupported }

// Supported reports whether Read and Stat work on this system.
const Supported = false
