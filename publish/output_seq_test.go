package publish

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
)

// frames writes the frames of dir/base<frame>ext, each holding its name.
func (f *outFixture) frames(t *testing.T, dir, base, ext string, pad int, frames ...int) {
	t.Helper()
	for _, fr := range frames {
		name := base + formatFrame(fr, pad) + ext
		write(t, f.fs, filepath.Join(f.src, dir, name), "pixels of "+name)
	}
}

func span(a, b int) []int {
	var out []int
	for i := a; i <= b; i++ {
		out = append(out, i)
	}
	return out
}

// TestOutputSequences publishes image sequences given in every form
// against the real Zou: a pattern with #, %04d, $F4 and an explicit
// range, a folder, one frame; with gaps and negative frames. Each is one
// record with nb_elements, Zou's _[1-N] path, and its frames, gaps and
// files in data; the frames are on disk under the tree's name with the
// source's padding.
func TestOutputSequences(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	f.frames(t, "a", "beauty.", ".exr", 4, append(span(1001, 1004), span(1006, 1010)...)...)
	f.frames(t, "b", "neg.", ".exr", 4, span(-3, 2)...)
	f.frames(t, "c", "fx_", ".exr", 3, span(1, 12)...)
	f.frames(t, "d", "dir.", ".dpx", 5, span(100, 104)...)
	f.frames(t, "e", "one.", ".png", 2, span(10, 20)...)
	f.frames(t, "r", "range.", ".exr", 4, span(1001, 1100)...)

	cases := []struct {
		name, spec, frames, gaps string
		n, pad                   int
		first, last              int
	}{
		{"hash", "a/beauty.####.exr", "1001-1004,1006-1010", "1005", 9, 4, 1001, 1010},
		{"printf", "b/neg.%04d.exr", "-3-2", "", 6, 4, -3, 2},
		{"houdini", "c/fx_$F3.exr", "1-12", "", 12, 3, 1, 12},
		{"folder", "d", "100-104", "", 5, 5, 100, 104},
		{"frame", "e/one.15.png", "10-20", "", 11, 2, 10, 20},
		{"range", "r/range.1001-1050#.exr", "1001-1050", "", 50, 4, 1001, 1050},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tg := f.target()
			tg.Name = tc.name
			res, err := f.o.Publish(ctx, &OutputRequest{Target: tg, Sources: []OutputSource{{Path: filepath.Join(f.src, tc.spec)}}})
			require.NoError(t, err)
			require.Equal(t, 1, res.Revision)
			got := res.Files[0]
			assert.Equal(t, tc.frames, got.Frames)
			require.Len(t, got.Paths, tc.n)
			frames, err := ParseFrameRange(tc.frames)
			require.NoError(t, err)
			ext := filepath.Ext(got.Paths[0])
			base := strings.TrimSuffix(got.TreePattern, "."+strings.Repeat("#", tc.pad)+ext)
			require.NotEqual(t, got.TreePattern, base, "the pattern shows the padding: %s", got.TreePattern)
			var files []SequenceFile
			var total int64
			for i, p := range got.Paths {
				assert.Equal(t, base+"."+formatFrame(frames[i], tc.pad)+ext, p)
				content := read(t, f.fs, p)
				require.True(t, strings.HasPrefix(content, "pixels of "), content)
				s, err := HashFile(f.fs, p)
				require.NoError(t, err)
				files = append(files, SequenceFile{Name: filepath.Base(p), Size: s.Size, SHA: s.Hex})
				total += s.Size
			}
			digest := SequenceDigest(files)
			assert.Equal(t, digest, got.Sum)
			rec := got.OutputFile
			assert.Equal(t, tc.n, rec.NbElements)
			assert.Equal(t, fmt.Sprintf("%s_[1-%d]%s", base, tc.n, ext), rec.Path)
			assert.Equal(t, total, rec.Size)
			assert.Equal(t, digest.Hex, rec.Checksum)
			d := rec.Data
			assert.Equal(t, digest.Hex, d["sha"])
			assert.Equal(t, tc.frames, d["frames"])
			assert.Equal(t, tc.gaps, d["gaps"])
			assert.Equal(t, float64(tc.first), d["first_frame"])
			assert.Equal(t, float64(tc.last), d["last_frame"])
			assert.Equal(t, float64(tc.n), d["nb_frames"])
			assert.Equal(t, got.TreePattern, d["pattern"])
			list, ok := d["files"].([]any)
			require.True(t, ok, "files: %T", d["files"])
			require.Len(t, list, tc.n)
			first := list[0].(map[string]any)
			assert.Equal(t, files[0].Name, first["name"])
			assert.Equal(t, files[0].SHA, first["sha"])

			again, err := f.o.Publish(ctx, &OutputRequest{Target: tg, Sources: []OutputSource{{Path: filepath.Join(f.src, tc.spec)}}})
			require.NoError(t, err)
			assert.True(t, again.AlreadyPublished, "the same frames again: the same revision")
			assert.Equal(t, 1, again.Revision)
		})
	}
}

// TestOutputSequenceRefused: a padding mismatch, two files of one frame,
// a pattern that matches nothing, and a folder of two sequences are
// refused before anything is written.
func TestOutputSequenceRefused(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	f.frames(t, "pad", "p.", ".exr", 4, 1, 2)
	write(t, f.fs, filepath.Join(f.src, "pad", "p.3.exr"), "x")
	f.frames(t, "two", "a.", ".exr", 4, 1, 2)
	f.frames(t, "two", "b.", ".exr", 4, 1, 2)
	for _, spec := range []string{"pad/p.####.exr", "pad", "nothing/n.####.exr", "two"} {
		_, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: filepath.Join(f.src, spec)}}})
		require.ErrorIs(t, err, ErrSequence, spec)
	}
	assert.Empty(t, files(t, f.fs, f.root), "nothing written")
	assert.Empty(t, f.records(t))
}

// TestOutputThousandFrames publishes a sequence of 1,000 small frames
// against the real Zou, and logs how long it takes.
func TestOutputThousandFrames(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	f.frames(t, "k", "big.", ".exr", 4, span(1, 1000)...)
	start := time.Now()
	res, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: filepath.Join(f.src, "k")}}})
	require.NoError(t, err)
	t.Logf("1,000 frames published in %v", time.Since(start).Round(time.Millisecond))
	require.Len(t, res.Files[0].Paths, 1000)
	assert.Equal(t, "1-1000", res.Files[0].Frames)
	assert.Equal(t, 1000, res.Files[0].OutputFile.NbElements)
	dir := filepath.Dir(res.Files[0].Paths[0])
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1000, "the frames and nothing else")
}
