package filetree

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// craftedTree has file names made of tokens the folders do not fix, free
// (separated by _) and adjacent (nothing between them): the shapes that
// made a backtracking matcher take exponential time.
const craftedTree = `{
 "free": {"mountpoint": "/c", "root": "free",
  "folder_path": {"shot": "<Shot>"},
  "file_name": {"shot": "<Project>_<Sequence>_<TaskType>_<Software>_<Name>_v<Version>"}},
 "adjacent": {"mountpoint": "/c", "root": "adjacent",
  "folder_path": {"shot": "<Shot>"},
  "file_name": {"shot": "<Project><Sequence><TaskType><Software><Name>v<Version>"}},
 "folders": {"mountpoint": "/c", "root": "folders",
  "folder_path": {"shot": "<Project>_<Sequence>/<TaskType>_<Software>"},
  "file_name": {"shot": "<Project>_<Sequence>_<TaskType>_<Software>_<Shot>_v<Version>"}}
}`

// craftedCase is a path meant to be slow to read, and whether it has a
// reading.
type craftedCase struct {
	name    string
	path    string
	matches bool
	// giveUp allows Parse to stop on a path that splits too many ways
	// (a truncated AmbiguousError) instead of reading it to the end.
	giveUp bool
}

// craftedPaths builds paths whose file name (or folders) hold n
// characters of one-letter words, with and without the version that
// lets them match.
func craftedPaths(n int) []craftedCase {
	words := func(n int, sep string) string {
		var b strings.Builder
		for b.Len() < n {
			if b.Len() > 0 {
				b.WriteString(sep)
			}
			b.WriteByte('a' + byte(b.Len()%26))
		}
		return b.String()
	}
	under, tight := words(n, "_"), words(n, "")
	return []craftedCase{
		{"free tokens, no version", "/c/free/sh010/" + under + "_vx.ma", false, false},
		{"free tokens, version", "/c/free/sh010/" + under + "_v001.ma", true, false},
		{"adjacent tokens, no version", "/c/adjacent/sh010/" + tight + "vx.ma", false, false},
		{"adjacent tokens, version", "/c/adjacent/sh010/" + tight + "v001.ma", true, false},
		{"split folders", "/c/folders/" + words(n/2, "_") + "/" + words(n/2, "_") + "/" + under + "_v001.ma", false, true},
		{"default tree, long name", "/prod/work/p/shots/s/sh/anim/maya/p_s_sh_anim_" + under + "_v012.ma", true, false},
		{"default tree, no version", "/prod/work/p/shots/s/sh/anim/maya/p_s_sh_anim_" + under + "_v.ma", false, false},
	}
}

func mustCraftedTree(t testing.TB) *Tree {
	t.Helper()
	tr, err := Parse([]byte(craftedTree))
	require.NoError(t, err)
	return tr
}

// TestParseCrafted reads crafted paths of up to 4,096 characters: each
// read must return (a few seconds guard against a hang, it is not a
// timing assertion) with a reading or a clean error.
func TestParseCrafted(t *testing.T) {
	trees := []*Tree{mustCraftedTree(t), Default()}
	for _, n := range []int{16, 200, 416, 816, 4096} {
		for _, tc := range craftedPaths(n) {
			t.Run(fmt.Sprintf("%s/%d", tc.name, n), func(t *testing.T) {
				tr := trees[0]
				if strings.HasPrefix(tc.path, "/prod/") {
					tr = trees[1]
				}
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				type result struct {
					p   *Parsed
					err error
				}
				done := make(chan result, 1)
				go func() {
					p, err := tr.Parse(tc.path)
					done <- result{p, err}
				}()
				select {
				case <-ctx.Done():
					t.Fatalf("Parse of a %d-character path did not return", len(tc.path))
				case r := <-done:
					var amb *AmbiguousError
					switch {
					case errors.As(r.err, &amb) && amb.Truncated && len(amb.Candidates) == 0:
						require.True(t, tc.giveUp, "%v", r.err)
						require.Contains(t, r.err.Error(), "splits too many ways")
					case errors.As(r.err, &amb):
						require.True(t, tc.matches, "read %d ways", len(amb.Candidates))
						require.NotEmpty(t, amb.Candidates)
						require.LessOrEqual(t, len(amb.Candidates), maxCandidates)
					case r.err != nil:
						require.False(t, tc.matches, "%v", r.err)
						require.ErrorIs(t, r.err, ErrNoMatch)
					default:
						require.True(t, tc.matches, "read as %v", r.p)
					}
				}
			})
		}
	}
}

// BenchmarkParseCrafted reads the crafted paths at growing lengths.
func BenchmarkParseCrafted(b *testing.B) {
	tr := mustCraftedTree(b)
	def := Default()
	for _, n := range []int{64, 256, 1024, 4096} {
		for _, tc := range craftedPaths(n) {
			t := tr
			if strings.HasPrefix(tc.path, "/prod/") {
				t = def
			}
			b.Run(fmt.Sprintf("%s/%d", strings.ReplaceAll(tc.name, " ", "_"), n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					_, _ = t.Parse(tc.path)
				}
			})
		}
	}
}
