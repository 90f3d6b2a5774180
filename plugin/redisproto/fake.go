package redisproto

import (
	"bufio"
	"fmt"
	"net"
	"strings"
)

// Encode writes r in RESP2, as a server sends it.
func (r Reply) Encode() []byte {
	var b strings.Builder
	r.encode(&b)
	return []byte(b.String())
}

func (r Reply) encode(b *strings.Builder) {
	switch r.Kind {
	case KindStatus, KindError:
		fmt.Fprintf(b, "%c%s\r\n", r.Kind, r.Str)
	case KindInteger:
		fmt.Fprintf(b, ":%d\r\n", r.Int)
	case KindBulk:
		fmt.Fprintf(b, "$%d\r\n%s\r\n", len(r.Str), r.Str)
	case KindArray:
		fmt.Fprintf(b, "*%d\r\n", len(r.Array))
		for _, e := range r.Array {
			e.encode(b)
		}
	default:
		b.WriteString("$-1\r\n")
	}
}

// Serve is a stand-in Redis server for tests and examples: it accepts
// connections on l until l is closed and answers each command (its
// arguments, the command name upper-cased) with what handle returns. It
// reads commands as clients send them (arrays of bulk strings) only.
func Serve(l net.Listener, handle func(args []string) Reply) error {
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				req, err := readReply(r, 0)
				if err != nil || req.Kind != KindArray || len(req.Array) == 0 {
					return
				}
				args := make([]string, len(req.Array))
				for i, a := range req.Array {
					args[i] = a.Str
				}
				args[0] = strings.ToUpper(args[0])
				if _, err := c.Write(handle(args).Encode()); err != nil {
					return
				}
			}
		}()
	}
}

// Bulk, Status, Err and Array build replies for Serve.
func Bulk(s string) Reply    { return Reply{Kind: KindBulk, Str: s} }
func Status(s string) Reply  { return Reply{Kind: KindStatus, Str: s} }
func Err(s string) Reply     { return Reply{Kind: KindError, Str: s} }
func Int(n int64) Reply      { return Reply{Kind: KindInteger, Int: n} }
func Array(r ...Reply) Reply { return Reply{Kind: KindArray, Array: r} }
func BulkArray(s ...string) Reply {
	out := Reply{Kind: KindArray}
	for _, v := range s {
		out.Array = append(out.Array, Bulk(v))
	}
	return out
}
