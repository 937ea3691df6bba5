package publish

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

func workingTree(mountpoint, root string) map[string]any {
	return map[string]any{
		"working": map[string]any{
			"mountpoint": mountpoint, "root": root,
			"folder_path": map[string]any{"asset": "<Project>/<AssetType>/<Asset>/<TaskType>/<Software>", "style": "lowercase"},
			"file_name":   map[string]any{"asset": "<Asset>_<TaskType>_<Name>_v<Revision>", "style": "lowercase"},
		},
		"output": map[string]any{
			"mountpoint": mountpoint, "root": "out",
			"folder_path": map[string]any{"asset": "<Project>/<Asset>/<OutputType>", "style": "lowercase"},
			"file_name":   map[string]any{"asset": "<Asset>_<OutputType>_v<Revision>", "style": "lowercase"},
		},
	}
}

type workingFixture struct {
	c    *kitsu.Client
	w    *Working
	sw   *kitsu.Software
	task *kitsu.Task
	pid  string
}

func newWorkingFixture(t *testing.T, fsys afero.Fs, mountpoint string, roots filetree.Roots) *workingFixture {
	t.Helper()
	c := kitsutest.Client(t)
	sw := kitsutest.NewSoftware(t, c)
	at := kitsutest.NewAssetTask(t, c)
	require.NoError(t, c.Update(kitsutest.Context(t), "projects", at.Project.ID, map[string]any{"file_tree": workingTree(mountpoint, "work")}, nil))
	return &workingFixture{c: c, sw: sw, task: at.Task, pid: at.Project.ID, w: &Working{Client: c, Fs: fsys, Roots: roots}}
}

func (f *workingFixture) records(t *testing.T) []kitsu.WorkingFile {
	t.Helper()
	wfs, err := f.c.Files.GetWorkingFilesForTask(kitsutest.Context(t), f.task.ID)
	require.NoError(t, err)
	return wfs
}

func memFiles(t *testing.T, fsys afero.Fs) []string {
	t.Helper()
	var out []string
	require.NoError(t, afero.Walk(fsys, "/", func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			out = append(out, p)
		}
		return err
	}))
	return out
}

// TestWorkingMemMapFs claims, registers and copies working files in
// memory, mapped with roots, against the real Zou: dry runs touch
// neither the filesystem nor Kitsu.
func TestWorkingMemMapFs(t *testing.T) {
	ctx := kitsutest.Context(t)
	fsys := afero.NewMemMapFs()
	require.NoError(t, fsys.MkdirAll("/mnt/studio", 0o755))
	roots := filetree.Roots{"/studio": {"linux": "/mnt/studio", "darwin": "/Volumes/studio", "windows": `S:\`}}
	f := newWorkingFixture(t, fsys, "/studio", roots)
	f.w.GOOS = "linux"

	tg, err := f.w.Target(ctx, TaskFile{TaskID: f.task.ID, Software: f.sw.ID})
	require.NoError(t, err)
	assert.Equal(t, ".sft", tg.Extension)
	assert.Equal(t, "main", tg.Name)
	assert.Equal(t, "/mnt/studio", tg.Store().Root())

	dry, err := f.w.Claim(ctx, tg, &WorkingClaimOptions{DryRun: true})
	require.NoError(t, err)
	assert.True(t, dry.DryRun)
	assert.Equal(t, 1, dry.Revision)
	assert.True(t, strings.HasPrefix(dry.Path, "/mnt/studio/work/"), dry.Path)
	assert.True(t, strings.HasPrefix(dry.TreePath, "/studio/work/"), dry.TreePath)
	assert.Empty(t, memFiles(t, fsys), "a dry run writes nothing")
	ok, err := afero.DirExists(fsys, filepath.Dir(dry.Path))
	require.NoError(t, err)
	assert.False(t, ok, "a dry run creates no folder")

	cl, err := f.w.Claim(ctx, tg, nil)
	require.NoError(t, err)
	assert.Equal(t, dry.Path, cl.Path)
	assert.Equal(t, []string{cl.Claim}, memFiles(t, fsys))
	info, _, err := readClaim(fsys, cl.Claim)
	require.NoError(t, err)
	assert.Equal(t, f.task.ID, info.Data["task_id"])
	assert.Equal(t, f.sw.ID, info.Data["software_id"])
	assert.Equal(t, 1, info.Revision)

	require.NoError(t, afero.WriteFile(fsys, cl.Path, []byte("scene"), 0o644))
	r, err := f.w.Register(ctx, cl.Path, &RegisterOptions{DryRun: true})
	require.NoError(t, err)
	assert.True(t, r.DryRun)
	assert.Equal(t, cl.TreePath, r.WorkingFile.Path)
	assert.Empty(t, f.records(t), "a dry run registers nothing")
	exists, _ := afero.Exists(fsys, cl.Claim)
	assert.True(t, exists, "a dry run keeps the claim")

	r, err = f.w.Register(ctx, cl.Path, &RegisterOptions{Comment: "in memory"})
	require.NoError(t, err)
	assert.False(t, r.AlreadyRegistered)
	assert.Equal(t, cl.TreePath, r.WorkingFile.Path)
	assert.Equal(t, int64(5), r.WorkingFile.Size)
	assert.Equal(t, int64(r.Sum.ChecksumInt()), r.WorkingFile.Checksum)
	assert.Equal(t, []string{cl.Path}, memFiles(t, fsys), "the claim is released")
	r, err = f.w.Register(ctx, cl.Path, nil)
	require.NoError(t, err)
	assert.True(t, r.AlreadyRegistered)
	assert.Len(t, f.records(t), 1)

	require.NoError(t, afero.WriteFile(fsys, "/elsewhere/scene.sft", []byte("second"), 0o644))
	before := memFiles(t, fsys)
	r, err = f.w.Copy(ctx, "/elsewhere/scene.sft", tg, nil, &RegisterOptions{DryRun: true})
	require.NoError(t, err)
	assert.True(t, r.DryRun)
	assert.Equal(t, 2, r.Revision)
	assert.Equal(t, before, memFiles(t, fsys))
	assert.Len(t, f.records(t), 1)

	r, err = f.w.Copy(ctx, "/elsewhere/scene.sft", tg, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, 2, r.Revision)
	assert.True(t, r.Copied)
	data, err := afero.ReadFile(fsys, r.Path)
	require.NoError(t, err)
	assert.Equal(t, "second", string(data))

	rep, err := f.w.Revisions(ctx, tg)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.KitsuLast)
	assert.Equal(t, 2, rep.DiskLast)
	assert.Equal(t, 3, rep.Next)
	assert.Empty(t, rep.Disagreement)
}

// TestWorkingRefused: a NUL or ".." in a file name, and a revision whose
// path Zou stores differently from the file's (the local tree differs
// from the project's): the record just created is deleted.
func TestWorkingRefused(t *testing.T) {
	ctx := kitsutest.Context(t)
	dir := t.TempDir()
	f := newWorkingFixture(t, afero.NewOsFs(), dir, nil)
	tg, err := f.w.Target(ctx, TaskFile{TaskID: f.task.ID, Software: f.sw.Name})
	require.NoError(t, err)

	_, err = f.w.Register(ctx, dir+"/a\x00b.sft", nil)
	require.ErrorIs(t, err, ErrUnsafePath)
	assert.Contains(t, err.Error(), "NUL")
	_, err = f.w.Register(ctx, dir+"/work/../x.sft", nil)
	require.ErrorIs(t, err, ErrUnsafePath)
	_, err = f.w.Copy(ctx, dir+"/a\x00b", tg, nil, nil)
	require.ErrorIs(t, err, ErrUnsafePath)

	cl, err := f.w.Claim(ctx, tg, nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cl.Path, []byte("x"), 0o644))
	// The project's tree changes: Zou now stores another path.
	require.NoError(t, f.c.Update(ctx, "projects", f.pid, map[string]any{"file_tree": workingTree(dir, "elsewhere")}, nil))
	_, err = f.w.register(ctx, tg, cl.Revision, cl.Path, tg.Extension, &RegisterOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "/elsewhere/")
	assert.Contains(t, err.Error(), cl.TreePath)
	assert.Contains(t, err.Error(), "the record was deleted")
	assert.Empty(t, f.records(t), "nothing left half-done")
	assert.FileExists(t, cl.Claim, "the claim is kept")
}

// TestWorkingFinishesHalfDone registers a file whose record a stopped
// Register created without its size and hash: the record is finished,
// not duplicated.
func TestWorkingFinishesHalfDone(t *testing.T) {
	ctx := kitsutest.Context(t)
	dir := t.TempDir()
	f := newWorkingFixture(t, afero.NewOsFs(), dir, nil)
	tg, err := f.w.Target(ctx, TaskFile{TaskID: f.task.ID, Software: f.sw.Name})
	require.NoError(t, err)
	cl, err := f.w.Claim(ctx, tg, nil)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(cl.Path, []byte("half"), 0o644))
	half, err := f.c.Files.NewWorkingFile(ctx, f.task.ID, &kitsu.NewWorkingFileOptions{Revision: cl.Revision, SoftwareID: f.sw.ID, Sep: "/"})
	require.NoError(t, err)
	require.Equal(t, cl.TreePath, half.Path)

	r, err := f.w.Register(ctx, cl.Path, nil)
	require.NoError(t, err)
	assert.Equal(t, half.ID, r.WorkingFile.ID)
	assert.Equal(t, int64(4), r.WorkingFile.Size)
	assert.Equal(t, r.Sum.Hex, r.WorkingFile.Data["sha"])
	assert.Len(t, f.records(t), 1)
	assert.NoFileExists(t, cl.Claim)
}

// TestWorkingConcurrentRegister registers 8 claimed revisions of a new
// task at once. Zou 1.0.97 answers some of these creations with 500 (each
// assigns the task to the user, and the inserts of that link collide)
// having stored nothing: every one must still end registered, once.
func TestWorkingConcurrentRegister(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newWorkingFixture(t, afero.NewOsFs(), t.TempDir(), nil)
	tg, err := f.w.Target(ctx, TaskFile{TaskID: f.task.ID, Software: f.sw.Name})
	require.NoError(t, err)
	const n = 8
	paths := make([]string, n)
	for i := range paths {
		cl, err := f.w.Claim(ctx, tg, nil)
		require.NoError(t, err)
		require.Equal(t, i+1, cl.Revision)
		require.NoError(t, os.WriteFile(cl.Path, []byte{byte(i)}, 0o644))
		paths[i] = cl.Path
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.w.Register(ctx, p, nil)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		assert.NoError(t, err, "revision %d", i+1)
	}
	byRev := map[int]int{}
	for _, wf := range f.records(t) {
		byRev[wf.Revision]++
		assert.NotEmpty(t, wf.Data["sha"])
	}
	assert.Len(t, byRev, n)
	for rev, count := range byRev {
		assert.Equal(t, 1, count, "revision %d", rev)
	}
}

// TestWorkingResaved: a file saved again at a registered revision's path
// is a conflict, unless Resaved (the watcher's case), which gives the
// same record the new size and hash.
func TestWorkingResaved(t *testing.T) {
	ctx := kitsutest.Context(t)
	dir := t.TempDir()
	f := newWorkingFixture(t, afero.NewOsFs(), dir, nil)
	tg, err := f.w.Target(ctx, TaskFile{TaskID: f.task.ID, Software: f.sw.Name})
	require.NoError(t, err)
	p, err := tg.LocalPath(2)
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	require.NoError(t, os.WriteFile(p, []byte("first save"), 0o644))
	first, err := f.w.Register(ctx, p, nil)
	require.NoError(t, err)

	require.NoError(t, os.WriteFile(p, []byte("second save, longer"), 0o644))
	_, err = f.w.Register(ctx, p, nil)
	require.ErrorIs(t, err, ErrRevisionConflict)

	again, err := f.w.Register(ctx, p, &RegisterOptions{Resaved: true})
	require.NoError(t, err)
	assert.True(t, again.Updated)
	assert.Equal(t, first.WorkingFile.ID, again.WorkingFile.ID)
	assert.Equal(t, int64(len("second save, longer")), again.WorkingFile.Size)
	sum, err := HashFile(afero.NewOsFs(), p)
	require.NoError(t, err)
	assert.Equal(t, sum.Hex, again.WorkingFile.Data["sha"])
	require.Len(t, f.records(t), 1)
}

// TestWorkingRecordOfName: a rerun finds its own record among the task's
// records of the same revision under other names (Kitsu is asked for the
// task and revision; the name is compared exactly).
func TestWorkingRecordOfName(t *testing.T) {
	ctx := kitsutest.Context(t)
	dir := t.TempDir()
	f := newWorkingFixture(t, afero.NewOsFs(), dir, nil)
	regs := map[string]*Registered{}
	for _, name := range []string{"main", "layout", "mainx"} {
		tg, err := f.w.Target(ctx, TaskFile{TaskID: f.task.ID, Software: f.sw.Name, Name: name})
		require.NoError(t, err)
		p, err := tg.LocalPath(3)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte("save of "+name), 0o644))
		r, err := f.w.Register(ctx, p, nil)
		require.NoError(t, err, name)
		require.False(t, r.AlreadyRegistered)
		regs[name] = r
	}
	for name, r := range regs {
		again, err := f.w.Register(ctx, r.Path, nil)
		require.NoError(t, err, name)
		assert.True(t, again.AlreadyRegistered, name)
		assert.Equal(t, r.WorkingFile.ID, again.WorkingFile.ID, name)
		assert.Equal(t, name, again.WorkingFile.Name)
		assert.Equal(t, 3, again.WorkingFile.Revision)
	}
	require.Len(t, f.records(t), 3)
}
