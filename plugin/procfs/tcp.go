package procfs

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io/fs"
	"net/netip"
	"strconv"
	"strings"
)

// TCPState is the state of a TCP socket, as the kernel numbers it in
// /proc/net/tcp.
type TCPState uint8

// The kernel's TCP states (include/net/tcp_states.h).
const (
	TCPEstablished TCPState = 1 + iota
	TCPSynSent
	TCPSynRecv
	TCPFinWait1
	TCPFinWait2
	TCPTimeWait
	TCPClose
	TCPCloseWait
	TCPLastAck
	TCPListen
	TCPClosing
	TCPNewSynRecv // a connection request not yet accepted (listed as SYN-RECV by ss)
)

var tcpStateNames = [...]string{
	TCPEstablished: "ESTAB", TCPSynSent: "SYN-SENT", TCPSynRecv: "SYN-RECV",
	TCPFinWait1: "FIN-WAIT-1", TCPFinWait2: "FIN-WAIT-2", TCPTimeWait: "TIME-WAIT",
	TCPClose: "UNCONN", TCPCloseWait: "CLOSE-WAIT", TCPLastAck: "LAST-ACK",
	TCPListen: "LISTEN", TCPClosing: "CLOSING", TCPNewSynRecv: "SYN-RECV",
}

// String returns the state's name as ss(8) prints it: ESTAB, TIME-WAIT,
// UNCONN (for CLOSE), …; UNKNOWN for a number the kernel does not use.
func (s TCPState) String() string {
	if int(s) < len(tcpStateNames) && tcpStateNames[s] != "" {
		return tcpStateNames[s]
	}
	return "UNKNOWN"
}

// TCPStates counts the TCP sockets of the reading process's network
// namespace by state, IPv4 (/proc/net/tcp) and IPv6 (/proc/net/tcp6)
// together. Each socket is listed once: a dual-stack socket is in tcp6
// only. Without IPv6 (no tcp6 file) the IPv4 sockets are counted alone.
// Only TCP sockets are counted, unlike "ss -na", which adds UDP, unix
// and netlink sockets to its states.
func (fsys FS) TCPStates() (map[TCPState]int, error) {
	counts := map[TCPState]int{}
	for _, name := range []string{"tcp", "tcp6"} {
		path := fsys.ProcPath("net", name)
		err := countTCP(path, counts)
		if name == "tcp6" && errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return counts, nil
}

// countTCP adds the states of the sockets listed in a /proc/net/tcp file:
//
//	sl  local_address rem_address   st tx_queue rx_queue …
//	 0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 …
func countTCP(path string, counts map[TCPState]int) error {
	return eachLine(path, func(line []byte, n int) error {
		if n == 1 {
			return nil // the header
		}
		fields := bytes.Fields(line)
		if len(fields) == 0 {
			return nil
		}
		if len(fields) < 4 {
			return parseError(path, n, "too few fields")
		}
		st, err := strconv.ParseUint(string(fields[3]), 16, 8)
		if err != nil {
			return parseError(path, n, "state %q is not a hexadecimal byte", fields[3])
		}
		counts[TCPState(st)]++
		return nil
	})
}

// TCPSocket is one line of /proc/net/tcp or tcp6.
type TCPSocket struct {
	Local, Remote netip.AddrPort
	State         TCPState
	UID           int
	Inode         uint64
}

// TCPSockets lists the TCP sockets of the reading process's network
// namespace, IPv4 then IPv6 (an IPv4-mapped IPv6 address stays as the
// kernel lists it, ::ffff:a.b.c.d).
func (fsys FS) TCPSockets() ([]TCPSocket, error) {
	var socks []TCPSocket
	for _, name := range []string{"tcp", "tcp6"} {
		path := fsys.ProcPath("net", name)
		err := eachLine(path, func(line []byte, n int) error {
			if n == 1 {
				return nil
			}
			f := bytes.Fields(line)
			if len(f) == 0 {
				return nil
			}
			if len(f) < 10 {
				return parseError(path, n, "too few fields")
			}
			local, ok1 := parseHexAddrPort(string(f[1]))
			remote, ok2 := parseHexAddrPort(string(f[2]))
			st, err := strconv.ParseUint(string(f[3]), 16, 8)
			uid, err2 := strconv.Atoi(string(f[7]))
			inode, ok3 := parseUint(f[9])
			if !ok1 || !ok2 || !ok3 || err != nil || err2 != nil {
				return parseError(path, n, "not a socket line")
			}
			socks = append(socks, TCPSocket{Local: local, Remote: remote, State: TCPState(st), UID: uid, Inode: inode})
			return nil
		})
		if name == "tcp6" && errors.Is(err, fs.ErrNotExist) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return socks, nil
}

// parseHexAddrPort reads "0100007F:1F90": the address as the kernel
// stores it, in 32-bit words of the machine's byte order, and the port.
func parseHexAddrPort(s string) (netip.AddrPort, bool) {
	a, p, ok := strings.Cut(s, ":")
	port, err := strconv.ParseUint(p, 16, 16)
	if !ok || err != nil || (len(a) != 8 && len(a) != 32) {
		return netip.AddrPort{}, false
	}
	raw, err := hex.DecodeString(a)
	if err != nil {
		return netip.AddrPort{}, false
	}
	for i := 0; i < len(raw); i += 4 { // each word to network order
		w := binary.NativeEndian.Uint32(raw[i:])
		binary.BigEndian.PutUint32(raw[i:], w)
	}
	addr, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(addr, uint16(port)), true
}
