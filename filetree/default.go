package filetree

import (
	_ "embed"
	"maps"
	"sync"
)

//go:embed default.json
var defaultTreeJSON []byte

// DefaultTreeJSON returns the JSON text of the default tree.
func DefaultTreeJSON() []byte { return append([]byte(nil), defaultTreeJSON...) }

var defaultTree = sync.OnceValue(func() *Tree {
	t, err := Parse(defaultTreeJSON)
	if err != nil {
		panic("filetree: the embedded default tree is invalid: " + err.Error())
	}
	return t
})

// Default returns kpublish's own tree, for working without a server or a
// tree file: working files under /prod/work, outputs under /prod/publish
// in a folder per revision, previews under /prod/previews, and the
// revision in every file name (v001). Map /prod to real roots with Roots.
//
// Each call returns a new copy: a caller may change it without changing
// the tree other callers get.
func Default() *Tree { return defaultTree().Clone() }

// Clone returns a deep copy of the tree: its modes, sections and
// templates can be changed without changing t. A nil tree clones to nil.
func (t *Tree) Clone() *Tree {
	if t == nil {
		return nil
	}
	c := &Tree{Modes: make(map[string]*Mode, len(t.Modes)), Problems: append([]error(nil), t.Problems...),
		Warnings: append([]Issue(nil), t.Warnings...)}
	for name, m := range t.Modes {
		if m == nil {
			c.Modes[name] = nil
			continue
		}
		mc := *m
		mc.FolderPath = m.FolderPath.clone()
		mc.FileName = m.FileName.clone()
		c.Modes[name] = &mc
	}
	return c
}

func (s Section) clone() Section {
	c := Section{Style: s.Style}
	if s.Templates != nil {
		c.Templates = maps.Clone(s.Templates)
		for k, tpl := range c.Templates {
			if tpl != nil {
				tc := *tpl // parts are never changed once parsed
				c.Templates[k] = &tc
			}
		}
	}
	return c
}
