package kitsu_test

import (
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// syncNewID returns a random version 4 UUID, as Zou makes them.
func syncNewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// syncOffline is a client that is never asked anything: the pure helpers
// send no request.
func syncOffline(t *testing.T) *kitsu.Client {
	t.Helper()
	c, err := kitsu.NewClient("http://127.0.0.1:1")
	require.NoError(t, err)
	return c
}

func syncTaskType(id, name string) kitsu.TaskType {
	return kitsu.TaskType{Base: kitsu.Base{ID: id}, Name: name}
}

func TestSyncGetIDMapByName(t *testing.T) {
	t.Parallel()
	c := syncOffline(t)

	source := []kitsu.TaskType{syncTaskType("s1", "Modeling"), syncTaskType("s2", "Rigging"), syncTaskType("s3", "Layout"), syncTaskType("s4", "")}
	target := []kitsu.TaskType{syncTaskType("t1", "modeling"), syncTaskType("t2", "LAYOUT"), syncTaskType("t3", "Layout"), syncTaskType("t4", "")}
	got, err := c.Sync.GetIDMapByName(source, target)
	require.NoError(t, err)
	// Names are compared without case; the source spelling is the key;
	// the last matching target wins, as in gazu; empty names never match.
	assert.Equal(t, map[string]string{"Modeling": "t1", "Layout": "t3"}, got)

	// Pointers, maps and JSON objects work the same way.
	ptrs := []*kitsu.TaskType{&source[0], &source[1]}
	got, err = c.Sync.GetIDMapByName(ptrs, []map[string]any{{"id": "m1", "name": "RIGGING"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Rigging": "m1"}, got)

	got, err = c.Sync.GetIDMapByName(nil, target)
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)

	_, err = c.Sync.GetIDMapByName("Modeling", target)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Sync.GetIDMapByName(source, []map[string]any{{"id": "m1"}})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument, "a record without a name")
	_, err = c.Sync.GetIDMapByName(source, []map[string]any{{"id": "m1", "name": nil}})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument, "a null name")
	_, err = c.Sync.GetIDMapByName(source, []map[string]any{{"id": 3, "name": "Modeling"}})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument, "an id that is not a string")
	_, err = c.Sync.GetIDMapByName([]int{1}, target)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Sync.GetIDMapByName([]*kitsu.TaskType{nil}, target)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestSyncGetIDMapByID(t *testing.T) {
	t.Parallel()
	c := syncOffline(t)

	source := []kitsu.Asset{
		{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: "a1"}, Name: "Tree", Code: "TR"}},
		{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: "a2"}, Name: "Rock", Code: "RK"}},
		{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: "a3"}, Name: "Cloud"}},
	}
	target := []kitsu.Asset{
		{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: "b1"}, Name: "TREE", Code: "rk"}},
		{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: "b2"}, Name: "rock"}},
	}
	got, err := c.Sync.GetIDMapByID(source, target, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a1": "b1", "a2": "b2"}, got)

	got, err = c.Sync.GetIDMapByID(source, target, &kitsu.GetIDMapByIDOptions{Field: "code"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"a2": "b1"}, got, "matched on code; empty codes match nothing")

	// A member the model has no field for is read from its Extra.
	withExtra := []kitsu.Asset{{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: "e1", Extra: map[string]any{"shotgun_id": "SG7"}}}}}
	fromMaps := []map[string]any{{"id": "m1", "shotgun_id": "sg7"}}
	got, err = c.Sync.GetIDMapByID(withExtra, fromMaps, &kitsu.GetIDMapByIDOptions{Field: "shotgun_id"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"e1": "m1"}, got)
	got, err = c.Sync.GetIDMapByID(fromMaps, withExtra, &kitsu.GetIDMapByIDOptions{Field: "shotgun_id"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"m1": "e1"}, got)

	// Plain structs are read through their json tags.
	type row struct {
		Key  string `json:"id"`
		Name string
	}
	got, err = c.Sync.GetIDMapByID([]row{{"r1", "Tree"}}, &target, &kitsu.GetIDMapByIDOptions{Field: "Name"})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument, "Asset has no member called Name")
	got, err = c.Sync.GetIDMapByID([]row{{"r1", "Tree"}}, []row{{"r2", "tree"}}, &kitsu.GetIDMapByIDOptions{Field: "Name"})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"r1": "r2"}, got)

	_, err = c.Sync.GetIDMapByID(source, target, &kitsu.GetIDMapByIDOptions{Field: "nope"})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Sync.GetIDMapByID(source, target, &kitsu.GetIDMapByIDOptions{Field: "nb_frames"})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument, "a member that is not a string")
	_, err = c.Sync.GetIDMapByID(source, 42, nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Sync.GetIDMapByID([]map[string]any{{"name": "Tree"}}, target, nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument, "a matched source record without id")
}

func TestSyncGetModelListDiff(t *testing.T) {
	t.Parallel()
	c := syncOffline(t)

	source := []map[string]any{{"id": "1", "name": "a"}, {"id": "2", "name": "b"}, {"id": "3", "name": "c"}}
	target := []map[string]any{{"id": "3", "name": "c2"}, {"id": "4", "name": "d"}, {"id": "1", "name": "a"}}
	missing, unexpected, err := c.Sync.GetModelListDiff(source, target, nil)
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{{"id": "2", "name": "b"}}, missing)
	assert.Equal(t, []map[string]any{{"id": "4", "name": "d"}}, unexpected)

	missing, unexpected, err = c.Sync.GetModelListDiff(source, target, &kitsu.GetModelListDiffOptions{IDField: "name"})
	require.NoError(t, err)
	assert.Equal(t, []map[string]any{{"id": "2", "name": "b"}, {"id": "3", "name": "c"}}, missing)
	assert.Equal(t, []map[string]any{{"id": "3", "name": "c2"}, {"id": "4", "name": "d"}}, unexpected)

	missing, unexpected, err = c.Sync.GetModelListDiff(nil, nil, nil)
	require.NoError(t, err)
	assert.NotNil(t, missing)
	assert.NotNil(t, unexpected)
	assert.Empty(t, missing)
	assert.Empty(t, unexpected)

	_, _, err = c.Sync.GetModelListDiff(source, []map[string]any{{"name": "x"}}, nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)

	// Typed lists keep their type.
	src := []kitsu.Task{{Base: kitsu.Base{ID: "t1"}, Name: "a"}, {Base: kitsu.Base{ID: "t2"}, Name: "b"}}
	dst := []kitsu.Task{{Base: kitsu.Base{ID: "t2"}, Name: "b"}, {Base: kitsu.Base{ID: "t3"}, Name: "c"}}
	tm, tu, err := kitsu.ModelListDiff(src, dst, nil)
	require.NoError(t, err)
	assert.Equal(t, []kitsu.Task{src[0]}, tm)
	assert.Equal(t, []kitsu.Task{dst[1]}, tu)
	pm, pu, err := kitsu.ModelListDiff([]*kitsu.Task{&src[0], &src[1]}, []*kitsu.Task{&dst[0]}, nil)
	require.NoError(t, err)
	assert.Equal(t, []*kitsu.Task{&src[0]}, pm)
	assert.Empty(t, pu)
	_, _, err = kitsu.ModelListDiff([]*kitsu.Task{nil}, []*kitsu.Task{&dst[0]}, nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestSyncGetLinkListDiff(t *testing.T) {
	t.Parallel()
	c := syncOffline(t)
	link := func(in, out string, n int) kitsu.EntityLink {
		return kitsu.EntityLink{EntityInID: in, EntityOutID: out, NbOccurences: n}
	}
	source := []kitsu.EntityLink{link("sh1", "tree", 1), link("sh1", "rock", 2), link("sh2", "tree", 1)}
	target := []kitsu.EntityLink{link("sh1", "tree", 5), link("sh2", "rock", 1), link("sh2", "tree", 1)}
	missing, unexpected := c.Sync.GetLinkListDiff(source, target)
	assert.Equal(t, []kitsu.EntityLink{link("sh1", "rock", 2)}, missing)
	assert.Equal(t, []kitsu.EntityLink{link("sh2", "rock", 1)}, unexpected, "occurrences are not compared")

	missing, unexpected = c.Sync.GetLinkListDiff(nil, source)
	assert.NotNil(t, missing)
	assert.Empty(t, missing)
	assert.Equal(t, source, unexpected)
}

func TestSyncGetLastEvents(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)

	var created []string
	for i := range 5 {
		a := kitsutest.NewAsset(t, c, p.ID, at.ID, "", fmt.Sprintf("Prop%d", i))
		created = append(created, a.ID)
	}

	events, err := c.Sync.GetLastEvents(ctx, &kitsu.GetLastEventsOptions{ProjectID: p.ID, Name: "asset:new"})
	require.NoError(t, err)
	require.Len(t, events, 5)
	var assetIDs []string
	for i, e := range events {
		assert.Equal(t, "asset:new", e.Name)
		assert.Equal(t, p.ID, e.ProjectID)
		assert.NotEmpty(t, e.UserID)
		assert.False(t, e.CreatedAt.IsZero())
		if i > 0 {
			assert.False(t, e.CreatedAt.After(events[i-1].CreatedAt.Time), "newest first")
		}
		id, _ := e.Data["asset_id"].(string)
		assetIDs = append(assetIDs, id)
	}
	assert.ElementsMatch(t, created, assetIDs)
	eventIDs := kitsutest.IDs(events, func(e *kitsu.Event) string { return e.ID })

	// Walking back two by two gives the same events, in the same order.
	walked, err := c.Sync.GetLastEvents(ctx, &kitsu.GetLastEventsOptions{ProjectID: p.ID, Name: "asset:new", PerRequest: 2})
	require.NoError(t, err)
	assert.Equal(t, eventIDs, kitsutest.IDs(walked, func(e *kitsu.Event) string { return e.ID }))
	three, err := c.Sync.GetLastEvents(ctx, &kitsu.GetLastEventsOptions{ProjectID: p.ID, Name: "asset:new", PerRequest: 2, Limit: 3})
	require.NoError(t, err)
	assert.Equal(t, eventIDs[:3], kitsutest.IDs(three, func(e *kitsu.Event) string { return e.ID }))

	// Every event of the project, of any name, includes them.
	all, err := c.Sync.GetLastEvents(ctx, &kitsu.GetLastEventsOptions{ProjectID: p.ID})
	require.NoError(t, err)
	allIDs := kitsutest.IDs(all, func(e *kitsu.Event) string { return e.ID })
	for _, id := range eventIDs {
		assert.Contains(t, allIDs, id)
	}

	// Dates, in both forms.
	since, err := c.Sync.GetLastEvents(ctx, &kitsu.GetLastEventsOptions{ProjectID: p.ID, Name: "asset:new", After: "2000-01-01", Before: time.Now().UTC().Add(time.Hour).Format("2006-01-02T15:04:05")})
	require.NoError(t, err)
	assert.Len(t, since, 5)
	old, err := c.Sync.GetLastEvents(ctx, &kitsu.GetLastEventsOptions{ProjectID: p.ID, Before: "2000-01-02T00:00:00"})
	require.NoError(t, err)
	assert.NotNil(t, old)
	assert.Empty(t, old)

	// Only files: a picture added to a preview is such an event.
	modeling := kitsutest.TaskTypeNamed(t, c, "Modeling")
	task := kitsutest.NewTask(t, c, p.ID, created[0], modeling.ID, "main")
	preview := kitsutest.NewPreview(t, c, task, kitsutest.WritePNG(t, t.TempDir(), "frame.png", 32, 16))
	files, err := c.Sync.GetLastEvents(ctx, &kitsu.GetLastEventsOptions{ProjectID: p.ID, OnlyFiles: true})
	require.NoError(t, err)
	require.NotEmpty(t, files, "only_files must be sent as Zou reads it")
	var previewIDs []string
	for _, e := range files {
		assert.Contains(t, []string{"preview-file:add-file", "organisation:set-thumbnail", "person:set-thumbnail", "project:set-thumbnail"}, e.Name)
		id, _ := e.Data["preview_file_id"].(string)
		previewIDs = append(previewIDs, id)
	}
	assert.Contains(t, previewIDs, preview.ID)

	// Nothing matches an unknown project.
	none, err := c.Sync.GetLastEvents(ctx, &kitsu.GetLastEventsOptions{ProjectID: mediaUnknownID, Limit: 10})
	require.NoError(t, err)
	assert.Empty(t, none)

	// Artists may not read the log.
	_, artist := kitsutest.NewArtist(t, c)
	_, err = artist.Sync.GetLastEvents(ctx, &kitsu.GetLastEventsOptions{Limit: 1})
	require.ErrorIs(t, err, kitsu.ErrNotAllowed)

	// Bad options are refused before anything is sent.
	for _, o := range []kitsu.GetLastEventsOptions{
		{Limit: -1},
		{PerRequest: -5},
		{ProjectID: "my project"},
		{After: "yesterday"},
		{After: "2020-13-01"},
		{Before: "2020-01-05 13:23:10"},
		{Before: "2020-01-05T13:23"},
		{After: "2020-01-05", Before: "2020-01-05"},
		{After: "2020-01-06", Before: "2020-01-05T23:59:59"},
	} {
		_, err := c.Sync.GetLastEvents(ctx, &o)
		require.ErrorIs(t, err, kitsu.ErrInvalidArgument, "%+v", o)
	}
}

func TestSyncImportEntities(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)

	seqID, shotID, treeID, rockID := syncNewID(), syncNewID(), syncNewID(), syncNewID()
	made := kitsu.Time{Time: time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)}
	entities := []kitsu.Entity{
		{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: seqID, Type: "Sequence", CreatedAt: made}, Name: "SQ42", ProjectID: p.ID,
			// An entity type of another Kitsu: Zou uses its own Sequence type.
			EntityTypeID: syncNewID()}},
		{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: shotID, Type: "Shot"}, Name: "SH0420", ProjectID: p.ID, ParentID: seqID, NbFrames: 48, Data: map[string]any{"camera": "cam_a"}}},
		{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: treeID, Type: "Asset", CreatedAt: made, UpdatedAt: made}, Name: "Imported Tree", ProjectID: p.ID, EntityTypeID: at.ID, Description: "from the old Kitsu"}},
		// No type: Zou would take it for a shot.
		{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: rockID}, Name: "Imported Rock", ProjectID: p.ID, EntityTypeID: at.ID}},
	}
	imported, err := c.Sync.ImportEntities(ctx, entities, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{seqID, shotID, treeID, rockID}, kitsutest.IDs(imported, func(e *kitsu.Entity) string { return e.ID }))

	seqType, err := c.Entity.GetEntityTypeByName(ctx, "Sequence")
	require.NoError(t, err)
	shotType, err := c.Entity.GetEntityTypeByName(ctx, "Shot")
	require.NoError(t, err)

	seq, err := c.Entity.GetEntity(ctx, seqID)
	require.NoError(t, err)
	assert.Equal(t, "SQ42", seq.Name)
	assert.Equal(t, seqType.ID, seq.EntityTypeID)
	assert.True(t, made.Equal(seq.CreatedAt.Time), "creation date kept: %v", seq.CreatedAt)
	shot, err := c.Entity.GetEntity(ctx, shotID)
	require.NoError(t, err)
	assert.Equal(t, shotType.ID, shot.EntityTypeID)
	assert.Equal(t, seqID, shot.ParentID)
	assert.Equal(t, 48, shot.NbFrames)
	assert.Equal(t, "cam_a", shot.Data["camera"])
	tree, err := c.Entity.GetEntity(ctx, treeID)
	require.NoError(t, err)
	assert.Equal(t, "Imported Tree", tree.Name)
	assert.Equal(t, at.ID, tree.EntityTypeID)
	assert.Equal(t, p.ID, tree.ProjectID)
	assert.Equal(t, "from the old Kitsu", tree.Description)
	assert.True(t, made.Equal(tree.CreatedAt.Time))
	rock, err := c.Entity.GetEntity(ctx, rockID)
	require.NoError(t, err)
	assert.Equal(t, at.ID, rock.EntityTypeID, "an entity with no type keeps its entity type")
	assets, err := c.Asset.AllAssetsForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{rockID, treeID}, kitsutest.IDs(assets, func(a *kitsu.Asset) string { return a.ID }))

	// Importing an id again updates the entity, silently if asked.
	entities[2].Description = "updated"
	again, err := c.Sync.ImportEntities(ctx, entities[2:3], &kitsu.ImportEntitiesOptions{Silent: true})
	require.NoError(t, err)
	require.Len(t, again, 1)
	tree, err = c.Entity.GetEntity(ctx, treeID)
	require.NoError(t, err)
	assert.Equal(t, "updated", tree.Description)

	// Zou imports for administrators only, and skips the others silently.
	_, artist := kitsutest.NewArtist(t, c)
	skipped := kitsu.Entity{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: syncNewID(), Type: "Asset"}, Name: "Denied", ProjectID: p.ID, EntityTypeID: at.ID}}
	got, err := artist.Sync.ImportEntities(ctx, []kitsu.Entity{skipped}, nil)
	require.ErrorIs(t, err, kitsu.ErrNotAllowed)
	assert.Empty(t, got)
	_, err = c.Entity.GetEntity(ctx, skipped.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	got, err = c.Sync.ImportEntities(ctx, nil, nil)
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)

	// Bad entities are refused before anything is sent.
	good := entities[2]
	for _, mutate := range []func(e *kitsu.Entity){
		func(e *kitsu.Entity) { e.ID = "" },
		func(e *kitsu.Entity) { e.ID = "tree" },
		func(e *kitsu.Entity) { e.ProjectID = "" },
		func(e *kitsu.Entity) { e.Name = " " },
		func(e *kitsu.Entity) { e.EntityTypeID = "" },
		func(e *kitsu.Entity) { e.ParentID = "SQ42" },
	} {
		e := good
		e.ID = syncNewID()
		mutate(&e)
		_, err := c.Sync.ImportEntities(ctx, []kitsu.Entity{good, e}, nil)
		require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	}
}
