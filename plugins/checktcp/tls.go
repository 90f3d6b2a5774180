package checktcp

import "crypto/tls"

// defaultTLS is the configuration of --ssl without TLS options: Go's
// defaults, the certificate verified for the host name.
func defaultTLS() *tls.Config { return &tls.Config{} }
