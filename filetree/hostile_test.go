package filetree

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Row 6: separators other than / and \ are refused.
func TestRenderSeparators(t *testing.T) {
	tr := Default()
	for _, sep := range []string{"/../", "\x00", "\n", "//", `\\`, ":", " "} {
		p, err := tr.Render(Working, shotContext(), &RenderOptions{Sep: sep})
		require.ErrorIs(t, err, ErrRender, "Sep %q rendered %q", sep, p.Full())
		assert.Contains(t, err.Error(), `want / or \`, "Sep %q", sep)
	}
	for _, sep := range []string{"", "/", `\`} {
		p, err := tr.Render(Working, shotContext(), &RenderOptions{Sep: sep})
		require.NoError(t, err, "Sep %q", sep)
		assert.NotContains(t, p.Full(), "..")
	}
}

// Row 7: the names Windows refuses.
func TestCheckPathWindows(t *testing.T) {
	for _, name := range []string{
		"CON", "con", "NUL", "nul", "COM1", "aux", "Prn", "LPT9", "com¹", "LPT³", "CONIN$",
		"con.txt", "NUL.tar.gz", "COM1.ma", "aux .ma", "CON ",
		"a:b", "a*b", "a?b", `a"b`, "a|b", "a<b", "a>b",
		"trail.", "trail ",
	} {
		err := CheckPath(Windows, `P:\work\`+name+`\x`)
		require.ErrorIs(t, err, ErrPath, "%q", name)
		var pe *PathError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, name, pe.Name, "the error names the name at fault")
		require.NoError(t, CheckPath(Linux, "/work/"+name+"/y"), "%q is a Linux name", name)
	}
	for _, name := range []string{"..", ".", "tab\tx", "nul\x00x", "bad\xffutf8"} {
		for _, goos := range []string{Linux, Darwin, Windows} {
			require.ErrorIs(t, CheckPath(goos, "/work/"+name+"/y"), ErrPath, "%s %q", goos, name)
		}
	}
	for _, ok := range []string{
		`P:\work\CONSOLE\x`, `P:\work\COM10\x`, `P:\work\com0\x`, `P:\work\lpt\x`, `P:\work\nul_x\x`,
		`P:\work\a.b\x`, `P:\`, `P:`, `p:/work/x`, `\\server\share\x`, `//server/share/x`,
		`\\?\C:\work\x`, `\\?\UNC\server\share\x`,
	} {
		require.NoError(t, CheckPath(Windows, ok), ok)
	}
	for _, bad := range []string{`relative\x`, `~\x`, `\work\x`, `P:work`, `\\server`, `\\server\`, `\\?\relative`, `\\ser:ver\share\x`} {
		require.ErrorIs(t, CheckPath(Windows, bad), ErrPath, bad)
	}
	require.ErrorContains(t, CheckPath("plan9", "/x"), "unknown platform")

	// A Windows tree refuses such names when it renders.
	tr, err := LoadFile("../testdata/trees/windows.json")
	require.NoError(t, err)
	ctx := shotContext()
	ctx.Entity.Name = "COM1"
	_, err = tr.Render(Working, ctx, nil)
	require.ErrorIs(t, err, ErrRender)
	assert.Contains(t, err.Error(), `windows name "com1": a reserved Windows device name`)
	// So does a Linux tree rendered for Windows, and a path sent to
	// Windows through Roots.
	ctx.Entity.Name, ctx.Name = "P01", "con"
	_, err = Default().Render(Working, ctx, &RenderOptions{OS: Windows})
	require.NoError(t, err, "con is only part of the file name")
	ctx.Entity.Name = "con"
	_, err = Default().Render(Working, ctx, &RenderOptions{OS: Windows})
	require.ErrorIs(t, err, ErrRender)
	_, err = Default().Render(Working, ctx, &RenderOptions{OS: "beos"})
	require.ErrorIs(t, err, ErrRender)
	p, err := Default().Render(Working, ctx, nil)
	require.NoError(t, err, "con is a Linux name")
	roots, err := ParseRoots([]byte(`{"/prod": {"linux": "/mnt/prod", "windows": "P:\\"}}`))
	require.NoError(t, err)
	_, err = roots.ToOS(p.Full(), Windows)
	require.ErrorIs(t, err, ErrPath)
	_, err = roots.ToOS("/prod/work/p/COM1/con", Windows)
	require.ErrorIs(t, err, ErrPath)
	assert.Contains(t, err.Error(), `name "COM1"`)
	got, err := roots.ToOS("/prod/work/p/COM1/con", Linux)
	require.NoError(t, err)
	assert.Equal(t, "/mnt/prod/work/p/COM1/con", got)

	// Folder literals of a Windows tree, and its roots.
	for name, tree := range map[string]string{
		"colon in a folder":   `{"w": {"mountpoint": "P:", "root": "work", "folder_path": {"shot": "<Project>/a:b"}, "file_name": {"shot": "<Shot>"}}}`,
		"star in a folder":    `{"w": {"mountpoint": "P:", "root": "work", "folder_path": {"shot": "<Project>/a*"}, "file_name": {"shot": "<Shot>"}}}`,
		"trailing dot":        `{"w": {"mountpoint": "P:", "root": "work", "folder_path": {"shot": "<Project>/v1."}, "file_name": {"shot": "<Shot>"}}}`,
		"trailing space":      `{"w": {"mountpoint": "\\\\\\\\srv\\\\share", "root": "work", "folder_path": {"shot": "<Project>/x "}, "file_name": {"shot": "<Shot>"}}}`,
		"reserved literal":    `{"w": {"mountpoint": "P:", "root": "work", "folder_path": {"shot": "<Project>/aux"}, "file_name": {"shot": "<Shot>"}}}`,
		"question in a root":  `{"w": {"mountpoint": "P:", "root": "wo?rk", "folder_path": {"shot": "<Project>"}, "file_name": {"shot": "<Shot>"}}}`,
		"pipe in mountpoint":  `{"w": {"mountpoint": "P:\\\\a|b", "root": "work", "folder_path": {"shot": "<Project>"}, "file_name": {"shot": "<Shot>"}}}`,
		"reserved root":       `{"w": {"mountpoint": "P:", "root": "work/NUL", "folder_path": {"shot": "<Project>"}, "file_name": {"shot": "<Shot>"}}}`,
		"dot ending a share":  `{"w": {"mountpoint": "\\\\\\\\srv\\\\share.", "root": "work", "folder_path": {"shot": "<Project>"}, "file_name": {"shot": "<Shot>"}}}`,
		"colon in the server": `{"w": {"mountpoint": "\\\\\\\\s:rv\\\\share", "root": "work", "folder_path": {"shot": "<Project>"}, "file_name": {"shot": "<Shot>"}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			tr, err := Parse([]byte(tree))
			if err != nil {
				require.ErrorIs(t, err, ErrBadTree)
				return
			}
			p, err := tr.Render(Working, shotContext(), &RenderOptions{Mode: "w"})
			require.ErrorIs(t, err, ErrRender, "rendered %q", p.Full())
			assert.Contains(t, err.Error(), "windows")
		})
	}
	for _, bad := range []string{`P:\a:b`, `P:\a*`, `P:\x.`, `P:\x \y`, `P:\CON\x`, `\\srv\sh|are`, `P:\a\\b`} {
		_, err := ParseRoots([]byte(`{"/prod": {"windows": ` + jsonString(bad) + `}}`))
		require.ErrorIs(t, err, ErrBadTree, bad)
	}
	for _, ok := range []string{`P:\`, `P:`, `P:\prod`, `\\srv\share`, `\\?\P:\prod`, `\\?\UNC\srv\share\prod`} {
		_, err := ParseRoots([]byte(`{"/prod": {"windows": ` + jsonString(ok) + `}}`))
		require.NoError(t, err, ok)
	}
}

func jsonString(s string) string {
	return `"` + strings.ReplaceAll(s, `\`, `\\`) + `"`
}

// Row 9: name and path lengths.
func TestPathLimits(t *testing.T) {
	name := func(n int) string { return strings.Repeat("x", n) }
	for _, tc := range []struct {
		goos, path string
		ok         bool
	}{
		{Linux, "/" + name(255), true},
		{Linux, "/" + name(256), false},
		{Linux, "/a/" + name(255) + "/b", true},
		{Darwin, "/a/" + name(256) + "/b", false},
		{Windows, `P:\` + name(255), true},
		{Windows, `P:\` + name(256), false},
		// Windows counts UTF-16 units: 200 é are 200 units, 400 bytes.
		{Windows, `P:\` + strings.Repeat("é", 200), true},
		{Linux, "/" + strings.Repeat("é", 200), false},
		{Linux, "/" + strings.Repeat(name(200)+"/", 21)[:4094], true},
		{Linux, "/" + strings.Repeat(name(200)+"/", 21)[:4094] + "x", false},
		{Darwin, "/" + strings.Repeat(name(200)+"/", 6)[:1022], true},
		{Darwin, "/" + strings.Repeat(name(200)+"/", 6)[:1022] + "x", false},
		{Windows, `P:\` + strings.Repeat(name(100)+`\`, 3)[:256], true},
		{Windows, `P:\` + strings.Repeat(name(100)+`\`, 3)[:256] + "x", false},
		{Windows, `\\?\P:\` + strings.Repeat(name(100)+`\`, 4)[:300], true},
		{Windows, `\\?\P:\` + strings.Repeat(name(200)+`\`, 200)[:32800], false},
	} {
		err := CheckPath(tc.goos, tc.path)
		if tc.ok {
			require.NoError(t, err, "%s %d", tc.goos, len(tc.path))
			continue
		}
		require.ErrorIs(t, err, ErrPath, "%s %d", tc.goos, len(tc.path))
		assert.Contains(t, err.Error(), "long: want")
	}

	// Render names the template whose name is too long; a 100 KB
	// project name is refused, not written.
	ctx := shotContext()
	ctx.Project.Name = strings.Repeat("Big ", 25_000)
	_, err := Default().Render(Working, ctx, nil)
	require.ErrorIs(t, err, ErrRender)
	assert.Contains(t, err.Error(), "working.folder_path.shot")
	assert.Contains(t, err.Error(), "want 255 at most")
	assert.Less(t, len(err.Error()), 1000, "the error shows the name truncated")
	ctx = shotContext()
	ctx.Name = strings.Repeat("n", 250)
	_, err = Default().Render(Working, ctx, nil)
	require.ErrorIs(t, err, ErrRender)
	assert.Contains(t, err.Error(), "working.file_name.shot")
	ctx.Name = strings.Repeat("n", 100)
	p, err := Default().Render(Working, ctx, nil)
	require.NoError(t, err)
	_, err = Default().Render(Working, ctx, &RenderOptions{OS: Windows})
	require.NoError(t, err, "%d characters fit Windows", len(p.Full()))
	ctx.Software = Named{Name: strings.Repeat("s", 200)} // a folder only
	_, err = Default().Render(Working, ctx, &RenderOptions{OS: Windows})
	require.ErrorIs(t, err, ErrRender)
	assert.Contains(t, err.Error(), `\\?\`)
}

// Row 10: mountpoints and roots.
func TestMountpointsAndRoots(t *testing.T) {
	tree := func(mountpoint, root string) string {
		return `{"w": {"mountpoint": ` + jsonString(mountpoint) + `, "root": ` + jsonString(root) + `, "folder_path": {"shot": "<Project>"}, "file_name": {"shot": "<Shot>"}}}`
	}
	for _, tc := range []struct{ mountpoint, root, want string }{
		{"relative", "work", "not absolute"},
		{"~", "work", "not absolute"},
		{"~/prod", "work", "not absolute"},
		{"./prod", "work", "not absolute"},
		{"prod/..", "", "leave the production root"},
		{"/prod/", "work", "ends with a separator"},
		{"/", "work", "ends with a separator"},
		{`P:\`, "work", "ends with a separator"},
		{"/prod//x", "work", "empty name"},
		{"/prod/../etc", "work", "leave the production root"},
		{"/prod/./x", "work", ". or .."},
		{"", "work", "empty"},
		{"/prod", "/etc", "starts or ends with a separator"},
		{"/prod", `\etc`, "starts or ends with a separator"},
		{"/prod", "work/", "starts or ends with a separator"},
		{"/prod", "a//b", "empty name"},
		{"/prod", "..", "leave the production root"},
		{"/prod", "a/./b", ". or .."},
		{"/prod", "a\nb", "control character"},
	} {
		_, err := Parse([]byte(tree(tc.mountpoint, tc.root)))
		require.ErrorIs(t, err, ErrBadTree, "%q %q", tc.mountpoint, tc.root)
		assert.Contains(t, err.Error(), tc.want, "%q %q", tc.mountpoint, tc.root)
		_, err = ParseLenient([]byte(tree(tc.mountpoint, tc.root)))
		require.ErrorIs(t, err, ErrBadTree, "lenient %q %q", tc.mountpoint, tc.root)
	}
	for _, tc := range []struct{ mountpoint, root, want string }{
		{"/prod", "work", "/prod/work/cosmos_landromat/p01"},
		{"/prod", "", "/prod/cosmos_landromat/p01"},
		{"P:", `productions\work`, `P:/productions\work/cosmos_landromat/p01`},
		{`P:\prod`, "work", `P:\prod/work/cosmos_landromat/p01`},
		{`\\server\share`, "work", `\\server\share/work/cosmos_landromat/p01`},
		{"//server/share", "work", "//server/share/work/cosmos_landromat/p01"},
	} {
		tr, err := Parse([]byte(tree(tc.mountpoint, tc.root)))
		require.NoError(t, err, "%q %q", tc.mountpoint, tc.root)
		p, err := tr.Render(Working, shotContext(), &RenderOptions{Mode: "w"})
		require.NoError(t, err)
		assert.Equal(t, tc.want, p.Full())
	}

	// A tree changed by hand is checked when it renders and parses.
	tr := Default()
	tr.Modes["working"].Root = "/etc"
	p, err := tr.Render(Working, shotContext(), nil)
	require.ErrorIs(t, err, ErrBadTree, "rendered %q", p.Full())
	assert.Contains(t, err.Error(), "working.root")
	_, err = tr.Parse("/prod//etc/cosmos/shots/s01/p01/anim/max/x_v001.ma")
	require.ErrorIs(t, err, ErrNoMatch)
	tr.Modes["working"].Root, tr.Modes["working"].Mountpoint = "work", "relative"
	_, err = tr.Render(Working, shotContext(), nil)
	require.ErrorIs(t, err, ErrBadTree)
	assert.Contains(t, err.Error(), "not absolute")

	// Platform roots.
	for _, bad := range []string{
		`{"/p": {"linux": "relative"}}`, `{"/p": {"linux": "~"}}`, `{"/p": {"darwin": "~/prod"}}`,
		`{"/p": {"linux": "/mnt//prod"}}`, `{"/p": {"linux": "/mnt/../etc"}}`, `{"/p": {"linux": "/mnt/./p"}}`,
		`{"/p": {"windows": "P:relative"}}`, `{"/p": {"windows": "relative"}}`, `{"/p": {"windows": "/x"}}`,
		`{"relative": {"linux": "/mnt"}}`, `{"~": {"linux": "/mnt"}}`, `{"/p/": {"linux": "/mnt"}}`,
		`{"/p": {"linux": 3}}`, `{"/p": "x"}`,
	} {
		_, err := ParseRoots([]byte(bad))
		require.ErrorIs(t, err, ErrBadTree, bad)
	}
	roots, err := ParseRoots([]byte(`{"/prod": {"linux": "/mnt/prod/", "darwin": "/", "windows": "P:\\"}}`))
	require.NoError(t, err)
	got, err := roots.ToOS("/prod/work/x", Linux)
	require.NoError(t, err)
	assert.Equal(t, "/mnt/prod/work/x", got)
	got, err = roots.ToOS("/prod/work/x", Darwin)
	require.NoError(t, err)
	assert.Equal(t, "/work/x", got)
	// Roots built by hand are checked when used.
	_, err = Roots{"/prod": {Linux: "relative"}}.ToOS("/prod/x", Linux)
	require.ErrorContains(t, err, "want an absolute path")
	_, err = roots.ToOS("/prod/a//b", Linux)
	require.ErrorIs(t, err, ErrPath)
}

// Row 11: files that are too big, endless, or not files.
func TestLoadRefusesNonFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "tree.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	big := filepath.Join(dir, "big.json")
	f, err := os.Create(big)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(17<<20))
	require.NoError(t, f.Close())
	bigWritten := filepath.Join(dir, "written.json")
	require.NoError(t, os.WriteFile(bigWritten, []byte(`{"w": "`+strings.Repeat("x", 17<<20)+`"}`), 0o600))
	for _, tc := range []struct{ path, want string }{
		{fifo, "not a regular file"},
		{"/dev/zero", "not a regular file"},
		{dir, "a folder"},
		{big, "want a"},
		{bigWritten, "want a"},
		{filepath.Join(dir, "missing.json"), "no such file"},
	} {
		for what, load := range map[string]func(string) error{
			"LoadFile":  func(p string) error { _, err := LoadFile(p); return err },
			"LoadRoots": func(p string) error { _, err := LoadRoots(p); return err },
		} {
			err := withinGuard(t, func() error { return load(tc.path) })
			require.Error(t, err, "%s %s", what, tc.path)
			assert.Contains(t, err.Error(), tc.want, "%s %s", what, tc.path)
		}
	}
	// Readers and bytes are bounded too: an endless reader is read
	// MaxFileSize+1 bytes far, no more.
	endless := &countingReader{r: zeroReader{}}
	_, err = Load(endless)
	require.ErrorIs(t, err, ErrBadTree)
	assert.Contains(t, err.Error(), "want 16777216 at most")
	assert.LessOrEqual(t, endless.n, int64(MaxFileSize+1))
	_, err = Parse(make([]byte, MaxFileSize+1))
	require.ErrorIs(t, err, ErrBadTree)
	_, err = ParseRoots(make([]byte, MaxFileSize+1))
	require.ErrorIs(t, err, ErrBadTree)
	_, err = Load(nil)
	require.ErrorIs(t, err, ErrBadTree)
}

// withinGuard runs f, failing the test if it does not return: a guard
// against a hang, not a timing assertion.
func withinGuard(t *testing.T, f func() error) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		t.Fatal("did not return")
		return nil
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// Row 12: JSON that decoders read silently.
func TestStrictJSON(t *testing.T) {
	const mode = `{"mountpoint": "/p", "root": "", "folder_path": {"shot": "<Project>"}, "file_name": {"shot": "<Shot>"}}`
	for name, tc := range map[string]struct{ json, want string }{
		"duplicate mode":     {`{"w": ` + mode + `, "w": ` + mode + `}`, `duplicate key "/w"`},
		"duplicate field":    {"{\"w\": {\"mountpoint\": \"/p\",\n \"mountpoint\": \"/q\", \"root\": \"\", \"folder_path\": {}, \"file_name\": {}}}", `line 2, column 2: duplicate key "/w/mountpoint"`},
		"duplicate kind":     {`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "<Project>", "shot": "<Shot>"}, "file_name": {}}}`, `duplicate key "/w/folder_path/shot"`},
		"trailing object":    {`{"w": ` + mode + `} {}`, "after the tree's JSON object"},
		"trailing garbage":   {`{"w": ` + mode + `} x`, "after the tree's JSON object"},
		"lone surrogate":     {`{"w": {"mountpoint": "/p\ud800", "root": "", "folder_path": {}, "file_name": {}}}`, "line 1, column 25: malformed JSON: invalid surrogate pair"},
		"lone low surrogate": {`{"w": {"mountpoint": "/p\udc00x", "root": "", "folder_path": {}, "file_name": {}}}`, "invalid surrogate pair"},
		"unknown field":      {`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "<Project.nope>"}, "file_name": {}}}`, `w.folder_path.shot: unknown field "nope" in <Project.nope>`},
		"two fields":         {`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "<Shot.id.x>"}, "file_name": {}}}`, "one dot at most"},
		"deep nesting":       {`{"w": ` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, "malformed JSON"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.json))
			require.ErrorIs(t, err, ErrBadTree)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// A pair of surrogates is a character; lenient loads read unknown
	// fields as Zou does, and keep Zou's <OuputType> typo for render time.
	tr, err := Parse([]byte(`{"w": {"mountpoint": "/p\ud83c\udfac", "root": "", "folder_path": {"shot": "<Project>"}, "file_name": {"shot": "<Shot>"}}}`))
	require.NoError(t, err)
	assert.Equal(t, "/p🎬", tr.Modes["w"].Mountpoint)
	lt, err := ParseLenient([]byte(`{"w": {"mountpoint": "/p", "root": "", "folder_path": {"shot": "<Project.nope>", "sequence": "<Project>"}, "file_name": {"shot": "<Shot>", "sequence": "<OuputType>"}}}`))
	require.NoError(t, err)
	require.Len(t, lt.Problems, 1)
	p, err := lt.Render(Working, shotContext(), &RenderOptions{Mode: "w"})
	require.NoError(t, err)
	assert.Equal(t, "/p/cosmos_landromat", p.Folder)

	for name, tc := range map[string]struct{ json, want string }{
		"duplicate mountpoint": {`{"/p": {"linux": "/a"}, "/p": {"linux": "/b"}}`, `duplicate key "/~1p"`},
		"duplicate platform":   {`{"/p": {"linux": "/a", "linux": "/b"}}`, "duplicate key"},
		"trailing data":        {`{"/p": {"linux": "/a"}} {"/q": {"linux": "/b"}}`, "after the roots file's JSON object"},
		"lone surrogate":       {`{"/p": {"linux": "/a\ud800"}}`, "invalid surrogate pair"},
		"unknown platform":     {`{"/p": {"beos": "/a"}}`, "unknown platform"},
		"empty":                {` `, "empty"},
	} {
		t.Run("roots "+name, func(t *testing.T) {
			_, err := ParseRoots([]byte(tc.json))
			require.ErrorIs(t, err, ErrBadTree)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), "roots")
		})
	}
}

// Row 14: the library cannot be made to panic or to share state.
func TestLibrarySafety(t *testing.T) {
	// Default returns a copy: changing it changes nothing for others.
	want, err := Default().Render(Working, shotContext(), nil)
	require.NoError(t, err)
	d := Default()
	d.Modes["working"].Root = "elsewhere"
	d.Modes["working"].FolderPath.Templates[KindShot] = d.Modes["working"].FolderPath.Templates[KindSequence]
	d.Modes["working"].FileName.Templates[KindShot].Text = "changed"
	d.Modes["working"].FolderPath.Style = StyleUppercase
	delete(d.Modes, "output")
	d.Problems = append(d.Problems, errors.New("x"))
	got, err := Default().Render(Working, shotContext(), nil)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Len(t, Default().ModeNames(), 3)
	assert.Empty(t, Default().Problems)
	changed, err := d.Render(Working, shotContext(), nil)
	require.NoError(t, err)
	assert.NotEqual(t, want.Folder, changed.Folder)

	// Every method of a nil tree, of hand-built trees and of nil results
	// returns an error, never panics.
	tpl := &Template{Text: "<Project>"} // built by hand: never parsed
	good := Default().Modes["working"]
	trees := map[string]*Tree{
		"nil":                 nil,
		"zero":                {},
		"nil mode":            {Modes: map[string]*Mode{"working": nil}},
		"empty mode":          {Modes: map[string]*Mode{"working": {}}},
		"nil templates":       {Modes: map[string]*Mode{"working": {Name: "working", Mountpoint: "/p", FolderPath: Section{}, FileName: Section{}}}},
		"nil template":        {Modes: map[string]*Mode{"working": {Name: "working", Mountpoint: "/p", FolderPath: Section{Templates: map[Kind]*Template{KindShot: nil}}, FileName: Section{Templates: map[Kind]*Template{KindShot: nil}}}}},
		"hand-built template": {Modes: map[string]*Mode{"working": {Name: "working", Mountpoint: "/p", FolderPath: Section{Templates: map[Kind]*Template{KindShot: tpl}}, FileName: Section{Templates: map[Kind]*Template{KindShot: tpl}}}}},
		"bad mountpoint":      {Modes: map[string]*Mode{"working": {Name: "working", Mountpoint: "~", FolderPath: good.FolderPath, FileName: good.FileName}}},
		"nil beside good":     {Modes: map[string]*Mode{"working": good, "output": nil}},
	}
	for name, tr := range trees {
		t.Run(name, func(t *testing.T) {
			for _, p := range []Purpose{Working, Output} {
				_, err := tr.Render(p, shotContext(), nil)
				if name == "nil beside good" && p == Working {
					require.NoError(t, err)
					continue
				}
				require.Error(t, err)
				require.True(t, errors.Is(err, ErrBadTree) || errors.Is(err, ErrRender), "%v", err)
				_, err = tr.Render(p, nil, &RenderOptions{Mode: "working", Sep: "/"})
				require.Error(t, err)
			}
			_, err := tr.Parse("/p/cosmos/x_v001.ma")
			require.Error(t, err)
			_, err = tr.Parse("/prod/work/cosmos/shots/s01/p01/anim/max/cosmos_s01_p01_anim_main_v001.ma")
			if name != "nil beside good" {
				require.Error(t, err)
			}
			_ = tr.ModeNames()
			c := tr.Clone()
			if tr == nil {
				require.Nil(t, c)
			} else {
				require.Len(t, c.Modes, len(tr.Modes))
			}
		})
	}
	_, err = (*Tree)(nil).Render(Working, shotContext(), nil)
	require.ErrorIs(t, err, ErrBadTree)
	assert.Contains(t, err.Error(), "nil *Tree")
	_, err = (*Tree)(nil).Parse("/x")
	require.ErrorIs(t, err, ErrBadTree)
	assert.Nil(t, (*Tree)(nil).ModeNames())

	var parsed *Parsed
	_, ok := parsed.Value("Project")
	assert.False(t, ok)
	assert.Equal(t, "<nil>", parsed.String())
	assert.NotEmpty(t, (*AmbiguousError)(nil).Error())
	assert.NotEmpty(t, (*RenderError)(nil).Error())
	assert.NotEmpty(t, (*TreeError)(nil).Error())
	assert.NotEmpty(t, (*PathError)(nil).Error())
	assert.Equal(t, "", Path{}.Full())
	var roots Roots
	_, err = roots.ToOS("/prod/x", Linux)
	require.Error(t, err)
	_, err = roots.ToTree("/prod/x")
	require.Error(t, err)
	_, err = FromMap(map[string]any{"w": nil})
	require.ErrorIs(t, err, ErrBadTree)
	_, err = FromMap(map[string]any{"w": map[string]any{"mountpoint": 3}})
	require.ErrorIs(t, err, ErrBadTree)

	// One tree serves many goroutines; modes replaced between calls are
	// compiled again.
	shared := Default()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				p, err := shared.Render(Working, shotContext(), nil)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := shared.Parse(p.Full() + ".ma"); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	replaced := Default()
	other, err := Parse([]byte(`{"working": {"mountpoint": "/other", "root": "", "folder_path": {"shot": "<Shot>"}, "file_name": {"shot": "<Name>"}}}`))
	require.NoError(t, err)
	_, err = replaced.Parse("/prod/work/cosmos/shots/s01/p01/anim/max/cosmos_s01_p01_anim_main_v001.ma")
	require.NoError(t, err)
	replaced.Modes["working"] = other.Modes["working"]
	got2, err := replaced.Parse("/other/p01/take.ma")
	require.NoError(t, err)
	assert.Equal(t, "take", got2.Values["Name"])
}

// FuzzCheckPath checks that CheckPath never panics, and that what it
// accepts has an absolute root and no name that climbs.
func FuzzCheckPath(f *testing.F) {
	for _, s := range []string{`P:\work\CON\x`, "/a/../b", `\\?\UNC\srv\share\x`, `\\srv`, "/" + strings.Repeat("x", 300), "C:", "//a/b/c."} {
		f.Add(uint8(0), s)
		f.Add(uint8(2), s)
	}
	f.Fuzz(func(t *testing.T, which uint8, path string) {
		goos := []string{Linux, Darwin, Windows}[int(which)%3]
		if err := CheckPath(goos, path); err != nil {
			if !errors.Is(err, ErrPath) {
				t.Fatalf("%s %q: error not ErrPath: %v", goos, path, err)
			}
			return
		}
		for _, n := range strings.FieldsFunc(path, func(r rune) bool { return r == '/' || r == '\\' }) {
			if n == ".." {
				t.Fatalf("%s %q accepted with a .. name", goos, path)
			}
		}
		if goos != Windows && !strings.HasPrefix(path, "/") {
			t.Fatalf("%s %q accepted, not absolute", goos, path)
		}
	})
}
