package proctable

// ReadPS is the darwin and FreeBSD table, run on Linux with procps' ps.
var ReadPS = readPS
