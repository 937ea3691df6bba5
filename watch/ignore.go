package watch

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// DefaultExcludes are the globs left out unless Options.NoDefaultExcludes
// is set: DCC temporaries, backups and autosaves, and hidden files and
// folders (".*", which also covers kpublish's own claim files,
// ".<name>.kpublish-claim", its temporary copies,
// ".<name>.kpublish-tmp-…", and its ".kpublish" store folder).
var DefaultExcludes = []string{
	"*@",                    // Blender's temporary save, renamed over the file
	"*.blend" + blendNums(), // Blender's numbered backups
	"*~",
	"*.autosave*",
	"*.bak",
	"*.tmp",
	"*.part",
	".*",
	"backup/",
	"autosave/",
	"incrementalSave/", // Maya's incremental saves
}

func blendNums() string {
	n := make([]string, 32)
	for i := range n {
		n[i] = strconv.Itoa(i + 1)
	}
	return "{" + strings.Join(n, ",") + "}"
}

// ErrGlob matches every error about a malformed include or exclude glob.
var ErrGlob = errors.New("watch: malformed glob")

// rule is one glob. Like a .gitignore line, a glob without a "/" (or
// with one only at its end) matches a name at any depth; one ending in
// "/" matches folders only (and so everything below them); any other is
// matched against the whole path relative to the root.
type rule struct {
	glob     string
	dirOnly  bool
	anchored bool
}

// filter decides which paths the watcher looks at.
type filter struct {
	include []rule
	exclude []rule
}

func parseRules(kind string, globs []string) ([]rule, error) {
	out := make([]rule, 0, len(globs))
	for _, g := range globs {
		r := rule{glob: g}
		if strings.HasSuffix(r.glob, "/") {
			r.dirOnly = true
			r.glob = strings.TrimRight(r.glob, "/")
		}
		if strings.HasPrefix(r.glob, "/") {
			r.anchored = true
			r.glob = strings.TrimLeft(r.glob, "/")
		}
		if strings.Contains(r.glob, "/") {
			r.anchored = true
		}
		if r.glob == "" || !doublestar.ValidatePattern(r.glob) {
			return nil, fmt.Errorf("%w: %s glob %s: want doublestar syntax (*, **, ?, [abc], {a,b}), as in \"*.exr\" or \"renders/**\"",
				ErrGlob, kind, strconv.Quote(g))
		}
		out = append(out, r)
	}
	return out, nil
}

func newFilter(include, exclude []string, defaults bool) (*filter, error) {
	f := &filter{}
	var err error
	if f.include, err = parseRules("include", include); err != nil {
		return nil, err
	}
	ex := exclude
	if defaults {
		ex = append(append([]string(nil), DefaultExcludes...), exclude...)
	}
	if f.exclude, err = parseRules("exclude", ex); err != nil {
		return nil, err
	}
	return f, nil
}

// match reports whether rule r matches rel (a slash-separated path
// relative to the root), a folder when isDir.
func (r rule) match(rel string, isDir bool) bool {
	if r.anchored {
		// The path itself, or one of the folders above it.
		p := rel
		dir := isDir
		for p != "" && p != "." {
			if (dir || !r.dirOnly) && doublestar.MatchUnvalidated(r.glob, p) {
				return true
			}
			i := strings.LastIndexByte(p, '/')
			if i < 0 {
				break
			}
			p, dir = p[:i], true
		}
		return false
	}
	// Any element of the path: the folders above, and the last one.
	for rest := rel; rest != ""; {
		name := rest
		last := true
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			name, rest, last = rest[:i], rest[i+1:], false
		} else {
			rest = ""
		}
		if (!last || isDir || !r.dirOnly) && doublestar.MatchUnvalidated(r.glob, name) {
			return true
		}
	}
	return false
}

// excluded reports whether rel is left out by an exclude glob.
func (f *filter) excluded(rel string, isDir bool) bool {
	for _, r := range f.exclude {
		if r.match(rel, isDir) {
			return true
		}
	}
	return false
}

// wants reports whether the file rel is watched: not excluded, and
// matching an include glob when there are any.
func (f *filter) wants(rel string) bool {
	if f.excluded(rel, false) {
		return false
	}
	if len(f.include) == 0 {
		return true
	}
	for _, r := range f.include {
		if r.match(rel, false) {
			return true
		}
	}
	return false
}
