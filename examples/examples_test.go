// Package examples_test runs the Python wrapper (examples/python) and the
// DCC save hooks (examples/hooks) as users run them: the module's unit
// tests on a fake binary, every script compiled, then the module, the
// Maya/Houdini/Nuke hooks and the Blender add-on (in a real headless
// Blender) driving the real kpublish binary against the dev server, with
// what they registered checked in Kitsu.
package examples_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

var binary string

// TestMain builds the real binary from ./cmd/kpublish: the scripts run it
// as a save hook would.
func TestMain(m *testing.M) {
	path, remove, err := kitsutest.BuildBinary("../cmd/kpublish", "kpublish")
	if err != nil {
		panic(err)
	}
	binary = path
	code := m.Run()
	remove()
	os.Exit(code)
}

// lookTool returns the path of a program the test needs. Without it the
// test is skipped with a one-line reason, or fails under CI.
func lookTool(t *testing.T, name, why string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (%s) and CI is set: install it", name, why)
		}
		t.Skipf("%s is not installed (%s)", name, why)
	}
	return p
}

func python(t *testing.T) string {
	return lookTool(t, "python3", "the hooks are Python")
}

// run runs a program with env as its whole environment (plus PATH) and
// returns its stdout and stderr; it fails the test, showing both, when
// the program exits non-zero.
func run(t *testing.T, dir string, env []string, name string, args ...string) (stdout, stderr string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, o.String(), e.String())
	}
	return o.String(), e.String()
}

// TestPythonModuleUnit runs the module's own tests: a fake binary for
// every exit code, argument building, a missing binary, a timeout, and
// secrets kept out of exceptions.
func TestPythonModuleUnit(t *testing.T) {
	py := python(t)
	_, out := run(t, "python", []string{"HOME=" + t.TempDir(), "PYTHONDONTWRITEBYTECODE=1"}, py, "-m", "unittest", "-v", "test_kpublish")
	assert.Regexp(t, `test_each_code_has_its_exception \(.*\) \.\.\. ok`, out)
	assert.Regexp(t, `test_never_in_exceptions \(.*\) \.\.\. ok`, out)
	assert.Contains(t, out, "\nOK")
}

// TestScriptsCompile compiles every Python file shipped in examples: the
// hooks of DCCs that are not installed here (Maya, Houdini, Nuke) at
// least parse.
func TestScriptsCompile(t *testing.T) {
	py := python(t)
	var files []string
	require.NoError(t, filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".py") {
			files = append(files, p)
		}
		return err
	}))
	for _, want := range []string{"python/kpublish.py", "hooks/blender/kpublish_blender.py", "hooks/maya/kpublish_maya.py",
		"hooks/houdini/kpublish_houdini.py", "hooks/houdini/456.py", "hooks/nuke/kpublish_nuke.py"} {
		assert.Contains(t, files, want)
	}
	run(t, ".", []string{"PYTHONPYCACHEPREFIX=" + t.TempDir()}, py, append([]string{"-m", "py_compile"}, files...)...)
}

// requirePublishCLI checks that the built binary has the commands the
// scripts call (`kpublish publish working`, `kpublish revisions`).
func requirePublishCLI(t *testing.T) {
	t.Helper()
	for _, args := range [][]string{{"publish", "working", "--help"}, {"revisions", "working", "--help"}} {
		if out, err := exec.Command(binary, args...).CombinedOutput(); err != nil {
			msg := "the kpublish binary has no `" + strings.Join(args[:2], " ") + "` command: " + strings.TrimSpace(string(out))
			if kitsutest.Required() {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
}

// fixture is a project whose file tree (Zou's "simple") puts working
// files under a temporary folder, and the environment the scripts run in.
type fixture struct {
	c       *kitsu.Client
	project *kitsu.Project
	root    string   // the tree's working mountpoint
	env     []string // KITSU_*, KPUBLISH_BIN, HOME
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	requirePublishCLI(t)
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	host, user, password := kitsutest.Env(t)
	root := t.TempDir()
	tree := kitsutest.ZouFileTree(t, "simple")
	tree["working"].(map[string]any)["mountpoint"] = root
	tree["output"].(map[string]any)["mountpoint"] = root
	p := kitsutest.NewProject(t, c, false)
	require.NoError(t, c.Update(ctx, "projects", p.ID, map[string]any{"file_tree": tree}, nil))
	return &fixture{c: c, project: p, root: root, env: []string{
		"KITSU_HOST=" + host, "KITSU_USER=" + user, "KITSU_PASSWORD=" + password,
		"KPUBLISH_BIN=" + binary, "HOME=" + t.TempDir(), "PYTHONDONTWRITEBYTECODE=1",
	}}
}

// environ returns a copy of the scripts' environment, to add to.
func (f *fixture) environ() []string {
	return append([]string(nil), f.env...)
}

// newTask makes a shot of its own and an Animation task on it.
func (f *fixture) newTask(t *testing.T, shot string) *kitsu.Task {
	t.Helper()
	seq := kitsutest.NewSequence(t, f.c, f.project.ID, "", "SQ01")
	sh := kitsutest.NewShot(t, f.c, f.project.ID, seq.ID, shot)
	return kitsutest.NewTask(t, f.c, f.project.ID, sh.ID, kitsutest.TaskTypeNamed(t, f.c, "Animation").ID, "main")
}

// treePath is where Zou's tree puts the revision of the task's working
// file made with the software (without the extension).
func (f *fixture) treePath(t *testing.T, taskID, softwareID string, revision int) string {
	t.Helper()
	p, err := f.c.Files.BuildWorkingFilePath(kitsutest.Context(t), taskID, &kitsu.BuildWorkingFilePathOptions{
		SoftwareID: softwareID, Revision: revision})
	require.NoError(t, err)
	return p
}

// workingFiles returns the task's working files in Kitsu, by revision.
func (f *fixture) workingFiles(t *testing.T, taskID string) map[int]kitsu.WorkingFile {
	t.Helper()
	wfs, err := f.c.Files.GetWorkingFilesForTask(kitsutest.Context(t), taskID)
	require.NoError(t, err)
	by := map[int]kitsu.WorkingFile{}
	for _, wf := range wfs {
		_, dup := by[wf.Revision]
		require.False(t, dup, "two working files of revision %d", wf.Revision)
		by[wf.Revision] = wf
	}
	return by
}

// assertRecord checks that Kitsu holds the file saved at path, of
// revision rev and made with the software: its path (Kitsu's stored path
// is the tree's, with or without the extension) and its size.
func (f *fixture) assertRecord(t *testing.T, wf kitsu.WorkingFile, ok bool, path string, rev int, sw *kitsu.Software) {
	t.Helper()
	if !assert.True(t, ok, "Kitsu holds no working file of revision %d (%s)", rev, path) {
		return
	}
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(path, f.root+string(filepath.Separator)), "%s is not under the tree's mountpoint %s", path, f.root)
	assert.Equal(t, f.treePath(t, wf.TaskID, sw.ID, rev)+sw.FileExtension, path, "the file is not where the tree puts revision %d", rev)
	assert.Contains(t, []string{path, strings.TrimSuffix(path, sw.FileExtension)}, wf.Path)
	assert.Equal(t, fi.Size(), wf.Size, "revision %d", rev)
	assert.Equal(t, sw.ID, wf.SoftwareID, "revision %d", rev)
	assert.Equal(t, rev, wf.Revision)
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v), "%s", b)
}

func blenderSoftware(t *testing.T, c *kitsu.Client) *kitsu.Software {
	t.Helper()
	sw, err := c.Files.GetSoftwareByName(kitsutest.Context(t), "Blender")
	require.NoError(t, err)
	return sw
}

// TestPythonModule drives kpublish.py against the dev server: claim, save,
// register, register again, copy and register, revisions, refusals.
func TestPythonModule(t *testing.T) {
	py := python(t)
	f := newFixture(t)
	blender := blenderSoftware(t, f.c)
	task := f.newTask(t, "SH010")
	out := filepath.Join(t.TempDir(), "out.json")
	run(t, "testdata", f.env, py, "python_publish.py", task.ID, out)

	type workingFile struct {
		ID, Path       string
		Revision, Size int
	}
	var got struct {
		PrintPath struct {
			Path, Claim, Software, Name string
			TaskID                      string `json:"task_id"`
			Revision                    int
		} `json:"print_path"`
		PrintPathDryRun struct {
			Revision int
			DryRun   bool `json:"dry_run"`
		} `json:"print_path_dry_run"`
		Register struct {
			Path              string
			Revision          int
			WorkingFile       workingFile `json:"working_file"`
			Sha               string
			AlreadyRegistered bool `json:"already_registered"`
		}
		RegisterAgain struct {
			WorkingFile       workingFile `json:"working_file"`
			AlreadyRegistered bool        `json:"already_registered"`
		} `json:"register_again"`
		Copy struct {
			Path        string
			Revision    int
			WorkingFile workingFile `json:"working_file"`
		}
		Revisions struct {
			KitsuLast    int `json:"kitsu_last"`
			DiskLast     int `json:"disk_last"`
			Next         int
			Disagreement string
		} `json:"revisions"`
		LeftClaimed struct {
			Path, Claim string
			Revision    int
		} `json:"left_claimed"`
		StaleWhileAlive struct {
			Stale    []map[string]any
			Released int
		} `json:"stale_while_alive"`
		UnknownTask struct {
			Class string
			Code  int
		} `json:"unknown_task"`
		WrongPassword struct {
			Class, Stderr string
			Code          int
		} `json:"wrong_password"`
		TakenRevision struct {
			Class string
			Code  int
		} `json:"taken_revision"`
	}
	readJSON(t, out, &got)

	assert.Equal(t, task.ID, got.PrintPath.TaskID)
	assert.Equal(t, "Blender", got.PrintPath.Software)
	assert.Equal(t, 2, got.PrintPathDryRun.Revision, "a second caller gets the next revision")
	assert.True(t, got.PrintPathDryRun.DryRun)
	assert.Equal(t, got.PrintPath.Path, got.Register.Path)
	assert.Equal(t, 1, got.Register.Revision)
	assert.False(t, got.Register.AlreadyRegistered)
	assert.Regexp(t, `^[0-9a-f]{32}$`, got.Register.Sha)
	assert.True(t, got.RegisterAgain.AlreadyRegistered, "registering the same file again is a no-op")
	assert.Equal(t, got.Register.WorkingFile.ID, got.RegisterAgain.WorkingFile.ID)
	assert.Equal(t, 2, got.Copy.Revision)
	assert.Equal(t, 2, got.Revisions.KitsuLast)
	assert.Equal(t, 2, got.Revisions.DiskLast)
	assert.Equal(t, 3, got.Revisions.Next)
	assert.Empty(t, got.Revisions.Disagreement)
	assert.Equal(t, "InputError", got.UnknownTask.Class, "an unknown task is a wrong value (exit 3)")
	assert.Equal(t, 3, got.UnknownTask.Code)
	assert.Equal(t, "RevisionConflictError", got.TakenRevision.Class, "revision 1 is on disk already (exit 5)")
	assert.Equal(t, 5, got.TakenRevision.Code)

	assert.Equal(t, "ServerError", got.WrongPassword.Class, "a refused login is exit 4")
	assert.Equal(t, 4, got.WrongPassword.Code)
	assert.True(t, strings.HasPrefix(got.WrongPassword.Stderr, "kpublish: "), got.WrongPassword.Stderr)

	// The claim left behind: not stale while its process ran, stale now.
	assert.Equal(t, 3, got.LeftClaimed.Revision)
	assert.Empty(t, got.StaleWhileAlive.Stale)
	assert.FileExists(t, got.LeftClaimed.Claim)
	release := fmt.Sprintf("import json, sys; sys.path.insert(0, '../python'); import kpublish; "+
		"print(json.dumps(kpublish.stale(release=True, root=%q)))", filepath.Dir(got.LeftClaimed.Path))
	var stale struct {
		Stale []struct {
			Path, Host, User, Time, Reason string
			PID                            int
		}
		Released int
	}
	released, _ := run(t, "testdata", f.env, py, "-c", release)
	require.NoError(t, json.Unmarshal([]byte(released), &stale))
	if assert.Len(t, stale.Stale, 1) {
		assert.Contains(t, []string{got.LeftClaimed.Claim, got.LeftClaimed.Path}, stale.Stale[0].Path)
		assert.NotZero(t, stale.Stale[0].PID)
	}
	assert.Equal(t, 1, stale.Released)
	assert.NoFileExists(t, got.LeftClaimed.Claim)

	wfs := f.workingFiles(t, task.ID)
	assert.Len(t, wfs, 2)
	wf, ok := wfs[1]
	f.assertRecord(t, wf, ok, got.Register.Path, 1, blender)
	assert.Equal(t, "from python", wf.Comment)
	wf, ok = wfs[2]
	f.assertRecord(t, wf, ok, got.Copy.Path, 2, blender)
	assert.Equal(t, "copied", wf.Comment)
	b, err := os.ReadFile(got.Copy.Path)
	require.NoError(t, err)
	assert.Equal(t, strings.Repeat("revision two\n", 200), string(b))
}

// TestHookCommandLines runs the Maya, Houdini and Nuke hooks outside their
// DCC (testdata/hooks_publish.py stands in for maya.cmds, hou and nuke):
// their publish_working and their save callbacks make their real kpublish
// calls against the dev server.
func TestHookCommandLines(t *testing.T) {
	py := python(t)
	f := newFixture(t)
	ctx := kitsutest.Context(t)
	softwares := map[string]*kitsu.Software{}
	tasks := map[string]*kitsu.Task{}
	for _, dcc := range []struct{ name, ext string }{{"maya", ".ma"}, {"houdini", ".hip"}, {"nuke", ".nk"}} {
		var sw kitsu.Software
		require.NoError(t, f.c.Create(ctx, "softwares", map[string]any{
			"name": kitsutest.Unique(dcc.name), "short_name": dcc.name[:3], "file_extension": dcc.ext}, &sw))
		kitsutest.DeleteOnCleanup(t, f.c, "data/softwares/"+sw.ID, nil)
		softwares[dcc.name] = &sw
		tasks[dcc.name] = f.newTask(t, "SH_"+dcc.name)
	}
	// Softwares are deleted after the project (cleanups run last first):
	// make the project's records go first.
	t.Cleanup(func() { kitsutest.RemoveProject(t, f.c, f.project.ID) })

	env := append(f.environ(), "KPUBLISH_MAYA_SOFTWARE="+softwares["maya"].Name,
		"KPUBLISH_HOUDINI_SOFTWARE="+softwares["houdini"].Name, "KPUBLISH_NUKE_SOFTWARE="+softwares["nuke"].Name)
	out := filepath.Join(t.TempDir(), "out.json")
	run(t, "testdata", env, py, "hooks_publish.py", out, tasks["maya"].ID, tasks["houdini"].ID, tasks["nuke"].ID)

	var got map[string]json.RawMessage
	readJSON(t, out, &got)
	for dcc, sw := range softwares {
		var r struct {
			Published struct {
				Path     string
				Revision int
			} `json:"published"`
			ClaimedSave struct {
				Path     string
				Revision int
			} `json:"claimed_save"`
		}
		require.NoError(t, json.Unmarshal(got[dcc], &r), dcc)
		assert.Equal(t, 1, r.Published.Revision, dcc)
		assert.Equal(t, 2, r.ClaimedSave.Revision, dcc)
		assert.True(t, strings.HasSuffix(r.Published.Path, sw.FileExtension), "%s: %s", dcc, r.Published.Path)
		wfs := f.workingFiles(t, tasks[dcc].ID)
		assert.Len(t, wfs, 2, dcc)
		wf, ok := wfs[1]
		f.assertRecord(t, wf, ok, r.Published.Path, 1, sw)
		assert.Equal(t, dcc+" publish", wf.Comment)
		wf, ok = wfs[2]
		f.assertRecord(t, wf, ok, r.ClaimedSave.Path, 2, sw)
	}
	var noTask string
	require.NoError(t, json.Unmarshal(got["no_task"], &noTask))
	assert.Contains(t, noTask, "no Kitsu task")
}

// TestBlenderAddon installs the add-on as examples/hooks/README.md says,
// runs a real headless Blender that publishes the scene three times
// (twice with the operator, once with a plain save to a claimed path),
// and checks the three revisions on disk, where the tree puts them, and
// in Kitsu.
func TestBlenderAddon(t *testing.T) {
	blender := lookTool(t, "blender", "the Debian package blender runs the add-on test")
	f := newFixture(t)
	task := f.newTask(t, "SH020")
	sw := blenderSoftware(t, f.c)

	scripts := t.TempDir()
	install := map[string]string{
		"hooks/blender/kpublish_blender.py": "addons/kpublish_blender.py",
		"python/kpublish.py":                "addons/modules/kpublish.py",
	}
	for from, to := range install {
		b, err := os.ReadFile(from)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Join(scripts, filepath.Dir(to)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(scripts, to), b, 0o644))
	}
	script, err := filepath.Abs("testdata/blender_publish.py")
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "out.json")
	env := append(f.environ(), "BLENDER_USER_SCRIPTS="+scripts, "KPUBLISH_TEST_TASK="+task.ID, "KPUBLISH_TEST_OUT="+out)
	log, _ := run(t, t.TempDir(), env, blender, "-b", "--factory-startup", "--python-exit-code", "1", "--python", script)
	require.Contains(t, log, "kpublish blender test: done", log)

	var got struct {
		Saves []struct {
			How, Path, Claim string
			Size             int64
			Result           struct {
				Revision    int
				WorkingFile struct {
					ID, Path string
					Revision int
					Size     int64
				} `json:"working_file"`
			}
		}
		NoTaskError string `json:"no_task_error"`
	}
	readJSON(t, out, &got)
	require.Len(t, got.Saves, 3)
	wfs := f.workingFiles(t, task.ID)
	assert.Len(t, wfs, 3)
	for i, s := range got.Saves {
		rev := i + 1
		assert.Equal(t, rev, s.Result.Revision, s.How)
		assert.Equal(t, s.Size, s.Result.WorkingFile.Size, s.How)
		wf, ok := wfs[rev]
		f.assertRecord(t, wf, ok, s.Path, rev, sw)
		assert.Equal(t, s.Result.WorkingFile.ID, wf.ID)
		b, err := os.ReadFile(s.Path)
		require.NoError(t, err)
		assert.True(t, bytes.HasPrefix(b, []byte("BLENDER")), "revision %d is not a .blend file", rev)
		_, err = os.Stat(filepath.Join(filepath.Dir(s.Path), "."+filepath.Base(s.Path)+".kpublish-claim"))
		assert.True(t, errors.Is(err, fs.ErrNotExist), "revision %d keeps its claim", rev)
	}
	assert.Equal(t, []string{"operator", "operator", "save_post"}, []string{got.Saves[0].How, got.Saves[1].How, got.Saves[2].How})
	assert.Equal(t, "blender test 1", wfs[1].Comment)
	assert.Contains(t, got.NoTaskError, "no Kitsu task")
}
