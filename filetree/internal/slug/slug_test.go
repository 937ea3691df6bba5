package slug

import (
	"bufio"
	"compress/gzip"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestGolden compares Make with python-slugify itself, through the golden
// file scripts/gen-slug-golden wrote from the dev server's virtualenv.
func TestGolden(t *testing.T) {
	f, err := os.Open("testdata/golden.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	cases, mismatches := 0, 0
	for line := 0; sc.Scan(); line++ {
		text := sc.Text()
		if strings.HasPrefix(text, "#") {
			if line == 1 && !strings.Contains(text, "backend text_unidecode 1.3") {
				t.Fatalf("golden file made with another transliteration backend: %s", text)
			}
			continue
		}
		in, want, ok := strings.Cut(text, "\t")
		if !ok {
			t.Fatalf("line %d: no tab", line+1)
		}
		input, err := unescapePython(in)
		if err != nil {
			t.Fatalf("line %d: %v", line+1, err)
		}
		cases++
		if got := Make(input); got != want {
			mismatches++
			if mismatches <= 20 {
				t.Errorf("Make(%q) = %q, want %q", input, got, want)
			}
		}
		if got := string(Append([]byte("x"), input)); got != "x"+want {
			mismatches++
			if mismatches <= 20 {
				t.Errorf("Append(%q) = %q, want %q", input, got, "x"+want)
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	t.Logf("slug parity: %d cases, %d mismatches", cases, mismatches)
	if cases < 65000 {
		t.Fatalf("only %d golden cases", cases)
	}
}

// unescapePython reverses Python's unicode_escape encoding.
func unescapePython(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case '\\':
			b.WriteByte('\\')
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[i]]
			v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil {
				return "", err
			}
			b.WriteRune(rune(v))
			i += n
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}

func TestCornerCases(t *testing.T) {
	for in, want := range map[string]string{
		"1,2": "12", "1,,2": "1_2", "a,1": "a_1", "1,a": "1_a", ",1,": "1",
		"!!!": "", "&amp;": "", "A&amp;B": "a_b", "&amp;amp;": "amp", "&apos;": "apos",
		"1,000": "1000", "1,2,3": "123", "1, 000": "1_000", "It's a test": "it_s_a_test",
		"it’s": "its", "it&#39;s": "its", "caf&eacute;s": "cafe_s", "½": "1_2",
		"HELLO World": "hello_world", "a_b__c": "a_b_c", "&#65;&#99999999;": "65_99999999",
		"&#X41;": "x41", "a😀b": "ab", "a∞b": "a_b", "Straße": "strasse", "Seq01": "seq01",
	} {
		if got := Make(in); got != want {
			t.Errorf("Make(%q) = %q, want %q", in, got, want)
		}
		if got := string(Append(nil, in)); got != want {
			t.Errorf("Append(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzMake(f *testing.F) {
	for _, s := range []string{"Tree", "caf&eacute;", "&#x41;", "1,000", "a'b", "東京", "\x00", "&#55296;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Make(s)
		for i := 0; i < len(got); i++ {
			c := got[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				t.Fatalf("Make(%q) = %q has %q", s, got, c)
			}
		}
		if strings.HasPrefix(got, "_") || strings.HasSuffix(got, "_") || strings.Contains(got, "__") {
			t.Fatalf("Make(%q) = %q: bad separators", s, got)
		}
		if !utf8.ValidString(got) {
			t.Fatal("invalid UTF-8")
		}
		if Make(got) != got {
			t.Fatalf("Make is not idempotent on %q", got)
		}
	})
}

func BenchmarkMakeASCII(b *testing.B) {
	for b.Loop() {
		Make("Big Buck Bunny SH010")
	}
}

func BenchmarkMakeUnicode(b *testing.B) {
	for b.Loop() {
		Make("Señor Café à l'Île-de-France")
	}
}
