// Package redisproto is a small Redis client for monitoring: it speaks
// RESP2 (the protocol of every Redis since 2.0, of Valkey and of the
// managed services) well enough to authenticate, run INFO, CONFIG GET,
// CLUSTER INFO or any other command that answers with simple values, and
// nothing more. It exists so that check-redis and metrics-redis share one
// client that never hangs.
//
// # Every read has a deadline
//
// Each call takes a context. Its deadline becomes the connection's
// deadline for that exchange, and cancelling the context (a signal, the
// run's -t) unblocks a read at once, so a server that accepts the
// connection and then stops answering (a SIGSTOPped redis-server, a
// half-open TCP session, a proxy with no backend) costs at most the
// caller's time budget, never forever:
//
//	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
//	defer cancel()
//	conn, err := redisproto.Dial(ctx, redisproto.Options{Address: "127.0.0.1:6379"})
//	if err != nil {
//		return err
//	}
//	defer conn.Close()
//	info, err := conn.Info(ctx)
//
// # Connecting
//
// Options names the server: a TCP address or a unix socket, plain or TLS
// (Options.TLS), and the credentials. A password alone is sent as
// "AUTH password" (what every Redis version takes); a user name as well
// as "AUTH user password" (Redis 6 ACL users). A password sent to a
// server that has none (a REDIS_PASSWORD set for every host) is not an
// error: the connection works as it is. The password never appears
// in an error: a refused AUTH is an *Error whose IsAuth reports true.
//
// # Replies
//
// Do returns a Reply: a status, an error, an integer, a bulk string, an
// array or nil, as the server sent it. A reply that is not RESP (an HTTP
// server on the port, a TLS server spoken to in plain text) is a
// *ProtocolError naming what arrived, never a hang or a panic. Bulk
// strings and arrays are bounded (MaxBulk, MaxArray) so that a broken
// peer cannot make the client allocate without limit.
//
// # INFO
//
// ParseInfo reads the text INFO returns into an Info: every "key:value"
// line, the keyspace lines (db0:keys=…,expires=…) as DBs and the
// replica lines of a primary (slave0:ip=…,offset=…,lag=…) as Replicas.
// It is defensive: a line it does not understand is skipped, never an
// error, because each Redis version and fork adds fields of its own.
package redisproto
