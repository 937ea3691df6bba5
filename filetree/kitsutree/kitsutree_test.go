package kitsutree_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/filetree/kitsutree"
	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// TestContextsFromKitsu builds render contexts from Kitsu records and
// checks the paths against Zou's, then parses them back and resolves them
// to the same records.
func TestContextsFromKitsu(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	treeJSON := kitsutest.ZouFileTree(t, "simple")

	at := kitsutest.NewAssetType(t, c)
	sw := kitsutest.NewSoftware(t, c)
	ot := kitsutest.NewOutputType(t, c)
	p := kitsutest.NewProject(t, c, true)
	require.NoError(t, c.Update(ctx, "projects", p.ID, map[string]any{"file_tree": treeJSON}, nil))
	ep := kitsutest.NewEpisode(t, c, p.ID, "Épisode 1")
	seq := kitsutest.NewSequence(t, c, p.ID, ep.ID, "Seq2")
	shot := kitsutest.NewShot(t, c, p.ID, seq.ID, "SH 010")
	asset := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Big Tree")
	other := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Rock")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	model := kitsutest.TaskTypeNamed(t, c, "Modeling")
	shotTask := kitsutest.NewTask(t, c, p.ID, shot.ID, anim.ID, "main")
	assetTask := kitsutest.NewTask(t, c, p.ID, asset.ID, model.ID, "main")
	var inst kitsu.AssetInstance
	require.NoError(t, c.Post(ctx, "data/assets/"+asset.ID+"/asset-asset-instances", map[string]any{"asset_to_instantiate_id": other.ID}, &inst, nil))
	kitsutest.RemoveAssetInstanceOnCleanup(t, c, inst.ID)

	src := kitsutree.NewSource(c)
	tree, err := src.Tree(ctx, p.ID)
	require.NoError(t, err)

	for _, task := range []*kitsu.Task{shotTask, assetTask} {
		wc, err := src.WorkingContext(ctx, task.ID, &kitsutree.WorkingOptions{SoftwareID: sw.ID, Name: "layout", Revision: 7})
		require.NoError(t, err)
		got, err := tree.Render(filetree.Working, wc, nil)
		require.NoError(t, err)
		var zou struct{ Path, Name string }
		require.NoError(t, c.Post(ctx, "data/tasks/"+task.ID+"/working-file-path", map[string]any{"name": "layout", "software_id": sw.ID, "revision": 7}, &zou, nil))
		assert.Equal(t, zou.Path, got.Folder)
		assert.Equal(t, zou.Name, got.FileName)

		// Back from the path to the records.
		parsed, err := tree.Parse(got.Full() + ".ma")
		require.NoError(t, err)
		assert.Equal(t, 7, parsed.Revision)
		res, err := src.Resolve(ctx, parsed)
		require.NoError(t, err)
		assert.Equal(t, p.ID, res.Project.ID)
		assert.Equal(t, task.EntityID, res.Entity.ID)
		assert.Equal(t, task.TaskTypeID, res.TaskType.ID)
		require.NotNil(t, res.Task)
		assert.Equal(t, task.ID, res.Task.ID)
	}

	oc, err := src.OutputContext(ctx, shot.ID, ot.ID, anim.ID, &kitsutree.OutputOptions{Name: "cam", Revision: 12})
	require.NoError(t, err)
	got, err := tree.Render(filetree.Output, oc, nil)
	require.NoError(t, err)
	var zouOut struct {
		FolderPath string `json:"folder_path"`
		FileName   string `json:"file_name"`
	}
	require.NoError(t, c.Post(ctx, "data/entities/"+shot.ID+"/output-file-path", map[string]any{"output_type_id": ot.ID, "task_type_id": anim.ID, "name": "cam", "revision": 12}, &zouOut, nil))
	assert.Equal(t, zouOut.FolderPath, got.Folder)
	assert.Equal(t, zouOut.FileName, got.FileName)

	// Zou's simple tree ends instance folders with <Representation>:
	// without one Zou writes an empty last folder, which filetree refuses.
	ic, err := src.InstanceOutputContext(ctx, inst.ID, asset.ID, ot.ID, model.ID, &kitsutree.OutputOptions{Name: "geo", Revision: 2})
	require.NoError(t, err)
	_, err = tree.Render(filetree.Output, ic, nil)
	require.ErrorIs(t, err, filetree.ErrRender)
	ic, err = src.InstanceOutputContext(ctx, inst.ID, asset.ID, ot.ID, model.ID, &kitsutree.OutputOptions{Name: "geo", Revision: 2, Representation: "abc"})
	require.NoError(t, err)
	assert.Equal(t, filetree.KindInstanceAsset, ic.Kind)
	got, err = tree.Render(filetree.Output, ic, nil)
	require.NoError(t, err)
	require.NoError(t, c.Post(ctx, "data/asset-instances/"+inst.ID+"/entities/"+asset.ID+"/output-file-path", map[string]any{"output_type_id": ot.ID, "task_type_id": model.ID, "name": "geo", "revision": 2, "representation": "abc"}, &zouOut, nil))
	assert.Equal(t, zouOut.FolderPath, got.Folder)
	assert.Equal(t, zouOut.FileName, got.FileName)

	// A path naming something Kitsu does not have.
	parsed, err := tree.Parse("/simple/productions/no_such_project/shots/s002/sh_010/animation/maya/no_such_project_s002_sh_010_animation_main_v001.ma")
	require.NoError(t, err)
	_, err = src.Resolve(ctx, parsed)
	require.Error(t, err)
	assert.True(t, errors.Is(err, kitsu.ErrNotFound), "got %v", err)

	_, err = src.WorkingContext(ctx, "00000000-0000-4000-8000-000000000000", nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
}

// TestRevisionZeroAndInstanceNames: revision 0 asks Kitsu for the next
// revision, as Zou's routes do, and an instance's name is read as Kitsu
// holds it: set empty (refused where shown) or null (the number).
func TestRevisionZeroAndInstanceNames(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	ot := kitsutest.NewOutputType(t, c)
	p := kitsutest.NewProject(t, c, false)
	require.NoError(t, c.Update(ctx, "projects", p.ID, map[string]any{"file_tree": kitsutest.ZouFileTree(t, "simple")}, nil))
	seq := kitsutest.NewSequence(t, c, p.ID, "", "SQ1")
	shot := kitsutest.NewShot(t, c, p.ID, seq.ID, "SH1")
	forest := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Forest")
	tree := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Tree")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	task := kitsutest.NewTask(t, c, p.ID, shot.ID, anim.ID, "main")
	var inst kitsu.AssetInstance
	require.NoError(t, c.Post(ctx, "data/assets/"+forest.ID+"/asset-asset-instances", map[string]any{"asset_to_instantiate_id": tree.ID}, &inst, nil))
	kitsutest.RemoveAssetInstanceOnCleanup(t, c, inst.ID)

	src := kitsutree.NewSource(c)
	ft, err := src.Tree(ctx, p.ID)
	require.NoError(t, err)

	// Working files: the next revision of the task's files of that name.
	_, err = c.Files.NewWorkingFile(ctx, task.ID, nil)
	require.NoError(t, err)
	wc, err := src.WorkingContext(ctx, task.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, wc.Revision)
	got, err := ft.Render(filetree.Working, wc, nil)
	require.NoError(t, err)
	var zou struct{ Path, Name string }
	require.NoError(t, c.Post(ctx, "data/tasks/"+task.ID+"/working-file-path", map[string]any{"revision": 0}, &zou, nil))
	assert.Equal(t, zou.Path, got.Folder)
	assert.Equal(t, zou.Name, got.FileName)
	wc, err = src.WorkingContext(ctx, task.ID, &kitsutree.WorkingOptions{Name: "other"})
	require.NoError(t, err)
	assert.Equal(t, 1, wc.Revision, "no file of that name yet")

	// Outputs: the next revision, in the folder and the file name alike.
	next, err := c.Files.GetNextEntityOutputRevision(ctx, shot.ID, ot.ID, anim.ID, nil)
	require.NoError(t, err)
	oc, err := src.OutputContext(ctx, shot.ID, ot.ID, anim.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, next, oc.Revision)
	ic, err := src.InstanceOutputContext(ctx, inst.ID, forest.ID, ot.ID, anim.ID, &kitsutree.OutputOptions{Representation: "abc"})
	require.NoError(t, err)
	next, err = c.Files.GetNextAssetInstanceOutputRevision(ctx, inst.ID, forest.ID, ot.ID, anim.ID, &kitsu.OutputRevisionOptions{Name: "main"})
	require.NoError(t, err)
	assert.Equal(t, next, ic.Revision)
	assert.Equal(t, inst.Name, ic.Instance.Name)
	assert.False(t, ic.Instance.EmptyName)

	_, err = src.WorkingContext(ctx, task.ID, &kitsutree.WorkingOptions{Revision: -1})
	assert.ErrorContains(t, err, "revision -1: want 1 or more, or 0 for the next one")
	_, err = src.OutputContext(ctx, shot.ID, ot.ID, anim.ID, &kitsutree.OutputOptions{Revision: -1})
	assert.ErrorContains(t, err, "revision -1")

	// An instance whose name is set empty: Zou drops it from the file
	// name (<Instance.name>), so every instance would share the path;
	// filetree refuses.
	require.NoError(t, c.Update(ctx, "asset-instances", inst.ID, map[string]any{"name": ""}, nil))
	body := map[string]any{"output_type_id": ot.ID, "task_type_id": anim.ID, "revision": 2, "representation": "abc"}
	var zouOut struct {
		FolderPath string `json:"folder_path"`
		FileName   string `json:"file_name"`
	}
	require.NoError(t, c.Post(ctx, "data/asset-instances/"+inst.ID+"/entities/"+forest.ID+"/output-file-path", body, &zouOut, nil))
	assert.NotContains(t, zouOut.FileName, "0001", "Zou drops the empty name: %q", zouOut.FileName)
	ic, err = src.InstanceOutputContext(ctx, inst.ID, forest.ID, ot.ID, anim.ID, &kitsutree.OutputOptions{Revision: 2, Representation: "abc"})
	require.NoError(t, err)
	assert.True(t, ic.Instance.EmptyName)
	_, err = ft.Render(filetree.Output, ic, nil)
	require.ErrorIs(t, err, filetree.ErrRender)
	assert.ErrorContains(t, err, "<Instance.name>: the asset instance's name is set but empty")

	// A null name shows the number, as in Zou.
	require.NoError(t, c.Update(ctx, "asset-instances", inst.ID, map[string]any{"name": nil}, nil))
	require.NoError(t, c.Post(ctx, "data/asset-instances/"+inst.ID+"/entities/"+forest.ID+"/output-file-path", body, &zouOut, nil))
	ic, err = src.InstanceOutputContext(ctx, inst.ID, forest.ID, ot.ID, anim.ID, &kitsutree.OutputOptions{Revision: 2, Representation: "abc"})
	require.NoError(t, err)
	assert.False(t, ic.Instance.EmptyName)
	got, err = ft.Render(filetree.Output, ic, nil)
	require.NoError(t, err)
	assert.Equal(t, zouOut.FolderPath, got.Folder)
	assert.Equal(t, zouOut.FileName, got.FileName)
	assert.Contains(t, got.FileName, "_0001_v002")
}
