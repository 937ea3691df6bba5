package kitsu

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
)

// This file holds gazu's shot module: episodes, sequences and shots, their
// asset instances and their previews.

// UnmarshalJSONFrom decodes a preview file, keeping unnamed members in Extra.

// NewShotOptions are the optional parts of NewShot. The zero value (or nil)
// is gazu's default: no frame count, no frame range, no description and
// empty data.
type NewShotOptions struct {
	// NbFrames is the shot's length in frames; 0 sends none.
	NbFrames int
	// FrameIn and FrameOut, when set, are stored in the shot's data as
	// frame_in and frame_out (where Kitsu reads them).
	FrameIn  *int
	FrameOut *int
	// Description of the shot; empty sends none.
	Description string
	// Data is the shot's custom metadata. It is copied, never changed.
	Data map[string]any
}

// NewSequenceOptions are the optional parts of NewSequence. The zero value
// (or nil) creates the sequence outside any episode, as gazu does.
type NewSequenceOptions struct {
	// EpisodeID puts the sequence in that episode (TV shows).
	EpisodeID string
}

// GetSequenceByNameOptions are the optional parts of GetSequenceByName.
// The zero value (or nil) looks the name up in the whole project, as gazu
// does by default.
type GetSequenceByNameOptions struct {
	// EpisodeID looks the name up in that episode only.
	EpisodeID string
}

// RemoveShotOptions are the optional parts of RemoveShot. The zero value
// (or nil) is gazu's force=False.
type RemoveShotOptions struct {
	// Force deletes a shot that has tasks, with its tasks. Without it,
	// Zou only marks such a shot canceled (RestoreShot undoes that).
	Force bool
}

// RemoveSequenceOptions are the optional parts of RemoveSequence. The zero
// value (or nil) is gazu's force=False.
type RemoveSequenceOptions struct {
	// Force deletes the sequence's shots and tasks with it. Without it,
	// Zou refuses to delete a sequence that still has shots.
	Force bool
}

// RemoveEpisodeOptions are the optional parts of RemoveEpisode. The zero
// value (or nil) is gazu's force=False.
type RemoveEpisodeOptions struct {
	// Force deletes everything in the episode with it: sequences, shots,
	// its assets, playlists and tasks. Without it, Zou refuses to delete
	// an episode that still has sequences.
	Force bool
}

// lookupMissed tells a lookup that found nothing (a get-or-create may
// create) from an error reply of the server, which it must return.
func lookupMissed(err error) bool {
	var reply *Error
	return errors.Is(err, ErrNotFound) && !errors.As(err, &reply)
}

// AllEpisodesForProject returns the episodes of a project, sorted by name.
//
// It calls GET /data/projects/{project_id}/episodes and mirrors
// gazu.shot.all_episodes_for_project.
func (s *ShotService) AllEpisodesForProject(ctx context.Context, projectID string) ([]Episode, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	episodes, err := list[Episode](ctx, (*service)(s), pathOf("data/projects", projectID, "episodes"), nil)
	if err != nil {
		return nil, err
	}
	sortByName(episodes, func(e *Episode) string { return e.Name })
	return episodes, nil
}

// AllSequencesForProject returns the sequences of a project, sorted by
// name.
//
// It calls GET /data/projects/{project_id}/sequences and mirrors
// gazu.shot.all_sequences_for_project.
func (s *ShotService) AllSequencesForProject(ctx context.Context, projectID string) ([]Sequence, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	sequences, err := list[Sequence](ctx, (*service)(s), pathOf("data/projects", projectID, "sequences"), nil)
	if err != nil {
		return nil, err
	}
	sortByName(sequences, func(x *Sequence) string { return x.Name })
	return sequences, nil
}

// AllSequencesForEpisode returns the sequences of an episode, sorted by
// name.
//
// It calls GET /data/episodes/{episode_id}/sequences and mirrors
// gazu.shot.all_sequences_for_episode.
func (s *ShotService) AllSequencesForEpisode(ctx context.Context, episodeID string) ([]Sequence, error) {
	if err := checkID("episode id", episodeID); err != nil {
		return nil, err
	}
	sequences, err := list[Sequence](ctx, (*service)(s), pathOf("data/episodes", episodeID, "sequences"), nil)
	if err != nil {
		return nil, err
	}
	sortByName(sequences, func(x *Sequence) string { return x.Name })
	return sequences, nil
}

// AllShotsForProject returns the shots of a project, sorted by name. The
// list is decoded as it streams in, however long it is.
//
// It calls GET /data/projects/{project_id}/shots and mirrors
// gazu.shot.all_shots_for_project.
func (s *ShotService) AllShotsForProject(ctx context.Context, projectID string) ([]Shot, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	shots, err := list[Shot](ctx, (*service)(s), pathOf("data/projects", projectID, "shots"), nil)
	if err != nil {
		return nil, err
	}
	sortByName(shots, func(h *Shot) string { return h.Name })
	return shots, nil
}

// AllShotsForEpisode returns the shots of all the sequences of an episode,
// sorted by name.
//
// It calls GET /data/episodes/{episode_id}/shots and mirrors
// gazu.shot.all_shots_for_episode.
func (s *ShotService) AllShotsForEpisode(ctx context.Context, episodeID string) ([]Shot, error) {
	if err := checkID("episode id", episodeID); err != nil {
		return nil, err
	}
	shots, err := list[Shot](ctx, (*service)(s), pathOf("data/episodes", episodeID, "shots"), nil)
	if err != nil {
		return nil, err
	}
	sortByName(shots, func(h *Shot) string { return h.Name })
	return shots, nil
}

// AllShotsForSequence returns the shots of a sequence, sorted by name.
//
// It calls GET /data/sequences/{sequence_id}/shots and mirrors
// gazu.shot.all_shots_for_sequence.
func (s *ShotService) AllShotsForSequence(ctx context.Context, sequenceID string) ([]Shot, error) {
	if err := checkID("sequence id", sequenceID); err != nil {
		return nil, err
	}
	shots, err := list[Shot](ctx, (*service)(s), pathOf("data/sequences", sequenceID, "shots"), nil)
	if err != nil {
		return nil, err
	}
	sortByName(shots, func(h *Shot) string { return h.Name })
	return shots, nil
}

// AllPreviewsForShot returns the previews uploaded on the tasks of a shot,
// keyed by task type id. Each task type's list holds one preview per
// revision, newest revision first; the other files of the same revision
// are in its Previews.
//
// It calls GET /data/shots/{shot_id}/preview-files and mirrors
// gazu.shot.all_previews_for_shot, whose docs say it returns a list: Zou
// answers this map.
func (s *ShotService) AllPreviewsForShot(ctx context.Context, shotID string) (map[string][]PreviewFile, error) {
	if err := checkID("shot id", shotID); err != nil {
		return nil, err
	}
	var previews map[string][]PreviewFile
	if err := (*service)(s).get(ctx, pathOf("data/shots", shotID, "preview-files"), nil, &previews); err != nil {
		return nil, err
	}
	if previews == nil {
		previews = map[string][]PreviewFile{}
	}
	return previews, nil
}

// AllAssetInstancesForShot returns the asset instances linked to a shot,
// keyed by the id of their asset.
//
// It calls GET /data/shots/{shot_id}/asset-instances and mirrors
// gazu.shot.all_asset_instances_for_shot, whose docs say it returns a
// list: Zou answers this map.
func (s *ShotService) AllAssetInstancesForShot(ctx context.Context, shotID string) (map[string][]AssetInstance, error) {
	if err := checkID("shot id", shotID); err != nil {
		return nil, err
	}
	var instances map[string][]AssetInstance
	if err := (*service)(s).get(ctx, pathOf("data/shots", shotID, "asset-instances"), nil, &instances); err != nil {
		return nil, err
	}
	if instances == nil {
		instances = map[string][]AssetInstance{}
	}
	return instances, nil
}

// GetAssetInstancesForShot returns the asset instances linked to a shot,
// keyed by the id of their asset: the same as AllAssetInstancesForShot.
//
// It calls GET /data/shots/{shot_id}/asset-instances and mirrors
// gazu.shot.get_asset_instances_for_shot.
func (s *ShotService) GetAssetInstancesForShot(ctx context.Context, shotID string) (map[string][]AssetInstance, error) {
	return s.AllAssetInstancesForShot(ctx, shotID)
}

// AddAssetInstanceToShot links an asset instance to a shot and returns
// the shot.
//
// It calls POST /data/shots/{shot_id}/asset-instances and mirrors
// gazu.shot.add_asset_instance_to_shot.
func (s *ShotService) AddAssetInstanceToShot(ctx context.Context, shotID, assetInstanceID string) (*Shot, error) {
	if err := checkIDs("shot id", shotID, "asset instance id", assetInstanceID); err != nil {
		return nil, err
	}
	var shot Shot
	body := map[string]any{"asset_instance_id": assetInstanceID}
	if err := (*service)(s).post(ctx, pathOf("data/shots", shotID, "asset-instances"), body, &shot); err != nil {
		return nil, err
	}
	return &shot, nil
}

// RemoveAssetInstanceFromShot unlinks an asset instance from a shot.
//
// It calls DELETE /data/shots/{shot_id}/asset-instances/{asset_instance_id}
// and mirrors gazu.shot.remove_asset_instance_from_shot. Zou answers an
// instance that is not linked to the shot with a server error; this
// method then returns an error matching ErrNotFound instead.
func (s *ShotService) RemoveAssetInstanceFromShot(ctx context.Context, shotID, assetInstanceID string) error {
	if err := checkIDs("shot id", shotID, "asset instance id", assetInstanceID); err != nil {
		return err
	}
	err := (*service)(s).delete(ctx, pathOf("data/shots", shotID, "asset-instances", assetInstanceID), nil)
	if err == nil || !errors.Is(err, ErrServer) {
		return err
	}
	instances, lerr := s.AllAssetInstancesForShot(ctx, shotID)
	if lerr != nil {
		return err
	}
	for _, group := range instances {
		for _, instance := range group {
			if instance.ID == assetInstanceID {
				return err
			}
		}
	}
	return fmt.Errorf("%w: asset instance %s is not linked to shot %s", ErrNotFound, assetInstanceID, shotID)
}

// GetEpisode returns the episode with the given id.
//
// It calls GET /data/episodes/{episode_id} and mirrors gazu.shot.get_episode.
func (s *ShotService) GetEpisode(ctx context.Context, episodeID string) (*Episode, error) {
	if err := checkID("episode id", episodeID); err != nil {
		return nil, err
	}
	return one[Episode](ctx, (*service)(s), pathOf("data/episodes", episodeID), nil)
}

// GetSequence returns the sequence with the given id, with its episode's
// id and name.
//
// It calls GET /data/sequences/{sequence_id} and mirrors
// gazu.shot.get_sequence.
func (s *ShotService) GetSequence(ctx context.Context, sequenceID string) (*Sequence, error) {
	if err := checkID("sequence id", sequenceID); err != nil {
		return nil, err
	}
	return one[Sequence](ctx, (*service)(s), pathOf("data/sequences", sequenceID), nil)
}

// GetShot returns the shot with the given id, with the ids and names of
// its sequence and episode.
//
// It calls GET /data/shots/{shot_id} and mirrors gazu.shot.get_shot.
func (s *ShotService) GetShot(ctx context.Context, shotID string) (*Shot, error) {
	if err := checkID("shot id", shotID); err != nil {
		return nil, err
	}
	return one[Shot](ctx, (*service)(s), pathOf("data/shots", shotID), nil)
}

// GetEpisodeByName returns the episode of a project with the given name
// (matched without regard to case), or an error matching ErrNotFound.
//
// It calls GET /data/episodes?project_id=&name= and mirrors
// gazu.shot.get_episode_by_name (which returns None when nothing matches).
// Unlike gazu, which sends the name as an ILIKE pattern where "_" and "%"
// are wildcards, the name is matched literally, and an exact-case match
// wins over one that differs only by case.
func (s *ShotService) GetEpisodeByName(ctx context.Context, projectID, name string) (*Episode, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	if err := checkName("episode name", name); err != nil {
		return nil, err
	}
	return firstWithName(ctx, (*service)(s), "data/episodes", q("project_id", projectID), name,
		func(e *Episode) string { return e.Name }, fmt.Sprintf("no episode named %q in project %s", name, projectID))
}

// GetSequenceByName returns the sequence of a project with the given name
// (matched without regard to case), or an error matching ErrNotFound.
// With opts.EpisodeID, only that episode's sequences are searched.
//
// It calls GET /data/sequences?project_id=&name= (or ?episode_id=&name=)
// and mirrors gazu.shot.get_sequence_by_name (which returns None when
// nothing matches). The name is matched literally, not as an ILIKE
// pattern, as in GetEpisodeByName.
func (s *ShotService) GetSequenceByName(ctx context.Context, projectID, name string, opts *GetSequenceByNameOptions) (*Sequence, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	if err := checkName("sequence name", name); err != nil {
		return nil, err
	}
	if opts != nil && opts.EpisodeID != "" {
		if err := checkID("episode id", opts.EpisodeID); err != nil {
			return nil, err
		}
		return firstWithName(ctx, (*service)(s), "data/sequences", q("episode_id", opts.EpisodeID), name,
			func(x *Sequence) string { return x.Name }, fmt.Sprintf("no sequence named %q in episode %s", name, opts.EpisodeID))
	}
	return firstWithName(ctx, (*service)(s), "data/sequences", q("project_id", projectID), name,
		func(x *Sequence) string { return x.Name }, fmt.Sprintf("no sequence named %q in project %s", name, projectID))
}

// GetShotByName returns the shot of a sequence with the given name
// (matched without regard to case), or an error matching ErrNotFound.
//
// It calls GET /data/shots/all?sequence_id=&name= and mirrors
// gazu.shot.get_shot_by_name (which returns None when nothing matches).
// The name is matched literally, not as an ILIKE pattern, as in
// GetEpisodeByName.
func (s *ShotService) GetShotByName(ctx context.Context, sequenceID, name string) (*Shot, error) {
	if err := checkID("sequence id", sequenceID); err != nil {
		return nil, err
	}
	if err := checkName("shot name", name); err != nil {
		return nil, err
	}
	return firstWithName(ctx, (*service)(s), "data/shots/all", q("sequence_id", sequenceID), name,
		func(h *Shot) string { return h.Name }, fmt.Sprintf("no shot named %q in sequence %s", name, sequenceID))
}

// GetEpisodeFromSequence returns the episode a sequence belongs to, read
// from the sequence's ParentID (or EpisodeID). A sequence outside any
// episode gives an error matching ErrNotFound.
//
// It calls GET /data/episodes/{parent_id} and mirrors
// gazu.shot.get_episode_from_sequence (which returns None for a sequence
// without episode). Unlike gazu, when the sequence holds its id but no
// parent id (a model built by hand), the sequence is fetched first
// (GET /data/sequences/{sequence_id}) rather than taken as having no
// episode.
func (s *ShotService) GetEpisodeFromSequence(ctx context.Context, sequence Sequence) (*Episode, error) {
	parent := cmp.Or(sequence.ParentID, sequence.EpisodeID)
	if parent == "" {
		if sequence.ID == "" {
			return nil, invalidArg("sequence", "", "a sequence holding its id or its parent id")
		}
		fetched, err := s.GetSequence(ctx, sequence.ID)
		if err != nil {
			return nil, err
		}
		parent = fetched.ParentID
	}
	if parent == "" {
		return nil, fmt.Errorf("%w: sequence %s is in no episode", ErrNotFound, sequence.ID)
	}
	if err := checkID("sequence parent id", parent); err != nil {
		return nil, err
	}
	return s.GetEpisode(ctx, parent)
}

// GetSequenceFromShot returns the sequence a shot belongs to, read from
// the shot's ParentID (or SequenceID).
//
// It calls GET /data/sequences/{parent_id} and mirrors
// gazu.shot.get_sequence_from_shot. Where gazu fails on a shot without
// parent_id, the shot is fetched first (GET /data/shots/{shot_id}) when
// it holds its id; a shot in no sequence gives an error matching
// ErrNotFound.
func (s *ShotService) GetSequenceFromShot(ctx context.Context, shot Shot) (*Sequence, error) {
	parent := cmp.Or(shot.ParentID, shot.SequenceID)
	if parent == "" {
		if shot.ID == "" {
			return nil, invalidArg("shot", "", "a shot holding its id or its parent id")
		}
		fetched, err := s.GetShot(ctx, shot.ID)
		if err != nil {
			return nil, err
		}
		parent = fetched.ParentID
	}
	if parent == "" {
		return nil, fmt.Errorf("%w: shot %s is in no sequence", ErrNotFound, shot.ID)
	}
	if err := checkID("shot parent id", parent); err != nil {
		return nil, err
	}
	return s.GetSequence(ctx, parent)
}

// GetEpisodeURL returns the address of the episode's shot list in the
// Kitsu web application:
// {host without /api}/productions/{project_id}/episodes/{episode_id}/shots.
//
// It calls GET /data/episodes/{episode_id} and mirrors
// gazu.shot.get_episode_url.
func (s *ShotService) GetEpisodeURL(ctx context.Context, episodeID string) (string, error) {
	episode, err := s.GetEpisode(ctx, episodeID)
	if err != nil {
		return "", err
	}
	return s.c.webURL("productions", episode.ProjectID, "episodes", episode.ID, "shots"), nil
}

// GetShotURL returns the address of the shot's page in the Kitsu web
// application: {host without /api}/productions/{project_id}/shots/{shot_id}/,
// with episodes/{episode_id}/ before shots/ for a shot of a TV show
// episode.
//
// It calls GET /data/shots/{shot_id} and mirrors gazu.shot.get_shot_url.
func (s *ShotService) GetShotURL(ctx context.Context, shotID string) (string, error) {
	shot, err := s.GetShot(ctx, shotID)
	if err != nil {
		return "", err
	}
	if shot.EpisodeID != "" {
		return s.c.webURL("productions", shot.ProjectID, "episodes", shot.EpisodeID, "shots", shot.ID) + "/", nil
	}
	return s.c.webURL("productions", shot.ProjectID, "shots", shot.ID) + "/", nil
}

// NewEpisode returns the episode of the project with that name, creating
// it when there is none (get-or-create, as gazu does).
//
// It calls GET /data/episodes?project_id=&name=, then
// POST /data/projects/{project_id}/episodes when nothing matched, and
// mirrors gazu.shot.new_episode.
func (s *ShotService) NewEpisode(ctx context.Context, projectID, name string) (*Episode, error) {
	existing, err := s.GetEpisodeByName(ctx, projectID, name)
	if err == nil || !lookupMissed(err) {
		return existing, err
	}
	var episode Episode
	if err := (*service)(s).post(ctx, pathOf("data/projects", projectID, "episodes"), map[string]any{"name": name}, &episode); err != nil {
		return nil, err
	}
	return &episode, nil
}

// NewSequence returns the sequence of the project (of opts.EpisodeID when
// set) with that name, creating it when there is none (get-or-create, as
// gazu does).
//
// It calls GET /data/sequences?project_id=&name= (or ?episode_id=&name=),
// then POST /data/projects/{project_id}/sequences when nothing matched,
// and mirrors gazu.shot.new_sequence.
func (s *ShotService) NewSequence(ctx context.Context, projectID, name string, opts *NewSequenceOptions) (*Sequence, error) {
	var episodeID string
	if opts != nil {
		episodeID = opts.EpisodeID
	}
	existing, err := s.GetSequenceByName(ctx, projectID, name, &GetSequenceByNameOptions{EpisodeID: episodeID})
	if err == nil || !lookupMissed(err) {
		return existing, err
	}
	body := map[string]any{"name": name}
	if episodeID != "" {
		body["episode_id"] = episodeID
	}
	var sequence Sequence
	if err := (*service)(s).post(ctx, pathOf("data/projects", projectID, "sequences"), body, &sequence); err != nil {
		return nil, err
	}
	return &sequence, nil
}

// NewShot returns the shot of the sequence with that name, creating it in
// the project when there is none (get-or-create, as gazu does: an
// existing shot is returned unchanged, whatever opts say).
//
// It calls GET /data/shots/all?sequence_id=&name=, then
// POST /data/projects/{project_id}/shots when nothing matched, and mirrors
// gazu.shot.new_shot. Unlike gazu, the caller's opts.Data is never
// changed: frame_in and frame_out go into a copy.
func (s *ShotService) NewShot(ctx context.Context, projectID, sequenceID, name string, opts *NewShotOptions) (*Shot, error) {
	if err := checkIDs("project id", projectID, "sequence id", sequenceID); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &NewShotOptions{}
	}
	if opts.NbFrames < 0 {
		return nil, invalidArg("nb frames", opts.NbFrames, "0 (none) or more frames")
	}
	existing, err := s.GetShotByName(ctx, sequenceID, name)
	if err == nil || !lookupMissed(err) {
		return existing, err
	}
	data := mergeData(opts.Data, nil)
	if opts.FrameIn != nil {
		data["frame_in"] = *opts.FrameIn
	}
	if opts.FrameOut != nil {
		data["frame_out"] = *opts.FrameOut
	}
	body := map[string]any{"name": name, "sequence_id": sequenceID, "data": data}
	if opts.NbFrames > 0 {
		body["nb_frames"] = opts.NbFrames
	}
	if opts.Description != "" {
		body["description"] = opts.Description
	}
	var shot Shot
	if err := (*service)(s).post(ctx, pathOf("data/projects", projectID, "shots"), body, &shot); err != nil {
		return nil, err
	}
	return &shot, nil
}

// UpdateEpisode changes the fields of an episode that changes sets,
// leaving every other field as stored, and returns the episode as saved.
// Empty changes are refused (ErrInvalidArgument) before anything is sent.
// Keys of Changes.Data are added or replaced, never removed: Zou merges
// the data it is sent into the stored one (gazu's docs say replaced).
//
// It calls PUT /data/entities/{episode_id} and mirrors
// gazu.shot.update_episode. Gazu sends the dict it is given; this method
// sends the fields changes sets. An unknown episode matches ErrNotFound.
func (s *ShotService) UpdateEpisode(ctx context.Context, episodeID string, changes EpisodeChanges) (*Episode, error) {
	var out Episode
	if err := updateEntity(ctx, (*service)(s), "episode", episodeID, EntityChanges(changes), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateSequence changes the fields of a sequence that changes sets,
// leaving every other field as stored, and returns the sequence as saved.
// Empty changes are refused (ErrInvalidArgument) before anything is sent.
// Changes.ParentID is the sequence's episode. Keys of Changes.Data are
// added or replaced, never removed: Zou merges the data it is sent into
// the stored one (gazu's docs say replaced).
//
// It calls PUT /data/entities/{sequence_id} and mirrors
// gazu.shot.update_sequence. Gazu sends the dict it is given; this method
// sends the fields changes sets. An unknown sequence matches ErrNotFound.
func (s *ShotService) UpdateSequence(ctx context.Context, sequenceID string, changes SequenceChanges) (*Sequence, error) {
	var out Sequence
	if err := updateEntity(ctx, (*service)(s), "sequence", sequenceID, EntityChanges(changes), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateShot changes the fields of a shot that changes sets, leaving every
// other field as stored, and returns the shot as saved. Empty changes are
// refused (ErrInvalidArgument) before anything is sent. Changes.ParentID
// is the shot's sequence. Keys of Changes.Data are added or replaced,
// never removed: Zou merges the data it is sent into the stored one
// (gazu's docs say replaced).
//
// It calls PUT /data/entities/{shot_id} and mirrors gazu.shot.update_shot.
// Gazu sends the dict it is given; this method sends the fields changes
// sets. An unknown shot matches ErrNotFound.
func (s *ShotService) UpdateShot(ctx context.Context, shotID string, changes ShotChanges) (*Shot, error) {
	var out Shot
	if err := updateEntity(ctx, (*service)(s), "shot", shotID, EntityChanges(changes), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateEpisodeData sets the given keys of the episode's custom data,
// leaving the others as they are, and returns the updated episode.
//
// It calls GET /data/episodes/{episode_id} then
// PUT /data/entities/{episode_id}, and mirrors gazu.shot.update_episode_data.
func (s *ShotService) UpdateEpisodeData(ctx context.Context, episodeID string, data map[string]any) (*Episode, error) {
	episode, err := s.GetEpisode(ctx, episodeID)
	if err != nil {
		return nil, err
	}
	return shotPutData[Episode](ctx, (*service)(s), episodeID, mergeData(episode.Data, data))
}

// UpdateSequenceData sets the given keys of the sequence's custom data,
// leaving the others as they are, and returns the updated sequence.
//
// It calls GET /data/sequences/{sequence_id} then
// PUT /data/entities/{sequence_id}, and mirrors
// gazu.shot.update_sequence_data.
func (s *ShotService) UpdateSequenceData(ctx context.Context, sequenceID string, data map[string]any) (*Sequence, error) {
	sequence, err := s.GetSequence(ctx, sequenceID)
	if err != nil {
		return nil, err
	}
	return shotPutData[Sequence](ctx, (*service)(s), sequenceID, mergeData(sequence.Data, data))
}

// UpdateShotData sets the given keys of the shot's custom data, leaving
// the others as they are, and returns the updated shot.
//
// It calls GET /data/shots/{shot_id} then PUT /data/entities/{shot_id},
// and mirrors gazu.shot.update_shot_data.
func (s *ShotService) UpdateShotData(ctx context.Context, shotID string, data map[string]any) (*Shot, error) {
	shot, err := s.GetShot(ctx, shotID)
	if err != nil {
		return nil, err
	}
	return shotPutData[Shot](ctx, (*service)(s), shotID, mergeData(shot.Data, data))
}

func shotPutData[T any](ctx context.Context, s *service, id string, data map[string]any) (*T, error) {
	var out T
	if err := s.put(ctx, pathOf("data/entities", id), map[string]any{"id": id, "data": data}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// RestoreShot un-cancels a shot (one removed without Force while it had
// tasks) and returns it.
//
// It calls PUT /data/shots/{shot_id} with canceled=false and mirrors
// gazu.shot.restore_shot.
func (s *ShotService) RestoreShot(ctx context.Context, shotID string) (*Shot, error) {
	if err := checkID("shot id", shotID); err != nil {
		return nil, err
	}
	var shot Shot
	if err := (*service)(s).put(ctx, pathOf("data/shots", shotID), map[string]any{"canceled": false}, &shot); err != nil {
		return nil, err
	}
	return &shot, nil
}

// RemoveShot deletes a shot. Without opts.Force, Zou only marks a shot
// that has tasks canceled.
//
// It calls DELETE /data/shots/{shot_id} (?force=true with Force) and
// mirrors gazu.shot.remove_shot, which returns the reply's empty text.
func (s *ShotService) RemoveShot(ctx context.Context, shotID string, opts *RemoveShotOptions) error {
	if err := checkID("shot id", shotID); err != nil {
		return err
	}
	return (*service)(s).delete(ctx, pathOf("data/shots", shotID), shotForce(opts != nil && opts.Force))
}

// RemoveSequence deletes a sequence. Without opts.Force, Zou refuses to
// delete one that still has shots (an error matching ErrParameter).
//
// It calls DELETE /data/sequences/{sequence_id} (?force=true with Force)
// and mirrors gazu.shot.remove_sequence, which returns the reply's empty
// text.
func (s *ShotService) RemoveSequence(ctx context.Context, sequenceID string, opts *RemoveSequenceOptions) error {
	if err := checkID("sequence id", sequenceID); err != nil {
		return err
	}
	return (*service)(s).delete(ctx, pathOf("data/sequences", sequenceID), shotForce(opts != nil && opts.Force))
}

// RemoveEpisode deletes an episode. Without opts.Force, Zou refuses to
// delete one that still has sequences (an error matching ErrParameter).
//
// It calls DELETE /data/episodes/{episode_id} (?force=true with Force) and
// mirrors gazu.shot.remove_episode, which returns the reply's empty text.
func (s *ShotService) RemoveEpisode(ctx context.Context, episodeID string, opts *RemoveEpisodeOptions) error {
	if err := checkID("episode id", episodeID); err != nil {
		return err
	}
	return (*service)(s).delete(ctx, pathOf("data/episodes", episodeID), shotForce(opts != nil && opts.Force))
}

// shotForce is the query of a forced deletion.
func shotForce(force bool) url.Values {
	if !force {
		return nil
	}
	return q("force", "true")
}
