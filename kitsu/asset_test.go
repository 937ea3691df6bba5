package kitsu_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// assetUnknownID is a well-formed id that no record has.
const assetUnknownID = "00000000-0000-4000-8000-000000000000"

func assetIDs(assets []kitsu.Asset) []string {
	return kitsutest.IDs(assets, func(a *kitsu.Asset) string { return a.ID })
}

func assetTypeIDs(types []kitsu.AssetType) []string {
	return kitsutest.IDs(types, func(t *kitsu.AssetType) string { return t.ID })
}

func assetInstanceIDs(instances []kitsu.AssetInstance) []string {
	return kitsutest.IDs(instances, func(i *kitsu.AssetInstance) string { return i.ID })
}

func TestAssetNewAssetAndGetAsset(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, true)
	ep := kitsutest.NewEpisode(t, c, p.ID, "E01")

	tree, err := c.Asset.NewAsset(ctx, p.ID, at.ID, "Tree", &kitsu.NewAssetOptions{
		Description: "a tall tree",
		ExtraData:   map[string]any{"height": "12m"},
		EpisodeID:   ep.ID,
	})
	require.NoError(t, err)
	assert.Equal(t, "Tree", tree.Name)
	assert.Equal(t, "a tall tree", tree.Description)
	assert.Equal(t, p.ID, tree.ProjectID)
	assert.Equal(t, at.ID, tree.EntityTypeID)
	assert.Equal(t, ep.ID, tree.EpisodeID, "the main episode is read from source_id")
	assert.Equal(t, map[string]any{"height": "12m"}, tree.Data)
	assert.False(t, tree.IsShared)

	// Get or create: the same name gives the same asset, unchanged.
	again, err := c.Asset.NewAsset(ctx, p.ID, at.ID, "Tree", &kitsu.NewAssetOptions{Description: "ignored"})
	require.NoError(t, err)
	assert.Equal(t, tree.ID, again.ID)
	assert.Equal(t, "a tall tree", again.Description)

	// Defaults: no description, empty data, no episode, not shared.
	rock, err := c.Asset.NewAsset(ctx, p.ID, at.ID, "Rock", nil)
	require.NoError(t, err)
	assert.NotEqual(t, tree.ID, rock.ID)
	assert.Empty(t, rock.Description)
	assert.Empty(t, rock.EpisodeID)
	shared, err := c.Asset.NewAsset(ctx, p.ID, at.ID, "Cloud", &kitsu.NewAssetOptions{IsShared: true})
	require.NoError(t, err)
	assert.True(t, shared.IsShared)

	got, err := c.Asset.GetAsset(ctx, tree.ID)
	require.NoError(t, err)
	assert.Equal(t, tree.ID, got.ID)
	assert.Equal(t, "Tree", got.Name)
	assert.Equal(t, at.ID, got.AssetTypeID)
	assert.Equal(t, at.Name, got.AssetTypeName)
	assert.Equal(t, p.Name, got.ProjectName)
	assert.Equal(t, ep.ID, got.EpisodeID)
	assert.Empty(t, got.ReadyFor, `Zou's "None" is read as empty`)
	assert.Equal(t, "12m", got.Data["height"])

	_, err = c.Asset.GetAsset(ctx, assetUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Asset.GetAsset(ctx, "tree")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "asset id")

	_, err = c.Asset.NewAsset(ctx, p.ID, at.ID, " ", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "asset name")
	_, err = c.Asset.NewAsset(ctx, "nope", at.ID, "Tree", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "project id")
	_, err = c.Asset.NewAsset(ctx, p.ID, "", "Tree", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Asset.NewAsset(ctx, p.ID, at.ID, "Tree", &kitsu.NewAssetOptions{EpisodeID: "E01"})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "episode id")
	_, err = c.Asset.NewAsset(ctx, p.ID, assetUnknownID, kitsutest.Unique("Ghost"), nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
}

func TestAssetGetAssetByName(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	props := kitsutest.NewAssetType(t, c)
	chars := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)

	// "_" is a wildcard for Zou: Tree_1 matches TreeX1 too.
	wild := kitsutest.NewAsset(t, c, p.ID, props.ID, "", "TreeX1")
	tree := kitsutest.NewAsset(t, c, p.ID, props.ID, "", "Tree_1")
	hero := kitsutest.NewAsset(t, c, p.ID, chars.ID, "", "Hero")

	got, err := c.Asset.GetAssetByName(ctx, p.ID, "Tree_1", nil)
	require.NoError(t, err)
	assert.Equal(t, tree.ID, got.ID)
	got, err = c.Asset.GetAssetByName(ctx, p.ID, "treex1", nil)
	require.NoError(t, err)
	assert.Equal(t, wild.ID, got.ID, "names match without regard to case")
	got, err = c.Asset.GetAssetByName(ctx, p.ID, "Hero", &kitsu.GetAssetByNameOptions{AssetTypeID: chars.ID})
	require.NoError(t, err)
	assert.Equal(t, hero.ID, got.ID)

	_, err = c.Asset.GetAssetByName(ctx, p.ID, "Hero", &kitsu.GetAssetByNameOptions{AssetTypeID: props.ID})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), `"Hero"`)
	_, err = c.Asset.GetAssetByName(ctx, p.ID, "Tree%", nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound, "a wildcard match is not the asset asked for")
	_, err = c.Asset.GetAssetByName(ctx, assetUnknownID, "Hero", nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Asset.GetAssetByName(ctx, p.ID, "", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Asset.GetAssetByName(ctx, "p1", "Hero", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Asset.GetAssetByName(ctx, p.ID, "Hero", &kitsu.GetAssetByNameOptions{AssetTypeID: "props"})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "asset type id")
}

func TestAssetAllAssetsForProject(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	other := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)
	rock := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "rock")
	tree := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Tree")
	apple := kitsutest.NewAsset(t, c, p.ID, other.ID, "", "Apple")

	got, err := c.Asset.AllAssetsForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{apple.ID, rock.ID, tree.ID}, assetIDs(got), "sorted by name, case ignored")

	byType, err := c.Asset.AllAssetsForProjectAndType(ctx, p.ID, at.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{rock.ID, tree.ID}, assetIDs(byType))
	byType, err = c.Asset.AllAssetsForProjectAndType(ctx, p.ID, other.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{apple.ID}, assetIDs(byType))

	// An empty project id lists the assets of every project.
	all, err := c.Asset.AllAssetsForProject(ctx, "")
	require.NoError(t, err)
	assert.Subset(t, assetIDs(all), []string{apple.ID, rock.ID, tree.ID})

	// Unknown ids give empty lists, never nil.
	empty, err := c.Asset.AllAssetsForProject(ctx, assetUnknownID)
	require.NoError(t, err)
	assert.NotNil(t, empty)
	assert.Empty(t, empty)
	empty, err = c.Asset.AllAssetsForProjectAndType(ctx, p.ID, assetUnknownID)
	require.NoError(t, err)
	assert.NotNil(t, empty)
	assert.Empty(t, empty)

	_, err = c.Asset.AllAssetsForProject(ctx, "my project")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Asset.AllAssetsForProjectAndType(ctx, p.ID, "Props")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "asset type id")
}

func TestAssetAllAssetsForOpenProjects(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	open1 := kitsutest.NewProject(t, c, false)
	open2 := kitsutest.NewProject(t, c, true)
	closed := kitsutest.NewProject(t, c, false)
	a1 := kitsutest.NewAsset(t, c, open1.ID, at.ID, "", kitsutest.Unique("Open one"))
	a2 := kitsutest.NewAsset(t, c, open2.ID, at.ID, "", kitsutest.Unique("Open two"))
	hidden := kitsutest.NewAsset(t, c, closed.ID, at.ID, "", kitsutest.Unique("Closed"))
	kitsutest.CloseProject(t, c, closed.ID)

	got, err := c.Asset.AllAssetsForOpenProjects(ctx)
	require.NoError(t, err)
	ids := assetIDs(got)
	assert.Contains(t, ids, a1.ID)
	assert.Contains(t, ids, a2.ID)
	assert.NotContains(t, ids, hidden.ID)
	assert.IsNonDecreasing(t, kitsutest.IDs(got, func(a *kitsu.Asset) string { return strings.ToLower(a.Name) }))
}

func TestAssetAllAssetsForEpisode(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, true)
	e1 := kitsutest.NewEpisode(t, c, p.ID, "E01")
	e2 := kitsutest.NewEpisode(t, c, p.ID, "E02")
	sq := kitsutest.NewSequence(t, c, p.ID, e1.ID, "SQ01")
	sh := kitsutest.NewShot(t, c, p.ID, sq.ID, "SH010")
	tree := kitsutest.NewAsset(t, c, p.ID, at.ID, e1.ID, "Tree")
	bush := kitsutest.NewAsset(t, c, p.ID, at.ID, e1.ID, "bush")
	guest := kitsutest.NewAsset(t, c, p.ID, at.ID, e2.ID, "Guest")
	main := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Main pack")
	// Guest (of E02) and Main pack (no episode) are cast in a shot of E01.
	_, err := c.Casting.UpdateShotCasting(ctx, p.ID, sh.ID, []kitsu.Casting{{AssetID: guest.ID}, {AssetID: main.ID}})
	require.NoError(t, err)

	got, err := c.Asset.AllAssetsForEpisode(ctx, e1.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{bush.ID, tree.ID}, assetIDs(got), "gazu's list: main episode only")
	for _, a := range got {
		assert.Equal(t, e1.ID, a.EpisodeID)
	}

	withCast, err := c.Asset.AllAssetsForEpisode(ctx, e1.ID, &kitsu.AllAssetsForEpisodeOptions{IncludeCast: true})
	require.NoError(t, err)
	assert.Equal(t, []string{bush.ID, guest.ID, main.ID, tree.ID}, assetIDs(withCast))

	got, err = c.Asset.AllAssetsForEpisode(ctx, e2.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{guest.ID}, assetIDs(got))

	empty, err := c.Asset.AllAssetsForEpisode(ctx, assetUnknownID, nil)
	require.NoError(t, err)
	assert.NotNil(t, empty)
	assert.Empty(t, empty)
	_, err = c.Asset.AllAssetsForEpisode(ctx, assetUnknownID, &kitsu.AllAssetsForEpisodeOptions{IncludeCast: true})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Asset.AllAssetsForEpisode(ctx, "E01", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestAssetAllAssetsAndAssetTypesForShot(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	props := kitsutest.NewAssetType(t, c)
	chars := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)
	sq := kitsutest.NewSequence(t, c, p.ID, "", "SQ01")
	sh := kitsutest.NewShot(t, c, p.ID, sq.ID, "SH010")
	empty := kitsutest.NewShot(t, c, p.ID, sq.ID, "SH020")
	tree := kitsutest.NewAsset(t, c, p.ID, props.ID, "", "Tree")
	hero := kitsutest.NewAsset(t, c, p.ID, chars.ID, "", "Hero")
	kitsutest.NewAsset(t, c, p.ID, props.ID, "", "Unused")
	_, err := c.Casting.UpdateShotCasting(ctx, p.ID, sh.ID, []kitsu.Casting{{AssetID: tree.ID, NbOccurences: 2}, {AssetID: hero.ID}})
	require.NoError(t, err)

	assets, err := c.Asset.AllAssetsForShot(ctx, sh.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{hero.ID, tree.ID}, assetIDs(assets))

	types, err := c.Asset.AllAssetTypesForShot(ctx, sh.ID)
	require.NoError(t, err)
	want := []string{props.ID, chars.ID}
	if strings.ToLower(chars.Name) < strings.ToLower(props.Name) {
		want = []string{chars.ID, props.ID}
	}
	assert.Equal(t, want, assetTypeIDs(types), "sorted by name")

	none, err := c.Asset.AllAssetsForShot(ctx, empty.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)
	noTypes, err := c.Asset.AllAssetTypesForShot(ctx, empty.ID)
	require.NoError(t, err)
	assert.NotNil(t, noTypes)
	assert.Empty(t, noTypes)

	_, err = c.Asset.AllAssetsForShot(ctx, assetUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Asset.AllAssetTypesForShot(ctx, assetUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Asset.AllAssetsForShot(ctx, "SH010")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Asset.AllAssetTypesForShot(ctx, "")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "shot id")
}

func TestAssetAssetTypes(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	props := kitsutest.NewAssetType(t, c)
	chars := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)
	tree := kitsutest.NewAsset(t, c, p.ID, props.ID, "", "Tree")

	all, err := c.Asset.AllAssetTypes(ctx)
	require.NoError(t, err)
	assert.Subset(t, assetTypeIDs(all), []string{props.ID, chars.ID})
	assert.IsNonDecreasing(t, kitsutest.IDs(all, func(t *kitsu.AssetType) string { return strings.ToLower(t.Name) }))
	for _, at := range all {
		assert.NotContains(t, []string{"Shot", "Sequence", "Episode"}, at.Name, "Zou's own types are not asset types")
	}

	inProject, err := c.Asset.AllAssetTypesForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{props.ID}, assetTypeIDs(inProject), "only the types the project's assets use")
	none, err := c.Asset.AllAssetTypesForProject(ctx, assetUnknownID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)
	_, err = c.Asset.AllAssetTypesForProject(ctx, "p")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)

	got, err := c.Asset.GetAssetType(ctx, props.ID)
	require.NoError(t, err)
	assert.Equal(t, props.Name, got.Name)
	_, err = c.Asset.GetAssetType(ctx, assetUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Asset.GetAssetType(ctx, "Props")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)

	got, err = c.Asset.GetAssetTypeByName(ctx, strings.ToUpper(chars.Name))
	require.NoError(t, err)
	assert.Equal(t, chars.ID, got.ID)
	_, err = c.Asset.GetAssetTypeByName(ctx, kitsutest.Unique("No such type"))
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Asset.GetAssetTypeByName(ctx, "Shot")
	require.ErrorIs(t, err, kitsu.ErrNotFound, "Shot is an entity type, not an asset type")
	_, err = c.Asset.GetAssetTypeByName(ctx, "")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)

	// From an asset as listed (entity_type_id) and as read (asset_type_id).
	got, err = c.Asset.GetAssetTypeFromAsset(ctx, *tree)
	require.NoError(t, err)
	assert.Equal(t, props.ID, got.ID)
	got, err = c.Asset.GetAssetTypeFromAsset(ctx, kitsu.Asset{AssetTypeID: props.ID})
	require.NoError(t, err)
	assert.Equal(t, props.ID, got.ID)
	_, err = c.Asset.GetAssetTypeFromAsset(ctx, kitsu.Asset{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: tree.ID}}})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "asset.EntityTypeID")
	_, err = c.Asset.GetAssetTypeFromAsset(ctx, kitsu.Asset{AssetTypeID: "Props"})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Asset.GetAssetTypeFromAsset(ctx, kitsu.Asset{AssetTypeID: assetUnknownID})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
}

func TestAssetNewAndRemoveAssetType(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	name := kitsutest.Unique("Vehicles")

	created, err := c.Asset.NewAssetType(ctx, name)
	require.NoError(t, err)
	kitsutest.DeleteOnCleanup(t, c, "data/entity-types/"+created.ID, nil)
	assert.Equal(t, name, created.Name)
	again, err := c.Asset.NewAssetType(ctx, strings.ToLower(name))
	require.NoError(t, err)
	assert.Equal(t, created.ID, again.ID, "get or create")
	_, err = c.Asset.NewAssetType(ctx, "  ")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)

	// Zou refuses to remove a type that assets use.
	p := kitsutest.NewProject(t, c, false)
	kitsutest.NewAsset(t, c, p.ID, created.ID, "", "Car")
	require.ErrorIs(t, c.Asset.RemoveAssetType(ctx, created.ID), kitsu.ErrParameter)
	kitsutest.RemoveProject(t, c, p.ID)

	require.NoError(t, c.Asset.RemoveAssetType(ctx, created.ID))
	_, err = c.Asset.GetAssetType(ctx, created.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	require.ErrorIs(t, c.Asset.RemoveAssetType(ctx, created.ID), kitsu.ErrNotFound)
	require.ErrorIs(t, c.Asset.RemoveAssetType(ctx, "Vehicles"), kitsu.ErrInvalidArgument)

	// The Shot entity type is not an asset type, and is never removed.
	var shotType kitsu.EntityType
	require.NoError(t, c.FetchFirst(ctx, "entity-types", &shotType, &kitsu.RequestOptions{Params: params("name", "Shot")}))
	require.ErrorIs(t, c.Asset.RemoveAssetType(ctx, shotType.ID), kitsu.ErrNotFound)
	require.NoError(t, c.FetchOne(ctx, "entity-types", shotType.ID, &shotType, nil))
}

func TestAssetGetAssetURL(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	film := kitsutest.NewProject(t, c, false)
	show := kitsutest.NewProject(t, c, true)
	ep := kitsutest.NewEpisode(t, c, show.ID, "E01")
	filmAsset := kitsutest.NewAsset(t, c, film.ID, at.ID, "", "Tree")
	epAsset := kitsutest.NewAsset(t, c, show.ID, at.ID, ep.ID, "Tree")
	mainAsset := kitsutest.NewAsset(t, c, show.ID, at.ID, "", "Rock")
	site := strings.TrimSuffix(c.GetHost(), "/api")

	got, err := c.Asset.GetAssetURL(ctx, filmAsset.ID)
	require.NoError(t, err)
	assert.Equal(t, site+"/productions/"+film.ID+"/assets/"+filmAsset.ID+"/", got)
	got, err = c.Asset.GetAssetURL(ctx, epAsset.ID)
	require.NoError(t, err)
	assert.Equal(t, site+"/productions/"+show.ID+"/episodes/"+ep.ID+"/assets/"+epAsset.ID+"/", got)
	got, err = c.Asset.GetAssetURL(ctx, mainAsset.ID)
	require.NoError(t, err)
	assert.Equal(t, site+"/productions/"+show.ID+"/episodes/main/assets/"+mainAsset.ID+"/", got)

	_, err = c.Asset.GetAssetURL(ctx, assetUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Asset.GetAssetURL(ctx, "Tree")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestAssetGetEpisodeFromAsset(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, true)
	ep := kitsutest.NewEpisode(t, c, p.ID, "E07")
	listed := kitsutest.NewAsset(t, c, p.ID, at.ID, ep.ID, "Tree")
	noEpisode := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Rock")

	// As created (source_id), as read (episode_id), and with only its id.
	got, err := c.Asset.GetEpisodeFromAsset(ctx, *listed)
	require.NoError(t, err)
	assert.Equal(t, ep.ID, got.ID)
	assert.Equal(t, "E07", got.Name)
	read, err := c.Asset.GetAsset(ctx, listed.ID)
	require.NoError(t, err)
	got, err = c.Asset.GetEpisodeFromAsset(ctx, *read)
	require.NoError(t, err)
	assert.Equal(t, ep.ID, got.ID)
	got, err = c.Asset.GetEpisodeFromAsset(ctx, kitsu.Asset{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: listed.ID}}})
	require.NoError(t, err)
	assert.Equal(t, ep.ID, got.ID)

	_, err = c.Asset.GetEpisodeFromAsset(ctx, *noEpisode)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), "no main episode")
	_, err = c.Asset.GetEpisodeFromAsset(ctx, kitsu.Asset{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: assetUnknownID}}})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Asset.GetEpisodeFromAsset(ctx, kitsu.Asset{})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestAssetUpdateAsset(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, true)
	e1 := kitsutest.NewEpisode(t, c, p.ID, "E01")
	e2 := kitsutest.NewEpisode(t, c, p.ID, "E02")
	created, err := c.Asset.NewAsset(ctx, p.ID, at.ID, "Tree", &kitsu.NewAssetOptions{EpisodeID: e1.ID, ExtraData: map[string]any{"kept": "yes"}})
	require.NoError(t, err)

	updated, err := c.Asset.UpdateAsset(ctx, created.ID, kitsu.AssetChanges{
		Name:        kitsu.Ptr("Oak"),
		Description: kitsu.Ptr("an oak"),
		SourceID:    kitsu.Ptr(e2.ID),
		Data:        map[string]any{"leaves": float64(1000)},
	})
	require.NoError(t, err)
	assert.Equal(t, "Oak", updated.Name)
	assert.Equal(t, "an oak", updated.Description)
	assert.Equal(t, e2.ID, updated.EpisodeID)

	got, err := c.Asset.GetAsset(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, "Oak", got.Name)
	assert.Equal(t, "an oak", got.Description)
	assert.Equal(t, e2.ID, got.EpisodeID)
	assert.Equal(t, map[string]any{"kept": "yes", "leaves": float64(1000)}, got.Data, "Zou merges data")

	updated, err = c.Asset.UpdateAsset(ctx, created.ID, kitsu.AssetChanges{IsCastingStandby: kitsu.Ptr(true)})
	require.NoError(t, err)
	assert.True(t, updated.IsCastingStandby)
	assert.Equal(t, "Oak", updated.Name)

	_, err = c.Asset.UpdateAsset(ctx, assetUnknownID, kitsu.AssetChanges{Name: kitsu.Ptr("x")})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Asset.UpdateAsset(ctx, "", kitsu.AssetChanges{Name: kitsu.Ptr("x")})
	kitsutest.RequireInvalid(t, err, "asset id")
	_, err = c.Asset.UpdateAsset(ctx, created.ID, kitsu.AssetChanges{})
	kitsutest.RequireInvalid(t, err, "asset changes")
	_, err = c.Asset.UpdateAsset(ctx, created.ID, kitsu.AssetChanges{EntityTypeID: kitsu.Ptr("")})
	kitsutest.RequireInvalid(t, err, "asset changes EntityTypeID")
}

// TestAssetUpdateAssetChangesOnlyWhatIsSet: a shared, canceled asset on
// casting standby, with every other field set, keeps them all when one
// field changes (the update used to un-share it).
func TestAssetUpdateAssetChangesOnlyWhatIsSet(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	other := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, true)
	e1 := kitsutest.NewEpisode(t, c, p.ID, "E01")
	modeling := kitsutest.TaskTypeNamed(t, c, "Modeling")
	asset := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Tree")

	data := map[string]any{"leaves": 1000.0, "kind": "oak"}
	all := kitsu.AssetChanges(allSetEntity(modeling.ID, data))
	all.EntityTypeID = kitsu.Ptr(other.ID)
	all.SourceID = kitsu.Ptr(e1.ID)
	_, err := c.Asset.UpdateAsset(ctx, asset.ID, all)
	require.NoError(t, err)
	before, err := c.Asset.GetAsset(ctx, asset.ID)
	require.NoError(t, err)
	requireAllSet(t, &before.EntityFields, modeling.ID, data, 0)
	require.Equal(t, other.ID, before.EntityTypeID)
	require.Equal(t, e1.ID, before.EpisodeID)

	_, err = c.Asset.UpdateAsset(ctx, asset.ID, kitsu.AssetChanges{Description: kitsu.Ptr("only this")})
	require.NoError(t, err)
	after, err := c.Asset.GetAsset(ctx, asset.ID)
	require.NoError(t, err)
	require.True(t, after.IsShared, "the asset stays shared")
	requireOnlyChanged(t, before, after, assetBase, func(a *kitsu.Asset) { a.Description = "only this" })

	_, err = c.Asset.UpdateAsset(ctx, asset.ID, kitsu.AssetChanges{IsCastingStandby: kitsu.Ptr(false)})
	require.NoError(t, err)
	again, err := c.Asset.GetAsset(ctx, asset.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, after, again, assetBase, func(a *kitsu.Asset) { a.IsCastingStandby = false })
}

func TestAssetUpdateAssetData(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)
	asset, err := c.Asset.NewAsset(ctx, p.ID, at.ID, "Tree", &kitsu.NewAssetOptions{ExtraData: map[string]any{"height": "12m", "color": "green"}})
	require.NoError(t, err)

	updated, err := c.Asset.UpdateAssetData(ctx, asset.ID, map[string]any{"color": "red", "age": float64(80)})
	require.NoError(t, err)
	want := map[string]any{"height": "12m", "color": "red", "age": float64(80)}
	assert.Equal(t, want, updated.Data)
	got, err := c.Asset.GetAsset(ctx, asset.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got.Data)
	assert.Equal(t, "Tree", got.Name, "other fields are untouched")

	updated, err = c.Asset.UpdateAssetData(ctx, asset.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, want, updated.Data)

	_, err = c.Asset.UpdateAssetData(ctx, assetUnknownID, map[string]any{"a": "b"})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Asset.UpdateAssetData(ctx, "Tree", map[string]any{"a": "b"})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestAssetRemoveAsset(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)
	plain := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Plain")
	tasked := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Tasked")

	require.NoError(t, c.Asset.RemoveAsset(ctx, plain.ID, nil))
	_, err := c.Asset.GetAsset(ctx, plain.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	// An asset with a task is only canceled, unless forced.
	kitsutest.NewTask(t, c, p.ID, tasked.ID, kitsutest.TaskTypeNamed(t, c, "Modeling").ID, "main")
	require.NoError(t, c.Asset.RemoveAsset(ctx, tasked.ID, &kitsu.RemoveAssetOptions{}))
	got, err := c.Asset.GetAsset(ctx, tasked.ID)
	require.NoError(t, err)
	assert.True(t, got.Canceled)

	require.NoError(t, c.Asset.RemoveAsset(ctx, tasked.ID, &kitsu.RemoveAssetOptions{Force: true}))
	_, err = c.Asset.GetAsset(ctx, tasked.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	require.ErrorIs(t, c.Asset.RemoveAsset(ctx, tasked.ID, nil), kitsu.ErrNotFound)
	require.ErrorIs(t, c.Asset.RemoveAsset(ctx, "Tasked", nil), kitsu.ErrInvalidArgument)
}

func TestAssetAssetInstances(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)
	set := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Forest")
	tree := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Tree")
	rock := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Rock")

	// Instances inside an asset: numbered per instantiated asset.
	tree1, err := c.Asset.NewAssetAssetInstance(ctx, set.ID, tree.ID, &kitsu.NewAssetAssetInstanceOptions{Description: "by the river"})
	require.NoError(t, err)
	kitsutest.RemoveAssetInstanceOnCleanup(t, c, tree1.ID)
	tree2, err := c.Asset.NewAssetAssetInstance(ctx, set.ID, tree.ID, nil)
	require.NoError(t, err)
	kitsutest.RemoveAssetInstanceOnCleanup(t, c, tree2.ID)
	rock1, err := c.Asset.NewAssetAssetInstance(ctx, set.ID, rock.ID, nil)
	require.NoError(t, err)
	kitsutest.RemoveAssetInstanceOnCleanup(t, c, rock1.ID)
	assert.Equal(t, "Tree_0001", tree1.Name)
	assert.Equal(t, 1, tree1.Number)
	assert.Equal(t, "by the river", tree1.Description)
	assert.Equal(t, tree.ID, tree1.AssetID)
	assert.Equal(t, set.ID, tree1.TargetAssetID)
	assert.True(t, tree1.Active)
	assert.Equal(t, "Tree_0002", tree2.Name)
	assert.Equal(t, 2, tree2.Number)
	assert.Equal(t, "Rock_0001", rock1.Name)

	inSet, err := c.Asset.AllAssetInstancesForAsset(ctx, set.ID)
	require.NoError(t, err)
	require.Len(t, inSet, 2)
	assert.Equal(t, []string{tree1.ID, tree2.ID}, assetInstanceIDs(inSet[tree.ID]))
	assert.Equal(t, []string{rock1.ID}, assetInstanceIDs(inSet[rock.ID]))
	empty, err := c.Asset.AllAssetInstancesForAsset(ctx, tree.ID)
	require.NoError(t, err)
	assert.NotNil(t, empty)
	assert.Empty(t, empty)

	got, err := c.Asset.GetAssetInstance(ctx, tree2.ID)
	require.NoError(t, err)
	assert.Equal(t, "Tree_0002", got.Name)
	assert.Equal(t, set.ID, got.TargetAssetID)

	disabled, err := c.Asset.DisableAssetInstance(ctx, tree2.ID)
	require.NoError(t, err)
	assert.False(t, disabled.Active)
	got, err = c.Asset.GetAssetInstance(ctx, tree2.ID)
	require.NoError(t, err)
	assert.False(t, got.Active)
	enabled, err := c.Asset.EnableAssetInstance(ctx, tree2.ID)
	require.NoError(t, err)
	assert.True(t, enabled.Active)
	got, err = c.Asset.GetAssetInstance(ctx, tree2.ID)
	require.NoError(t, err)
	assert.True(t, got.Active)

	// The same instance in a shot's instance casting.
	sq := kitsutest.NewSequence(t, c, p.ID, "", "SQ01")
	sh := kitsutest.NewShot(t, c, p.ID, sq.ID, "SH010")
	require.NoError(t, c.Post(ctx, "data/shots/"+sh.ID+"/asset-instances", map[string]any{"asset_instance_id": tree1.ID}, nil, nil))
	inShot, err := c.Asset.AllAssetInstancesForShot(ctx, sh.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{tree.ID: {tree1.ID}}, map[string][]string{tree.ID: assetInstanceIDs(inShot[tree.ID])})
	assert.Len(t, inShot, 1)
	shots, err := c.Asset.AllShotAssetInstancesForAsset(ctx, tree.ID)
	require.NoError(t, err)
	require.Len(t, shots, 1)
	assert.Equal(t, []string{tree1.ID}, assetInstanceIDs(shots[sh.ID]))

	// An instance in a layout scene; those in the set are not scene ones.
	scene := kitsutest.NewScene(t, c, p.ID, sq.ID, "SC01")
	var inScene kitsu.AssetInstance
	require.NoError(t, c.Post(ctx, "data/scenes/"+scene.ID+"/asset-instances", map[string]any{"asset_id": tree.ID}, &inScene, nil))
	kitsutest.RemoveAssetInstanceOnCleanup(t, c, inScene.ID)
	scenes, err := c.Asset.AllSceneAssetInstancesForAsset(ctx, tree.ID)
	require.NoError(t, err)
	assert.Len(t, scenes, 1, "instances in no scene are left out")
	assert.Equal(t, []string{inScene.ID}, assetInstanceIDs(scenes[scene.ID]))
	noScene, err := c.Asset.AllSceneAssetInstancesForAsset(ctx, rock.ID)
	require.NoError(t, err)
	assert.NotNil(t, noScene)
	assert.Empty(t, noScene)

	// Not found and bad input.
	_, err = c.Asset.NewAssetAssetInstance(ctx, assetUnknownID, tree.ID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Asset.NewAssetAssetInstance(ctx, set.ID, "Tree", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "asset to instantiate id")
	for name, call := range map[string]func(string) error{
		"GetAssetInstance":               func(id string) error { _, err := c.Asset.GetAssetInstance(ctx, id); return err },
		"EnableAssetInstance":            func(id string) error { _, err := c.Asset.EnableAssetInstance(ctx, id); return err },
		"DisableAssetInstance":           func(id string) error { _, err := c.Asset.DisableAssetInstance(ctx, id); return err },
		"AllAssetInstancesForAsset":      func(id string) error { _, err := c.Asset.AllAssetInstancesForAsset(ctx, id); return err },
		"AllAssetInstancesForShot":       func(id string) error { _, err := c.Asset.AllAssetInstancesForShot(ctx, id); return err },
		"AllShotAssetInstancesForAsset":  func(id string) error { _, err := c.Asset.AllShotAssetInstancesForAsset(ctx, id); return err },
		"AllSceneAssetInstancesForAsset": func(id string) error { _, err := c.Asset.AllSceneAssetInstancesForAsset(ctx, id); return err },
	} {
		assert.ErrorIs(t, call(assetUnknownID), kitsu.ErrNotFound, name)
		assert.ErrorIs(t, call("Tree_0001"), kitsu.ErrInvalidArgument, name)
	}
}
