package kitsu_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// shotUnknownID is a well-formed id that no record has.
const shotUnknownID = "00000000-0000-4000-8000-000000000000"

// shotTree is a TV show made through the raw routes: its first episode
// (E01, which Zou creates with the project), a sequence in it and a shot in
// that sequence.
type shotTree struct {
	c        *kitsu.Client
	ctx      context.Context
	project  *kitsu.Project
	episode  *kitsu.Episode
	sequence *kitsu.Sequence
	shot     *kitsu.Shot
}

func newShotTree(t *testing.T) shotTree {
	t.Helper()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, true)
	ep := kitsutest.NewEpisode(t, c, p.ID, "E01")
	require.Equal(t, p.FirstEpisodeID, ep.ID, "a TV show starts with its episode E01")
	seq := kitsutest.NewSequence(t, c, p.ID, ep.ID, "SQ01")
	sh := kitsutest.NewShot(t, c, p.ID, seq.ID, "SH010")
	return shotTree{c: c, ctx: ctx, project: p, episode: ep, sequence: seq, shot: sh}
}

func shotTestEpisodeName(e *kitsu.Episode) string   { return e.Name }
func shotTestSequenceName(s *kitsu.Sequence) string { return s.Name }
func shotTestShotName(s *kitsu.Shot) string         { return s.Name }
func shotTestEpisodeID(e *kitsu.Episode) string     { return e.ID }
func shotTestSequenceID(s *kitsu.Sequence) string   { return s.ID }
func shotTestShotID(s *kitsu.Shot) string           { return s.ID }

// newShotAssetInstance creates an asset and one instance of it through
// the raw routes. The instance is unlinked from every shot and deleted
// before the project (Zou does not delete instances with a project).
// Create the asset type before the project so cleanups run in order.
func newShotAssetInstance(t *testing.T, c *kitsu.Client, projectID, assetTypeID string, shotIDs ...string) (*kitsu.Asset, *kitsu.AssetInstance) {
	t.Helper()
	asset := kitsutest.NewAsset(t, c, projectID, assetTypeID, "", kitsutest.Unique("Tree"))
	instance := kitsutest.NewAssetInstance(t, c, asset.ID, "Tree_0001")
	// Runs before the instance's removal.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		for _, id := range shotIDs {
			_, _ = c.Delete(ctx, "data/shots/"+id+"/asset-instances/"+instance.ID, nil)
		}
	})
	return asset, instance
}

func TestShotAllEpisodesForProject(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, true)
	e3 := kitsutest.NewEpisode(t, c, p.ID, "E03")
	e2 := kitsutest.NewEpisode(t, c, p.ID, "e02")

	got, err := c.Shot.AllEpisodesForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"E01", "e02", "E03"}, kitsutest.IDs(got, shotTestEpisodeName), "sorted by name, case aside")
	assert.Equal(t, []string{p.FirstEpisodeID, e2.ID, e3.ID}, kitsutest.IDs(got, shotTestEpisodeID))
	for _, e := range got {
		assert.Equal(t, p.ID, e.ProjectID)
	}

	film := kitsutest.NewProject(t, c, false)
	none, err := c.Shot.AllEpisodesForProject(ctx, film.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	_, err = c.Shot.AllEpisodesForProject(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.AllEpisodesForProject(ctx, "not-an-id")
	kitsutest.RequireInvalid(t, err, "project id")
}

func TestShotAllSequencesForProject(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	b := kitsutest.NewSequence(t, c, p.ID, "", "SQ_02")
	a := kitsutest.NewSequence(t, c, p.ID, "", "sq_01")
	other := kitsutest.NewProject(t, c, false)
	kitsutest.NewSequence(t, c, other.ID, "", "SQ_00")

	got, err := c.Shot.AllSequencesForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{a.ID, b.ID}, kitsutest.IDs(got, shotTestSequenceID))
	assert.Equal(t, []string{"sq_01", "SQ_02"}, kitsutest.IDs(got, shotTestSequenceName))

	_, err = c.Shot.AllSequencesForProject(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.AllSequencesForProject(ctx, "")
	kitsutest.RequireInvalid(t, err, "project id")
}

func TestShotAllSequencesForEpisode(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	extra := kitsutest.NewSequence(t, c, tr.project.ID, tr.episode.ID, "SQ00")
	e2 := kitsutest.NewEpisode(t, c, tr.project.ID, "E02")
	kitsutest.NewSequence(t, c, tr.project.ID, e2.ID, "SQ00")

	got, err := c.Shot.AllSequencesForEpisode(ctx, tr.episode.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{extra.ID, tr.sequence.ID}, kitsutest.IDs(got, shotTestSequenceID))
	for _, s := range got {
		assert.Equal(t, tr.episode.ID, s.ParentID)
	}

	empty := kitsutest.NewEpisode(t, c, tr.project.ID, "E03")
	none, err := c.Shot.AllSequencesForEpisode(ctx, empty.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	_, err = c.Shot.AllSequencesForEpisode(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.AllSequencesForEpisode(ctx, "E01")
	kitsutest.RequireInvalid(t, err, "episode id")
}

func TestShotAllShotsForProject(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	sq1 := kitsutest.NewSequence(t, c, p.ID, "", "SQ01")
	sq2 := kitsutest.NewSequence(t, c, p.ID, "", "SQ02")
	s3 := kitsutest.NewShot(t, c, p.ID, sq1.ID, "SH030")
	s1 := kitsutest.NewShot(t, c, p.ID, sq2.ID, "sh010")
	s2 := kitsutest.NewShot(t, c, p.ID, sq1.ID, "SH020")

	got, err := c.Shot.AllShotsForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{s1.ID, s2.ID, s3.ID}, kitsutest.IDs(got, shotTestShotID))
	assert.Equal(t, []string{"sh010", "SH020", "SH030"}, kitsutest.IDs(got, shotTestShotName))
	assert.Equal(t, sq2.ID, got[0].ParentID)
	assert.Equal(t, p.ID, got[0].ProjectID)

	empty := kitsutest.NewProject(t, c, false)
	none, err := c.Shot.AllShotsForProject(ctx, empty.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	_, err = c.Shot.AllShotsForProject(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.AllShotsForProject(ctx, "x/../projects")
	kitsutest.RequireInvalid(t, err, "project id")
}

func TestShotAllShotsForEpisode(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	sq := kitsutest.NewSequence(t, c, tr.project.ID, tr.episode.ID, "SQ02")
	early := kitsutest.NewShot(t, c, tr.project.ID, sq.ID, "SH005")
	e2 := kitsutest.NewEpisode(t, c, tr.project.ID, "E02")
	sqOther := kitsutest.NewSequence(t, c, tr.project.ID, e2.ID, "SQ01")
	kitsutest.NewShot(t, c, tr.project.ID, sqOther.ID, "SH001")

	got, err := c.Shot.AllShotsForEpisode(ctx, tr.episode.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{early.ID, tr.shot.ID}, kitsutest.IDs(got, shotTestShotID))
	assert.Equal(t, []string{"SH005", "SH010"}, kitsutest.IDs(got, shotTestShotName))

	empty := kitsutest.NewEpisode(t, c, tr.project.ID, "E03")
	none, err := c.Shot.AllShotsForEpisode(ctx, empty.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	_, err = c.Shot.AllShotsForEpisode(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.AllShotsForEpisode(ctx, "")
	kitsutest.RequireInvalid(t, err, "episode id")
}

func TestShotAllShotsForSequence(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	first := kitsutest.NewShot(t, c, tr.project.ID, tr.sequence.ID, "sh001")
	other := kitsutest.NewSequence(t, c, tr.project.ID, tr.episode.ID, "SQ02")
	kitsutest.NewShot(t, c, tr.project.ID, other.ID, "SH000")

	got, err := c.Shot.AllShotsForSequence(ctx, tr.sequence.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{first.ID, tr.shot.ID}, kitsutest.IDs(got, shotTestShotID))
	for _, s := range got {
		assert.Equal(t, tr.sequence.ID, s.ParentID)
	}

	empty := kitsutest.NewSequence(t, c, tr.project.ID, tr.episode.ID, "SQ03")
	none, err := c.Shot.AllShotsForSequence(ctx, empty.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	_, err = c.Shot.AllShotsForSequence(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.AllShotsForSequence(ctx, "SQ01")
	kitsutest.RequireInvalid(t, err, "sequence id")
}

func TestShotAllPreviewsForShot(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	none, err := c.Shot.AllPreviewsForShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none, "a fresh shot has no preview")

	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	task := kitsutest.NewTask(t, c, tr.project.ID, tr.shot.ID, anim.ID, "main")
	previewID := kitsutest.NewPreview(t, c, task, kitsutest.WritePNG(t, t.TempDir(), "frame.png", 4, 4)).ID

	got, err := c.Shot.AllPreviewsForShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Contains(t, got, task.TaskTypeID, "previews are keyed by task type id")
	require.Len(t, got[task.TaskTypeID], 1)
	p := got[task.TaskTypeID][0]
	assert.Equal(t, previewID, p.ID)
	assert.Equal(t, task.ID, p.TaskID)
	assert.Equal(t, 1, p.Revision)
	assert.Equal(t, "png", p.Extension)
	assert.Equal(t, "ready", p.Status)
	assert.Equal(t, 4, p.Width)
	assert.Equal(t, 4, p.Height)
	assert.False(t, p.CreatedAt.IsZero())
	assert.NotNil(t, p.Previews)

	_, err = c.Shot.AllPreviewsForShot(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.AllPreviewsForShot(ctx, "nope")
	kitsutest.RequireInvalid(t, err, "shot id")
}

func TestShotAllAssetInstancesForShot(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	at := kitsutest.NewAssetType(t, c)
	tr := newShotTree(t)
	ctx := tr.ctx

	none, err := c.Shot.AllAssetInstancesForShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	asset, instance := newShotAssetInstance(t, c, tr.project.ID, at.ID, tr.shot.ID)
	require.NoError(t, c.Post(ctx, "data/shots/"+tr.shot.ID+"/asset-instances", map[string]any{"asset_instance_id": instance.ID}, nil, nil))

	got, err := c.Shot.AllAssetInstancesForShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Len(t, got[asset.ID], 1, "instances are keyed by asset id")
	assert.Equal(t, instance.ID, got[asset.ID][0].ID)
	assert.Equal(t, asset.ID, got[asset.ID][0].AssetID)
	assert.Equal(t, "Tree_0001", got[asset.ID][0].Name)
	assert.Equal(t, 1, got[asset.ID][0].Number)

	_, err = c.Shot.AllAssetInstancesForShot(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.AllAssetInstancesForShot(ctx, "SH010")
	kitsutest.RequireInvalid(t, err, "shot id")
}

func TestShotGetAssetInstancesForShot(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	at := kitsutest.NewAssetType(t, c)
	tr := newShotTree(t)
	ctx := tr.ctx
	asset, instance := newShotAssetInstance(t, c, tr.project.ID, at.ID, tr.shot.ID)
	require.NoError(t, c.Post(ctx, "data/shots/"+tr.shot.ID+"/asset-instances", map[string]any{"asset_instance_id": instance.ID}, nil, nil))

	got, err := c.Shot.GetAssetInstancesForShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	require.Len(t, got[asset.ID], 1)
	assert.Equal(t, instance.ID, got[asset.ID][0].ID)

	other := kitsutest.NewShot(t, c, tr.project.ID, tr.sequence.ID, "SH020")
	none, err := c.Shot.GetAssetInstancesForShot(ctx, other.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	_, err = c.Shot.GetAssetInstancesForShot(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.GetAssetInstancesForShot(ctx, "")
	kitsutest.RequireInvalid(t, err, "shot id")
}

func TestShotAddAssetInstanceToShot(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	at := kitsutest.NewAssetType(t, c)
	tr := newShotTree(t)
	ctx := tr.ctx
	asset, instance := newShotAssetInstance(t, c, tr.project.ID, at.ID, tr.shot.ID)

	shot, err := c.Shot.AddAssetInstanceToShot(ctx, tr.shot.ID, instance.ID)
	require.NoError(t, err)
	assert.Equal(t, tr.shot.ID, shot.ID)
	assert.Equal(t, "SH010", shot.Name)

	got, err := c.Shot.AllAssetInstancesForShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	require.Len(t, got[asset.ID], 1)
	assert.Equal(t, instance.ID, got[asset.ID][0].ID)

	_, err = c.Shot.AddAssetInstanceToShot(ctx, shotUnknownID, instance.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.AddAssetInstanceToShot(ctx, tr.shot.ID, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.AddAssetInstanceToShot(ctx, tr.shot.ID, "Tree_0001")
	kitsutest.RequireInvalid(t, err, "asset instance id")
	_, err = c.Shot.AddAssetInstanceToShot(ctx, "", instance.ID)
	kitsutest.RequireInvalid(t, err, "shot id")
}

func TestShotRemoveAssetInstanceFromShot(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	at := kitsutest.NewAssetType(t, c)
	tr := newShotTree(t)
	ctx := tr.ctx
	_, instance := newShotAssetInstance(t, c, tr.project.ID, at.ID, tr.shot.ID)
	_, err := c.Shot.AddAssetInstanceToShot(ctx, tr.shot.ID, instance.ID)
	require.NoError(t, err)

	require.NoError(t, c.Shot.RemoveAssetInstanceFromShot(ctx, tr.shot.ID, instance.ID))
	got, err := c.Shot.AllAssetInstancesForShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	assert.Empty(t, got)

	// Zou answers 500 for an instance the shot does not hold.
	err = c.Shot.RemoveAssetInstanceFromShot(ctx, tr.shot.ID, instance.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), instance.ID)

	err = c.Shot.RemoveAssetInstanceFromShot(ctx, shotUnknownID, instance.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	err = c.Shot.RemoveAssetInstanceFromShot(ctx, tr.shot.ID, "bad")
	kitsutest.RequireInvalid(t, err, "asset instance id")
}

func TestShotGetEpisode(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	got, err := c.Shot.GetEpisode(ctx, tr.episode.ID)
	require.NoError(t, err)
	assert.Equal(t, tr.episode.ID, got.ID)
	assert.Equal(t, "E01", got.Name)
	assert.Equal(t, tr.project.ID, got.ProjectID)
	assert.Equal(t, "Episode", got.Type)

	_, err = c.Shot.GetEpisode(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.GetEpisode(ctx, "E01")
	kitsutest.RequireInvalid(t, err, "episode id")
}

func TestShotGetSequence(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	got, err := c.Shot.GetSequence(ctx, tr.sequence.ID)
	require.NoError(t, err)
	assert.Equal(t, tr.sequence.ID, got.ID)
	assert.Equal(t, "SQ01", got.Name)
	assert.Equal(t, tr.episode.ID, got.ParentID)
	assert.Equal(t, tr.episode.ID, got.EpisodeID)
	assert.Equal(t, "E01", got.EpisodeName)

	_, err = c.Shot.GetSequence(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.GetSequence(ctx, "")
	kitsutest.RequireInvalid(t, err, "sequence id")
}

func TestShotGetShot(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	got, err := c.Shot.GetShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	assert.Equal(t, tr.shot.ID, got.ID)
	assert.Equal(t, "SH010", got.Name)
	assert.Equal(t, tr.project.ID, got.ProjectID)
	assert.Equal(t, tr.sequence.ID, got.ParentID)
	assert.Equal(t, tr.sequence.ID, got.SequenceID)
	assert.Equal(t, "SQ01", got.SequenceName)
	assert.Equal(t, tr.episode.ID, got.EpisodeID)
	assert.Equal(t, "E01", got.EpisodeName)
	assert.Contains(t, got.Extra, "frame_in", "fields the model does not name are kept")

	_, err = c.Shot.GetShot(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.GetShot(ctx, "SH010")
	kitsutest.RequireInvalid(t, err, "shot id")
}

func TestShotGetEpisodeByName(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	wild := kitsutest.NewEpisode(t, c, tr.project.ID, "EPX1")

	got, err := c.Shot.GetEpisodeByName(ctx, tr.project.ID, "e01")
	require.NoError(t, err)
	assert.Equal(t, tr.episode.ID, got.ID, "names match without regard to case")
	got, err = c.Shot.GetEpisodeByName(ctx, tr.project.ID, "EPX1")
	require.NoError(t, err)
	assert.Equal(t, wild.ID, got.ID)

	// Names differing only by case: the exact one wins.
	upper := kitsutest.NewEpisode(t, c, tr.project.ID, "E05")
	lower := kitsutest.NewEpisode(t, c, tr.project.ID, "e05")
	require.NotEqual(t, upper.ID, lower.ID)
	got, err = c.Shot.GetEpisodeByName(ctx, tr.project.ID, "e05")
	require.NoError(t, err)
	assert.Equal(t, lower.ID, got.ID)
	got, err = c.Shot.GetEpisodeByName(ctx, tr.project.ID, "E05")
	require.NoError(t, err)
	assert.Equal(t, upper.ID, got.ID)

	// Zou matches names with SQL ILIKE: wildcards must match only
	// themselves.
	for _, pattern := range []string{"EP_1", "EP%", "%"} {
		_, err = c.Shot.GetEpisodeByName(ctx, tr.project.ID, pattern)
		require.ErrorIs(t, err, kitsu.ErrNotFound, pattern)
		assert.Contains(t, err.Error(), pattern)
	}
	other := kitsutest.NewProject(t, c, false)
	_, err = c.Shot.GetEpisodeByName(ctx, other.ID, "E01")
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.GetEpisodeByName(ctx, shotUnknownID, "E01")
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Shot.GetEpisodeByName(ctx, tr.project.ID, " ")
	kitsutest.RequireInvalid(t, err, "episode name")
	_, err = c.Shot.GetEpisodeByName(ctx, "x", "E01")
	kitsutest.RequireInvalid(t, err, "project id")
}

func TestShotGetSequenceByName(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	e2 := kitsutest.NewEpisode(t, c, tr.project.ID, "E02")
	twin := kitsutest.NewSequence(t, c, tr.project.ID, e2.ID, "SQ01")
	wild := kitsutest.NewSequence(t, c, tr.project.ID, e2.ID, "SQX2")

	got, err := c.Shot.GetSequenceByName(ctx, tr.project.ID, "sq01", &kitsu.GetSequenceByNameOptions{EpisodeID: e2.ID})
	require.NoError(t, err)
	assert.Equal(t, twin.ID, got.ID, "the episode narrows the search")
	got, err = c.Shot.GetSequenceByName(ctx, tr.project.ID, "SQ01", &kitsu.GetSequenceByNameOptions{EpisodeID: tr.episode.ID})
	require.NoError(t, err)
	assert.Equal(t, tr.sequence.ID, got.ID)
	got, err = c.Shot.GetSequenceByName(ctx, tr.project.ID, "SQX2", nil)
	require.NoError(t, err)
	assert.Equal(t, wild.ID, got.ID)
	got, err = c.Shot.GetSequenceByName(ctx, tr.project.ID, "SQ01", nil)
	require.NoError(t, err)
	assert.Contains(t, []string{tr.sequence.ID, twin.ID}, got.ID)

	_, err = c.Shot.GetSequenceByName(ctx, tr.project.ID, "SQ_2", nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.GetSequenceByName(ctx, tr.project.ID, "SQX2", &kitsu.GetSequenceByNameOptions{EpisodeID: tr.episode.ID})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), tr.episode.ID)
	_, err = c.Shot.GetSequenceByName(ctx, tr.project.ID, "SQ01", &kitsu.GetSequenceByNameOptions{EpisodeID: shotUnknownID})
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Shot.GetSequenceByName(ctx, tr.project.ID, "", nil)
	kitsutest.RequireInvalid(t, err, "sequence name")
	_, err = c.Shot.GetSequenceByName(ctx, tr.project.ID, "SQ01", &kitsu.GetSequenceByNameOptions{EpisodeID: "E01"})
	kitsutest.RequireInvalid(t, err, "episode id")
	_, err = c.Shot.GetSequenceByName(ctx, "", "SQ01", nil)
	kitsutest.RequireInvalid(t, err, "project id")
}

func TestShotGetShotByName(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	wild := kitsutest.NewShot(t, c, tr.project.ID, tr.sequence.ID, "SHX020")
	other := kitsutest.NewSequence(t, c, tr.project.ID, tr.episode.ID, "SQ02")
	kitsutest.NewShot(t, c, tr.project.ID, other.ID, "SH030")

	got, err := c.Shot.GetShotByName(ctx, tr.sequence.ID, "sh010")
	require.NoError(t, err)
	assert.Equal(t, tr.shot.ID, got.ID)
	assert.Equal(t, "SQ01", got.SequenceName)
	got, err = c.Shot.GetShotByName(ctx, tr.sequence.ID, "SHX020")
	require.NoError(t, err)
	assert.Equal(t, wild.ID, got.ID)

	_, err = c.Shot.GetShotByName(ctx, tr.sequence.ID, "SH_020")
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.GetShotByName(ctx, tr.sequence.ID, "SH030")
	require.ErrorIs(t, err, kitsu.ErrNotFound, "another sequence's shot")
	assert.Contains(t, err.Error(), "SH030")
	_, err = c.Shot.GetShotByName(ctx, shotUnknownID, "SH010")
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Shot.GetShotByName(ctx, tr.sequence.ID, "")
	kitsutest.RequireInvalid(t, err, "shot name")
	_, err = c.Shot.GetShotByName(ctx, "SQ01", "SH010")
	kitsutest.RequireInvalid(t, err, "sequence id")
}

func TestShotGetEpisodeFromSequence(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	got, err := c.Shot.GetEpisodeFromSequence(ctx, *tr.sequence)
	require.NoError(t, err)
	assert.Equal(t, tr.episode.ID, got.ID)
	assert.Equal(t, "E01", got.Name)

	// A sequence known by its id only is fetched first.
	byID := kitsu.Sequence{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: tr.sequence.ID}}}
	got, err = c.Shot.GetEpisodeFromSequence(ctx, byID)
	require.NoError(t, err)
	assert.Equal(t, tr.episode.ID, got.ID)

	film := kitsutest.NewProject(t, c, false)
	loose := kitsutest.NewSequence(t, c, film.ID, "", "SQ01")
	_, err = c.Shot.GetEpisodeFromSequence(ctx, *loose)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), loose.ID)

	unknown := kitsu.Sequence{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: shotUnknownID}}}
	_, err = c.Shot.GetEpisodeFromSequence(ctx, unknown)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	orphan := kitsu.Sequence{EntityFields: kitsu.EntityFields{ParentID: shotUnknownID}}
	_, err = c.Shot.GetEpisodeFromSequence(ctx, orphan)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Shot.GetEpisodeFromSequence(ctx, kitsu.Sequence{})
	kitsutest.RequireInvalid(t, err, "sequence")
	bad := kitsu.Sequence{EntityFields: kitsu.EntityFields{ParentID: "E01"}}
	_, err = c.Shot.GetEpisodeFromSequence(ctx, bad)
	kitsutest.RequireInvalid(t, err, "parent id")
}

func TestShotGetSequenceFromShot(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	got, err := c.Shot.GetSequenceFromShot(ctx, *tr.shot)
	require.NoError(t, err)
	assert.Equal(t, tr.sequence.ID, got.ID)
	assert.Equal(t, "SQ01", got.Name)
	assert.Equal(t, tr.episode.ID, got.EpisodeID)

	// gazu fails on a shot without parent_id; here it is fetched first.
	byID := kitsu.Shot{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: tr.shot.ID}}}
	got, err = c.Shot.GetSequenceFromShot(ctx, byID)
	require.NoError(t, err)
	assert.Equal(t, tr.sequence.ID, got.ID)

	unknown := kitsu.Shot{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: shotUnknownID}}}
	_, err = c.Shot.GetSequenceFromShot(ctx, unknown)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	orphan := kitsu.Shot{EntityFields: kitsu.EntityFields{ParentID: shotUnknownID}}
	_, err = c.Shot.GetSequenceFromShot(ctx, orphan)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Shot.GetSequenceFromShot(ctx, kitsu.Shot{})
	kitsutest.RequireInvalid(t, err, "shot")
	bad := kitsu.Shot{EntityFields: kitsu.EntityFields{ParentID: "SQ01"}}
	_, err = c.Shot.GetSequenceFromShot(ctx, bad)
	kitsutest.RequireInvalid(t, err, "parent id")
}

func TestShotGetEpisodeURL(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	got, err := c.Shot.GetEpisodeURL(ctx, tr.episode.ID)
	require.NoError(t, err)
	web := strings.TrimSuffix(c.GetHost(), "/api")
	assert.Equal(t, web+"/productions/"+tr.project.ID+"/episodes/"+tr.episode.ID+"/shots", got)
	assert.NotContains(t, got, "/api/")

	_, err = c.Shot.GetEpisodeURL(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.GetEpisodeURL(ctx, "E01")
	kitsutest.RequireInvalid(t, err, "episode id")
}

func TestShotGetShotURL(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	web := strings.TrimSuffix(c.GetHost(), "/api")

	got, err := c.Shot.GetShotURL(ctx, tr.shot.ID)
	require.NoError(t, err)
	assert.Equal(t, web+"/productions/"+tr.project.ID+"/episodes/"+tr.episode.ID+"/shots/"+tr.shot.ID+"/", got)

	film := kitsutest.NewProject(t, c, false)
	sq := kitsutest.NewSequence(t, c, film.ID, "", "SQ01")
	sh := kitsutest.NewShot(t, c, film.ID, sq.ID, "SH010")
	got, err = c.Shot.GetShotURL(ctx, sh.ID)
	require.NoError(t, err)
	assert.Equal(t, web+"/productions/"+film.ID+"/shots/"+sh.ID+"/", got)

	_, err = c.Shot.GetShotURL(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.GetShotURL(ctx, "")
	kitsutest.RequireInvalid(t, err, "shot id")
}

func TestShotNewEpisode(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, true)
	wild := kitsutest.NewEpisode(t, c, p.ID, "EPX9")

	created, err := c.Shot.NewEpisode(ctx, p.ID, "EP_9")
	require.NoError(t, err)
	assert.Equal(t, "EP_9", created.Name)
	assert.Equal(t, p.ID, created.ProjectID)
	assert.NotEqual(t, wild.ID, created.ID, "a wildcard in the name must not find EPX9")

	again, err := c.Shot.NewEpisode(ctx, p.ID, "ep_9")
	require.NoError(t, err)
	assert.Equal(t, created.ID, again.ID, "get-or-create, names matched without regard to case")

	all, err := c.Shot.AllEpisodesForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{p.FirstEpisodeID, wild.ID, created.ID}, kitsutest.IDs(all, shotTestEpisodeID))

	_, err = c.Shot.NewEpisode(ctx, shotUnknownID, "E05")
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.NewEpisode(ctx, p.ID, "")
	kitsutest.RequireInvalid(t, err, "episode name")
	_, err = c.Shot.NewEpisode(ctx, "project", "E05")
	kitsutest.RequireInvalid(t, err, "project id")
}

func TestShotNewSequence(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	e2 := kitsutest.NewEpisode(t, c, tr.project.ID, "E02")

	inE2, err := c.Shot.NewSequence(ctx, tr.project.ID, "SQ01", &kitsu.NewSequenceOptions{EpisodeID: e2.ID})
	require.NoError(t, err)
	assert.NotEqual(t, tr.sequence.ID, inE2.ID, "the same name in another episode is another sequence")
	assert.Equal(t, e2.ID, inE2.ParentID)
	assert.Equal(t, "SQ01", inE2.Name)

	again, err := c.Shot.NewSequence(ctx, tr.project.ID, "sq01", &kitsu.NewSequenceOptions{EpisodeID: tr.episode.ID})
	require.NoError(t, err)
	assert.Equal(t, tr.sequence.ID, again.ID, "get-or-create in the episode")

	film := kitsutest.NewProject(t, c, false)
	loose, err := c.Shot.NewSequence(ctx, film.ID, "SQ_A", nil)
	require.NoError(t, err)
	assert.Empty(t, loose.ParentID)
	assert.Equal(t, film.ID, loose.ProjectID)
	same, err := c.Shot.NewSequence(ctx, film.ID, "SQ_A", &kitsu.NewSequenceOptions{})
	require.NoError(t, err)
	assert.Equal(t, loose.ID, same.ID)
	seqs, err := c.Shot.AllSequencesForProject(ctx, film.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{loose.ID}, kitsutest.IDs(seqs, shotTestSequenceID))

	_, err = c.Shot.NewSequence(ctx, shotUnknownID, "SQ01", nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.NewSequence(ctx, tr.project.ID, "SQ01", &kitsu.NewSequenceOptions{EpisodeID: shotUnknownID})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.NewSequence(ctx, tr.project.ID, "SQ09", &kitsu.NewSequenceOptions{EpisodeID: "E02"})
	kitsutest.RequireInvalid(t, err, "episode id")
	_, err = c.Shot.NewSequence(ctx, tr.project.ID, "\t", nil)
	kitsutest.RequireInvalid(t, err, "sequence name")
}

func TestShotNewShot(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	frameIn, frameOut := 1001, 1024
	data := map[string]any{"camera": "A"}
	created, err := c.Shot.NewShot(ctx, tr.project.ID, tr.sequence.ID, "SH_020", &kitsu.NewShotOptions{
		NbFrames: 24, FrameIn: &frameIn, FrameOut: &frameOut, Description: "the chase", Data: data,
	})
	require.NoError(t, err)
	assert.Equal(t, "SH_020", created.Name)
	assert.Equal(t, tr.sequence.ID, created.ParentID)
	assert.Equal(t, tr.project.ID, created.ProjectID)
	assert.Equal(t, 24, created.NbFrames)
	assert.Equal(t, "the chase", created.Description)
	assert.Equal(t, map[string]any{"camera": "A", "frame_in": 1001.0, "frame_out": 1024.0}, created.Data)
	assert.Equal(t, map[string]any{"camera": "A"}, data, "the caller's data is not changed")

	got, err := c.Shot.GetShot(ctx, created.ID)
	require.NoError(t, err)
	assert.Equal(t, 1001.0, got.Extra["frame_in"], "Kitsu reads the frame range from the data")

	again, err := c.Shot.NewShot(ctx, tr.project.ID, tr.sequence.ID, "sh_020", &kitsu.NewShotOptions{NbFrames: 99})
	require.NoError(t, err)
	assert.Equal(t, created.ID, again.ID, "get-or-create")
	assert.Equal(t, 24, again.NbFrames, "an existing shot is returned unchanged")

	zero := 0
	plain, err := c.Shot.NewShot(ctx, tr.project.ID, tr.sequence.ID, "SHX020", &kitsu.NewShotOptions{FrameIn: &zero})
	require.NoError(t, err)
	assert.NotEqual(t, created.ID, plain.ID, "SH_020 is no pattern for SHX020")
	assert.Equal(t, map[string]any{"frame_in": 0.0}, plain.Data)
	bare, err := c.Shot.NewShot(ctx, tr.project.ID, tr.sequence.ID, "SH030", nil)
	require.NoError(t, err)
	assert.Zero(t, bare.NbFrames)
	assert.Empty(t, bare.Data)
	shots, err := c.Shot.AllShotsForSequence(ctx, tr.sequence.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"SH010", "SH030", "SH_020", "SHX020"}, kitsutest.IDs(shots, shotTestShotName))

	_, err = c.Shot.NewShot(ctx, tr.project.ID, shotUnknownID, "SH040", nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.NewShot(ctx, tr.project.ID, tr.sequence.ID, "", nil)
	kitsutest.RequireInvalid(t, err, "shot name")
	_, err = c.Shot.NewShot(ctx, tr.project.ID, "SQ01", "SH040", nil)
	kitsutest.RequireInvalid(t, err, "sequence id")
	_, err = c.Shot.NewShot(ctx, "p", tr.sequence.ID, "SH040", nil)
	kitsutest.RequireInvalid(t, err, "project id")
	_, err = c.Shot.NewShot(ctx, tr.project.ID, tr.sequence.ID, "SH040", &kitsu.NewShotOptions{NbFrames: -1})
	kitsutest.RequireInvalid(t, err, "nb frames")
}

func TestShotRemoveShot(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	require.NoError(t, c.Shot.RemoveShot(ctx, tr.shot.ID, nil))
	_, err := c.Shot.GetShot(ctx, tr.shot.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound, "a shot without tasks is deleted")

	busy := kitsutest.NewShot(t, c, tr.project.ID, tr.sequence.ID, "SH020")
	kitsutest.NewTask(t, c, tr.project.ID, busy.ID, kitsutest.TaskTypeNamed(t, c, "Animation").ID, "main")
	require.NoError(t, c.Shot.RemoveShot(ctx, busy.ID, &kitsu.RemoveShotOptions{}))
	got, err := c.Shot.GetShot(ctx, busy.ID)
	require.NoError(t, err, "a shot with tasks is only canceled")
	assert.True(t, got.Canceled)

	require.NoError(t, c.Shot.RemoveShot(ctx, busy.ID, &kitsu.RemoveShotOptions{Force: true}))
	_, err = c.Shot.GetShot(ctx, busy.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	require.ErrorIs(t, c.Shot.RemoveShot(ctx, shotUnknownID, nil), kitsu.ErrNotFound)
	kitsutest.RequireInvalid(t, c.Shot.RemoveShot(ctx, "SH010", nil), "shot id")
}

func TestShotRestoreShot(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	kitsutest.NewTask(t, c, tr.project.ID, tr.shot.ID, kitsutest.TaskTypeNamed(t, c, "Animation").ID, "main")
	require.NoError(t, c.Shot.RemoveShot(ctx, tr.shot.ID, nil))
	canceled, err := c.Shot.GetShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	require.True(t, canceled.Canceled)

	restored, err := c.Shot.RestoreShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	assert.Equal(t, tr.shot.ID, restored.ID)
	assert.False(t, restored.Canceled)
	got, err := c.Shot.GetShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	assert.False(t, got.Canceled)
	shots, err := c.Shot.AllShotsForSequence(ctx, tr.sequence.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.shot.ID}, kitsutest.IDs(shots, shotTestShotID))

	_, err = c.Shot.RestoreShot(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.RestoreShot(ctx, "")
	kitsutest.RequireInvalid(t, err, "shot id")
}

func TestShotRemoveSequence(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	err := c.Shot.RemoveSequence(ctx, tr.sequence.ID, nil)
	require.ErrorIs(t, err, kitsu.ErrParameter, "a sequence with shots needs Force")
	_, err = c.Shot.GetSequence(ctx, tr.sequence.ID)
	require.NoError(t, err)

	require.NoError(t, c.Shot.RemoveSequence(ctx, tr.sequence.ID, &kitsu.RemoveSequenceOptions{Force: true}))
	_, err = c.Shot.GetSequence(ctx, tr.sequence.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.GetShot(ctx, tr.shot.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound, "its shots go with it")

	empty := kitsutest.NewSequence(t, c, tr.project.ID, tr.episode.ID, "SQ02")
	require.NoError(t, c.Shot.RemoveSequence(ctx, empty.ID, nil))
	seqs, err := c.Shot.AllSequencesForEpisode(ctx, tr.episode.ID)
	require.NoError(t, err)
	assert.Empty(t, seqs)

	require.ErrorIs(t, c.Shot.RemoveSequence(ctx, shotUnknownID, nil), kitsu.ErrNotFound)
	kitsutest.RequireInvalid(t, c.Shot.RemoveSequence(ctx, "SQ01", nil), "sequence id")
}

func TestShotRemoveEpisode(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	err := c.Shot.RemoveEpisode(ctx, tr.episode.ID, nil)
	require.ErrorIs(t, err, kitsu.ErrParameter, "an episode with sequences needs Force")
	_, err = c.Shot.GetEpisode(ctx, tr.episode.ID)
	require.NoError(t, err)

	require.NoError(t, c.Shot.RemoveEpisode(ctx, tr.episode.ID, &kitsu.RemoveEpisodeOptions{Force: true}))
	_, err = c.Shot.GetEpisode(ctx, tr.episode.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.GetSequence(ctx, tr.sequence.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound, "its sequences go with it")
	_, err = c.Shot.GetShot(ctx, tr.shot.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound, "and their shots")

	empty := kitsutest.NewEpisode(t, c, tr.project.ID, "E02")
	require.NoError(t, c.Shot.RemoveEpisode(ctx, empty.ID, nil))
	eps, err := c.Shot.AllEpisodesForProject(ctx, tr.project.ID)
	require.NoError(t, err)
	assert.Empty(t, eps)

	require.ErrorIs(t, c.Shot.RemoveEpisode(ctx, shotUnknownID, nil), kitsu.ErrNotFound)
	kitsutest.RequireInvalid(t, c.Shot.RemoveEpisode(ctx, "E01", nil), "episode id")
}

func TestShotUpdateEpisode(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	_, err := c.Shot.UpdateEpisodeData(ctx, tr.episode.ID, map[string]any{"kept": "yes"})
	require.NoError(t, err)

	updated, err := c.Shot.UpdateEpisode(ctx, tr.episode.ID, kitsu.EpisodeChanges{
		Name:        kitsu.Ptr("Pilot"),
		Description: kitsu.Ptr("the first one"),
		Data:        map[string]any{"season": 1.0},
	})
	require.NoError(t, err)
	assert.Equal(t, tr.episode.ID, updated.ID)
	assert.Equal(t, "Pilot", updated.Name)
	assert.Equal(t, "the first one", updated.Description)

	got, err := c.Shot.GetEpisode(ctx, tr.episode.ID)
	require.NoError(t, err)
	assert.Equal(t, "Pilot", got.Name)
	assert.Equal(t, "the first one", got.Description)
	assert.Equal(t, map[string]any{"kept": "yes", "season": 1.0}, got.Data, "Zou merges the data it is sent")

	_, err = c.Shot.UpdateEpisode(ctx, shotUnknownID, kitsu.EpisodeChanges{Name: kitsu.Ptr("x")})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.UpdateEpisode(ctx, "", kitsu.EpisodeChanges{Name: kitsu.Ptr("x")})
	kitsutest.RequireInvalid(t, err, "episode id")
	_, err = c.Shot.UpdateEpisode(ctx, tr.episode.ID, kitsu.EpisodeChanges{})
	kitsutest.RequireInvalid(t, err, "episode changes")
	_, err = c.Shot.UpdateEpisode(ctx, tr.episode.ID, kitsu.EpisodeChanges{Name: kitsu.Ptr(" ")})
	kitsutest.RequireInvalid(t, err, "episode changes Name")
}

// TestShotUpdateEpisodeChangesOnlyWhatIsSet: an episode with every field
// set keeps them all when one field changes.
func TestShotUpdateEpisodeChangesOnlyWhatIsSet(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	layout := kitsutest.TaskTypeNamed(t, c, "Layout")
	data := map[string]any{"season": 2.0}
	_, err := c.Shot.UpdateEpisode(ctx, tr.episode.ID, kitsu.EpisodeChanges(allSetEntity(layout.ID, data)))
	require.NoError(t, err)
	before, err := c.Shot.GetEpisode(ctx, tr.episode.ID)
	require.NoError(t, err)
	requireAllSet(t, &before.EntityFields, layout.ID, data, 48)

	_, err = c.Shot.UpdateEpisode(ctx, tr.episode.ID, kitsu.EpisodeChanges{Description: kitsu.Ptr("only this")})
	require.NoError(t, err)
	after, err := c.Shot.GetEpisode(ctx, tr.episode.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, before, after, episodeBase, func(e *kitsu.Episode) { e.Description = "only this" })

	// A zero value that is set is sent.
	_, err = c.Shot.UpdateEpisode(ctx, tr.episode.ID, kitsu.EpisodeChanges{IsShared: kitsu.Ptr(false)})
	require.NoError(t, err)
	again, err := c.Shot.GetEpisode(ctx, tr.episode.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, after, again, episodeBase, func(e *kitsu.Episode) { e.IsShared = false })
}

func TestShotUpdateSequence(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	updated, err := c.Shot.UpdateSequence(ctx, tr.sequence.ID, kitsu.SequenceChanges{
		Description: kitsu.Ptr("night exterior"),
		Data:        map[string]any{"mood": "dark"},
	})
	require.NoError(t, err)
	assert.Equal(t, tr.sequence.ID, updated.ID)
	assert.Equal(t, "night exterior", updated.Description)
	assert.Equal(t, "SQ01", updated.Name)

	got, err := c.Shot.GetSequence(ctx, tr.sequence.ID)
	require.NoError(t, err)
	assert.Equal(t, "night exterior", got.Description)
	assert.Equal(t, map[string]any{"mood": "dark"}, got.Data)
	assert.Equal(t, tr.episode.ID, got.ParentID, "the episode is kept")

	// ParentID moves the sequence to another episode.
	e2 := kitsutest.NewEpisode(t, c, tr.project.ID, "E02")
	moved, err := c.Shot.UpdateSequence(ctx, tr.sequence.ID, kitsu.SequenceChanges{ParentID: kitsu.Ptr(e2.ID)})
	require.NoError(t, err)
	assert.Equal(t, e2.ID, moved.ParentID)

	_, err = c.Shot.UpdateSequence(ctx, shotUnknownID, kitsu.SequenceChanges{Description: kitsu.Ptr("x")})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.UpdateSequence(ctx, "SQ01", kitsu.SequenceChanges{Description: kitsu.Ptr("x")})
	kitsutest.RequireInvalid(t, err, "sequence id")
	_, err = c.Shot.UpdateSequence(ctx, tr.sequence.ID, kitsu.SequenceChanges{ParentID: kitsu.Ptr("E01")})
	kitsutest.RequireInvalid(t, err, "sequence changes ParentID")
	_, err = c.Shot.UpdateSequence(ctx, tr.sequence.ID, kitsu.SequenceChanges{})
	kitsutest.RequireInvalid(t, err, "sequence changes")
}

// TestShotUpdateSequenceChangesOnlyWhatIsSet: a sequence with every field
// set keeps them all when one field changes.
func TestShotUpdateSequenceChangesOnlyWhatIsSet(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	layout := kitsutest.TaskTypeNamed(t, c, "Layout")
	data := map[string]any{"mood": "dark", "takes": 3.0}
	_, err := c.Shot.UpdateSequence(ctx, tr.sequence.ID, kitsu.SequenceChanges(allSetEntity(layout.ID, data)))
	require.NoError(t, err)
	before, err := c.Shot.GetSequence(ctx, tr.sequence.ID)
	require.NoError(t, err)
	requireAllSet(t, &before.EntityFields, layout.ID, data, 48)
	require.Equal(t, tr.episode.ID, before.ParentID)

	_, err = c.Shot.UpdateSequence(ctx, tr.sequence.ID, kitsu.SequenceChanges{Description: kitsu.Ptr("only this")})
	require.NoError(t, err)
	after, err := c.Shot.GetSequence(ctx, tr.sequence.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, before, after, sequenceBase, func(s *kitsu.Sequence) { s.Description = "only this" })

	_, err = c.Shot.UpdateSequence(ctx, tr.sequence.ID, kitsu.SequenceChanges{Canceled: kitsu.Ptr(false)})
	require.NoError(t, err)
	again, err := c.Shot.GetSequence(ctx, tr.sequence.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, after, again, sequenceBase, func(s *kitsu.Sequence) { s.Canceled = false })
}

func TestShotUpdateShot(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	updated, err := c.Shot.UpdateShot(ctx, tr.shot.ID, kitsu.ShotChanges{
		Name:        kitsu.Ptr("SH011"),
		Description: kitsu.Ptr("wide"),
		NbFrames:    kitsu.Ptr(48),
		Data:        map[string]any{"frame_in": 1.0, "frame_out": 48.0},
	})
	require.NoError(t, err)
	assert.Equal(t, tr.shot.ID, updated.ID)
	assert.Equal(t, "SH011", updated.Name)
	assert.Equal(t, 48, updated.NbFrames)

	got, err := c.Shot.GetShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	assert.Equal(t, "SH011", got.Name)
	assert.Equal(t, "wide", got.Description)
	assert.Equal(t, 48, got.NbFrames)
	assert.Equal(t, map[string]any{"frame_in": 1.0, "frame_out": 48.0}, got.Data)
	assert.Equal(t, tr.sequence.ID, got.ParentID)
	assert.False(t, got.Canceled)

	_, err = c.Shot.UpdateShot(ctx, shotUnknownID, kitsu.ShotChanges{Name: kitsu.Ptr("x")})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.UpdateShot(ctx, "", kitsu.ShotChanges{Name: kitsu.Ptr("x")})
	kitsutest.RequireInvalid(t, err, "shot id")
	_, err = c.Shot.UpdateShot(ctx, tr.shot.ID, kitsu.ShotChanges{})
	kitsutest.RequireInvalid(t, err, "shot changes")
	_, err = c.Shot.UpdateShot(ctx, tr.shot.ID, kitsu.ShotChanges{NbFrames: kitsu.Ptr(-1)})
	kitsutest.RequireInvalid(t, err, "shot changes NbFrames")
	_, err = c.Shot.UpdateShot(ctx, tr.shot.ID, kitsu.ShotChanges{Status: kitsu.Ptr("done")})
	kitsutest.RequireInvalid(t, err, "shot changes Status")
	_, err = c.Shot.UpdateShot(ctx, tr.shot.ID, kitsu.ShotChanges{ReadyFor: kitsu.Ptr("Animation")})
	kitsutest.RequireInvalid(t, err, "shot changes ReadyFor")
}

// TestShotUpdateShotChangesOnlyWhatIsSet is issue row 21: a canceled
// shot updated with only a description (gazu's
// update_shot({"id": …, "description": …})) stays canceled, and every
// other field keeps its value.
func TestShotUpdateShotChangesOnlyWhatIsSet(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	scene := kitsutest.NewScene(t, c, tr.project.ID, tr.sequence.ID, "SC010")
	task := kitsutest.NewTask(t, c, tr.project.ID, tr.shot.ID, anim.ID, "main")
	preview := kitsutest.NewPreview(t, c, task, "")

	data := map[string]any{"frame_in": 101.0, "frame_out": 148.0}
	all := kitsu.ShotChanges(allSetEntity(anim.ID, data))
	all.SourceID = kitsu.Ptr(scene.ID)
	all.PreviewFileID = kitsu.Ptr(preview.ID)
	_, err := c.Shot.UpdateShot(ctx, tr.shot.ID, all)
	require.NoError(t, err)
	before, err := c.Shot.GetShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	requireAllSet(t, &before.EntityFields, anim.ID, data, 48)
	require.Equal(t, scene.ID, before.SourceID)
	require.Equal(t, preview.ID, before.PreviewFileID)
	require.Equal(t, tr.sequence.ID, before.ParentID)

	_, err = c.Shot.UpdateShot(ctx, tr.shot.ID, kitsu.ShotChanges{Description: kitsu.Ptr("only this")})
	require.NoError(t, err)
	after, err := c.Shot.GetShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	require.True(t, after.Canceled, "the shot stays canceled")
	requireOnlyChanged(t, before, after, shotBase, func(s *kitsu.Shot) { s.Description = "only this" })

	// Un-canceling is a zero value that is set, and is sent.
	_, err = c.Shot.UpdateShot(ctx, tr.shot.ID, kitsu.ShotChanges{Canceled: kitsu.Ptr(false)})
	require.NoError(t, err)
	again, err := c.Shot.GetShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, after, again, shotBase, func(s *kitsu.Shot) { s.Canceled = false })

	// An empty id clears a link, sent as null; "None" clears ready_for.
	_, err = c.Shot.UpdateShot(ctx, tr.shot.ID, kitsu.ShotChanges{SourceID: kitsu.Ptr(""), ReadyFor: kitsu.Ptr("None")})
	require.NoError(t, err)
	cleared, err := c.Shot.GetShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, again, cleared, shotBase, func(s *kitsu.Shot) {
		s.SourceID = ""
		s.ReadyFor = cleared.ReadyFor // Zou writes an unset one as "None" or ""
	})
	assert.Contains(t, []string{"", "None"}, cleared.ReadyFor)
}

func TestShotUpdateEpisodeData(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	got, err := c.Shot.UpdateEpisodeData(ctx, tr.episode.ID, map[string]any{"a": 1, "b": "x"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": 1.0, "b": "x"}, got.Data)
	got, err = c.Shot.UpdateEpisodeData(ctx, tr.episode.ID, map[string]any{"a": 2})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": 2.0, "b": "x"}, got.Data, "keys not given are kept")
	got, err = c.Shot.UpdateEpisodeData(ctx, tr.episode.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": 2.0, "b": "x"}, got.Data)
	fetched, err := c.Shot.GetEpisode(ctx, tr.episode.ID)
	require.NoError(t, err)
	assert.Equal(t, got.Data, fetched.Data)

	_, err = c.Shot.UpdateEpisodeData(ctx, shotUnknownID, map[string]any{"a": 1})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.UpdateEpisodeData(ctx, "E01", map[string]any{"a": 1})
	kitsutest.RequireInvalid(t, err, "episode id")
}

func TestShotUpdateSequenceData(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	got, err := c.Shot.UpdateSequenceData(ctx, tr.sequence.ID, map[string]any{"look": "warm", "n": 3})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"look": "warm", "n": 3.0}, got.Data)
	got, err = c.Shot.UpdateSequenceData(ctx, tr.sequence.ID, map[string]any{"look": "cold"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"look": "cold", "n": 3.0}, got.Data)
	fetched, err := c.Shot.GetSequence(ctx, tr.sequence.ID)
	require.NoError(t, err)
	assert.Equal(t, got.Data, fetched.Data)

	_, err = c.Shot.UpdateSequenceData(ctx, shotUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.UpdateSequenceData(ctx, "", nil)
	kitsutest.RequireInvalid(t, err, "sequence id")
}

func TestShotUpdateShotData(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	got, err := c.Shot.UpdateShotData(ctx, tr.shot.ID, map[string]any{"frame_in": 101, "lens": "35mm"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"frame_in": 101.0, "lens": "35mm"}, got.Data)
	got, err = c.Shot.UpdateShotData(ctx, tr.shot.ID, map[string]any{"frame_out": 148})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"frame_in": 101.0, "frame_out": 148.0, "lens": "35mm"}, got.Data)
	fetched, err := c.Shot.GetShot(ctx, tr.shot.ID)
	require.NoError(t, err)
	assert.Equal(t, got.Data, fetched.Data)
	assert.Equal(t, 101.0, fetched.Extra["frame_in"])

	_, err = c.Shot.UpdateShotData(ctx, shotUnknownID, map[string]any{"a": 1})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Shot.UpdateShotData(ctx, "SH010", map[string]any{"a": 1})
	kitsutest.RequireInvalid(t, err, "shot id")
}
