package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// idsTree shows every id a template can show, the entity's own kind
// included (<Sequence.id> of a sequence, <Episode.id> of an episode), the
// type of the entity an instance is in, and <Name> in a custom mode's
// folder.
var idsTree = map[string]any{
	"working": map[string]any{
		"mountpoint": "/ids", "root": "work",
		"folder_path": map[string]any{
			"shot":     "<Project>/<Project.id>/<Episode>/<Episode.id>/<Sequence>/<Sequence.id>/<Shot>/<Shot.id>/<TaskType>",
			"sequence": "<Project>/<Project.id>/<Episode>/<Episode.id>/<Sequence>/<Sequence.id>/<TaskType>",
			"episode":  "<Project>/<Episode>/<Episode.id>/<TaskType>",
			"scene":    "<Project>/<Sequence>/<Sequence.id>/<Scene>/<Scene.id>/<TaskType>",
			"asset":    "<Project>/<AssetType>/<Asset>/<Asset.id>/<TaskType>",
			"style":    "lowercase",
		},
		"file_name": map[string]any{
			"shot":     "<Shot>_<Shot.id>_<Name>_v<Version>",
			"sequence": "<Sequence>_<Sequence.id>_<Episode.id>_<Name>_v<Version>",
			"episode":  "<Episode>_<Episode.id>_<Name>_v<Version>",
			"scene":    "<Scene>_<Scene.id>_<Name>_v<Version>",
			"asset":    "<Asset>_<Asset.id>_<Name>_v<Version>",
			"style":    "lowercase",
		},
	},
	"output": map[string]any{
		"mountpoint": "/ids", "root": "out",
		"folder_path": map[string]any{
			"shot":           "<Project>/<Sequence>/<Shot>/<OutputType>/v<Version>",
			"sequence":       "<Project>/<Episode.id>/<Sequence>/<Sequence.id>/<OutputType>",
			"asset":          "<Project>/<AssetType>/<Asset>/<OutputType>",
			"instance":       "<Project>/<TemporalEntityType>/<Sequence>/<TemporalEntity>/<TemporalEntity.id>/<AssetType>/<Asset>/<Instance>",
			"instance_asset": "<Project>/<TemporalEntityType>/<TemporalEntity>/<TemporalEntity.id>/<AssetType>/<Asset>/<Asset.id>/<Instance.number>",
			"style":          "lowercase",
		},
		"file_name": map[string]any{
			"shot":           "<Shot>_<OutputType>_<Name>_v<Version>",
			"sequence":       "<Sequence>_<OutputType>_<Name>_v<Version>",
			"asset":          "<Asset>_<OutputType>_<Name>_v<Version>",
			"instance":       "<TemporalEntity>_<Asset>_<Instance>_<Instance.number>_<Name>_v<Version>",
			"instance_asset": "<TemporalEntityType>_<TemporalEntity>_<Asset>_<Instance>_<Name>_v<Version>",
			"style":          "lowercase",
		},
	},
	"render": map[string]any{
		"mountpoint": "/ids", "root": "render",
		"folder_path": map[string]any{"shot": "<Project>/<Sequence>/<Shot>/<Name>", "style": "lowercase"},
		"file_name":   map[string]any{"shot": "<Shot>_<Name>_v<Revision>", "style": "lowercase"},
	},
}

type zouPath struct{ folder, file string }

// zouRoute asks one of Zou's path routes.
func zouRoute(t *testing.T, c *kitsu.Client, route string, body map[string]any) zouPath {
	t.Helper()
	var reply struct {
		Path       string `json:"path"`
		Name       string `json:"name"`
		FolderPath string `json:"folder_path"`
		FileName   string `json:"file_name"`
	}
	require.NoError(t, c.Post(kitsutest.Context(t), route, body, &reply, nil), "POST %s %v", route, body)
	if reply.Path != "" || reply.Name != "" {
		return zouPath{reply.Path, reply.Name}
	}
	return zouPath{reply.FolderPath, reply.FileName}
}

// kpPath runs kpublish path ... --json and returns its path.
func kpPath(t *testing.T, env []string, args ...string) (zouPath, string, int) {
	t.Helper()
	out, errOut, code := kp(t, env, append(append([]string{"path"}, args...), "--json")...)
	if code != 0 {
		return zouPath{}, errOut, code
	}
	var got struct {
		FolderPath string `json:"folder_path"`
		FileName   string `json:"file_name"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	return zouPath{got.FolderPath, got.FileName}, errOut, code
}

// TestPathMatchesZou renders paths with the binary, offline from names
// and --set ids as a farm script does, and online from ids, and checks
// each against Zou's own routes on the same records: the entity's own id
// whatever its kind (row 16), the placed-in asset's type (row 17), an
// empty --name (row 18), an instance whose name is empty or null (row
// 19), and revision 0, next online only (row 20).
func TestPathMatchesZou(t *testing.T) {
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	host, user, password := kitsutest.Env(t)
	online := []string{"KITSU_HOST=" + host, "KITSU_USER=" + user, "KITSU_PASSWORD=" + password}

	sets, props := kitsutest.NewAssetType(t, c), kitsutest.NewAssetType(t, c)
	ot := kitsutest.NewOutputType(t, c)
	// Zou wants a task's type to be for the entity's kind.
	tts := map[string]*kitsu.TaskType{}
	for kind, forEntity := range map[string]string{"shot": "Shot", "sequence": "Sequence", "episode": "Episode", "scene": "Scene", "asset": "Asset"} {
		tts[kind] = kitsutest.NewTaskType(t, c, forEntity)
	}
	p := kitsutest.NewProject(t, c, true)
	require.NoError(t, c.Update(ctx, "projects", p.ID, map[string]any{"file_tree": idsTree}, nil))
	ep := kitsutest.NewEpisode(t, c, p.ID, "Épisode 1")
	seq := kitsutest.NewSequence(t, c, p.ID, ep.ID, "Seq2")
	shot := kitsutest.NewShot(t, c, p.ID, seq.ID, "SH 010")
	scene := kitsutest.NewScene(t, c, p.ID, seq.ID, "Scène 3")
	forest := kitsutest.NewAsset(t, c, p.ID, sets.ID, "", "Dark Forest")
	tree := kitsutest.NewAsset(t, c, p.ID, props.ID, "", "Big Tree")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	var inAsset, inScene kitsu.AssetInstance
	require.NoError(t, c.Post(ctx, "data/assets/"+forest.ID+"/asset-asset-instances", map[string]any{"asset_to_instantiate_id": tree.ID}, &inAsset, nil))
	kitsutest.RemoveAssetInstanceOnCleanup(t, c, inAsset.ID)
	require.NoError(t, c.Post(ctx, "data/scenes/"+scene.ID+"/asset-instances", map[string]any{"asset_id": tree.ID}, &inScene, nil))
	kitsutest.RemoveAssetInstanceOnCleanup(t, c, inScene.ID)
	tasks := map[string]*kitsu.Task{}
	for kind, id := range map[string]string{"shot": shot.ID, "sequence": seq.ID, "episode": ep.ID, "scene": scene.ID, "asset": forest.ID} {
		tasks[kind] = kitsutest.NewTask(t, c, p.ID, id, tts[kind].ID, "main")
	}

	treeJSON, err := json.Marshal(idsTree)
	require.NoError(t, err)
	base := []string{"--tree", writeTree(t, string(treeJSON)), "--project", p.Name, "--set", "Project.id=" + p.ID}
	tt := func(kind string) []string { return []string{"--task-type", tts[kind].Name} }
	inSeq := []string{"--episode", ep.Name, "--sequence", seq.Name, "--set", "Episode.id=" + ep.ID, "--set", "Sequence.id=" + seq.ID}
	cat := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	working := func(task *kitsu.Task, body map[string]any) zouPath {
		return zouRoute(t, c, "data/tasks/"+task.ID+"/working-file-path", body)
	}
	output := func(route string, body map[string]any) zouPath {
		body["output_type_id"], body["task_type_id"] = ot.ID, anim.ID
		return zouRoute(t, c, route, body)
	}
	outFlags := []string{"--output-type", ot.Name, "--task-type", anim.Name}
	compared := 0
	same := func(label string, zou zouPath, args ...string) {
		t.Helper()
		got, errOut, code := kpPath(t, nil, args...)
		if assert.Equal(t, 0, code, "%s: %s", label, errOut) && assert.Equal(t, zou, got, label) {
			compared++
		}
	}

	// Row 16: each entity's own id, offline, from --set.
	same("sequence, its own id", working(tasks["sequence"], map[string]any{"revision": 3}),
		cat([]string{"working", "--revision", "3"}, base, inSeq, tt("sequence"))...)
	same("episode, its own id", working(tasks["episode"], map[string]any{"revision": 3}),
		cat([]string{"working", "--revision", "3", "--episode", ep.Name, "--set", "Episode.id=" + ep.ID}, base, tt("episode"))...)
	same("episode, TemporalEntity.id", working(tasks["episode"], map[string]any{"revision": 4}),
		cat([]string{"working", "--revision", "4", "--episode", ep.Name, "--set", "TemporalEntity.id=" + ep.ID}, base, tt("episode"))...)
	same("shot", working(tasks["shot"], map[string]any{"revision": 5, "name": "Lay Out"}),
		cat([]string{"working", "--revision", "5", "--name", "Lay Out", "--shot", shot.Name, "--set", "Shot.id=" + shot.ID}, base, inSeq, tt("shot"))...)
	same("scene", working(tasks["scene"], map[string]any{"revision": 6}),
		cat([]string{"working", "--revision", "6", "--scene", scene.Name, "--set", "Scene.id=" + scene.ID}, base, inSeq, tt("scene"))...)
	same("asset", working(tasks["asset"], map[string]any{"revision": 7}),
		cat([]string{"working", "--revision", "7", "--asset", forest.Name, "--asset-type", sets.Name, "--set", "Asset.id=" + forest.ID}, base, tt("asset"))...)
	same("sequence output", output("data/entities/"+seq.ID+"/output-file-path", map[string]any{"revision": 2}),
		cat([]string{"output", "--revision", "2"}, base, inSeq, outFlags)...)

	// Row 17: an instance placed in an asset, that asset's type its own.
	same("instance in an asset", output("data/asset-instances/"+inAsset.ID+"/entities/"+forest.ID+"/output-file-path", map[string]any{"revision": 8}),
		cat([]string{"output", "--revision", "8", "--in-asset", forest.Name, "--in-asset-type", sets.Name, "--asset", tree.Name, "--asset-type", props.Name,
			"--instance", inAsset.Name, "--instance-number", strconv.Itoa(inAsset.Number),
			"--set", "TemporalEntity.id=" + forest.ID, "--set", "Asset.id=" + tree.ID}, base, outFlags)...)
	instFlags := []string{"--asset", tree.Name, "--asset-type", props.Name, "--instance", inScene.Name, "--instance-number", strconv.Itoa(inScene.Number)}
	same("instance in a scene", output("data/asset-instances/"+inScene.ID+"/entities/"+scene.ID+"/output-file-path", map[string]any{"revision": 9}),
		cat([]string{"output", "--revision", "9", "--scene", scene.Name, "--set", "TemporalEntity.id=" + scene.ID}, base, inSeq, instFlags, outFlags)...)
	same("instance in a shot", output("data/asset-instances/"+inScene.ID+"/entities/"+shot.ID+"/output-file-path", map[string]any{"revision": 9}),
		cat([]string{"output", "--revision", "9", "--shot", shot.Name, "--set", "Shot.id=" + shot.ID}, base, inSeq, instFlags, outFlags)...)

	// Row 18: --name "" drops the name from file names, as Zou does; where
	// a folder shows it, Zou writes an empty folder and kpublish refuses.
	same(`--name ""`, working(tasks["shot"], map[string]any{"revision": 2, "name": ""}),
		cat([]string{"working", "--revision", "2", "--name", "", "--shot", shot.Name, "--set", "Shot.id=" + shot.ID}, base, inSeq, tt("shot"))...)
	zou := working(tasks["shot"], map[string]any{"revision": 2, "name": "", "mode": "render"})
	assert.True(t, strings.HasSuffix(zou.folder, "/"), "Zou ends the folder with an empty one: %q", zou.folder)
	_, errOut, code := kpPath(t, nil, cat([]string{"working", "--mode", "render", "--revision", "2", "--name", "", "--shot", shot.Name}, base, inSeq, tt("shot"))...)
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, "empty: <Name>")

	// Row 19: an instance whose name is empty: Zou writes an empty folder,
	// kpublish refuses, offline and online; a null name shows the number
	// in both.
	require.NoError(t, c.Update(ctx, "asset-instances", inScene.ID, map[string]any{"name": ""}, nil))
	zou = output("data/asset-instances/"+inScene.ID+"/entities/"+scene.ID+"/output-file-path", map[string]any{"revision": 3})
	assert.True(t, strings.HasSuffix(zou.folder, "/"), "Zou ends the folder with an empty one: %q", zou.folder)
	_, errOut, code = kpPath(t, nil, cat([]string{"output", "--revision", "3", "--scene", scene.Name, "--set", "TemporalEntity.id=" + scene.ID, "--asset", tree.Name, "--asset-type", props.Name,
		"--instance", "", "--instance-number", strconv.Itoa(inScene.Number)}, base, inSeq, outFlags)...)
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, "the asset instance's name is set but empty")
	_, errOut, code = kpPath(t, online, "output", "--entity", scene.ID, "--asset-instance", inScene.ID, "--output-type", ot.ID, "--task-type", anim.ID, "--revision", "3")
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, "the asset instance's name is set but empty")

	require.NoError(t, c.Update(ctx, "asset-instances", inScene.ID, map[string]any{"name": nil}, nil))
	zou = output("data/asset-instances/"+inScene.ID+"/entities/"+scene.ID+"/output-file-path", map[string]any{"revision": 3})
	assert.Contains(t, zou.file, "_0001_0001_", "a null name shows the number")
	same("instance with a null name", zou,
		cat([]string{"output", "--revision", "3", "--scene", scene.Name, "--set", "TemporalEntity.id=" + scene.ID, "--asset", tree.Name, "--asset-type", props.Name,
			"--instance-number", strconv.Itoa(inScene.Number)}, base, inSeq, outFlags)...)
	got, errOut, code := kpPath(t, online, "output", "--entity", scene.ID, "--asset-instance", inScene.ID, "--output-type", ot.ID, "--task-type", anim.ID, "--revision", "3")
	if assert.Equal(t, 0, code, errOut) && assert.Equal(t, zou, got, "online, a null name") {
		compared++
	}

	// Row 20: revision 0 is the next revision, online only.
	_, err = c.Files.NewWorkingFile(ctx, tasks["shot"].ID, nil)
	require.NoError(t, err)
	zou = working(tasks["shot"], map[string]any{"revision": 0})
	assert.Contains(t, zou.file, "_v002", "Zou's next revision")
	for _, rev := range []string{"0", "next"} {
		got, errOut, code := kpPath(t, online, "working", "--task", tasks["shot"].ID, "--revision", rev)
		if assert.Equal(t, 0, code, errOut) && assert.Equal(t, zou, got, "online --revision %s", rev) {
			compared++
		}
	}
	next, err := c.Files.GetNextEntityOutputRevision(ctx, shot.ID, ot.ID, anim.ID, nil)
	require.NoError(t, err)
	zou = output("data/entities/"+shot.ID+"/output-file-path", map[string]any{"revision": next})
	got, errOut, code = kpPath(t, online, "output", "--entity", shot.ID, "--output-type", ot.ID, "--task-type", anim.ID, "--revision", "0")
	if assert.Equal(t, 0, code, errOut) && assert.Equal(t, zou, got, "online output, the next revision in folder and file name") {
		compared++
	}
	_, errOut, code = kpPath(t, nil, cat([]string{"working", "--revision", "0", "--shot", shot.Name}, base, inSeq, tt("shot"))...)
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, "use --task TASK_ID")
	t.Logf("%d kpublish paths compared byte for byte with Zou's routes", compared)
	assert.Equal(t, 16, compared)
}
