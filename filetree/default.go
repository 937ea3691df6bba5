package filetree

import (
	_ "embed"
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
func Default() *Tree { return defaultTree() }
