package kitsu_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// castingByAsset indexes a casting by asset id.
func castingByAsset(casting []kitsu.Casting) map[string]kitsu.Casting {
	out := make(map[string]kitsu.Casting, len(casting))
	for _, c := range casting {
		out[c.AssetID] = c
	}
	return out
}

func castingAssetIDs(casting []kitsu.Casting) []string {
	return kitsutest.IDs(casting, func(c *kitsu.Casting) string { return c.AssetID })
}

func TestCastingShot(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, true)
	ep := kitsutest.NewEpisode(t, c, p.ID, "E01")
	sq := kitsutest.NewSequence(t, c, p.ID, ep.ID, "SQ01")
	sh1 := kitsutest.NewShot(t, c, p.ID, sq.ID, "SH010")
	sh2 := kitsutest.NewShot(t, c, p.ID, sq.ID, "SH020")
	kitsutest.NewShot(t, c, p.ID, sq.ID, "SH030") // never cast
	tree := kitsutest.NewAsset(t, c, p.ID, at.ID, ep.ID, "Tree")
	rock := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Rock")

	saved, err := c.Casting.UpdateShotCasting(ctx, p.ID, sh1.ID, []kitsu.Casting{
		{AssetID: tree.ID, NbOccurences: 3, Label: "animate"},
		{AssetID: rock.ID}, // 0 occurrences is sent as 1
	})
	require.NoError(t, err)
	assert.Equal(t, []string{tree.ID, rock.ID}, castingAssetIDs(saved))
	assert.Equal(t, 1, saved[1].NbOccurences)
	_, err = c.Casting.UpdateShotCasting(ctx, p.ID, sh2.ID, []kitsu.Casting{{AssetID: tree.ID, NbOccurences: 1, Label: "fixed"}})
	require.NoError(t, err)

	casting, err := c.Casting.GetShotCasting(ctx, *sh1)
	require.NoError(t, err)
	assert.Equal(t, []string{rock.ID, tree.ID}, castingAssetIDs(casting), "ordered by type then name")
	byAsset := castingByAsset(casting)
	assert.Equal(t, 3, byAsset[tree.ID].NbOccurences)
	assert.Equal(t, "animate", byAsset[tree.ID].Label)
	assert.Equal(t, "Tree", byAsset[tree.ID].AssetName)
	assert.Equal(t, at.Name, byAsset[tree.ID].AssetTypeName)
	assert.Equal(t, ep.ID, byAsset[tree.ID].EpisodeID)
	assert.Equal(t, p.ID, byAsset[tree.ID].ProjectID)
	assert.Equal(t, 1, byAsset[rock.ID].NbOccurences)
	assert.Empty(t, byAsset[rock.ID].Label)

	seq, err := c.Casting.GetSequenceCasting(ctx, *sq)
	require.NoError(t, err)
	assert.Len(t, seq, 2, "shots with no casting are absent")
	assert.Equal(t, []string{rock.ID, tree.ID}, castingAssetIDs(seq[sh1.ID]))
	assert.Equal(t, []string{tree.ID}, castingAssetIDs(seq[sh2.ID]))
	assert.Equal(t, "fixed", seq[sh2.ID][0].Label)
	assert.Equal(t, "SQ01", seq[sh2.ID][0].Extra["sequence_name"])

	castIn, err := c.Casting.GetAssetCastIn(ctx, tree.ID)
	require.NoError(t, err)
	require.Len(t, castIn, 2)
	assert.Equal(t, sh1.ID, castIn[0].ShotID)
	assert.Equal(t, "SH010", castIn[0].ShotName)
	assert.Equal(t, "SQ01", castIn[0].SequenceName)
	assert.Equal(t, ep.ID, castIn[0].EpisodeID)
	assert.Equal(t, "E01", castIn[0].EpisodeName)
	assert.Equal(t, 3, castIn[0].NbOccurences)
	assert.Equal(t, sh2.ID, castIn[1].ShotID)

	// Casting in a shot also casts the asset in the shot's episode.
	links, err := c.Casting.AllEntityLinksForProject(ctx, p.ID)
	require.NoError(t, err)
	type pair struct{ in, out string }
	got := map[pair]kitsu.EntityLink{}
	for _, l := range links {
		got[pair{l.EntityInID, l.EntityOutID}] = l
	}
	assert.Len(t, links, 5)
	assert.Equal(t, 3, got[pair{sh1.ID, tree.ID}].NbOccurences)
	assert.Equal(t, "animate", got[pair{sh1.ID, tree.ID}].Label)
	assert.Equal(t, 1, got[pair{sh1.ID, rock.ID}].NbOccurences)
	assert.Equal(t, "fixed", got[pair{sh2.ID, tree.ID}].Label)
	assert.Equal(t, true, got[pair{ep.ID, tree.ID}].Data["auto"])
	assert.Equal(t, true, got[pair{ep.ID, rock.ID}].Data["auto"])
	assert.False(t, got[pair{sh1.ID, tree.ID}].CreatedAt.IsZero())

	// Zou answers the casting as sent, but records no link to an unknown
	// asset.
	saved, err = c.Casting.UpdateShotCasting(ctx, p.ID, sh2.ID, []kitsu.Casting{{AssetID: rock.ID, NbOccurences: 2}, {AssetID: assetUnknownID}})
	require.NoError(t, err)
	assert.Equal(t, []string{rock.ID, assetUnknownID}, castingAssetIDs(saved))
	casting, err = c.Casting.GetShotCasting(ctx, *sh2)
	require.NoError(t, err)
	assert.Equal(t, []string{rock.ID}, castingAssetIDs(casting))
	assert.Equal(t, 2, casting[0].NbOccurences)

	// An empty casting removes every asset.
	saved, err = c.Casting.UpdateShotCasting(ctx, p.ID, sh1.ID, nil)
	require.NoError(t, err)
	assert.NotNil(t, saved)
	assert.Empty(t, saved)
	casting, err = c.Casting.GetShotCasting(ctx, *sh1)
	require.NoError(t, err)
	assert.NotNil(t, casting)
	assert.Empty(t, casting)
	castIn, err = c.Casting.GetAssetCastIn(ctx, rock.ID)
	require.NoError(t, err)
	require.Len(t, castIn, 1)
	assert.Equal(t, sh2.ID, castIn[0].ShotID)
	assert.Equal(t, 2, castIn[0].NbOccurences)
	_, err = c.Casting.UpdateShotCasting(ctx, p.ID, sh2.ID, []kitsu.Casting{})
	require.NoError(t, err)
	castIn, err = c.Casting.GetAssetCastIn(ctx, rock.ID)
	require.NoError(t, err)
	assert.NotNil(t, castIn)
	assert.Empty(t, castIn)

	// Not found and bad input.
	_, err = c.Casting.GetShotCasting(ctx, kitsu.Shot{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: assetUnknownID}, ProjectID: p.ID}})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Casting.GetShotCasting(ctx, kitsu.Shot{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: sh1.ID}}})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "shot project id")
	_, err = c.Casting.GetSequenceCasting(ctx, kitsu.Sequence{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: assetUnknownID}, ProjectID: p.ID}})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Casting.GetSequenceCasting(ctx, kitsu.Sequence{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: "SQ01"}, ProjectID: p.ID}})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Casting.GetAssetCastIn(ctx, assetUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Casting.GetAssetCastIn(ctx, "Tree")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Casting.AllEntityLinksForProject(ctx, assetUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Casting.AllEntityLinksForProject(ctx, "")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Casting.UpdateShotCasting(ctx, p.ID, assetUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Casting.UpdateShotCasting(ctx, p.ID, sh1.ID, []kitsu.Casting{{AssetID: "Tree"}})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "casting[0].AssetID")
	_, err = c.Casting.UpdateShotCasting(ctx, p.ID, sh1.ID, []kitsu.Casting{{AssetID: tree.ID, NbOccurences: -1}})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Casting.UpdateShotCasting(ctx, "p", sh1.ID, nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestCastingAsset(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	sets := kitsutest.NewAssetType(t, c)
	props := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)
	forest := kitsutest.NewAsset(t, c, p.ID, sets.ID, "", "Forest")
	garden := kitsutest.NewAsset(t, c, p.ID, sets.ID, "", "Garden")
	kitsutest.NewAsset(t, c, p.ID, sets.ID, "", "Desert") // casts nothing
	tree := kitsutest.NewAsset(t, c, p.ID, props.ID, "", "Tree")
	rock := kitsutest.NewAsset(t, c, p.ID, props.ID, "", "Rock")
	sq := kitsutest.NewSequence(t, c, p.ID, "", "SQ01")
	sh := kitsutest.NewShot(t, c, p.ID, sq.ID, "SH010")

	saved, err := c.Casting.UpdateAssetCasting(ctx, p.ID, forest.ID, []kitsu.Casting{
		{AssetID: tree.ID, NbOccurences: 12, Label: "background"},
		{AssetID: rock.ID, NbOccurences: 4},
	})
	require.NoError(t, err)
	assert.Equal(t, []string{tree.ID, rock.ID}, castingAssetIDs(saved))
	assert.Equal(t, 12, saved[0].NbOccurences)
	_, err = c.Casting.UpdateAssetCasting(ctx, p.ID, garden.ID, []kitsu.Casting{{AssetID: tree.ID, NbOccurences: 2}})
	require.NoError(t, err)
	_, err = c.Casting.UpdateShotCasting(ctx, p.ID, sh.ID, []kitsu.Casting{{AssetID: tree.ID, NbOccurences: 1}})
	require.NoError(t, err)

	casting, err := c.Casting.GetAssetCasting(ctx, *forest)
	require.NoError(t, err)
	assert.Equal(t, []string{rock.ID, tree.ID}, castingAssetIDs(casting), "ordered by name")
	byAsset := castingByAsset(casting)
	assert.Equal(t, 12, byAsset[tree.ID].NbOccurences)
	assert.Equal(t, "background", byAsset[tree.ID].Label)
	assert.Equal(t, 4, byAsset[rock.ID].NbOccurences)
	assert.Equal(t, "Rock", byAsset[rock.ID].AssetName)

	byType, err := c.Casting.GetAssetTypeCasting(ctx, p.ID, sets.ID)
	require.NoError(t, err)
	assert.Len(t, byType, 2, "assets that cast nothing are absent")
	assert.Equal(t, []string{rock.ID, tree.ID}, castingAssetIDs(byType[forest.ID]))
	assert.Equal(t, []string{tree.ID}, castingAssetIDs(byType[garden.ID]))
	assert.Equal(t, 2, byType[garden.ID][0].NbOccurences)
	none, err := c.Casting.GetAssetTypeCasting(ctx, p.ID, props.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	// The tree is cast in a shot (first, with no episode) and in two sets.
	castIn, err := c.Casting.GetAssetCastIn(ctx, tree.ID)
	require.NoError(t, err)
	require.Len(t, castIn, 3)
	assert.Equal(t, sh.ID, castIn[0].ShotID)
	assert.Equal(t, "SH010", castIn[0].ShotName)
	assert.Empty(t, castIn[0].EpisodeID, `Zou's "None" is read as empty`)
	assert.Equal(t, forest.ID, castIn[1].Extra["asset_id"])
	assert.Equal(t, "Forest", castIn[1].Extra["asset_name"])
	assert.Equal(t, 12, castIn[1].NbOccurences)
	assert.Equal(t, garden.ID, castIn[2].Extra["asset_id"])
	assert.Equal(t, 2, castIn[2].NbOccurences)

	// Replacing the casting drops what it no longer names.
	_, err = c.Casting.UpdateAssetCasting(ctx, p.ID, forest.ID, []kitsu.Casting{{AssetID: rock.ID, NbOccurences: 5, Label: "moved"}})
	require.NoError(t, err)
	casting, err = c.Casting.GetAssetCasting(ctx, *forest)
	require.NoError(t, err)
	require.Equal(t, []string{rock.ID}, castingAssetIDs(casting))
	assert.Equal(t, 5, casting[0].NbOccurences)
	assert.Equal(t, "moved", casting[0].Label)

	// Canceled assets are left out of a casting.
	_, err = c.Asset.UpdateAsset(ctx, rock.ID, kitsu.AssetChanges{Canceled: kitsu.Ptr(true)})
	require.NoError(t, err)
	casting, err = c.Casting.GetAssetCasting(ctx, *forest)
	require.NoError(t, err)
	assert.NotNil(t, casting)
	assert.Empty(t, casting)

	// Not found and bad input.
	_, err = c.Casting.GetAssetCasting(ctx, kitsu.Asset{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: assetUnknownID}, ProjectID: p.ID}})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Casting.GetAssetCasting(ctx, kitsu.Asset{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: forest.ID}}})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "asset project id")
	_, err = c.Casting.GetAssetTypeCasting(ctx, p.ID, assetUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Casting.GetAssetTypeCasting(ctx, p.ID, "Sets")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Casting.UpdateAssetCasting(ctx, p.ID, assetUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Casting.UpdateAssetCasting(ctx, p.ID, "Forest", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "asset id")
}
