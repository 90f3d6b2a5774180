package logtail

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Encoding says how the bytes of a log become UTF-8 lines. The nil
// *Encoding, like UTF8, passes bytes through unchanged.
//
// Two families are supported: encodings in which the byte 0x0A is a
// newline and never part of another character (UTF-8, ISO-8859-*,
// Windows-125x, EUC-JP, Shift_JIS, GB18030, Big5, EUC-KR, …), and UTF-16
// in either byte order, whose newline is the two-byte unit 0x000A.
type Encoding struct {
	name   string
	family family
	enc    encoding.Encoding // nil: bytes are UTF-8 already
}

type family int

const (
	asciiCompatible family = iota
	utf16LE
	utf16BE
	utf16BOM // byte order from the byte order mark, big-endian without one
)

// UTF8 is the default encoding: bytes are taken as they are.
var UTF8 = &Encoding{name: "UTF-8"}

// LookupEncoding finds an encoding by its IANA or WHATWG name or alias,
// in any case: "UTF-16LE", "utf-16le", "EUC-JP", "Shift_JIS", "sjis",
// "latin1". It fails on names it does not know and on encodings whose
// lines it cannot split (UTF-32, EBCDIC code pages).
func LookupEncoding(name string) (*Encoding, error) {
	if strings.TrimSpace(name) == "" {
		return UTF8, nil
	}
	enc, err := ianaindex.IANA.Encoding(name)
	known := err == nil // but perhaps with no implementation (enc == nil)
	if enc == nil {
		enc, err = htmlindex.Get(name)
	}
	switch {
	case enc == nil && known:
		return nil, fmt.Errorf("encoding %q is not supported", name)
	case err != nil || enc == nil:
		return nil, fmt.Errorf("unknown encoding %q", name)
	}
	canonical, err := ianaindex.IANA.Name(enc)
	if err != nil {
		canonical = name
	}
	switch strings.ToUpper(canonical) {
	case "UTF-8":
		return UTF8, nil
	case "UTF-16LE":
		return &Encoding{name: "UTF-16LE", family: utf16LE, enc: unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)}, nil
	case "UTF-16BE":
		return &Encoding{name: "UTF-16BE", family: utf16BE, enc: unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)}, nil
	case "UTF-16":
		return &Encoding{name: "UTF-16", family: utf16BOM}, nil
	}
	// Anything else must keep 0x0A as the newline, or lines cannot be
	// split before decoding.
	probe := []byte("ok\nok\n")
	got, err := enc.NewDecoder().Bytes(probe)
	if err != nil || !bytes.Equal(got, probe) {
		return nil, fmt.Errorf("encoding %q is not supported: its newline is not the byte 0x0A", name)
	}
	return &Encoding{name: canonical, family: asciiCompatible, enc: enc}, nil
}

// String returns the encoding's canonical name.
func (e *Encoding) String() string {
	if e == nil {
		return UTF8.name
	}
	return e.name
}

// UnitSize is the size in bytes of the encoding's code unit: 2 for the
// UTF-16 family, 1 for UTF-8 and the encodings that keep ASCII's bytes.
// In a file of 2-byte units, only an even offset can start a line.
func (e *Encoding) UnitSize() int {
	if e == nil || e.family == asciiCompatible {
		return 1
	}
	return 2
}

// codec is an Encoding fixed for one file: the byte order of "UTF-16" is
// known once the file's first bytes are.
type codec struct {
	unit    int    // bytes per code unit: 1, or 2 for UTF-16
	newline []byte // the newline's bytes
	bom     []byte // a byte order mark to drop at offset 0
	dec     transform.Transformer
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// codecFor returns the codec for a file whose first bytes are head.
func (e *Encoding) codecFor(head []byte) *codec {
	if e == nil {
		e = UTF8
	}
	fam := e.family
	if fam == utf16BOM {
		fam = utf16BE
		if bytes.HasPrefix(head, bomUTF16LE) {
			fam = utf16LE
		}
	}
	switch fam {
	case utf16LE:
		return &codec{unit: 2, newline: []byte{'\n', 0}, bom: bomUTF16LE, dec: unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM).NewDecoder()}
	case utf16BE:
		return &codec{unit: 2, newline: []byte{0, '\n'}, bom: bomUTF16BE, dec: unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM).NewDecoder()}
	}
	c := &codec{unit: 1, newline: []byte{'\n'}, bom: bomUTF8}
	if e.enc != nil {
		c.dec = e.enc.NewDecoder()
		c.bom = nil
	}
	return c
}

// lastNewline returns the index just past the last newline in b, or -1.
// b must start on a code unit boundary.
func (c *codec) lastNewline(b []byte) int {
	if c.unit == 1 {
		if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
			return i + 1
		}
		return -1
	}
	for end := len(b); ; {
		i := bytes.LastIndex(b[:end], c.newline)
		if i < 0 {
			return -1
		}
		if i%2 == 0 {
			return i + 2
		}
		end = i + 1 // a match across two code units: look before it
	}
}

// firstNewline returns the index just past the first newline in b, or -1.
// phase is the offset of b[0] from a code unit boundary (0 or 1).
func (c *codec) firstNewline(b []byte, phase int) int {
	if c.unit == 1 {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return i + 1
		}
		return -1
	}
	for from := 0; from < len(b); {
		i := bytes.Index(b[from:], c.newline)
		if i < 0 {
			return -1
		}
		i += from
		if (i+phase)%2 == 0 {
			return i + 2
		}
		from = i + 1
	}
	return -1
}

var errDecode = errors.New("cannot decode")

// decode appends the UTF-8 form of src to dst[:0] and returns it.
func (c *codec) decode(dst, src []byte) ([]byte, error) {
	if c.dec == nil {
		return src, nil
	}
	c.dec.Reset()
	dst = dst[:0]
	for {
		if cap(dst)-len(dst) < len(src)+16 {
			grown := make([]byte, len(dst), 2*cap(dst)+len(src)+16)
			copy(grown, dst)
			dst = grown
		}
		nDst, nSrc, err := c.dec.Transform(dst[len(dst):cap(dst)], src, true)
		dst = dst[:len(dst)+nDst]
		src = src[nSrc:]
		if err == nil {
			return dst, nil
		}
		if !errors.Is(err, transform.ErrShortDst) {
			return dst, fmt.Errorf("%w: %v", errDecode, err)
		}
	}
}
