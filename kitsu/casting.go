package kitsu

import (
	"context"
	"fmt"
)

// This file holds gazu's casting module: which assets appear in which
// shots, sequences and assets, and how many times.

// castingEntry is one asset of a casting as Zou reads it on update.
type castingEntry struct {
	AssetID      string `json:"asset_id"`
	NbOccurences int    `json:"nb_occurences"`
	Label        string `json:"label"`
}

// castingBody checks a casting and builds the list Zou reads from it. It
// is never nil, so an empty casting is sent as [] (Zou refuses null).
func castingBody(casting []Casting) ([]castingEntry, error) {
	body := make([]castingEntry, 0, len(casting))
	for i, c := range casting {
		if err := checkID(fmt.Sprintf("casting[%d].AssetID", i), c.AssetID); err != nil {
			return nil, err
		}
		n := c.NbOccurences
		if n < 0 {
			return nil, invalidArg(fmt.Sprintf("casting[%d].NbOccurences", i), n, "1 or more (0 means 1)")
		}
		if n == 0 {
			n = 1
		}
		body = append(body, castingEntry{AssetID: c.AssetID, NbOccurences: n, Label: c.Label})
	}
	return body, nil
}

// updateCasting replaces the casting of a shot or an asset.
func (s *CastingService) updateCasting(ctx context.Context, projectID, entityWhat, entityID string, casting []Casting) ([]Casting, error) {
	if err := checkIDs("project id", projectID, entityWhat, entityID); err != nil {
		return nil, err
	}
	body, err := castingBody(casting)
	if err != nil {
		return nil, err
	}
	var saved []Casting
	if err := (*service)(s).put(ctx, pathOf("data/projects", projectID, "entities", entityID, "casting"), body, &saved); err != nil {
		return nil, err
	}
	if saved == nil {
		saved = []Casting{}
	}
	return saved, nil
}

// AllEntityLinksForProject returns every casting link of a project: each
// asset cast in a shot, a sequence, an episode or another asset, with its
// number of occurrences and label, oldest first. Links Zou made itself
// (an asset cast in a shot is also cast in the shot's episode) carry
// {"auto": true} in Data.
//
// It calls GET /data/projects/{project_id}/entity-links and mirrors
// gazu.casting.all_entity_links_for_project (without the page and limit
// arguments gazu 1.1 added: the whole list is returned). An unknown
// project matches ErrNotFound.
func (s *CastingService) AllEntityLinksForProject(ctx context.Context, projectID string) ([]EntityLink, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	return list[EntityLink](ctx, (*service)(s), pathOf("data/projects", projectID, "entity-links"), nil)
}

// GetAssetCastIn returns where an asset is cast: first the shots (ShotID,
// ShotName, SequenceName, EpisodeID, EpisodeName), ordered by episode,
// sequence and shot name, then the assets (their asset_id, asset_name and
// asset_type_name are in Extra), each with the number of occurrences.
// Canceled shots and assets are left out.
//
// It calls GET /data/assets/{asset_id}/cast-in and mirrors
// gazu.casting.get_asset_cast_in. Zou writes the episode id of a shot
// outside any episode as "None"; it is read as "". An unknown asset
// matches ErrNotFound.
func (s *CastingService) GetAssetCastIn(ctx context.Context, assetID string) ([]CastIn, error) {
	if err := checkID("asset id", assetID); err != nil {
		return nil, err
	}
	castIn, err := list[CastIn](ctx, (*service)(s), pathOf("data/assets", assetID, "cast-in"), nil)
	if err != nil {
		return nil, err
	}
	for i := range castIn {
		if castIn[i].EpisodeID == "None" {
			castIn[i].EpisodeID = ""
		}
	}
	return castIn, nil
}

// GetAssetCasting returns the assets cast in an asset (the props of a set,
// say), ordered by asset type and name; canceled assets are left out. The
// asset's ID and ProjectID are read: pass it as read from Kitsu.
//
// It calls GET /data/projects/{project_id}/entities/{asset_id}/casting and
// mirrors gazu.casting.get_asset_casting. An unknown asset matches
// ErrNotFound.
func (s *CastingService) GetAssetCasting(ctx context.Context, asset Asset) ([]Casting, error) {
	if err := checkIDs("asset id", asset.ID, "asset project id", asset.ProjectID); err != nil {
		return nil, err
	}
	return list[Casting](ctx, (*service)(s), pathOf("data/projects", asset.ProjectID, "entities", asset.ID, "casting"), nil)
}

// GetAssetTypeCasting returns the casting of every asset of one type in a
// project, keyed by the id of the asset cast in (the set); assets with an
// empty casting are absent. Each entry also carries the asset's name
// under "name" in Extra.
//
// It calls GET /data/projects/{project_id}/asset-types/{asset_type_id}/casting
// and mirrors gazu.casting.get_asset_type_casting. An unknown asset type
// matches ErrNotFound; an unknown project gives an empty map.
func (s *CastingService) GetAssetTypeCasting(ctx context.Context, projectID, assetTypeID string) (map[string][]Casting, error) {
	if err := checkIDs("project id", projectID, "asset type id", assetTypeID); err != nil {
		return nil, err
	}
	return groupedList[Casting](ctx, (*service)(s), pathOf("data/projects", projectID, "asset-types", assetTypeID, "casting"))
}

// GetSequenceCasting returns the casting of every shot of a sequence,
// keyed by shot id; shots with an empty casting are absent. Each entry
// also carries "name" and "sequence_name" in Extra. The sequence's ID and
// ProjectID are read: pass it as read from Kitsu.
//
// It calls GET /data/projects/{project_id}/sequences/{sequence_id}/casting
// and mirrors gazu.casting.get_sequence_casting. An unknown sequence
// matches ErrNotFound.
func (s *CastingService) GetSequenceCasting(ctx context.Context, sequence Sequence) (map[string][]Casting, error) {
	if err := checkIDs("sequence id", sequence.ID, "sequence project id", sequence.ProjectID); err != nil {
		return nil, err
	}
	return groupedList[Casting](ctx, (*service)(s), pathOf("data/projects", sequence.ProjectID, "sequences", sequence.ID, "casting"))
}

// GetShotCasting returns the assets cast in a shot, ordered by asset type
// and name, with their number of occurrences and label; canceled assets
// are left out. The shot's ID and ProjectID are read: pass it as read from
// Kitsu.
//
// It calls GET /data/projects/{project_id}/entities/{shot_id}/casting and
// mirrors gazu.casting.get_shot_casting. An unknown shot matches
// ErrNotFound.
func (s *CastingService) GetShotCasting(ctx context.Context, shot Shot) ([]Casting, error) {
	if err := checkIDs("shot id", shot.ID, "shot project id", shot.ProjectID); err != nil {
		return nil, err
	}
	return list[Casting](ctx, (*service)(s), pathOf("data/projects", shot.ProjectID, "entities", shot.ID, "casting"), nil)
}

// UpdateAssetCasting replaces the casting of an asset (the assets cast in
// it) with the given one and returns the casting Zou recorded. Only
// AssetID, NbOccurences (0 is sent as 1) and Label of each entry are read;
// an empty casting removes every asset.
//
// It calls PUT /data/projects/{project_id}/entities/{asset_id}/casting and
// mirrors gazu.casting.update_asset_casting. Gazu's documentation says it
// returns the asset: Zou answers the casting. An unknown asset matches
// ErrNotFound; an entry naming an unknown asset is dropped by Zou.
func (s *CastingService) UpdateAssetCasting(ctx context.Context, projectID, assetID string, casting []Casting) ([]Casting, error) {
	return s.updateCasting(ctx, projectID, "asset id", assetID, casting)
}

// UpdateShotCasting replaces the casting of a shot with the given one and
// returns the casting Zou recorded. Only AssetID, NbOccurences (0 is sent
// as 1) and Label of each entry are read; an empty casting removes every
// asset. Zou also casts each asset in the shot's episode.
//
// It calls PUT /data/projects/{project_id}/entities/{shot_id}/casting and
// mirrors gazu.casting.update_shot_casting. Gazu's documentation says it
// returns the shot: Zou answers the casting. An unknown shot matches
// ErrNotFound; an entry naming an unknown asset is dropped by Zou.
func (s *CastingService) UpdateShotCasting(ctx context.Context, projectID, shotID string, casting []Casting) ([]Casting, error) {
	return s.updateCasting(ctx, projectID, "shot id", shotID, casting)
}
