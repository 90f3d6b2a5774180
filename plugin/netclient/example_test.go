package netclient_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/teko-dev/teko/checkers"
	"github.com/teko-dev/teko/plugin/netclient"
)

// A check fetching a page: any error of the call is the service's
// failure (CRITICAL, Failed), the status is judged by the check.
func ExampleHTTP_Get() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "healthy")
	}))
	defer srv.Close()

	check := func(ctx context.Context, url string) *checkers.Result {
		resp, err := (&netclient.HTTP{}).Get(ctx, url)
		if err != nil {
			return netclient.Failed(err)
		}
		if resp.StatusCode != http.StatusOK {
			return checkers.NewResult(checkers.Critical, "%v", resp.Errorf("HTTP status %s", resp.Status))
		}
		return checkers.NewResult(checkers.OK, "%s %s, %d bytes", resp.Proto, resp.Status, len(resp.Body))
	}
	res := check(context.Background(), srv.URL+"/health")
	fmt.Println(res.Status, res.Summary)
	// Output: OK HTTP/1.1 200 OK, 7 bytes
}

// A service that accepts and never answers: the call ends after three
// quarters of the run's time (150ms of 200ms), naming the page, and the
// check reports CRITICAL while the run still has time.
func ExampleFailed() {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond) // the run's -t
	defer cancel()
	_, err := (&netclient.HTTP{}).Get(ctx, srv.URL+"/")
	res := netclient.Failed(err)
	fmt.Println(res.Status, netclient.IsTimeout(err))
	fmt.Println(strings.HasPrefix(res.Summary, srv.URL+"/: no complete response within 1"))
	// Output:
	// CRITICAL true
	// true
}

// Three hosts probed in turn share the check's time: each gets what is
// left divided by the probes still to run, so one that hangs takes only
// its share (and time a probe does not use goes to those after it).
func ExampleBudget() {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second) // the run's -t
	defer cancel()
	budget := netclient.NewBudget(ctx, 0) // 3s: three quarters of 4s
	hosts := []string{"db1", "db2", "db3"}
	for i, host := range hosts {
		probe, done := budget.Probe(ctx, len(hosts)-i)
		deadline, _ := probe.Deadline()
		fmt.Println(host, time.Until(deadline).Round(500*time.Millisecond))
		// … probe the host with probe as its context; a client of this
		// package takes the probe's whole share, not 3/4 of it again …
		done()
	}
	// Output:
	// db1 1s
	// db2 1.5s
	// db3 3s
}

func ExampleJoinHostPort() {
	fmt.Println(netclient.JoinHostPort("::1", 25))
	fmt.Println(netclient.JoinHostPort("[2001:db8::1]", 443))
	fmt.Println(netclient.JoinHostPort("mail.example", 25))
	// Output:
	// [::1]:25
	// [2001:db8::1]:443
	// mail.example:25
}

func ExampleParsePort() {
	for _, p := range []string{"8080", "http", "htp"} {
		n, err := netclient.ParsePort(p, "tcp")
		fmt.Println(n, err)
	}
	// Output:
	// 8080 <nil>
	// 80 <nil>
	// 0 "htp": not a port number, nor a service name this system knows (want e.g. 80 or http)
}

// A banner sent in two writes is read whole; the conversation's
// deadline bounds every read.
func ExampleConn_ReadUntil() {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	defer ln.Close()
	go func() {
		c, _ := ln.Accept()
		c.Write([]byte("220 mail."))
		time.Sleep(20 * time.Millisecond)
		c.Write([]byte("example ESMTP\r\n"))
		c.Close()
	}()
	conn, err := (&netclient.Dialer{Timeout: 2 * time.Second}).Dial(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	banner, err := conn.ReadUntil(func(got []byte) bool { return strings.HasSuffix(string(got), "\n") }, 1024)
	fmt.Printf("%q %v\n", banner, err)
	// Output: "220 mail.example ESMTP\r\n" <nil>
}

func ExampleTLSOptions() {
	var opts struct {
		URL string `long:"url"`
		netclient.TLSOptions
	}
	opts.NoCheckCertificate = true // as if given on the command line
	cfg, err := opts.Config()
	fmt.Println(cfg.InsecureSkipVerify, err)
	opts.CertFile = "client.pem"
	_, err = opts.Config()
	fmt.Println(err)
	// Output:
	// true <nil>
	// --cert-file needs --key-file (the certificate's private key)
}

func ExampleRedact() {
	fmt.Println(netclient.Redact("http://monitor:s3cret@127.0.0.1/status"))
	// Output: http://monitor:xxxxx@127.0.0.1/status
}

// The budget rule: a call may take three quarters of what is left of
// the run, and no more than its own limit.
func ExampleShare() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // -t 10
	defer cancel()
	fmt.Println(netclient.Share(ctx, time.Minute).Round(time.Second))
	fmt.Println(netclient.Share(ctx, 2*time.Second))
	// Output:
	// 8s
	// 2s
}

func ExampleParseConnectTo() {
	rule, err := netclient.ParseConnectTo("www.example.com:443:[::1]:8443")
	fmt.Printf("%+v %v\n", rule, err)
	// Output: {FromHost:www.example.com FromPort:443 ToHost:::1 ToPort:8443} <nil>
}

func ExampleParseProxy() {
	u, _ := netclient.ParseProxy("monitor:s3cret@proxy.internal")
	fmt.Println(u.Redacted())
	// Output: http://monitor:xxxxx@proxy.internal:1080
}

func ExampleParseHeaders() {
	h, err := netclient.ParseHeaders("-H", []string{"Host: status.internal", "Accept: text/plain"})
	fmt.Println(h.Get("Host"), h.Get("Accept"), err)
	_, err = netclient.ParseHeaders("-H", []string{"Accept text/plain"})
	fmt.Println(err)
	// Output:
	// status.internal text/plain <nil>
	// -H "Accept text/plain": want "Name: value"
}

func ExampleParseTarget() {
	for _, addr := range []string{"http://monitor:pw@127.0.0.1:8080/status", "unix:/run/php-fpm.sock:/status?json"} {
		t, _ := netclient.ParseTarget(addr)
		fmt.Printf("%s socket=%q\n", t, t.Socket)
	}
	// Output:
	// http://monitor:xxxxx@127.0.0.1:8080/status socket=""
	// unix:/run/php-fpm.sock:/status?json socket="/run/php-fpm.sock"
}

// A plugin's own findings about a response name the page the same way
// the client's errors do.
func ExampleResponse_Errorf() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old" {
			http.Redirect(w, r, "/status", http.StatusMovedPermanently)
			return
		}
		fmt.Fprint(w, "<html>login</html>")
	}))
	defer srv.Close()
	resp, err := (&netclient.HTTP{}).Get(context.Background(), srv.URL+"/old")
	if err != nil {
		fmt.Println(err)
		return
	}
	err = resp.Errorf("not a status page: %q", resp.Body[:6])
	fmt.Println(strings.ReplaceAll(err.Error(), srv.URL, "URL"))
	// Output: URL/old: redirected to URL/status: not a status page: "<html>"
}

// A --url flag read in Validate: a bad address is a flag error that
// never shows the password, and says what to do about a "#", "/" or "?"
// in it.
func ExampleParseURL() {
	for _, addr := range []string{
		"https://monitor:s3cret@www.example.com/health",
		"https://monitor:s3#cret@www.example.com/health",
		"www.example.com/health",
	} {
		u, err := netclient.ParseURL(addr)
		if err != nil {
			fmt.Println(fmt.Errorf("--url %w", err))
			continue
		}
		fmt.Println(u.Redacted())
	}
	// Output:
	// https://monitor:xxxxx@www.example.com/health
	// --url "https://monitor:xxxxx@www.example.com/health": the password has a "/", "?" or "#": percent-encode it (%2F, %3F, %23)
	// --url "www.example.com/health": want an http:// or https:// URL
}

// A metric plugin's --url whose password must not reach the state file:
// the option marshals masked; string(o.URL) is the address.
func ExampleMaskedURL() {
	type options struct {
		URL netclient.MaskedURL `long:"url"`
	}
	o := options{URL: "http://stats:s3cret@127.0.0.1:8080/status"}
	key, _ := json.Marshal(o.URL)
	fmt.Println(string(key))
	fmt.Println(string(o.URL))
	// Output:
	// "http://stats:xxxxx@127.0.0.1:8080/status"
	// http://stats:s3cret@127.0.0.1:8080/status
}
