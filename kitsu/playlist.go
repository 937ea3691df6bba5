package kitsu

import (
	"context"
	"errors"
	"fmt"
	"strconv"
)

// This file holds gazu's playlist module: the playlists of a production,
// its episodes, and the entities they list.

// AllPlaylistsForProjectOptions are the optional parts of
// AllPlaylistsForProject. The zero value (or nil) returns every playlist
// of the project; gazu's default, page=1, returned only the first 20.
type AllPlaylistsForProjectOptions struct {
	// Page, when 1 or more, returns only that page of Zou's listing, as
	// gazu's page argument does: 20 playlists, the most recently updated
	// first, then sorted by name.
	Page int
}

// NewPlaylistOptions are the optional parts of NewPlaylist. The zero
// value (or nil) is gazu's defaults: a playlist of shots, outside any
// episode, not shared with clients, not an "all" playlist.
type NewPlaylistOptions struct {
	// EpisodeID puts the playlist in that episode (TV shows).
	EpisodeID string
	// ForEntity is what the playlist lists: "shot" (when empty), "asset",
	// "sequence", "edit" or "episode". Zou refuses other values.
	ForEntity string
	// ForClient shares the playlist with the production's clients.
	ForClient bool
	// IsForAll makes it a production-wide playlist of a TV show (gazu
	// 1.1.12's is_for_all).
	IsForAll bool
}

// AllPlaylists returns the playlists of every production the user can
// see, with their entries, sorted by name.
//
// It calls GET /data/playlists and mirrors gazu.playlist.all_playlists.
func (s *PlaylistService) AllPlaylists(ctx context.Context) ([]Playlist, error) {
	playlists, err := list[Playlist](ctx, (*service)(s), "data/playlists", nil)
	if err != nil {
		return nil, err
	}
	sortByName(playlists, func(p *Playlist) string { return p.Name })
	return playlists, nil
}

// AllPlaylistsForProject returns the playlists of a project, sorted by
// name, without their entries (GetPlaylist has them). An unknown project
// gives an error matching ErrNotFound.
//
// It calls GET /data/projects/{project_id}/playlists and mirrors
// gazu.playlist.all_playlists_for_project. Zou serves that list 20
// playlists at a time and gazu reads one page only; this method reads
// every page (opts.Page asks for one, as gazu does).
func (s *PlaylistService) AllPlaylistsForProject(ctx context.Context, projectID string, opts *AllPlaylistsForProjectOptions) ([]Playlist, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	page := 0
	if opts != nil {
		page = opts.Page
	}
	if page < 0 {
		return nil, invalidArg("page", page, "0 (every page) or a page number from 1")
	}
	path := pathOf("data/projects", projectID, "playlists")
	var playlists []Playlist
	var err error
	if page > 0 {
		playlists, err = list[Playlist](ctx, (*service)(s), path, q("page", strconv.Itoa(page)))
	} else {
		playlists, err = s.playlistPages(ctx, path)
	}
	if err != nil {
		return nil, err
	}
	if len(playlists) == 0 {
		// Zou lists no playlists, rather than 404, for an unknown project.
		if err := s.projectExists(ctx, projectID); err != nil {
			return nil, err
		}
	}
	sortByName(playlists, func(p *Playlist) string { return p.Name })
	return playlists, nil
}

// AllPlaylistsForEpisode returns the playlists of an episode, sorted by
// name, without their entries (GetPlaylist has them). The episode must
// hold its id and its ProjectID; when ProjectID is empty the episode is
// fetched first (GET /data/episodes/{episode_id}).
//
// It calls GET /data/projects/{project_id}/episodes/{episode_id}/playlists
// and mirrors gazu.playlist.all_playlists_for_episode. Zou serves that
// list 20 playlists at a time and gazu reads one page only; this method
// reads every page.
func (s *PlaylistService) AllPlaylistsForEpisode(ctx context.Context, episode Episode) ([]Playlist, error) {
	if err := checkID("episode id", episode.ID); err != nil {
		return nil, err
	}
	projectID := episode.ProjectID
	if projectID == "" {
		fetched, err := one[Episode](ctx, (*service)(s), pathOf("data/episodes", episode.ID), nil)
		if err != nil {
			return nil, err
		}
		projectID = fetched.ProjectID
	}
	if err := checkID("episode project id", projectID); err != nil {
		return nil, err
	}
	playlists, err := s.playlistPages(ctx, pathOf("data/projects", projectID, "episodes", episode.ID, "playlists"))
	if err != nil {
		return nil, err
	}
	sortByName(playlists, func(p *Playlist) string { return p.Name })
	return playlists, nil
}

// playlistPages reads every page of one of Zou's paged playlist lists.
// Pages are asked in id order, which updates cannot change, and a
// playlist met twice is kept once. The walk ends on a page shorter than
// the longest one seen, an empty page, or a page with nothing new (a
// server that ignores the page number).
func (s *PlaylistService) playlistPages(ctx context.Context, path string) ([]Playlist, error) {
	all := []Playlist{}
	seen := map[string]bool{}
	longest := 0
	for page := 1; ; page++ {
		var batch []Playlist
		if err := (*service)(s).get(ctx, path, q("page", strconv.Itoa(page), "sort_by", "id"), &batch); err != nil {
			return nil, err
		}
		added := 0
		for _, p := range batch {
			if !seen[p.ID] {
				seen[p.ID] = true
				all = append(all, p)
				added++
			}
		}
		if len(batch) == 0 || added == 0 || len(batch) < longest {
			return all, nil
		}
		longest = len(batch)
	}
}

// projectExists returns nil when the project exists, else the error of
// GET /data/projects/{project_id} (matching ErrNotFound when unknown).
func (s *PlaylistService) projectExists(ctx context.Context, projectID string) error {
	var p Project
	return (*service)(s).get(ctx, pathOf("data/projects", projectID), nil, &p)
}

// AllShotsForPlaylist returns the entries of a playlist (the entity and
// the preview shown for each), in the playlist's order.
//
// It calls GET /data/playlists/{playlist_id} and mirrors
// gazu.playlist.all_shots_for_playlist. Gazu sorts the entries by a name
// they do not have, which leaves them in the playlist's order.
func (s *PlaylistService) AllShotsForPlaylist(ctx context.Context, playlistID string) ([]PlaylistEntry, error) {
	playlist, err := s.GetPlaylist(ctx, playlistID)
	if err != nil {
		return nil, err
	}
	if playlist.Shots == nil {
		return []PlaylistEntry{}, nil
	}
	return playlist.Shots, nil
}

// GetPlaylist returns the playlist with the given id, with its entries.
//
// It calls GET /data/playlists/{playlist_id} and mirrors
// gazu.playlist.get_playlist.
func (s *PlaylistService) GetPlaylist(ctx context.Context, playlistID string) (*Playlist, error) {
	if err := checkID("playlist id", playlistID); err != nil {
		return nil, err
	}
	return one[Playlist](ctx, (*service)(s), pathOf("data/playlists", playlistID), nil)
}

// GetPlaylistByName returns the playlist of a project with the given name
// (matched without regard to case), or an error matching ErrNotFound.
//
// It calls GET /data/playlists?project_id=&name= and mirrors
// gazu.playlist.get_playlist_by_name (which returns None when nothing
// matches). Unlike gazu, which sends the name as an ILIKE pattern where
// "_" and "%" are wildcards, the name is matched literally, and an
// exact-case match wins over one that differs only by case.
func (s *PlaylistService) GetPlaylistByName(ctx context.Context, projectID, name string) (*Playlist, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	if err := checkName("playlist name", name); err != nil {
		return nil, err
	}
	return firstWithName(ctx, (*service)(s), "data/playlists", q("project_id", projectID), name,
		func(p *Playlist) string { return p.Name }, fmt.Sprintf("no playlist named %q in project %s", name, projectID))
}

// NewPlaylist returns the playlist of the project with that name,
// creating it when there is none (get-or-create, as gazu does: the name
// is looked up in the whole project, whatever the episode, and an
// existing playlist is returned unchanged).
//
// It calls GET /data/playlists?project_id=&name=, then POST /data/playlists
// when nothing matched, and mirrors gazu.playlist.new_playlist. An
// unknown project gives an error matching ErrNotFound.
func (s *PlaylistService) NewPlaylist(ctx context.Context, projectID, name string, opts *NewPlaylistOptions) (*Playlist, error) {
	if opts == nil {
		opts = &NewPlaylistOptions{}
	}
	if opts.EpisodeID != "" {
		if err := checkID("episode id", opts.EpisodeID); err != nil {
			return nil, err
		}
	}
	existing, err := s.GetPlaylistByName(ctx, projectID, name)
	if err == nil || !lookupMissed(err) {
		return existing, err
	}
	forEntity := opts.ForEntity
	if forEntity == "" {
		forEntity = "shot"
	}
	body := map[string]any{
		"name":       name,
		"project_id": projectID,
		"for_entity": forEntity,
		"for_client": opts.ForClient,
		"is_for_all": opts.IsForAll,
	}
	if opts.EpisodeID != "" {
		body["episode_id"] = opts.EpisodeID
	}
	var playlist Playlist
	if err := (*service)(s).post(ctx, "data/playlists", body, &playlist); err != nil {
		// Zou answers an unknown project with a 400 about references.
		if errors.Is(err, ErrParameter) {
			if perr := s.projectExists(ctx, projectID); errors.Is(perr, ErrNotFound) {
				return nil, perr
			}
		}
		return nil, err
	}
	return &playlist, nil
}
