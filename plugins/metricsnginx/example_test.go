package metricsnginx_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/teko-dev/teko/plugins/metricsnginx"
)

func ExampleParseTarget() {
	for _, addr := range []string{
		"http://127.0.0.1:8080/nginx_status",
		"unix:/run/nginx.sock:/nginx_status",
		"127.0.0.1:8080",
	} {
		target, err := metricsnginx.ParseTarget(addr)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("GET %s via %q\n", target.URL, target.Socket)
	}
	// Output:
	// GET http://127.0.0.1:8080/nginx_status via ""
	// GET http://localhost/nginx_status via "/run/nginx.sock"
	// address "127.0.0.1:8080": want an http:// or https:// URL, or unix:SOCKET:/PATH
}

func ExampleClient_Fetch() {
	// A stand-in for nginx; point the Client at the real page instead.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/nginx_status" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, "Active connections: 2 \nserver accepts handled requests\n 10 10 25 \nReading: 0 Writing: 1 Waiting: 1 \n")
	}))
	defer srv.Close()

	for _, path := range []string{"/nginx_status", "/status"} {
		target, _ := metricsnginx.ParseTarget(srv.URL + path)
		client := &metricsnginx.Client{Target: target, Timeout: 2 * time.Second}
		st, err := client.Fetch(context.Background())
		if err != nil {
			fmt.Println("error:", err.Error()[len(srv.URL):])
			continue
		}
		fmt.Printf("active=%d requests=%d waiting=%d\n", st.Active, st.Requests, st.Waiting)
	}
	// Output:
	// active=2 requests=25 waiting=1
	// error: /status: HTTP status "404 Not Found", want 2xx
}
