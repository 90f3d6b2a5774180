// Package loopback runs the TCP side of the SDK's stand-in servers
// (mysqlfake, pgfake): a listener on a fresh 127.0.0.1 port, a goroutine
// per connection, and a Close that ends every open connection and waits
// until each handler has returned. What a connection says is the
// caller's business.
package loopback

import (
	"net"
	"sync"
)

// Server is a running listener.
type Server struct {
	l     net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	conns map[net.Conn]bool
}

// Serve listens on a free 127.0.0.1 port and calls handle with each
// accepted connection, in a goroutine of its own; the connection is
// closed when handle returns.
func Serve(handle func(net.Conn)) (*Server, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &Server{l: l, conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.accept(handle)
	return s, nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() *net.TCPAddr { return s.l.Addr().(*net.TCPAddr) }

// Close stops the server and ends its connections.
func (s *Server) Close() {
	s.l.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *Server) accept(handle func(net.Conn)) {
	defer s.wg.Done()
	for {
		c, err := s.l.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			handle(c)
			s.mu.Lock()
			delete(s.conns, c)
			s.mu.Unlock()
			c.Close()
		}()
	}
}
