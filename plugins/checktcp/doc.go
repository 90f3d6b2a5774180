// Package checktcp is the check-tcp plugin: it connects to a TCP port
// (or a unix socket), optionally sends a string, reads the answer until
// it matches an expected pattern, sends a goodbye, and reports how long
// the exchange took:
//
//	TCP OK: 127.0.0.1 port 25 answered [220 mail.example ESMTP]
//	SMTP CRITICAL: unexpected response from ::1 port 25: "554 no service\r\n"
//
// It takes the flags of Mackerel's check-tcp (service presets, -s/-e/-q,
// -S, -U, --status-as, -W, -C) and fixes what the old one got wrong: an
// IPv6 literal works with or without brackets, an answer that arrives in
// several writes is read until the pattern matches, and the whole
// exchange is bounded by the run's -t (netclient's budget rule), so a
// server that accepts and never answers is CRITICAL naming the port,
// never a killed plugin. The OK message carries no timing; the time is
// in the perfdata.
package checktcp
