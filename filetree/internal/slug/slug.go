// Package slug turns names into path values exactly as Zou does: Zou calls
// python-slugify 8.0.4 with separator "_", transliterating with
// text-unidecode 1.3, under Python 3.11 (Unicode 14.0).
//
// The steps, in python-slugify's order:
//  1. runs of ASCII apostrophes become "-";
//  2. NFKD, then transliteration to ASCII with text-unidecode's table
//     (code points above U+FFFF are dropped);
//  3. HTML 4 named references (&eacute;) become their character;
//  4. decimal references (&#233;) likewise, all or none: one out of range
//     leaves every one as it is;
//  5. hexadecimal references (&#xE9;) likewise;
//  6. NFKD again, then lower case;
//  7. every apostrophe left is removed, and a comma between two digits;
//  8. every run of characters outside [-a-zA-Z0-9] becomes one "-",
//     leading and trailing ones are cut, and "-" becomes "_".
//
// The transliteration table is text-unidecode's own data file, kept
// verbatim in data/ with its licence. Parity is checked by golden files
// generated from the dev server's virtualenv (scripts/gen-slug-golden).
package slug

import (
	_ "embed"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

//go:embed data/text_unidecode-1.3.bin
var tableData string

// table[cp-1] is the transliteration of code point cp, for 1 <= cp <= len.
var (
	tableOnce sync.Once
	table     []string
)

func loadTable() {
	table = strings.Split(tableData, "\x00")
}

// Make returns the slug of s, as Zou's slugify(s, separator="_").
func Make(s string) string {
	// 1. Apostrophes written in the name separate words; those that
	// transliteration makes later (from ’ or ь) are removed instead.
	if isSlug(s) {
		return s
	}
	s = replaceQuoteRuns(s, "-")
	if isPlainASCII(s) {
		return finishASCII(s)
	}
	// 2.
	s = transliterate(nfkd(s))
	// 3-5.
	if strings.IndexByte(s, '&') >= 0 {
		s = replaceNamedRefs(s)
		s = replaceNumericRefs(s, false)
		s = replaceNumericRefs(s, true)
	}
	// 6. Only ASCII letters matter from here on: any other character
	// becomes a separator, and none of them lower-cases to ASCII once
	// decomposed (U+0130 and U+212A decompose to I and K).
	s = nfkd(s)
	return finish(s)
}

// Append appends the slug of s to dst.
func Append(dst []byte, s string) []byte {
	if out, ok := appendPlain(dst, s); ok {
		return out
	}
	return append(dst, Make(s)...)
}

// appendPlain appends the slug of s in one pass when s is ASCII without
// "&" or apostrophes (most names); it reports false, having appended
// nothing that counts, otherwise.
func appendPlain(buf []byte, s string) ([]byte, bool) {
	base := len(buf)
	pendingDash := false
	prev := byte(0)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c == '&' || c == '\'' {
			return buf[:base], false
		}
		if c == ',' && prev >= '0' && prev <= '9' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9' {
			prev = c
			continue
		}
		prev = c
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			if pendingDash && len(buf) > base {
				buf = append(buf, '_')
			}
			pendingDash = false
			buf = append(buf, c)
			continue
		}
		pendingDash = true
	}
	return buf, true
}

// isSlug reports whether s is already a slug: runs of [a-z0-9] joined by
// single underscores. Make returns such a string as it is.
func isSlug(s string) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '_' && s[i-1] != '_':
		default:
			return false
		}
	}
	return true
}

// isPlainASCII reports whether s is ASCII with no "&": then steps 2 to 6
// change nothing but case.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf || s[i] == '&' {
			return false
		}
	}
	return true
}

// finish runs steps 6 (lower case) to 8 on s.
func finish(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingDash := false
	var prev rune = -1
	for i := 0; i < len(s); {
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		i += size
		switch {
		case r == '\'':
			continue // removed (step 7); it does not separate
		case r == ',' && prev >= 0 && isDigit(prev) && isDigit(nextNonQuote(s, i)):
			prev = r
			continue
		}
		prev = r
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if pendingDash && b.Len() > 0 {
				b.WriteByte('_')
			}
			pendingDash = false
			b.WriteByte(byte(r))
			continue
		}
		pendingDash = true
	}
	return b.String()
}

// finishASCII runs steps 6 to 8 on ASCII text without "&" whose
// apostrophes step 1 already replaced.
func finishASCII(s string) string {
	out, _ := appendPlain(make([]byte, 0, len(s)), s)
	return string(out)
}

// nextNonQuote returns the rune at byte i as the comma rule sees it:
// apostrophes are removed before the rule runs, so it looks past them.
func nextNonQuote(s string, i int) rune {
	for i < len(s) && s[i] == '\'' {
		i++
	}
	if i >= len(s) {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

func isDigit(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= '0' && r <= '9'
	}
	return unicode.Is(unicode.Nd, r)
}

func replaceQuoteRuns(s, with string) string {
	if strings.IndexByte(s, '\'') < 0 {
		return s
	}
	var b strings.Builder
	inRun := false
	for i := 0; i < len(s); i++ {
		if s[i] == '\'' {
			if !inRun {
				b.WriteString(with)
			}
			inRun = true
			continue
		}
		inRun = false
		b.WriteByte(s[i])
	}
	return b.String()
}

// nfkd decomposes s as Python 3.11's unicodedata (Unicode 14.0) does.
// golang.org/x/text follows Unicode 15.0, which added decompositions for
// U+1E030..U+1E06D: those are left as they are.
func nfkd(s string) string {
	if !strings.ContainsRune(s, 0xFFFD) && norm.NFKD.IsNormalString(s) {
		return s
	}
	start := 0
	var b strings.Builder
	for i, r := range s {
		if r >= 0x1E030 && r <= 0x1E06D {
			b.WriteString(norm.NFKD.String(s[start:i]))
			b.WriteRune(r)
			start = i + utf8.RuneLen(r)
		}
	}
	if start == 0 {
		return norm.NFKD.String(s)
	}
	b.WriteString(norm.NFKD.String(s[start:]))
	return b.String()
}

// transliterate maps each code point through text-unidecode's table.
func transliterate(s string) string {
	tableOnce.Do(loadTable)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			b.WriteByte(byte(r)) // the table maps ASCII to itself, NUL included
		case int(r)-1 < len(table):
			b.WriteString(table[r-1])
		}
	}
	return b.String()
}

// replaceNamedRefs replaces &name; for the HTML 4 names, in one pass.
func replaceNamedRefs(s string) string {
	var b strings.Builder
	changed := false
	for i := 0; i < len(s); {
		if s[i] == '&' {
			if end := strings.IndexByte(s[i+1:], ';'); end > 0 {
				if r, ok := htmlEntities[s[i+1:i+1+end]]; ok {
					if !changed {
						b.WriteString(s[:i])
						changed = true
					}
					b.WriteRune(r)
					i += end + 2
					continue
				}
			}
		}
		if changed {
			b.WriteByte(s[i])
		}
		i++
	}
	if !changed {
		return s
	}
	return b.String()
}

// surrogate stands for a reference to a UTF-16 surrogate, which Python
// keeps as a lone code point: like it, it can only become a separator.
const surrogate = '\uFFFD'

// replaceNumericRefs replaces &#123; (or &#x7B; when hex), all or none:
// one reference out of Unicode's range leaves the string as it is.
func replaceNumericRefs(s string, hex bool) string {
	prefix := "&#"
	if hex {
		prefix = "&#x"
	}
	if !strings.Contains(s, prefix) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if strings.HasPrefix(s[i:], prefix) {
			j := i + len(prefix)
			value, ok, n := 0, true, 0
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				d := digitValue(r, hex)
				if d < 0 {
					break
				}
				n++
				if value <= unicode.MaxRune {
					value = value*base(hex) + d
				}
				j += size
			}
			if n > 0 && j < len(s) && s[j] == ';' {
				if value > unicode.MaxRune {
					ok = false
				}
				if !ok {
					return s
				}
				r := rune(value)
				if r >= 0xD800 && r <= 0xDFFF {
					r = surrogate
				}
				b.WriteRune(r)
				i = j + 1
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func base(hex bool) int {
	if hex {
		return 16
	}
	return 10
}

// digitValue is the value of r as a digit of Python's \d (any Unicode
// decimal digit) or, when hex, of [\da-fA-F]; -1 when it is none.
func digitValue(r rune, hex bool) int {
	switch {
	case r >= '0' && r <= '9':
		return int(r - '0')
	case hex && r >= 'a' && r <= 'f':
		return int(r-'a') + 10
	case hex && r >= 'A' && r <= 'F':
		return int(r-'A') + 10
	case r >= utf8.RuneSelf && unicode.Is(unicode.Nd, r):
		// Decimal digits come in runs of ten starting at zero.
		z := r
		for z > 0 && unicode.Is(unicode.Nd, z-1) {
			z--
		}
		return int(r-z) % 10
	}
	return -1
}
