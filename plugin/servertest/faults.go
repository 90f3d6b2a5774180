package servertest

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault servers: small servers on loopback that misbehave, for the tests
// every network plugin has: whatever the server does, the run ends before
// -t with a message naming the address. Each stops when the test ends and
// closes the connections it accepted.
//
//	addr := servertest.Hang(t, "tcp") // "127.0.0.1:41234"
//	_, port, _ := net.SplitHostPort(addr)
//	r := plugintest.New(t, Plugin).Run("-H", "127.0.0.1", "-p", port, "-t", "1")
//
// The address arguments are net.Listen's; "" picks a fresh one: 127.0.0.1
// port 0 for "tcp" and "udp", [::1] port 0 for "tcp6" and "udp6", and a
// socket in a new short directory for "unix". A test on IPv6 loopback is
// skipped where the host has none; any other listening error fails it.

// Serve listens on network at address and hands each accepted connection
// to handle in a goroutine of its own. It returns the listener's address:
// host:port, or the socket's path for "unix".
func Serve(t testing.TB, network, address string, handle func(c net.Conn)) string {
	t.Helper()
	network, address = listenAddress(t, network, address)
	ln, err := net.Listen(network, address)
	if err != nil {
		listenFailed(t, network, address, err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go handle(c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// Hang accepts connections on network ("tcp", "tcp6" or "unix") and never
// answers nor closes them, as a stuck server does. It returns the
// address as Serve does.
func Hang(t testing.TB, network string) string {
	t.Helper()
	return Serve(t, network, "", func(net.Conn) {})
}

// Garbage accepts connections on network and writes bytes of no protocol
// to each ("\x00garbage\xff" every 10ms) until the client goes, never
// reading what it sends.
func Garbage(t testing.TB, network string) string {
	t.Helper()
	return Serve(t, network, "", func(c net.Conn) {
		for {
			if _, err := c.Write([]byte("\x00garbage\xff")); err != nil {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

// ServeUDP listens on network ("udp" or "udp6") at address and answers
// each datagram with what answer returns for it; nil sends nothing. It
// returns host:port.
func ServeUDP(t testing.TB, network, address string, answer func(req []byte) []byte) string {
	t.Helper()
	network, address = listenAddress(t, network, address)
	conn, err := net.ListenPacket(network, address)
	if err != nil {
		listenFailed(t, network, address, err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			if b := answer(buf[:n]); b != nil {
				conn.WriteTo(b, from)
			}
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		<-done
	})
	return conn.LocalAddr().String()
}

// Silent reads datagrams on network ("udp" or "udp6") and never answers,
// as a server behind a firewall that drops replies does.
func Silent(t testing.TB, network string) string {
	t.Helper()
	return ServeUDP(t, network, "", func([]byte) []byte { return nil })
}

// ClosedPort returns a 127.0.0.1 address on network ("tcp" or "udp")
// where nothing listens a moment later: a TCP connection is refused, a
// UDP query draws an ICMP "port unreachable".
func ClosedPort(t testing.TB, network string) string {
	t.Helper()
	var addr string
	if strings.HasPrefix(network, "udp") {
		c, err := net.ListenPacket(network, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = c.LocalAddr().String()
		c.Close()
	} else {
		l, err := net.Listen(network, "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = l.Addr().String()
		l.Close()
	}
	return addr
}

func listenAddress(t testing.TB, network, address string) (string, string) {
	t.Helper()
	if address != "" {
		return network, address
	}
	switch network {
	case "tcp6", "udp6":
		return network, "[::1]:0"
	case "unix":
		dir, err := TempDir("sock")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		return network, filepath.Join(dir, "s.sock")
	}
	return network, "127.0.0.1:0"
}

func listenFailed(t testing.TB, network, address string, err error) {
	t.Helper()
	if strings.HasSuffix(network, "6") || strings.HasPrefix(address, "[") {
		t.Skipf("no IPv6 loopback here: listen %s %s: %v", network, address, err)
	}
	t.Fatalf("listen %s %s: %v", network, address, err)
}
