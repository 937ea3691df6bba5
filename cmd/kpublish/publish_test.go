package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
	"github.com/kpublish/kpublish/publish"
)

// workTree is a tree whose working files live under mountpoint, with
// <Name> as a folder of its own (so a reserved Windows name can reach a
// folder).
func workTree(mountpoint string) map[string]any {
	return map[string]any{
		"working": map[string]any{
			"mountpoint": mountpoint, "root": "work",
			"folder_path": map[string]any{"asset": "<Project>/<AssetType>/<Asset>/<TaskType>/<Software>/<Name>", "style": "lowercase"},
			"file_name":   map[string]any{"asset": "<Asset>_<TaskType>_<Name>_v<Revision>", "style": "lowercase"},
		},
		"output": map[string]any{
			"mountpoint": mountpoint, "root": "out",
			"folder_path": map[string]any{"asset": "<Project>/<AssetType>/<Asset>/<OutputType>", "style": "lowercase"},
			"file_name":   map[string]any{"asset": "<Asset>_<OutputType>_v<Revision>", "style": "lowercase"},
		},
	}
}

type pubFixture struct {
	c    *kitsu.Client
	env  []string
	task *kitsu.Task
	sw   *kitsu.Software
	dir  string // this host's folder of the working mountpoint
	mp   string // the tree's working mountpoint
	// roots is the --roots file when the tree's mountpoint is mapped.
	roots string
}

// newPubFixture makes a software, a project whose tree's working
// mountpoint is a temporary folder (mapped, a mountpoint of the tree's
// own form mapped to the folder with a roots file), and an asset task.
func newPubFixture(t *testing.T, mapped bool) *pubFixture {
	t.Helper()
	c := kitsutest.Client(t)
	host, user, password := kitsutest.Env(t)
	f := &pubFixture{c: c, env: []string{"KITSU_HOST=" + host, "KITSU_USER=" + user, "KITSU_PASSWORD=" + password}}
	f.sw = kitsutest.NewSoftware(t, c)
	at := kitsutest.NewAssetTask(t, c)
	f.task = at.Task
	f.dir = t.TempDir()
	f.mp = f.dir
	if mapped {
		f.mp = "/" + strings.ToLower(kitsutest.Unique("kpublish-prod"))
		f.roots = filepath.Join(t.TempDir(), "roots.json")
		data, err := json.Marshal(map[string]map[string]string{f.mp: {"linux": f.dir, "darwin": f.dir, "windows": `P:\`}})
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(f.roots, data, 0o644))
	}
	require.NoError(t, c.Update(kitsutest.Context(t), "projects", at.Project.ID, map[string]any{"file_tree": workTree(f.mp)}, nil))
	return f
}

func (f *pubFixture) args(args ...string) []string {
	if f.roots != "" {
		args = append(args, "--roots", f.roots)
	}
	return args
}

// printPath runs publish working --print-path --json.
func (f *pubFixture) printPath(t *testing.T, extra ...string) (map[string]any, string, int) {
	t.Helper()
	out, errOut, code := kp(t, f.env, f.args(append([]string{"publish", "working", "--task", f.task.ID, "--software", f.sw.Name, "--print-path", "--json"}, extra...)...)...)
	if code != 0 {
		return nil, errOut, code
	}
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	return got, errOut, code
}

// register runs publish working FILE --json.
func (f *pubFixture) register(t *testing.T, file string, extra ...string) (map[string]any, string, int) {
	t.Helper()
	out, errOut, code := kp(t, f.env, f.args(append([]string{"publish", "working", file, "--json"}, extra...)...)...)
	if code != 0 {
		return nil, errOut, code
	}
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	return got, errOut, code
}

func (f *pubFixture) revisions(t *testing.T) publish.RevisionReport {
	t.Helper()
	out, errOut, code := kp(t, f.env, f.args("revisions", "working", "--task", f.task.ID, "--software", f.sw.Name, "--json")...)
	require.Equal(t, 0, code, errOut)
	var r publish.RevisionReport
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	return r
}

func (f *pubFixture) records(t *testing.T) []kitsu.WorkingFile {
	t.Helper()
	wfs, err := f.c.Files.GetWorkingFilesForTask(kitsutest.Context(t), f.task.ID)
	require.NoError(t, err)
	return wfs
}

// treeForm is a local path in the tree's form, without extension.
func (f *pubFixture) treeForm(local string) string {
	return f.mp + strings.TrimSuffix(strings.TrimPrefix(local, f.dir), f.sw.FileExtension)
}

// files lists the files under the fixture's folder, relative.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	require.NoError(t, filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if !fi.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	}))
	return out
}

// TestPublishWorking claims, saves and registers a working file through
// the binary, with the tree's mountpoint a local folder and mapped with
// --roots: the path, the claim, Kitsu's record (path in the tree's form,
// size, checksum, hash in data), a rerun that does nothing, and the
// revisions.
func TestPublishWorking(t *testing.T) {
	for _, mapped := range []bool{false, true} {
		t.Run(fmt.Sprintf("mapped=%v", mapped), func(t *testing.T) {
			f := newPubFixture(t, mapped)
			got, errOut, code := f.printPath(t)
			require.Equal(t, 0, code, errOut)
			path := got["path"].(string)
			assert.EqualValues(t, 1, got["revision"])
			assert.Equal(t, f.sw.Name, got["software"])
			assert.Equal(t, "main", got["name"])
			assert.Equal(t, f.task.ID, got["task_id"])
			assert.Equal(t, false, got["dry_run"])
			assert.True(t, strings.HasPrefix(path, f.dir+"/work/"), path)
			assert.True(t, strings.HasSuffix(path, "/main/tree_modeling_main_v001.sft"), path)
			assert.Equal(t, publish.ClaimPath(path), got["claim"])
			require.FileExists(t, publish.ClaimPath(path))
			require.NoFileExists(t, path)

			// A second caller gets the next revision; human output is the
			// path alone.
			out, errOut, code := kp(t, f.env, f.args("publish", "working", "--task", f.task.ID, "--software", f.sw.Name, "--print-path")...)
			require.Equal(t, 0, code, errOut)
			path2 := strings.TrimSuffix(out, "\n")
			assert.Equal(t, strings.Replace(path, "_v001", "_v002", 1), path2)

			require.NoError(t, os.WriteFile(path, []byte("blend data"), 0o644))
			reg, errOut, code := f.register(t, path, "--comment", "first save")
			require.Equal(t, 0, code, errOut)
			assert.Equal(t, path, reg["path"])
			assert.EqualValues(t, 1, reg["revision"])
			assert.Equal(t, false, reg["already_registered"])
			sum, err := publish.HashReader(strings.NewReader("blend data"))
			require.NoError(t, err)
			assert.Equal(t, sum.Hex, reg["sha"])
			wfJSON := reg["working_file"].(map[string]any)
			assert.Equal(t, f.treeForm(path), wfJSON["path"])
			assert.EqualValues(t, 10, wfJSON["size"])
			require.NoFileExists(t, publish.ClaimPath(path), "the claim is released")

			wf, err := f.c.Files.GetWorkingFile(kitsutest.Context(t), wfJSON["id"].(string))
			require.NoError(t, err)
			assert.Equal(t, 1, wf.Revision)
			assert.Equal(t, "first save", wf.Comment)
			assert.Equal(t, f.sw.ID, wf.SoftwareID)
			assert.Equal(t, int64(10), wf.Size)
			assert.Equal(t, int64(sum.ChecksumInt()), wf.Checksum)
			assert.Equal(t, sum.Hex, wf.Data["sha"])
			assert.Equal(t, publish.Algorithm, wf.Data["algorithm"])
			assert.EqualValues(t, 10, wf.Data["size"])

			// Again: nothing done, the record printed.
			reg, errOut, code = f.register(t, path)
			require.Equal(t, 0, code, errOut)
			assert.Equal(t, true, reg["already_registered"])
			assert.Equal(t, wf.ID, reg["working_file"].(map[string]any)["id"])
			assert.Len(t, f.records(t), 1)

			// The same revision saved with other content is a conflict.
			require.NoError(t, os.Chmod(path, 0o644))
			require.NoError(t, os.WriteFile(path, []byte("other"), 0o644))
			_, errOut, code = f.register(t, path)
			assert.Equal(t, 5, code, errOut)
			assert.Contains(t, errOut, "in Kitsu already")

			// --revision 1 (in Kitsu) and 2 (claimed) are conflicts.
			_, errOut, code = f.printPath(t, "--revision", "1")
			assert.Equal(t, 5, code, errOut)
			_, errOut, code = f.printPath(t, "--revision", "2")
			assert.Equal(t, 5, code, errOut)
			assert.Contains(t, errOut, "claimed")

			r := f.revisions(t)
			assert.Equal(t, 1, r.KitsuLast)
			assert.Equal(t, 1, r.DiskLast)
			assert.Equal(t, 2, r.Next)
			assert.Empty(t, r.Disagreement)
			require.Len(t, r.KitsuFiles, 1)
			assert.Equal(t, publish.KitsuFile{Revision: 1, Path: f.treeForm(path), ID: wf.ID}, r.KitsuFiles[0])
			assert.Equal(t, []publish.DiskFile{{Revision: 1, Path: path}}, r.DiskFiles)

			out, errOut, code = kp(t, f.env, f.args("revisions", "working", "--task", f.task.ID, "--software", f.sw.Name)...)
			require.Equal(t, 0, code, errOut)
			assert.Equal(t, "kitsu last: 1  disk last: 1  next: 2\n", out)

			// Registered from its path alone (no claim beside it): the
			// project's tree reads it.
			require.NoError(t, os.WriteFile(path2, []byte("v2"), 0o644))
			require.NoError(t, os.Remove(publish.ClaimPath(path2)))
			reg, errOut, code = f.register(t, path2)
			require.Equal(t, 0, code, errOut)
			assert.EqualValues(t, 2, reg["revision"])
			assert.Equal(t, f.treeForm(path2), reg["working_file"].(map[string]any)["path"])
			assert.Len(t, f.records(t), 2)
		})
	}
}

// TestPublishWorkingConcurrent runs 16 processes asking for the next
// revision at once: 16 distinct revisions and claims, no file replaced;
// after all 16 are saved and registered, exactly one Kitsu record per
// revision.
func TestPublishWorkingConcurrent(t *testing.T) {
	f := newPubFixture(t, false)
	const n = 16
	args := []string{"publish", "working", "--task", f.task.ID, "--software", f.sw.Name, "--print-path", "--json"}
	cmds := make([]*exec.Cmd, n)
	outs := make([]strings.Builder, n)
	for i := range cmds {
		cmds[i] = exec.Command(binary, args...)
		cmds[i].Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, f.env...)
		cmds[i].Stdout = &outs[i]
		cmds[i].Stderr = os.Stderr
	}
	for _, c := range cmds {
		require.NoError(t, c.Start())
	}
	paths := map[int]string{}
	for i, c := range cmds {
		require.NoError(t, c.Wait())
		var got struct {
			Path     string `json:"path"`
			Revision int    `json:"revision"`
		}
		require.NoError(t, json.Unmarshal([]byte(outs[i].String()), &got))
		_, dup := paths[got.Revision]
		require.False(t, dup, "revision %d given twice", got.Revision)
		paths[got.Revision] = got.Path
		require.FileExists(t, publish.ClaimPath(got.Path))
	}
	revs := slices.Sorted(func(yield func(int) bool) {
		for r := range paths {
			if !yield(r) {
				return
			}
		}
	})
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	require.Equal(t, want, revs)

	var wg sync.WaitGroup
	errs := make(chan string, n)
	for rev, p := range paths {
		require.NoError(t, os.WriteFile(p, []byte(fmt.Sprintf("revision %d", rev)), 0o644))
	}
	sem := make(chan struct{}, 4)
	for _, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			cmd := exec.Command(binary, "publish", "working", p, "--json")
			cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, f.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				errs <- fmt.Sprintf("%s: %v: %s", p, err, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	byRev := map[int]int{}
	for _, wf := range f.records(t) {
		byRev[wf.Revision]++
		assert.Equal(t, f.treeForm(paths[wf.Revision]), wf.Path)
	}
	for _, r := range want {
		assert.Equal(t, 1, byRev[r], "records of revision %d", r)
	}
	assert.Len(t, byRev, n)
	// Every file is its own: none replaced.
	for rev, p := range paths {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		assert.Equal(t, fmt.Sprintf("revision %d", rev), string(data))
		require.NoFileExists(t, publish.ClaimPath(p))
	}
}

// TestRevisionsDisagree puts on disk a revision Kitsu does not know, and
// in Kitsu one the disk does not hold: next is above both and the
// disagreement is reported.
func TestRevisionsDisagree(t *testing.T) {
	f := newPubFixture(t, true)
	got, errOut, code := f.printPath(t, "--revision", "3", "--dry-run")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, true, got["dry_run"])
	p3 := got["path"].(string)
	require.NoFileExists(t, publish.ClaimPath(p3))
	require.NoError(t, os.MkdirAll(filepath.Dir(p3), 0o755))
	require.NoError(t, os.WriteFile(p3, []byte("v3"), 0o644))
	_, err := f.c.Files.NewWorkingFile(kitsutest.Context(t), f.task.ID, &kitsu.NewWorkingFileOptions{Revision: 5, SoftwareID: f.sw.ID})
	require.NoError(t, err)

	r := f.revisions(t)
	assert.Equal(t, 5, r.KitsuLast)
	assert.Equal(t, 3, r.DiskLast)
	assert.Equal(t, 6, r.Next)
	assert.Equal(t, "disk has revision 3 that Kitsu does not know; Kitsu has revision 5 that the disk does not hold", r.Disagreement)
	out, errOut, code := kp(t, f.env, f.args("revisions", "working", "--task", f.task.ID, "--software", f.sw.Name)...)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "kitsu last: 5  disk last: 3  next: 6  (disagree: disk has v003, Kitsu does not; Kitsu has v005, disk does not)\n", out)

	got, errOut, code = f.printPath(t)
	require.Equal(t, 0, code, errOut)
	assert.EqualValues(t, 6, got["revision"])
	assert.Equal(t, strings.Replace(p3, "_v003", "_v006", 1), got["path"])
	// --revision 3 is on disk: a conflict.
	_, errOut, code = f.printPath(t, "--revision", "3")
	assert.Equal(t, 5, code, errOut)
}

// TestPublishWorkingRefused: hostile paths, a path over Zou's 400
// characters, unknown tasks, a task without tree and a path the tree
// does not describe are refused with exit 3 before anything is written.
func TestPublishWorkingRefused(t *testing.T) {
	f := newPubFixture(t, false)
	none := func() {
		t.Helper()
		assert.Empty(t, files(t, f.dir), "nothing written")
		assert.Empty(t, f.records(t), "nothing registered")
	}
	_, errOut, code := f.printPath(t, "--name", strings.Repeat("n", 200))
	assert.Equal(t, 3, code, errOut)
	t.Log(errOut)
	assert.Contains(t, errOut, "Zou's working_file.path holds 400 at most")
	none()

	for _, rev := range []string{"next", "7"} {
		_, errOut, code = f.printPath(t, "--name", "con", "--os", "windows", "--revision", rev)
		assert.Equal(t, 3, code, errOut)
		t.Log(errOut)
		assert.Contains(t, errOut, "reserved Windows device name")
		none()
	}

	_, errOut, code = f.register(t, f.dir+"/work/../../etc/passwd")
	assert.Equal(t, 3, code, errOut)
	t.Log(errOut)
	assert.Contains(t, errOut, `".."`)
	_, errOut, code = f.register(t, filepath.Join(f.dir, "work", "stray.sft"))
	assert.Equal(t, 3, code, errOut)
	t.Log(errOut)
	none()
	require.NoError(t, os.WriteFile(filepath.Join(f.dir, "stray.sft"), nil, 0o644))
	_, errOut, code = f.register(t, filepath.Join(f.dir, "stray.sft"))
	assert.Equal(t, 3, code, errOut)
	t.Log(errOut)
	assert.Contains(t, errOut, "describes")
	assert.Empty(t, f.records(t))
	require.NoError(t, os.Remove(filepath.Join(f.dir, "stray.sft")))

	_, errOut, code = kp(t, f.env, "publish", "working", "--task", "8d5e3c0a-0000-4000-8000-000000000000", "--software", f.sw.Name, "--print-path")
	assert.Equal(t, 3, code, errOut)
	t.Log(errOut)
	assert.Contains(t, errOut, "not found in Kitsu")
	_, errOut, code = kp(t, f.env, "publish", "working", "--task", "not-a-task", "--software", f.sw.Name, "--print-path")
	assert.Equal(t, 3, code, errOut)
	t.Log(errOut)

	// A task whose project has no tree.
	bare := kitsutest.NewAssetTask(t, f.c)
	_, errOut, code = kp(t, f.env, "publish", "working", "--task", bare.Task.ID, "--software", f.sw.Name, "--print-path")
	assert.Equal(t, 3, code, errOut)
	t.Log(errOut)
	assert.Contains(t, errOut, "no file tree")

	// Over Zou's 32-bit size, refused before anything is copied.
	big := filepath.Join(t.TempDir(), "big.sft")
	require.NoError(t, os.WriteFile(big, nil, 0o644))
	require.NoError(t, os.Truncate(big, 3<<30)) // sparse
	_, errOut, code = kp(t, f.env, "publish", "working", big, "--copy", "--task", f.task.ID, "--software", f.sw.Name)
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, "32-bit")
	none()

	// Kitsu unreachable: exit 4, nothing written.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := "http://" + l.Addr().String() + "/api"
	require.NoError(t, l.Close())
	_, errOut, code = kp(t, append(slices.Clone(f.env[1:]), "KITSU_HOST="+closed), "publish", "working", "--task", f.task.ID, "--software", f.sw.Name, "--print-path")
	assert.Equal(t, 4, code, errOut)
	none()

	// A path read two ways is refused with its readings; --project
	// names the project whose tree reads it.
	tree := workTree(f.mp)
	working := tree["working"].(map[string]any)
	working["folder_path"] = map[string]any{"asset": "<Project>/<AssetType>/<TaskType>/<Software>", "style": "lowercase"}
	working["file_name"] = map[string]any{"asset": "<Asset>_<Name>_v<Revision>", "style": "lowercase"}
	require.NoError(t, f.c.Update(kitsutest.Context(t), "projects", f.task.ProjectID, map[string]any{"file_tree": tree}, nil))
	got, errOut, code := f.printPath(t, "--name", "a_b", "--dry-run")
	require.Equal(t, 0, code, errOut)
	amb := got["path"].(string)
	assert.True(t, strings.HasSuffix(amb, "/tree_a_b_v001.sft"), amb)
	require.NoError(t, os.MkdirAll(filepath.Dir(amb), 0o755))
	require.NoError(t, os.WriteFile(amb, []byte("x"), 0o644))
	_, errOut, code = f.register(t, amb, "--project", f.task.ProjectID)
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, "can be read 2 ways")
	assert.Contains(t, errOut, `Name="a_b"`)
	assert.Contains(t, errOut, `Name="b"`)
	assert.Empty(t, f.records(t))

	// Usage.
	_, _, code = kp(t, f.env, "publish", "working", "--print-path")
	assert.Equal(t, 2, code)
	_, _, code = kp(t, f.env, "publish", "working", "x", "--print-path", "--task", f.task.ID, "--software", "s")
	assert.Equal(t, 2, code)
}

// TestPublishWorkingCopy copies a file saved elsewhere into place and
// registers it; with Kitsu unreachable for the register step (a local
// proxy to the real Zou that drops the creation), exit 6, and the same
// command again finishes it with no second copy and no duplicate record.
func TestPublishWorkingCopy(t *testing.T) {
	f := newPubFixture(t, false)
	src := filepath.Join(t.TempDir(), "scene.blend")
	require.NoError(t, os.WriteFile(src, []byte("saved elsewhere"), 0o644))
	copyArgs := []string{"publish", "working", src, "--copy", "--task", f.task.ID, "--software", f.sw.Name, "--comment", "copied", "--json"}

	// Dry run: nothing on disk or in Kitsu.
	out, errOut, code := kp(t, f.env, append(copyArgs, "--dry-run")...)
	require.Equal(t, 0, code, errOut)
	var dry map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &dry))
	assert.Equal(t, true, dry["dry_run"])
	assert.EqualValues(t, 1, dry["revision"])
	assert.Empty(t, files(t, f.dir))
	assert.Empty(t, f.records(t))

	host, _, _ := kitsutest.Env(t)
	target, err := url.Parse(host)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/working-files/new") {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()
	down := append(slices.Clone(f.env[1:]), "KITSU_HOST="+srv.URL+target.Path)
	_, errOut, code = kp(t, down, copyArgs...)
	require.Equal(t, 6, code, errOut)
	assert.Contains(t, errOut, "run the same command again")
	r := f.revisions(t)
	require.Len(t, r.DiskFiles, 1)
	placed := r.DiskFiles[0].Path
	require.FileExists(t, publish.ClaimPath(placed))
	assert.Empty(t, f.records(t))

	out, errOut, code = kp(t, f.env, copyArgs...)
	require.Equal(t, 0, code, errOut)
	var reg map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &reg))
	assert.Equal(t, placed, reg["path"])
	assert.EqualValues(t, 1, reg["revision"])
	assert.Equal(t, true, reg["copied"])
	data, err := os.ReadFile(placed)
	require.NoError(t, err)
	assert.Equal(t, "saved elsewhere", string(data))
	wfs := f.records(t)
	require.Len(t, wfs, 1)
	assert.Equal(t, "copied", wfs[0].Comment)
	assert.Equal(t, f.treeForm(placed), wfs[0].Path)
	require.NoFileExists(t, publish.ClaimPath(placed))
	assert.Len(t, files(t, f.dir), 1, "one copy")

	// A second save copied in gets revision 2.
	require.NoError(t, os.WriteFile(src, []byte("second save"), 0o644))
	out, errOut, code = kp(t, f.env, copyArgs...)
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &reg))
	assert.EqualValues(t, 2, reg["revision"])
	assert.Len(t, f.records(t), 2)
}

// TestPublishWorkingStale lists and releases claims whose caller died,
// and claims older than --older-than.
func TestPublishWorkingStale(t *testing.T) {
	f := newPubFixture(t, false)
	// Claimed through a shell that exits: the claim's holder is gone.
	sh := exec.Command("sh", "-c", `"$0" "$@"; true`, binary, "publish", "working", "--task", f.task.ID, "--software", f.sw.Name, "--print-path")
	sh.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, f.env...)
	out, err := sh.Output()
	require.NoError(t, err)
	dead := strings.TrimSpace(string(out))
	require.FileExists(t, publish.ClaimPath(dead))
	// Claimed for this test process, alive.
	got, errOut, code := f.printPath(t)
	require.Equal(t, 0, code, errOut)
	alive := got["path"].(string)

	type staleOut struct {
		Stale []struct {
			Path, Claim, Host, User, Time, Reason string
			PID                                   int
		}
		Released int
	}
	stale := func(args ...string) staleOut {
		t.Helper()
		o, errOut, code := kp(t, nil, append([]string{"publish", "working", "--stale", "--root", f.dir, "--json"}, args...)...)
		require.Equal(t, 0, code, errOut)
		var s staleOut
		require.NoError(t, json.Unmarshal([]byte(o), &s), o)
		return s
	}
	s := stale()
	require.Len(t, s.Stale, 1)
	assert.Equal(t, dead, s.Stale[0].Path)
	assert.Equal(t, "dead process", s.Stale[0].Reason)
	assert.Equal(t, 0, s.Released)
	require.FileExists(t, publish.ClaimPath(dead))

	s = stale("--older-than", "1ns")
	assert.Len(t, s.Stale, 2)
	for _, c := range s.Stale {
		assert.Equal(t, "older than 1ns", c.Reason)
	}

	s = stale("--release", "--dry-run")
	assert.Len(t, s.Stale, 1)
	assert.Equal(t, 0, s.Released)
	require.FileExists(t, publish.ClaimPath(dead))

	s = stale("--release")
	assert.Equal(t, 1, s.Released)
	require.NoFileExists(t, publish.ClaimPath(dead))
	require.FileExists(t, publish.ClaimPath(alive))

	// The released revision is claimed again by the next caller.
	got, errOut, code = f.printPath(t)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, dead, got["path"])
}
