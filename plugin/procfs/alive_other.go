//go:build !unix

package procfs

func signalAlive(int) bool { return false }
