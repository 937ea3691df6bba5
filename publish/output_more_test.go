package publish

import (
	"context"
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

// TestOutputTargetFromPath: with no target given, a source saved in the
// working tree beside the task's working files names the task.
func TestOutputTargetFromPath(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	sw := kitsutest.NewSoftware(t, f.c)
	wt, err := (&Working{Client: f.c}).Target(ctx, TaskFile{TaskID: f.at.Task.ID, Software: sw.ID})
	require.NoError(t, err)
	lp, err := wt.LocalPath(3)
	require.NoError(t, err)
	src := strings.TrimSuffix(lp, wt.Extension) + ".abc"
	write(t, f.fs, src, "exported beside the scene")
	wf, err := f.c.Files.NewWorkingFile(ctx, f.at.Task.ID, &kitsu.NewWorkingFileOptions{SoftwareID: sw.ID, Revision: 3})
	require.NoError(t, err)
	t.Cleanup(func() {
		// Before the software (made after the project), which it refers to;
		// the outputs refer to it in turn.
		for _, r := range f.records(t) {
			_, _ = f.c.Delete(context.Background(), "data/output-files/"+r.ID, nil)
		}
		_, _ = f.c.Delete(context.Background(), "data/working-files/"+wf.ID, nil)
	})
	res, err := f.o.Publish(ctx, &OutputRequest{Target: OutputTarget{OutputType: f.ot.Name}, Sources: []OutputSource{{Path: src}}, WorkingFile: lp})
	require.NoError(t, err)
	assert.Equal(t, wf.ID, res.Files[0].OutputFile.SourceFileID, "the working file found by its path")
	assert.Equal(t, f.at.Asset.ID, res.Files[0].OutputFile.EntityID)
	assert.Equal(t, f.at.Task.TaskTypeID, res.Files[0].OutputFile.TaskTypeID)

	_, err = f.o.Publish(ctx, &OutputRequest{Target: OutputTarget{OutputType: f.ot.Name}, Sources: []OutputSource{{Path: f.write(t, "elsewhere.abc", "x")}}})
	require.ErrorContains(t, err, "no file of a task's working tree")
}

// TestOutputAssetInstance publishes a file and a sequence of an asset
// instance in a scene against the real Zou: the records are the
// instance's (name "master"), and Zou's path of an instance's sequence
// has no _[1-N].
func TestOutputAssetInstance(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	sq := kitsutest.NewSequence(t, f.c, f.at.Project.ID, "", "sq01")
	var scene kitsu.Entity
	require.NoError(t, f.c.Post(ctx, "data/projects/"+f.at.Project.ID+"/scenes", map[string]any{"name": "sc01", "sequence_id": sq.ID}, &scene, nil))
	var inst kitsu.AssetInstance
	require.NoError(t, f.c.Post(ctx, "data/scenes/"+scene.ID+"/asset-instances", map[string]any{"asset_id": f.at.Asset.ID}, &inst, nil))
	kitsutest.RemoveAssetInstanceOnCleanup(t, f.c, inst.ID)
	t.Cleanup(func() {
		// Zou deletes no instance that outputs refer to.
		recs, err := f.c.Files.AllOutputFilesForAssetInstance(context.Background(), inst.ID, nil)
		if err != nil {
			t.Logf("cleanup: outputs of instance %s: %v", inst.ID, err)
		}
		for _, r := range recs {
			if _, err := f.c.Delete(context.Background(), "data/output-files/"+r.ID, nil); err != nil {
				t.Logf("cleanup: output %s: %v", r.ID, err)
			}
		}
	})
	src := f.write(t, "anim.abc", "animated")
	f.frames(t, "pb", "pb.", ".jpg", 4, 1, 2, 3)
	tg := OutputTarget{AssetInstanceID: inst.ID, TemporalEntityID: scene.ID, TaskTypeID: "Modeling", OutputType: f.ot.Name}
	res, err := f.o.Publish(ctx, &OutputRequest{Target: tg, Sources: []OutputSource{{Path: src}, {Path: filepath.Join(f.src, "pb")}}})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Revision)
	for _, fr := range res.Files {
		rec := fr.OutputFile
		assert.Equal(t, inst.ID, rec.AssetInstanceID)
		assert.Equal(t, scene.ID, rec.TemporalEntityID)
		assert.Equal(t, f.at.Asset.ID, rec.EntityID)
		assert.Equal(t, "master", rec.Name)
		assert.Contains(t, fr.Paths[0], "/instance_0001/")
	}
	seq := res.Files[1]
	assert.Equal(t, strings.TrimSuffix(seq.TreePattern, ".####.jpg")+".jpg", seq.OutputFile.Path, "no _[1-N] for an instance")
	assert.Equal(t, 3, seq.OutputFile.NbElements)
	assert.Empty(t, f.records(t), "no output of the asset itself")

	again, err := f.o.Publish(ctx, &OutputRequest{Target: tg, Sources: []OutputSource{{Path: src}, {Path: filepath.Join(f.src, "pb")}}})
	require.NoError(t, err)
	assert.True(t, again.AlreadyPublished)
}
