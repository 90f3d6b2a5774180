package logtail

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
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

// mackerelEncoding returns the encoding Mackerel's check-log meant by
// name, in any case, or nil for a name it did not know. Configurations
// written for it name encodings so ("CP932", "Windows1252", "LATIN-1",
// "KOI8R"), and some of those names are in neither the IANA nor the
// WHATWG registry; they are looked up first, so that each means what it
// meant there. (It also took UTF-16, UTF-16be and UTF-16le: IANA names,
// which mean the same here, UTF-16 taking its byte order from the byte
// order mark and big-endian without one.)
func mackerelEncoding(name string) encoding.Encoding {
	switch strings.ToLower(name) {
	case "utf-8":
		return unicode.UTF8
	case "iso-2022-jp":
		return japanese.ISO2022JP
	case "euc-jp":
		return japanese.EUCJP
	case "shift_jis", "sjis", "cp932":
		return japanese.ShiftJIS
	case "big5":
		return traditionalchinese.Big5
	case "euc-kr":
		return korean.EUCKR
	case "hz-gb2312":
		return simplifiedchinese.HZGB2312
	case "cp437":
		return charmap.CodePage437
	case "cp850":
		return charmap.CodePage850
	case "cp852":
		return charmap.CodePage852
	case "cp855":
		return charmap.CodePage855
	case "cp858":
		return charmap.CodePage858
	case "cp860":
		return charmap.CodePage860
	case "cp862":
		return charmap.CodePage862
	case "cp863":
		return charmap.CodePage863
	case "cp865":
		return charmap.CodePage865
	case "cp866":
		return charmap.CodePage866
	case "latin-1", "iso-8859-1":
		return charmap.ISO8859_1
	case "iso-8859-2":
		return charmap.ISO8859_2
	case "iso-8859-3":
		return charmap.ISO8859_3
	case "iso-8859-4":
		return charmap.ISO8859_4
	case "iso-8859-5":
		return charmap.ISO8859_5
	case "iso-8859-6":
		return charmap.ISO8859_6
	case "iso-8859-7":
		return charmap.ISO8859_7
	case "iso-8859-8":
		return charmap.ISO8859_8
	case "iso-8859-10":
		return charmap.ISO8859_10
	case "iso-8859-13":
		return charmap.ISO8859_13
	case "iso-8859-14":
		return charmap.ISO8859_14
	case "iso-8859-15":
		return charmap.ISO8859_15
	case "iso-8859-16":
		return charmap.ISO8859_16
	case "koi8r":
		return charmap.KOI8R
	case "koi8u":
		return charmap.KOI8U
	case "macintosh":
		return charmap.Macintosh
	case "macintoshcyrillic":
		return charmap.MacintoshCyrillic
	case "windows1250":
		return charmap.Windows1250
	case "windows1251":
		return charmap.Windows1251
	case "windows1252":
		return charmap.Windows1252
	case "windows1253":
		return charmap.Windows1253
	case "windows1254":
		return charmap.Windows1254
	case "windows1255":
		return charmap.Windows1255
	case "windows1256":
		return charmap.Windows1256
	case "windows1257":
		return charmap.Windows1257
	case "windows1258":
		return charmap.Windows1258
	case "windows874":
		return charmap.Windows874
	case "xuserdefined":
		return charmap.XUserDefined
	}
	return nil
}

// LookupEncoding finds an encoding by the name Mackerel's check-log knew
// it by, or by its IANA or WHATWG name or alias, in any case:
// "UTF-16LE", "utf-16le", "EUC-JP", "Shift_JIS", "sjis", "CP932",
// "latin1", "Windows1252". It fails on names it does not know and on
// encodings whose lines it cannot split (UTF-32, EBCDIC code pages).
func LookupEncoding(name string) (*Encoding, error) {
	if strings.TrimSpace(name) == "" {
		return UTF8, nil
	}
	enc := mackerelEncoding(strings.TrimSpace(name))
	known := enc != nil
	var err error
	if !known {
		enc, err = ianaindex.IANA.Encoding(name)
		known = err == nil // but perhaps with no implementation (enc == nil)
	}
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
