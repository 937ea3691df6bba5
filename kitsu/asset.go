package kitsu

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
)

// This file holds gazu's asset module: assets, asset types and asset
// instances.
//
// Every asset this service returns has EpisodeID set to the asset's main
// episode when it has one: Zou names that field episode_id in the reply of
// GET /data/assets/{id} but source_id in its lists, so EpisodeID is filled
// from SourceID where Zou left it out. Zou's text "None" for an unset
// ReadyFor is read as "".

// NewAssetOptions are the optional parts of NewAsset. The zero value (or
// nil) means gazu's defaults: no description, empty data, no episode, not
// shared.
type NewAssetOptions struct {
	// Description of the asset; left out of the request when empty.
	Description string
	// ExtraData is the asset's free-form data (custom fields).
	ExtraData map[string]any
	// EpisodeID is the asset's main episode, in a TV show.
	EpisodeID string
	// IsShared makes the asset available to other productions.
	IsShared bool
}

// GetAssetByNameOptions are the optional parts of GetAssetByName. The zero
// value (or nil) looks in every asset type, as gazu does by default.
type GetAssetByNameOptions struct {
	// AssetTypeID limits the lookup to assets of that type.
	AssetTypeID string
}

// AllAssetsForEpisodeOptions are the optional parts of AllAssetsForEpisode.
// The zero value (or nil) returns what gazu returns: the assets whose main
// episode is the episode.
type AllAssetsForEpisodeOptions struct {
	// IncludeCast adds the assets cast in the episode (through its shots
	// or directly) whose main episode is another one or none, as Kitsu's
	// asset list of an episode shows them.
	IncludeCast bool
}

// NewAssetAssetInstanceOptions are the optional parts of
// NewAssetAssetInstance. The zero value (or nil) sends no description, as
// gazu does by default.
type NewAssetAssetInstanceOptions struct {
	// Description of the instance.
	Description string
}

// RemoveAssetOptions are the optional parts of RemoveAsset. The zero value
// (or nil) is gazu's default, force=False.
type RemoveAssetOptions struct {
	// Force deletes an asset that has tasks, with its tasks, instead of
	// only marking it canceled.
	Force bool
}

// fixAsset smooths over how differently Zou's routes write one asset: see
// the note at the top of this file.
func fixAsset(a *Asset) {
	if a.EpisodeID == "" {
		a.EpisodeID = a.SourceID
	}
	if a.ReadyFor == "None" {
		a.ReadyFor = ""
	}
}

func fixAssets(assets []Asset) {
	for i := range assets {
		fixAsset(&assets[i])
	}
}

// assetList asks a list route of assets and returns them sorted by name.
func assetList(ctx context.Context, s *service, path string, query url.Values) ([]Asset, error) {
	assets, err := list[Asset](ctx, s, path, query)
	if err != nil {
		return nil, err
	}
	fixAssets(assets)
	sortByName(assets, func(a *Asset) string { return a.Name })
	return assets, nil
}

// assetTypeList asks a list route of asset types and returns them sorted
// by name.
func assetTypeList(ctx context.Context, s *service, path string) ([]AssetType, error) {
	types, err := list[AssetType](ctx, s, path, nil)
	if err != nil {
		return nil, err
	}
	sortByName(types, func(t *AssetType) string { return t.Name })
	return types, nil
}

// AllAssetsForOpenProjects returns the assets of every open project the
// user may see, sorted by name.
//
// It calls GET /data/projects/open, then GET /data/projects/{project_id}/assets
// once per project, and mirrors gazu.asset.all_assets_for_open_projects.
func (s *AssetService) AllAssetsForOpenProjects(ctx context.Context) ([]Asset, error) {
	projects, err := list[Project](ctx, (*service)(s), "data/projects/open", nil)
	if err != nil {
		return nil, err
	}
	all := []Asset{}
	for _, p := range projects {
		assets, err := list[Asset](ctx, (*service)(s), pathOf("data/projects", p.ID, "assets"), nil)
		if err != nil {
			return nil, err
		}
		all = append(all, assets...)
	}
	fixAssets(all)
	sortByName(all, func(a *Asset) string { return a.Name })
	return all, nil
}

// AllAssetsForProject returns the assets of a project, sorted by name. An
// empty projectID returns every asset the user may see, in all projects,
// as gazu does for project=None. An unknown project gives an empty list.
// As with every asset this service returns, EpisodeID holds the asset's
// main episode, which Zou's lists write only as source_id.
//
// It calls GET /data/projects/{project_id}/assets (GET /data/assets/all
// for every project) and mirrors gazu.asset.all_assets_for_project.
func (s *AssetService) AllAssetsForProject(ctx context.Context, projectID string) ([]Asset, error) {
	if projectID == "" {
		return assetList(ctx, (*service)(s), "data/assets/all", nil)
	}
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	return assetList(ctx, (*service)(s), pathOf("data/projects", projectID, "assets"), nil)
}

// AllAssetsForProjectAndType returns the assets of one type in a project,
// sorted by name. An unknown project or type gives an empty list.
//
// It calls GET /data/projects/{project_id}/asset-types/{asset_type_id}/assets
// and mirrors gazu.asset.all_assets_for_project_and_type.
func (s *AssetService) AllAssetsForProjectAndType(ctx context.Context, projectID, assetTypeID string) ([]Asset, error) {
	if err := checkIDs("project id", projectID, "asset type id", assetTypeID); err != nil {
		return nil, err
	}
	return assetList(ctx, (*service)(s), pathOf("data/projects", projectID, "asset-types", assetTypeID, "assets"), nil)
}

// AllAssetsForShot returns the assets cast in a shot, sorted by name.
//
// It calls GET /data/shots/{shot_id}/assets and mirrors
// gazu.asset.all_assets_for_shot. An unknown shot matches ErrNotFound.
func (s *AssetService) AllAssetsForShot(ctx context.Context, shotID string) ([]Asset, error) {
	if err := checkID("shot id", shotID); err != nil {
		return nil, err
	}
	return assetList(ctx, (*service)(s), pathOf("data/shots", shotID, "assets"), nil)
}

// AllAssetsForEpisode returns, sorted by name, the assets whose main
// episode is the episode: those created in it. Assets of another episode,
// or of none, that are only cast in this one are not returned unless
// opts.IncludeCast is set; then the list is the one Kitsu shows for the
// episode.
//
// It calls GET /data/assets?source_id={episode_id} and mirrors
// gazu.asset.all_assets_for_episode; with IncludeCast it calls
// GET /data/assets?episode_id={episode_id} instead. Without IncludeCast an
// unknown episode gives an empty list; with it, an error matching
// ErrNotFound.
func (s *AssetService) AllAssetsForEpisode(ctx context.Context, episodeID string, opts *AllAssetsForEpisodeOptions) ([]Asset, error) {
	if err := checkID("episode id", episodeID); err != nil {
		return nil, err
	}
	filter := "source_id"
	if opts != nil && opts.IncludeCast {
		filter = "episode_id"
	}
	return assetList(ctx, (*service)(s), "data/assets", q(filter, episodeID))
}

// AllAssetTypes returns every asset type (Zou's own entity types, such as
// Shot or Episode, are not included), sorted by name.
//
// It calls GET /data/asset-types and mirrors gazu.asset.all_asset_types.
func (s *AssetService) AllAssetTypes(ctx context.Context) ([]AssetType, error) {
	return assetTypeList(ctx, (*service)(s), "data/asset-types")
}

// AllAssetTypesForProject returns the types of the assets of a project,
// sorted by name. An unknown project gives an empty list.
//
// It calls GET /data/projects/{project_id}/asset-types and mirrors
// gazu.asset.all_asset_types_for_project.
func (s *AssetService) AllAssetTypesForProject(ctx context.Context, projectID string) ([]AssetType, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	return assetTypeList(ctx, (*service)(s), pathOf("data/projects", projectID, "asset-types"))
}

// AllAssetTypesForShot returns the types of the assets cast in a shot,
// sorted by name.
//
// It calls GET /data/shots/{shot_id}/asset-types and mirrors
// gazu.asset.all_asset_types_for_shot. An unknown shot matches ErrNotFound.
func (s *AssetService) AllAssetTypesForShot(ctx context.Context, shotID string) ([]AssetType, error) {
	if err := checkID("shot id", shotID); err != nil {
		return nil, err
	}
	return assetTypeList(ctx, (*service)(s), pathOf("data/shots", shotID, "asset-types"))
}

// GetAsset returns the asset with the given id, with its project name,
// asset type name, main episode and the episodes it is cast in.
//
// It calls GET /data/assets/{asset_id} and mirrors gazu.asset.get_asset.
// An unknown id matches ErrNotFound.
func (s *AssetService) GetAsset(ctx context.Context, assetID string) (*Asset, error) {
	if err := checkID("asset id", assetID); err != nil {
		return nil, err
	}
	a, err := one[Asset](ctx, (*service)(s), pathOf("data/assets", assetID), nil)
	if err != nil {
		return nil, err
	}
	fixAsset(a)
	return a, nil
}

// GetAssetByName returns the asset of a project with the given name,
// limited to one asset type with opts.AssetTypeID. Finding none gives an
// error matching ErrNotFound.
//
// It calls GET /data/assets/all?project_id=&name=[&entity_type_id=] and
// mirrors gazu.asset.get_asset_by_name. Zou matches the name without
// regard to case and reads "_" and "%" as wildcards, and gazu returns its
// first match; this method returns the asset named exactly name (else the
// one equal to it but for case) and never one matched only by a wildcard.
func (s *AssetService) GetAssetByName(ctx context.Context, projectID, name string, opts *GetAssetByNameOptions) (*Asset, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	if err := checkName("asset name", name); err != nil {
		return nil, err
	}
	query := q("project_id", projectID, "name", name)
	what := fmt.Sprintf("no asset named %q in project %s", name, projectID)
	if opts != nil && opts.AssetTypeID != "" {
		if err := checkID("asset type id", opts.AssetTypeID); err != nil {
			return nil, err
		}
		query.Set("entity_type_id", opts.AssetTypeID)
		what += " with asset type " + opts.AssetTypeID
	}
	assets, err := list[Asset](ctx, (*service)(s), "data/assets/all", query)
	if err != nil {
		return nil, err
	}
	a := namedIn(assets, name, func(a *Asset) string { return a.Name })
	if a == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	fixAsset(a)
	return a, nil
}

// GetAssetInstance returns the asset instance with the given id.
//
// It calls GET /data/asset-instances/{asset_instance_id} and mirrors
// gazu.asset.get_asset_instance. An unknown id matches ErrNotFound.
func (s *AssetService) GetAssetInstance(ctx context.Context, assetInstanceID string) (*AssetInstance, error) {
	if err := checkID("asset instance id", assetInstanceID); err != nil {
		return nil, err
	}
	return one[AssetInstance](ctx, (*service)(s), pathOf("data/asset-instances", assetInstanceID), nil)
}

// GetAssetType returns the asset type with the given id. The id of one of
// Zou's own entity types (Shot, Sequence...) matches ErrNotFound.
//
// It calls GET /data/asset-types/{asset_type_id} and mirrors
// gazu.asset.get_asset_type. An unknown id matches ErrNotFound.
func (s *AssetService) GetAssetType(ctx context.Context, assetTypeID string) (*AssetType, error) {
	if err := checkID("asset type id", assetTypeID); err != nil {
		return nil, err
	}
	return one[AssetType](ctx, (*service)(s), pathOf("data/asset-types", assetTypeID), nil)
}

// GetAssetTypeByName returns the asset type with the given name. Finding
// none gives an error matching ErrNotFound.
//
// It calls GET /data/asset-types?name= and mirrors
// gazu.asset.get_asset_type_by_name. Gazu asks GET /data/entity-types,
// which also lists Zou's own types (Shot, Sequence, Episode...): this
// method returns asset types only. Of Zou's case-insensitive, wildcard
// matches, the type named exactly name (else the one equal to it but for
// case) is returned.
func (s *AssetService) GetAssetTypeByName(ctx context.Context, name string) (*AssetType, error) {
	if err := checkName("asset type name", name); err != nil {
		return nil, err
	}
	types, err := list[AssetType](ctx, (*service)(s), "data/asset-types", q("name", name))
	if err != nil {
		return nil, err
	}
	t := namedIn(types, name, func(t *AssetType) string { return t.Name })
	if t == nil {
		return nil, fmt.Errorf("%w: no asset type named %q", ErrNotFound, name)
	}
	return t, nil
}

// GetAssetTypeFromAsset returns the type of an asset, read from its
// EntityTypeID (or AssetTypeID): pass the asset as read from Kitsu.
//
// It calls GET /data/asset-types/{entity_type_id} and mirrors
// gazu.asset.get_asset_type_from_asset.
func (s *AssetService) GetAssetTypeFromAsset(ctx context.Context, asset Asset) (*AssetType, error) {
	typeID := cmp.Or(asset.EntityTypeID, asset.AssetTypeID)
	if typeID == "" {
		return nil, invalidArg("asset.EntityTypeID", "", "the id of the asset's type: pass the asset as read from Kitsu")
	}
	if err := checkID("asset.EntityTypeID", typeID); err != nil {
		return nil, err
	}
	return s.GetAssetType(ctx, typeID)
}

// GetAssetURL returns the address of the asset's page in the Kitsu web
// application: {site}/productions/{project_id}/assets/{asset_id}/, or for a
// TV show {site}/productions/{project_id}/episodes/{episode_id}/assets/{asset_id}/
// where the episode is the asset's main episode, or "main" when it has none.
//
// It calls GET /data/assets/{asset_id} and GET /data/projects/{project_id},
// and mirrors gazu.asset.get_asset_url. An unknown asset matches
// ErrNotFound.
func (s *AssetService) GetAssetURL(ctx context.Context, assetID string) (string, error) {
	asset, err := s.GetAsset(ctx, assetID)
	if err != nil {
		return "", err
	}
	if err := checkID("project id of the asset", asset.ProjectID); err != nil {
		return "", err
	}
	project, err := one[Project](ctx, (*service)(s), pathOf("data/projects", asset.ProjectID), nil)
	if err != nil {
		return "", err
	}
	if project.ProductionType == "tvshow" {
		episode := asset.EpisodeID
		if episode == "" {
			episode = "main"
		}
		return s.c.webURL("productions", project.ID, "episodes", episode, "assets", asset.ID, ""), nil
	}
	return s.c.webURL("productions", project.ID, "assets", asset.ID, ""), nil
}

// GetEpisodeFromAsset returns the main episode of an asset: the episode it
// was created in, in a TV show. An asset with no main episode gives an
// error matching ErrNotFound.
//
// It calls GET /data/episodes/{episode_id} and mirrors
// gazu.asset.get_episode_from_asset. Gazu reads the asset's parent_id,
// which Zou leaves empty for assets, so it returns None for nearly every
// asset; this method reads the main episode where Zou keeps it (EpisodeID,
// SourceID, then ParentID). When the asset given carries none of them it
// is read again first (GET /data/assets/{asset_id}), so passing an asset
// with only its ID set works.
func (s *AssetService) GetEpisodeFromAsset(ctx context.Context, asset Asset) (*Episode, error) {
	if err := checkID("asset id", asset.ID); err != nil {
		return nil, err
	}
	episodeID := cmp.Or(asset.EpisodeID, asset.SourceID, asset.ParentID)
	if episodeID == "" {
		fresh, err := s.GetAsset(ctx, asset.ID)
		if err != nil {
			return nil, err
		}
		episodeID = cmp.Or(fresh.EpisodeID, fresh.ParentID)
	}
	if episodeID == "" {
		return nil, fmt.Errorf("%w: asset %s has no main episode", ErrNotFound, asset.ID)
	}
	if err := checkID("episode id of the asset", episodeID); err != nil {
		return nil, err
	}
	return one[Episode](ctx, (*service)(s), pathOf("data/episodes", episodeID), nil)
}

// NewAsset creates an asset of the given type in a project and returns
// it. Like gazu it gets or creates: when the project already has an asset
// of that type with that name, that asset is returned unchanged and
// nothing is created.
//
// It calls GET /data/assets/all?project_id=&name=&entity_type_id=, then
// POST /data/projects/{project_id}/asset-types/{asset_type_id}/assets/new
// when none is found, and mirrors gazu.asset.new_asset.
func (s *AssetService) NewAsset(ctx context.Context, projectID, assetTypeID, name string, opts *NewAssetOptions) (*Asset, error) {
	if err := checkIDs("project id", projectID, "asset type id", assetTypeID); err != nil {
		return nil, err
	}
	if err := checkName("asset name", name); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &NewAssetOptions{}
	}
	if opts.EpisodeID != "" {
		if err := checkID("episode id", opts.EpisodeID); err != nil {
			return nil, err
		}
	}
	existing, err := s.GetAssetByName(ctx, projectID, name, &GetAssetByNameOptions{AssetTypeID: assetTypeID})
	if err == nil {
		return existing, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	data := opts.ExtraData
	if data == nil {
		data = map[string]any{}
	}
	body := map[string]any{"name": name, "data": data, "is_shared": opts.IsShared}
	if opts.Description != "" {
		body["description"] = opts.Description
	}
	if opts.EpisodeID != "" {
		body["episode_id"] = opts.EpisodeID
	}
	var created Asset
	if err := (*service)(s).post(ctx, pathOf("data/projects", projectID, "asset-types", assetTypeID, "assets", "new"), body, &created); err != nil {
		return nil, err
	}
	fixAsset(&created)
	return &created, nil
}

// NewAssetAssetInstance places an instance of one asset inside another (a
// prop in a set, say) and returns it. Zou numbers it after the highest
// instance of that asset in that target and names it after the asset
// (Tree_0001, Tree_0002...).
//
// It calls POST /data/assets/{asset_id}/asset-asset-instances and mirrors
// gazu.asset.new_asset_asset_instance. An unknown asset matches
// ErrNotFound.
func (s *AssetService) NewAssetAssetInstance(ctx context.Context, assetID, assetToInstantiateID string, opts *NewAssetAssetInstanceOptions) (*AssetInstance, error) {
	if err := checkIDs("asset id", assetID, "asset to instantiate id", assetToInstantiateID); err != nil {
		return nil, err
	}
	body := map[string]any{"asset_to_instantiate_id": assetToInstantiateID}
	if opts != nil && opts.Description != "" {
		body["description"] = opts.Description
	}
	var created AssetInstance
	if err := (*service)(s).post(ctx, pathOf("data/assets", assetID, "asset-asset-instances"), body, &created); err != nil {
		return nil, err
	}
	return &created, nil
}

// NewAssetType creates an asset type and returns it. Like gazu it gets or
// creates: an existing asset type with that name is returned unchanged.
//
// It calls GET /data/asset-types?name=, then POST /data/entity-types when
// none is found, and mirrors gazu.asset.new_asset_type (whose lookup asks
// /data/entity-types, so it could return a Shot or Episode type: this one
// looks among asset types only; naming one of Zou's own types then fails
// with the server's error).
func (s *AssetService) NewAssetType(ctx context.Context, name string) (*AssetType, error) {
	existing, err := s.GetAssetTypeByName(ctx, name)
	if err == nil {
		return existing, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	var created AssetType
	if err := (*service)(s).post(ctx, "data/entity-types", map[string]any{"name": name}, &created); err != nil {
		return nil, err
	}
	return &created, nil
}

// RemoveAsset deletes an asset. Without opts.Force, Zou only marks canceled
// an asset that has tasks; with it, the asset goes with its tasks, casting
// links and output files. Zou fails (ErrServer) to delete an asset while
// instances of it, or instances placed inside it, exist: remove those
// first (Client.Delete on data/asset-instances/{id}).
//
// It calls DELETE /data/assets/{asset_id}[?force=true] and mirrors
// gazu.asset.remove_asset. An unknown asset matches ErrNotFound.
func (s *AssetService) RemoveAsset(ctx context.Context, assetID string, opts *RemoveAssetOptions) error {
	if err := checkID("asset id", assetID); err != nil {
		return err
	}
	var query url.Values
	if opts != nil && opts.Force {
		query = q("force", "true")
	}
	return (*service)(s).delete(ctx, pathOf("data/assets", assetID), query)
}

// RemoveAssetType deletes an asset type. Zou refuses (ErrParameter) while
// assets of that type exist.
//
// It calls GET /data/asset-types/{asset_type_id}, so that the id of one of
// Zou's own entity types (Shot, Episode...) is refused with ErrNotFound
// rather than deleted, then DELETE /data/entity-types/{asset_type_id}, and
// mirrors gazu.asset.remove_asset_type. (Gazu before 1.0 sent
// DELETE /data/asset-types/{id}, which Zou answers 405.)
func (s *AssetService) RemoveAssetType(ctx context.Context, assetTypeID string) error {
	if _, err := s.GetAssetType(ctx, assetTypeID); err != nil {
		return err
	}
	return (*service)(s).delete(ctx, pathOf("data/entity-types", assetTypeID), nil)
}

// UpdateAsset changes the fields of an asset that changes sets, leaving
// every other field as stored, and returns the asset as saved. Empty
// changes are refused (ErrInvalidArgument) before anything is sent.
// Changes.SourceID is the asset's main episode; keys of Changes.Data are
// merged into the stored data by Zou, never removed.
//
// It calls PUT /data/entities/{asset_id} and mirrors gazu.asset.update_asset.
// Gazu sends the dict it is given; this method sends the fields changes
// sets. An unknown asset matches ErrNotFound.
func (s *AssetService) UpdateAsset(ctx context.Context, assetID string, changes AssetChanges) (*Asset, error) {
	var updated Asset
	if err := updateEntity(ctx, (*service)(s), "asset", assetID, EntityChanges(changes), &updated); err != nil {
		return nil, err
	}
	fixAsset(&updated)
	return &updated, nil
}

// UpdateAssetData sets keys of an asset's data (its custom fields) and
// returns the asset as saved. Keys not in data keep their value.
//
// It calls GET /data/assets/{asset_id}, then PUT /data/entities/{asset_id}
// with the stored data and data laid over it, and mirrors
// gazu.asset.update_asset_data. An unknown asset matches ErrNotFound.
func (s *AssetService) UpdateAssetData(ctx context.Context, assetID string, data map[string]any) (*Asset, error) {
	current, err := s.GetAsset(ctx, assetID)
	if err != nil {
		return nil, err
	}
	var updated Asset
	body := map[string]any{"data": mergeData(current.Data, data)}
	if err := (*service)(s).put(ctx, pathOf("data/entities", assetID), body, &updated); err != nil {
		return nil, err
	}
	fixAsset(&updated)
	return &updated, nil
}

// setAssetInstanceActive sets the active flag of an asset instance.
func (s *AssetService) setAssetInstanceActive(ctx context.Context, assetInstanceID string, active bool) (*AssetInstance, error) {
	if err := checkID("asset instance id", assetInstanceID); err != nil {
		return nil, err
	}
	var updated AssetInstance
	if err := (*service)(s).put(ctx, pathOf("data/asset-instances", assetInstanceID), map[string]any{"active": active}, &updated); err != nil {
		return nil, err
	}
	return &updated, nil
}

// EnableAssetInstance marks an asset instance active and returns it.
//
// It calls PUT /data/asset-instances/{asset_instance_id} with
// {"active": true} and mirrors gazu.asset.enable_asset_instance, whose
// route (PUT /asset-instances/{id}, without data/) Zou does not serve. An
// unknown id matches ErrNotFound.
func (s *AssetService) EnableAssetInstance(ctx context.Context, assetInstanceID string) (*AssetInstance, error) {
	return s.setAssetInstanceActive(ctx, assetInstanceID, true)
}

// DisableAssetInstance marks an asset instance inactive and returns it.
//
// It calls PUT /data/asset-instances/{asset_instance_id} with
// {"active": false} and mirrors gazu.asset.disable_asset_instance, whose
// route (PUT /asset-instances/{id}, without data/) Zou does not serve. An
// unknown id matches ErrNotFound.
func (s *AssetService) DisableAssetInstance(ctx context.Context, assetInstanceID string) (*AssetInstance, error) {
	return s.setAssetInstanceActive(ctx, assetInstanceID, false)
}

// AllAssetInstancesForAsset returns the instances placed inside an asset
// (props in a set...), grouped by the id of the asset instantiated, each
// group ordered by number.
//
// It calls GET /data/assets/{asset_id}/asset-asset-instances and mirrors
// gazu.asset.all_asset_instances_for_asset (whose documentation says it
// returns a list: Zou answers this map). An unknown asset matches
// ErrNotFound.
func (s *AssetService) AllAssetInstancesForAsset(ctx context.Context, assetID string) (map[string][]AssetInstance, error) {
	if err := checkID("asset id", assetID); err != nil {
		return nil, err
	}
	return groupedList[AssetInstance](ctx, (*service)(s), pathOf("data/assets", assetID, "asset-asset-instances"))
}

// AllAssetInstancesForShot returns the asset instances of a shot's
// instance casting, grouped by the id of the asset instantiated.
//
// It calls GET /data/shots/{shot_id}/asset-instances and mirrors
// gazu.asset.all_asset_instances_for_shot (whose documentation says it
// returns a list: Zou answers this map). An unknown shot matches
// ErrNotFound.
func (s *AssetService) AllAssetInstancesForShot(ctx context.Context, shotID string) (map[string][]AssetInstance, error) {
	if err := checkID("shot id", shotID); err != nil {
		return nil, err
	}
	return groupedList[AssetInstance](ctx, (*service)(s), pathOf("data/shots", shotID, "asset-instances"))
}

// AllSceneAssetInstancesForAsset returns the instances of an asset placed
// in layout scenes, grouped by scene id, each group ordered by number.
//
// It calls GET /data/assets/{asset_id}/scene-asset-instances and mirrors
// gazu.asset.all_scene_asset_instances_for_asset. Zou also lists there,
// under the key "None", the instances of the asset that are in no scene
// (those placed in other assets): they are left out. An unknown asset
// matches ErrNotFound.
func (s *AssetService) AllSceneAssetInstancesForAsset(ctx context.Context, assetID string) (map[string][]AssetInstance, error) {
	if err := checkID("asset id", assetID); err != nil {
		return nil, err
	}
	groups, err := groupedList[AssetInstance](ctx, (*service)(s), pathOf("data/assets", assetID, "scene-asset-instances"))
	if err != nil {
		return nil, err
	}
	delete(groups, "None")
	return groups, nil
}

// AllShotAssetInstancesForAsset returns the instances of an asset that are
// in the instance casting of shots, grouped by shot id.
//
// It calls GET /data/assets/{asset_id}/shot-asset-instances and mirrors
// gazu.asset.all_shot_asset_instances_for_asset (whose documentation says
// it returns a list: Zou answers this map). An unknown asset matches
// ErrNotFound.
func (s *AssetService) AllShotAssetInstancesForAsset(ctx context.Context, assetID string) (map[string][]AssetInstance, error) {
	if err := checkID("asset id", assetID); err != nil {
		return nil, err
	}
	return groupedList[AssetInstance](ctx, (*service)(s), pathOf("data/assets", assetID, "shot-asset-instances"))
}
