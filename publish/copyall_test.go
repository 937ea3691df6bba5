package publish

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/zeebo/xxh3"
)

// TestCopyAll copies 50 files four at a time, on disk and in memory:
// every result at its job's index, every file once.
func TestCopyAll(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			var jobs []CopyJob
			for i := range 50 {
				src := filepath.Join(f.root, "render", fmt.Sprintf("f.%04d.exr", i))
				write(t, f.fs, src, fmt.Sprintf("frame %d", i))
				jobs = append(jobs, CopyJob{Src: src, Dst: filepath.Join(f.root, "pub", fmt.Sprintf("o.%04d.exr", i))})
			}
			var done, bytes atomic.Int64
			res, err := f.s.CopyAll(context.Background(), jobs, &CopyAllOptions{
				CopyOptions: CopyOptions{Verify: true, ReadOnly: true, Progress: func(n int64) { bytes.Add(n) }},
				FileDone:    func() { done.Add(1) },
			})
			require.NoError(t, err)
			require.Len(t, res, 50)
			var total int64
			for i, r := range res {
				content := fmt.Sprintf("frame %d", i)
				require.Equal(t, jobs[i].Dst, r.Path)
				d := xxh3.HashString128(content).Bytes()
				require.Equal(t, hexOf(d[:]), r.Hex)
				require.Equal(t, content, read(t, f.fs, r.Path))
				total += int64(len(content))
			}
			require.Equal(t, int64(50), done.Load())
			require.Equal(t, total, bytes.Load())
			require.Len(t, files(t, f.fs, filepath.Join(f.root, "pub")), 50, "no temporary file is left")
		})
	}
}

// TestCopyAllStopsOnExisting: one destination exists; CopyAll returns
// ErrExists, the existing file is untouched, and the results name
// exactly the files it placed.
func TestCopyAllStopsOnExisting(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			var jobs []CopyJob
			for i := range 40 {
				src := filepath.Join(f.root, "render", fmt.Sprintf("f.%04d.exr", i))
				write(t, f.fs, src, "new")
				jobs = append(jobs, CopyJob{Src: src, Dst: filepath.Join(f.root, "pub", fmt.Sprintf("o.%04d.exr", i))})
			}
			write(t, f.fs, jobs[3].Dst, "someone else's")
			res, err := f.s.CopyAll(context.Background(), jobs, &CopyAllOptions{Workers: 2})
			require.ErrorIs(t, err, ErrExists)
			require.Len(t, res, 40)
			require.Equal(t, "someone else's", read(t, f.fs, jobs[3].Dst))
			placed := map[string]bool{jobs[3].Dst: true}
			for i, r := range res {
				if r.Path != "" {
					require.Equal(t, jobs[i].Dst, r.Path)
					placed[r.Path] = true
				}
			}
			require.Less(t, len(placed), 40, "copies stop after the failure")
			var onDisk []string
			for _, n := range files(t, f.fs, filepath.Join(f.root, "pub")) {
				p := filepath.Join(f.root, "pub", n)
				require.True(t, placed[p], "%s is placed but not in the results (or a temporary file)", n)
				onDisk = append(onDisk, p)
			}
			require.Len(t, onDisk, len(placed))
		})
	}
}

// TestCopyAllRefuses: duplicate destinations, a destination outside the
// root and a negative worker count are refused before anything is
// written; a cancelled context copies nothing.
func TestCopyAllRefuses(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			src := filepath.Join(f.root, "src.bin")
			write(t, f.fs, src, "x")
			a := filepath.Join(f.root, "pub", "a.bin")
			_, err := f.s.CopyAll(context.Background(), []CopyJob{{src, a}, {src, a}}, nil)
			require.ErrorContains(t, err, "both copy to")
			_, err = f.s.CopyAll(context.Background(), []CopyJob{{src, a}, {src, "/elsewhere/b.bin"}}, nil)
			require.ErrorIs(t, err, ErrUnsafePath)
			_, err = f.s.CopyAll(context.Background(), []CopyJob{{src, a}}, &CopyAllOptions{Workers: -1})
			require.ErrorContains(t, err, "-1 workers")
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			res, err := f.s.CopyAll(ctx, []CopyJob{{src, a}}, nil)
			require.ErrorIs(t, err, context.Canceled)
			require.Equal(t, "", res[0].Path)
			require.Equal(t, []string{"src.bin"}, files(t, f.fs, f.root), "nothing was written")
		})
	}
}

func TestSequenceDigest(t *testing.T) {
	files := []SequenceFile{{"a.0001.exr", 3, "00112233445566778899aabbccddeeff"}, {"a.0002.exr", 5, "ffeeddccbbaa99887766554433221100"}}
	got := SequenceDigest(files)
	d := xxh3.HashString128("a.0001.exr\t3\t00112233445566778899aabbccddeeff\na.0002.exr\t5\tffeeddccbbaa99887766554433221100\n").Bytes()
	require.Equal(t, Sum{Algorithm: Algorithm, Hex: hexOf(d[:]), Size: 8}, got)
	swapped := SequenceDigest([]SequenceFile{files[1], files[0]})
	require.NotEqual(t, got.Hex, swapped.Hex, "frame order counts")
	renamed := []SequenceFile{files[0], {"a.0003.exr", 5, files[1].SHA}}
	require.NotEqual(t, got.Hex, SequenceDigest(renamed).Hex, "names count")
	empty := SequenceDigest(nil)
	require.Equal(t, int64(0), empty.Size)
	require.Len(t, empty.Hex, 32)
}
