package kitsu_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// filesUnknownID is a well-formed id that no record has.
const filesUnknownID = "00000000-0000-4000-8000-000000000000"

// filesSlug gives the path form Zou makes of the simple names these tests
// use (letters, digits and spaces): lower case, spaces turned into "_".
func filesSlug(name string) string {
	return strings.ReplaceAll(strings.ToLower(name), " ", "_")
}

// filesTestdataTree reads one of the trees of testdata/trees.
func filesTestdataTree(t *testing.T, name string) map[string]any {
	t.Helper()
	return kitsutest.ReadFileTree(t, filepath.Join("..", "testdata", "trees", name))
}

// filesFixture is a project with an asset and a shot, a task on each, an
// output type and a software, all uniquely named.
type filesFixture struct {
	c          *kitsu.Client
	ctx        context.Context
	project    *kitsu.Project
	assetType  *kitsu.AssetType
	asset      *kitsu.Asset
	assetTask  *kitsu.Task
	sequence   *kitsu.Sequence
	shot       *kitsu.Shot
	shotTask   *kitsu.Task
	modeling   *kitsu.TaskType
	animation  *kitsu.TaskType
	outputType *kitsu.OutputType
	software   *kitsu.Software
}

// filesSetup builds a filesFixture whose project has the given file tree
// (none when tree is nil).
func filesSetup(t *testing.T, tree map[string]any) *filesFixture {
	t.Helper()
	f := &filesFixture{c: kitsutest.Client(t), ctx: kitsutest.Context(t)}
	f.outputType = kitsutest.NewOutputType(t, f.c)
	f.software = kitsutest.NewSoftware(t, f.c)
	f.assetType = kitsutest.NewAssetType(t, f.c)
	f.project = kitsutest.NewProject(t, f.c, false)
	if tree != nil {
		_, err := f.c.Files.UpdateProjectFileTree(f.ctx, f.project.ID, tree)
		require.NoError(t, err)
	}
	f.modeling = kitsutest.TaskTypeNamed(t, f.c, "Modeling")
	f.animation = kitsutest.TaskTypeNamed(t, f.c, "Animation")
	f.asset = kitsutest.NewAsset(t, f.c, f.project.ID, f.assetType.ID, "", "Tree")
	f.assetTask = kitsutest.NewTask(t, f.c, f.project.ID, f.asset.ID, f.modeling.ID, "Main")
	f.sequence = kitsutest.NewSequence(t, f.c, f.project.ID, "", "SQ01")
	f.shot = kitsutest.NewShot(t, f.c, f.project.ID, f.sequence.ID, "SH010")
	f.shotTask = kitsutest.NewTask(t, f.c, f.project.ID, f.shot.ID, f.animation.ID, "Main")
	return f
}

func (f *filesFixture) proj() string { return filesSlug(f.project.Name) }
func (f *filesFixture) atype() string {
	return filesSlug(f.assetType.Name)
}
func (f *filesFixture) otype() string { return filesSlug(f.outputType.Name) }
func (f *filesFixture) soft() string  { return filesSlug(f.software.Name) }

// newInstance creates an instance of the fixture's asset in its shot, and
// removes it (and its output files) when the test ends.
func (f *filesFixture) newInstance(t *testing.T) *kitsu.AssetInstance {
	t.Helper()
	ai := kitsutest.NewAssetInstance(t, f.c, f.asset.ID, "Tree Inst")
	// Runs before the instance's removal: its output files hold it.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		files, err := f.c.Files.AllOutputFilesForAssetInstance(ctx, ai.ID, nil)
		if err != nil {
			t.Logf("cleanup: output files of instance %s: %v", ai.ID, err)
			return
		}
		for _, of := range files {
			if _, err := f.c.Delete(ctx, "data/output-files/"+of.ID, nil); err != nil {
				t.Logf("cleanup: output file %s: %v", of.ID, err)
			}
		}
	})
	return ai
}

func filesRevisions(files []kitsu.OutputFile) []int {
	out := make([]int, len(files))
	for i, f := range files {
		out[i] = f.Revision
	}
	return out
}

func TestFilesUpdateProjectFileTree(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	assert.Empty(t, p.FileTree, "a new project has no tree")

	for _, tree := range []map[string]any{kitsutest.ZouFileTree(t, "simple"), kitsutest.ZouFileTree(t, "default"), filesTestdataTree(t, "all_tokens.json")} {
		got, err := c.Files.UpdateProjectFileTree(ctx, p.ID, tree)
		require.NoError(t, err)
		assert.Equal(t, p.ID, got.ID)
		assert.Equal(t, tree, got.FileTree)
		stored, err := c.Project.GetProject(ctx, p.ID)
		require.NoError(t, err)
		assert.Equal(t, tree, stored.FileTree)
	}

	_, err := c.Files.UpdateProjectFileTree(ctx, p.ID, nil)
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.UpdateProjectFileTree(ctx, "not-an-id", kitsutest.ZouFileTree(t, "simple"))
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.UpdateProjectFileTree(ctx, filesUnknownID, kitsutest.ZouFileTree(t, "simple"))
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
}

func TestFilesSetProjectFileTree(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)

	// Zou 1.0.97 removed the route: a clear not-found error, and the
	// project is left as it was.
	got, err := c.Files.SetProjectFileTree(ctx, p.ID, "simple")
	require.Error(t, err)
	assert.Nil(t, got)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), "no longer sets a file tree by name")
	assert.Contains(t, err.Error(), "UpdateProjectFileTree")
	stored, err := c.Project.GetProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Empty(t, stored.FileTree)

	// What to do instead works.
	_, err = c.Files.UpdateProjectFileTree(ctx, p.ID, kitsutest.ZouFileTree(t, "simple"))
	require.NoError(t, err)

	// An unknown project is said to be one.
	_, err = c.Files.SetProjectFileTree(ctx, filesUnknownID, "simple")
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.NotContains(t, err.Error(), "no longer sets")

	for _, name := range []string{"", "../simple", "my tree", "a/b"} {
		_, err = c.Files.SetProjectFileTree(ctx, p.ID, name)
		assert.ErrorIs(t, err, kitsu.ErrInvalidArgument, "tree name %q", name)
	}
	_, err = c.Files.SetProjectFileTree(ctx, "nope", "simple")
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestFilesBuildWorkingFilePathSimpleTree(t *testing.T) {
	t.Parallel()
	f := filesSetup(t, kitsutest.ZouFileTree(t, "simple"))
	c, ctx := f.c, f.ctx
	assetDir := "/simple/productions/" + f.proj() + "/assets/" + f.atype() + "/tree/modeling/"
	assetName := f.proj() + "_" + f.atype() + "_tree_modeling_"

	got, err := c.Files.BuildWorkingFilePath(ctx, f.assetTask.ID, &kitsu.BuildWorkingFilePathOptions{SoftwareID: f.software.ID})
	require.NoError(t, err)
	assert.Equal(t, assetDir+f.soft()+"/"+assetName+"main_v001", got, "gazu's default revision is 1")

	// Without a software Zou uses 3ds Max.
	got, err = c.Files.BuildWorkingFilePath(ctx, f.assetTask.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, assetDir+"3ds_max/"+assetName+"main_v001", got)

	got, err = c.Files.BuildWorkingFilePath(ctx, f.assetTask.ID, &kitsu.BuildWorkingFilePathOptions{
		SoftwareID: f.software.ID, Name: "Layout Pass", Revision: 12,
	})
	require.NoError(t, err)
	assert.Equal(t, assetDir+f.soft()+"/"+assetName+"layout_pass_v012", got)

	// The separator is sent and Zou uses it in the folder too.
	got, err = c.Files.BuildWorkingFilePath(ctx, f.assetTask.ID, &kitsu.BuildWorkingFilePathOptions{SoftwareID: f.software.ID, Sep: `\`})
	require.NoError(t, err)
	assert.Equal(t, strings.ReplaceAll(assetDir, "/", `\`)[1:]+f.soft()+`\`+assetName+"main_v001", strings.TrimPrefix(got, "/"))
	assert.True(t, strings.HasPrefix(got, `/simple\productions\`), got)

	// Shots use the shot templates.
	got, err = c.Files.BuildWorkingFilePath(ctx, f.shotTask.ID, &kitsu.BuildWorkingFilePathOptions{SoftwareID: f.software.ID})
	require.NoError(t, err)
	assert.Equal(t, "/simple/productions/"+f.proj()+"/shots/sq01/sh010/animation/"+f.soft()+"/"+f.proj()+"_sq01_sh010_animation_main_v001", got)

	// NextRevision: building reserves nothing, creating does.
	next := &kitsu.BuildWorkingFilePathOptions{SoftwareID: f.software.ID, NextRevision: true}
	for range 2 {
		got, err = c.Files.BuildWorkingFilePath(ctx, f.assetTask.ID, next)
		require.NoError(t, err)
		assert.True(t, strings.HasSuffix(got, "main_v001"), got)
	}
	wf, err := c.Files.NewWorkingFile(ctx, f.assetTask.ID, &kitsu.NewWorkingFileOptions{SoftwareID: f.software.ID})
	require.NoError(t, err)
	assert.Equal(t, got, wf.Path, "the path built is the path stored")
	got, err = c.Files.BuildWorkingFilePath(ctx, f.assetTask.ID, next)
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(got, "main_v002"), got)

	// Bad input, before any request.
	for _, o := range []*kitsu.BuildWorkingFilePathOptions{
		{Revision: -1}, {Revision: 2, NextRevision: true}, {SoftwareID: "x"}, {Name: "  "}, {Mode: " "},
	} {
		_, err = c.Files.BuildWorkingFilePath(ctx, f.assetTask.ID, o)
		assert.ErrorIs(t, err, kitsu.ErrInvalidArgument, "%+v", o)
	}
	_, err = c.Files.BuildWorkingFilePath(ctx, "", nil)
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.BuildWorkingFilePath(ctx, filesUnknownID, nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	// A mode the tree does not have.
	_, err = c.Files.BuildWorkingFilePath(ctx, f.assetTask.ID, &kitsu.BuildWorkingFilePathOptions{Mode: "cache"})
	assert.ErrorIs(t, err, kitsu.ErrParameter)
}

func TestFilesBuildWorkingFilePathDefaultAndCustomTrees(t *testing.T) {
	t.Parallel()

	t.Run("default", func(t *testing.T) {
		t.Parallel()
		f := filesSetup(t, kitsutest.ZouFileTree(t, "default"))
		// Zou's default tree has no name nor version in working file names.
		for _, rev := range []int{1, 7} {
			got, err := f.c.Files.BuildWorkingFilePath(f.ctx, f.assetTask.ID, &kitsu.BuildWorkingFilePathOptions{Revision: rev, Name: "other"})
			require.NoError(t, err)
			assert.Equal(t, "/simple/productions/"+f.proj()+"/assets/"+f.atype()+"/tree/modeling/"+f.proj()+"_"+f.atype()+"_tree_modeling", got)
		}
		got, err := f.c.Files.BuildWorkingFilePath(f.ctx, f.shotTask.ID, nil)
		require.NoError(t, err)
		assert.Equal(t, "/simple/productions/"+f.proj()+"/shots/sq01/sh010/animation/"+f.proj()+"_sh010_animation", got)
	})

	t.Run("all tokens", func(t *testing.T) {
		t.Parallel()
		f := filesSetup(t, filesTestdataTree(t, "all_tokens.json"))
		got, err := f.c.Files.BuildWorkingFilePath(f.ctx, f.assetTask.ID, &kitsu.BuildWorkingFilePathOptions{SoftwareID: f.software.ID, Revision: 4})
		require.NoError(t, err)
		// Zou keeps ids as they are. An empty value (Modeling's short
		// name) leaves an empty folder; a null one (the asset type's short
		// name) leaves the token itself in the path.
		assert.Equal(t, "/prod/projects/"+f.proj()+"/assets/"+f.atype()+"/<AssetType.short_name>/tree/"+f.asset.ID+"//modeling/main/sft/v004/"+
			f.proj()+"_assettype_short_name_tree_"+f.asset.ID+"_modeling_modeling_main_v004", got)
	})

	t.Run("no tree", func(t *testing.T) {
		t.Parallel()
		f := filesSetup(t, nil)
		_, err := f.c.Files.BuildWorkingFilePath(f.ctx, f.assetTask.ID, nil)
		assert.ErrorIs(t, err, kitsu.ErrParameter)
		_, err = f.c.Files.NewWorkingFile(f.ctx, f.assetTask.ID, nil)
		assert.ErrorIs(t, err, kitsu.ErrServer)
		files, err := f.c.Files.GetWorkingFilesForTask(f.ctx, f.assetTask.ID)
		require.NoError(t, err)
		assert.Empty(t, files, "nothing is stored when the path cannot be built")
	})
}

func TestFilesBuildEntityOutputFilePath(t *testing.T) {
	t.Parallel()

	t.Run("simple", func(t *testing.T) {
		t.Parallel()
		f := filesSetup(t, kitsutest.ZouFileTree(t, "simple"))
		c, ctx := f.c, f.ctx
		assetPath := "/simple/productions/export/" + f.proj() + "/assets/" + f.atype() + "/tree/modeling/" + f.otype() + "/" +
			f.proj() + "_" + f.atype() + "_tree_modeling_" + f.otype() + "_"

		got, err := c.Files.BuildEntityOutputFilePath(ctx, f.asset.ID, f.outputType.ID, f.modeling.ID, nil)
		require.NoError(t, err)
		assert.Equal(t, assetPath+"main_v001", got)

		got, err = c.Files.BuildEntityOutputFilePath(ctx, f.asset.ID, f.outputType.ID, f.modeling.ID, &kitsu.OutputFilePathOptions{
			Name: "Proxy", Revision: 5, NbElements: 24, Representation: "abc",
		})
		require.NoError(t, err)
		assert.Equal(t, assetPath+"proxy_v005_[1-24]", got)

		got, err = c.Files.BuildEntityOutputFilePath(ctx, f.shot.ID, f.outputType.ID, f.animation.ID, nil)
		require.NoError(t, err)
		assert.Equal(t, "/simple/productions/export/"+f.proj()+"/shots/sq01/sh010/animation/"+f.otype()+"/"+
			f.proj()+"_sq01_sh010_animation_"+f.otype()+"_main_v001", got)

		got, err = c.Files.BuildEntityOutputFilePath(ctx, f.shot.ID, f.outputType.ID, f.animation.ID, &kitsu.OutputFilePathOptions{Sep: `\`})
		require.NoError(t, err)
		assert.Equal(t, `/simple\productions/export\`+f.proj()+`\shots\sq01\sh010\animation\`+f.otype()+`\`+
			f.proj()+"_sq01_sh010_animation_"+f.otype()+"_main_v001", got, "Zou leaves the / inside the tree's root")

		// The path built is the one stored by a creation.
		of, err := c.Files.NewEntityOutputFile(ctx, f.asset.ID, f.outputType.ID, f.modeling.ID, "first", nil)
		require.NoError(t, err)
		assert.Equal(t, assetPath+"main_v001", of.Path)
		got, err = c.Files.BuildEntityOutputFilePath(ctx, f.asset.ID, f.outputType.ID, f.modeling.ID, nil)
		require.NoError(t, err)
		assert.Equal(t, assetPath+"main_v002", got)

		// Bad input, before any request.
		for _, o := range []*kitsu.OutputFilePathOptions{{Revision: -2}, {NbElements: -1}, {Name: " "}} {
			_, err = c.Files.BuildEntityOutputFilePath(ctx, f.asset.ID, f.outputType.ID, f.modeling.ID, o)
			assert.ErrorIs(t, err, kitsu.ErrInvalidArgument, "%+v", o)
		}
		_, err = c.Files.BuildEntityOutputFilePath(ctx, f.asset.ID, "", f.modeling.ID, nil)
		assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
		_, err = c.Files.BuildEntityOutputFilePath(ctx, filesUnknownID, f.outputType.ID, f.modeling.ID, nil)
		assert.ErrorIs(t, err, kitsu.ErrNotFound)
	})

	t.Run("custom modes, revision in the folder", func(t *testing.T) {
		t.Parallel()
		f := filesSetup(t, filesTestdataTree(t, "custom_modes.json"))
		c, ctx := f.c, f.ctx
		for range 2 {
			_, err := c.Files.NewEntityOutputFile(ctx, f.asset.ID, f.outputType.ID, f.modeling.ID, "", nil)
			require.NoError(t, err)
		}
		// Revision 0 is the next revision, in the folder as in the name
		// (Zou alone would give v000 for the folder).
		got, err := c.Files.BuildEntityOutputFilePath(ctx, f.asset.ID, f.outputType.ID, f.modeling.ID, nil)
		require.NoError(t, err)
		assert.Equal(t, "/studio/publish/"+f.proj()+"/"+f.atype()+"/tree/"+f.otype()+"/v003/tree_"+f.otype()+"_main_v003", got)
		of, err := c.Files.NewEntityOutputFile(ctx, f.asset.ID, f.outputType.ID, f.modeling.ID, "", nil)
		require.NoError(t, err)
		assert.Equal(t, got, of.Path)

		// Another mode of the tree. Its style "none" changes nothing: Zou
		// lowercases every value when it slugifies it.
		got, err = c.Files.BuildEntityOutputFilePath(ctx, f.shot.ID, f.outputType.ID, f.animation.ID, &kitsu.OutputFilePathOptions{
			Mode: "cache", Representation: "VDB", Revision: 2, Name: "Smoke",
		})
		require.NoError(t, err)
		assert.Equal(t, "/cache/sim/"+f.proj()+"/sq01/sh010/animation/vdb/"+f.proj()+"_sh010_smoke_002", got)
	})

	t.Run("default", func(t *testing.T) {
		t.Parallel()
		f := filesSetup(t, kitsutest.ZouFileTree(t, "default"))
		got, err := f.c.Files.BuildEntityOutputFilePath(f.ctx, f.asset.ID, f.outputType.ID, f.modeling.ID, &kitsu.OutputFilePathOptions{Name: "Body"})
		require.NoError(t, err)
		assert.Equal(t, "/simple/productions/export/"+f.proj()+"/assets/"+f.atype()+"/tree/"+f.otype()+"/"+
			f.proj()+"_"+f.atype()+"_tree_"+f.otype()+"_body", got)
		// Zou's default tree misspells a token of its sequence outputs.
		_, err = f.c.Files.BuildEntityOutputFilePath(f.ctx, f.sequence.ID, f.outputType.ID, f.animation.ID, nil)
		assert.ErrorIs(t, err, kitsu.ErrParameter)
		// Creating one fails too, but only once the output file is stored:
		// it stays, with no path, and takes its revision.
		_, err = f.c.Files.NewEntityOutputFile(f.ctx, f.sequence.ID, f.outputType.ID, f.animation.ID, "", nil)
		assert.ErrorIs(t, err, kitsu.ErrParameter)
		orphans, err := f.c.Files.AllOutputFilesForEntity(f.ctx, f.sequence.ID, nil)
		require.NoError(t, err)
		require.Len(t, orphans, 1)
		assert.Empty(t, orphans[0].Path)
		next, err := f.c.Files.GetNextEntityOutputRevision(f.ctx, f.sequence.ID, f.outputType.ID, f.animation.ID, nil)
		require.NoError(t, err)
		assert.Equal(t, 2, next)
	})

	t.Run("no tree", func(t *testing.T) {
		t.Parallel()
		f := filesSetup(t, nil)
		_, err := f.c.Files.BuildEntityOutputFilePath(f.ctx, f.asset.ID, f.outputType.ID, f.modeling.ID, &kitsu.OutputFilePathOptions{Revision: 1})
		assert.ErrorIs(t, err, kitsu.ErrParameter)
	})
}

func TestFilesEntityOutputRevisions(t *testing.T) {
	t.Parallel()
	f := filesSetup(t, kitsutest.ZouFileTree(t, "simple"))
	c, ctx := f.c, f.ctx
	a, ot, tt := f.asset.ID, f.outputType.ID, f.modeling.ID
	main := &kitsu.OutputRevisionOptions{Name: "main"}

	next, err := c.Files.GetNextEntityOutputRevision(ctx, a, ot, tt, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, next, "nothing yet: the next revision is 1")
	last, err := c.Files.GetLastEntityOutputRevision(ctx, a, ot, tt, main)
	require.NoError(t, err)
	assert.Equal(t, 0, last, "nothing yet: the last revision is 0")

	// Building reserves nothing.
	p1, err := c.Files.BuildEntityOutputFilePath(ctx, a, ot, tt, nil)
	require.NoError(t, err)
	p2, err := c.Files.BuildEntityOutputFilePath(ctx, a, ot, tt, nil)
	require.NoError(t, err)
	assert.Equal(t, p1, p2)
	assert.True(t, strings.HasSuffix(p1, "_v001"), p1)

	// Revisions after 1, 2 and 3 files.
	for want := 1; want <= 3; want++ {
		of, err := c.Files.NewEntityOutputFile(ctx, a, ot, tt, "take", nil)
		require.NoError(t, err)
		assert.Equal(t, want, of.Revision)
		assert.Equal(t, "main", of.Name)
		assert.Equal(t, a, of.EntityID)
		assert.Equal(t, ot, of.OutputTypeID)
		assert.Equal(t, tt, of.TaskTypeID)
		assert.NotEmpty(t, of.FileStatusID, "Zou gives a default status")
		assert.Equal(t, of.FolderPath+"/"+of.FileName, of.Path)
		next, err := c.Files.GetNextEntityOutputRevision(ctx, a, ot, tt, nil)
		require.NoError(t, err)
		assert.Equal(t, want+1, next)
		last, err := c.Files.GetLastEntityOutputRevision(ctx, a, ot, tt, main)
		require.NoError(t, err)
		assert.Equal(t, want, last)
	}
	// gazu's default name for the last revision is "master", not "main".
	last, err = c.Files.GetLastEntityOutputRevision(ctx, a, ot, tt, nil)
	require.NoError(t, err)
	assert.Equal(t, 0, last)

	// An explicit revision: gaps are accepted, duplicates are not.
	seven, err := c.Files.NewEntityOutputFile(ctx, a, ot, tt, "jump", &kitsu.NewOutputFileOptions{Revision: 7, Extension: ".abc"})
	require.NoError(t, err)
	assert.Equal(t, 7, seven.Revision)
	assert.True(t, strings.HasSuffix(seven.Path, "main_v007.abc"), seven.Path)
	_, err = c.Files.NewEntityOutputFile(ctx, a, ot, tt, "again", &kitsu.NewOutputFileOptions{Revision: 7})
	assert.ErrorIs(t, err, kitsu.ErrConflict)
	assert.ErrorIs(t, err, kitsu.ErrParameter)
	// Another representation may share the revision, and the counter.
	abc, err := c.Files.NewEntityOutputFile(ctx, a, ot, tt, "abc", &kitsu.NewOutputFileOptions{Revision: 7, Representation: "abc"})
	require.NoError(t, err)
	assert.Equal(t, 7, abc.Revision)
	fbx, err := c.Files.NewEntityOutputFile(ctx, a, ot, tt, "fbx", &kitsu.NewOutputFileOptions{Representation: "fbx", NbElements: 3})
	require.NoError(t, err)
	assert.Equal(t, 8, fbx.Revision, "representations share one counter")
	assert.True(t, strings.HasSuffix(fbx.FileName, "main_v008_[1-3]"), fbx.FileName)
	assert.Equal(t, 3, fbx.NbElements)

	// Another name has its own counter.
	proxy, err := c.Files.NewEntityOutputFile(ctx, a, ot, tt, "", &kitsu.NewOutputFileOptions{Name: "proxy"})
	require.NoError(t, err)
	assert.Equal(t, 1, proxy.Revision)

	all, err := c.Files.AllOutputFilesForEntity(ctx, a, nil)
	require.NoError(t, err)
	assert.Len(t, all, 7)
	assert.True(t, slices.IsSortedFunc(all, func(x, y kitsu.OutputFile) int { return y.Revision - x.Revision }), "highest revision first: %v", filesRevisions(all))
	mains, err := c.Files.AllOutputFilesForEntity(ctx, a, &kitsu.OutputFilesOptions{Name: "main", Representation: "abc", OutputTypeID: ot, TaskTypeID: tt})
	require.NoError(t, err)
	assert.Equal(t, []string{abc.ID}, kitsutest.IDs(mains, func(o *kitsu.OutputFile) string { return o.ID }))

	lasts, err := c.Files.GetLastOutputFilesForEntity(ctx, a, nil)
	require.NoError(t, err)
	byKey := map[string]int{}
	for _, of := range lasts {
		byKey[of.Name+"/"+of.Representation] = of.Revision
	}
	assert.Equal(t, map[string]int{"main/": 7, "main/abc": 7, "main/fbx": 8, "proxy/": 1}, byKey)
	lasts, err = c.Files.GetLastOutputFilesForEntity(ctx, a, &kitsu.OutputFilesOptions{Name: "proxy"})
	require.NoError(t, err)
	assert.Equal(t, []string{proxy.ID}, kitsutest.IDs(lasts, func(o *kitsu.OutputFile) string { return o.ID }))

	// Lookups.
	got, err := c.Files.GetOutputFile(ctx, seven.ID)
	require.NoError(t, err)
	assert.Equal(t, seven.Path, got.Path)
	assert.Equal(t, "jump", got.Comment)
	got, err = c.Files.GetOutputFileByPath(ctx, seven.Path)
	require.NoError(t, err)
	assert.Equal(t, seven.ID, got.ID)
	_, err = c.Files.GetOutputFileByPath(ctx, strings.ToUpper(seven.Path))
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetOutputFileByPath(ctx, "[not a list")
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetOutputFileByPath(ctx, " ")
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetOutputFile(ctx, filesUnknownID)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetOutputFile(ctx, "x")
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)

	// Update.
	updated, err := c.Files.UpdateOutputFile(ctx, seven.ID, map[string]any{"comment": "approved", "size": 1234, "checksum": "abc123"})
	require.NoError(t, err)
	assert.Equal(t, "approved", updated.Comment)
	assert.EqualValues(t, 1234, updated.Size)
	got, err = c.Files.GetOutputFile(ctx, seven.ID)
	require.NoError(t, err)
	assert.Equal(t, "abc123", got.Checksum)
	_, err = c.Files.UpdateOutputFile(ctx, seven.ID, nil)
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.UpdateOutputFile(ctx, filesUnknownID, map[string]any{"comment": "x"})
	assert.ErrorIs(t, err, kitsu.ErrNotFound)

	// Bad input.
	_, err = c.Files.GetNextEntityOutputRevision(ctx, a, "bad", tt, nil)
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetLastEntityOutputRevision(ctx, a, ot, tt, &kitsu.OutputRevisionOptions{Name: " "})
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetNextEntityOutputRevision(ctx, filesUnknownID, ot, tt, nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	for _, o := range []*kitsu.NewOutputFileOptions{{Revision: -1}, {NbElements: -3}, {PersonID: "me"}, {WorkingFileID: "wf"}, {FileStatusID: "ok"}} {
		_, err = c.Files.NewEntityOutputFile(ctx, a, ot, tt, "", o)
		assert.ErrorIs(t, err, kitsu.ErrInvalidArgument, "%+v", o)
	}
	_, err = c.Files.NewEntityOutputFile(ctx, a, filesUnknownID, tt, "", nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound, "unknown output type")
	_, err = c.Files.NewEntityOutputFile(ctx, a, ot, tt, "", &kitsu.NewOutputFileOptions{PersonID: filesUnknownID})
	assert.ErrorIs(t, err, kitsu.ErrNotFound, "unknown person")
	_, err = c.Files.NewEntityOutputFile(ctx, filesUnknownID, ot, tt, "", nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound, "unknown entity")
	_, err = c.Files.BuildEntityOutputFilePath(ctx, a, filesUnknownID, tt, &kitsu.OutputFilePathOptions{Revision: 1})
	assert.ErrorIs(t, err, kitsu.ErrNotFound, "unknown output type")
	_, err = c.Files.AllOutputFilesForEntity(ctx, a, &kitsu.OutputFilesOptions{TaskTypeID: "x"})
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.AllOutputFilesForEntity(ctx, filesUnknownID, nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetLastOutputFilesForEntity(ctx, filesUnknownID, nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
}

// TestFilesConcurrentEntityOutputs fires creations of the same entity
// output at the same moment. Zou checks for duplicates in its code only
// (its unique constraint covers NULL columns for entity outputs), so
// several may succeed with the same revision: the test reports what
// happened and asserts only what is certain.
func TestFilesConcurrentEntityOutputs(t *testing.T) {
	t.Parallel()
	f := filesSetup(t, kitsutest.ZouFileTree(t, "simple"))
	c, ctx := f.c, f.ctx
	const n = 16

	fire := func(revision int) (revisions []int, conflicts int) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range n {
			wg.Go(func() {
				<-start
				of, err := c.Files.NewEntityOutputFile(ctx, f.asset.ID, f.outputType.ID, f.modeling.ID, "race", &kitsu.NewOutputFileOptions{Revision: revision})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					revisions = append(revisions, of.Revision)
				case errors.Is(err, kitsu.ErrConflict):
					conflicts++
				default:
					t.Errorf("revision %d: %v", revision, err)
				}
			})
		}
		close(start)
		wg.Wait()
		slices.Sort(revisions)
		return revisions, conflicts
	}

	explicit, conflicts := fire(5)
	t.Logf("%d concurrent creations of revision 5: %d succeeded %v, %d refused as duplicates", n, len(explicit), explicit, conflicts)
	require.NotEmpty(t, explicit, "at least one creation succeeds")
	assert.Equal(t, n, len(explicit)+conflicts)
	for _, r := range explicit {
		assert.Equal(t, 5, r)
	}

	auto, conflicts := fire(0)
	distinct := slices.Compact(slices.Clone(auto))
	t.Logf("%d concurrent creations of the next revision: %d succeeded with revisions %v (%d distinct), %d refused as duplicates", n, len(auto), auto, len(distinct), conflicts)
	require.NotEmpty(t, auto)
	assert.Equal(t, n, len(auto)+conflicts)
	for _, r := range auto {
		assert.Greater(t, r, 5, "the next revision follows the highest one")
	}

	// What is stored is what was reported.
	all, err := c.Files.AllOutputFilesForEntity(ctx, f.asset.ID, nil)
	require.NoError(t, err)
	assert.Len(t, all, len(explicit)+len(auto))
	if len(explicit) > 1 || len(auto) > len(distinct) {
		t.Logf("duplicate revisions were stored: Zou's check for existing outputs is not atomic")
	}
}

func TestFilesAssetInstanceOutputs(t *testing.T) {
	t.Parallel()
	f := filesSetup(t, kitsutest.ZouFileTree(t, "simple"))
	c, ctx := f.c, f.ctx
	ai := f.newInstance(t)
	shot, ot, tt := f.shot.ID, f.outputType.ID, f.animation.ID
	master := &kitsu.OutputRevisionOptions{Name: "master"}

	next, err := c.Files.GetNextAssetInstanceOutputRevision(ctx, ai.ID, shot, ot, tt, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, next)
	last, err := c.Files.GetLastAssetInstanceOutputRevision(ctx, ai.ID, shot, ot, tt, nil)
	require.NoError(t, err)
	assert.Equal(t, 0, last)

	dir := "/simple/productions/export/" + f.proj() + "/shot/sq01/sh010/animation/" + f.otype() + "/" + f.atype() + "/tree/instance_0001/abc/"
	name := f.proj() + "_sq01_sh010_animation_" + f.otype() + "_master_tree_inst_v"
	opts := &kitsu.OutputFilePathOptions{Name: "master", Representation: "abc"}
	p1, err := c.Files.BuildAssetInstanceOutputFilePath(ctx, ai.ID, shot, ot, tt, opts)
	require.NoError(t, err)
	assert.Equal(t, dir+name+"001", p1, "revision 0 is the next revision")
	p2, err := c.Files.BuildAssetInstanceOutputFilePath(ctx, ai.ID, shot, ot, tt, opts)
	require.NoError(t, err)
	assert.Equal(t, p1, p2, "building reserves nothing")

	for want := 1; want <= 3; want++ {
		of, err := c.Files.NewAssetInstanceOutputFile(ctx, ai.ID, shot, ot, tt, "inst", &kitsu.NewOutputFileOptions{Representation: "abc"})
		require.NoError(t, err)
		assert.Equal(t, want, of.Revision)
		assert.Equal(t, "master", of.Name)
		assert.Equal(t, ai.ID, of.AssetInstanceID)
		assert.Equal(t, shot, of.TemporalEntityID)
		assert.Equal(t, f.asset.ID, of.EntityID, "the entity of an instance output is its asset")
		assert.Equal(t, dir+name+"00"+string(rune('0'+want)), of.Path)
		last, err := c.Files.GetLastAssetInstanceOutputRevision(ctx, ai.ID, shot, ot, tt, master)
		require.NoError(t, err)
		assert.Equal(t, want, last)
	}
	next, err = c.Files.GetNextAssetInstanceOutputRevision(ctx, ai.ID, shot, ot, tt, nil)
	require.NoError(t, err)
	assert.Equal(t, 4, next)
	p3, err := c.Files.BuildAssetInstanceOutputFilePath(ctx, ai.ID, shot, ot, tt, opts)
	require.NoError(t, err)
	assert.Equal(t, dir+name+"004", p3)

	_, err = c.Files.NewAssetInstanceOutputFile(ctx, ai.ID, shot, ot, tt, "dup", &kitsu.NewOutputFileOptions{Revision: 2, Representation: "abc"})
	assert.ErrorIs(t, err, kitsu.ErrConflict)

	// The asset's own revision counts its instances' outputs, but its
	// listings leave them out.
	assetLast, err := c.Files.GetLastEntityOutputRevision(ctx, f.asset.ID, ot, tt, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, assetLast)
	assetFiles, err := c.Files.AllOutputFilesForEntity(ctx, f.asset.ID, nil)
	require.NoError(t, err)
	assert.Empty(t, assetFiles)

	all, err := c.Files.AllOutputFilesForAssetInstance(ctx, ai.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{3, 2, 1}, filesRevisions(all))
	all, err = c.Files.AllOutputFilesForAssetInstance(ctx, ai.ID, &kitsu.AssetInstanceOutputFilesOptions{TemporalEntityID: shot, OutputFilesOptions: kitsu.OutputFilesOptions{Representation: "abc"}})
	require.NoError(t, err)
	assert.Len(t, all, 3)
	all, err = c.Files.AllOutputFilesForAssetInstance(ctx, ai.ID, &kitsu.AssetInstanceOutputFilesOptions{TemporalEntityID: f.sequence.ID})
	require.NoError(t, err)
	assert.Empty(t, all)
	lasts, err := c.Files.GetLastOutputFilesForAssetInstance(ctx, ai.ID, shot, nil)
	require.NoError(t, err)
	assert.Equal(t, []int{3}, filesRevisions(lasts))
	lasts, err = c.Files.GetLastOutputFilesForAssetInstance(ctx, ai.ID, shot, &kitsu.OutputFilesOptions{Name: "main"})
	require.NoError(t, err)
	assert.Empty(t, lasts)

	_, err = c.Files.AllOutputFilesForAssetInstance(ctx, filesUnknownID, nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetLastOutputFilesForAssetInstance(ctx, filesUnknownID, shot, nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetNextAssetInstanceOutputRevision(ctx, filesUnknownID, shot, ot, tt, nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.AllOutputFilesForAssetInstance(ctx, ai.ID, &kitsu.AssetInstanceOutputFilesOptions{TemporalEntityID: "x"})
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.BuildAssetInstanceOutputFilePath(ctx, ai.ID, "", ot, tt, nil)
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.NewAssetInstanceOutputFile(ctx, ai.ID, shot, filesUnknownID, tt, "", nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound, "unknown output type")
	_, err = c.Files.NewAssetInstanceOutputFile(ctx, filesUnknownID, shot, ot, tt, "", nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound, "unknown asset instance")
	_, err = c.Files.NewAssetInstanceOutputFile(ctx, ai.ID, shot, ot, tt, "", &kitsu.NewOutputFileOptions{Revision: -1})
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetLastAssetInstanceOutputRevision(ctx, ai.ID, shot, ot, "", nil)
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestFilesAssetInstanceOutputPathDefaultTree(t *testing.T) {
	t.Parallel()
	f := filesSetup(t, kitsutest.ZouFileTree(t, "default"))
	ai := f.newInstance(t)
	// Zou's default tree has no instance templates.
	_, err := f.c.Files.BuildAssetInstanceOutputFilePath(f.ctx, ai.ID, f.shot.ID, f.outputType.ID, f.animation.ID, &kitsu.OutputFilePathOptions{Revision: 1})
	assert.ErrorIs(t, err, kitsu.ErrParameter)
	// Creating one fails with a server error, once the file is stored.
	_, err = f.c.Files.NewAssetInstanceOutputFile(f.ctx, ai.ID, f.shot.ID, f.outputType.ID, f.animation.ID, "", nil)
	assert.ErrorIs(t, err, kitsu.ErrServer)
	orphans, err := f.c.Files.AllOutputFilesForAssetInstance(f.ctx, ai.ID, nil)
	require.NoError(t, err)
	require.Len(t, orphans, 1)
	assert.Empty(t, orphans[0].Path)
	assert.Equal(t, 1, orphans[0].Revision)
}

func TestFilesWorkingFiles(t *testing.T) {
	t.Parallel()
	f := filesSetup(t, kitsutest.ZouFileTree(t, "simple"))
	c, ctx := f.c, f.ctx
	me, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)
	dir := "/simple/productions/" + f.proj() + "/assets/" + f.atype() + "/tree/modeling/"
	name := f.proj() + "_" + f.atype() + "_tree_modeling_"

	rev, err := c.Files.GetLastWorkingFileRevision(ctx, f.assetTask.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, 0, rev, "nothing yet: the last revision is 0")
	lastFiles, err := c.Files.GetLastWorkingFiles(ctx, f.assetTask.ID)
	require.NoError(t, err)
	assert.NotNil(t, lastFiles)
	assert.Empty(t, lastFiles)

	// Defaults: name main, the next revision, Blender, the current user.
	first, err := c.Files.NewWorkingFile(ctx, f.assetTask.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, first.Revision)
	assert.Equal(t, "main", first.Name)
	assert.Equal(t, f.assetTask.ID, first.TaskID)
	assert.Equal(t, f.asset.ID, first.EntityID)
	assert.Equal(t, me.ID, first.PersonID)
	assert.Equal(t, dir+"blender/"+name+"main_v001", first.Path)
	var assigned kitsu.Task
	require.NoError(t, c.FetchOne(ctx, "tasks", f.assetTask.ID, &assigned, nil))
	assert.Contains(t, assigned.Assignees, me.ID, "Zou assigns the task to the current user")

	second, err := c.Files.NewWorkingFile(ctx, f.assetTask.ID, &kitsu.NewWorkingFileOptions{SoftwareID: f.software.ID, Comment: "second"})
	require.NoError(t, err)
	assert.Equal(t, 2, second.Revision)
	assert.Equal(t, "second", second.Comment)
	assert.Equal(t, f.software.ID, second.SoftwareID)
	assert.Equal(t, dir+f.soft()+"/"+name+"main_v002", second.Path)

	layout, err := c.Files.NewWorkingFile(ctx, f.assetTask.ID, &kitsu.NewWorkingFileOptions{Name: "layout", SoftwareID: f.software.ID, Revision: 5, Sep: `\`})
	require.NoError(t, err)
	assert.Equal(t, 5, layout.Revision)
	// Zou puts the separator only between folder and file name.
	assert.Equal(t, dir+f.soft()+`\`+name+"layout_v005", layout.Path)

	_, err = c.Files.NewWorkingFile(ctx, f.assetTask.ID, &kitsu.NewWorkingFileOptions{Revision: 2})
	assert.ErrorIs(t, err, kitsu.ErrConflict)
	assert.ErrorIs(t, err, kitsu.ErrParameter)

	rev, err = c.Files.GetLastWorkingFileRevision(ctx, f.assetTask.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, rev)
	rev, err = c.Files.GetLastWorkingFileRevision(ctx, f.assetTask.ID, &kitsu.WorkingFileNameOptions{Name: "layout"})
	require.NoError(t, err)
	assert.Equal(t, 5, rev)
	rev, err = c.Files.GetLastWorkingFileRevision(ctx, f.assetTask.ID, &kitsu.WorkingFileNameOptions{Name: "none"})
	require.NoError(t, err)
	assert.Equal(t, 0, rev)

	lastFiles, err = c.Files.GetLastWorkingFiles(ctx, f.assetTask.ID)
	require.NoError(t, err)
	assert.Len(t, lastFiles, 2)
	assert.Equal(t, second.ID, lastFiles["main"].ID)
	assert.Equal(t, layout.ID, lastFiles["layout"].ID)

	forTask, err := c.Files.GetWorkingFilesForTask(ctx, f.assetTask.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{layout.ID, second.ID, first.ID}, kitsutest.IDs(forTask, func(w *kitsu.WorkingFile) string { return w.ID }), "highest revision first")

	// A working file of the shot, to see the entity filters at work.
	shotFile, err := c.Files.NewWorkingFile(ctx, f.shotTask.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, shotFile.Revision)
	forEntity, err := c.Files.GetAllWorkingFilesForEntity(ctx, f.asset.ID, nil)
	require.NoError(t, err)
	assert.Len(t, forEntity, 3)
	forEntity, err = c.Files.GetAllWorkingFilesForEntity(ctx, f.asset.ID, &kitsu.EntityWorkingFilesOptions{TaskID: f.assetTask.ID, Name: "main"})
	require.NoError(t, err)
	assert.Equal(t, []string{second.ID, first.ID}, kitsutest.IDs(forEntity, func(w *kitsu.WorkingFile) string { return w.ID }))
	forEntity, err = c.Files.GetAllWorkingFilesForEntity(ctx, f.asset.ID, &kitsu.EntityWorkingFilesOptions{TaskID: f.shotTask.ID})
	require.NoError(t, err)
	assert.Empty(t, forEntity)
	emptyTask := kitsutest.NewTask(t, c, f.project.ID, f.asset.ID, kitsutest.TaskTypeNamed(t, c, "Rigging").ID, "Rig")
	none, err := c.Files.GetWorkingFilesForTask(ctx, emptyTask.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	got, err := c.Files.GetWorkingFile(ctx, second.ID)
	require.NoError(t, err)
	assert.Equal(t, second.Path, got.Path)
	assert.Equal(t, 2, got.Revision)

	commented, err := c.Files.UpdateComment(ctx, second.ID, "better now")
	require.NoError(t, err)
	assert.Equal(t, "better now", commented.Comment)
	got, err = c.Files.GetWorkingFile(ctx, second.ID)
	require.NoError(t, err)
	assert.Equal(t, "better now", got.Comment)

	time.Sleep(1100 * time.Millisecond) // Zou's timestamps count seconds
	touched, err := c.Files.UpdateModificationDate(ctx, first.ID)
	require.NoError(t, err)
	assert.Equal(t, first.ID, touched.ID)
	assert.True(t, touched.UpdatedAt.After(first.UpdatedAt.Time), "%v is after %v", touched.UpdatedAt, first.UpdatedAt)

	// Not found and bad input.
	_, err = c.Files.GetWorkingFile(ctx, filesUnknownID)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.UpdateComment(ctx, filesUnknownID, "x")
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.UpdateModificationDate(ctx, filesUnknownID)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetWorkingFilesForTask(ctx, filesUnknownID)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetAllWorkingFilesForEntity(ctx, filesUnknownID, nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.NewWorkingFile(ctx, filesUnknownID, nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.UpdateComment(ctx, second.ID, "")
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetWorkingFile(ctx, "wf")
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetLastWorkingFiles(ctx, "")
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetLastWorkingFileRevision(ctx, f.assetTask.ID, &kitsu.WorkingFileNameOptions{Name: "\t"})
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetAllWorkingFilesForEntity(ctx, f.asset.ID, &kitsu.EntityWorkingFilesOptions{TaskID: "t"})
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	for _, o := range []*kitsu.NewWorkingFileOptions{{Revision: -1}, {SoftwareID: "blender"}, {PersonID: "me"}, {Name: " "}} {
		_, err = c.Files.NewWorkingFile(ctx, f.assetTask.ID, o)
		assert.ErrorIs(t, err, kitsu.ErrInvalidArgument, "%+v", o)
	}
}

func TestFilesDownloadWorkingFile(t *testing.T) {
	t.Parallel()
	// A tree whose working files live in a temporary folder, so that the
	// stored path can be written to.
	root := t.TempDir()
	tree := kitsutest.ZouFileTree(t, "simple")
	tree["working"].(map[string]any)["mountpoint"] = root
	f := filesSetup(t, tree)
	c, ctx := f.c, f.ctx

	wf, err := c.Files.NewWorkingFile(ctx, f.assetTask.ID, &kitsu.NewWorkingFileOptions{SoftwareID: f.software.ID})
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(wf.Path, root+"/productions/"), wf.Path)

	// Nothing uploaded yet: not found, and no file left behind.
	target := filepath.Join(t.TempDir(), "scene.sft")
	_, err = c.Files.DownloadWorkingFile(ctx, wf.ID, &kitsu.DownloadWorkingFileOptions{FilePath: target})
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.ErrorIs(t, err, kitsu.ErrDownloadFailed)
	assert.NoFileExists(t, target)

	content := bytes.Repeat([]byte("kpublish working file \x00\x01\x02\xff\n"), 40000)
	src := filepath.Join(t.TempDir(), "upload.sft")
	require.NoError(t, os.WriteFile(src, content, 0o644))
	require.NoError(t, c.Upload(ctx, "data/working-files/"+wf.ID+"/file", src, nil, nil))

	var seen int64
	written, err := c.Files.DownloadWorkingFile(ctx, wf.ID, &kitsu.DownloadWorkingFileOptions{
		FilePath: target, Progress: func(done, _ int64) { seen = done },
	})
	require.NoError(t, err)
	assert.Equal(t, target, written)
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(content, got), "the bytes downloaded are the bytes uploaded")
	assert.EqualValues(t, len(content), seen)

	// Without a path, the stored path is used.
	require.NoError(t, os.MkdirAll(filepath.Dir(wf.Path), 0o755))
	written, err = c.Files.DownloadWorkingFile(ctx, wf.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, wf.Path, written)
	got, err = os.ReadFile(wf.Path)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(content, got))

	_, err = c.Files.DownloadWorkingFile(ctx, filesUnknownID, nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.DownloadWorkingFile(ctx, filesUnknownID, &kitsu.DownloadWorkingFileOptions{FilePath: filepath.Join(t.TempDir(), "x")})
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.DownloadWorkingFile(ctx, "x", nil)
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}
