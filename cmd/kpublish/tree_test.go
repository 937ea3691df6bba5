package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
)

// TestZouTreesOffline renders paths with Zou's own shipped trees, read
// from their files with --tree FILE (lenient: default.json has the
// <OuputType> typo), and from the file kpublish tree get exports, and
// checks each is the path kpublish renders online from the project's
// tree in Kitsu and the path Zou's own route gives. The sequence output
// template with the typo fails in all four ways; --strict refuses
// default.json.
func TestZouTreesOffline(t *testing.T) {
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	host, user, password := kitsutest.Env(t)
	online := []string{"KITSU_HOST=" + host, "KITSU_USER=" + user, "KITSU_PASSWORD=" + password}
	dir := kitsutest.ZouFileTrees(t)
	shotTT, assetTT, seqTT := kitsutest.NewTaskType(t, c, "Shot"), kitsutest.NewTaskType(t, c, "Asset"), kitsutest.NewTaskType(t, c, "Sequence")
	ot := kitsutest.NewOutputType(t, c)
	props := kitsutest.NewAssetType(t, c)

	for _, name := range []string{"default", "simple"} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(dir, name+".json")
			p := kitsutest.NewProject(t, c, false)
			require.NoError(t, c.Update(ctx, "projects", p.ID, map[string]any{"file_tree": kitsutest.ReadFileTree(t, file)}, nil))
			seq := kitsutest.NewSequence(t, c, p.ID, "", "SQ01")
			shot := kitsutest.NewShot(t, c, p.ID, seq.ID, "SH 010")
			asset := kitsutest.NewAsset(t, c, p.ID, props.ID, "", "Big Tree")
			shotTask := kitsutest.NewTask(t, c, p.ID, shot.ID, shotTT.ID, "main")
			assetTask := kitsutest.NewTask(t, c, p.ID, asset.ID, assetTT.ID, "main")
			seqTask := kitsutest.NewTask(t, c, p.ID, seq.ID, seqTT.ID, "main")

			// The tree exported from Kitsu, to a file.
			exported, errOut, code := kp(t, online, "tree", "get", "--project", p.ID)
			require.Equal(t, 0, code, errOut)
			var got map[string]any
			require.NoError(t, json.Unmarshal([]byte(exported), &got))
			assert.Equal(t, kitsutest.ReadFileTree(t, file), got, "tree get prints the tree Kitsu holds")
			byName, _, code := kp(t, online, "tree", "get", "--project", p.Name)
			require.Equal(t, 0, code)
			assert.Equal(t, exported, byName, "--project by name")
			exportedFile := writeTree(t, exported)
			if name == "default" {
				assert.Contains(t, errOut, "kpublish: tree of "+p.Name+":")
				assert.Contains(t, errOut, "warning: output.file_name.sequence: <OuputType>: unknown token: did you mean <OutputType>?")
			} else {
				assert.Empty(t, errOut)
			}

			outBody := func(revision int, taskTypeID string) map[string]any {
				return map[string]any{"revision": revision, "output_type_id": ot.ID, "task_type_id": taskTypeID}
			}
			for _, tc := range []struct {
				label, route    string
				body            map[string]any
				offline, online []string
			}{
				{"shot working", "data/tasks/" + shotTask.ID + "/working-file-path", map[string]any{"revision": 3},
					[]string{"working", "--revision", "3", "--sequence", seq.Name, "--shot", shot.Name, "--task-type", shotTT.Name},
					[]string{"working", "--revision", "3", "--task", shotTask.ID}},
				{"asset working", "data/tasks/" + assetTask.ID + "/working-file-path", map[string]any{"revision": 4},
					[]string{"working", "--revision", "4", "--asset", asset.Name, "--asset-type", props.Name, "--task-type", assetTT.Name},
					[]string{"working", "--revision", "4", "--task", assetTask.ID}},
				{"sequence working", "data/tasks/" + seqTask.ID + "/working-file-path", map[string]any{"revision": 5},
					[]string{"working", "--revision", "5", "--sequence", seq.Name, "--task-type", seqTT.Name},
					[]string{"working", "--revision", "5", "--task", seqTask.ID}},
				{"shot output", "data/entities/" + shot.ID + "/output-file-path", outBody(2, shotTT.ID),
					[]string{"output", "--revision", "2", "--sequence", seq.Name, "--shot", shot.Name, "--task-type", shotTT.Name, "--output-type", ot.Name},
					[]string{"output", "--revision", "2", "--entity", shot.ID, "--task-type", shotTT.ID, "--output-type", ot.ID}},
				{"asset output", "data/entities/" + asset.ID + "/output-file-path", outBody(6, assetTT.ID),
					[]string{"output", "--revision", "6", "--asset", asset.Name, "--asset-type", props.Name, "--task-type", assetTT.Name, "--output-type", ot.Name},
					[]string{"output", "--revision", "6", "--entity", asset.ID, "--task-type", assetTT.ID, "--output-type", ot.ID}},
				{"sequence output", "data/entities/" + seq.ID + "/output-file-path", outBody(7, seqTT.ID),
					[]string{"output", "--revision", "7", "--sequence", seq.Name, "--task-type", seqTT.Name, "--output-type", ot.Name},
					[]string{"output", "--revision", "7", "--entity", seq.ID, "--task-type", seqTT.ID, "--output-type", ot.ID}},
			} {
				fromFile, errFile, codeFile := kpPath(t, nil, append(append([]string{}, tc.offline...), "--tree", file, "--project", p.Name)...)
				fromExport, errExport, codeExport := kpPath(t, nil, append(append([]string{}, tc.offline...), "--tree", exportedFile, "--project", p.Name)...)
				fromKitsu, errKitsu, codeKitsu := kpPath(t, online, tc.online...)
				if name == "default" {
					// The warning names the typo, once, on stderr, whatever
					// the path; stdout is the JSON alone (kpPath read it).
					want := file + ":36:47: warning: output.file_name.sequence: <OuputType>: unknown token: did you mean <OutputType>?; kept: rendering this template fails, as in Zou\n"
					assert.True(t, strings.HasPrefix(errFile, "kpublish: "+want), "%s: %q", tc.label, errFile)
					assert.Contains(t, errExport, "warning: output.file_name.sequence: <OuputType>")
				}
				if name == "default" && tc.label == "sequence output" {
					// Zou fails on the typo (400, "Unknown data type"): so
					// does kpublish, offline and online, naming it.
					err := c.Post(ctx, tc.route, tc.body, &map[string]any{}, nil)
					require.Error(t, err, "Zou renders the sequence output template with <OuputType>")
					assert.Contains(t, err.Error(), "OuputType")
					for _, r := range []struct {
						errOut string
						code   int
					}{{errFile, codeFile}, {errExport, codeExport}, {errKitsu, codeKitsu}} {
						assert.Equal(t, 3, r.code, r.errOut)
						assert.Contains(t, r.errOut, "kpublish: filetree: output.file_name.sequence: unknown token <OuputType>")
					}
					continue
				}
				zou := zouRoute(t, c, tc.route, tc.body)
				require.Equal(t, 0, codeFile, "%s: %s", tc.label, errFile)
				require.Equal(t, 0, codeExport, "%s: %s", tc.label, errExport)
				require.Equal(t, 0, codeKitsu, "%s: %s", tc.label, errKitsu)
				assert.Equal(t, zou, fromFile, "%s: --tree %s.json and Zou's route", tc.label, name)
				assert.Equal(t, zou, fromExport, "%s: --tree of tree get and Zou's route", tc.label)
				assert.Equal(t, zou, fromKitsu, "%s: online and Zou's route", tc.label)
				assert.True(t, strings.HasPrefix(zou.folder, "/simple/productions"), zou.folder)
			}

			// --strict refuses default.json, with the load's error, and
			// reads simple.json.
			args := []string{"path", "working", "--tree", file, "--strict", "--project", p.Name, "--sequence", seq.Name, "--shot", shot.Name, "--task-type", shotTT.Name}
			out, errOut, code := kp(t, nil, args...)
			if name == "default" {
				assert.Equal(t, 3, code, errOut)
				assert.Empty(t, out)
				assert.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
				assert.Contains(t, errOut, "kpublish: "+file+": filetree: output.file_name.sequence: unknown token <OuputType>: want one of")
				_, errOut, code = kp(t, nil, "parse", "--tree", file, "--strict", "/simple/productions/x/shots/sq01/sh_010/anim/x_sh_010_anim.ma")
				assert.Equal(t, 3, code, errOut)
				assert.Contains(t, errOut, "unknown token <OuputType>")
			} else {
				assert.Equal(t, 0, code, errOut)
				assert.Empty(t, errOut)
			}

			// parse reads the path Zou gives back with the file's tree.
			zou := zouRoute(t, c, "data/tasks/"+shotTask.ID+"/working-file-path", map[string]any{"revision": 3})
			out, errOut, code = kp(t, nil, "parse", "--tree", file, "--json", zou.folder+"/"+zou.file+".max")
			require.Equal(t, 0, code, errOut)
			var parsed struct{ Values map[string]string }
			require.NoError(t, json.Unmarshal([]byte(out), &parsed), out)
			assert.Equal(t, "sh_010", parsed.Values["Shot"])
			assert.Equal(t, name == "default", strings.Contains(errOut, "warning: output.file_name.sequence: <OuputType>"), errOut)
		})
	}
}

// TestTreeGetErrors: a project without a tree, an unknown project, a
// missing --project, no server, wrong credentials.
func TestTreeGetErrors(t *testing.T) {
	c := kitsutest.Client(t)
	host, user, password := kitsutest.Env(t)
	online := []string{"KITSU_HOST=" + host, "KITSU_USER=" + user, "KITSU_PASSWORD=" + password}
	p := kitsutest.NewProject(t, c, false)

	for _, tc := range []struct {
		env  []string
		args []string
		code int
		want string
	}{
		{online, []string{"--project", p.ID}, 3, "project " + `"` + p.Name + `" has no file tree: set one in Kitsu first`},
		{online, []string{"--project", p.Name}, 3, "has no file tree"},
		{online, []string{"--project", kitsutest.Unique("no such project")}, 3, "no such project in Kitsu"},
		{online, []string{"--project", "00000000-0000-4000-8000-000000000000"}, 3, "no such project in Kitsu"},
		{online, nil, 2, "tree get needs --project"},
		{online, []string{"--project", p.ID, "extra"}, 2, "unknown command"},
		{nil, []string{"--project", p.ID}, 2, "KITSU_HOST is not set"},
		{[]string{"KITSU_HOST=" + host, "KITSU_USER=" + user, "KITSU_PASSWORD=not-the-password"}, []string{"--project", p.ID}, 4, "kpublish: "},
	} {
		out, errOut, code := kp(t, tc.env, append([]string{"tree", "get"}, tc.args...)...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, tc.args)
		assert.Empty(t, out, tc.args)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line on stderr: %q", errOut)
		assert.NotContains(t, errOut, "not-the-password")
	}
}

// badTree has problems of every kind, each on a line of its own.
const badTree = `{
  "working": {
    "mountpoint": "/prod",
    "root": "work/",
    "note\u001b[31m": "x",
    "folder_path": {
      "shot": "<Project>/<Shoot>/<TaskType>",
      "shots": "<Project>"
    },
    "file_name": {
      "shot": "<Project.nope>_<Shot>",
      "asset": "<Project.short_name>"
    }
  },
  "output": {
    "mountpoint": "/prod",
    "folder_path": {"shot": "a/../b"},
    "file_name": {"shot": "<Shot>"}
  }
}`

// TestTreeCheck lists every problem of a crafted tree with its place, as
// lines or JSON, and exits 3 when the load chosen refuses the tree.
func TestTreeCheck(t *testing.T) {
	file := writeTree(t, badTree)
	out, errOut, code := kp(t, nil, "tree", "check", file)
	assert.Equal(t, 3, code, errOut)
	assert.Equal(t, "kpublish: "+file+": 8 problems, 3 of them refused by a lenient load (--tree FILE)\n", errOut)
	assert.Equal(t, []string{
		file + `:4:13: error: working.root: "work/" starts or ends with a separator: want a folder under the mountpoint, such as work or productions/work; the tree is refused`,
		file + `:5:5: warning: working.note\x1b[31m: unknown key: want mountpoint, root, folder_path or file_name; ignored, as Zou never reads it`,
		file + `:7:26: warning: working.folder_path.shot: <Shoot>: unknown token: did you mean <Shot>?; kept: rendering this template fails, as in Zou`,
		file + `:8:7: warning: working.folder_path.shots: unknown entity kind: want one of shot, asset, sequence, scene, episode, instance, instance_asset, or style; ignored, as Zou never reads it`,
		file + `:11:16: warning: working.file_name.shot: <Project.nope>: unknown field "nope" in <Project.nope>: want name, short_name, number or id; read as <Project>, as Zou does`,
		file + `:12:16: warning: working.folder_path.asset: no folder_path template for asset, but a file_name one: want both; paths of this kind in this mode never render`,
		file + `:15:13: error: output: missing root; the tree is refused`,
		file + `:17:29: error: output.folder_path.shot: a .. folder would leave the production root; the tree is refused`,
	}, strings.Split(strings.TrimSuffix(out, "\n"), "\n"))

	// --json: the same list; --strict makes the unknown tokens, fields
	// and keys errors.
	out, _, code = kp(t, nil, "tree", "check", file, "--json", "--strict")
	assert.Equal(t, 3, code)
	var list []struct {
		Mode, Section, Kind, Token, Message, Severity, Effect, Action string
		Line, Column                                                  int
	}
	require.NoError(t, json.Unmarshal([]byte(out), &list), out)
	require.Len(t, list, 8)
	assert.Equal(t, "working", list[2].Mode)
	assert.Equal(t, "folder_path", list[2].Section)
	assert.Equal(t, "shot", list[2].Kind)
	assert.Equal(t, "<Shoot>", list[2].Token)
	assert.Equal(t, 7, list[2].Line)
	assert.Equal(t, 26, list[2].Column)
	assert.Equal(t, "unknown token: did you mean <Shot>?", list[2].Message)
	assert.Equal(t, "error", list[2].Severity)
	assert.Equal(t, "kept", list[2].Effect)
	assert.Equal(t, "note\x1b[31m", list[1].Section, "JSON holds the key as it is, escaped by JSON")
	assert.NotContains(t, out, "\x1b", "no raw control character")
	severities := map[string]int{}
	for _, i := range list {
		severities[i.Severity]++
	}
	assert.Equal(t, map[string]int{"error": 7, "warning": 1}, severities)

	// Zou's default tree: loads as --tree loads it (exit 0, the typo a
	// warning), refused strictly.
	dir := os.Getenv("KITSU_ZOU_FILE_TREES")
	if dir != "" {
		def := filepath.Join(dir, "default.json")
		out, errOut, code = kp(t, nil, "tree", "check", def)
		assert.Equal(t, 0, code, errOut)
		assert.Empty(t, errOut)
		assert.Equal(t, def+":36:47: warning: output.file_name.sequence: <OuputType>: unknown token: did you mean <OutputType>?; kept: rendering this template fails, as in Zou\n", out)
		_, errOut, code = kp(t, nil, "tree", "check", def, "--strict")
		assert.Equal(t, 3, code)
		assert.Contains(t, errOut, "1 problem, 1 of them refused by a strict load (--strict)")
		out, _, code = kp(t, nil, "tree", "check", filepath.Join(dir, "simple.json"), "--json")
		assert.Equal(t, 0, code)
		assert.Equal(t, "[]\n", out)
	}

	// No problem; malformed JSON with its place; files that are not read.
	good := writeTree(t, `{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "<Shot>"}, "file_name": {"shot": "<Shot>_v<Version>"}}}`)
	out, errOut, code = kp(t, nil, "tree", "check", good)
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, good+": no problem found\n", out)
	malformed := writeTree(t, "{\n  \"working\": {\n    \"mountpoint\": ,\n")
	out, errOut, code = kp(t, nil, "tree", "check", malformed)
	assert.Equal(t, 3, code)
	assert.Equal(t, malformed+":3:19: error: malformed JSON: invalid character ',' at start of value; the tree cannot be read\n", out)
	assert.Contains(t, errOut, "1 problem, 1 of them refused")
	for _, f := range []string{"/dev/zero", t.TempDir(), "/does/not/exist.json"} {
		_, errOut, code = kp(t, nil, "tree", "check", f)
		assert.Equal(t, 3, code, f)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	}
	_, errOut, code = kp(t, nil, "tree", "check")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "accepts 1 arg")
	_, errOut, code = kp(t, nil, "tree", "frob")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown command "frob" for "kpublish tree"`)
	out, _, code = kp(t, nil, "tree")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "kpublish tree get --project")
}

// TestTreeFileLenient: --tree FILE warns of each token it repaired or
// kept, one line each, and renders what Zou would; --strict refuses.
func TestTreeFileLenient(t *testing.T) {
	file := writeTree(t, `{"working": {"mountpoint": "/p", "root": "w", "description": "ours",
  "folder_path": {"shot": "<Project.code>/<Shot>", "edit": "<Project>"},
  "file_name": {"shot": "<Shot>_<TaskType.short_name.x>_v<Version>", "sequence": "<Sequence>_<Sequense>"}}}`)
	args := []string{"path", "working", "--tree", file, "--project", "My Film", "--sequence", "SQ1", "--shot", "SH1", "--set", "TaskType.short_name=anim"}
	out, errOut, code := kp(t, nil, append(args, "--json")...)
	require.Equal(t, 0, code, errOut)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got), "stdout is the JSON alone: %q", out)
	assert.Equal(t, "/p/w/my_film/sh1/sh1_anim_v001", got["path"])
	lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
	assert.Equal(t, []string{
		"kpublish: " + file + `:1:47: warning: working.description: unknown key: want mountpoint, root, folder_path or file_name; ignored, as Zou never reads it`,
		"kpublish: " + file + `:2:28: warning: working.folder_path.shot: <Project.code>: unknown field "code" in <Project.code>: want name, short_name, number or id; read as <Project>, as Zou does`,
		"kpublish: " + file + `:2:52: warning: working.folder_path.edit: unknown entity kind: want one of shot, asset, sequence, scene, episode, instance, instance_asset, or style; ignored, as Zou never reads it`,
		"kpublish: " + file + `:3:33: warning: working.file_name.shot: <TaskType.short_name.x>: unknown field in <TaskType.short_name.x>: want <Token> or <Token.field>, one dot at most; read as <TaskType.short_name>, as Zou does`,
		"kpublish: " + file + `:3:94: warning: working.file_name.sequence: <Sequense>: unknown token: did you mean <Sequence>?; kept: rendering this template fails, as in Zou`,
	}, lines)

	_, errOut, code = kp(t, nil, append(args, "--strict")...)
	assert.Equal(t, 3, code)
	assert.Equal(t, 1, strings.Count(errOut, "\n"), errOut)
	assert.Contains(t, errOut, "working.description: unknown key")

	// The default tree takes no warning, strict or not.
	_, errOut, code = kp(t, nil, "path", "working", "--tree", "default", "--strict", "--project", "P", "--shot", "SH1", "--sequence", "S1", "--task-type", "Anim")
	assert.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)
}
