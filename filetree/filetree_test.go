package filetree

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/filetree/internal/slug"
)

func fixtureTrees(t testing.TB) map[string]*Tree {
	t.Helper()
	out := map[string]*Tree{"default": Default()}
	files, err := filepath.Glob("../testdata/trees/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		tr, err := LoadFile(f)
		require.NoError(t, err, f)
		out[filepath.Base(f)] = tr
	}
	return out
}

func shotContext() *Context {
	return &Context{
		Kind:       KindShot,
		Project:    Named{ID: "5f1ad35b-2f63-4b8e-a4b4-2b1f0cbb0d1e", Name: "Cosmos Landromat"},
		Task:       Named{ID: "6e7d3cb8-4a0c-4c64-b5d4-7e07ed1cd7e8", Name: "main"},
		TaskType:   Named{ID: "bca5cd35-49fa-40f8-926e-9e9319d5320d", Name: "Animation", ShortName: "anim"},
		Department: Named{ID: "e42466a7-4b2a-4cf9-8f73-6d2486ea94f1", Name: "Animation"},
		Entity:     Named{ID: "56a2972b-8a20-470b-af42-6368ec0113ff", Name: "P01"},
		EntityType: Named{ID: "a00848de-d521-4e6a-83b4-9a0ee1688543", Name: "Shot"},
		Sequence:   Named{ID: "2198899c-8e8d-4d9c-9719-b1adfabd6fee", Name: "S01"},
		Episode:    Named{ID: "92bc7caf-3102-4359-a41f-933daf317184", Name: "E01"},
		Software:   Named{ID: "391f3862-d40c-4b9f-8227-f35de845cfc7", Name: "3ds Max", ShortName: "max"},
		Name:       "main",
		Revision:   3,
	}
}

// Values Zou's own tests expect for its simple tree, here with our
// default tree's twin templates.
func TestRenderKnownPaths(t *testing.T) {
	tr, err := Parse([]byte(`{"working": {"mountpoint": "/simple", "root": "productions",
	 "folder_path": {"shot": "<Project>/shots/<Sequence>/<Shot>/<TaskType>/<Software>", "style": "lowercase"},
	 "file_name": {"shot": "<Project>_<Sequence>_<Shot>_<TaskType>_<Name>_v<Version>", "style": "lowercase"}}}`))
	require.NoError(t, err)
	p, err := tr.Render(Working, shotContext(), nil)
	require.NoError(t, err)
	assert.Equal(t, "/simple/productions/cosmos_landromat/shots/s01/p01/animation/3ds_max", p.Folder)
	assert.Equal(t, "cosmos_landromat_s01_p01_animation_main_v003", p.FileName)
	assert.Equal(t, p.Folder+"/"+p.FileName, p.Full())

	p, err = tr.Render(Working, shotContext(), &RenderOptions{Sep: `\`})
	require.NoError(t, err)
	assert.Equal(t, `/simple\productions\cosmos_landromat\shots\s01\p01\animation\3ds_max`, p.Folder, "mountpoint and root are used as written")
}

func TestRenderRules(t *testing.T) {
	tree := func(folder, file, style string) *Tree {
		tr, err := Parse(fmt.Appendf(nil, `{"m": {"mountpoint": "/r", "root": "", "folder_path": {"shot": %q, "asset": %q, "sequence": %q, "episode": %q, "scene": %q, "instance": %q, "style": %q}, "file_name": {"shot": %q, "asset": %q, "sequence": %q, "episode": %q, "scene": %q, "instance": %q, "style": %q}}}`,
			folder, folder, folder, folder, folder, folder, style, file, file, file, file, file, file, style))
		require.NoError(t, err)
		return tr
	}
	render := func(tr *Tree, ctx *Context) (Path, error) { return tr.Render(Working, ctx, &RenderOptions{Mode: "m"}) }

	// The Seq rule and the e001 fallback.
	ctx := shotContext()
	ctx.Sequence.Name = "Seq2"
	p, err := render(tree("<Sequence>/<Episode>", "<Sequence>", "lowercase"), ctx)
	require.NoError(t, err)
	assert.Equal(t, "/r/s002/e01", p.Folder)
	ctx.Kind, ctx.EntityType = KindAsset, Named{Name: "Props", ShortName: "prp"}
	p, err = render(tree("<Episode>/<Asset>/<AssetType.short_name>", "<Asset>", ""), ctx)
	require.NoError(t, err)
	assert.Equal(t, "/r/e001/p01/prp", p.Folder, "assets never have an episode in Zou's tree")

	// Ids stay verbatim; styles apply to values only.
	ctx = shotContext()
	p, err = render(tree("SHOTS/<Shot>/<Shot.id>", "<Shot>_<Shot.id>_v<Revision>", "uppercase"), ctx)
	require.NoError(t, err)
	assert.Equal(t, "/r/SHOTS/P01/56a2972b-8a20-470b-af42-6368ec0113ff", p.Folder)
	assert.Equal(t, "P01_56a2972b-8a20-470b-af42-6368ec0113ff_V003", p.FileName)

	// The file name is slugified whole: literal punctuation becomes _.
	p, err = render(tree("<Shot>", "<Shot>.<Name>--v<Version>", "lowercase"), ctx)
	require.NoError(t, err)
	assert.Equal(t, "p01_main_v003", p.FileName)

	// Unknown fields are refused when a tree is loaded strictly, and read
	// the name when it is loaded as Zou reads it; short names and numbers
	// where Kitsu has them; where it has none, a clear error.
	lenient := `{"m": {"mountpoint": "/r", "root": "", "folder_path": {"shot": "<Shot.foo>/<TaskType.short_name>"}, "file_name": {"shot": "<Shot>"}}}`
	_, err = Parse([]byte(lenient))
	require.ErrorIs(t, err, ErrBadTree)
	assert.Contains(t, err.Error(), `unknown field "foo" in <Shot.foo>`)
	lt, err := ParseLenient([]byte(lenient))
	require.NoError(t, err)
	p, err = render(lt, ctx)
	require.NoError(t, err)
	assert.Equal(t, "/r/p01/anim", p.Folder)
	p, err = render(tree("<Shot>/<TaskType.short_name>", "<Shot>", ""), ctx)
	require.NoError(t, err)
	assert.Equal(t, "/r/p01/anim", p.Folder)
	_, err = render(tree("<Project.short_name>", "<Shot>", ""), ctx)
	require.ErrorIs(t, err, ErrRender)
	assert.Contains(t, err.Error(), "Project.short_name")
	ctx.TaskType.ShortName = ""
	_, err = render(tree("<TaskType.short_name>", "<Shot>", ""), ctx)
	require.ErrorIs(t, err, ErrRender)
	assert.Contains(t, err.Error(), "short name is not given")

	// Revisions pad to three digits; nb_elements adds a range.
	ctx = shotContext()
	ctx.Revision = 1234
	p, err = tree("<Shot>", "<Shot>_v<Revision>", "").Render(Output, ctx, &RenderOptions{Mode: "m", NbElements: 12})
	require.NoError(t, err)
	assert.Equal(t, "p01_v1234_[1-12]", p.FileName)

	// Defaults Zou applies when a value is not given.
	ctx = shotContext()
	ctx.Software, ctx.Name = Named{}, ""
	p, err = render(tree("<Software>/<OutputType>", "<Name>", ""), ctx)
	require.NoError(t, err)
	assert.Equal(t, "/r/3ds_max/geometry", p.Folder)
	assert.Equal(t, "main", p.FileName)
	p, err = tree("<Software>", "<Name>", "").Render(Output, ctx, &RenderOptions{Mode: "m"})
	require.NoError(t, err)
	assert.Equal(t, "/r/3dsmax", p.Folder)

	// Instances: name, or the number padded to four digits.
	ctx = shotContext()
	ctx.Kind, ctx.EntityKind = KindInstance, KindShot
	ctx.Asset, ctx.AssetType = Named{Name: "Tree"}, Named{Name: "Props"}
	ctx.Instance = Instance{Name: "Tree_0007", Number: 7}
	p, err = render(tree("<Instance>/i<Instance.number>/<Asset>/<AssetType>/<TemporalEntity>", "<Instance>", ""), ctx)
	require.NoError(t, err)
	assert.Equal(t, "/r/tree_0007/i0007/tree/props/p01", p.Folder)
}

func TestRenderRefusesUnsafePaths(t *testing.T) {
	tr, err := Parse([]byte(`{"working": {"mountpoint": "/r", "root": "w",
	 "folder_path": {"shot": "<Project>/<Sequence>/<Shot>", "asset": "<Project>/<Sequence>/<Asset>"},
	 "file_name": {"shot": "<Shot>", "asset": "<Asset>"}}}`))
	require.NoError(t, err)
	for name, mutate := range map[string]func(*Context){
		"a name that slugifies to nothing": func(c *Context) { c.Entity.Name = "!!!" },
		"an emoji-only name":               func(c *Context) { c.Project.Name = "🎬" },
		"a dots-only name":                 func(c *Context) { c.Entity.Name = ".." },
		"an asset (no sequence)":           func(c *Context) { c.Kind = KindAsset },
		"no kind":                          func(c *Context) { c.Kind = "" },
		"an unknown kind":                  func(c *Context) { c.Kind = "edit" },
		"a negative revision":              func(c *Context) { c.Revision = -1 },
		"a missing project name":           func(c *Context) { c.Project.Name = "" },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := shotContext()
			mutate(ctx)
			p, err := tr.Render(Working, ctx, nil)
			require.Error(t, err, "rendered %q", p.Full())
			require.ErrorIs(t, err, ErrRender)
		})
	}
	_, err = tr.Render(Working, nil, nil)
	require.ErrorIs(t, err, ErrRender)
	_, err = tr.Render(Working, shotContext(), &RenderOptions{Mode: "nope"})
	require.ErrorIs(t, err, ErrBadTree)
	assert.Contains(t, err.Error(), `no mode "nope"`)

	// A 255-byte name renders; one byte more is refused, naming it.
	ctx := shotContext()
	ctx.Entity.Name = strings.Repeat("x", MaxName)
	p, err := tr.Render(Working, ctx, nil)
	require.NoError(t, err)
	assert.Len(t, p.FileName, MaxName)
	ctx.Entity.Name = strings.Repeat("x", MaxName+1)
	_, err = tr.Render(Working, ctx, nil)
	require.ErrorIs(t, err, ErrRender)
	assert.Contains(t, err.Error(), "working.folder_path.shot", "the folder is the first name too long")
	assert.Contains(t, err.Error(), "256 bytes long: want 255 at most")
	// A NUL in a name becomes a separator, never a byte of the path.
	ctx.Entity.Name = "a\x00b"
	p, err = tr.Render(Working, ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, "a_b", p.FileName)
	// Invalid UTF-8 is refused: Kitsu names are text.
	ctx.Entity.Name = "ab\xffcd"
	_, err = tr.Render(Working, ctx, nil)
	require.ErrorIs(t, err, ErrRender)
	assert.Contains(t, err.Error(), "not valid UTF-8")
}

func TestLoadErrors(t *testing.T) {
	for name, tc := range map[string]struct{ json, want string }{
		"malformed JSON":   {"{\n  \"working\": {\n    \"mountpoint\": \"/p\",,\n", "line 3, column"},
		"truncated":        {`{"working": {`, "malformed JSON"},
		"empty":            {``, "empty"},
		"not an object":    {`[]`, "want a JSON object of modes"},
		"no mode":          {`{}`, "no mode"},
		"missing root":     {`{"w": {"mountpoint": "/p", "folder_path": {}, "file_name": {}}}`, "missing root"},
		"empty mountpoint": {`{"w": {"mountpoint": "", "root": "", "folder_path": {}, "file_name": {}}}`, "w.mountpoint"},
		"unknown token":    {`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "<Project>/<Shoot>"}, "file_name": {}}}`, "w.folder_path.shot: unknown token <Shoot>"},
		"unknown kind":     {`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"edit": "<Project>"}, "file_name": {}}}`, "w.folder_path.edit: unknown entity kind"},
		"dot dot":          {`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "<Project>/../<Shot>"}, "file_name": {}}}`, "leave the production root"},
		"dot dot in root":  {`{"w": {"mountpoint": "/p", "root": "a/../..", "folder_path": {}, "file_name": {}}}`, "w.root"},
		"empty folder":     {`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "<Project>//<Shot>"}, "file_name": {}}}`, "empty folder name"},
		"stray bracket":    {`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "<Project>/a>b"}, "file_name": {}}}`, "stray >"},
		"slash in name":    {`{"w": {"mountpoint": "/p", "root": "", "folder_path": {}, "file_name": {"shot": "<Project>/<Shot>"}}}`, "file name template cannot hold"},
		"NUL":              {"{\"w\": {\"mountpoint\": \"/p\\u0000\", \"root\": \"\", \"folder_path\": {}, \"file_name\": {}}}", "control character"},
		"not a string":     {`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": 3}, "file_name": {}}}`, "w.folder_path.shot: want a string"},
		"extra key":        {`{"w": {"mountpoint": "/p", "root": "", "folder_path": {}, "file_name": {}, "rot": ""}}`, "unknown key"},
		"invalid UTF-8":    {"{\"w\": \"\xff\"}", "not UTF-8"},
		"trailing data":    {`{"w": {"mountpoint": "/p", "root": "", "folder_path": {}, "file_name": {}}} {}`, "after the tree"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.json))
			require.Error(t, err)
			require.ErrorIs(t, err, ErrBadTree)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestLenientKeepsBrokenTemplates(t *testing.T) {
	data := []byte(`{"output": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "<Project>", "sequence": "<Project>"},
	 "file_name": {"shot": "<Project>_<Name>", "sequence": "<Project>_<OuputType>"}}}`)
	_, err := Parse(data)
	require.ErrorIs(t, err, ErrBadTree)
	tr, err := ParseLenient(data)
	require.NoError(t, err)
	require.Len(t, tr.Problems, 1)
	ctx := shotContext()
	_, err = tr.Render(Output, ctx, nil)
	require.NoError(t, err)
	ctx.Kind = KindSequence
	_, err = tr.Render(Output, ctx, nil)
	require.ErrorIs(t, err, ErrBadTree)
	assert.Contains(t, err.Error(), "OuputType")
}

func TestFromMap(t *testing.T) {
	_, err := FromMap(nil)
	require.ErrorIs(t, err, ErrBadTree)
	tr, err := FromMap(map[string]any{"w": map[string]any{"mountpoint": "/p", "root": "", "folder_path": map[string]any{"shot": "<Shot>"}, "file_name": map[string]any{"shot": "<Shot>"}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"w"}, tr.ModeNames())
}

// randomContext fills every value a template can use, with names that
// make slugs with underscores, digits and case.
func randomContext(r *rand.Rand, kind Kind) *Context {
	names := []string{"Big Buck Bunny", "Cosmos", "sh010", "Tree big", "Seq02", "Hero Rig", "Ça va", "layout v2", "fx_water", "E03", "x", "Props", "Character", "Maya 2025", "Abc"}
	pick := func() string { return names[r.IntN(len(names))] }
	id := func() string {
		return fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1))
	}
	named := func() Named { return Named{ID: id(), Name: pick(), ShortName: pick()} }
	c := &Context{
		Kind: kind, Project: named(), Task: named(), TaskType: named(), Department: named(), Entity: named(),
		EntityType: named(), Sequence: named(), Episode: named(), Asset: named(), AssetType: named(),
		Software: named(), OutputType: named(), Instance: Instance{ID: id(), Name: pick(), Number: r.IntN(100)},
		Representation: pick(), Name: pick(), Revision: r.IntN(2000),
	}
	if kind == KindInstance || kind == KindInstanceAsset {
		c.EntityKind = []Kind{KindShot, KindScene, KindSequence}[r.IntN(3)]
	}
	return c
}

// expected gives each token's value as a path shows it (before case).
func expected(ctx *Context, p Purpose, tpl *Template, folder bool) map[string]string {
	r := renderer{ctx: ctx, purpose: p}
	out := map[string]string{}
	for _, part := range tpl.parts {
		if part.token == nil {
			continue
		}
		v, err := r.value(part.token, folder)
		if err != nil {
			continue
		}
		if part.token.field != FieldID {
			v = slug.Make(v)
		}
		out[part.token.raw] = v
	}
	return out
}

// TestRoundTrip renders random contexts with every fixture tree, mode and
// kind, and parses the paths back: the values must be the ones rendered.
func TestRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	total, ambiguous := 0, 0
	for name, tr := range fixtureTrees(t) {
		for _, mode := range tr.ModeNames() {
			for _, kind := range Kinds {
				m := tr.Modes[mode]
				ft, ok1 := m.FolderPath.Templates[kind]
				nt, ok2 := m.FileName.Templates[kind]
				if !ok1 || !ok2 {
					continue
				}
				for range 40 {
					ctx := randomContext(r, kind)
					purpose := []Purpose{Working, Output}[r.IntN(2)]
					sep := []string{"/", `\`}[r.IntN(2)]
					path, err := tr.Render(purpose, ctx, &RenderOptions{Mode: mode, Sep: sep})
					if err != nil {
						continue // a value this template cannot show (an empty folder...)
					}
					total++
					full := path.Full() + ".ext"
					got, err := tr.Parse(full)
					var amb *AmbiguousError
					var candidates []*Parsed
					switch {
					case errors.As(err, &amb):
						ambiguous++
						candidates = amb.Candidates
					case err != nil:
						t.Fatalf("%s %s %s: Parse(%q): %v", name, mode, kind, full, err)
					default:
						candidates = []*Parsed{got}
					}
					want := expected(ctx, purpose, ft, true)
					for k, v := range expected(ctx, purpose, nt, false) {
						if _, ok := want[k]; !ok {
							want[k] = v
						}
					}
					if ft.Text == "" {
						continue
					}
					matched := false
					for _, c := range candidates {
						if c.Mode == mode && c.Kind == kind && sameValues(c.Values, want) && c.Extension == ".ext" {
							matched = true
						}
					}
					require.True(t, matched, "%s %s %s: %q read as %v, want %v", name, mode, kind, full, candidates, want)
				}
			}
		}
	}
	t.Logf("round trip: %d paths, %d ambiguous (the rendered values among the readings)", total, ambiguous)
	require.Greater(t, total, 500)
}

func sameValues(got, want map[string]string) bool {
	for k, w := range want {
		g, ok := got[k]
		if w == "" && !ok {
			continue // an empty value a file name drops
		}
		if !strings.EqualFold(g, w) {
			return false
		}
	}
	return true
}

func TestParseAmbiguousAndUnknown(t *testing.T) {
	tr, err := Parse([]byte(`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "shots/<Shot>", "asset": "shots/<Asset>"},
	 "file_name": {"shot": "<Project>_<Name>", "asset": "<Project>_<Name>"}}}`))
	require.NoError(t, err)
	_, err = tr.Parse("/p/shots/sh010/big_buck_bunny_main.ma")
	var amb *AmbiguousError
	require.ErrorAs(t, err, &amb)
	// Two kinds times three splits of big_buck_bunny_main.
	assert.Len(t, amb.Candidates, 6)
	assert.Contains(t, err.Error(), `Project="big_buck_bunny" Shot="sh010"`)

	_, err = tr.Parse("/elsewhere/shots/sh010/x_main.ma")
	require.ErrorIs(t, err, ErrNoMatch)
	_, err = tr.Parse("")
	require.ErrorIs(t, err, ErrNoMatch)
	_, err = tr.Parse("/p/shots/a\x00b/x_y")
	require.ErrorIs(t, err, ErrNoMatch)

	got, err := Default().Parse(`\PROD\work\Cosmos\shots\S01\P01\Animation\Maya\cosmos_s01_p01_animation_main_v012.0001.exr`)
	require.NoError(t, err)
	assert.Equal(t, "working", got.Mode)
	assert.Equal(t, KindShot, got.Kind)
	assert.Equal(t, 12, got.Revision)
	assert.Equal(t, ".0001.exr", got.Extension)
	assert.Equal(t, "Cosmos", got.Values["Project"])
}

func TestRoots(t *testing.T) {
	roots, err := ParseRoots([]byte(`{"/prod": {"linux": "/mnt/prod", "darwin": "/Volumes/prod", "windows": "P:\\"},
	 "/prod/cache": {"linux": "/fast/cache", "windows": "\\\\cache\\share"}}`))
	require.NoError(t, err)
	for _, tc := range []struct{ in, goos, want string }{
		{"/prod/work/x/y.ma", Linux, "/mnt/prod/work/x/y.ma"},
		{"/prod/work/x/y.ma", Windows, `P:\work\x\y.ma`},
		{`P:\work\x\y.ma`, Darwin, "/Volumes/prod/work/x/y.ma"},
		{"/mnt/prod/work/x", Windows, `P:\work\x`},
		{"/prod/cache/sim/a.vdb", Windows, `\\cache\share\sim\a.vdb`},
		{`\\cache\share\sim\a.vdb`, Linux, "/fast/cache/sim/a.vdb"},
		{"/prod", Windows, `P:\`},
	} {
		got, err := roots.ToOS(tc.in, tc.goos)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
	for in, want := range map[string]string{
		`P:\work\x\y.ma`:          "/prod/work/x/y.ma",
		"/Volumes/prod/work/x":    "/prod/work/x",
		`\\cache\share\sim\a.vdb`: "/prod/cache/sim/a.vdb",
		"/prod/work/x":            "/prod/work/x",
	} {
		got, err := roots.ToTree(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err = roots.ToTree("/elsewhere/x")
	assert.ErrorContains(t, err, "under no known root")
	_, err = roots.ToTree(`P:\..\x`)
	assert.ErrorContains(t, err, "climbs out")

	_, err = roots.ToOS("/prod/cache/x", Darwin)
	assert.ErrorContains(t, err, "no darwin root")
	_, err = roots.ToOS("/other/x", Linux)
	assert.ErrorContains(t, err, "under no known root")
	_, err = roots.ToOS("/prod/../etc/passwd", Linux)
	assert.ErrorContains(t, err, "climbs out")
	_, err = roots.ToOS("/prod/x", "plan9")
	assert.ErrorContains(t, err, "unknown platform")
	_, err = roots.ToOS("/production/x", Linux)
	assert.Error(t, err, "a prefix must end at a separator")

	for bad, want := range map[string]string{
		`{"/p": {"linux": "relative"}}`: "want an absolute path",
		`{"/p": {"windows": "/x"}}`:     "want a drive",
		`{"/p": {"beos": "/x"}}`:        "unknown platform",
		`{"/p": {}}`:                    "no platform root",
		`{"": {"linux": "/x"}}`:         "empty mountpoint",
		`[1]`:                           "want a JSON object",
	} {
		_, err := ParseRoots([]byte(bad))
		assert.ErrorContains(t, err, want, bad)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "roots.json")
	require.NoError(t, os.WriteFile(f, []byte(`{"/prod": {"linux": "/mnt/prod"}}`), 0o644))
	r2, err := LoadRoots(f)
	require.NoError(t, err)
	assert.Equal(t, "/mnt/prod", r2["/prod"][Linux])
}

func FuzzLoadTree(f *testing.F) {
	f.Add(DefaultTreeJSON())
	for _, file := range []string{"all_tokens.json", "uppercase.json", "windows.json", "custom_modes.json"} {
		if data, err := os.ReadFile("../testdata/trees/" + file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "<Shot"}, "file_name": {}}}`))
	f.Add([]byte(`{"w": {"mountpoint": "/p", "root": "..", "folder_path": {}, "file_name": {}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ParseLenient(data)
		if err != nil {
			if !errors.Is(err, ErrBadTree) {
				t.Fatalf("error does not match ErrBadTree: %v", err)
			}
			return
		}
		for _, mode := range tr.ModeNames() {
			for _, kind := range Kinds {
				_, _ = tr.Render(Working, &Context{Kind: kind, Project: Named{Name: "p"}, Entity: Named{Name: "e"}}, &RenderOptions{Mode: mode})
			}
		}
	})
}

func FuzzRender(f *testing.F) {
	f.Add("Big Buck Bunny", "SH010", "Seq02", "main", 3)
	f.Add("..", "!!!", "", "../../etc", -1)
	f.Add("东京", "🎬", "Seq", "a\x00b", 1<<30)
	tr := Default()
	f.Fuzz(func(t *testing.T, project, shot, seq, name string, rev int) {
		ctx := shotContext()
		ctx.Project.Name, ctx.Entity.Name, ctx.Sequence.Name, ctx.Name, ctx.Revision = project, shot, seq, name, rev
		for _, p := range []Purpose{Working, Output} {
			path, err := tr.Render(p, ctx, nil)
			if err != nil {
				if !errors.Is(err, ErrRender) && !errors.Is(err, ErrBadTree) {
					t.Fatalf("unexpected error type: %v", err)
				}
				continue
			}
			full := path.Full()
			if !strings.HasPrefix(full, "/prod/") || strings.Contains(full, "/../") || strings.Contains(full, "//") || strings.ContainsRune(full, 0) {
				t.Fatalf("unsafe path %q", full)
			}
			if _, err := tr.Parse(full); err != nil {
				var amb *AmbiguousError
				if !errors.As(err, &amb) {
					t.Fatalf("Parse(%q): %v", full, err)
				}
			}
		}
	})
}

func FuzzParse(f *testing.F) {
	f.Add("/prod/work/cosmos/shots/s01/p01/animation/maya/cosmos_s01_p01_animation_main_v003.ma")
	f.Add(`\prod\publish\x\assets\props\tree\fx\geometry\v001\x_props_tree_fx_geometry_main_v001.abc`)
	f.Add("/prod/work/../../etc/passwd")
	f.Add("")
	f.Add("/prod/work/a_b_c_d_e_f_g_h/shots/a_b/c_d/e_f/g_h/a_b_c_d_e_f_g_h_a_b_c_d_e_f_g_h_v001")
	for _, tc := range craftedPaths(64) {
		if strings.HasPrefix(tc.path, "/prod/") {
			f.Add(tc.path)
		}
	}
	tr := Default()
	f.Fuzz(func(t *testing.T, path string) {
		p, err := tr.Parse(path)
		if err != nil {
			var amb *AmbiguousError
			if !errors.Is(err, ErrNoMatch) && !errors.As(err, &amb) {
				t.Fatalf("unexpected error type: %v", err)
			}
			return
		}
		if p.Mode == "" || p.Kind == "" {
			t.Fatalf("empty reading %+v", p)
		}
	})
}

func BenchmarkRenderWorkingPath(b *testing.B) {
	tr := Default()
	ctx := shotContext()
	ctx.Project.Name = "Big Buck Bunny"
	ctx.Entity.Name = "SH010"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.Render(Working, ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	tr := Default()
	ctx := shotContext()
	ctx.Project.Name = "Big Buck Bunny"
	ctx.Entity.Name = "SH010"
	p, err := tr.Render(Working, ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	full := p.Full() + ".ma"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := tr.Parse(full); err != nil {
			b.Fatal(err)
		}
	}
}
