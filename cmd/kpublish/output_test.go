package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawControls lists the raw control characters of s that a terminal
// would act on: C0 but the newline, DEL, C1, and the bidi overrides and
// isolates that reorder what is shown.
func rawControls(s string) []rune {
	var bad []rune
	for _, r := range s {
		switch {
		case r < 0x20 && r != '\n', r == 0x7f, r >= 0x80 && r <= 0x9f,
			r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			bad = append(bad, r)
		}
	}
	return bad
}

func assertClean(t *testing.T, what, s string) {
	t.Helper()
	assert.Empty(t, rawControls(s), "%s holds raw control characters: %q", what, s)
}

const shotPath = "/prod/work/big_buck_bunny/shots/sq01/sh010/animation/maya/big_buck_bunny_sq01_sh010_animation_main_v003"

// TestParseEscapesControlCharacters: a path whose extension holds CR, LF,
// ESC, DEL, C1 or a bidi override cannot spoof the output (row 13).
func TestParseEscapesControlCharacters(t *testing.T) {
	ext := ".ma\r\nkind: asset\x1b[2J\x7f\u0085\u202egpj"
	out, errOut, code := kp(t, nil, "parse", shotPath+ext)
	require.Equal(t, 0, code, errOut)
	assertClean(t, "stdout", out)
	assertClean(t, "stderr", errOut)
	assert.Contains(t, out, `extension: ".ma\r\nkind: asset\x1b[2J\x7f\u0085\u202egpj"`+"\n")
	assert.Contains(t, out, "kind: shot\n")
	assert.Equal(t, 1, strings.Count("\n"+out, "\nkind:"), "no line can be faked: %q", out)

	out, errOut, code = kp(t, nil, "parse", shotPath+ext, "--json")
	require.Equal(t, 0, code, errOut)
	assertClean(t, "stdout", out)
	assert.Contains(t, out, `"extension": ".ma\r\nkind: asset\u001b[2J\u007f\u0085\u202egpj"`)
	var got struct{ Extension, Path string }
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Equal(t, ext, got.Extension, "the JSON value is exact")
	assert.Equal(t, shotPath+ext, got.Path)

	// A plain value is printed as it is, Windows backslashes included.
	out, errOut, code = kp(t, nil, "parse", strings.ReplaceAll(shotPath, "/", `\`)+".ma")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "extension: .ma\n")

	// Errors echoing the path.
	for _, args := range [][]string{
		{"parse", "/elsewhere/\x1b[31mred\r\nkpublish: ok.ma"},
		{"parse", "/elsewhere/\x1b[31mred.ma", "--json"},
		{"parse", "/elsewhere/x.ma", "--tree", "/no/such\x1b[2J/tree.json"},
	} {
		out, errOut, code := kp(t, nil, args...)
		assert.Equal(t, 3, code, "%q: %s", args, errOut)
		assertClean(t, "stdout", out)
		assertClean(t, "stderr", errOut)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line on stderr: %q", errOut)
	}
}

// TestErrorsEscapeControlCharacters: every error line echoing a user value
// has its control characters escaped, whatever exit code it has (row 13).
func TestErrorsEscapeControlCharacters(t *testing.T) {
	esc := "\x1b[2J\r\nkpublish: fine\x7f\u202e"
	tree := filepath.Join(t.TempDir(), "tree.json")
	require.NoError(t, os.WriteFile(tree, []byte(`{"working": {"mountpoint": "/p\u001b[31m", "root": "",
	 "folder_path": {"shot": "<Project>/<Shot>"}, "file_name": {"shot": "<Shot>_v<Version>"}}}`), 0o644))
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--frob" + esc}, 2},
		{[]string{"frob" + esc}, 2},
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--set", "Nope" + esc + "=1"}, 2},
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--set", "Project.frob" + esc + "=1"}, 2},
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--set", "Revision=" + esc}, 3},
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--revision", esc}, 3},
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--tree", "/no/such" + esc + ".json"}, 3},
		{[]string{"path", "working", "--project", esc, "--shot", "x", "--sequence", "s"}, 3},
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--set", "Shot.id=" + esc, "--tree", tree}, 3},
		// A tree whose mountpoint holds ESC: refused when loaded or when the
		// path is printed, never printed raw.
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--tree", tree}, 3},
		{[]string{"path", "working", "--project", "P", "--shot", "x", "--tree", tree, "--json"}, 3},
	} {
		out, errOut, code := kp(t, nil, tc.args...)
		assert.Equal(t, tc.code, code, "%q: %s", tc.args, errOut)
		assert.Empty(t, out, "%q", tc.args)
		assertClean(t, "stderr", errOut)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line on stderr: %q", errOut)
		assert.True(t, strings.HasPrefix(errOut, "kpublish: "), errOut)
	}
}

// TestExitCodesOneRule: the same wrong value gives the same exit code
// whichever flag carries it, and the message names the flag (row 15).
func TestExitCodesOneRule(t *testing.T) {
	shot := []string{"path", "working", "--project", "P", "--sequence", "s", "--shot", "x", "--task-type", "anim"}
	inst := []string{"path", "output", "--project", "P", "--sequence", "s", "--shot", "x", "--asset", "Tree", "--asset-type", "Props", "--task-type", "anim"}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		// 3: a value is wrong.
		{append(shot, "--revision", "-1"), 3, "--revision -1: want a revision of 1 or more"},
		{append(shot, "--set", "Revision=-1"), 3, `--set "Revision=-1": want a revision of 1 or more`},
		{append(shot, "--set", "Version=-7"), 3, `--set "Version=-7": want a revision of 1 or more`},
		{append(shot, "--revision", "abc"), 3, `invalid argument "abc" for "--revision" flag`},
		{append(shot, "--set", "Revision=abc"), 3, `--set "Revision=abc": revision "abc": want a whole number`},
		{append(shot, "--revision", "0"), 3, "--revision 0: offline, give a revision of 1 or more"},
		{append(shot, "--revision", "next"), 3, "use --task TASK_ID"},
		{append(shot, "--set", "Revision=0"), 3, `--set "Revision=0": offline, give a revision of 1 or more`},
		{append(shot, "--revision", "5", "--set", "Revision=-2"), 3, `--set "Revision=-2"`},
		{append(inst, "--instance-number", "-1"), 3, "--instance-number -1: want 0 or more"},
		{append(inst, "--instance-number", "x"), 3, `invalid argument "x" for "--instance-number" flag`},
		{append(inst, "--instance", "Tree_0001", "--set", "Instance.number=-1"), 3, `--set "Instance.number=-1": instance number "-1": want a whole number, 0 or more`},
		{append(shot, "--nb-elements", "-3"), 3, "--nb-elements -3: want 1 or more"},
		{append(shot, "--nb-elements", "0"), 3, "--nb-elements 0: want 1 or more"},
		{append(shot, "--json=maybe"), 3, `invalid argument "maybe" for "--json" flag`},
		// 2: the command line itself is malformed.
		{append(shot, "--set", "Revision"), 2, `--set "Revision": want Token.field=value`},
		{append(shot, "--set", "Nope.name=1"), 2, `unknown token "Nope"`},
		{append(shot, "--set", "Project.frob=1"), 2, `field "frob": want name, short_name or id`},
		{append(shot, "--revision"), 2, "flag needs an argument"},
		{append(shot, "--in-asset", "Forest"), 2, "--in-asset and --in-asset-type go with --instance"},
		{append(inst, "--instance", "Tree_0001", "--in-asset-type", "Sets"), 2, "--in-asset-type goes with --in-asset"},
	} {
		out, errOut, code := kp(t, nil, tc.args...)
		assert.Equal(t, tc.code, code, "%q: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, "%q", tc.args)
		assert.Empty(t, out)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line on stderr: %q", errOut)
	}

	out, _, code := kp(t, nil, "--help")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "Exit codes: 0 ok, 2 usage, 3 bad tree or input, 4 server or auth error.\n")
	assert.Contains(t, out, "2  the command line itself is malformed")
	assert.Contains(t, out, "3  a value is wrong, whichever flag carries it")
}

// writeTree writes a tree file for a test.
func writeTree(t *testing.T, tree string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "tree.json")
	require.NoError(t, os.WriteFile(p, []byte(tree), 0o644))
	return p
}

const flagsTree = `{
 "working": {"mountpoint": "/w", "root": "",
  "folder_path": {"shot": "<Project>/<Sequence.id>/<Shot.id>", "sequence": "<Project>/<Episode.id>/<Sequence>/<Sequence.id>",
   "episode": "<Project>/<Episode>/<Episode.id>", "scene": "<Project>/<Sequence.id>/<Scene>/<Scene.id>",
   "asset": "<Project>/<AssetType>/<Asset>/<Asset.id>"},
  "file_name": {"shot": "<Shot>_<Name>_v<Version>", "sequence": "<Sequence>_<Sequence.id>_<Name>_v<Version>",
   "episode": "<Episode>_<Episode.id>_<Name>_v<Version>", "scene": "<Scene>_<Name>_v<Version>", "asset": "<Asset>_<Name>_v<Version>"}},
 "output": {"mountpoint": "/o", "root": "",
  "folder_path": {"shot": "<Project>/<Shot>/<Name>",
   "instance": "<Project>/<TemporalEntityType>/<TemporalEntity>/<AssetType>/<Asset>/<Instance.number>",
   "instance_asset": "<Project>/<TemporalEntityType>/<TemporalEntity>/<TemporalEntity.id>/<AssetType>/<Asset>/<Asset.id>/<Instance.number>"},
  "file_name": {"shot": "<Shot>_<Name>_v<Version>",
   "instance": "<TemporalEntity>_<Asset>_<Instance>_<Name>_v<Version>",
   "instance_asset": "<TemporalEntity>_<Asset>_<Instance>_<Name>_v<Version>"}}
}`

const (
	id1 = "11111111-1111-4111-8111-111111111111"
	id2 = "22222222-2222-4222-8222-222222222222"
	id3 = "33333333-3333-4333-8333-333333333333"
)

// TestPathFlags covers the flags of rows 16 to 20 offline.
func TestPathFlags(t *testing.T) {
	tree := writeTree(t, flagsTree)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		// Row 16: --set X.id reaches the entity the path is for.
		{"sequence id", []string{"working", "--sequence", "SQ1", "--episode", "E1", "--set", "Sequence.id=" + id1, "--set", "Episode.id=" + id2},
			"/w/p/" + id2 + "/sq1/" + id1 + "/sq1_" + id1 + "_main_v002"},
		{"episode id", []string{"working", "--episode", "E1", "--set", "Episode.id=" + id2},
			"/w/p/e1/" + id2 + "/e1_" + id2 + "_main_v002"},
		{"temporal entity id still sets the entity", []string{"working", "--episode", "E1", "--set", "TemporalEntity.id=" + id2},
			"/w/p/e1/" + id2 + "/e1_" + id2 + "_main_v002"},
		{"shot and its sequence", []string{"working", "--sequence", "SQ1", "--shot", "SH1", "--set", "Shot.id=" + id1, "--set", "Sequence.id=" + id2},
			"/w/p/" + id2 + "/" + id1 + "/sh1_main_v002"},
		{"scene", []string{"working", "--sequence", "SQ1", "--scene", "SC1", "--set", "Scene.id=" + id1, "--set", "Sequence.id=" + id2},
			"/w/p/" + id2 + "/sc1/" + id1 + "/sc1_main_v002"},
		{"asset", []string{"working", "--asset-type", "Props", "--asset", "Tree", "--set", "Asset.id=" + id1},
			"/w/p/props/tree/" + id1 + "/tree_main_v002"},
		// Row 17: the placed-in asset has its own type.
		{"instance in an asset", []string{"output", "--in-asset", "Forest", "--in-asset-type", "Sets", "--asset", "Tree", "--asset-type", "Props",
			"--instance", "Tree_0003", "--instance-number", "3", "--set", "TemporalEntity.id=" + id1, "--set", "Asset.id=" + id2},
			"/o/p/sets/forest/" + id1 + "/props/tree/" + id2 + "/0003/forest_tree_tree_0003_main_v002"},
		{"instance in a shot", []string{"output", "--sequence", "SQ1", "--shot", "SH1", "--asset", "Tree", "--asset-type", "Props", "--instance-number", "3"},
			"/o/p/shot/sh1/props/tree/0003/sh1_tree_0003_main_v002"},
		// Row 18: --name "" drops the name, as Zou does.
		{"empty name", []string{"working", "--sequence", "SQ1", "--shot", "SH1", "--set", "Shot.id=" + id1, "--set", "Sequence.id=" + id2, "--name", ""},
			"/w/p/" + id2 + "/" + id1 + "/sh1_v002"},
		{"empty name by --set", []string{"working", "--sequence", "SQ1", "--shot", "SH1", "--set", "Shot.id=" + id1, "--set", "Sequence.id=" + id2, "--set", "Name="},
			"/w/p/" + id2 + "/" + id1 + "/sh1_v002"},
		{"name given", []string{"working", "--sequence", "SQ1", "--shot", "SH1", "--set", "Shot.id=" + id1, "--set", "Sequence.id=" + id3, "--name", "Layout"},
			"/w/p/" + id3 + "/" + id1 + "/sh1_layout_v002"},
	} {
		args := append([]string{"path", tc.args[0], "--tree", tree, "--project", "P", "--revision", "2"}, tc.args[1:]...)
		out, errOut, code := kp(t, nil, args...)
		if assert.Equal(t, 0, code, "%s: %s", tc.name, errOut) {
			assert.Equal(t, tc.want+"\n", out, tc.name)
		}
	}

	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"placed-in asset type missing", []string{"output", "--in-asset", "Forest", "--asset", "Tree", "--asset-type", "Props", "--instance-number", "3",
			"--set", "TemporalEntity.id=" + id1, "--set", "Asset.id=" + id2},
			[]string{"<TemporalEntityType>", "give --in-asset-type"}},
		// Row 18: an empty name where a folder shows it is refused (Zou
		// writes an empty folder).
		{"empty name in a folder", []string{"output", "--sequence", "SQ1", "--shot", "SH1", "--name", ""},
			[]string{"an empty, . or .. folder is refused", "empty: <Name>"}},
		// Row 19: an instance name given empty is refused where the tree
		// shows it.
		{"empty instance name", []string{"output", "--sequence", "SQ1", "--shot", "SH1", "--asset", "Tree", "--asset-type", "Props", "--instance", "", "--instance-number", "3"},
			[]string{"<Instance>: the asset instance's name is set but empty", "omit --instance to show the number"}},
		{"empty instance name by --set", []string{"output", "--sequence", "SQ1", "--shot", "SH1", "--asset", "Tree", "--asset-type", "Props", "--instance", "Tree_0003", "--set", "Instance.name="},
			[]string{"the asset instance's name is set but empty"}},
	} {
		args := append([]string{"path", tc.args[0], "--tree", tree, "--project", "P", "--revision", "2"}, tc.args[1:]...)
		out, errOut, code := kp(t, nil, args...)
		assert.Equal(t, 3, code, "%s: %s", tc.name, errOut)
		assert.Empty(t, out)
		for _, w := range tc.want {
			assert.Contains(t, errOut, w, tc.name)
		}
	}

	// Row 20: the default revision is 1; 0 is refused offline.
	out, errOut, code := kp(t, nil, "path", "working", "--tree", tree, "--project", "P", "--episode", "E1", "--set", "Episode.id="+id2)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "/w/p/e1/"+id2+"/e1_"+id2+"_main_v001\n", out)
	_, errOut, code = kp(t, nil, "path", "working", "--tree", tree, "--project", "P", "--episode", "E1", "--revision", "0")
	assert.Equal(t, 3, code)
	assert.Contains(t, errOut, "--revision 0: offline, give a revision of 1 or more; 0 means the next revision, which only Kitsu knows: use --task TASK_ID")
}

// TestOneLineAndJSON checks the escaping helpers themselves.
func TestOneLineAndJSON(t *testing.T) {
	a, b := errors.New("no output type \"x\x1b\""), errors.New("no task type \"y\"")
	assert.Equal(t, `no output type "x\x1b"; no task type "y"`, oneLine(errors.Join(a, b)))
	assert.Equal(t, `read a: no output type "x\x1b" then no task type "y"`, oneLine(fmt.Errorf("read a: %w then %w", a, b)))
	assert.Equal(t, `bad\r\nline\x7f\u0085\u202e\xff ok P:\prod é`, oneLine(errors.New("bad\r\nline\x7f\u0085\u202e\xff ok P:\\prod é")))
	assert.Equal(t, `P:\prod\x.ma`, printable(`P:\prod\x.ma`))
	assert.Equal(t, `"P:\\prod\\x.ma\x1b"`, printable("P:\\prod\\x.ma\x1b"))

	var buf bytes.Buffer
	v := map[string]any{"s": "a\x7f\u0085\u202e\U000e0001\x1b\n\u2028é 東京"}
	require.NoError(t, writeJSON(&buf, v))
	assert.Equal(t, "{\n  \"s\": \"a\\u007f\\u0085\\u202e\\udb40\\udc01\\u001b\\n\\u2028é 東京\"\n}\n", buf.String())
	var back map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	assert.Equal(t, v, back, "the escapes decode to the same value")
}
