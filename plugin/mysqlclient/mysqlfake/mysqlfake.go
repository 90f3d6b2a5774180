// Package mysqlfake is a stand-in MySQL server that answers statements
// from a function: just enough of the wire protocol (handshake, any
// login accepted, text result sets, errors) for a plugin's conformance
// run or a test of an answer no real server on the machine can give.
// Tests of real behaviour use a real server (package servertest).
//
//	srv, err := mysqlfake.Start(func(query string) (*mysqlfake.Result, error) {
//		return &mysqlfake.Result{Columns: []string{"Variable_name", "Value"}, Rows: [][]*string{{mysqlfake.S("Uptime"), mysqlfake.S("42")}}}, nil
//	})
//	defer srv.Close()
//	// connect to srv.Addr() (127.0.0.1:port) with any user and password
package mysqlfake

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"time"

	"github.com/teko-dev/teko/plugin/internal/loopback"
)

// Result is a statement's answer: columns and rows of text, nil for
// NULL. A nil *Result with a nil error answers OK (no result set).
type Result struct {
	Columns []string
	Rows    [][]*string
}

// Error is an error the server sends: a number such as 1064 (syntax) or
// 1227 (privilege), and a message.
type Error struct {
	Number  uint16
	Message string
}

func (e *Error) Error() string { return e.Message }

// S returns a pointer to s, for Result rows.
func S(s string) *string { return &s }

// Handler answers one statement. An error that is not an *Error is sent
// as error 1105 (unknown error).
type Handler func(query string) (*Result, error)

// Server is a running fake. Addr and Close come from the embedded
// loopback server.
type Server struct {
	*loopback.Server
	handler Handler
}

// Start listens on a free 127.0.0.1 port and serves each connection
// with h.
func Start(h Handler) (*Server, error) {
	s := &Server{handler: h}
	ls, err := loopback.Serve(s.serve)
	if err != nil {
		return nil, err
	}
	s.Server = ls
	return s, nil
}

type conn struct {
	rw  *bufio.ReadWriter
	seq byte
}

func (c *conn) write(payload []byte) error {
	hdr := []byte{byte(len(payload)), byte(len(payload) >> 8), byte(len(payload) >> 16), c.seq}
	c.seq++
	if _, err := c.rw.Write(append(hdr, payload...)); err != nil {
		return err
	}
	return nil
}

func (c *conn) read() ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(c.rw, hdr[:]); err != nil {
		return nil, err
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	c.seq = hdr[3] + 1
	buf := make([]byte, n)
	_, err := io.ReadFull(c.rw, buf)
	return buf, err
}

const (
	capLongPassword   = 0x1
	capProtocol41     = 0x200
	capTransactions   = 0x2000
	capSecureConn     = 0x8000
	capPluginAuth     = 0x80000
	statusAutocommit  = 0x2
	typeVarString     = 0xfd
	utf8GeneralCI     = 33
	defaultErrNumber  = 1105
	handshakeDeadline = 10 * time.Second
)

func (s *Server) serve(nc net.Conn) {
	c := &conn{rw: bufio.NewReadWriter(bufio.NewReader(nc), bufio.NewWriter(nc))}
	nc.SetDeadline(time.Now().Add(handshakeDeadline))
	caps := uint32(capLongPassword | capProtocol41 | capTransactions | capSecureConn | capPluginAuth)
	hs := []byte{10}
	hs = append(hs, "10.11.0-MariaDB-fake\x00"...)
	hs = binary.LittleEndian.AppendUint32(hs, 1)
	hs = append(hs, "abcdefgh"...)
	hs = append(hs, 0)
	hs = binary.LittleEndian.AppendUint16(hs, uint16(caps))
	hs = append(hs, utf8GeneralCI)
	hs = binary.LittleEndian.AppendUint16(hs, statusAutocommit)
	hs = binary.LittleEndian.AppendUint16(hs, uint16(caps>>16))
	hs = append(hs, 21)
	hs = append(hs, make([]byte, 10)...)
	hs = append(hs, "ijklmnopqrst\x00"...)
	hs = append(hs, "mysql_native_password\x00"...)
	if c.write(hs) != nil || c.rw.Flush() != nil {
		return
	}
	if _, err := c.read(); err != nil { // the login: anything goes
		return
	}
	if c.ok() != nil || c.rw.Flush() != nil {
		return
	}
	nc.SetDeadline(time.Time{})
	for {
		pkt, err := c.read()
		if err != nil || len(pkt) == 0 {
			return
		}
		switch pkt[0] {
		case 0x01: // COM_QUIT
			return
		case 0x03: // COM_QUERY
			err = s.answer(c, string(pkt[1:]))
		case 0x0e: // COM_PING
			err = c.ok()
		default:
			err = c.fail(&Error{Number: 1047, Message: "unknown command"})
		}
		if err != nil || c.rw.Flush() != nil {
			return
		}
	}
}

func (c *conn) ok() error {
	return c.write([]byte{0, 0, 0, statusAutocommit, 0, 0, 0})
}

func (c *conn) eof() error {
	return c.write([]byte{0xfe, 0, 0, statusAutocommit, 0})
}

func (c *conn) fail(err error) error {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Number: defaultErrNumber, Message: err.Error()}
	}
	p := []byte{0xff}
	p = binary.LittleEndian.AppendUint16(p, e.Number)
	p = append(p, "#HY000"...)
	p = append(p, e.Message...)
	return c.write(p)
}

func lenenc(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 251:
		b = append(b, byte(n))
	case n < 1<<16:
		b = append(b, 0xfc, byte(n), byte(n>>8))
	default:
		b = append(b, 0xfd, byte(n), byte(n>>8), byte(n>>16))
	}
	return append(b, s...)
}

func (s *Server) answer(c *conn, query string) error {
	res, err := s.handler(strings.TrimSpace(query))
	if err != nil {
		return c.fail(err)
	}
	if res == nil {
		return c.ok()
	}
	if err := c.write([]byte{byte(len(res.Columns))}); err != nil {
		return err
	}
	for _, name := range res.Columns {
		p := lenenc(nil, "def")
		p = lenenc(p, "")
		p = lenenc(p, "")
		p = lenenc(p, "")
		p = lenenc(p, name)
		p = lenenc(p, name)
		p = append(p, 0x0c)
		p = binary.LittleEndian.AppendUint16(p, utf8GeneralCI)
		p = binary.LittleEndian.AppendUint32(p, 1024)
		p = append(p, typeVarString, 0, 0, 0, 0, 0)
		if err := c.write(p); err != nil {
			return err
		}
	}
	if err := c.eof(); err != nil {
		return err
	}
	for _, row := range res.Rows {
		var p []byte
		for _, v := range row {
			if v == nil {
				p = append(p, 0xfb)
			} else {
				p = lenenc(p, *v)
			}
		}
		if err := c.write(p); err != nil {
			return err
		}
	}
	return c.eof()
}
