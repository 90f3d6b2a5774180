package match

import (
	"encoding/binary"
	"math/bits"
)

// foldNeedle finds a literal in any ASCII case without folding the text
// first. It checks two of the literal's bytes — the two rarest, its
// anchors — at eight positions at once, and compares the whole literal
// only where both anchors are present.
//
// A letter matches in either case because its two cases differ only in
// bit 0x20: text byte b is letter c (lower case) exactly when
// b|0x20 == c. Other bytes must be equal.
type foldNeedle struct {
	text   []byte // lower case
	fold   []byte // per byte of text: 0x20 for a letter, else 0
	a, b   int    // the anchors' offsets in text, a < b
	ca, cb uint64 // the anchor bytes, in every byte of a word
	fa, fb uint64 // their fold bits, likewise
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

func newFoldNeedle(text string) *foldNeedle {
	n := &foldNeedle{text: []byte(text), fold: make([]byte, len(text))}
	for i, c := range n.text {
		if 'a' <= c && c <= 'z' {
			n.fold[i] = 0x20
		}
	}
	n.a, n.b = 0, 0
	if len(text) > 1 {
		n.a, n.b = rarestPair(n.text)
	}
	n.ca, n.fa = ones*uint64(n.text[n.a]), ones*uint64(n.fold[n.a])
	n.cb, n.fb = ones*uint64(n.text[n.b]), ones*uint64(n.fold[n.b])
	return n
}

// index returns the first offset of the literal in s, or -1.
func (n *foldNeedle) index(s []byte) int {
	last := len(s) - len(n.text) // the last possible start
	i := 0
	for ; i <= last && i+n.b+8 <= len(s); i += 8 {
		wa := binary.LittleEndian.Uint64(s[i+n.a:]) | n.fa
		wb := binary.LittleEndian.Uint64(s[i+n.b:]) | n.fb
		x := (wa ^ n.ca) | (wb ^ n.cb) // a zero byte where both anchors match
		// The high bit of each zero byte of x (and perhaps of a byte
		// just above one, which the comparison below rejects).
		for m := (x - ones) &^ x & highs; m != 0; m &= m - 1 {
			if p := i + bits.TrailingZeros64(m)/8; p <= last && n.at(s[p:]) {
				return p
			}
		}
	}
	for ; i <= last; i++ {
		if n.at(s[i:]) {
			return i
		}
	}
	return -1
}

// at reports whether s starts with the literal.
func (n *foldNeedle) at(s []byte) bool {
	for j, c := range n.text {
		if s[j]|n.fold[j] != c {
			return false
		}
	}
	return true
}

// rarestPair returns the offsets, in order, of the two bytes of text that
// are least frequent in log text.
func rarestPair(text []byte) (int, int) {
	a, b := -1, -1
	for i, c := range text {
		switch {
		case a < 0 || frequency(c) < frequency(text[a]):
			a, b = i, a
		case b < 0 || frequency(c) < frequency(text[b]):
			b = i
		}
	}
	return min(a, b), max(a, b)
}

// frequency is a rough rank of how common a byte is in log lines, folded
// to lower case: English letter frequencies, with digits, spaces and
// common punctuation counted as frequent.
func frequency(c byte) int {
	const letters = "etaoinsrhldcumfpgwybvkxjqz" // most to least common
	switch {
	case c == ' ' || c == '0' || c == '1' || c == '2':
		return 100
	case '3' <= c && c <= '9', c == ':', c == '-', c == '.', c == '/', c == '=':
		return 20
	case 'a' <= c && c <= 'z':
		for i := range len(letters) {
			if letters[i] == c {
				return len(letters) - i
			}
		}
	}
	return 0
}
