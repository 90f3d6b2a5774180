package procfs

import (
	"bytes"
	"errors"
	"io/fs"
	"strconv"
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
