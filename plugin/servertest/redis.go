package servertest

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Redis is a redis-server started by StartRedis.
type Redis struct {
	Dir     string // its working directory: log, socket, certificates
	Port    int    // plain TCP on 127.0.0.1
	TLSPort int    // TLS on 127.0.0.1; 0 unless RedisOptions.TLS
	Socket  string // its unix socket
	TLS     TLSFiles
	// Password is the default user's password (requirepass); "" when none.
	Password string
	Process  *Process
}

// RedisOptions says how to start a redis-server.
type RedisOptions struct {
	// Password makes the default user require it.
	Password string
	// TLS adds a TLS port with a certificate signed by a CA of the test's
	// own (Redis.TLS), not asking clients for certificates.
	TLS bool
	// ReplicaOf makes the server a replica of that one (authenticating
	// with its Password).
	ReplicaOf *Redis
	// Config holds more configuration lines, e.g. ACL users:
	// "user monitor on >secret ~* +@all".
	Config []string
}

// StartRedis starts redis-server (Debian package redis-server) in a
// fresh directory, in the foreground, with no persistence, and waits
// until it answers PING. The returned stop function stops it and removes
// the directory. A NotInstalledError means no redis-server was found.
func StartRedis(o RedisOptions) (*Redis, func(), error) {
	bin, err := Find("redis-server", "redis-server")
	if err != nil {
		return nil, nil, err
	}
	dir, err := TempDir("redis")
	if err != nil {
		return nil, nil, err
	}
	r := &Redis{Dir: dir, Socket: filepath.Join(dir, "redis.sock"), Password: o.Password}
	if o.TLS {
		if r.TLS, err = WriteTLSFiles(dir); err != nil {
			removeAll(dir)
			return nil, nil, err
		}
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if r.Port, err = FreePort(); err != nil {
			return nil, nil, err
		}
		if o.TLS {
			if r.TLSPort, err = FreePort(); err != nil {
				return nil, nil, err
			}
		}
		conf := []string{
			"bind 127.0.0.1",
			"port " + strconv.Itoa(r.Port),
			"unixsocket " + r.Socket,
			"unixsocketperm 777",
			"dir " + dir,
			`save ""`,
			"appendonly no",
			"daemonize no",
			"logfile " + filepath.Join(dir, "redis.log"),
		}
		if o.Password != "" {
			conf = append(conf, "requirepass "+quoteConf(o.Password))
		}
		if o.TLS {
			conf = append(conf, "tls-port "+strconv.Itoa(r.TLSPort), "tls-cert-file "+r.TLS.Cert,
				"tls-key-file "+r.TLS.Key, "tls-ca-cert-file "+r.TLS.CA, "tls-auth-clients no")
		}
		if p := o.ReplicaOf; p != nil {
			conf = append(conf, "replicaof 127.0.0.1 "+strconv.Itoa(p.Port))
			if p.Password != "" {
				conf = append(conf, "masterauth "+quoteConf(p.Password))
			}
		}
		conf = append(conf, o.Config...)
		confPath := filepath.Join(dir, "redis.conf")
		if err := writeFile(confPath, strings.Join(conf, "\n")+"\n"); err != nil {
			return nil, nil, err
		}
		p, err := Start(exec.Command(bin, confPath), filepath.Join(dir, "stdout.log"))
		if err != nil {
			removeAll(dir)
			return nil, nil, err
		}
		r.Process = p
		err = p.WaitWithin(15*time.Second, func() error {
			reply, err := r.Command("PING")
			if err == nil && reply != "PONG" {
				err = fmt.Errorf("PING: %s", reply)
			}
			return err
		})
		if err == nil {
			return r, func() { p.Stop(); removeAll(dir) }, nil
		}
		p.Stop()
		lastErr = fmt.Errorf("%v; log: %s", err, Tail(filepath.Join(dir, "redis.log"), 1500))
	}
	removeAll(dir)
	return nil, nil, lastErr
}

// Command sends one command on the plain TCP port (authenticating with
// Password) and returns the reply as text: a status, an integer, a bulk
// string, or an array's elements one per line. An error reply is an
// error. It is the tests' redis-cli, free of quoting.
func (r *Redis) Command(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(r.Port)))
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	send := func(args []string) (string, error) {
		var b strings.Builder
		fmt.Fprintf(&b, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
		}
		if _, err := c.Write([]byte(b.String())); err != nil {
			return "", err
		}
		return readSimpleReply(br)
	}
	if r.Password != "" {
		if _, err := send([]string{"AUTH", r.Password}); err != nil {
			return "", err
		}
	}
	return send(args)
}

func readSimpleReply(br *bufio.Reader) (string, error) {
	line, err := br.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", fmt.Errorf("empty reply line")
	}
	switch line[0] {
	case '+', ':':
		return line[1:], nil
	case '-':
		return "", fmt.Errorf("redis: %s", line[1:])
	case '$':
		n, err := strconv.Atoi(line[1:])
		if err != nil || n < 0 {
			return "", err
		}
		buf := make([]byte, n+2)
		if _, err := readFull(br, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return "", err
		}
		var parts []string
		for range n {
			s, err := readSimpleReply(br)
			if err != nil {
				return "", err
			}
			parts = append(parts, s)
		}
		return strings.Join(parts, "\n"), nil
	}
	return "", fmt.Errorf("unexpected reply %q", line)
}

func readFull(br *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		k, err := br.Read(buf[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// CLI runs redis-cli (Debian package redis-tools) against the plain TCP
// port, with the password if any, and returns its output.
func (r *Redis) CLI(args ...string) (string, error) {
	bin, err := Find("redis-tools", "redis-cli")
	if err != nil {
		return "", err
	}
	argv := []string{"-h", "127.0.0.1", "-p", strconv.Itoa(r.Port)}
	if r.Password != "" {
		argv = append(argv, "--no-auth-warning", "-a", r.Password)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, append(argv, args...)...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("redis-cli %s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out), nil
}

// Info returns what "redis-cli INFO section…" prints, key by key
// (keyspace and replica lines included as text).
func (r *Redis) Info(section ...string) (map[string]string, error) {
	text, err := r.CLI(append([]string{"INFO"}, section...)...)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimRight(line, "\r")
		if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, "#") {
			out[k] = v
		}
	}
	return out, nil
}

func quoteConf(s string) string { return strconv.Quote(s) }
