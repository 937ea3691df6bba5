package filetree

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// trickyTree repeats tokens inside one string and across strings, and
// has tokens that may be empty, the cases the linear matcher handles
// apart.
const trickyTree = `{
 "rep": {"mountpoint": "/t", "root": "rep",
  "folder_path": {"shot": "<Shot>_<Shot>/<Project>_<Sequence>", "asset": "<Asset><Asset>/<Project>"},
  "file_name": {"shot": "<Project>_<Name>_<Project>_<Shot.id>", "asset": "<Name><Project><Name>_v<Version>"}},
 "inst": {"mountpoint": "/t", "root": "inst",
  "folder_path": {"instance": "<Sequence><Representation>/<Instance.number>", "instance_asset": "<Sequence>/<Representation>"},
  "file_name": {"instance": "<Sequence>_<Instance>_<Name>_<Representation>", "instance_asset": "<Sequence><Name><Revision>"}}
}`

// TestParseMatchesReference checks that the linear matcher reads every
// path exactly as the backtracking one did: the same readings, in the
// same order, and the same stop at maxCandidates.
func TestParseMatchesReference(t *testing.T) {
	trees := fixtureTrees(t)
	trees["crafted"] = mustCraftedTree(t)
	tr, err := Parse([]byte(trickyTree))
	require.NoError(t, err)
	trees["tricky"] = tr
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "aab_1_0b1aAa00-._"
	word := func() string {
		n := 1 + r.IntN(5)
		if r.IntN(8) == 0 {
			n = r.IntN(12)
		}
		var b strings.Builder
		for range n {
			c := alphabet[r.IntN(len(alphabet))]
			if c == '.' && r.IntN(4) != 0 {
				c = 'a'
			}
			b.WriteByte(c)
		}
		return b.String()
	}
	// fill writes a string shaped like parts: literals (now and then
	// dropped) and random values.
	valueFor := func(c tokenClass) string {
		if r.IntN(6) == 0 {
			return word()
		}
		switch c {
		case classDigits:
			return []string{"001", "0123", "-01", "999", "12"}[r.IntN(5)]
		case classID:
			return []string{"a1-b", "A-1", "ab", "0-0-0"}[r.IntN(4)]
		}
		return []string{"a", "b", "a_b", "ab", "a_1", "1", "b_a_b", "A", ""}[r.IntN(9)]
	}
	var values map[string]string
	fill := func(b *strings.Builder, parts []mpart) {
		for _, p := range parts {
			switch {
			case r.IntN(20) == 0:
			case p.tok == "":
				b.WriteString(p.lit)
			default:
				v, ok := values[p.tok]
				if !ok || r.IntN(10) == 0 {
					v = valueFor(p.class)
					values[p.tok] = v
				}
				b.WriteString(v)
			}
		}
		if r.IntN(6) == 0 {
			b.WriteString(word())
		}
	}
	compared, matched, ambiguous := 0, 0, 0
	for name, tr := range trees {
		for _, mode := range tr.ModeNames() {
			pm := tr.parser(mode)
			for _, kp := range pm.kinds {
				for range 400 {
					var b strings.Builder
					values = map[string]string{}
					b.WriteString(pm.root)
					for _, parts := range kp.folder {
						fill(&b, parts)
						b.WriteByte('/')
					}
					fill(&b, kp.files[r.IntN(len(kp.files))])
					if r.IntN(2) == 0 {
						b.WriteString(".ext")
					}
					path := b.String()
					want, wantStop := refParse(tr, path)
					got, err := tr.Parse(path)
					var amb *AmbiguousError
					var readings []*Parsed
					switch {
					case errors.As(err, &amb):
						readings = amb.Candidates
					case err == nil:
						readings = []*Parsed{got}
					}
					require.Len(t, readings, len(want), "%s: %q (reference stopped: %v)", name, path, wantStop)
					for i := range want {
						require.Equal(t, want[i].Mode, readings[i].Mode, path)
						require.Equal(t, want[i].Kind, readings[i].Kind, path)
						require.Equal(t, want[i].Values, readings[i].Values, path)
						require.Equal(t, want[i].Extension, readings[i].Extension, path)
					}
					compared++
					if len(want) > 0 {
						matched++
					}
					if len(want) > 1 {
						ambiguous++
					}
				}
			}
		}
	}
	// The crafted paths, short enough for the reference: many readings,
	// up to the maxCandidates stop.
	for _, n := range []int{8, 16, 24, 32} {
		for _, tc := range craftedPaths(n) {
			tr := trees["crafted"]
			if strings.HasPrefix(tc.path, "/prod/") {
				tr = trees["default"]
			}
			want, _ := refParse(tr, tc.path)
			_, err := tr.Parse(tc.path)
			var amb *AmbiguousError
			if len(want) > 1 {
				require.ErrorAs(t, err, &amb, tc.path)
				require.Len(t, amb.Candidates, len(want), tc.path)
				for i := range want {
					require.Equal(t, want[i].Values, amb.Candidates[i].Values, tc.path)
				}
				if len(want) == maxCandidates {
					ambiguous++
				}
			}
		}
	}
	t.Logf("%d paths read the same by both matchers, %d with readings, %d with several", compared, matched, ambiguous)
	require.Greater(t, matched, compared/50)
	require.Greater(t, ambiguous, 10)
}
