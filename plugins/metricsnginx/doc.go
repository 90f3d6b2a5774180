// Package metricsnginx is the metrics-nginx plugin: it reads nginx's
// stub_status page once a run and prints what mackerel-plugin-nginx
// prints, under the same names, so existing dashboards keep working:
//
//	nginx.connections.connections   active connections            gauge
//	nginx.requests.accepts          accepted connections          per minute
//	nginx.requests.handled          handled connections           per minute
//	nginx.requests.requests         requests                      per minute
//	nginx.queue.reading             reading a request header      gauge
//	nginx.queue.writing             writing a response            gauge
//	nginx.queue.waiting             idle keep-alive connections   gauge
//
// The package has three layers, each usable on its own:
//
//   - ParseStubStatus reads a page body into a StubStatus. It knows
//     nginx's exact layout (trailing spaces and all) and Tengine's
//     variant with a fourth counter, and rejects anything else with a
//     *ParseError that names the line and what belonged there, so an
//     HTML error page or a body cut short is never read as numbers.
//   - Client fetches a page over http, https or a unix socket (Target,
//     ParseTarget), with a timeout on the whole exchange, and turns every
//     way of failing (refused, timed out, a status other than 2xx, a body
//     cut short, not stub_status) into one line that starts with the
//     page's address.
//   - Plugin wires both into the teko runtime: mackerel-plugin-nginx's
//     flags in either spelling ("-host=x" and "--host=x"), the counters
//     kept in the state store and turned into rates.
//
// # What a run prints
//
// Either every value or none. A run that cannot read the page prints
// nothing on stdout, one line on stderr, and exits 3; the agent then
// shows a gap rather than zeros. The three counters need the previous
// run's values: they are missing from the first run's output, and from
// the first run after nginx restarted (its counters start again from
// zero), rather than being printed as 0 or as a negative rate. A reload
// (nginx -s reload) keeps the counters and the rates continue.
//
// # Tests against a real nginx
//
// The tests start nginx itself (never a system service) with its own
// configuration under a temporary directory, listening on a free
// loopback port, on a TLS port and on a unix socket. They skip when no
// nginx binary is installed, unless TEKO_REQUIRE_NGINX=1 (set in CI),
// which makes that a failure.
package metricsnginx
