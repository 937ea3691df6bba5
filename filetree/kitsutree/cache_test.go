package kitsutree_test

import (
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/filetree/kitsutree"
	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// counter counts the requests that reach the server.
type counter struct {
	n     atomic.Int64
	mu    sync.Mutex
	paths []string
}

func (c *counter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	c.mu.Lock()
	c.paths = append(c.paths, r.Method+" "+r.URL.Path)
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// since returns the requests made since the last call, and their paths.
func (c *counter) since() (int64, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, paths := c.n.Swap(0), c.paths
	c.paths = nil
	return n, paths
}

// cacheDir is a cache folder for one test: t.TempDir itself is open to
// others (0755), which the cache refuses.
func cacheDir(t testing.TB) string { return filepath.Join(t.TempDir(), "cache") }

func countingClient(t *testing.T) (*kitsu.Client, *counter) {
	cnt := &counter{}
	return kitsutest.Client(t, kitsu.WithHTTPClient(&http.Client{Transport: cnt})), cnt
}

// deptTree shows the task type's department, in working and output paths.
var deptTree = map[string]any{
	"working": map[string]any{
		"mountpoint": "/dept", "root": "work",
		"folder_path": map[string]any{"shot": "<Project>/<Department>/<Sequence>/<Shot>/<TaskType>/<Software>", "style": "lowercase"},
		"file_name":   map[string]any{"shot": "<Shot>_<Department>_<Name>_v<Revision>", "style": "lowercase"},
	},
	"output": map[string]any{
		"mountpoint": "/dept", "root": "out",
		"folder_path": map[string]any{"shot": "<Project>/<Department>/<Shot>/<OutputType>", "style": "lowercase"},
		"file_name":   map[string]any{"shot": "<Shot>_<OutputType>_<Name>_v<Revision>", "style": "lowercase"},
	},
}

type shotWorld struct {
	p    *kitsu.Project
	shot *kitsu.Shot
	task *kitsu.Task
	sw   *kitsu.Software
	ot   *kitsu.OutputType
}

func newShotWorld(t *testing.T, c *kitsu.Client, tree map[string]any) *shotWorld {
	ctx := kitsutest.Context(t)
	w := &shotWorld{sw: kitsutest.NewSoftware(t, c), ot: kitsutest.NewOutputType(t, c)}
	w.p = kitsutest.NewProject(t, c, true)
	require.NoError(t, c.Update(ctx, "projects", w.p.ID, map[string]any{"file_tree": tree}, nil))
	ep := kitsutest.NewEpisode(t, c, w.p.ID, "Épisode 2")
	seq := kitsutest.NewSequence(t, c, w.p.ID, ep.ID, "Seq7")
	w.shot = kitsutest.NewShot(t, c, w.p.ID, seq.ID, "SH 020")
	w.task = kitsutest.NewTask(t, c, w.p.ID, w.shot.ID, kitsutest.TaskTypeNamed(t, c, "Animation").ID, "main")
	return w
}

// zouWorking is Zou's own working path of the task.
func zouWorking(t *testing.T, c *kitsu.Client, w *shotWorld, name string, rev int) filetree.Path {
	var zou struct{ Path, Name string }
	require.NoError(t, c.Post(kitsutest.Context(t), "data/tasks/"+w.task.ID+"/working-file-path", map[string]any{"name": name, "software_id": w.sw.ID, "revision": rev}, &zou, nil))
	return filetree.Path{Folder: zou.Path, FileName: zou.Name}
}

// zouOutput is Zou's own output path of the task's entity.
func zouOutput(t *testing.T, c *kitsu.Client, w *shotWorld, name string, rev int) filetree.Path {
	var zou struct {
		FolderPath string `json:"folder_path"`
		FileName   string `json:"file_name"`
	}
	require.NoError(t, c.Post(kitsutest.Context(t), "data/entities/"+w.shot.ID+"/output-file-path",
		map[string]any{"output_type_id": w.ot.ID, "task_type_id": w.task.TaskTypeID, "name": name, "revision": rev}, &zou, nil))
	return filetree.Path{Folder: zou.FolderPath, FileName: zou.FileName}
}

// working builds and renders the task's working path, with the tree of
// the project, and returns it with the requests it took.
func working(t *testing.T, src *kitsutree.Source, cnt *counter, w *shotWorld, software string) (filetree.Path, int64, []string) {
	t.Helper()
	ctx := kitsutest.Context(t)
	cnt.since()
	wc, err := src.WorkingContext(ctx, w.task.ID, &kitsutree.WorkingOptions{Software: software, Name: "lay out", Revision: 3})
	require.NoError(t, err)
	tree, err := src.Tree(ctx, wc.Project.ID)
	require.NoError(t, err)
	n, paths := cnt.since()
	got, err := tree.Render(filetree.Working, wc, nil)
	require.NoError(t, err)
	return filetree.Path{Folder: got.Folder, FileName: got.FileName}, n, paths
}

func output(t *testing.T, src *kitsutree.Source, cnt *counter, w *shotWorld, outputType string) (filetree.Path, int64, []string) {
	t.Helper()
	ctx := kitsutest.Context(t)
	cnt.since()
	oc, err := src.TaskOutputContext(ctx, w.task.ID, outputType, &kitsutree.OutputOptions{Name: "cam", Revision: 4})
	require.NoError(t, err)
	tree, err := src.Tree(ctx, oc.Project.ID)
	require.NoError(t, err)
	n, paths := cnt.since()
	got, err := tree.Render(filetree.Output, oc, nil)
	require.NoError(t, err)
	return filetree.Path{Folder: got.Folder, FileName: got.FileName}, n, paths
}

// TestContextRequests counts the requests of a task's working and output
// contexts: at most 2 with an empty cache, 1 with the cache (the task
// itself, which is the freshness check), none within a TTL; every path
// is Zou's own.
func TestContextRequests(t *testing.T) {
	t.Parallel()
	c, cnt := countingClient(t)
	w := newShotWorld(t, c, kitsutest.ZouFileTree(t, "simple"))
	zouW := zouWorking(t, c, w, "lay out", 3)
	zouO := zouOutput(t, c, w, "cam", 4)
	dir := cacheDir(t)
	var warnings []string
	opts := &kitsutree.CacheOptions{Dir: dir, Warn: func(m string) { warnings = append(warnings, m) }}

	for _, key := range []string{w.sw.Name, w.sw.ID} {
		got, n, paths := working(t, kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: cacheDir(t)}), cnt, w, key)
		assert.Equal(t, zouW, got, "software %q", key)
		assert.LessOrEqual(t, n, int64(2), "cold working context, software %q: %v", key, paths)
	}
	got, n, paths := working(t, kitsutree.NewCachedSource(c, opts), cnt, w, w.sw.Name)
	assert.Equal(t, zouW, got)
	assert.LessOrEqual(t, n, int64(2), "cold: %v", paths)
	got, n, paths = working(t, kitsutree.NewCachedSource(c, opts), cnt, w, w.sw.Name)
	assert.Equal(t, zouW, got)
	assert.Equal(t, int64(1), n, "warm: only the task: %v", paths)
	assert.Equal(t, []string{"GET /api/data/tasks/" + w.task.ID + "/full"}, paths)
	ttl := &kitsutree.CacheOptions{Dir: dir, TTL: 10 * time.Minute}
	got, n, paths = working(t, kitsutree.NewCachedSource(c, ttl), cnt, w, w.sw.Name)
	assert.Equal(t, zouW, got)
	assert.Zero(t, n, "within the TTL: %v", paths)
	// No cache: the same path, from the task and the software.
	got, n, _ = working(t, kitsutree.NewSource(c), cnt, w, w.sw.Name)
	assert.Equal(t, zouW, got)
	assert.Equal(t, int64(2), n)

	// Outputs of the task, the output type by name and by id.
	for _, key := range []string{w.ot.Name, w.ot.ID} {
		got, n, paths := output(t, kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: cacheDir(t)}), cnt, w, key)
		assert.Equal(t, zouO, got, "output type %q", key)
		assert.LessOrEqual(t, n, int64(2), "cold output context, output type %q: %v", key, paths)
	}
	got, n, paths = output(t, kitsutree.NewCachedSource(c, opts), cnt, w, w.ot.Name)
	assert.Equal(t, zouO, got)
	assert.LessOrEqual(t, n, int64(2), "cold: %v", paths)
	got, n, paths = output(t, kitsutree.NewCachedSource(c, opts), cnt, w, w.ot.Name)
	assert.Equal(t, zouO, got)
	assert.Equal(t, int64(1), n, "warm: %v", paths)
	got, n, paths = output(t, kitsutree.NewCachedSource(c, ttl), cnt, w, w.ot.Name)
	assert.Equal(t, zouO, got)
	assert.Zero(t, n, "within the TTL: %v", paths)
	assert.Empty(t, warnings)

	// The entity's own output context agrees.
	src := kitsutree.NewCachedSource(c, opts)
	oc, err := src.OutputContext(kitsutest.Context(t), w.shot.ID, w.ot.ID, w.task.TaskTypeID, &kitsutree.OutputOptions{Name: "cam", Revision: 4})
	require.NoError(t, err)
	tree, err := src.Tree(kitsutest.Context(t), w.p.ID)
	require.NoError(t, err)
	p, err := tree.Render(filetree.Output, oc, nil)
	require.NoError(t, err)
	assert.Equal(t, zouO, filetree.Path{Folder: p.Folder, FileName: p.FileName})

	// Unknown keys are not found, and say what was asked.
	_, err = src.SoftwareID(kitsutest.Context(t), "no such software %")
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.ErrorContains(t, err, `no software "no such software %"`)
	_, err = src.TaskOutputContext(kitsutest.Context(t), w.task.ID, "00000000-0000-4000-8000-000000000000", nil)
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = src.WorkingContext(kitsutest.Context(t), "not-a-task", nil)
	assert.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.ErrorContains(t, err, `task id "not-a-task": want a UUID`)
}

// TestDepartmentShown: a tree that shows <Department> gets the task
// type's department, read once and then cached; the paths are Zou's.
func TestDepartmentShown(t *testing.T) {
	t.Parallel()
	c, cnt := countingClient(t)
	w := newShotWorld(t, c, deptTree)
	zouW := zouWorking(t, c, w, "lay out", 3)
	zouO := zouOutput(t, c, w, "cam", 4)
	dir := cacheDir(t)
	got, n, paths := working(t, kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: dir}), cnt, w, w.sw.Name)
	assert.Equal(t, zouW, got)
	assert.LessOrEqual(t, n, int64(3), "cold, with the department: %v", paths)
	got, n, paths = working(t, kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: dir}), cnt, w, w.sw.Name)
	assert.Equal(t, zouW, got)
	assert.Equal(t, int64(1), n, "warm: %v", paths)
	got, n, paths = output(t, kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: dir}), cnt, w, w.ot.Name)
	assert.Equal(t, zouO, got)
	assert.LessOrEqual(t, n, int64(2), "department cached: %v", paths)

	// Another tree given for a project whose own tree does not show it.
	w2 := newShotWorld(t, c, kitsutest.ZouFileTree(t, "simple"))
	tree, err := filetree.FromMap(deptTree)
	require.NoError(t, err)
	src := kitsutree.NewSource(c)
	wc, err := src.WorkingContext(kitsutest.Context(t), w2.task.ID, &kitsutree.WorkingOptions{Software: w2.sw.Name, Name: "x", Revision: 1, Tree: tree})
	require.NoError(t, err)
	assert.NotEmpty(t, wc.Department.Name)
	wc, err = src.WorkingContext(kitsutest.Context(t), w2.task.ID, &kitsutree.WorkingOptions{Software: w2.sw.Name, Name: "x", Revision: 1})
	require.NoError(t, err)
	assert.Empty(t, wc.Department.Name, "the project's tree does not show it")
	assert.NotEmpty(t, wc.Department.ID)
}

// TestTreeChangeSeen: a tree changed in Kitsu is used on the next call,
// cache or not, unless a TTL says otherwise.
func TestTreeChangeSeen(t *testing.T) {
	t.Parallel()
	c, cnt := countingClient(t)
	w := newShotWorld(t, c, kitsutest.ZouFileTree(t, "simple"))
	dir := cacheDir(t)
	before := zouWorking(t, c, w, "lay out", 3)
	got, _, _ := working(t, kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: dir}), cnt, w, w.sw.Name)
	require.Equal(t, before, got)

	require.NoError(t, c.Update(kitsutest.Context(t), "projects", w.p.ID, map[string]any{"file_tree": deptTree}, nil))
	after := zouWorking(t, c, w, "lay out", 3)
	require.NotEqual(t, before, after)
	got, n, paths := working(t, kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: dir}), cnt, w, w.sw.Name)
	assert.Equal(t, after, got, "the new tree")
	assert.LessOrEqual(t, n, int64(2), "the task, and the department the new tree shows: %v", paths)
	// A long-lived Source sees it too.
	src := kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: dir})
	got, _, _ = working(t, src, cnt, w, w.sw.Name)
	assert.Equal(t, after, got)
	require.NoError(t, c.Update(kitsutest.Context(t), "projects", w.p.ID, map[string]any{"file_tree": kitsutest.ZouFileTree(t, "simple")}, nil))
	got, _, _ = working(t, src, cnt, w, w.sw.Name)
	assert.Equal(t, before, got, "the same Source, the tree changed back")

	// The task's entity renamed: seen on the next call.
	require.NoError(t, c.Update(kitsutest.Context(t), "entities", w.shot.ID, map[string]any{"name": "SH 030"}, nil))
	renamed := zouWorking(t, c, w, "lay out", 3)
	require.NotEqual(t, before, renamed)
	got, _, _ = working(t, kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: dir}), cnt, w, w.sw.Name)
	assert.Equal(t, renamed, got)

	// Within a TTL the cache answers, stale by choice.
	ttl := &kitsutree.CacheOptions{Dir: dir, TTL: time.Hour}
	require.NoError(t, c.Update(kitsutest.Context(t), "entities", w.shot.ID, map[string]any{"name": "SH 040"}, nil))
	got, n, _ = working(t, kitsutree.NewCachedSource(c, ttl), cnt, w, w.sw.Name)
	assert.Equal(t, renamed, got)
	assert.Zero(t, n)
}

// TestCacheRefused: a cache folder or file that another user owns, or
// that the group or others may read, is not used: the Source warns once
// and reads everything from Kitsu.
func TestCacheRefused(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Log("not root: the ownership cases are left out")
	}
	c, cnt := countingClient(t)
	w := newShotWorld(t, c, kitsutest.ZouFileTree(t, "simple"))
	zouW := zouWorking(t, c, w, "lay out", 3)

	check := func(label, dir string) {
		t.Helper()
		var warnings []string
		opts := &kitsutree.CacheOptions{Dir: dir, TTL: time.Hour, Warn: func(m string) { warnings = append(warnings, m) }}
		for range 2 {
			got, n, paths := working(t, kitsutree.NewCachedSource(c, opts), cnt, w, w.sw.Name)
			assert.Equal(t, zouW, got, label)
			assert.Equal(t, int64(2), n, "%s: read from Kitsu, not the cache: %v", label, paths)
		}
		require.Len(t, warnings, 2, "%s: one warning per Source", label)
		assert.Contains(t, warnings[0], "not private to this user", label)
		assert.NotContains(t, warnings[0], "\n", label)
	}
	fill := func() string {
		dir := filepath.Join(t.TempDir(), "cache")
		working(t, kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: dir}), cnt, w, w.sw.Name)
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		require.NoError(t, err)
		require.NotEmpty(t, files)
		return dir
	}

	// The folder open to others.
	dir := fill()
	require.NoError(t, os.Chmod(dir, 0o755))
	_, err := kitsutree.OpenCache(dir)
	require.ErrorIs(t, err, kitsutree.ErrUnsafeCache)
	assert.ErrorContains(t, err, "mode 0755")
	check("folder 0755", dir)

	// Files readable by others.
	dir = fill()
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		require.NoError(t, os.Chmod(f, 0o644))
	}
	check("files 0644", dir)

	if os.Geteuid() == 0 {
		// The folder, then the files, owned by another user.
		dir = fill()
		require.NoError(t, os.Chown(dir, 65534, 65534))
		_, err = kitsutree.OpenCache(dir)
		require.ErrorIs(t, err, kitsutree.ErrUnsafeCache)
		assert.ErrorContains(t, err, "owned by uid 65534")
		check("folder of uid 65534", dir)

		dir = fill()
		files, _ = filepath.Glob(filepath.Join(dir, "*.json"))
		for _, f := range files {
			require.NoError(t, os.Chown(f, 65534, 65534))
		}
		check("files of uid 65534", dir)
	}

	// A symbolic link in place of the folder.
	link := filepath.Join(t.TempDir(), "link")
	require.NoError(t, os.Symlink(fill(), link))
	_, err = kitsutree.OpenCache(link)
	require.ErrorIs(t, err, kitsutree.ErrUnsafeCache)

	// A fresh folder is made private.
	dir = filepath.Join(t.TempDir(), "a", "b")
	working(t, kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: dir}), cnt, w, w.sw.Name)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	files, _ = filepath.Glob(filepath.Join(dir, "*"))
	require.NotEmpty(t, files)
	for _, f := range files {
		fi, err := os.Stat(f)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		tok := c.Tokens()
		assert.NotContains(t, string(data), tok.AccessToken, "no token in the cache")
	}
}

// TestCacheConcurrentAndCorrupt: sources in many goroutines writing the
// same entries leave a cache every later Source reads; torn entries are
// ignored and rewritten.
func TestCacheConcurrentAndCorrupt(t *testing.T) {
	t.Parallel()
	c, cnt := countingClient(t)
	w := newShotWorld(t, c, kitsutest.ZouFileTree(t, "simple"))
	zouW := zouWorking(t, c, w, "lay out", 3)
	dir := cacheDir(t)
	ctx := kitsutest.Context(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Go(func() {
			src := kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: dir, Warn: func(m string) { errs <- assert.AnError }})
			_, err := src.WorkingContext(ctx, w.task.ID, &kitsutree.WorkingOptions{Software: w.sw.Name, Name: "lay out", Revision: 3})
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	assert.Empty(t, leftovers, "no temporary file left")
	ttl := &kitsutree.CacheOptions{Dir: dir, TTL: time.Hour}
	got, n, _ := working(t, kitsutree.NewCachedSource(c, ttl), cnt, w, w.sw.Name)
	assert.Equal(t, zouW, got)
	assert.Zero(t, n, "every entry whole")

	// Torn and corrupt entries: misses, then written again.
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	require.NotEmpty(t, files)
	for i, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		if i%2 == 0 {
			data = data[:len(data)/2]
		} else {
			data = []byte("\x00garbage")
		}
		require.NoError(t, os.WriteFile(f, data, 0o600))
	}
	got, n, _ = working(t, kitsutree.NewCachedSource(c, ttl), cnt, w, w.sw.Name)
	assert.Equal(t, zouW, got)
	assert.Equal(t, int64(2), n, "read again from Kitsu")
	got, n, _ = working(t, kitsutree.NewCachedSource(c, ttl), cnt, w, w.sw.Name)
	assert.Equal(t, zouW, got)
	assert.Zero(t, n, "rewritten")
}

// BenchmarkWorkingContext builds a task's working context with an empty
// cache, a warm one, and within a TTL, and reports the requests each
// takes.
func BenchmarkWorkingContext(b *testing.B) {
	c := kitsutest.Client(b)
	ctx := kitsutest.Context(b)
	cnt := &counter{}
	cc := kitsutest.Client(b, kitsu.WithHTTPClient(&http.Client{Transport: cnt}))
	p := kitsutest.NewProject(b, c, false)
	require.NoError(b, c.Update(ctx, "projects", p.ID, map[string]any{"file_tree": kitsutest.ZouFileTree(b, "default")}, nil))
	seq := kitsutest.NewSequence(b, c, p.ID, "", "SQ01")
	shot := kitsutest.NewShot(b, c, p.ID, seq.ID, "SH010")
	task := kitsutest.NewTask(b, c, p.ID, shot.ID, kitsutest.TaskTypeNamed(b, c, "Animation").ID, "main")
	opts := &kitsutree.WorkingOptions{Software: "3ds Max", Revision: 3}
	run := func(b *testing.B, src func(i int) *kitsutree.Source) {
		cnt.since()
		ops := 0
		for b.Loop() {
			s := src(ops)
			ops++
			wc, err := s.WorkingContext(ctx, task.ID, opts)
			if err != nil {
				b.Fatal(err)
			}
			tree, err := s.Tree(ctx, wc.Project.ID)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := tree.Render(filetree.Working, wc, nil); err != nil {
				b.Fatal(err)
			}
		}
		n, _ := cnt.since()
		b.ReportMetric(float64(n)/float64(ops), "requests/op")
	}
	b.Run("cold", func(b *testing.B) {
		run(b, func(int) *kitsutree.Source {
			return kitsutree.NewCachedSource(cc, &kitsutree.CacheOptions{Dir: cacheDir(b)})
		})
	})
	dir := cacheDir(b)
	if _, err := kitsutree.NewCachedSource(cc, &kitsutree.CacheOptions{Dir: dir}).WorkingContext(ctx, task.ID, opts); err != nil {
		b.Fatal(err)
	}
	b.Run("warm", func(b *testing.B) {
		run(b, func(int) *kitsutree.Source { return kitsutree.NewCachedSource(cc, &kitsutree.CacheOptions{Dir: dir}) })
	})
	b.Run("ttl", func(b *testing.B) {
		run(b, func(int) *kitsutree.Source {
			return kitsutree.NewCachedSource(cc, &kitsutree.CacheOptions{Dir: dir, TTL: time.Hour})
		})
	})
	b.Run("nocache", func(b *testing.B) {
		run(b, func(int) *kitsutree.Source { return kitsutree.NewSource(cc) })
	})
}

// TestSoftwareExtension reads a software's extension from Kitsu once, then
// from the cache, in the same process and in the next one.
func TestSoftwareExtension(t *testing.T) {
	c, cnt := countingClient(t)
	ctx := kitsutest.Context(t)
	blender, err := c.Files.GetSoftwareByName(ctx, "Blender")
	require.NoError(t, err)
	dir := cacheDir(t)
	cnt.since()

	src := kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: dir})
	ext, err := src.SoftwareExtension(ctx, blender.ID)
	require.NoError(t, err)
	assert.Equal(t, blender.FileExtension, ext)
	assert.Equal(t, ".blend", ext)
	n, paths := cnt.since()
	assert.Equal(t, int64(1), n, "%v", paths)

	ext, err = src.SoftwareExtension(ctx, blender.ID)
	require.NoError(t, err)
	assert.Equal(t, ".blend", ext)
	n, _ = cnt.since()
	assert.Zero(t, n, "held in memory")

	next := kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{Dir: dir})
	ext, err = next.SoftwareExtension(ctx, blender.ID)
	require.NoError(t, err)
	assert.Equal(t, ".blend", ext)
	n, _ = cnt.since()
	assert.Zero(t, n, "read from the disk cache")

	_, err = src.SoftwareExtension(ctx, "0b9b1a38-0f8e-4a52-9d3f-6e2a3f1c0aff")
	assert.ErrorIs(t, err, kitsu.ErrNotFound)
}
