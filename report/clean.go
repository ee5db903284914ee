package report

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Every string in a Result can come from a device: config lines, interface
// descriptions, phone names, error messages. A hostile or broken device must
// not be able to drive the reader's terminal (escape sequences), reorder
// text (bidi overrides), break a markdown table or make the XML invalid, so
// every writer passes text through oneLine before it adds its own escaping.

// oneLine makes s safe to print on one line: invalid UTF-8 becomes U+FFFD,
// tabs become spaces, and control, line-separator and bidi-control
// characters become visible escapes (\n, \x1b, \u202e).
func oneLine(s string) string {
	if plain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		switch {
		case r == utf8.RuneError && w == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\t':
			b.WriteByte(' ')
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x80 && unsafeRune(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plain reports whether s needs no cleaning, which is the common case; it
// keeps oneLine from allocating for ordinary text.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			return false
		}
		if c >= 0x80 {
			// Leave non-ASCII text to the careful path.
			return false
		}
	}
	return true
}

func unsafeRune(r rune) bool {
	return unicode.IsControl(r) ||
		unicode.In(r, unicode.Zl, unicode.Zp, unicode.Bidi_Control) ||
		r == '\ufeff' || // a BOM mid-text is invisible and breaks copy-paste
		nonCharacter(r) // U+FFFE/U+FFFF are not allowed in XML 1.0, all are errors in HTML
}

// nonCharacter reports the code points Unicode reserves for internal use:
// U+FDD0..U+FDEF and the last two of every plane.
func nonCharacter(r rune) bool {
	return (r >= 0xfdd0 && r <= 0xfdef) || r&0xfffe == 0xfffe
}

// cleanLines splits s on newlines and cleans each line; it is for blocks
// (fix commands, error bodies) where line breaks are meaningful.
func cleanLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = oneLine(l)
	}
	return lines
}

func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = oneLine(s)
	}
	return out
}
