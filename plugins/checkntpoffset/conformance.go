package checkntpoffset

import (
	"encoding/binary"
	"net"
	"time"
)

// ConformanceArgs starts a small synchronised SNTP server on loopback for
// the conformance suite's run.
func (o *options) ConformanceArgs(string) ([]string, func(), error) {
	addr, stop, err := serveSNTP(func(req []byte) []byte { return answer(req, 0, 2, 0) })
	if err != nil {
		return nil, nil, err
	}
	return []string{"-s", addr}, stop, nil
}

// serveSNTP answers each request on a new loopback UDP port with what
// reply returns for it (nil: no answer) until stop is called.
func serveSNTP(reply func(req []byte) []byte) (addr string, stop func(), err error) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			if out := reply(buf[:n]); out != nil {
				conn.WriteTo(out, from)
			}
		}
	}()
	return conn.LocalAddr().String(), func() { conn.Close() }, nil
}

// answer is a server's reply to req whose clock is skew ahead of ours,
// with the given leap indicator and stratum.
func answer(req []byte, leap, stratum byte, skew time.Duration) []byte {
	if len(req) < 48 {
		return nil
	}
	out := make([]byte, 48)
	out[0] = leap<<6 | 4<<3 | 4
	out[1] = stratum
	copy(out[24:32], req[40:48]) // originate: the client's transmit time
	now := toNTP(time.Now().Add(skew))
	binary.BigEndian.PutUint64(out[32:], now)
	binary.BigEndian.PutUint64(out[40:], now)
	return out
}
