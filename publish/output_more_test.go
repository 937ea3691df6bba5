package publish

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// TestOutputRepresentations publishes a cache as abc and usd plus its
// frames as a sequence, one revision for all three, one record each.
func TestOutputRepresentations(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	abc := f.write(t, "cache.abc", "abc data")
	usd := f.write(t, "cache.usd", "usd data")
	f.frames(t, "pv", "pv.", ".jpg", 4, 1, 2, 3)
	req := &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: abc}, {Path: usd}, {Path: filepath.Join(f.src, "pv"), Representation: "preview-jpg"}}}
	res, err := f.o.Publish(ctx, req)
	require.NoError(t, err)
	require.Equal(t, 1, res.Revision)
	require.Len(t, res.Files, 3)
	var reps []string
	for _, fr := range res.Files {
		reps = append(reps, fr.Representation)
		assert.Equal(t, 1, fr.OutputFile.Revision)
		assert.Equal(t, fr.Representation, fr.OutputFile.Representation)
	}
	assert.Equal(t, []string{"abc", "usd", "preview-jpg"}, reps)
	assert.Equal(t, "abc data", read(t, f.fs, res.Files[0].Paths[0]))
	assert.Equal(t, "usd data", read(t, f.fs, res.Files[1].Paths[0]))
	assert.Len(t, res.Files[2].Paths, 3)
	recs := f.records(t)
	require.Len(t, recs, 3)
	m := readManifest(t, f.fs, res.Manifest)
	assert.Len(t, m.Kitsu, 3)
	_, err = os.Stat(manifestPath(filepath.Dir(res.Manifest), 1))
	require.NoError(t, err, "one manifest and one claim for all representations")

	again, err := f.o.Publish(ctx, req)
	require.NoError(t, err)
	assert.True(t, again.AlreadyPublished)
	assert.Equal(t, 1, again.Revision)

	// One representation changed: a new revision for all.
	write(t, f.fs, usd, "usd data 2")
	next, err := f.o.Publish(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, 2, next.Revision)
	assert.Len(t, f.records(t), 6)

	_, err = f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: abc}, {Path: usd, Representation: "abc"}}})
	require.ErrorContains(t, err, "both have representation")
}

// TestOutputRefused: hostile names and representations, a target given
// twice or not at all, values over Zou's limits, a tree that does not
// show the revision: all refused before anything is written in Kitsu or
// on disk.
func TestOutputRefused(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	src := f.write(t, "cache.abc", "abc")
	long := f.write(t, "cache.abcdefghijkl", "long extension")
	cases := map[string]*OutputRequest{
		"representation with a slash": {Target: f.target(), Sources: []OutputSource{{Path: src, Representation: "../abc"}}},
		"representation with a NUL":   {Target: f.target(), Sources: []OutputSource{{Path: src, Representation: "a\x00b"}}},
		"representation too long":     {Target: f.target(), Sources: []OutputSource{{Path: src, Representation: strings.Repeat("r", 21)}}},
		"name with a slash":           {Target: OutputTarget{TaskID: f.at.Task.ID, OutputType: f.ot.ID, Name: "a/../../b"}, Sources: []OutputSource{{Path: src}}},
		"name with a newline":         {Target: OutputTarget{TaskID: f.at.Task.ID, OutputType: f.ot.ID, Name: "a\nb"}, Sources: []OutputSource{{Path: src}}},
		"source with ..":              {Target: f.target(), Sources: []OutputSource{{Path: f.src + "/../x/cache.abc"}}},
		"source with a NUL":           {Target: f.target(), Sources: []OutputSource{{Path: src + "\x00"}}},
		"extension too long":          {Target: f.target(), Sources: []OutputSource{{Path: long, Representation: "abc"}}},
		"no source":                   {Target: f.target()},
		"two targets":                 {Target: OutputTarget{TaskID: f.at.Task.ID, EntityID: f.at.Asset.ID, OutputType: f.ot.ID}, Sources: []OutputSource{{Path: src}}},
		"no target":                   {Target: OutputTarget{OutputType: f.ot.ID}, Sources: []OutputSource{{Path: src}}},
		"no output type":              {Target: OutputTarget{TaskID: f.at.Task.ID}, Sources: []OutputSource{{Path: src}}},
		"entity without task type":    {Target: OutputTarget{EntityID: f.at.Asset.ID, OutputType: f.ot.ID}, Sources: []OutputSource{{Path: src}}},
		"unknown output type":         {Target: OutputTarget{TaskID: f.at.Task.ID, OutputType: "no such type " + kitsutest.Unique("x")}, Sources: []OutputSource{{Path: src}}},
		"negative revision":           {Target: f.target(), Sources: []OutputSource{{Path: src}}, Revision: -1},
		"comment with a NUL":          {Target: f.target(), Sources: []OutputSource{{Path: src}}, Comment: "a\x00"},
		"unknown working file":        {Target: f.target(), Sources: []OutputSource{{Path: src}}, WorkingFile: "00000000-0000-0000-0000-000000000000"},
		"missing source":              {Target: f.target(), Sources: []OutputSource{{Path: filepath.Join(f.src, "gone.abc")}}},
	}
	for name, req := range cases {
		_, err := f.o.Publish(ctx, req)
		require.Error(t, err, name)
		t.Logf("%s: %v", name, err)
	}
	_, err := f.o.Publish(ctx, cases["representation too long"])
	require.ErrorIs(t, err, ErrLimit)
	_, err = f.o.Publish(ctx, cases["extension too long"])
	require.ErrorIs(t, err, ErrLimit)
	_, err = f.o.Publish(ctx, cases["name with a slash"])
	require.ErrorIs(t, err, ErrUnsafePath)
	_, err = f.o.Publish(ctx, cases["unknown output type"])
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	// Zou's path column: 400 characters.
	deep := filepath.Join(f.root, strings.Repeat("m", 150), strings.Repeat("m", 150))
	require.NoError(t, os.MkdirAll(deep, 0o755))
	require.NoError(t, f.c.Update(ctx, "projects", f.at.Project.ID, map[string]any{"file_tree": outputTree(deep)}, nil))
	_, err = (&Output{Client: f.c, Fs: f.fs}).Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}})
	require.ErrorIs(t, err, ErrLimit)
	t.Logf("path over 400: %v", err)
	require.NoError(t, os.RemoveAll(filepath.Join(f.root, strings.Repeat("m", 150))))

	// A tree whose output paths do not show the revision.
	tree := outputTree(f.root)
	tree["output"].(map[string]any)["file_name"] = map[string]any{"asset": "<Asset>_<OutputType>", "style": "lowercase"}
	require.NoError(t, f.c.Update(ctx, "projects", f.at.Project.ID, map[string]any{"file_tree": tree}, nil))
	o := &Output{Client: f.c, Fs: f.fs}
	_, err = o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}})
	require.ErrorContains(t, err, "does not show the revision")

	assert.Empty(t, files(t, f.fs, f.root), "nothing written")
	assert.Empty(t, f.records(t), "nothing registered")
}

// TestOutputDryRun: a dry run finds the revision and paths and touches
// nothing, on a filesystem in memory (mapped with roots) and on disk.
func TestOutputDryRun(t *testing.T) {
	ctx := kitsutest.Context(t)
	t.Run("memory", func(t *testing.T) {
		mem := afero.NewMemMapFs()
		f := newOutFixture(t, mem)
		f.o.Roots = filetree.Roots{f.root: {"linux": "/mnt/studio"}}
		require.NoError(t, mem.MkdirAll("/mnt/studio", 0o755))
		src := f.write(t, "cache.abc", "abc")
		f.frames(t, "s", "s.", ".exr", 4, 1, 2, 3)
		before := memFiles(t, mem)
		req := &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}, {Path: filepath.Join(f.src, "s")}}, DryRun: true}
		res, err := f.o.Publish(ctx, req)
		require.NoError(t, err)
		assert.True(t, res.DryRun)
		assert.Equal(t, 1, res.Revision)
		assert.Empty(t, res.Manifest)
		assert.True(t, strings.HasPrefix(res.Files[0].Paths[0], "/mnt/studio/out/"), res.Files[0].Paths[0])
		assert.True(t, strings.HasPrefix(res.Files[0].TreePattern, "/studio/out/"), res.Files[0].TreePattern)
		assert.Equal(t, res.Files[0].TreePattern, res.Files[0].OutputFile.Path)
		assert.Equal(t, 3, res.Files[1].OutputFile.NbElements)
		assert.Equal(t, before, memFiles(t, mem), "a dry run writes nothing")
		assert.Empty(t, f.records(t), "a dry run registers nothing")

		req.DryRun = false
		done, err := f.o.Publish(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, res.Files[0].Paths, done.Files[0].Paths)
		assert.Equal(t, res.Files[1].Paths, done.Files[1].Paths)
		assert.Equal(t, "abc", read(t, mem, done.Files[0].Paths[0]))
		req.DryRun, req.NewRevision = true, true
		res, err = f.o.Publish(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, 2, res.Revision)
	})
	t.Run("disk", func(t *testing.T) {
		f := newOutFixture(t, nil)
		src := f.write(t, "cache.abc", "abc")
		res, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}, DryRun: true})
		require.NoError(t, err)
		assert.Equal(t, 1, res.Revision)
		assert.Empty(t, files(t, f.fs, f.root), "a dry run writes nothing, not even a folder")
		assert.Empty(t, f.records(t))
	})
}
