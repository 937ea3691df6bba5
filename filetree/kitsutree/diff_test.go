package kitsutree_test

// The differential test: thousands of paths rendered offline by filetree
// and by the real Zou, compared byte for byte.

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-json-experiment/json"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// trickyNames are the names entities get: accents, ß, CJK, emoji, spaces,
// punctuation, dots, leading and trailing separators, Seq prefixes, case
// and digits.
var trickyNames = []string{
	"Señor Café", "Straße", "東京 タワー", "🎬 Clap", "hello world", "a.b.c", "..dots..",
	"_lead", "trail_", "-dash-", "Seq2", "Seq010", "MySeq7", "SH010", "UPPER lower", "42",
	"O'Brien", "it’s", "1,000", "A&amp;B", "&#65;x", "½ Half", "Ωmega", "naïve façade",
	"İstanbul", "x/y", "Ærø", "crème brûlée", "Zoë", "Ünïcødé", "tree (big)", "v2.0",
	"Seq", "seq5", "ǅemal", "Ⅻ", "ｆｕｌｌ", "!!!", "🚀", "e001", "Plan Séquence",
}

type entity struct {
	filetree.Named
	kind     filetree.Kind
	typeOf   filetree.Named // entity type
	sequence *entity
	episode  *entity
}

type taskRec struct {
	filetree.Named
	entity   *entity
	taskType *taskType
}

type taskType struct {
	filetree.Named
	department filetree.Named
}

type instanceRec struct {
	id, name  string
	emptyName bool // the name is "" in Kitsu (null shows the number)
	number    int
	asset     *entity
	target    *entity // for instances inside an asset
	scene     *entity // for instances in a scene
}

type world struct {
	c         *kitsu.Client
	project   filetree.Named
	tree      *filetree.Tree
	treeName  string
	entities  []*entity
	tasks     []taskRec
	instances []instanceRec
}

type shared struct {
	taskTypes   []*taskType
	forEntity   map[string][]*taskType // task types by the entity type they are for
	softwares   []filetree.Named
	outputTypes []filetree.Named
	assetTypes  []entityTypeRec
	typeByName  map[string]filetree.Named // Shot, Sequence, Episode, Scene
}

type entityTypeRec struct{ filetree.Named }

type rec struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ShortName    string `json:"short_name"`
	Number       int    `json:"number"`
	EntityTypeID string `json:"entity_type_id"`
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func post(t *testing.T, c *kitsu.Client, path string, body any) rec {
	t.Helper()
	var out rec
	if err := c.Post(kitsutest.Context(t), path, body, &out, nil); err != nil {
		t.Fatalf("POST %s %v: %v", path, body, err)
	}
	return out
}

func setupShared(t *testing.T, c *kitsu.Client, r *rand.Rand) *shared {
	ctx := kitsutest.Context(t)
	s := &shared{typeByName: map[string]filetree.Named{}, forEntity: map[string][]*taskType{}}
	var types []rec
	require.NoError(t, c.FetchAll(ctx, "entity-types", &types, nil))
	for _, et := range types {
		switch et.Name {
		case "Shot", "Sequence", "Episode", "Scene":
			s.typeByName[et.Name] = filetree.Named{ID: et.ID, Name: et.Name, ShortName: et.ShortName}
		}
	}
	var depts []rec
	require.NoError(t, c.FetchAll(ctx, "departments", &depts, nil))
	suffix := kitsutest.Unique("")[1:]
	for i := range 3 {
		name := pick(r, trickyNames) + " tt" + suffix + fmt.Sprint(i)
		d := depts[i%len(depts)]
		tt := post(t, c, "data/task-types", map[string]any{"name": name, "short_name": fmt.Sprintf("T%dé", i), "department_id": d.ID, "for_entity": "Shot"})
		s.taskTypes = append(s.taskTypes, &taskType{Named: filetree.Named{ID: tt.ID, Name: name, ShortName: fmt.Sprintf("T%dé", i)}, department: filetree.Named{ID: d.ID, Name: d.Name}})
		t.Cleanup(func() {
			_, _ = c.Delete(context.Background(), "data/task-types/"+tt.ID, &kitsu.RequestOptions{Params: map[string][]string{"force": {"true"}}})
		})
	}
	// Zou wants a task's type to be for the kind of its entity: shots get
	// two of the task types above (the second task named), the other
	// kinds one of their own.
	s.forEntity["Shot"] = s.taskTypes[:2]
	for i, family := range []string{"Asset", "Sequence", "Episode", "Scene"} {
		name := pick(r, trickyNames) + " " + family + suffix
		d := depts[(i+1)%len(depts)]
		short := fmt.Sprintf("%.2s%d", family, i)
		tt := post(t, c, "data/task-types", map[string]any{"name": name, "short_name": short, "department_id": d.ID, "for_entity": family})
		s.forEntity[family] = []*taskType{{Named: filetree.Named{ID: tt.ID, Name: name, ShortName: short}, department: filetree.Named{ID: d.ID, Name: d.Name}}}
		t.Cleanup(func() {
			_, _ = c.Delete(context.Background(), "data/task-types/"+tt.ID, &kitsu.RequestOptions{Params: map[string][]string{"force": {"true"}}})
		})
	}
	for i := range 2 {
		name := pick(r, trickyNames) + " sw" + suffix + fmt.Sprint(i)
		sw := post(t, c, "data/softwares", map[string]any{"name": name, "short_name": fmt.Sprintf("Sw%d", i), "file_extension": ".x"})
		s.softwares = append(s.softwares, filetree.Named{ID: sw.ID, Name: name, ShortName: fmt.Sprintf("Sw%d", i)})
		t.Cleanup(func() { _, _ = c.Delete(context.Background(), "data/softwares/"+sw.ID, nil) })
	}
	for i := range 3 {
		name := pick(r, trickyNames) + " ot" + suffix + fmt.Sprint(i)
		ot := post(t, c, "data/output-types", map[string]any{"name": name, "short_name": fmt.Sprintf("O%d Ç", i)})
		s.outputTypes = append(s.outputTypes, filetree.Named{ID: ot.ID, Name: name, ShortName: fmt.Sprintf("O%d Ç", i)})
		t.Cleanup(func() { _, _ = c.Delete(context.Background(), "data/output-types/"+ot.ID, nil) })
	}
	for i := range 2 {
		name := pick(r, trickyNames) + " at" + suffix + fmt.Sprint(i)
		at := post(t, c, "data/entity-types", map[string]any{"name": name, "short_name": fmt.Sprintf("AT%d", i)})
		s.assetTypes = append(s.assetTypes, entityTypeRec{filetree.Named{ID: at.ID, Name: name, ShortName: fmt.Sprintf("AT%d", i)}})
		t.Cleanup(func() { _, _ = c.Delete(context.Background(), "data/entity-types/"+at.ID, nil) })
	}
	return s
}

// newWorld makes a project with the given tree and a production in it.
func newWorld(t *testing.T, c *kitsu.Client, s *shared, r *rand.Rand, treeName string, treeJSON []byte) *world {
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, true)
	// The project name is tricky too.
	pname := pick(r, trickyNames) + " " + p.Name
	var proj kitsu.Project
	require.NoError(t, c.Update(ctx, "projects", p.ID, map[string]any{"name": pname}, &proj))
	var tree map[string]any
	require.NoError(t, json.Unmarshal(treeJSON, &tree))
	require.NoError(t, c.Update(ctx, "projects", p.ID, map[string]any{"file_tree": tree}, &proj))
	parsed, err := filetree.FromMap(proj.FileTree)
	require.NoError(t, err)
	w := &world{c: c, project: filetree.Named{ID: p.ID, Name: pname}, tree: parsed, treeName: treeName}

	used := map[string]bool{}
	fresh := func(scope string) string {
		for {
			n := pick(r, trickyNames)
			if r.IntN(3) == 0 {
				n += fmt.Sprintf(" %d", r.IntN(100))
			}
			if !used[scope+"|"+strings.ToLower(n)] {
				used[scope+"|"+strings.ToLower(n)] = true
				return n
			}
		}
	}
	add := func(e *entity) *entity { w.entities = append(w.entities, e); return e }
	for range 2 {
		name := fresh("ep")
		ep := post(t, c, "data/projects/"+p.ID+"/episodes", map[string]any{"name": name})
		epE := add(&entity{Named: filetree.Named{ID: ep.ID, Name: name}, kind: filetree.KindEpisode, typeOf: s.typeByName["Episode"]})
		for range 2 {
			name := fresh("seq" + ep.ID)
			sq := post(t, c, "data/projects/"+p.ID+"/sequences", map[string]any{"name": name, "episode_id": ep.ID})
			sqE := add(&entity{Named: filetree.Named{ID: sq.ID, Name: name}, kind: filetree.KindSequence, typeOf: s.typeByName["Sequence"], episode: epE})
			for range 2 {
				name := fresh("shot" + sq.ID)
				sh := post(t, c, "data/projects/"+p.ID+"/shots", map[string]any{"name": name, "sequence_id": sq.ID, "data": map[string]any{}})
				add(&entity{Named: filetree.Named{ID: sh.ID, Name: name}, kind: filetree.KindShot, typeOf: s.typeByName["Shot"], sequence: sqE, episode: epE})
			}
			name = fresh("scene" + sq.ID)
			sc := post(t, c, "data/projects/"+p.ID+"/scenes", map[string]any{"name": name, "sequence_id": sq.ID})
			add(&entity{Named: filetree.Named{ID: sc.ID, Name: name}, kind: filetree.KindScene, typeOf: s.typeByName["Scene"], sequence: sqE, episode: epE})
		}
	}
	var assets []*entity
	for range 4 {
		at := pick(r, s.assetTypes)
		name := fresh("asset" + at.ID)
		a := post(t, c, "data/projects/"+p.ID+"/asset-types/"+at.ID+"/assets/new", map[string]any{"name": name, "data": map[string]any{}, "is_shared": false})
		assets = append(assets, add(&entity{Named: filetree.Named{ID: a.ID, Name: name}, kind: filetree.KindAsset, typeOf: at.Named}))
	}
	// Instances: in scenes (kind instance) and inside assets (instance_asset).
	// The first scene's instance has an empty name, the second a null
	// one (row 19).
	scenes := 0
	for _, e := range w.entities {
		if e.kind == filetree.KindScene {
			a := pick(r, assets)
			in := post(t, c, "data/scenes/"+e.ID+"/asset-instances", map[string]any{"asset_id": a.ID})
			removeInstance(t, c, in.ID)
			rec := instanceRec{id: in.ID, name: in.Name, number: in.Number, asset: a, scene: e}
			switch scenes {
			case 0:
				require.NoError(t, c.Update(ctx, "asset-instances", in.ID, map[string]any{"name": ""}, nil))
				rec.name, rec.emptyName = "", true
			case 1:
				require.NoError(t, c.Update(ctx, "asset-instances", in.ID, map[string]any{"name": nil}, nil))
				rec.name = ""
			}
			scenes++
			w.instances = append(w.instances, rec)
		}
	}
	for i := 0; i+1 < len(assets); i += 2 {
		in := post(t, c, "data/assets/"+assets[i].ID+"/asset-asset-instances", map[string]any{"asset_to_instantiate_id": assets[i+1].ID})
		removeInstance(t, c, in.ID)
		w.instances = append(w.instances, instanceRec{id: in.ID, name: in.Name, number: in.Number, asset: assets[i+1], target: assets[i]})
	}
	var status rec
	require.NoError(t, c.FetchFirst(ctx, "task-status", &status, &kitsu.RequestOptions{Params: map[string][]string{"short_name": {"todo"}}}))
	family := map[filetree.Kind]string{filetree.KindShot: "Shot", filetree.KindAsset: "Asset", filetree.KindSequence: "Sequence", filetree.KindEpisode: "Episode", filetree.KindScene: "Scene"}
	// Tasks are slow to create: a few entities of each kind get them (three
	// shots, two of every other kind), and each task gets several cases.
	var bodies []any
	withTasks := map[filetree.Kind]int{}
	for _, e := range w.entities {
		if withTasks[e.kind]++; withTasks[e.kind] > 2 && (e.kind != filetree.KindShot || withTasks[e.kind] > 3) {
			continue
		}
		for i, tt := range s.forEntity[family[e.kind]] {
			name := "main"
			if i == 1 {
				name = fresh("task" + e.ID)
			}
			bodies = append(bodies, map[string]any{"name": name, "project_id": p.ID, "entity_id": e.ID, "task_type_id": tt.ID, "task_status_id": status.ID})
			w.tasks = append(w.tasks, taskRec{Named: filetree.Named{Name: name}, entity: e, taskType: tt})
		}
	}
	for i, tk := range postAll(t, c, "data/tasks", bodies) {
		w.tasks[i].ID = tk.ID
	}
	return w
}

// postAll posts each body to path, a few at a time, and returns the
// records in the order of the bodies.
func postAll(t *testing.T, c *kitsu.Client, path string, bodies []any) []rec {
	t.Helper()
	out := make([]rec, len(bodies))
	errs := make([]error, len(bodies))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, body := range bodies {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = c.Post(kitsutest.Context(t), path, body, &out[i], nil)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("POST %s %v: %v", path, bodies[i], err)
		}
	}
	return out
}

// removeInstance deletes an asset instance when the test ends, before its
// project: Zou cannot delete a project whose assets have instances.
func removeInstance(t *testing.T, c *kitsu.Client, id string) {
	t.Cleanup(func() {
		if _, err := c.Delete(context.Background(), "data/asset-instances/"+id, nil); err != nil {
			t.Logf("cleanup: asset instance %s: %v", id, err)
		}
	})
}

func (e *entity) context(w *world) filetree.Context {
	ctx := filetree.Context{Kind: e.kind, Project: w.project, Entity: e.Named, EntityType: e.typeOf}
	if e.sequence != nil {
		ctx.Sequence = e.sequence.Named
	}
	if e.episode != nil {
		ctx.Episode = e.episode.Named
	}
	return ctx
}

type diffCase struct {
	tree  *filetree.Tree
	label string
	tags  []string // what the case covers, for the figures logged
	route string
	body  map[string]any
	ctx   filetree.Context
	p     filetree.Purpose
	opts  filetree.RenderOptions
}

func (w *world) cases(s *shared, r *rand.Rand) []diffCase {
	var out []diffCase
	seps := []string{"/", "\\"}
	// "" is a name given empty on purpose (row 18): Zou drops it.
	names := []string{"main", "Hero Rig", "lookdev v2", "Ça va", "anim_final", ""}
	// A kind the mode has no template for fails on both sides: keep one
	// such case per mode and kind, and spend the rest on paths.
	seenMissing := map[string]bool{}
	reps := func(mode string, kind filetree.Kind, n int) int {
		m := w.tree.Modes[mode]
		_, okF := m.FolderPath.Templates[kind]
		_, okN := m.FileName.Templates[kind]
		if okF && okN {
			return n
		}
		if seenMissing[mode+string(kind)] {
			return 0
		}
		seenMissing[mode+string(kind)] = true
		return 1
	}
	for _, mode := range w.tree.ModeNames() {
		for _, tk := range w.tasks {
			for range reps(mode, tk.entity.kind, 2) {
				sw := pick(r, s.softwares)
				name := pick(r, names)
				rev := 1 + r.IntN(120)
				sep := pick(r, seps)
				ctx := tk.entity.context(w)
				ctx.Task, ctx.TaskType, ctx.Department = tk.Named, tk.taskType.Named, tk.taskType.department
				ctx.Software, ctx.Name, ctx.Revision, ctx.EmptyName = sw, name, rev, name == ""
				out = append(out, diffCase{
					tree:  w.tree,
					tags:  tagsOf("working "+string(tk.entity.kind), mode, name == "", w.tree.Modes[mode].FolderPath.Templates[tk.entity.kind], w.tree.Modes[mode].FileName.Templates[tk.entity.kind]),
					label: fmt.Sprintf("%s working %s %s task %q of %s %q", w.treeName, mode, sep, tk.Name, tk.entity.kind, tk.entity.Name),
					route: "data/tasks/" + tk.ID + "/working-file-path",
					body:  map[string]any{"name": name, "mode": mode, "software_id": sw.ID, "revision": rev, "sep": sep},
					ctx:   ctx, p: filetree.Working, opts: filetree.RenderOptions{Mode: mode, Sep: sep},
				})
			}
		}
		for _, e := range w.entities {
			for range reps(mode, e.kind, 5) {
				ot, tt := pick(r, s.outputTypes), pick(r, s.taskTypes)
				name, rev, sep := pick(r, names), 1+r.IntN(999), pick(r, seps)
				rep := pick(r, []string{"", "abc", "USD Layer", "fbx"})
				ctx := e.context(w)
				ctx.TaskType, ctx.Department, ctx.OutputType = tt.Named, tt.department, ot
				ctx.Name, ctx.Revision, ctx.Representation, ctx.EmptyName = name, rev, rep, name == ""
				out = append(out, diffCase{
					tree:  w.tree,
					tags:  tagsOf("output "+string(e.kind), mode, name == "", w.tree.Modes[mode].FolderPath.Templates[e.kind], w.tree.Modes[mode].FileName.Templates[e.kind]),
					label: fmt.Sprintf("%s output %s %s %s %q", w.treeName, mode, sep, e.kind, e.Name),
					route: "data/entities/" + e.ID + "/output-file-path",
					body:  map[string]any{"output_type_id": ot.ID, "task_type_id": tt.ID, "name": name, "mode": mode, "revision": rev, "representation": rep, "separator": sep},
					ctx:   ctx, p: filetree.Output, opts: filetree.RenderOptions{Mode: mode, Sep: sep},
				})
			}
		}
		for _, in := range w.instances {
			// The entity the instance is in: a shot or a scene, any other
			// kind Zou accepts, and for an instance placed in an asset that
			// asset, whose type <TemporalEntityType> shows (row 17).
			temporal := w.entities
			kind := filetree.KindInstance
			if in.target != nil {
				kind = filetree.KindInstanceAsset
			}
			for i := range reps(mode, kind, 8) {
				te := pick(r, temporal)
				if in.target != nil && i%2 == 0 {
					te = in.target
				}
				ot, tt := pick(r, s.outputTypes), pick(r, s.taskTypes)
				name, rev, sep := pick(r, names), 1+r.IntN(50), pick(r, seps)
				rep := pick(r, []string{"", "abc", "Cache Hi"})
				ctx := te.context(w)
				ctx.Kind, ctx.EntityKind = kind, te.kind
				ctx.TaskType, ctx.Department, ctx.OutputType = tt.Named, tt.department, ot
				ctx.Asset, ctx.AssetType = in.asset.Named, in.asset.typeOf
				ctx.Instance = filetree.Instance{ID: in.id, Name: in.name, Number: in.number, EmptyName: in.emptyName}
				ctx.Name, ctx.Revision, ctx.Representation, ctx.EmptyName = name, rev, rep, name == ""
				tags := tagsOf(fmt.Sprintf("%s in %s", kind, te.kind), mode, name == "", w.tree.Modes[mode].FolderPath.Templates[kind], w.tree.Modes[mode].FileName.Templates[kind])
				switch {
				case in.emptyName:
					tags = append(tags, "instance name empty")
				case in.name == "":
					tags = append(tags, "instance name null")
				}
				out = append(out, diffCase{
					tree:  w.tree,
					tags:  tags,
					label: fmt.Sprintf("%s instance %s %s %q in %s %q", w.treeName, mode, kind, in.name, te.kind, te.Name),
					route: "data/asset-instances/" + in.id + "/entities/" + te.ID + "/output-file-path",
					body:  map[string]any{"output_type_id": ot.ID, "task_type_id": tt.ID, "name": name, "mode": mode, "revision": rev, "representation": rep, "separator": sep},
					ctx:   ctx, p: filetree.Output, opts: filetree.RenderOptions{Mode: mode, Sep: sep},
				})
			}
		}
	}
	return out
}

// tagsOf names what a case covers: its kind, a custom mode, an empty
// name, and each id field its templates show.
func tagsOf(kind, mode string, emptyName bool, tpls ...*filetree.Template) []string {
	tags := []string{kind}
	if mode != "working" && mode != "output" {
		tags = append(tags, "custom mode")
	}
	if emptyName {
		tags = append(tags, `name ""`)
	}
	seen := map[string]bool{}
	for _, tpl := range tpls {
		if tpl == nil {
			continue
		}
		for _, m := range idToken.FindAllString(tpl.Text, -1) {
			if !seen[m] {
				seen[m] = true
				tags = append(tags, m)
			}
		}
	}
	return tags
}

var idToken = regexp.MustCompile(`<\w+\.id>`)

type outcome struct {
	compared, mismatches, refused, bothFailed, onlyServerFailed int64
	refusedEmptyInstance                                        int64
	// compared by tag; the map is filled before the run, counts are atomic
	byTag map[string]*int64
}

func TestDifferentialAgainstZou(t *testing.T) {
	c := kitsutest.Client(t)
	seed := uint64(20261129)
	if v := os.Getenv("KPUBLISH_DIFF_SEED"); v != "" {
		fmt.Sscan(v, &seed)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	s := setupShared(t, c, r)

	// The two trees Zou ships, read from the server's own package (Zou
	// 1.0.97 removed the route that set them by name), then ours.
	zouTrees := kitsutest.ZouFileTrees(t)
	var worlds []*world
	for _, name := range []string{"default", "simple"} {
		data, err := os.ReadFile(filepath.Join(zouTrees, name+".json"))
		require.NoError(t, err)
		worlds = append(worlds, newWorld(t, c, s, r, "zou "+name, data))
	}
	files, err := filepath.Glob("../../testdata/trees/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		_, err = filetree.Parse(data)
		require.NoError(t, err, f)
		worlds = append(worlds, newWorld(t, c, s, r, filepath.Base(f), data))
	}

	var all []diffCase
	for _, w := range worlds {
		all = append(all, w.cases(s, r)...)
	}
	res := outcome{byTag: map[string]*int64{}}
	for _, dc := range all {
		for _, tag := range dc.tags {
			if res.byTag[tag] == nil {
				res.byTag[tag] = new(int64)
			}
		}
	}
	var mu sync.Mutex
	var failures []string
	work := make(chan diffCase)
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			for dc := range work {
				msg := runCase(t, c, dc, &res)
				if msg != "" {
					mu.Lock()
					failures = append(failures, msg)
					mu.Unlock()
				}
			}
		})
	}
	for _, dc := range all {
		work <- dc
	}
	close(work)
	wg.Wait()
	t.Logf("differential test (seed %d): %d cases, %d compared byte for byte, %d mismatches; %d refused by filetree where Zou writes an empty folder or drops a name, %d refused by both (no such template), %d failed on the server only",
		seed, len(all), res.compared, res.mismatches, res.refused, res.bothFailed, res.onlyServerFailed)
	var figures []string
	for _, tag := range slices.Sorted(maps.Keys(res.byTag)) {
		figures = append(figures, fmt.Sprintf("%s %d", tag, *res.byTag[tag]))
	}
	t.Logf("compared byte for byte, by what they cover: %s; refused for an instance name set empty: %d", strings.Join(figures, ", "), res.refusedEmptyInstance)
	for _, tag := range []string{"working sequence", "working episode", "working scene", "output scene", "instance in scene", "instance in shot",
		"instance_asset in shot", "instance_asset in asset", "custom mode", `name ""`, "instance name null",
		"<Sequence.id>", "<Episode.id>", "<Project.id>", "<Scene.id>", "<Asset.id>"} {
		if res.byTag[tag] == nil || *res.byTag[tag] == 0 {
			t.Errorf("no case covering %s was compared", tag)
		}
	}
	for i, f := range failures {
		if i == 30 {
			t.Errorf("... and %d more", len(failures)-30)
			break
		}
		t.Error(f)
	}
	// The requests are the time the test takes: about 2,300 cases, over
	// working files, outputs and instances, of which at least 1,700 are
	// compared byte for byte.
	require.GreaterOrEqual(t, res.compared, int64(1700), "at least 1700 cases must be compared")
}

func runCase(t *testing.T, c *kitsu.Client, dc diffCase, res *outcome) string {
	var reply struct {
		Path       string `json:"path"`
		Name       string `json:"name"`
		FolderPath string `json:"folder_path"`
		FileName   string `json:"file_name"`
	}
	serverErr := c.Post(context.Background(), dc.route, dc.body, &reply, nil)
	folder, file := reply.FolderPath, reply.FileName
	if reply.Path != "" || reply.Name != "" {
		folder, file = reply.Path, reply.Name
	}
	got, err := dc.tree.Render(dc.p, &dc.ctx, &dc.opts)
	switch {
	case serverErr != nil && err != nil:
		atomic.AddInt64(&res.bothFailed, 1)
		return ""
	case serverErr != nil:
		atomic.AddInt64(&res.onlyServerFailed, 1)
		return fmt.Sprintf("%s: the server failed (%v) but filetree rendered %q", dc.label, serverErr, got.Full())
	case err != nil:
		sep := dc.opts.Sep
		// An instance name set empty is refused wherever <Instance> shows
		// it: Zou writes an empty folder or leaves it out of the file name.
		if strings.Contains(folder, sep+sep) || strings.HasSuffix(folder, sep) || file == "" || strings.Contains(err.Error(), "no letter or digit") ||
			slices.Contains(dc.tags, "instance name empty") && strings.Contains(err.Error(), "name is set but empty") {
			atomic.AddInt64(&res.refused, 1)
			if slices.Contains(dc.tags, "instance name empty") {
				atomic.AddInt64(&res.refusedEmptyInstance, 1)
			}
			return ""
		}
		atomic.AddInt64(&res.mismatches, 1)
		return fmt.Sprintf("%s: filetree failed (%v) but the server gave %q %q", dc.label, err, folder, file)
	}
	atomic.AddInt64(&res.compared, 1)
	for _, tag := range dc.tags {
		atomic.AddInt64(res.byTag[tag], 1)
	}
	if got.Folder != folder || got.FileName != file {
		atomic.AddInt64(&res.mismatches, 1)
		return fmt.Sprintf("%s:\n  zou:      %q %q\n  filetree: %q %q", dc.label, folder, file, got.Folder, got.FileName)
	}
	return ""
}
