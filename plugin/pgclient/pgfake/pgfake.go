// Package pgfake is a stand-in PostgreSQL server that answers simple
// queries from a function: any login accepted without a password, TLS
// declined, text results and errors. It serves a plugin's conformance
// run, or a test of an answer no server on the machine gives (another
// major version's columns). Tests of real behaviour use a real server
// (package servertest).
//
//	srv, err := pgfake.Start(func(sql string) (*pgfake.Result, error) {
//		return &pgfake.Result{Columns: []string{"count"}, Rows: [][]*string{{pgfake.S("3")}}}, nil
//	})
//	defer srv.Close()
package pgfake

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/teko-dev/teko/plugin/internal/loopback"
)

// Result is a statement's answer: columns and rows of text, nil for
// NULL.
type Result struct {
	Columns []string
	Rows    [][]*string
}

// Error is an error the server sends, with its SQLSTATE code.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

// S returns a pointer to s, for Result rows.
func S(s string) *string { return &s }

// Handler answers one statement. An error that is not an *Error is sent
// with SQLSTATE XX000.
type Handler func(sql string) (*Result, error)

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

func (s *Server) serve(nc net.Conn) {
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	b := pgproto3.NewBackend(nc, nc)
	for {
		msg, err := b.ReceiveStartupMessage()
		if err != nil {
			return
		}
		switch msg.(type) {
		case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
			if _, err := nc.Write([]byte("N")); err != nil {
				return
			}
			continue
		case *pgproto3.StartupMessage:
		default:
			return
		}
		break
	}
	b.Send(&pgproto3.AuthenticationOk{})
	for k, v := range map[string]string{"server_version": "15.0 (fake)", "server_encoding": "UTF8", "client_encoding": "UTF8",
		"standard_conforming_strings": "on", "DateStyle": "ISO, MDY", "integer_datetimes": "on"} {
		b.Send(&pgproto3.ParameterStatus{Name: k, Value: v})
	}
	b.Send(&pgproto3.BackendKeyData{ProcessID: 1, SecretKey: []byte{0, 0, 0, 1}})
	b.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	if b.Flush() != nil {
		return
	}
	nc.SetDeadline(time.Time{})
	for {
		msg, err := b.Receive()
		if err != nil {
			return
		}
		switch m := msg.(type) {
		case *pgproto3.Query:
			s.answer(b, m.String)
		case *pgproto3.Terminate:
			return
		default:
			b.Send(&pgproto3.ErrorResponse{Severity: "ERROR", Code: "0A000", Message: fmt.Sprintf("the fake serves simple queries only, not %T", msg)})
			b.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
		}
		if b.Flush() != nil {
			return
		}
	}
}

func (s *Server) answer(b *pgproto3.Backend, sql string) {
	defer b.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	res, err := s.handler(strings.TrimSpace(sql))
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			e = &Error{Code: "XX000", Message: err.Error()}
		}
		b.Send(&pgproto3.ErrorResponse{Severity: "ERROR", Code: e.Code, Message: e.Message})
		return
	}
	if res == nil {
		b.Send(&pgproto3.EmptyQueryResponse{})
		return
	}
	fields := make([]pgproto3.FieldDescription, len(res.Columns))
	for i, c := range res.Columns {
		fields[i] = pgproto3.FieldDescription{Name: []byte(c), DataTypeOID: 25, DataTypeSize: -1, TypeModifier: -1}
	}
	b.Send(&pgproto3.RowDescription{Fields: fields})
	for _, r := range res.Rows {
		vals := make([][]byte, len(r))
		for i, v := range r {
			if v != nil {
				vals[i] = []byte(*v)
			}
		}
		b.Send(&pgproto3.DataRow{Values: vals})
	}
	b.Send(&pgproto3.CommandComplete{CommandTag: []byte(fmt.Sprintf("SELECT %d", len(res.Rows)))})
}
