package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// outputTree is a project tree whose output paths show the output type,
// the representation (a folder) and the name and revision (the file).
func outputTree(mountpoint string) map[string]any {
	tree := workingTree(mountpoint, "work")
	tree["output"] = map[string]any{
		"mountpoint": mountpoint, "root": "out",
		"folder_path": map[string]any{
			"asset": "<Project>/<AssetType>/<Asset>/<TaskType>/<OutputType>/<Representation>",
			"shot":  "<Project>/<Sequence>/<Shot>/<TaskType>/<OutputType>/<Representation>",
			"style": "lowercase",
		},
		"file_name": map[string]any{
			"asset": "<Asset>_<OutputType>_<Name>_v<Revision>",
			"shot":  "<Shot>_<OutputType>_<Name>_v<Revision>",
			"style": "lowercase",
		},
	}
	return tree
}

// outFixture is an asset task of a fresh project whose output mountpoint
// is a folder of the test (or of a filesystem in memory).
type outFixture struct {
	c     *kitsu.Client
	o     *Output
	at    *kitsutest.AssetTask
	ot    *kitsu.OutputType
	fs    afero.Fs
	root  string // the output mountpoint
	src   string // a folder for sources, outside the root
	notes []string
}

func newOutFixture(t *testing.T, fsys afero.Fs) *outFixture {
	t.Helper()
	c := kitsutest.Client(t)
	ot := kitsutest.NewOutputType(t, c)
	at := kitsutest.NewAssetTask(t, c)
	f := &outFixture{c: c, at: at, ot: ot, fs: fsys}
	if fsys == nil {
		f.fs = afero.NewOsFs()
		f.root, f.src = t.TempDir(), t.TempDir()
	} else {
		f.root, f.src = "/studio", "/renders"
		require.NoError(t, fsys.MkdirAll(f.root, 0o755))
		require.NoError(t, fsys.MkdirAll(f.src, 0o755))
	}
	require.NoError(t, c.Update(kitsutest.Context(t), "projects", at.Project.ID, map[string]any{"file_tree": outputTree(f.root)}, nil))
	f.o = &Output{Client: c, Fs: f.fs, GOOS: "linux", Logf: func(format string, args ...any) {
		f.notes = append(f.notes, fmt.Sprintf(format, args...))
	}}
	if fsys == nil {
		t.Cleanup(func() { makeWritable(f.root) })
	}
	return f
}

// makeWritable gives back write permission on published files so that
// t.TempDir can remove them.
func makeWritable(root string) {
	_ = filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil {
			_ = os.Chmod(p, fi.Mode().Perm()|0o200)
		}
		return nil
	})
}

func (f *outFixture) target() OutputTarget {
	return OutputTarget{TaskID: f.at.Task.ID, OutputType: f.ot.Name}
}

// records lists the output's records in Kitsu (name main, Modeling).
func (f *outFixture) records(t *testing.T) []kitsu.OutputFile {
	t.Helper()
	recs, err := f.c.Files.AllOutputFilesForEntity(kitsutest.Context(t), f.at.Asset.ID, &kitsu.OutputFilesOptions{OutputTypeID: f.ot.ID})
	require.NoError(t, err)
	return recs
}

func (f *outFixture) write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(f.src, name)
	write(t, f.fs, p, content)
	return p
}

func readManifest(t *testing.T, fsys afero.Fs, path string) *Manifest {
	t.Helper()
	m, err := ReadManifest(fsys, path)
	require.NoError(t, err)
	return m
}

// TestOutputOneFile publishes one file of a task's entity against the
// real Zou: the file is in place read-only, the record holds the path
// rendered here, the size, the hash and the data; publishing the same
// content again returns the same revision; NewRevision makes the next.
func TestOutputOneFile(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	src := f.write(t, "cache.abc", "alembic cache")

	res, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}, Comment: "first"})
	require.NoError(t, err)
	require.Equal(t, 1, res.Revision)
	require.False(t, res.AlreadyPublished)
	require.Len(t, res.Files, 1)
	got := res.Files[0]
	assert.Equal(t, "abc", got.Representation)
	require.Len(t, got.Paths, 1)
	assert.Equal(t, "alembic cache", read(t, f.fs, got.Paths[0]))
	fi, err := os.Stat(got.Paths[0])
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o444), fi.Mode().Perm())
	assert.True(t, strings.HasPrefix(got.Paths[0], f.root+"/out/"), got.Paths[0])
	assert.True(t, strings.HasSuffix(got.Paths[0], "/abc/tree_"+strings.ReplaceAll(strings.ToLower(f.ot.Name), " ", "_")+"_main_v001.abc"), got.Paths[0])
	assert.Equal(t, got.Paths[0], got.TreePattern, "no roots: the tree's form is this host's")
	assert.Empty(t, got.Frames)
	sum, err := HashFile(f.fs, src)
	require.NoError(t, err)
	assert.Equal(t, sum, got.Sum)

	rec := got.OutputFile
	assert.Equal(t, got.TreePattern, rec.Path)
	assert.Equal(t, ".abc", rec.Extension)
	assert.Equal(t, "abc", rec.Representation)
	assert.Equal(t, 1, rec.Revision)
	assert.Equal(t, "first", rec.Comment)
	assert.Equal(t, int64(13), rec.Size)
	assert.Equal(t, sum.Hex, rec.Checksum)
	assert.Equal(t, sum.Hex, rec.Data["sha"])
	assert.Equal(t, float64(13), rec.Data["size"])
	assert.Equal(t, Algorithm, rec.Data["algorithm"])
	assert.Equal(t, res.Manifest, rec.Data["manifest"])
	recs := f.records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, rec.ID, recs[0].ID)

	m := readManifest(t, f.fs, res.Manifest)
	assert.Equal(t, StateDone, m.State)
	assert.Equal(t, []ManifestRecord{{Representation: "abc", ID: rec.ID}}, m.Kitsu)
	assert.Equal(t, filepath.Join(f.root, ".kpublish", "outputs", f.at.Asset.ID, f.ot.ID, rec.TaskTypeID, "main", "r0001.manifest.json"), res.Manifest)
	_, err = os.Stat(ClaimPath(claimTarget(filepath.Dir(res.Manifest), 1)))
	require.NoError(t, err, "the claim stays: the revision is taken")

	again, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}})
	require.NoError(t, err)
	assert.True(t, again.AlreadyPublished)
	assert.Equal(t, 1, again.Revision)
	assert.Empty(t, again.Manifest)
	assert.Equal(t, rec.ID, again.Files[0].OutputFile.ID)
	require.Len(t, f.records(t), 1)

	forced, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}, NewRevision: true})
	require.NoError(t, err)
	assert.Equal(t, 2, forced.Revision)
	require.Len(t, f.records(t), 2)

	write(t, f.fs, src, "alembic cache, changed")
	changed, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}})
	require.NoError(t, err)
	assert.Equal(t, 3, changed.Revision)
	assert.Empty(t, f.notes)
	b, _ := json.Marshal(changed)
	assert.NotContains(t, string(b), "token")
}

var _ = context.Background
