package publish

import (
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

var revRe = regexp.MustCompile(`_v(\d{3})[./]`)

func revOf(p string) (int, bool) {
	m := revRe.FindStringSubmatch(filepath.ToSlash(p))
	if m == nil {
		return 0, false
	}
	n, _ := strconv.Atoi(m[1])
	return n, true
}

func TestDiskRevisions(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			sh := filepath.Join(f.root, "shots", "sh010")
			for _, p := range []string{
				"anim_v001.ma", "anim_v003.ma", "anim_v010.ma",
				"render_v002/beauty.0001.exr", "render_v002/beauty.0002.exr",
				".anim_v004.ma" + ClaimSuffix, ".anim_v005.ma" + TempInfix + "0123456789abcdef",
				"notes.txt",
			} {
				write(t, f.fs, filepath.Join(sh, p), "x")
			}
			got, err := f.s.DiskRevisions("shots/**/*", revOf)
			require.NoError(t, err)
			require.Equal(t, []DiskRevision{
				{1, []string{filepath.Join(sh, "anim_v001.ma")}},
				{2, []string{filepath.Join(sh, "render_v002", "beauty.0001.exr"), filepath.Join(sh, "render_v002", "beauty.0002.exr")}},
				{3, []string{filepath.Join(sh, "anim_v003.ma")}},
				{10, []string{filepath.Join(sh, "anim_v010.ma")}},
			}, got, "claim, temporary and unparsed files are passed over")
			require.Equal(t, []int{1, 2, 3, 10}, Revisions(got))

			abs, err := f.s.DiskRevisions(filepath.Join(sh, "anim_v*.ma"), revOf)
			require.NoError(t, err)
			require.Equal(t, []int{1, 3, 10}, Revisions(abs))

			none, err := f.s.DiskRevisions("props/**/*.ma", revOf)
			require.NoError(t, err)
			require.Empty(t, none)

			_, err = f.s.DiskRevisions("shots/[", revOf)
			require.ErrorContains(t, err, "not a valid glob")
			_, err = f.s.DiskRevisions("/elsewhere/*", revOf)
			require.ErrorIs(t, err, ErrUnsafePath)
			_, err = f.s.DiskRevisions("*", nil)
			require.ErrorContains(t, err, "nil revOf")

			list, err := f.s.DiskRevisionsOf([]string{
				filepath.Join(sh, "anim_v003.ma"), filepath.Join(sh, "anim_v003.ma"),
				filepath.Join(sh, "anim_v099.ma"), // absent
				filepath.Join(sh, ".anim_v004.ma"+ClaimSuffix),
				filepath.Join(sh, "render_v002"), // a folder
			}, revOf)
			require.NoError(t, err)
			require.Equal(t, []DiskRevision{{3, []string{filepath.Join(sh, "anim_v003.ma")}}}, list)
		})
	}
}

func TestNextRevision(t *testing.T) {
	cases := []struct {
		name      string
		kitsuLast int
		disk      []int
		next      int
		disagree  string
	}{
		{"nothing yet", 0, nil, 1, ""},
		{"agree", 3, []int{1, 2, 3}, 4, ""},
		{"gaps agree on the last", 7, []int{2, 7}, 8, ""},
		{"disk ahead", 3, []int{1, 2, 3, 5}, 6, "the disk holds revision 5, above Kitsu's last revision 3"},
		{"kitsu ahead", 4, []int{1, 2}, 5, "Kitsu's last revision 4 has no file on disk (highest on disk: 2)"},
		{"kitsu only", 2, nil, 3, "Kitsu's last revision 2 has no file on disk"},
		{"disk only", 0, []int{1}, 2, "the disk holds revision 1, above Kitsu's last revision 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, err := NextRevision(c.kitsuLast, c.disk)
			require.NoError(t, err)
			require.Equal(t, c.next, n.Revision)
			if c.disagree == "" {
				require.Empty(t, n.Disagreement)
			} else {
				require.Contains(t, n.Disagreement, c.disagree)
			}
		})
	}
	_, err := NextRevision(-1, nil)
	require.ErrorContains(t, err, "Kitsu's last revision -1: want 0 or more")
	_, err = NextRevision(1, []int{-2})
	require.ErrorContains(t, err, "disk revision -2: want 0 or more")
}
