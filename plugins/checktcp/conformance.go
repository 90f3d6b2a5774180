package checktcp

import (
	"net"
)

// ConformanceArgs listens on 127.0.0.1 with a banner, for the teko
// conformance suite (package plugins/conformance). The tests of this
// package also run against a real nginx.
func (o *options) ConformanceArgs(string) (args []string, stop func(), err error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("220 conformance ready\r\n"))
			c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return []string{"-H", "127.0.0.1", "-p", port, "-e", "^220"}, func() { l.Close() }, nil
}
