package memcache

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// StandIn is a stand-in memcached for tests and examples: it keeps
// values in memory (flags and expiry are ignored) and answers "stats"
// and "stats items" with what its functions return. The zero value is
// ready to use.
type StandIn struct {
	// Stats returns the answer to "stats"; nil answers only pid.
	Stats func() map[string]string
	// Items returns the answer to "stats items"; nil answers nothing.
	Items func() map[string]string

	mu     sync.Mutex
	values map[string][]byte
}

// Serve answers connections on l until l is closed.
func (s *StandIn) Serve(l net.Listener) error {
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go s.serve(c)
	}
}

func writeStats(w io.Writer, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "STAT %s %s\r\n", k, m[k])
	}
	io.WriteString(w, "END\r\n")
}

func (s *StandIn) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(line)
		switch {
		case len(f) == 1 && f[0] == "stats":
			st := map[string]string{"pid": "1"}
			if s.Stats != nil {
				st = s.Stats()
			}
			writeStats(c, st)
		case len(f) == 2 && f[0] == "stats" && f[1] == "items":
			var st map[string]string
			if s.Items != nil {
				st = s.Items()
			}
			writeStats(c, st)
		case len(f) == 5 && f[0] == "set":
			n, err := strconv.Atoi(f[4])
			if err != nil || n < 0 || n > maxValue {
				io.WriteString(c, "CLIENT_ERROR bad data chunk\r\n")
				return
			}
			buf := make([]byte, n+2)
			if _, err := io.ReadFull(r, buf); err != nil {
				return
			}
			s.mu.Lock()
			if s.values == nil {
				s.values = map[string][]byte{}
			}
			s.values[f[1]] = buf[:n]
			s.mu.Unlock()
			io.WriteString(c, "STORED\r\n")
		case len(f) == 2 && f[0] == "get":
			s.mu.Lock()
			v, ok := s.values[f[1]]
			s.mu.Unlock()
			if ok {
				fmt.Fprintf(c, "VALUE %s 0 %d\r\n%s\r\n", f[1], len(v), v)
			}
			io.WriteString(c, "END\r\n")
		default:
			io.WriteString(c, "ERROR\r\n")
		}
	}
}
