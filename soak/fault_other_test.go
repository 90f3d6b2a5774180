//go:build !unix

package soak

// holdLock is the stuck-run child of the Unix fault tests; there are none
// here.
func holdLock(string) int { return 1 }
