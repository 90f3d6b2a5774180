// Package netclient is how teko plugins talk to a service over the
// network: an HTTP client (HTTP) and a dialler for TCP and unix sockets
// (Dialer), both bounded by the run's deadline, plus the helpers every
// network plugin needs (TLS flags, host and port joining, service-name
// ports, --connect-to, proxies, password masking).
//
// # The budget rule: every call ends before the run does
//
// The runtime gives a run a deadline (-t/--timeout, 10 s by default).
// When it passes, the runtime can only say "timed out after 10s": it
// does not know what the plugin was waiting for. So a network call takes
// at most three quarters of the time left (Share): if the service hangs,
// the call fails first, with a *TimeoutError ("no answer within 7.5s")
// wrapped in an error that names the target, and the plugin still has a
// quarter of its time to report it. Each client's Timeout caps this
// further; zero means DefaultTimeout.
//
// A check that probes several things (several hosts, or connect, send and
// read as separate steps it wants to time apart) splits its time with a
// Budget: each probe gets what is left divided by the probes still to
// run, so a first probe that hangs does not starve the others.
//
// # A timeout is the service's failure: CRITICAL, not UNKNOWN
//
// An error returned from Check is UNKNOWN: "the plugin could not
// decide". A service that accepts a connection and never answers has
// decided for it — it is down. So a check reports every error of a call
// to the service as a result, with Failed (CRITICAL, the error as the
// summary), and returns errors only for its own failures (a CA file that
// cannot be read). IsTimeout tells a hung service apart, for a check
// that maps it differently. A metric plugin has no status to give: it
// returns the error from Collect, and the runtime prints it, naming the
// target, on stderr (no value is printed).
//
//	resp, err := client.Get(ctx, o.URL)
//	if err != nil {
//		return netclient.Failed(err), nil // refused, reset, TLS, or hung: CRITICAL
//	}
//
// # HTTP
//
// The zero HTTP is ready: proxies from the environment, User-Agent
// "teko/<version>", at most DefaultMaxBody bytes of a body read (the
// rest is left unread and Response.Truncated says so, so a body that
// never ends cannot exhaust memory), DefaultMaxRedirects redirects, no
// connection kept between calls. Fields add a unix socket (Socket),
// TLS settings, an explicit proxy (ParseProxy), --connect-to rules
// (ParseConnectTo), a source address and headers ("Host" sets the
// virtual host). A response with any status is returned, not an error;
// Response.Errorf makes an error about it that names the page the same
// way the client's own errors do. A request that fails through a proxy
// (the environment's or Proxy) says "through proxy URL: …", so that a
// proxy that hangs is not taken for the service being down.
//
// # TCP and unix sockets
//
// Dialer.Dial returns a *Conn whose whole conversation (connect, TLS
// handshake, reads, writes) shares one deadline from the budget rule.
// Conn.ReadUntil reads an answer that arrives in several writes until a
// test says it is complete. JoinHostPort joins a host and port for it,
// IPv6 literals with or without brackets.
// A protocol client whose every call takes a context of its own
// (plugin/redisproto, plugin/memcache) bounds each request and answer
// on its connection with Exchange, and words the errors with
// ExchangeError.
//
// # Options and messages
//
// TLSOptions is an embeddable struct of the TLS flags with the Mackerel
// plugins' names (--tls-skip-verify or --no-check-certificate,
// --ca-file, --cert-file, --key-file); Port is a flag type taking a
// number or a service name ("http"). Every message this package makes
// masks the password of a URL's or proxy's user info (Redact) and the
// strings listed in HTTP.Secrets.
package netclient
