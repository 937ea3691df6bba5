package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
)

func TestParseFrameRange(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
	}{
		{"1", []int{1}},
		{"1-5", []int{1, 2, 3, 4, 5}},
		{"1-10x3", []int{1, 4, 7, 10}},
		{"1-100x2,200", append(stepped(1, 99, 2), 200)},
		{"1-3,20,30-32", []int{1, 2, 3, 20, 30, 31, 32}},
		{"-10--1", stepped(-10, -1, 1)},
		{"-5-5", stepped(-5, 5, 1)},
		{"-3", []int{-3}},
		{"5-1", []int{1, 2, 3, 4, 5}},
		{"10-1x3", []int{1, 4, 7, 10}},
		{"1-5,3-7", stepped(1, 7, 1)},
		{" 1-2 , 4 ", []int{1, 2, 4}},
		{"1001-1100", stepped(1001, 1100, 1)},
		{"0", []int{0}},
		{"1-1000000", nil}, // exactly the bound: checked by length below
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFrameRange(tc.in)
			require.NoError(t, err)
			if tc.want == nil {
				require.Len(t, got, MaxSequenceFrames)
				return
			}
			require.Equal(t, tc.want, got)
		})
	}
}

func TestParseFrameRangeRefused(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "empty frame range"},
		{"  ", "empty frame range"},
		{"1-10000000", "more than 1000000 frames"},
		{"1-600000,700000-1300000", "more than 1000000 frames"},
		{"1-10x0", "step \"0\""},
		{"1-10x-1", "step \"-1\""},
		{"1-10x", "want N, A-B or A-BxS"},
		{"a", "chunk \"a\""},
		{"1,,2", "chunk \"\""},
		{"1-", "chunk \"1-\""},
		{"1--", "chunk \"1--\""},
		{"1-2-3", "chunk \"1-2-3\""},
		{"1x2", "chunk \"1x2\""},
		{"1234567890", "up to 999999999"},
		{"1-99999999999999999999", "up to 999999999"},
		{"1\x00", "chunk"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseFrameRange(tc.in)
			require.Error(t, err)
			require.Nil(t, got)
			require.ErrorIs(t, err, ErrSequence)
			require.Contains(t, err.Error(), tc.want)
			require.Contains(t, err.Error(), fmt.Sprintf("%q", tc.in), "the error names the input")
		})
	}
}

func TestFormatFrameRange(t *testing.T) {
	for _, tc := range []struct {
		frames []int
		want   string
	}{
		{nil, ""},
		{[]int{7}, "7"},
		{stepped(1001, 1100, 1), "1001-1100"},
		{append(stepped(1, 10, 1), stepped(12, 20, 1)...), "1-10,12-20"},
		{stepped(1, 99, 2), "1-99x2"},
		{[]int{1, 3}, "1,3"},
		{[]int{1, 3, 4, 5}, "1,3-5"},
		{stepped(-10, -1, 1), "-10--1"},
		{stepped(-5, 5, 1), "-5-5"},
		{[]int{-3, 0, 3, 10}, "-3-3x3,10"},
	} {
		t.Run(tc.want, func(t *testing.T) {
			got := FormatFrameRange(tc.frames)
			require.Equal(t, tc.want, got)
			if tc.frames != nil {
				back, err := ParseFrameRange(got)
				require.NoError(t, err)
				require.Equal(t, tc.frames, back)
			}
		})
	}
}

func TestParsePattern(t *testing.T) {
	for _, tc := range []struct {
		in     string
		want   Pattern
		frame1 string // Path(1)
	}{
		{"name.####.exr", Pattern{Base: "name.", Ext: ".exr", Pad: 4, Style: PadHash}, "name.0001.exr"},
		{"name.#.exr", Pattern{Base: "name.", Ext: ".exr", Pad: 4, Style: PadHash}, "name.0001.exr"},
		{"name.@.exr", Pattern{Base: "name.", Ext: ".exr", Pad: 1, Style: PadHash}, "name.1.exr"},
		{"name.@@@.exr", Pattern{Base: "name.", Ext: ".exr", Pad: 3, Style: PadHash}, "name.001.exr"},
		{"name.##.exr", Pattern{Base: "name.", Ext: ".exr", Pad: 2, Style: PadHash}, "name.01.exr"},
		{"name.%04d.exr", Pattern{Base: "name.", Ext: ".exr", Pad: 4, Style: PadPrintf}, "name.0001.exr"},
		{"name.%d.exr", Pattern{Base: "name.", Ext: ".exr", Pad: 1, Style: PadPrintf}, "name.1.exr"},
		{"name.$F4.exr", Pattern{Base: "name.", Ext: ".exr", Pad: 4, Style: PadHoudini}, "name.0001.exr"},
		{"name.$F.exr", Pattern{Base: "name.", Ext: ".exr", Pad: 1, Style: PadHoudini}, "name.1.exr"},
		{"/r/sh010/name.1001-1100#.exr", Pattern{Dir: "/r/sh010", Base: "name.", Ext: ".exr", Pad: 4, Style: PadHash, Frames: stepped(1001, 1100, 1)}, "/r/sh010/name.0001.exr"},
		{"name.1-10,12-20@@.exr", Pattern{Base: "name.", Ext: ".exr", Pad: 2, Style: PadHash, Frames: append(stepped(1, 10, 1), stepped(12, 20, 1)...)}, "name.01.exr"},
		{"name.-10--1@@@.exr", Pattern{Base: "name.", Ext: ".exr", Pad: 3, Style: PadHash, Frames: stepped(-10, -1, 1)}, "name.001.exr"},
		{"name.1-9x4#.exr", Pattern{Base: "name.", Ext: ".exr", Pad: 4, Style: PadHash, Frames: []int{1, 5, 9}}, "name.0001.exr"},
		{"shot010.v002.####.exr", Pattern{Base: "shot010.v002.", Ext: ".exr", Pad: 4, Style: PadHash}, "shot010.v002.0001.exr"},
		{"shot010.v002.1001-1003#.exr", Pattern{Base: "shot010.v002.", Ext: ".exr", Pad: 4, Style: PadHash, Frames: []int{1001, 1002, 1003}}, "shot010.v002.0001.exr"},
		{"fx1-3#.exr", Pattern{Base: "fx", Ext: ".exr", Pad: 4, Style: PadHash, Frames: []int{1, 2, 3}}, "fx0001.exr"},
		{"shot-1-3#.exr", Pattern{Base: "shot-", Ext: ".exr", Pad: 4, Style: PadHash, Frames: []int{1, 2, 3}}, "shot-0001.exr"},
		{"name.#", Pattern{Base: "name.", Pad: 4, Style: PadHash}, "name.0001"},
		// Runs of range characters that are no frame range stay in the base.
		{"v1-2-3#.exr", Pattern{Base: "v1-2-3", Ext: ".exr", Pad: 4, Style: PadHash}, "v1-2-30001.exr"},
		{"a1234567890#.exr", Pattern{Base: "a1234567890", Ext: ".exr", Pad: 4, Style: PadHash}, "a12345678900001.exr"},
		{"A0,-1#", Pattern{Base: "A0,-1", Pad: 4, Style: PadHash}, "A0,-10001"},
		{"a.0001-0003#.exr", Pattern{Base: "a.", Ext: ".exr", Pad: 4, Style: PadHash, Frames: []int{1, 2, 3}}, "a.0001.exr"},
		{"rel/dir/img_$F3.tif", Pattern{Dir: "rel/dir", Base: "img_", Ext: ".tif", Pad: 3, Style: PadHoudini}, "rel/dir/img_001.tif"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			p, err := ParsePattern(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, p)
			require.Equal(t, tc.frame1, p.Path(1))
			back, err := ParsePattern(p.String())
			require.NoError(t, err)
			require.Equal(t, p, back, "String %q parses back", p.String())
		})
	}
}

func TestParsePatternRefused(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "empty"},
		{"name.exr", "no frame padding"},
		{"name.####.####.exr", "more than one frame padding"},
		{"name.%04d.$F4.exr", "more than one frame padding"},
		{"name.%4d.exr", "printf padding"},
		{"name.%0d.exr", "printf padding"},
		{"name.%04x.exr", "printf padding"},
		{"100%.####.exr", "a % outside the padding"},
		{"%-0#", "a % outside the padding"},
		{"name.$F0.exr", "Houdini padding"},
		{"name.$F99.exr", "Houdini padding"},
		{"name.#@.exr", "mixes # and @"},
		{"name.@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@.exr", "want at most 32"},
		{"../name.####.exr", "\"..\" element"},
		{"a/../../name.####.exr", "\"..\" element"},
		{"name\x00.####.exr", "control character"},
		{"name\n.####.exr", "control character"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			_, err := ParsePattern(tc.in)
			require.Error(t, err)
			require.ErrorIs(t, err, ErrSequence)
			require.Contains(t, err.Error(), tc.want)
			require.Contains(t, err.Error(), fmt.Sprintf("%q", tc.in), "the error names the input")
		})
	}
}

func TestSequenceMethods(t *testing.T) {
	s := &Sequence{Dir: "/r", Base: "name.", Ext: ".exr", Pad: 4, Frames: append(stepped(1, 10, 1), stepped(12, 20, 1)...)}
	require.Equal(t, "/r/name.1-10,12-20#.exr", s.String())
	require.Equal(t, "1-10,12-20", s.FrameRange())
	require.Equal(t, 1, s.First())
	require.Equal(t, 20, s.Last())
	require.Equal(t, 19, s.Len())
	require.Equal(t, []int{11}, s.Gaps())
	require.Equal(t, "11", s.Missing())
	require.Equal(t, "/r/name.0012.exr", s.Path(12))
	require.Equal(t, "/r/name.10000.exr", s.Path(10000), "wider than the pad")
	require.Equal(t, "/r/name.-0001.exr", s.Path(-1), "the minus outside the padding")
	require.Equal(t, "/r/name.%04d.exr", s.Template(PadPrintf))
	require.Equal(t, "/r/name.$F4.exr", s.Template(PadHoudini))
	require.Equal(t, "/r/name.#.exr", s.Template(PadHash))
	require.Len(t, s.Paths(), 19)
	require.Equal(t, "/r/name.0020.exr", s.Paths()[18])

	neg := &Sequence{Base: "n.", Ext: ".exr", Pad: 3, Frames: []int{-10, -9, -5, -1, 0, 1}}
	require.Equal(t, "n.-10--9,-5,-1-1@@@.exr", neg.String())
	require.Equal(t, "n.-001.exr", neg.Path(-1))
	require.Equal(t, []int{-8, -7, -6, -4, -3, -2}, neg.Gaps())
	require.Equal(t, "-8--6,-4--2", neg.Missing())
	p, err := ParsePattern(neg.String())
	require.NoError(t, err)
	require.Equal(t, neg.Frames, p.Frames)

	huge := &Sequence{Base: "n.", Pad: 1, Frames: []int{-MaxFrame, MaxFrame}}
	require.Len(t, huge.Gaps(), MaxSequenceFrames, "Gaps is bounded")
	require.Equal(t, "-999999998-999999998", huge.Missing())

	var empty Sequence
	require.Equal(t, 0, empty.First())
	require.Equal(t, 0, empty.Last())
	require.Equal(t, 0, empty.Len())
	require.Empty(t, empty.Gaps())
	require.Equal(t, "", empty.Missing())
}

// seqFixture is a directory of frames on the real disk and one in memory.
type seqFixture struct {
	name string
	fs   afero.Fs
	root string
}

func seqFixtures(t *testing.T) []seqFixture {
	t.Helper()
	mem := afero.NewMemMapFs()
	require.NoError(t, mem.MkdirAll("/renders", 0o755))
	return []seqFixture{{"disk", afero.NewOsFs(), t.TempDir()}, {"memory", mem, "/renders"}}
}

func touch(t *testing.T, fsys afero.Fs, dir string, names ...string) {
	t.Helper()
	for _, n := range names {
		write(t, fsys, filepath.Join(dir, n), n)
	}
}

func frameNames(format string, frames []int) []string {
	out := make([]string, len(frames))
	for i, f := range frames {
		out[i] = fmt.Sprintf(format, formatFrame(f, 4))
	}
	return out
}

func TestFindSequenceThousandFrames(t *testing.T) {
	for _, f := range seqFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			dir := filepath.Join(f.root, "sh010")
			touch(t, f.fs, dir, frameNames("shot010.v002.%s.exr", stepped(1001, 2000, 1))...)
			// Neither hidden, temporary, claim nor other files are frames.
			touch(t, f.fs, dir, ".shot010.v002.2001.exr", ".shot010.v002.2002.exr.kpublish-tmp-0123456789abcdef",
				".shot010.v002.2003.exr.kpublish-claim", "shot010.v002.2004.exr.kpublish-claim", "notes.txt", "clip.mp4")
			require.NoError(t, f.fs.MkdirAll(filepath.Join(dir, "shot010.v002.2005.exr"), 0o755))
			want := dir + "/shot010.v002.1001-2000#.exr"
			for _, spec := range []string{dir, dir + "/", filepath.Join(dir, "shot010.v002.1500.exr"),
				dir + "/shot010.v002.####.exr", dir + "/shot010.v002.%04d.exr", dir + "/shot010.v002.$F4.exr", want} {
				s, err := FindSequence(f.fs, spec)
				require.NoError(t, err, spec)
				require.Equal(t, want, s.String(), spec)
				require.Equal(t, 1000, s.Len())
				require.Equal(t, 1001, s.First())
				require.Equal(t, 2000, s.Last())
				require.Empty(t, s.Gaps())
				require.Equal(t, "shot010.v002.", s.Base)
				require.Equal(t, ".exr", s.Ext)
				require.Equal(t, 4, s.Pad)
				for _, p := range []string{s.Path(1001), s.Path(2000)} {
					ok, err := afero.Exists(f.fs, p)
					require.NoError(t, err)
					require.True(t, ok, p)
				}
			}
			s, err := FindSequence(f.fs, dir+"/shot010.v002.%04d.exr")
			require.NoError(t, err)
			require.Equal(t, PadPrintf, s.Style)
			require.Equal(t, dir+"/shot010.v002.%04d.exr", s.Template(s.Style))
		})
	}
}

func TestFindSequenceForms(t *testing.T) {
	for _, f := range seqFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				files []string
				spec  string // relative to the directory; "" is the directory
				want  string // relative String
				gaps  []int
			}{
				{"gaps", frameNames("name.%s.exr", append(stepped(1, 10, 1), stepped(12, 20, 1)...)), "", "name.1-10,12-20#.exr", []int{11}},
				{"step", frameNames("name.%s.exr", stepped(1, 99, 2)), "name.0001.exr", "name.1-99x2#.exr", stepped(2, 98, 2)},
				{"negative", frameNames("name.%s.exr", stepped(-10, -1, 1)), "", "name.-10--1#.exr", nil},
				{"across zero", frameNames("name.%s.exr", stepped(-5, 5, 1)), "name.@@@@.exr", "name.-5-5#.exr", nil},
				{"negative three digits", []string{"n.-001.dpx", "n.000.dpx", "n.001.dpx"}, "", "n.-1-1@@@.dpx", nil},
				{"wider than the pad", []string{"n.9998.exr", "n.9999.exr", "n.10000.exr", "n.10001.exr"}, "", "n.9998-10001#.exr", nil},
				{"wider than the pad by pattern", []string{"n.9999.exr", "n.10000.exr"}, "n.####.exr", "n.9999-10000#.exr", nil},
				{"unpadded", []string{"n.8.exr", "n.9.exr", "n.10.exr", "n.11.exr"}, "", "n.8-11@.exr", nil},
				{"unpadded houdini", []string{"n.8.exr", "n.9.exr", "n.10.exr"}, "n.$F.exr", "n.8-10@.exr", nil},
				{"three digits", []string{"n.001.exr", "n.002.exr", "n.004.exr"}, "", "n.1-2,4@@@.exr", []int{3}},
				{"no extension", []string{"n.0001", "n.0002"}, "n.0001", "n.1-2#", nil},
				{"no separator", []string{"img0001.tif", "img0002.tif"}, "", "img1-2#.tif", nil},
				{"dash is the base's", []string{"shot-0001.exr", "shot-0002.exr"}, "", "shot-1-2#.exr", nil},
				{"explicit range subset", frameNames("name.%s.exr", stepped(1, 20, 1)), "name.5-8#.exr", "name.5-8#.exr", nil},
				{"other sequence beside by pattern", append(frameNames("a.%s.exr", []int{1, 2}), "b.0001.exr"), "a.#.exr", "a.1-2#.exr", nil},
				{"huge number beside", []string{"a.0001.exr", "a.0002.exr", "log.12345678901.txt"}, "a.0001.exr", "a.1-2#.exr", nil},
				{"huge number beside by pattern", []string{"a.0001.exr", "log.12345678901.txt"}, "a.#.exr", "a.1#.exr", nil},
			} {
				t.Run(tc.name, func(t *testing.T) {
					dir := filepath.Join(f.root, strings.ReplaceAll(tc.name, " ", "_"))
					touch(t, f.fs, dir, tc.files...)
					spec := dir
					if tc.spec != "" {
						spec = filepath.Join(dir, tc.spec)
					}
					s, err := FindSequence(f.fs, spec)
					require.NoError(t, err)
					require.Equal(t, filepath.Join(dir, tc.want), s.String())
					require.Equal(t, tc.gaps, s.Gaps())
					for _, fr := range s.Frames {
						ok, err := afero.Exists(f.fs, s.Path(fr))
						require.NoError(t, err)
						require.True(t, ok, s.Path(fr))
					}
					// The canonical form finds the same sequence again.
					again, err := FindSequence(f.fs, s.String())
					require.NoError(t, err)
					require.Equal(t, s.Frames, again.Frames)
				})
			}
		})
	}
}

func TestFindSequenceRefused(t *testing.T) {
	for _, f := range seqFixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			for _, tc := range []struct {
				name     string
				files    []string
				spec     string
				want     []string
				notExist bool
			}{
				{"padding mismatch", []string{"name.1.exr", "name.0002.exr", "name.0003.exr"}, "", []string{"padding differs", `"name.0002.exr"`, `"name.1.exr"`}, false},
				{"padding mismatch from a frame", []string{"name.1.exr", "name.0002.exr"}, "name.0002.exr", []string{"padding differs", `"name.0002.exr"`, `"name.1.exr"`}, false},
				{"padding mismatch by pattern", []string{"name.1.exr", "name.0002.exr"}, "name.####.exr", []string{"padding differs", `"name.1.exr"`, "not 4 digits"}, false},
				{"many mismatches", append([]string{"n.0001.exr"}, "n.2.exr", "n.3.exr", "n.4.exr", "n.5.exr", "n.6.exr", "n.7.exr",
					"n.8.exr", "n.9.exr", "n.10.exr", "n.11.exr", "n.12.exr", "n.13.exr"), "", []string{`"n.0001.exr" padded to 4 digits`, `"n.10.exr"`, "and 2 more"}, false},
				{"two paddings", []string{"name.001.exr", "name.0002.exr"}, "", []string{"padding differs"}, false},
				{"duplicate frame", []string{"name.0001.exr", "name.001.exr", "name.0002.exr"}, "", []string{`"name.0001.exr"`, `"name.001.exr"`, "both frame 1"}, false},
				{"two sequences", []string{"a.0001.exr", "a.0002.exr", "b.0001.exr", "b.0003.exr"}, "", []string{"2 image sequences", "a.1-2#.exr", "b.1,3#.exr", "want exactly one"}, false},
				{"no sequence", []string{"notes.txt", ".hidden.0001.exr"}, "", []string{"no image sequence"}, true},
				{"missing frames of the range", frameNames("name.%s.exr", []int{1, 2, 4}), "name.1-5#.exr", []string{"frames 3,5 of the range are missing"}, true},
				{"no match", []string{"a.0001.exr"}, "b.####.exr", []string{"no frame matches"}, true},
				{"nothing there", nil, "gone.0001.exr", []string{"no such file"}, true},
				{"not a frame file", []string{"notes.txt"}, "notes.txt", []string{"no frame number"}, false},
				{"frame too big", []string{"n.1234567890.exr", "n.0001.exr"}, "", []string{`"n.1234567890.exr"`, "want at most 999999999"}, false},
				{"frame too big from a frame", []string{"n.1234567890.exr", "n.0001.exr"}, "n.0001.exr", []string{`"n.1234567890.exr"`, "want at most 999999999"}, false},
				{"frame too big by pattern", []string{"n.1234567890.exr", "n.0001.exr"}, "n.#.exr", []string{`"n.1234567890.exr"`, "want at most 999999999"}, false},
				{"control character", nil, "n\x00.0001.exr", []string{"control character"}, false},
			} {
				t.Run(tc.name, func(t *testing.T) {
					dir := filepath.Join(f.root, strings.ReplaceAll(tc.name, " ", "_"))
					touch(t, f.fs, dir, tc.files...)
					require.NoError(t, f.fs.MkdirAll(dir, 0o755))
					spec := dir
					if tc.spec != "" {
						spec = dir + "/" + tc.spec
					}
					s, err := FindSequence(f.fs, spec)
					require.Error(t, err)
					require.Nil(t, s)
					require.ErrorIs(t, err, ErrSequence)
					require.Equal(t, tc.notExist, errors.Is(err, fs.ErrNotExist), err.Error())
					require.Contains(t, err.Error(), fmt.Sprintf("%q", spec), "the error names the input")
					for _, w := range tc.want {
						require.Contains(t, err.Error(), w)
					}
				})
			}
		})
	}
	_, err := FindSequence(nil, "x.####.exr")
	require.ErrorIs(t, err, ErrSequence)
	_, err = FindSequence(afero.NewMemMapFs(), "/r/../etc/x.####.exr")
	require.ErrorContains(t, err, `".." element`)
}

func stepped(a, b, step int) []int {
	var out []int
	for f := a; f <= b; f += step {
		out = append(out, f)
	}
	return out
}

func FuzzParseFrameRange(f *testing.F) {
	for _, s := range []string{"1", "1-100x2,200", "1-10,20,30-40", "-10--1", "-5-5", "10-1x3", "1-10000000", "", "1-x", "--1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		frames, err := ParseFrameRange(s)
		if err != nil {
			if !errors.Is(err, ErrSequence) {
				t.Fatalf("ParseFrameRange(%q): error %v does not match ErrSequence", s, err)
			}
			return
		}
		if len(frames) == 0 || len(frames) > MaxSequenceFrames {
			t.Fatalf("ParseFrameRange(%q): %d frames", s, len(frames))
		}
		for i := 1; i < len(frames); i++ {
			if frames[i] <= frames[i-1] {
				t.Fatalf("ParseFrameRange(%q): not sorted and distinct at %d", s, i)
			}
		}
		back, err := ParseFrameRange(FormatFrameRange(frames))
		if err != nil {
			t.Fatalf("ParseFrameRange(%q): FormatFrameRange %q does not parse: %v", s, FormatFrameRange(frames), err)
		}
		if fmt.Sprint(back) != fmt.Sprint(frames) {
			t.Fatalf("ParseFrameRange(%q): FormatFrameRange round trip differs", s)
		}
	})
}

func FuzzParsePattern(f *testing.F) {
	for _, s := range []string{"name.####.exr", "name.%s.exr", "name.$F4.exr", "name.1001-1100#.exr", "/r/a.-5-5@@@.dpx",
		"shot010.v002.#.exr", "name.%4d.exr", "../x.#", "x\x00.#", "a.$F.b", "%0", "$F"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePattern(s)
		if err != nil {
			if !errors.Is(err, ErrSequence) {
				t.Fatalf("ParsePattern(%q): error %v does not match ErrSequence", s, err)
			}
			return
		}
		if p.Pad < 1 || p.Pad > MaxPad {
			t.Fatalf("ParsePattern(%q): pad %d", s, p.Pad)
		}
		for _, fr := range []int{-MaxFrame, -1, 0, 7, MaxFrame} {
			if path := p.Path(fr); !strings.HasSuffix(path, formatFrame(fr, p.Pad)+p.Ext) {
				t.Fatalf("ParsePattern(%q): Path(%d) = %q", s, fr, path)
			}
		}
		back, err := ParsePattern(p.String())
		if err != nil {
			t.Fatalf("ParsePattern(%q): String %q does not parse: %v", s, p.String(), err)
		}
		if fmt.Sprintf("%+v", back) != fmt.Sprintf("%+v", p) {
			t.Fatalf("ParsePattern(%q) = %+v, but its String %q parses to %+v", s, p, p.String(), back)
		}
	})
}
