// Package checkhttp is the check-http plugin: it requests a URL and
// reports the response's status, checked against status rules, a body
// pattern, byte counts and response-time thresholds:
//
//	HTTP OK: HTTP/1.1 200 OK - 612 bytes
//	HTTP CRITICAL: 'ready' not found in the content - HTTP/1.1 200 OK - 612 bytes
//	HTTP CRITICAL: http://10.0.0.5/: no complete response within 7.5s
//
// It takes the flags of Mackerel's check-http and is built on the SDK's
// HTTP client (plugin/netclient), so that it cannot hang: the request,
// body included, gets three quarters of the run's -t, and a server that
// accepts and never answers is CRITICAL naming the URL, within -t. The OK
// message carries no timing, so that mackerel-agent does not re-send an
// unchanged OK every run; the time is in the perfdata (--format nagios).
package checkhttp
