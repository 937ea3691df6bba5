package watch

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/publish"
)

func TestParseMountInfo(t *testing.T) {
	text := `22 1 253:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
36 22 0:40 / /mnt/show rw,relatime shared:20 - nfs4 filer:/show rw,vers=4.2
37 22 0:41 / /mnt/smb\040share rw - cifs //nas/share rw
38 36 253:1 / /mnt/show/local rw shared:21 - xfs /dev/vdb rw
39 22 0:42 / /home/me/remote rw,nosuid,nodev - fuse.sshfs me@host:/ rw
garbage line
`
	mounts, err := parseMountInfo(strings.NewReader(text))
	require.NoError(t, err)
	require.Len(t, mounts, 5)
	require.Equal(t, "/mnt/smb share", mounts[2].point)
	for path, want := range map[string]string{
		"/":                         "ext4",
		"/work":                     "ext4",
		"/mnt/show":                 "nfs4",
		"/mnt/show/sh010":           "nfs4",
		"/mnt/showroom":             "ext4",
		"/mnt/show/local/x":         "xfs",
		"/mnt/smb share/renders":    "cifs",
		"/home/me/remote/project/a": "fuse.sshfs",
	} {
		require.Equal(t, want, fsTypeOf(mounts, path), path)
	}
	require.True(t, isNetworkFS("nfs4"))
	require.True(t, isNetworkFS("cifs"))
	require.True(t, isNetworkFS("fuse.sshfs"))
	require.False(t, isNetworkFS("ext4"))
	require.False(t, isNetworkFS("xfs"))
}

func TestRealMountTable(t *testing.T) {
	mounts, err := mountTable()
	require.NoError(t, err)
	if len(mounts) == 0 {
		t.Skip("no mount table on this system")
	}
	dir, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	typ := fsTypeOf(mounts, dir)
	require.NotEmpty(t, typ)
	t.Logf("%s is on %s (network: %v)", dir, typ, isNetworkFS(typ))
}

func TestWatchLimitMessage(t *testing.T) {
	err := watchLimitError(150000, 65536)
	require.ErrorIs(t, err, ErrWatchLimit)
	require.ErrorContains(t, err, "150000 folders")
	require.ErrorContains(t, err, `sudo sysctl fs.inotify.max_user_watches=524288`)
	require.ErrorContains(t, err, "/etc/sysctl.d/")
	n, err := readLimit("8192\n")
	require.NoError(t, err)
	require.Equal(t, 8192, n)
	_, err = readLimit("lots")
	require.Error(t, err)
}

func TestFilterRules(t *testing.T) {
	f, err := newFilter([]string{}, []string{"renders/tmp/**", "*.log", "cache/"}, true)
	require.NoError(t, err)
	for rel, want := range map[string]bool{
		"sh010/anim.ma":                 true,
		"sh010/anim.blend":              true,
		"sh010/anim.blend1":             false,
		"sh010/anim.blend32":            false,
		"sh010/anim.blend33":            true,
		"sh010/anim.blend@":             false,
		"sh010/.anim.ma.kpublish-claim": false,
		"sh010/anim.ma~":                false,
		"sh010/anim.autosave":           false,
		"sh010/anim.tmp":                false,
		"sh010/x.part":                  false,
		"sh010/x.bak":                   false,
		".git/config":                   false,
		"a/backup/b.ma":                 false,
		"backup.ma":                     true,
		"a/autosave/b.ma":               false,
		"a/incrementalSave/b.ma":        false,
		"renders/tmp/a/b.exr":           false,
		"renders/final/b.exr":           true,
		"x/renders/tmp/b.exr":           true, // anchored at the root
		"a/b.log":                       false,
		"a/cache/b.exr":                 false,
		"a/cache":                       true, // a file named cache: only folders match "cache/"
	} {
		require.Equal(t, want, f.wants(rel), rel)
	}
	require.True(t, f.excluded("a/cache", true))
	require.True(t, f.excluded("renders/tmp", true))
	require.False(t, f.excluded("renders", true))

	none, err := newFilter(nil, nil, false)
	require.NoError(t, err)
	require.True(t, none.wants("a/.hidden"))
}

// TestFrameSplitMatchesPublish: the settle step groups frames as
// publish.FindSequence finds them.
func TestFrameSplitMatchesPublish(t *testing.T) {
	exts := map[string]bool{".exr": true, ".png": true}
	fs := afero.NewMemMapFs()
	for _, tc := range []struct {
		name, base, ext string
		ok              bool
	}{
		{"beauty.1001.exr", "beauty.", ".exr", true},
		{"shot010.v002.1001.exr", "shot010.v002.", ".exr", true},
		{"shot-0001.exr", "shot-", ".exr", true},
		{"shot.-0005.exr", "shot.", ".exr", true},
		{"tex_v003.png", "tex_v", ".png", true},
		{"clip.exr", "", "", false},
		{"anim_v003.ma", "", "", false}, // not a sequence extension
		{"name.1001", "", "", false},    // no extension
	} {
		base, ext, ok := frameSplit(tc.name, exts)
		require.Equal(t, tc.ok, ok, tc.name)
		require.Equal(t, tc.base, base, tc.name)
		require.Equal(t, tc.ext, ext, tc.name)
		if ok {
			p := "/d/" + tc.name
			require.NoError(t, afero.WriteFile(fs, p, []byte("x"), 0o644))
			seq, err := publish.FindSequence(fs, p)
			require.NoError(t, err, tc.name)
			require.Equal(t, tc.base, seq.Base, tc.name)
			require.Equal(t, tc.ext, seq.Ext, tc.name)
			require.NoError(t, fs.Remove(p))
		}
	}
}

// TestNetworkRootsPolled: a root on a network mount is polled unless
// Poll says otherwise.
func TestNetworkRootsPolled(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	mounts := []mount{{point: "/", fstype: "ext4"}, {point: dir, fstype: "nfs4"}}
	r, err := newRoot(dir, mounts, 0)
	require.NoError(t, err)
	require.Equal(t, "nfs4", r.fstype)
	require.Equal(t, DefaultPoll, r.poll)
	r, err = newRoot(dir, mounts, -1)
	require.NoError(t, err)
	require.Zero(t, r.poll, "Poll < 0 watches even network roots")
	r, err = newRoot(dir, mounts, time.Second)
	require.NoError(t, err)
	require.Equal(t, time.Second, r.poll)
	r, err = newRoot(dir, mounts[:1], 0)
	require.NoError(t, err)
	require.Zero(t, r.poll, "local roots are watched")
}

func TestJitter(t *testing.T) {
	for range 1000 {
		d := jitter(time.Hour)
		require.GreaterOrEqual(t, d, 54*time.Minute)
		require.LessOrEqual(t, d, 66*time.Minute)
	}
}
