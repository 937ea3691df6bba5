package main

import (
	"bytes"
	"encoding/json"
	"errors"
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

// TestMain builds the real binary: the CLI tests run it as a save hook
// would.
func TestMain(m *testing.M) {
	path, remove, err := kitsutest.BuildBinary(".", "kpublish")
	if err != nil {
		panic(err)
	}
	binary = path
	code := m.Run()
	remove()
	os.Exit(code)
}

// kp runs the binary with a clean environment plus env.
func kp(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestPathOffline(t *testing.T) {
	out, errOut, code := kp(t, nil, "path", "working", "--project", "Big Buck Bunny", "--sequence", "SQ01", "--shot", "SH010",
		"--task-type", "Animation", "--software", "Maya", "--revision", "3")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "/prod/work/big_buck_bunny/shots/sq01/sh010/animation/maya/big_buck_bunny_sq01_sh010_animation_main_v003\n", out)

	out, errOut, code = kp(t, nil, "path", "output", "--project", "Cosmos", "--asset-type", "Props", "--asset", "Tree",
		"--task-type", "Modeling", "--output-type", "Cache", "--revision", "12", "--json")
	require.Equal(t, 0, code, errOut)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Equal(t, "/prod/publish/cosmos/assets/props/tree/modeling/cache/v012/cosmos_props_tree_modeling_cache_main_v012", got["path"])
	assert.Equal(t, "/prod/publish/cosmos/assets/props/tree/modeling/cache/v012", got["folder_path"])
	assert.Equal(t, "cosmos_props_tree_modeling_cache_main_v012", got["file_name"])
	assert.Equal(t, "asset", got["kind"])
	assert.Equal(t, "output", got["mode"])

	// A tree file, --set, a separator.
	tree := filepath.Join(t.TempDir(), "tree.json")
	require.NoError(t, os.WriteFile(tree, []byte(`{"working": {"mountpoint": "/s", "root": "w",
	 "folder_path": {"shot": "<Project>/<Shot>/<TaskType.short_name>"}, "file_name": {"shot": "<Shot>_<Shot.id>_v<Version>"}}}`), 0o644))
	out, errOut, code = kp(t, nil, "path", "working", "--tree", tree, "--project", "P", "--shot", "SH1", "--sep", `\`,
		"--set", "TaskType.short_name=anim", "--set", "Shot.id=56a2972b-8a20-470b-af42-6368ec0113ff", "--revision", "7")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, `/s\w\p\sh1\anim\sh1_56a2972b-8a20-470b-af42-6368ec0113ff_v007`+"\n", out)

	// Per-OS roots.
	roots := filepath.Join(t.TempDir(), "roots.json")
	require.NoError(t, os.WriteFile(roots, []byte(`{"/prod": {"linux": "/mnt/prod", "windows": "P:\\"}}`), 0o644))
	out, errOut, code = kp(t, nil, "path", "working", "--project", "X", "--asset", "Tree", "--asset-type", "Props", "--task-type", "Rig",
		"--software", "Blender", "--roots", roots, "--os", "windows")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, `P:\work\x\assets\props\tree\rig\blender\x_props_tree_rig_main_v001`+"\n", out)
}

func TestParse(t *testing.T) {
	p := "/prod/work/big_buck_bunny/shots/sq01/sh010/animation/maya/big_buck_bunny_sq01_sh010_animation_main_v003.ma"
	out, errOut, code := kp(t, nil, "parse", p, "--json")
	require.Equal(t, 0, code, errOut)
	var got struct {
		Path, FolderPath, FileName, Extension, Mode, Kind string
		Values                                            map[string]string
		Revision                                          int
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Equal(t, "working", got.Mode)
	assert.Equal(t, "shot", got.Kind)
	assert.Equal(t, 3, got.Revision)
	assert.Equal(t, ".ma", got.Extension)
	assert.Equal(t, "sh010", got.Values["Shot"])
	assert.Equal(t, "big_buck_bunny", got.Values["Project"])

	out, errOut, code = kp(t, nil, "parse", strings.ReplaceAll(p, "/", `\`))
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Shot: sh010\n")

	// Ambiguous: every reading is listed, exit 3.
	tree := filepath.Join(t.TempDir(), "tree.json")
	require.NoError(t, os.WriteFile(tree, []byte(`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "shots/<Shot>"},
	 "file_name": {"shot": "<Project>_<Name>"}}}`), 0o644))
	_, errOut, code = kp(t, nil, "parse", "/p/shots/sh1/a_b_c", "--tree", tree)
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, "can be read 2 ways")
	assert.Contains(t, errOut, `Project="a_b"`)

	// A Windows path under a platform root.
	roots := filepath.Join(t.TempDir(), "roots.json")
	require.NoError(t, os.WriteFile(roots, []byte(`{"/prod": {"linux": "/mnt/prod", "windows": "P:\\"}}`), 0o644))
	out, errOut, code = kp(t, nil, "parse", `P:\work\big_buck_bunny\shots\sq01\sh010\animation\maya\big_buck_bunny_sq01_sh010_animation_main_v003.ma`, "--roots", roots)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Shot: sh010\n")

	_, errOut, code = kp(t, nil, "parse", "/elsewhere/x.ma")
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, "matches no template")
}

func TestUsageAndInputErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"path"}, 2, "accepts 1 arg"},
		{[]string{"path", "final"}, 2, "invalid argument"},
		{[]string{"path", "working", "--shot", "x"}, 2, "--project is required"},
		{[]string{"path", "working", "--project", "P"}, 2, "name the entity"},
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--frobnicate"}, 2, "unknown flag"},
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--set", "Nope.name=1"}, 2, "unknown token"},
		{[]string{"path", "working", "--project", "!!!", "--shot", "x", "--sequence", "s"}, 3, "no letter or digit"},
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--revision", "-1"}, 3, "--revision -1: want a revision of 1 or more"},
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--tree", "/does/not/exist.json"}, 3, "no such file"},
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--os", "windows"}, 2, "--os and --roots go together"},
		{[]string{"frobnicate"}, 2, "unknown command"},
	} {
		_, errOut, code := kp(t, nil, tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, tc.args)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line on stderr: %q", errOut)
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	require.NoError(t, os.WriteFile(bad, []byte("{\n  \"working\": {\n    \"mountpoint\": ,\n"), 0o644))
	_, errOut, code := kp(t, nil, "path", "working", "--tree", bad, "--project", "P", "--shot", "x")
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, "line 3, column")

	out, _, code := kp(t, nil, "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "Exit codes: 0 ok, 2 usage, 3 bad tree or input, 4 server or auth error")
	out, _, code = kp(t, nil, "version")
	assert.Equal(t, 0, code)
	assert.Equal(t, "kpublish "+kitsu.Version+"\n", out)
}

// TestPathOnline renders with the project's tree from Kitsu and checks it
// is the path the server itself gives.
func TestPathOnline(t *testing.T) {
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	host, user, password := kitsutest.Env(t)
	tree := kitsutest.ZouFileTree(t, "simple")

	p := kitsutest.NewProject(t, c, false)
	require.NoError(t, c.Update(ctx, "projects", p.ID, map[string]any{"file_tree": tree}, nil))
	seq := kitsutest.NewSequence(t, c, p.ID, "", "Seq3")
	shot := kitsutest.NewShot(t, c, p.ID, seq.ID, "Plan 010")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	task := kitsutest.NewTask(t, c, p.ID, shot.ID, anim.ID, "main")
	var zou struct{ Path, Name string }
	require.NoError(t, c.Post(ctx, "data/tasks/"+task.ID+"/working-file-path", map[string]any{"revision": 5}, &zou, nil))

	env := []string{"KITSU_HOST=" + host, "KITSU_USER=" + user, "KITSU_PASSWORD=" + password}
	out, errOut, code := kp(t, env, "path", "working", "--task", task.ID, "--software", "3ds Max", "--revision", "5", "--json")
	require.Equal(t, 0, code, errOut)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Equal(t, zou.Path, got["folder_path"])
	assert.Equal(t, zou.Name, got["file_name"])
	assert.Equal(t, "kitsu", got["tree"])

	// Back to the records.
	out, errOut, code = kp(t, env, "parse", zou.Path+"/"+zou.Name+".max", "--project-id", p.ID, "--json")
	require.Equal(t, 0, code, errOut)
	var parsed struct{ Kitsu map[string]string }
	require.NoError(t, json.Unmarshal([]byte(out), &parsed))
	assert.Equal(t, task.ID, parsed.Kitsu["task_id"])
	assert.Equal(t, shot.ID, parsed.Kitsu["entity_id"])

	// Wrong credentials: a server/auth error, exit 4, password not echoed.
	_, errOut, code = kp(t, []string{"KITSU_HOST=" + host, "KITSU_USER=" + kitsutest.UniqueEmail("nobody"), "KITSU_PASSWORD=not-the-password"},
		"path", "working", "--task", task.ID)
	assert.Equal(t, 4, code, errOut)
	assert.NotContains(t, errOut, "not-the-password")
	_, errOut, code = kp(t, nil, "path", "working", "--task", task.ID)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "KITSU_HOST is not set")
}
