package metricsphpfpm

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strconv"
	"strings"
)

// This file is a FastCGI client for one GET request, as a web server
// would send it to PHP-FPM: the stdlib has only the server side. The
// protocol: every message is a record with an 8-byte header (version 1,
// type, request id, content length, padding length); a request is
// BEGIN_REQUEST, the CGI variables as PARAMS records and an empty one,
// an empty STDIN; the answer is STDOUT records holding a CGI response
// (headers, a blank line, the body), maybe STDERR records, and
// END_REQUEST.

const (
	fcgiVersion      = 1
	fcgiBeginRequest = 1
	fcgiEndRequest   = 3
	fcgiParams       = 4
	fcgiStdin        = 5
	fcgiStdout       = 6
	fcgiStderr       = 7
	fcgiResponder    = 1
	fcgiRequestID    = 1
	maxContent       = 65535
)

// fcgiResponse is the CGI response PHP-FPM wrote.
type fcgiResponse struct {
	Status int // from the Status header; 200 when there is none
	Header textproto.MIMEHeader
	Body   []byte
	Stderr string
}

// writeRecord writes one record of type typ holding content (at most
// maxContent bytes).
func writeRecord(w io.Writer, typ byte, content []byte) error {
	var h [8]byte
	h[0], h[1] = fcgiVersion, typ
	binary.BigEndian.PutUint16(h[2:], fcgiRequestID)
	binary.BigEndian.PutUint16(h[4:], uint16(len(content)))
	if _, err := w.Write(h[:]); err != nil {
		return err
	}
	_, err := w.Write(content)
	return err
}

// encodeParams writes CGI variables in FastCGI's name-value encoding:
// each length in one byte below 128, else in four with the top bit set.
func encodeParams(params map[string]string, keys []string) []byte {
	var b bytes.Buffer
	length := func(n int) {
		if n < 128 {
			b.WriteByte(byte(n))
			return
		}
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(n)|1<<31)
		b.Write(l[:])
	}
	for _, k := range keys {
		length(len(k))
		length(len(params[k]))
		b.WriteString(k)
		b.WriteString(params[k])
	}
	return b.Bytes()
}

// fcgiGet sends a GET for path?query over rw and reads the answer, at
// most maxBody bytes of it.
func fcgiGet(rw io.ReadWriter, path, query string, maxBody int) (*fcgiResponse, error) {
	params := map[string]string{
		"GATEWAY_INTERFACE": "CGI/1.1",
		"REQUEST_METHOD":    "GET",
		"SCRIPT_NAME":       path,
		"SCRIPT_FILENAME":   path,
		"DOCUMENT_URI":      path,
		"REQUEST_URI":       path + "?" + query,
		"QUERY_STRING":      query,
		"SERVER_PROTOCOL":   "HTTP/1.1",
		"SERVER_SOFTWARE":   "teko",
		"REMOTE_ADDR":       "127.0.0.1",
		"SERVER_NAME":       "localhost",
	}
	if query == "" {
		params["REQUEST_URI"] = path
	}
	keys := []string{"GATEWAY_INTERFACE", "REQUEST_METHOD", "SCRIPT_NAME", "SCRIPT_FILENAME", "DOCUMENT_URI",
		"REQUEST_URI", "QUERY_STRING", "SERVER_PROTOCOL", "SERVER_SOFTWARE", "REMOTE_ADDR", "SERVER_NAME"}
	enc := encodeParams(params, keys)
	if len(enc) > maxContent {
		return nil, errors.New("the status page's path is too long")
	}
	var req bytes.Buffer
	begin := []byte{0, fcgiResponder, 0, 0, 0, 0, 0, 0} // role, flags (close when done), reserved
	writeRecord(&req, fcgiBeginRequest, begin)
	writeRecord(&req, fcgiParams, enc)
	writeRecord(&req, fcgiParams, nil)
	writeRecord(&req, fcgiStdin, nil)
	if _, err := rw.Write(req.Bytes()); err != nil {
		return nil, err
	}

	r := bufio.NewReader(rw)
	var stdout, stderr bytes.Buffer
	for {
		var h [8]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, errors.New("the FastCGI server closed the connection before it ended the request")
			}
			return nil, err
		}
		if h[0] != fcgiVersion {
			return nil, fmt.Errorf("not a FastCGI server (a record of version %d)", h[0])
		}
		n, pad := int(binary.BigEndian.Uint16(h[4:])), int(h[6])
		content := make([]byte, n+pad)
		if _, err := io.ReadFull(r, content); err != nil {
			return nil, fmt.Errorf("a FastCGI record was cut short: %w", err)
		}
		content = content[:n]
		switch h[1] {
		case fcgiStdout:
			if stdout.Len()+len(content) > maxBody {
				return nil, fmt.Errorf("the answer is larger than %d bytes: not a status page", maxBody)
			}
			stdout.Write(content)
		case fcgiStderr:
			if stderr.Len() < 4096 {
				stderr.Write(content)
			}
		case fcgiEndRequest:
			if len(content) >= 5 && content[4] != 0 {
				return nil, fmt.Errorf("the FastCGI server refused the request (protocol status %d)", content[4])
			}
			resp, err := parseCGI(stdout.Bytes())
			if err != nil {
				return nil, err
			}
			resp.Stderr = strings.TrimSpace(stderr.String())
			return resp, nil
		}
	}
}

// parseCGI splits a CGI response into its status, headers and body.
func parseCGI(out []byte) (*fcgiResponse, error) {
	tp := textproto.NewReader(bufio.NewReader(bytes.NewReader(out)))
	h, err := tp.ReadMIMEHeader()
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("the FastCGI answer has no CGI headers: %.60q", out)
	}
	resp := &fcgiResponse{Status: 200, Header: h}
	if s := h.Get("Status"); s != "" {
		code, _, _ := strings.Cut(s, " ")
		if resp.Status, err = strconv.Atoi(code); err != nil {
			return nil, fmt.Errorf("the FastCGI answer has a bad Status header %q", s)
		}
	}
	_, body, _ := bytes.Cut(out, []byte("\r\n\r\n"))
	if body == nil {
		_, body, _ = bytes.Cut(out, []byte("\n\n"))
	}
	resp.Body = body
	return resp, nil
}
