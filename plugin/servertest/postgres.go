package servertest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Postgres is a PostgreSQL server started by StartPostgres: a fresh
// cluster, a loopback TCP port and its socket directory in a temp
// directory, superuser postgres. Local connections over the socket need
// no password; TCP connections need one for every user but postgres
// (see Exec to create users).
type Postgres struct {
	Dir       string // the temp directory
	SocketDir string // the directory holding the unix socket
	Port      int    // the TCP port on 127.0.0.1
	Log       string // the server's log
	// CACert is a PEM file of the CA that signed the server's
	// certificate (for 127.0.0.1 and localhost): the server offers TLS
	// (ssl=on), and clients may verify it with this file.
	CACert string

	bin  string
	data string
	proc *Process
	as   []string // the runuser prefix when the tests run as root
}

// StartPostgres initialises a cluster with initdb and starts postgres on
// it (Debian package postgresql; the newest version under
// /usr/lib/postgresql is used). initdb and postgres refuse to run as
// root, so as root they run as the postgres user through runuser. TCP
// clients authenticate with scram-sha-256, except postgres, which is
// trusted; the socket trusts everyone.
func StartPostgres() (*Postgres, error) {
	p, err := newPostgres()
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			p.Stop()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	initdb := p.command(ctx, "initdb", "-D", p.data, "-A", "trust", "-U", "postgres", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v: %s", err, tailString(out, 2000))
	}
	hba := "local all all trust\nlocal replication all trust\nhost all postgres 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 scram-sha-256\nhost all postgres ::1/128 trust\nhost all all ::1/128 scram-sha-256\n"
	if err := os.WriteFile(filepath.Join(p.data, "pg_hba.conf"), []byte(hba), 0o644); err != nil {
		return nil, err
	}
	if err := p.writeCertificates(); err != nil {
		return nil, err
	}
	if err := p.start(); err != nil {
		return nil, err
	}
	ok = true
	return p, nil
}

// StartPostgresReplica starts a streaming replica (hot standby) of
// primary, copied with pg_basebackup. Stop it before the primary.
func StartPostgresReplica(primary *Postgres) (*Postgres, error) {
	p, err := newPostgres()
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			p.Stop()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	backup := p.command(ctx, "pg_basebackup", "-h", primary.SocketDir, "-p", strconv.Itoa(primary.Port), "-U", "postgres",
		"-D", p.data, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync")
	if out, err := backup.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pg_basebackup: %v: %s", err, tailString(out, 2000))
	}
	p.CACert = primary.CACert // the certificate came with the copy
	if err := p.start(); err != nil {
		return nil, err
	}
	ok = true
	return p, nil
}

// newPostgres makes the temp directory of a server, owned by postgres
// when the tests run as root.
func newPostgres() (*Postgres, error) {
	bin, err := postgresBin()
	if err != nil {
		return nil, err
	}
	dir, err := TempDir("pg")
	if err != nil {
		return nil, err
	}
	p := &Postgres{Dir: dir, SocketDir: dir, Log: filepath.Join(dir, "log"), bin: bin, data: filepath.Join(dir, "data")}
	if os.Geteuid() == 0 {
		runuser, err := Find("util-linux", "runuser")
		if err != nil {
			p.Stop()
			return nil, err
		}
		u, err := user.Lookup("postgres")
		if err != nil {
			p.Stop()
			return nil, fmt.Errorf("running PostgreSQL as root needs the postgres user: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			p.Stop()
			return nil, err
		}
		p.as = []string{runuser, "-u", "postgres", "--"}
	}
	return p, nil
}

// start runs postgres on p's data directory and waits until it answers.
func (p *Postgres) start() error {
	var err error
	if p.Port, err = FreePort(); err != nil {
		return err
	}
	cmd := p.command(context.Background(), "postgres", "-D", p.data, "-c", "listen_addresses=127.0.0.1",
		"-p", strconv.Itoa(p.Port), "-k", p.SocketDir, "-c", "fsync=off", "-c", "track_io_timing=on",
		"-c", "shared_buffers=16MB", "-c", "max_connections=40", "-c", "ssl=on")
	if p.proc, err = Start(cmd, p.Log); err != nil {
		return err
	}
	if err := p.proc.WaitWithin(60*time.Second, func() error {
		_, err := p.Exec("postgres", "SELECT 1")
		return err
	}); err != nil {
		return fmt.Errorf("postgres: %w; log: %s", err, Tail(p.Log, 2000))
	}
	return nil
}

// writeCertificates makes a CA and a server certificate signed by it,
// in the data directory as postgres wants them (the key readable by the
// server's user only), and the CA in p.CACert.
func (p *Postgres) writeCertificates() error {
	caPEM, certPEM, keyPEM, err := serverCertificate()
	if err != nil {
		return err
	}
	p.CACert = filepath.Join(p.Dir, "ca.crt")
	if err := os.WriteFile(p.CACert, caPEM, 0o644); err != nil {
		return err
	}
	files := map[string][]byte{"server.crt": certPEM, "server.key": keyPEM}
	for name, b := range files {
		path := filepath.Join(p.data, name)
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return err
		}
		if len(p.as) > 0 {
			u, err := user.Lookup("postgres")
			if err != nil {
				return err
			}
			uid, _ := strconv.Atoi(u.Uid)
			gid, _ := strconv.Atoi(u.Gid)
			if err := os.Chown(path, uid, gid); err != nil {
				return err
			}
		}
	}
	return nil
}

// postgresBin returns the bin directory of the newest installed version.
func postgresBin() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if isExecutable(filepath.Join(d, "postgres")) && isExecutable(filepath.Join(d, "initdb")) {
			return d, nil
		}
	}
	if p, err := Find("postgresql", "postgres"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", &NotInstalledError{Names: []string{"postgres", "initdb"}, Package: "postgresql"}
}

func versionOf(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func (p *Postgres) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	argv := append(append(append([]string{}, p.as...), filepath.Join(p.bin, name)), args...)
	return exec.CommandContext(ctx, argv[0], argv[1:]...)
}

// Addr is the server's TCP address, 127.0.0.1:port.
func (p *Postgres) Addr() string { return "127.0.0.1:" + strconv.Itoa(p.Port) }

// Exec runs sql in database db as postgres over the unix socket with
// psql and returns the rows it printed, unaligned and tab-separated,
// without headers.
func (p *Postgres) Exec(db, sql string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(p.bin, "psql"), "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1",
		"-h", p.SocketDir, "-p", strconv.Itoa(p.Port), "-U", "postgres", "-d", db, "-c", sql)
	if _, err := os.Stat(cmd.Path); err != nil {
		cmd = exec.CommandContext(ctx, "psql", cmd.Args[1:]...)
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s: %v: %s", firstLine(sql), err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}

// Stop stops the server (fast shutdown) and removes its directory.
func (p *Postgres) Stop() {
	if p == nil {
		return
	}
	p.proc.Stop()
	os.RemoveAll(p.Dir)
}
