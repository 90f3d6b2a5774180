// Command genlog writes a realistic application log of a given size for
// the check-log benchmark: about 130-byte lines, 1% ERROR, 0.1% FATAL,
// and some lines that mention "error" in lower or mixed case without
// being errors.
//
//	genlog -size 1024 -o app.log   # 1 GiB
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"
)

func main() {
	sizeMB := flag.Int64("size", 1024, "size of the log in MiB")
	out := flag.String("o", "app.log", "file to write")
	flag.Parse()
	if err := generate(*out, *sizeMB<<20); err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
}

var (
	loggers  = []string{"http.server", "db.pool", "cache", "auth", "worker.queue", "scheduler"}
	messages = []string{
		"request completed status=200 bytes=%d",
		"cache miss key=user:%d refreshing",
		"connection acquired pool_size=32 in_use=%d",
		"job finished retries=0 error_count=%d",
		"token validated subject=svc-%d",
		"slow query took %d ms, no Error raised",
	}
)

func generate(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	rng := rand.New(rand.NewPCG(2026, 11))
	t := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	var written int64
	for i := 0; written < size; i++ {
		t = t.Add(time.Duration(rng.IntN(3000)) * time.Microsecond)
		level, msg := "INFO ", messages[rng.IntN(len(messages))]
		switch n := rng.IntN(1000); {
		case n < 10:
			level, msg = "ERROR", "request failed: upstream timeout after %d ms"
		case n < 11:
			level, msg = "FATAL", "cannot allocate %d bytes, shutting down"
		case n < 100:
			level = "WARN "
		case n < 300:
			level = "DEBUG"
		}
		line := fmt.Sprintf("%s %s [%-12s] req=%016x "+msg+"\n",
			t.Format("2006-01-02T15:04:05.000000Z"), level, loggers[rng.IntN(len(loggers))], rng.Uint64(), rng.IntN(100000))
		if written+int64(len(line)) > size {
			break
		}
		n, err := w.WriteString(line)
		written += int64(n)
		if err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}
