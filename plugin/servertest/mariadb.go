package servertest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// MariaDB is a MariaDB server started by StartMariaDB: its own data
// directory, a loopback TCP port and a unix socket, root without a
// password on both.
type MariaDB struct {
	Dir    string // the temp directory holding data, socket, pid and log
	Socket string // the unix socket
	Port   int    // the TCP port on 127.0.0.1
	Log    string // the server's error log
	// CACert is a PEM file of the CA that signed the server's
	// certificate (for 127.0.0.1 and localhost): the server offers TLS,
	// and clients may verify it with this file.
	CACert string

	proc   *Process
	client string
}

// MariaDBOptions are the extra settings of StartMariaDB.
type MariaDBOptions struct {
	// ServerID sets --server-id (0: left to the server); primaries and
	// replicas need different ones.
	ServerID int
	// LogBin turns the binary log on, as a replication primary needs.
	LogBin bool
	// Args are more mariadbd arguments.
	Args []string
}

// StartMariaDB initialises a fresh data directory with mariadb-install-db
// and starts mariadbd on it (Debian package mariadb-server), as root with
// --user=root when the tests run as root. It returns a NotInstalledError
// when MariaDB is not installed. Stop ends it and removes the directory.
func StartMariaDB(o MariaDBOptions) (*MariaDB, error) {
	server, err := Find("mariadb-server", "mariadbd", "/usr/sbin/mariadbd", "mysqld")
	if err != nil {
		return nil, err
	}
	install, err := Find("mariadb-server", "mariadb-install-db", "mysql_install_db")
	if err != nil {
		return nil, err
	}
	client, err := Find("mariadb-client", "mariadb", "mysql")
	if err != nil {
		return nil, err
	}
	dir, err := TempDir("mariadb")
	if err != nil {
		return nil, err
	}
	m := &MariaDB{Dir: dir, Socket: filepath.Join(dir, "sock"), Log: filepath.Join(dir, "error.log"), client: client}
	ok := false
	defer func() {
		if !ok {
			m.Stop()
		}
	}()
	user := []string{}
	if os.Geteuid() == 0 {
		user = []string{"--user=root"}
	}
	data, tmp := filepath.Join(dir, "data"), filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return nil, err
	}
	// A private tmpdir: two instances bootstrapping at once in /tmp can
	// collide on their temporary tables' names.
	args := append([]string{"--no-defaults", "--datadir=" + data, "--tmpdir=" + tmp, "--auth-root-authentication-method=normal", "--skip-test-db"}, user...)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, install, args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("%s: %v: %s", install, err, tailString(out, 2000))
	}
	m.Port, err = FreePort()
	if err != nil {
		return nil, err
	}
	caPEM, certPEM, keyPEM, err := serverCertificate()
	if err != nil {
		return nil, err
	}
	m.CACert = filepath.Join(dir, "ca.crt")
	certFile, keyFile := filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	for path, b := range map[string][]byte{m.CACert: caPEM, certFile: certPEM, keyFile: keyPEM} {
		if err := os.WriteFile(path, b, 0o644); err != nil { // the key too: the server may run as another user; it is a test's
			return nil, err
		}
	}
	sargs := append([]string{"--no-defaults", "--datadir=" + data, "--tmpdir=" + tmp, "--socket=" + m.Socket,
		"--port=" + strconv.Itoa(m.Port), "--bind-address=127.0.0.1", "--pid-file=" + filepath.Join(dir, "pid"),
		"--log-error=" + m.Log, "--skip-name-resolve", "--innodb-buffer-pool-size=16M", "--innodb-log-file-size=8M",
		"--performance-schema=OFF", "--ssl-ca=" + m.CACert, "--ssl-cert=" + certFile, "--ssl-key=" + keyFile}, user...)
	if o.ServerID != 0 {
		sargs = append(sargs, "--server-id="+strconv.Itoa(o.ServerID))
	}
	if o.LogBin {
		sargs = append(sargs, "--log-bin="+filepath.Join(dir, "binlog"), "--binlog-format=ROW")
	}
	sargs = append(sargs, o.Args...)
	m.proc, err = Start(exec.Command(server, sargs...), filepath.Join(dir, "stdout.log"))
	if err != nil {
		return nil, err
	}
	if err := m.proc.WaitWithin(60*time.Second, func() error {
		if err := WaitDial("unix", m.Socket, 0); err != nil {
			return err
		}
		_, err := m.Exec("SELECT 1")
		return err
	}); err != nil {
		return nil, fmt.Errorf("mariadbd: %w; log: %s", err, Tail(m.Log, 2000))
	}
	ok = true
	return m, nil
}

// Addr is the server's TCP address, 127.0.0.1:port.
func (m *MariaDB) Addr() string { return "127.0.0.1:" + strconv.Itoa(m.Port) }

// Exec runs statements as root over the unix socket with the mariadb
// client and returns what it printed: rows tab-separated, without the
// header line.
func (m *MariaDB) Exec(sql string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, m.client, "--no-defaults", "-uroot", "--socket="+m.Socket, "--batch", "--skip-column-names", "-e", sql)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %v: %s", firstLine(sql), err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

// Stop ends the server and removes its directory.
func (m *MariaDB) Stop() {
	if m == nil {
		return
	}
	m.proc.Stop()
	os.RemoveAll(m.Dir)
}

// Kill ends the server without removing its directory, for tests of a
// server that went away.
func (m *MariaDB) Kill() { m.proc.Stop() }

// StartMariaDBReplication starts a primary (binary log on, server id 1)
// and a replica (server id 2) that replicates from it over TCP with
// GTID, using the account repl/repl; it waits until the replica's
// threads run. Stop both with their Stop.
func StartMariaDBReplication() (primary, replica *MariaDB, err error) {
	type result struct {
		m   *MariaDB
		err error
	}
	ch := make(chan result, 1)
	go func() {
		r, err := StartMariaDB(MariaDBOptions{ServerID: 2, LogBin: true, Args: []string{"--relay-log=relay"}})
		ch <- result{r, err}
	}()
	primary, err = StartMariaDB(MariaDBOptions{ServerID: 1, LogBin: true})
	r := <-ch
	replica = r.m
	if err == nil {
		err = r.err
	}
	if err != nil {
		primary.Stop()
		replica.Stop()
		return nil, nil, err
	}
	if _, err = primary.Exec("CREATE USER 'repl'@'%' IDENTIFIED BY 'repl'; GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'"); err == nil {
		_, err = replica.Exec(fmt.Sprintf("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='repl', MASTER_PASSWORD='repl', MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1; START SLAVE", primary.Port))
	}
	if err == nil {
		err = WaitFor(30*time.Second, func() error {
			out, err := replica.Exec("SHOW SLAVE STATUS")
			if err != nil {
				return err
			}
			if !strings.Contains(out, "\tYes\tYes\t") { // Slave_IO_Running, Slave_SQL_Running
				return fmt.Errorf("replica not running yet: %s", out)
			}
			return nil
		})
	}
	if err != nil {
		primary.Stop()
		replica.Stop()
		return nil, nil, err
	}
	return primary, replica, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

func tailString(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}
