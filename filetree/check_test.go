package filetree

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// crafted has one problem of each effect, each on a line of its own.
const crafted = `{
  "working": {
    "mountpoint": "/prod",
    "root": "work",
    "comment": "made by hand",
    "folder_path": {
      "shot": "<Project>/<Shoot>/<TaskType>",
      "asset": "<Project>/<AssetType>/<Asset>",
      "edit": "<Project>/edits",
      "style": "Lowercase"
    },
    "file_name": {
      "shot": "<Project.nope>_<Shot.id.x>_<OuputType>",
      "asset": "<Project.short_name>_<Asset>"
    }
  }
}`

type brief struct {
	where, token string
	effect       Effect
	line, column int
}

func briefs(issues []Issue) []brief {
	out := make([]brief, len(issues))
	for n, i := range issues {
		out[n] = brief{i.Where(), i.Token, i.Effect, i.Line, i.Column}
	}
	return out
}

// Check lists every problem, in the order of the text, each with its
// line and column (the token's own column in a template), and what a
// load does about it.
func TestCheckListsEveryProblem(t *testing.T) {
	issues := Check([]byte(crafted))
	assert.Equal(t, []brief{
		{"working.comment", "", Ignored, 5, 5},
		{"working.folder_path.shot", "<Shoot>", Kept, 7, 26},
		{"working.folder_path.edit", "", Ignored, 9, 7},
		{"working.folder_path", "", Noted, 10, 16},
		{"working.file_name.shot", "<Project.nope>", Repaired, 13, 16},
		{"working.file_name.shot", "<Shot.id.x>", Repaired, 13, 31},
		{"working.file_name.shot", "<OuputType>", Kept, 13, 43},
		{"working.file_name.asset", "<Project.short_name>", Noted, 14, 16},
	}, briefs(issues))
	assert.Equal(t, "unknown token: did you mean <Shot>?", issues[1].Problem)
	assert.Equal(t, "kept: rendering this template fails, as in Zou", issues[1].Action)
	assert.Equal(t, "read as <Project>, as Zou does", issues[4].Action)
	assert.Equal(t, "read as <Shot.id>, as Zou does", issues[5].Action)
	assert.Equal(t, "unknown token: did you mean <OutputType>?", issues[6].Problem)
	assert.Contains(t, issues[7].Problem, "a project has no short_name in Kitsu")
	for _, i := range issues {
		assert.Equal(t, "working", i.Mode)
		assert.Equal(t, i.Effect != Noted, i.RefusedBy(true), "strict refuses %s", i.Where())
		assert.False(t, i.RefusedBy(false), "lenient accepts %s", i.Where())
	}

	// The strict load refuses the first; the lenient one loads it, keeps
	// the templates with an unknown token for render time, and warns of
	// each token and key it repaired, kept or ignored.
	_, err := Parse([]byte(crafted))
	require.ErrorIs(t, err, ErrBadTree)
	assert.Contains(t, err.Error(), "working.comment: unknown key")
	tr, err := ParseLenient([]byte(crafted))
	require.NoError(t, err)
	assert.Len(t, tr.Problems, 2)
	var warned []brief
	for _, i := range tr.Warnings {
		warned = append(warned, brief{i.Where(), i.Token, i.Effect, i.Line, i.Column})
	}
	assert.Len(t, warned, 6)
	assert.Contains(t, warned, brief{"working.file_name.shot", "<OuputType>", Kept, 13, 43})
	assert.NotContains(t, tr.Modes["working"].FolderPath.Templates, Kind("edit"), "an unknown kind is skipped")
	_, err = tr.Render(Working, shotContext(), nil)
	require.ErrorIs(t, err, ErrBadTree)
	assert.Contains(t, err.Error(), "<Shoot>")
	assert.Equal(t, tr.Warnings, tr.Clone().Warnings)

	// FromMap warns the same, without places.
	m := map[string]any{"w": map[string]any{"mountpoint": "/p", "root": "", "x": 1,
		"folder_path": map[string]any{"shot": "<Project.nope>"}, "file_name": map[string]any{"shot": "<Shot>"}}}
	ft, err := FromMap(m)
	require.NoError(t, err)
	require.Len(t, ft.Warnings, 2)
	assert.Equal(t, []brief{{"w.x", "", Ignored, 0, 0}, {"w.folder_path.shot", "<Project.nope>", Repaired, 0, 0}}, briefs(ft.Warnings))
}

// What no load accepts is listed in full too, not only the first.
func TestCheckRefused(t *testing.T) {
	bad := `{
  "working": {
    "mountpoint": "prod",
    "root": "/work/",
    "folder_path": {"shot": "<Project>/../x"},
    "file_name": {"shot": 3}
  },
  "output": {"root": "", "folder_path": {}}
}`
	issues := Check([]byte(bad))
	assert.Equal(t, []brief{
		{"working.mountpoint", "", Refused, 3, 19},
		{"working.root", "", Refused, 4, 13},
		{"working.folder_path.shot", "", Refused, 5, 29},
		{"working.file_name.shot", "", Refused, 6, 27},
		{"output", "", Refused, 8, 13},
		{"output", "", Refused, 8, 13},
	}, briefs(issues))
	assert.Equal(t, "missing mountpoint", issues[4].Problem)
	assert.Equal(t, "missing file_name", issues[5].Problem)
	for _, i := range issues {
		assert.True(t, i.RefusedBy(false))
	}
	_, err := ParseLenient([]byte(bad))
	require.ErrorIs(t, err, ErrBadTree)
	assert.Contains(t, err.Error(), "working.mountpoint")

	// Malformed JSON stops the reading, with its line and column.
	issues = Check([]byte("{\n  \"working\": {\n    \"mountpoint\": ,\n"))
	require.Len(t, issues, 1)
	assert.Equal(t, Refused, issues[0].Effect)
	assert.Equal(t, 3, issues[0].Line)
	assert.Equal(t, "line 3, column 19", issues[0].Where())
	issues = Check([]byte(`{"w": {"root": "a", "root": "b"}}`))
	require.Len(t, issues, 1)
	assert.Contains(t, issues[0].Problem, `duplicate key "/w/root"`)
	issues = Check([]byte(`[]`))
	require.Len(t, issues, 1)
	assert.Equal(t, brief{"tree", "", Refused, 1, 1}, briefs(issues)[0])
}

// Templates that every load accepts but that can never render are
// noted, in the order of the text (a missing template where its pair
// is): a field Kitsu does not have, <AssetType> of a shot, a folder or
// file name always empty, a kind with one template of the two.
func TestCheckNeverRenders(t *testing.T) {
	tree := `{"w": {"mountpoint": "/p", "root": "",
	  "folder_path": {"shot": "<Project>/<AssetType>", "asset": "<Project>/<Sequence>/<Asset>", "scene": "<Scene>", "episode": "<Episode>"},
	  "file_name": {"shot": "<Shot>", "asset": "<Asset>_<TaskType.number>", "sequence": "<Sequence>", "episode": "<Representation>"}}}`
	var got []string
	for _, i := range Check([]byte(tree)) {
		assert.Equal(t, Noted, i.Effect)
		got = append(got, i.Where()+" "+i.Token+" "+i.Problem)
	}
	assert.Equal(t, []string{
		`w.folder_path.shot <AssetType> a shot has no asset type (Zou fails on it)`,
		`w.folder_path.asset  the folders would always be "x//x": an empty, . or .. folder is refused (empty: <Sequence>)`,
		`w.file_name.scene  no file_name template for scene, but a folder_path one: want both`,
		`w.file_name.asset <TaskType.number> a task type has no number in Kitsu (Zou fails on it): use .name, .short_name or .id`,
		`w.folder_path.sequence  no folder_path template for sequence, but a file_name one: want both`,
		`w.file_name.episode  the file name would always be empty (empty: <Representation>)`,
	}, got)
	_, err := Parse([]byte(tree))
	require.NoError(t, err, "a strict load accepts what only fails at render")
}

// Zou's own trees: default.json has one problem, the <OuputType> typo,
// which a lenient load keeps for render time; simple.json has none.
func TestCheckZouTrees(t *testing.T) {
	dir := os.Getenv("KITSU_ZOU_FILE_TREES")
	if dir == "" {
		t.Skip("KITSU_ZOU_FILE_TREES is not set (scripts/kitsu-dev env gives it)")
	}
	issues, err := CheckFile(filepath.Join(dir, "default.json"))
	require.NoError(t, err)
	assert.Equal(t, []brief{{"output.file_name.sequence", "<OuputType>", Kept, 36, 47}}, briefs(issues))
	issues, err = CheckFile(filepath.Join(dir, "simple.json"))
	require.NoError(t, err)
	assert.Empty(t, issues)

	_, err = LoadFile(filepath.Join(dir, "default.json"))
	require.ErrorIs(t, err, ErrBadTree)
	tr, err := LoadFileLenient(filepath.Join(dir, "default.json"))
	require.NoError(t, err)
	require.Len(t, tr.Warnings, 1)
	p, err := tr.Render(Working, shotContext(), nil)
	require.NoError(t, err)
	assert.Equal(t, "/simple/productions/cosmos_landromat/shots/s01/p01/animation", p.Folder)

	// The file rules of LoadFile hold for lenient loads and checks.
	_, err = LoadFileLenient(dir)
	assert.ErrorContains(t, err, "a folder")
	_, err = CheckFile("/dev/zero")
	assert.ErrorContains(t, err, "not a regular file")
}

// A tree of many thousands of unknown tokens lists MaxIssues of them and
// says how many more there were; loads still refuse what they refuse.
func TestCheckBounded(t *testing.T) {
	tpl := strings.Repeat("<Nope>", 20000)
	data := []byte(`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "` + tpl + `"}, "file_name": {"shot": "<Shot>"}},
	  "x": {"mountpoint": "relative", "root": "", "folder_path": {}, "file_name": {}}}`)
	issues := Check(data)
	require.Len(t, issues, MaxIssues+2)
	assert.Equal(t, "x.mountpoint", issues[MaxIssues].Where(), "the first refused issue is kept")
	assert.Equal(t, "19000 more problems, not listed: 1000 are at most", issues[MaxIssues+1].Problem)
	_, err := ParseLenient(data)
	assert.ErrorContains(t, err, "x.mountpoint")
	tr, err := ParseLenient([]byte(`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "` + tpl + `"}, "file_name": {"shot": "<Shot>"}}}`))
	require.NoError(t, err)
	assert.Len(t, tr.Warnings, MaxIssues)
	assert.Len(t, tr.Problems, 1, "one broken template")

	// So does a template of 262,144 unknown tokens.
	big := []byte(`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "` + strings.Repeat("<Nope>", 1<<18) + `"}, "file_name": {"shot": "<Shot>"}}}`)
	issues = Check(big)
	require.Len(t, issues, MaxIssues+1)
	assert.Equal(t, 1, issues[1].Line)
	assert.Equal(t, 71, issues[1].Column)

	// Deep values are refused whole, placed where they start.
	deep := `{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": ` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}, "file_name": {"shot": "<Shot>"}}}`
	assert.Equal(t, []brief{{"w.folder_path.shot", "", Refused, 1, 64}}, briefs(Check([]byte(deep))))
}
