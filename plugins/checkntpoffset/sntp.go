package checkntpoffset

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// A Reading is one answer about the clock: its offset and whether the
// source says it is synchronised.
type Reading struct {
	Source  string        // "127.0.0.1:123", "chronyd", "ntpd", "kernel"
	Offset  time.Duration // the reference's time minus ours: positive means our clock is behind
	Stratum int           // 0 when the source does not say
	// Unsynced is why the source says it is not synchronised ("" when it is).
	Unsynced string
}

// ntpEpochOffset is the number of seconds from 1900-01-01 (NTP's era 0)
// to 1970-01-01.
const ntpEpochOffset = 2208988800

// toNTP converts t to a 64-bit NTP timestamp.
func toNTP(t time.Time) uint64 {
	secs := uint64(t.Unix()+ntpEpochOffset) & 0xffffffff
	frac := (uint64(t.Nanosecond()) << 32) / 1e9
	return secs<<32 | frac
}

// fromNTP converts a 64-bit NTP timestamp to the time nearest to near
// (NTP's 32-bit seconds wrap every 136 years; near picks the era).
func fromNTP(ts uint64, near time.Time) time.Time {
	secs := int64(ts >> 32)
	nanos := int64((ts & 0xffffffff) * 1e9 >> 32)
	const era = int64(1) << 32
	base := near.Unix() + ntpEpochOffset
	secs += (base - secs + era/2) / era * era // the era whose value is within 68 years of near
	return time.Unix(secs-ntpEpochOffset, nanos)
}

// querySNTP asks one server for the time with a single SNTP v4 request
// (RFC 4330) and computes the clock offset from the four timestamps. The
// answer must echo the request's transmit time, so a stray or forged
// packet is not taken for it. Only ctx bounds the exchange.
func querySNTP(ctx context.Context, server string, now func() time.Time) (Reading, error) {
	addr := serverAddress(server)
	r := Reading{Source: addr}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", addr)
	if err != nil {
		return r, err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	var req [48]byte
	req[0] = 0<<6 | 4<<3 | 3 // no leap warning, version 4, mode 3 (client)
	t1 := now()
	start := time.Now()
	binary.BigEndian.PutUint64(req[40:], toNTP(t1))
	if _, err := conn.Write(req[:]); err != nil {
		return r, err
	}
	var resp [512]byte
	stray := 0 // packets that were not the answer to this request
	for {
		n, err := conn.Read(resp[:])
		if err != nil {
			var ne net.Error
			if ctx.Err() != nil || errors.As(err, &ne) && ne.Timeout() {
				return r, noAnswer(ctx, start, stray)
			}
			return r, err
		}
		// Our own clock may step during the exchange: the time of
		// arrival is the time of sending plus the monotonic time since.
		t4 := t1.Add(time.Since(start))
		if n < 48 {
			return r, fmt.Errorf("a %d-byte answer is not an NTP packet (48 bytes or more)", n)
		}
		if binary.BigEndian.Uint64(resp[24:]) != binary.BigEndian.Uint64(req[40:]) {
			stray++
			continue // not the answer to our request: wait for it
		}
		return parseSNTP(r, resp[:n], t1, t4)
	}
}

// noAnswer says how long a server that did not answer was waited for,
// and how many packets came that were not the answer.
func noAnswer(ctx context.Context, start time.Time, stray int) error {
	waited := time.Since(start)
	if deadline, ok := ctx.Deadline(); ok {
		waited = deadline.Sub(start)
	}
	msg := fmt.Sprintf("no answer within %s", waited.Round(time.Millisecond))
	switch {
	case stray == 1:
		msg += " (1 packet that did not answer this request)"
	case stray > 1:
		msg += fmt.Sprintf(" (%d packets that did not answer this request)", stray)
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.DeadlineExceeded) {
		msg += ": " + cause.Error() // the run was cancelled (a signal)
	}
	return errors.New(msg)
}

// parseSNTP reads a server's answer to a request sent at t1 and received
// at t4.
func parseSNTP(r Reading, p []byte, t1, t4 time.Time) (Reading, error) {
	leap, version, mode := p[0]>>6, p[0]>>3&7, p[0]&7
	if mode != 4 && mode != 5 {
		return r, fmt.Errorf("the answer is not from an NTP server (mode %d)", mode)
	}
	if version < 1 || version > 4 {
		return r, fmt.Errorf("the answer has an unknown NTP version %d", version)
	}
	r.Stratum = int(p[1])
	switch {
	case r.Stratum == 0:
		code := strings.TrimRight(string(p[12:16]), "\x00")
		if code == "" || strings.ContainsFunc(code, func(c rune) bool { return c < ' ' || c > '~' }) {
			code = "none"
		}
		r.Unsynced = fmt.Sprintf("stratum 0 (kiss code %s)", code)
	case r.Stratum >= 16:
		r.Unsynced = fmt.Sprintf("stratum %d", r.Stratum)
	case leap == 3:
		r.Unsynced = "leap indicator 3 (clock not synchronised)"
	}
	rx, tx := binary.BigEndian.Uint64(p[32:]), binary.BigEndian.Uint64(p[40:])
	t2, t3 := fromNTP(rx, t1), fromNTP(tx, t1)
	if r.Unsynced == "" && (rx == 0 || tx == 0 || t3.Before(t2)) {
		return r, errors.New("the answer's timestamps are not in order")
	}
	r.Offset = (t2.Sub(t1) + t3.Sub(t4)) / 2
	return r, nil
}

// serverAddress adds NTP's port 123 to a server given without one; IPv6
// literals may be given bare ("::1") or in brackets ("[::1]:123").
func serverAddress(s string) string {
	if _, _, err := net.SplitHostPort(s); err == nil {
		return s
	}
	return net.JoinHostPort(strings.Trim(s, "[]"), "123")
}
