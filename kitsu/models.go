package kitsu

import (
	"bytes"

	"fmt"
	"github.com/go-json-experiment/json/jsontext"
	"strings"
	"time"
)

// Base holds what every Kitsu record has: its id, its type name, its
// timestamps, and every field Zou sent that the model does not name
// (Extra), so nothing the server says is lost.
type Base struct {
	ID        string `json:"id,omitempty"`
	Type      string `json:"type,omitempty"`
	CreatedAt Time   `json:"created_at,omitzero"`
	UpdatedAt Time   `json:"updated_at,omitzero"`
	// Extra holds the fields of the reply that the model has no field for,
	// decoded as JSON values (string, float64, bool, nil, []any,
	// map[string]any). It is filled when a model is decoded, and not
	// written when a model is encoded: update calls send the named fields.
	Extra map[string]any `json:"-"`
}

// Time is a Zou timestamp. Zou writes them in UTC without a zone
// ("2026-11-29T02:14:24"); Time reads that form, with or without fraction
// and zone, and writes it back the same way.
type Time struct{ time.Time }

const zouTimeLayout = "2006-01-02T15:04:05"

// MarshalJSON writes the time as Zou does, in UTC without zone.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(zouTimeLayout) + `"`), nil
}

// UnmarshalJSON reads Zou's timestamps; null and "" give the zero Time.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	s := strings.Trim(string(b), `"`)
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if v, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("kitsu: timestamp %q: want the form 2006-01-02T15:04:05", s)
}

// Person is a member of the studio, or a bot.
type Person struct {
	Base
	FirstName      string         `json:"first_name,omitempty"`
	LastName       string         `json:"last_name,omitempty"`
	FullName       string         `json:"full_name,omitempty"`
	Email          string         `json:"email,omitempty"`
	Phone          string         `json:"phone,omitempty"`
	DesktopLogin   string         `json:"desktop_login,omitempty"`
	Role           string         `json:"role,omitempty"`
	ContractType   string         `json:"contract_type,omitempty"`
	Active         bool           `json:"active"`
	Archived       bool           `json:"archived"`
	IsBot          bool           `json:"is_bot"`
	Timezone       string         `json:"timezone,omitempty"`
	Locale         string         `json:"locale,omitempty"`
	StudioID       string         `json:"studio_id,omitempty"`
	Departments    []string       `json:"departments,omitempty"`
	Position       string         `json:"position,omitempty"`
	Seniority      string         `json:"seniority,omitempty"`
	HasAvatar      bool           `json:"has_avatar"`
	LastPresence   string         `json:"last_presence,omitempty"`
	ExpirationDate string         `json:"expiration_date,omitempty"`
	Data           map[string]any `json:"data,omitempty"`
}

// Organisation is the studio's settings record.
type Organisation struct {
	Base
	Name        string  `json:"name,omitempty"`
	HoursByDay  float64 `json:"hours_by_day,omitempty"`
	HasAvatar   bool    `json:"has_avatar"`
	DarkTheme   bool    `json:"dark_theme_by_default"`
	Timesheets  bool    `json:"timesheets_locked"`
	UseOriginal bool    `json:"use_original_file_name"`
}

// Department is a studio department (Modeling, Animation...).
type Department struct {
	Base
	Name     string `json:"name,omitempty"`
	Color    string `json:"color,omitempty"`
	Archived bool   `json:"archived"`
}

// ProjectStatus is the state of a project: Open or Closed.
type ProjectStatus struct {
	Base
	Name  string `json:"name,omitempty"`
	Color string `json:"color,omitempty"`
}

// Project is a production.
type Project struct {
	Base
	Name              string         `json:"name,omitempty"`
	Code              string         `json:"code,omitempty"`
	Description       string         `json:"description,omitempty"`
	ProjectStatusID   string         `json:"project_status_id,omitempty"`
	ProjectStatusName string         `json:"project_status_name,omitempty"`
	ProductionType    string         `json:"production_type,omitempty"`
	ProductionStyle   string         `json:"production_style,omitempty"`
	FPS               string         `json:"fps,omitempty"`
	Ratio             string         `json:"ratio,omitempty"`
	Resolution        string         `json:"resolution,omitempty"`
	StartDate         string         `json:"start_date,omitempty"`
	EndDate           string         `json:"end_date,omitempty"`
	Homepage          string         `json:"homepage,omitempty"`
	HasAvatar         bool           `json:"has_avatar"`
	MaxRetakes        int            `json:"max_retakes"`
	NbEpisodes        int            `json:"nb_episodes"`
	EpisodeSpan       int            `json:"episode_span"`
	FirstEpisodeID    string         `json:"first_episode_id,omitempty"`
	Team              []string       `json:"team,omitempty"`
	AssetTypes        []string       `json:"asset_types,omitempty"`
	TaskStatuses      []string       `json:"task_statuses,omitempty"`
	TaskTypes         []string       `json:"task_types,omitempty"`
	FileTree          map[string]any `json:"file_tree,omitempty"`
	Data              map[string]any `json:"data,omitempty"`
}

// MetadataDescriptor declares a custom field of a project's assets, shots
// or other entities; values live in the entities' Data under FieldName.
type MetadataDescriptor struct {
	Base
	ProjectID   string   `json:"project_id,omitempty"`
	Name        string   `json:"name,omitempty"`
	FieldName   string   `json:"field_name,omitempty"`
	EntityType  string   `json:"entity_type,omitempty"`
	DataType    string   `json:"data_type,omitempty"`
	Choices     []string `json:"choices,omitempty"`
	ForClient   bool     `json:"for_client"`
	Departments []string `json:"departments,omitempty"`
	TaskTypeID  string   `json:"task_type_id,omitempty"`
}

// EntityType is the kind of an entity: an asset type (Character, Prop...)
// or one of Zou's own (Shot, Sequence, Episode, Scene...).
type EntityType struct {
	Base
	Name        string   `json:"name,omitempty"`
	ShortName   string   `json:"short_name,omitempty"`
	Description string   `json:"description,omitempty"`
	TaskTypes   []string `json:"task_types,omitempty"`
	Archived    bool     `json:"archived"`
}

// AssetType is an entity type used for assets.
type AssetType = EntityType

// EntityFields are the fields every entity has, whatever its kind (asset,
// shot, sequence, episode, scene...). Each kind's model embeds them.
type EntityFields struct {
	Base
	Name             string         `json:"name,omitempty"`
	Code             string         `json:"code,omitempty"`
	Description      string         `json:"description,omitempty"`
	ProjectID        string         `json:"project_id,omitempty"`
	ProjectName      string         `json:"project_name,omitempty"`
	EntityTypeID     string         `json:"entity_type_id,omitempty"`
	ParentID         string         `json:"parent_id,omitempty"`
	SourceID         string         `json:"source_id,omitempty"`
	PreviewFileID    string         `json:"preview_file_id,omitempty"`
	Canceled         bool           `json:"canceled"`
	IsShared         bool           `json:"is_shared"`
	IsCastingStandby bool           `json:"is_casting_standby"`
	NbFrames         int            `json:"nb_frames,omitempty"`
	NbEntitiesOut    int            `json:"nb_entities_out,omitempty"`
	Status           string         `json:"status,omitempty"`
	ReadyFor         string         `json:"ready_for,omitempty"`
	CreatedBy        string         `json:"created_by,omitempty"`
	Data             map[string]any `json:"data,omitempty"`
}

// Entity is any entity, as the generic entity routes return it.
type Entity struct {
	EntityFields
}

// Asset is a production asset: a character, a prop, a set.
type Asset struct {
	EntityFields
	AssetTypeID       string   `json:"asset_type_id,omitempty"`
	AssetTypeName     string   `json:"asset_type_name,omitempty"`
	EpisodeID         string   `json:"episode_id,omitempty"`
	CastingEpisodeIDs []string `json:"casting_episode_ids,omitempty"`
}

// Episode is an episode of a TV show.
type Episode struct {
	EntityFields
}

// Sequence is a sequence of shots; ParentID is its episode, if any.
type Sequence struct {
	EntityFields
	EpisodeID   string `json:"episode_id,omitempty"`
	EpisodeName string `json:"episode_name,omitempty"`
}

// Shot is a shot; ParentID is its sequence.
type Shot struct {
	EntityFields
	SequenceID   string `json:"sequence_id,omitempty"`
	SequenceName string `json:"sequence_name,omitempty"`
	EpisodeID    string `json:"episode_id,omitempty"`
	EpisodeName  string `json:"episode_name,omitempty"`
}

// AssetInstance is one placement of an asset inside a shot, a scene or
// another asset (Tree_0001, Tree_0002...).
type AssetInstance struct {
	Base
	AssetID       string         `json:"asset_id,omitempty"`
	Name          string         `json:"name,omitempty"`
	Number        int            `json:"number,omitempty"`
	Description   string         `json:"description,omitempty"`
	Active        bool           `json:"active"`
	SceneID       string         `json:"scene_id,omitempty"`
	TargetAssetID string         `json:"target_asset_id,omitempty"`
	EntityID      string         `json:"entity_id,omitempty"`
	EntityTypeID  string         `json:"entity_type_id,omitempty"`
	Data          map[string]any `json:"data,omitempty"`
}

// EntityLink is a casting link: EntityOutID (an asset) is cast
// NbOccurences times in EntityInID (a shot, a sequence, an episode...).
type EntityLink struct {
	Base
	EntityInID   string         `json:"entity_in_id,omitempty"`
	EntityOutID  string         `json:"entity_out_id,omitempty"`
	NbOccurences int            `json:"nb_occurences"`
	Label        string         `json:"label,omitempty"`
	Data         map[string]any `json:"data,omitempty"`
}

// Casting is one asset cast in a shot or an asset, as the casting routes
// give and take it. Only AssetID, NbOccurences and Label are read when
// casting is updated.
type Casting struct {
	Base
	AssetID       string `json:"asset_id"`
	AssetName     string `json:"asset_name,omitempty"`
	AssetTypeName string `json:"asset_type_name,omitempty"`
	NbOccurences  int    `json:"nb_occurences"`
	Label         string `json:"label,omitempty"`
	EpisodeID     string `json:"episode_id,omitempty"`
	PreviewFileID string `json:"preview_file_id,omitempty"`
	ReadyFor      string `json:"ready_for,omitempty"`
	IsShared      bool   `json:"is_shared"`
	ProjectID     string `json:"project_id,omitempty"`
}

// CastIn is a shot (or other entity) an asset is cast in.
type CastIn struct {
	Base
	ShotID        string `json:"shot_id,omitempty"`
	ShotName      string `json:"shot_name,omitempty"`
	SequenceName  string `json:"sequence_name,omitempty"`
	EpisodeID     string `json:"episode_id,omitempty"`
	EpisodeName   string `json:"episode_name,omitempty"`
	PreviewFileID string `json:"preview_file_id,omitempty"`
	NbOccurences  int    `json:"nb_occurences"`
}

// Playlist is a list of shots or assets with the previews to review.
type Playlist struct {
	Base
	Name       string          `json:"name,omitempty"`
	ProjectID  string          `json:"project_id,omitempty"`
	EpisodeID  string          `json:"episode_id,omitempty"`
	TaskTypeID string          `json:"task_type_id,omitempty"`
	ForClient  bool            `json:"for_client"`
	ForEntity  string          `json:"for_entity,omitempty"`
	IsForAll   bool            `json:"is_for_all"`
	CreatedBy  string          `json:"created_by,omitempty"`
	Shots      []PlaylistEntry `json:"shots,omitempty"`
}

// PlaylistEntry is one entity of a playlist and the preview shown for it.
type PlaylistEntry struct {
	EntityID      string         `json:"entity_id"`
	PreviewFileID string         `json:"preview_file_id,omitempty"`
	Extra         map[string]any `json:"-"`
}

// Every model decodes through decodeModel, which keeps unnamed members in
// Extra; these one-line hooks wire each model to it.

func (m *Person) UnmarshalJSONFrom(d *jsontext.Decoder) error             { return decodeModel(d, m) }
func (m *Organisation) UnmarshalJSONFrom(d *jsontext.Decoder) error       { return decodeModel(d, m) }
func (m *Department) UnmarshalJSONFrom(d *jsontext.Decoder) error         { return decodeModel(d, m) }
func (m *ProjectStatus) UnmarshalJSONFrom(d *jsontext.Decoder) error      { return decodeModel(d, m) }
func (m *Project) UnmarshalJSONFrom(d *jsontext.Decoder) error            { return decodeModel(d, m) }
func (m *MetadataDescriptor) UnmarshalJSONFrom(d *jsontext.Decoder) error { return decodeModel(d, m) }
func (m *EntityType) UnmarshalJSONFrom(d *jsontext.Decoder) error         { return decodeModel(d, m) }
func (m *Entity) UnmarshalJSONFrom(d *jsontext.Decoder) error             { return decodeModel(d, m) }
func (m *Asset) UnmarshalJSONFrom(d *jsontext.Decoder) error              { return decodeModel(d, m) }
func (m *Episode) UnmarshalJSONFrom(d *jsontext.Decoder) error            { return decodeModel(d, m) }
func (m *Sequence) UnmarshalJSONFrom(d *jsontext.Decoder) error           { return decodeModel(d, m) }
func (m *Shot) UnmarshalJSONFrom(d *jsontext.Decoder) error               { return decodeModel(d, m) }
func (m *AssetInstance) UnmarshalJSONFrom(d *jsontext.Decoder) error      { return decodeModel(d, m) }
func (m *EntityLink) UnmarshalJSONFrom(d *jsontext.Decoder) error         { return decodeModel(d, m) }
func (m *Casting) UnmarshalJSONFrom(d *jsontext.Decoder) error            { return decodeModel(d, m) }
func (m *CastIn) UnmarshalJSONFrom(d *jsontext.Decoder) error             { return decodeModel(d, m) }
func (m *Playlist) UnmarshalJSONFrom(d *jsontext.Decoder) error           { return decodeModel(d, m) }
func (m *PlaylistEntry) UnmarshalJSONFrom(d *jsontext.Decoder) error      { return decodeModel(d, m) }
