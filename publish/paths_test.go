package publish

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
)

func TestHostilePathsRefusedBeforeWriting(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			src := filepath.Join(f.root, "src.ma")
			write(t, f.fs, src, "x")
			before := files(t, f.fs, f.root)
			for _, p := range []string{
				filepath.Join(f.root, "..", "escape.ma"),
				filepath.Join(f.root, "a") + "/../../escape.ma",
				"../escape.ma",
				`a\..\..\escape.ma`,
				"/etc/kpublish.ma",
				filepath.Dir(f.root) + "/x.ma",
				filepath.Join(f.root, "nul\x00.ma"),
				filepath.Join(f.root, "tab\t.ma"),
				filepath.Join(f.root, "esc\x1b.ma"),
				filepath.Join(f.root, "del\x7f.ma"),
				"",
				f.root,
			} {
				_, err := f.s.Claim(p)
				require.ErrorIs(t, err, ErrUnsafePath, "Claim(%q)", p)
				require.Contains(t, err.Error(), "publish: path ")
				_, err = f.s.CopyNoReplace(context.Background(), src, p, nil)
				require.ErrorIs(t, err, ErrUnsafePath, "CopyNoReplace(%q)", p)
				_, err = f.s.ClaimNext(func(int) (string, error) { return p, nil }, 1)
				require.ErrorIs(t, err, ErrUnsafePath, "ClaimNext(%q)", p)
			}
			_, err := f.s.Claim(filepath.Join(f.root, ".x.ma"+ClaimSuffix))
			require.ErrorIs(t, err, ErrUnsafePath, "a claim file's name is not a target")
			_, err = f.s.DiskRevisions("../*", func(string) (int, bool) { return 1, true })
			require.ErrorIs(t, err, ErrUnsafePath)
			require.Equal(t, before, files(t, f.fs, f.root), "nothing written")

			// A relative target is under the root.
			c, err := f.s.Claim("shots/x_v001.ma")
			require.NoError(t, err)
			require.Equal(t, filepath.Join(f.root, "shots", "x_v001.ma"), c.Target)
			require.NoError(t, c.Release())
		})
	}
}

func TestSymlinkedParentEscapingRoot(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	require.NoError(t, os.MkdirAll(root, 0o755))
	require.NoError(t, os.MkdirAll(outside, 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "shots")))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "real"), 0o755))
	require.NoError(t, os.Symlink(filepath.Join(root, "real"), filepath.Join(root, "inside")))
	src := filepath.Join(base, "src.ma")
	require.NoError(t, os.WriteFile(src, []byte("x"), 0o644))

	s, err := NewStore(afero.NewOsFs(), root, nil)
	require.NoError(t, err)
	for _, p := range []string{
		filepath.Join(root, "shots", "x_v001.ma"),
		filepath.Join(root, "shots", "new", "deeper", "x_v001.ma"), // folders not yet made
	} {
		_, err = s.Claim(p)
		require.ErrorIs(t, err, ErrUnsafePath)
		require.ErrorContains(t, err, "symbolic link")
		_, err = s.CopyNoReplace(context.Background(), src, p, nil)
		require.ErrorIs(t, err, ErrUnsafePath)
	}
	_, err = s.StaleClaims(filepath.Join(root, "shots"), time.Hour)
	require.ErrorIs(t, err, ErrUnsafePath)
	entries, err := os.ReadDir(outside)
	require.NoError(t, err)
	require.Empty(t, entries, "nothing written outside the root")

	// A link that stays inside the root is fine.
	res, err := s.CopyNoReplace(context.Background(), src, filepath.Join(root, "inside", "x_v001.ma"), nil)
	require.NoError(t, err)
	require.Equal(t, int64(1), res.Size)
	_, err = os.Stat(filepath.Join(root, "real", "x_v001.ma"))
	require.NoError(t, err)

	// A root reached through a link is resolved once: its targets are fine.
	linked := filepath.Join(base, "linked-root")
	require.NoError(t, os.Symlink(root, linked))
	s2, err := NewStore(afero.NewOsFs(), linked, nil)
	require.NoError(t, err)
	c, err := s2.Claim(filepath.Join(linked, "real", "y_v001.ma"))
	require.NoError(t, err)
	require.NoError(t, c.Release())
}

func TestWindowsNamesWhenTargetingWindows(t *testing.T) {
	fsys := afero.NewMemMapFs()
	require.NoError(t, fsys.MkdirAll("/proj", 0o755))
	s, err := NewStore(fsys, "/proj", &StoreOptions{GOOS: "windows"})
	require.NoError(t, err)
	for _, p := range []string{"/proj/CON/x.ma", "/proj/shots/nul.txt", "/proj/shots/x.ma.", "/proj/a:b.ma", "/proj/COM1"} {
		_, err := s.Claim(p)
		require.ErrorIs(t, err, ErrUnsafePath, p)
	}
	require.Equal(t, []string{}, append([]string{}, files(t, fsys, "/proj")...))
	c, err := s.Claim("/proj/shots/console.ma")
	require.NoError(t, err)
	require.NoError(t, c.Release())

	lin, err := NewStore(fsys, "/proj", nil)
	require.NoError(t, err)
	c, err = lin.Claim("/proj/CON/x.ma")
	require.NoError(t, err, "CON is a fine name on Linux")
	require.NoError(t, c.Release())
}

func TestNewStoreArguments(t *testing.T) {
	mem := afero.NewMemMapFs()
	write(t, mem, "/file", "x")
	_, err := NewStore(nil, "/", nil)
	require.ErrorContains(t, err, "nil filesystem")
	_, err = NewStore(mem, "relative", nil)
	require.ErrorIs(t, err, ErrUnsafePath)
	_, err = NewStore(mem, "/a\x00", nil)
	require.ErrorIs(t, err, ErrUnsafePath)
	_, err = NewStore(mem, "/missing", nil)
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = NewStore(mem, "/file", nil)
	require.ErrorContains(t, err, "root is not a folder")
	_, err = NewStore(mem, "/", &StoreOptions{GOOS: "plan9"})
	require.ErrorContains(t, err, `GOOS "plan9": want linux, darwin, windows or empty`)
}
