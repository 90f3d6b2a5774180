// Package servertest starts real servers (nginx, MariaDB, Redis, …) for
// tests: found on the machine, run in a fresh short temp directory on a
// free loopback port, and stopped by PID when the tests end. It is the
// one harness every plugin's tests use, so that they all read the same
// way.
//
// # Once per package
//
// A real server costs a second or more to start, so a test package
// starts each one once, on first use, and stops it in TestMain:
//
//	var redis servertest.Shared[*Redis]
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		redis.Close()
//		os.Exit(code)
//	}
//
//	func TestSomething(t *testing.T) {
//		srv := redis.Get(t, startRedis) // started by the first test that asks
//		…
//	}
//
// # Skip outside CI, fail in CI
//
// A test whose server is not installed skips, naming the Debian package
// to install, except when the environment variable TEKO_REQUIRE_SERVERS
// is 1 (CI sets it): then it fails, so that no real-server test can
// silently vanish. A server that is installed but does not start always
// fails the test.
//
// # File systems
//
// On Linux, MountTmpfs, MountExt4 (a loop-mounted image, whose source is
// a /dev/loopN device), MountSquashfs (a read-only image, as snaps are)
// and MountHung (a FUSE mount that never answers, as a dead NFS server's)
// mount a file system for one test on a temporary directory, as root, and
// unmount it when the test ends. Where mounting is refused they skip,
// naming the reason, or fail when TEKO_REQUIRE_SERVERS is 1.
//
// # Starters
//
// StartRedis (a primary, a replica with ReplicaOf, TLS with a CA of the
// test's own, ACL users through Config) and StartMemcached start the
// servers several plugin packages share; WriteTLSFiles makes a CA and a
// server certificate for any TLS server.
//
// # Servers and certificates ready to use
//
// StartNginx runs nginx with a configuration the test writes (server
// blocks on picked loopback ports, files such as certificates beside
// it); its results fit Shared.Get. Certificates for TLS tests (valid,
// expired, for the wrong host, self-signed, intermediates, client
// certificates) come from package plugin/certinfo/certtest.
//
// # A Docker engine
//
// StartDocker (Linux, root) runs a private dockerd in a temp directory —
// its own socket, data and exec roots, no bridge, no iptables rules —
// and imports an image made from the static busybox, as no registry is
// reachable in CI. Tests start containers with Docker.CLI:
//
//	d.CLI("run", "-d", "--network", "none", d.Image, "/bin/sleep", "600")
//
// # Processes
//
// Start runs a command in its own process group with its output in a
// log file; Process.Stop ends the group (SIGTERM, then SIGKILL after a
// grace period) and waits. StopPIDFile does the same for a daemon that
// forks and writes a pid file. Nothing here ever starts a system
// service.
package servertest
