package publish

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
	"github.com/zeebo/xxh3"
)

func TestCopyNoReplace(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			content := strings.Repeat("frame data ", 1<<20) // 11 MiB: several buffers
			src := filepath.Join(f.root, "work", "scene.ma")
			write(t, f.fs, src, content)
			dst := filepath.Join(f.root, "publish", "sh010", "scene_v001.ma")

			res, err := f.s.CopyNoReplace(context.Background(), src, dst, &CopyOptions{Verify: true, ReadOnly: true})
			require.NoError(t, err)
			require.Equal(t, content, read(t, f.fs, dst))
			want := xxh3.HashString128(content).Bytes()
			require.Equal(t, Result{Path: dst, Sum: Sum{Algorithm: "xxh3-128", Hex: hexOf(want[:]), Size: int64(len(content))}, Verified: true}, res)
			require.Len(t, res.Checksum32(), 32)
			require.GreaterOrEqual(t, res.ChecksumInt(), int32(0))
			again, err := HashFile(f.fs, dst)
			require.NoError(t, err)
			require.Equal(t, res.Sum, again)
			fi, err := f.fs.Stat(dst)
			require.NoError(t, err)
			require.Equal(t, os.FileMode(0o444), fi.Mode().Perm())
			require.Equal(t, []string{"scene_v001.ma"}, files(t, f.fs, filepath.Dir(dst)), "no temporary file is left")
		})
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&15])
	}
	return sb.String()
}

func TestCopyNoReplaceOntoExisting(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			src := filepath.Join(f.root, "new.ma")
			write(t, f.fs, src, "new content")
			dst := filepath.Join(f.root, "pub", "scene_v001.ma")
			write(t, f.fs, dst, "old content")
			_, err := f.s.CopyNoReplace(context.Background(), src, dst, nil)
			require.ErrorIs(t, err, ErrExists)
			require.Contains(t, err.Error(), "never replaced")
			require.Equal(t, "old content", read(t, f.fs, dst))
			require.Equal(t, []string{"scene_v001.ma"}, files(t, f.fs, filepath.Dir(dst)))
		})
	}
}

// TestCopyNoReplaceLastMoment has dst appear while the copy runs (after
// the first look): the move itself must refuse it, on every primitive.
func TestCopyNoReplaceLastMoment(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			dir := filepath.Join(f.root, "pub")
			tmp := filepath.Join(dir, ".x"+TempInfix+"1")
			dst := filepath.Join(dir, "x_v001.ma")
			write(t, f.fs, tmp, "new")
			write(t, f.fs, dst, "old")
			err := f.s.moveNoReplace(tmp, dst, 0o644)
			require.ErrorIs(t, err, os.ErrExist)
			require.Equal(t, "old", read(t, f.fs, dst))
			if f.name != "disk" {
				return
			}
			require.ErrorIs(t, renameNoReplace(tmp, dst), os.ErrExist)
			require.ErrorIs(t, linkNoReplace(tmp, dst), os.ErrExist)
			require.ErrorIs(t, createNoReplace(tmp, dst, 0o644), os.ErrExist)
			require.Equal(t, "old", read(t, f.fs, dst))

			// Each fallback publishes when dst is free, and removes tmp.
			for i, move := range []func(string, string) error{
				linkNoReplace,
				func(a, b string) error { return createNoReplace(a, b, 0o444) },
			} {
				free := filepath.Join(dir, "free"+string(rune('a'+i)))
				require.NoError(t, move(tmp, free))
				require.Equal(t, "new", read(t, f.fs, free))
				_, err := os.Stat(tmp)
				require.ErrorIs(t, err, os.ErrNotExist)
				write(t, f.fs, tmp, "new")
			}
		})
	}
}

func TestCopyNoReplaceConcurrent(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			const n = 16
			dst := filepath.Join(f.root, "pub", "x_v001.ma")
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				src := filepath.Join(f.root, "src", string(rune('a'+i)))
				write(t, f.fs, src, strings.Repeat(string(rune('a'+i)), 100000))
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = f.s.CopyNoReplace(context.Background(), src, dst, nil)
				}()
			}
			wg.Wait()
			won := -1
			for i, err := range errs {
				if err == nil {
					require.Equal(t, -1, won, "two copies published")
					won = i
				} else {
					require.ErrorIs(t, err, ErrExists)
				}
			}
			require.NotEqual(t, -1, won)
			require.Equal(t, strings.Repeat(string(rune('a'+won)), 100000), read(t, f.fs, dst))
			require.Equal(t, []string{"x_v001.ma"}, files(t, f.fs, filepath.Dir(dst)))
		})
	}
}

func TestCopyNoReplaceFailures(t *testing.T) {
	for _, f := range fixtures(t) {
		src := filepath.Join(f.root, "work", "big.exr")
		write(t, f.fs, src, strings.Repeat("x", 10<<20))
		dst := filepath.Join(f.root, "pub", "big_v001.exr")
		cases := []struct {
			name string
			fs   *faultyFs
			want error
		}{
			{"source read error midway", &faultyFs{failRead: src, readBudget: 6 << 20, writeBudget: -1}, syscall.EIO},
			{"disk full midway", &faultyFs{readBudget: -1, writeBudget: 5 << 20}, syscall.ENOSPC},
			{"disk full at once", &faultyFs{readBudget: -1, writeBudget: 0}, syscall.ENOSPC},
		}
		for _, c := range cases {
			t.Run(f.name+"/"+c.name, func(t *testing.T) {
				c.fs.Fs, c.fs.real = f.fs, f.name == "disk"
				s, err := NewStore(c.fs, f.root, nil)
				require.NoError(t, err)
				require.Equal(t, c.fs.real, s.real)
				_, err = s.CopyNoReplace(context.Background(), src, dst, nil)
				require.ErrorIs(t, err, c.want)
				require.Contains(t, err.Error(), src)
				require.Contains(t, err.Error(), dst)
				require.Empty(t, files(t, f.fs, filepath.Dir(dst)), "no partial file, no temporary file")
			})
		}
		t.Run(f.name+"/cancelled", func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			_, err := f.s.CopyNoReplace(ctx, src, dst, nil)
			require.ErrorIs(t, err, context.Canceled)
			require.Empty(t, files(t, f.fs, filepath.Dir(dst)))
		})
		t.Run(f.name+"/source problems", func(t *testing.T) {
			_, err := f.s.CopyNoReplace(context.Background(), filepath.Join(f.root, "missing"), dst, nil)
			require.ErrorIs(t, err, os.ErrNotExist)
			_, err = f.s.CopyNoReplace(context.Background(), f.root, dst, nil)
			require.ErrorContains(t, err, "not a regular file")
			_, err = f.s.CopyNoReplace(context.Background(), "a\x00b", dst, nil)
			require.ErrorContains(t, err, "NUL")
			require.Empty(t, files(t, f.fs, filepath.Dir(dst)))
		})
	}
}

var _ = errors.New
var _ afero.Fs
