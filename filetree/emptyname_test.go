package filetree_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/filetree"
)

// TestEmptyNames: a name given empty is dropped as Zou drops it (refused
// where a folder would be empty), and an instance name set empty is
// refused wherever it is shown, while a name not set shows the number.
func TestEmptyNames(t *testing.T) {
	tree, err := filetree.Parse([]byte(`{
	 "output": {"mountpoint": "/o", "root": "",
	  "folder_path": {"shot": "<Project>/<Shot>", "instance": "<Project>/<TemporalEntity>/<Asset>/<Instance.number>"},
	  "file_name": {"shot": "<Shot>_<Name>_v<Version>", "instance": "<Asset>_<Instance>_<Name>_v<Version>"}},
	 "render": {"mountpoint": "/r", "root": "",
	  "folder_path": {"shot": "<Project>/<Shot>/<Name>", "instance": "<Project>/<Asset>/<Instance>"},
	  "file_name": {"shot": "<Shot>_v<Version>", "instance": "<Asset>_<Instance.number>_v<Version>"}}}`))
	require.NoError(t, err)
	shot := func() *filetree.Context {
		return &filetree.Context{Kind: filetree.KindShot, Project: filetree.Named{Name: "P"}, Entity: filetree.Named{Name: "SH1"}, Revision: 2}
	}
	render := func(c *filetree.Context, mode string) (string, error) {
		p, err := tree.Render(filetree.Output, c, &filetree.RenderOptions{Mode: mode})
		return p.Full(), err
	}

	got, err := render(shot(), "output")
	require.NoError(t, err)
	assert.Equal(t, "/o/p/sh1/sh1_main_v002", got, "no name: main")
	c := shot()
	c.EmptyName = true
	got, err = render(c, "output")
	require.NoError(t, err)
	assert.Equal(t, "/o/p/sh1/sh1_v002", got, "a name given empty is dropped, as by Zou")
	_, err = render(c, "render")
	require.ErrorIs(t, err, filetree.ErrRender)
	assert.ErrorContains(t, err, "empty: <Name>")

	inst := func(in filetree.Instance) *filetree.Context {
		c := shot()
		c.Kind, c.EntityKind = filetree.KindInstance, filetree.KindShot
		c.Asset, c.AssetType = filetree.Named{Name: "Tree"}, filetree.Named{Name: "Props"}
		c.Instance = in
		return c
	}
	got, err = render(inst(filetree.Instance{Name: "Tree_0003", Number: 3}), "output")
	require.NoError(t, err)
	assert.Equal(t, "/o/p/sh1/tree/0003/tree_tree_0003_main_v002", got)
	got, err = render(inst(filetree.Instance{Number: 3}), "output")
	require.NoError(t, err)
	assert.Equal(t, "/o/p/sh1/tree/0003/tree_0003_main_v002", got, "a name not set shows the number")
	for _, mode := range []string{"output", "render"} {
		_, err = render(inst(filetree.Instance{Number: 3, EmptyName: true}), mode)
		require.ErrorIs(t, err, filetree.ErrRender, mode)
		assert.ErrorContains(t, err, "<Instance>: the asset instance's name is set but empty", mode)
	}
	// Where only the number is shown, an empty name is no matter.
	tree2, err := filetree.Parse([]byte(`{"output": {"mountpoint": "/o", "root": "",
	  "folder_path": {"instance": "<Project>/<Asset>/<Instance.number>"}, "file_name": {"instance": "<Asset>_<Instance.number>_v<Version>"}}}`))
	require.NoError(t, err)
	p, err := tree2.Render(filetree.Output, inst(filetree.Instance{Number: 3, EmptyName: true}), nil)
	require.NoError(t, err)
	assert.Equal(t, "/o/p/tree/0003/tree_0003_v002", p.Full())
}
