package kitsu_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

func playlistTestID(p *kitsu.Playlist) string   { return p.ID }
func playlistTestName(p *kitsu.Playlist) string { return p.Name }

// playlistTestCreate creates n playlists named prefix 01, prefix 02... in a
// project through NewPlaylist, and returns their ids in that order.
func playlistTestCreate(t *testing.T, c *kitsu.Client, projectID, prefix string, n int, opts *kitsu.NewPlaylistOptions) []string {
	t.Helper()
	ctx := kitsutest.Context(t)
	ids := make([]string, n)
	for i := range n {
		p, err := c.Playlist.NewPlaylist(ctx, projectID, fmt.Sprintf("%s %02d", prefix, i+1), opts)
		require.NoError(t, err)
		ids[i] = p.ID
	}
	return ids
}

func TestPlaylistAllPlaylists(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	b, err := c.Playlist.NewPlaylist(ctx, p.ID, "b dailies", nil)
	require.NoError(t, err)
	a, err := c.Playlist.NewPlaylist(ctx, p.ID, "A dailies", nil)
	require.NoError(t, err)

	all, err := c.Playlist.AllPlaylists(ctx)
	require.NoError(t, err)
	var mine []kitsu.Playlist
	for _, pl := range all {
		if pl.ProjectID == p.ID {
			mine = append(mine, pl)
		}
	}
	assert.Equal(t, []string{a.ID, b.ID}, kitsutest.IDs(mine, playlistTestID))
	assert.True(t, slices.IsSortedFunc(all, func(x, y kitsu.Playlist) int {
		return strings.Compare(strings.ToLower(x.Name), strings.ToLower(y.Name))
	}), "sorted by name, case aside")
}

func TestPlaylistAllPlaylistsForProject(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)

	none, err := c.Playlist.AllPlaylistsForProject(ctx, p.ID, nil)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	// Zou pages this list 20 at a time; gazu read the first page only.
	ids := playlistTestCreate(t, c, p.ID, "Review", 23, nil)
	other := kitsutest.NewProject(t, c, false)
	playlistTestCreate(t, c, other.ID, "Review", 1, nil)

	got, err := c.Playlist.AllPlaylistsForProject(ctx, p.ID, nil)
	require.NoError(t, err)
	require.Len(t, got, 23, "every page is read")
	assert.Equal(t, ids, kitsutest.IDs(got, playlistTestID), "sorted by name")
	for _, pl := range got {
		assert.Equal(t, p.ID, pl.ProjectID)
		assert.Equal(t, "shot", pl.ForEntity)
	}

	// One page, as gazu's page argument gives it.
	first, err := c.Playlist.AllPlaylistsForProject(ctx, p.ID, &kitsu.AllPlaylistsForProjectOptions{Page: 1})
	require.NoError(t, err)
	assert.Len(t, first, 20)
	assert.True(t, slices.IsSortedFunc(first, func(x, y kitsu.Playlist) int { return strings.Compare(x.Name, y.Name) }))
	second, err := c.Playlist.AllPlaylistsForProject(ctx, p.ID, &kitsu.AllPlaylistsForProjectOptions{Page: 2})
	require.NoError(t, err)
	assert.Len(t, second, 3)
	assert.ElementsMatch(t, ids, append(kitsutest.IDs(first, playlistTestID), kitsutest.IDs(second, playlistTestID)...))

	_, err = c.Playlist.AllPlaylistsForProject(ctx, shotUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Playlist.AllPlaylistsForProject(ctx, p.ID, &kitsu.AllPlaylistsForProjectOptions{Page: -1})
	kitsutest.RequireInvalid(t, err, "page")
	_, err = c.Playlist.AllPlaylistsForProject(ctx, "Review", nil)
	kitsutest.RequireInvalid(t, err, "project id")
}

func TestPlaylistAllPlaylistsForEpisode(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, true)
	e1, err := c.Shot.GetEpisode(ctx, p.FirstEpisodeID)
	require.NoError(t, err)
	e2 := kitsutest.NewEpisode(t, c, p.ID, "E02")

	none, err := c.Playlist.AllPlaylistsForEpisode(ctx, *e1)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	ids := playlistTestCreate(t, c, p.ID, "E01 review", 22, &kitsu.NewPlaylistOptions{EpisodeID: e1.ID})
	playlistTestCreate(t, c, p.ID, "E02 review", 1, &kitsu.NewPlaylistOptions{EpisodeID: e2.ID})
	playlistTestCreate(t, c, p.ID, "Main review", 1, nil)

	got, err := c.Playlist.AllPlaylistsForEpisode(ctx, *e1)
	require.NoError(t, err)
	require.Len(t, got, 22, "every page is read")
	assert.Equal(t, ids, kitsutest.IDs(got, playlistTestID))
	for _, pl := range got {
		assert.Equal(t, e1.ID, pl.EpisodeID)
	}

	// An episode known by its id only is fetched to learn its project.
	byID := kitsu.Episode{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: e2.ID}}}
	got, err = c.Playlist.AllPlaylistsForEpisode(ctx, byID)
	require.NoError(t, err)
	assert.Equal(t, []string{"E02 review 01"}, kitsutest.IDs(got, playlistTestName))

	unknown := kitsu.Episode{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: shotUnknownID}, ProjectID: p.ID}}
	_, err = c.Playlist.AllPlaylistsForEpisode(ctx, unknown)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	unknown.ProjectID = ""
	_, err = c.Playlist.AllPlaylistsForEpisode(ctx, unknown)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Playlist.AllPlaylistsForEpisode(ctx, kitsu.Episode{})
	kitsutest.RequireInvalid(t, err, "episode id")
	bad := kitsu.Episode{EntityFields: kitsu.EntityFields{Base: kitsu.Base{ID: e1.ID}, ProjectID: "p"}}
	_, err = c.Playlist.AllPlaylistsForEpisode(ctx, bad)
	kitsutest.RequireInvalid(t, err, "project id")
}

func TestPlaylistAllShotsForPlaylist(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	early := kitsutest.NewShot(t, c, tr.project.ID, tr.sequence.ID, "SH005")
	pl, err := c.Playlist.NewPlaylist(ctx, tr.project.ID, "Layout review", nil)
	require.NoError(t, err)

	none, err := c.Playlist.AllShotsForPlaylist(ctx, pl.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	// SH010 then SH005: the playlist's order, not the names'.
	require.NoError(t, c.Update(ctx, "playlists", pl.ID, map[string]any{"shots": []map[string]any{
		{"entity_id": tr.shot.ID}, {"entity_id": early.ID},
	}}, nil))
	got, err := c.Playlist.AllShotsForPlaylist(ctx, pl.ID)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, tr.shot.ID, got[0].EntityID)
	assert.Equal(t, early.ID, got[1].EntityID)

	_, err = c.Playlist.AllShotsForPlaylist(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Playlist.AllShotsForPlaylist(ctx, "Layout review")
	kitsutest.RequireInvalid(t, err, "playlist id")
}

func TestPlaylistGetPlaylist(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx
	pl, err := c.Playlist.NewPlaylist(ctx, tr.project.ID, "Anim review", &kitsu.NewPlaylistOptions{EpisodeID: tr.episode.ID})
	require.NoError(t, err)
	require.NoError(t, c.Update(ctx, "playlists", pl.ID, map[string]any{"shots": []map[string]any{{"entity_id": tr.shot.ID}}}, nil))

	got, err := c.Playlist.GetPlaylist(ctx, pl.ID)
	require.NoError(t, err)
	assert.Equal(t, pl.ID, got.ID)
	assert.Equal(t, "Anim review", got.Name)
	assert.Equal(t, tr.project.ID, got.ProjectID)
	assert.Equal(t, tr.episode.ID, got.EpisodeID)
	assert.Equal(t, "Playlist", got.Type)
	require.Len(t, got.Shots, 1)
	assert.Equal(t, tr.shot.ID, got.Shots[0].EntityID)

	_, err = c.Playlist.GetPlaylist(ctx, shotUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Playlist.GetPlaylist(ctx, "")
	kitsutest.RequireInvalid(t, err, "playlist id")
}

func TestPlaylistGetPlaylistByName(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	pl, err := c.Playlist.NewPlaylist(ctx, p.ID, "Client_review", nil)
	require.NoError(t, err)
	wild, err := c.Playlist.NewPlaylist(ctx, p.ID, "ClientXreview", nil)
	require.NoError(t, err)
	other := kitsutest.NewProject(t, c, false)

	got, err := c.Playlist.GetPlaylistByName(ctx, p.ID, "client_REVIEW")
	require.NoError(t, err)
	assert.Equal(t, pl.ID, got.ID, "names match without regard to case")
	got, err = c.Playlist.GetPlaylistByName(ctx, p.ID, "ClientXreview")
	require.NoError(t, err)
	assert.Equal(t, wild.ID, got.ID)

	_, err = c.Playlist.GetPlaylistByName(ctx, p.ID, "Client%")
	require.ErrorIs(t, err, kitsu.ErrNotFound, "a wildcard matches only itself")
	_, err = c.Playlist.GetPlaylistByName(ctx, other.ID, "Client_review")
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), "Client_review")
	_, err = c.Playlist.GetPlaylistByName(ctx, shotUnknownID, "Client_review")
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Playlist.GetPlaylistByName(ctx, p.ID, "")
	kitsutest.RequireInvalid(t, err, "playlist name")
	_, err = c.Playlist.GetPlaylistByName(ctx, "x", "Client_review")
	kitsutest.RequireInvalid(t, err, "project id")
}

func TestPlaylistNewPlaylist(t *testing.T) {
	t.Parallel()
	tr := newShotTree(t)
	c, ctx := tr.c, tr.ctx

	plain, err := c.Playlist.NewPlaylist(ctx, tr.project.ID, "Dailies_1", nil)
	require.NoError(t, err)
	assert.Equal(t, "Dailies_1", plain.Name)
	assert.Equal(t, tr.project.ID, plain.ProjectID)
	assert.Equal(t, "shot", plain.ForEntity)
	assert.False(t, plain.ForClient)
	assert.False(t, plain.IsForAll)
	assert.Empty(t, plain.EpisodeID)

	again, err := c.Playlist.NewPlaylist(ctx, tr.project.ID, "dailies_1", &kitsu.NewPlaylistOptions{ForClient: true})
	require.NoError(t, err)
	assert.Equal(t, plain.ID, again.ID, "get-or-create")
	assert.False(t, again.ForClient, "an existing playlist is returned unchanged")

	full, err := c.Playlist.NewPlaylist(ctx, tr.project.ID, "DailiesX1", &kitsu.NewPlaylistOptions{
		EpisodeID: tr.episode.ID, ForEntity: "asset", ForClient: true,
	})
	require.NoError(t, err)
	assert.NotEqual(t, plain.ID, full.ID, "Dailies_1 is no pattern for DailiesX1")
	assert.Equal(t, tr.episode.ID, full.EpisodeID)
	assert.Equal(t, "asset", full.ForEntity)
	assert.True(t, full.ForClient)
	all, err := c.Playlist.NewPlaylist(ctx, tr.project.ID, "Everything", &kitsu.NewPlaylistOptions{IsForAll: true})
	require.NoError(t, err)
	assert.True(t, all.IsForAll)

	got, err := c.Playlist.AllPlaylistsForProject(ctx, tr.project.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{plain.ID, full.ID, all.ID}, kitsutest.IDs(got, playlistTestID))

	_, err = c.Playlist.NewPlaylist(ctx, shotUnknownID, "Dailies", nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Playlist.NewPlaylist(ctx, tr.project.ID, "Props", &kitsu.NewPlaylistOptions{ForEntity: "prop"})
	require.ErrorIs(t, err, kitsu.ErrParameter, "Zou checks what a playlist is for")
	_, err = c.Playlist.NewPlaylist(ctx, tr.project.ID, "Dailies", &kitsu.NewPlaylistOptions{EpisodeID: "E01"})
	kitsutest.RequireInvalid(t, err, "episode id")
	_, err = c.Playlist.NewPlaylist(ctx, tr.project.ID, " ", nil)
	kitsutest.RequireInvalid(t, err, "playlist name")
	_, err = c.Playlist.NewPlaylist(ctx, "", "Dailies", nil)
	kitsutest.RequireInvalid(t, err, "project id")
}
