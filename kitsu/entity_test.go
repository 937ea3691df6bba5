package kitsu_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// entityTestProject makes a TV show holding an asset, a sequence and a
// shot, whose names are unique.
type entityTestProject struct {
	project  *kitsu.Project
	typ      *kitsu.AssetType
	asset    *kitsu.Asset
	sequence *kitsu.Sequence
	shot     *kitsu.Shot
}

func entityTestNew(t *testing.T, c *kitsu.Client) entityTestProject {
	t.Helper()
	var e entityTestProject
	e.typ = kitsutest.NewAssetType(t, c)
	e.project = kitsutest.NewProject(t, c, true)
	e.asset = kitsutest.NewAsset(t, c, e.project.ID, e.typ.ID, "", kitsutest.Unique("Tree"))
	e.sequence = kitsutest.NewSequence(t, c, e.project.ID, e.project.FirstEpisodeID, kitsutest.Unique("SQ"))
	e.shot = kitsutest.NewShot(t, c, e.project.ID, e.sequence.ID, kitsutest.Unique("SH"))
	return e
}

func TestEntityAllEntities(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	e := entityTestNew(t, c)

	all, err := c.Entity.AllEntities(kitsutest.Context(t))
	require.NoError(t, err)
	byID := map[string]kitsu.Entity{}
	for _, x := range all {
		byID[x.ID] = x
	}
	want := map[string]string{
		e.asset.ID: "Asset", e.sequence.ID: "Sequence", e.shot.ID: "Shot", e.project.FirstEpisodeID: "Episode",
	}
	for id, kind := range want {
		got, ok := byID[id]
		if assert.True(t, ok, "entity %s (%s) is listed", id, kind) {
			assert.Equal(t, kind, got.Type, "Zou names each entity's kind")
			assert.Equal(t, e.project.ID, got.ProjectID)
		}
	}
	assert.Equal(t, e.asset.Name, byID[e.asset.ID].Name)
	assert.Equal(t, e.typ.ID, byID[e.asset.ID].EntityTypeID)
	assert.Equal(t, e.sequence.ID, byID[e.shot.ID].ParentID)
}

func TestEntityEachEntity(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	e := entityTestNew(t, c)
	more := kitsutest.NewAsset(t, c, e.project.ID, e.typ.ID, "", kitsutest.Unique("Rock"))

	var seen []string
	for x, err := range c.Entity.EachEntity(ctx, &kitsu.EachEntityOptions{ProjectID: e.project.ID, PageSize: 2}) {
		require.NoError(t, err)
		assert.Equal(t, e.project.ID, x.ProjectID)
		seen = append(seen, x.ID)
	}
	// The episode Zou gave the show, the sequence, the shot, two assets.
	assert.ElementsMatch(t, []string{e.project.FirstEpisodeID, e.sequence.ID, e.shot.ID, e.asset.ID, more.ID}, seen)

	// Stopping early is allowed.
	n := 0
	for _, err := range c.Entity.EachEntity(ctx, &kitsu.EachEntityOptions{ProjectID: e.project.ID, PageSize: 1}) {
		require.NoError(t, err)
		n++
		if n == 2 {
			break
		}
	}
	assert.Equal(t, 2, n)

	for _, bad := range []*kitsu.EachEntityOptions{{ProjectID: "my show"}, {PageSize: -1}} {
		n := 0
		for _, err := range c.Entity.EachEntity(ctx, bad) {
			require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
			n++
		}
		assert.Equal(t, 1, n, "one error, then the walk stops")
	}
}

func TestEntityAllEntityTypes(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	at := kitsutest.NewAssetType(t, c)

	types, err := c.Entity.AllEntityTypes(kitsutest.Context(t))
	require.NoError(t, err)
	names := kitsutest.IDs(types, func(t *kitsu.EntityType) string { return t.Name })
	assert.Contains(t, names, at.Name)
	for _, builtin := range []string{"Shot", "Sequence", "Episode"} {
		assert.Contains(t, names, builtin)
	}
	assert.Contains(t, kitsutest.IDs(types, func(t *kitsu.EntityType) string { return t.ID }), at.ID)
	assertSortedByName(t, types, func(t *kitsu.EntityType) string { return t.Name })
}

func TestEntityGetEntity(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	e := entityTestNew(t, c)

	asset, err := c.Entity.GetEntity(ctx, e.asset.ID)
	require.NoError(t, err)
	assert.Equal(t, e.asset.ID, asset.ID)
	assert.Equal(t, e.asset.Name, asset.Name)
	assert.Equal(t, "Asset", asset.Type)
	assert.Equal(t, e.typ.ID, asset.EntityTypeID)
	assert.Equal(t, e.project.ID, asset.ProjectID)

	shot, err := c.Entity.GetEntity(ctx, e.shot.ID)
	require.NoError(t, err)
	assert.Equal(t, "Shot", shot.Type)
	assert.Equal(t, e.shot.Name, shot.Name)
	assert.Equal(t, e.sequence.ID, shot.ParentID)

	ep, err := c.Entity.GetEntity(ctx, e.project.FirstEpisodeID)
	require.NoError(t, err)
	assert.Equal(t, "Episode", ep.Type)
	assert.Equal(t, "E01", ep.Name)

	_, err = c.Entity.GetEntity(ctx, projectTestUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Entity.GetEntity(ctx, "SH010")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "entity id")
}

func TestEntityGetEntityByName(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	e := entityTestNew(t, c)
	other := kitsutest.NewProject(t, c, false)

	got, err := c.Entity.GetEntityByName(ctx, e.asset.Name, nil)
	require.NoError(t, err)
	assert.Equal(t, e.asset.ID, got.ID)
	assert.Equal(t, "Asset", got.Type)

	got, err = c.Entity.GetEntityByName(ctx, strings.ToLower(e.shot.Name), &kitsu.GetEntityByNameOptions{ProjectID: e.project.ID})
	require.NoError(t, err)
	assert.Equal(t, e.shot.ID, got.ID)
	assert.Equal(t, "Shot", got.Type)

	_, err = c.Entity.GetEntityByName(ctx, e.asset.Name, &kitsu.GetEntityByNameOptions{ProjectID: other.ID})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), e.asset.Name)
	assert.Contains(t, err.Error(), other.ID)
	// An ILIKE wildcard match is not the entity asked for.
	_, err = c.Entity.GetEntityByName(ctx, strings.Replace(e.asset.Name, " ", "_", 1), nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Entity.GetEntityByName(ctx, "", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Entity.GetEntityByName(ctx, e.asset.Name, &kitsu.GetEntityByNameOptions{ProjectID: "show"})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestEntityGetEntityType(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)

	got, err := c.Entity.GetEntityType(ctx, at.ID)
	require.NoError(t, err)
	assert.Equal(t, at.ID, got.ID)
	assert.Equal(t, at.Name, got.Name)
	assert.Equal(t, "EntityType", got.Type)

	_, err = c.Entity.GetEntityType(ctx, projectTestUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Entity.GetEntityType(ctx, "Props")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestEntityGetEntityTypeByName(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)

	got, err := c.Entity.GetEntityTypeByName(ctx, at.Name)
	require.NoError(t, err)
	assert.Equal(t, at.ID, got.ID)
	got, err = c.Entity.GetEntityTypeByName(ctx, strings.ToUpper(at.Name))
	require.NoError(t, err)
	assert.Equal(t, at.ID, got.ID)
	shot, err := c.Entity.GetEntityTypeByName(ctx, "Shot")
	require.NoError(t, err)
	assert.Equal(t, "Shot", shot.Name)

	// "_", "%" and "\" in a name are matched as themselves.
	var odd kitsu.EntityType
	require.NoError(t, c.Create(ctx, "entity-types", map[string]any{"name": kitsutest.Unique(`Kp_FX 100% \o/`)}, &odd))
	t.Cleanup(func() { _, _ = c.Delete(context.Background(), "data/entity-types/"+odd.ID, nil) })
	got, err = c.Entity.GetEntityTypeByName(ctx, odd.Name)
	require.NoError(t, err)
	assert.Equal(t, odd.ID, got.ID)
	_, err = c.Entity.GetEntityTypeByName(ctx, strings.Replace(odd.Name, "_", "X", 1))
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	missing := kitsutest.Unique("No Such Type")
	_, err = c.Entity.GetEntityTypeByName(ctx, missing)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), missing)
	_, err = c.Entity.GetEntityTypeByName(ctx, "%")
	require.ErrorIs(t, err, kitsu.ErrNotFound, "a wildcard alone matches nothing")
	_, err = c.Entity.GetEntityTypeByName(ctx, "  ")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}
