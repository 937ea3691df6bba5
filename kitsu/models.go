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
	return t.parse(strings.Trim(string(b), `"`))
}

// parse reads a Zou timestamp; "" gives the zero Time.
func (t *Time) parse(s string) error {
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	if len(s) == len(zouTimeLayout) {
		if v, err := time.Parse(zouTimeLayout, s); err == nil {
			t.Time = v
			return nil
		}
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
	HoursByDay  float64 `json:"hours_by_day,omitzero"`
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
	NbFrames         int            `json:"nb_frames,omitzero"`
	NbEntitiesOut    int            `json:"nb_entities_out,omitzero"`
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

// Scene is a layout scene of a sequence (ParentID), from which shots are
// made.
type Scene struct {
	EntityFields
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
	Number        int            `json:"number,omitzero"`
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

// TaskType is a kind of work (Modeling, Animation...), for one kind of
// entity (ForEntity: Asset, Shot, Sequence, Episode, Edit...).
type TaskType struct {
	Base
	Name         string `json:"name,omitempty"`
	ShortName    string `json:"short_name,omitempty"`
	Description  string `json:"description,omitempty"`
	Color        string `json:"color,omitempty"`
	Priority     int    `json:"priority"`
	ForEntity    string `json:"for_entity,omitempty"`
	AllowTimelog bool   `json:"allow_timelog"`
	Archived     bool   `json:"archived"`
	DepartmentID string `json:"department_id,omitempty"`
}

// TaskStatus is the state of a task (Todo, WIP, Waiting For Approval...).
type TaskStatus struct {
	Base
	Name              string `json:"name,omitempty"`
	ShortName         string `json:"short_name,omitempty"`
	Description       string `json:"description,omitempty"`
	Color             string `json:"color,omitempty"`
	Priority          int    `json:"priority"`
	IsDone            bool   `json:"is_done"`
	IsArtistAllowed   bool   `json:"is_artist_allowed"`
	IsClientAllowed   bool   `json:"is_client_allowed"`
	IsRetake          bool   `json:"is_retake"`
	IsFeedbackRequest bool   `json:"is_feedback_request"`
	IsDefault         bool   `json:"is_default"`
	IsWIP             bool   `json:"is_wip"`
	Archived          bool   `json:"archived"`
	ForConcept        bool   `json:"for_concept"`
}

// Task is a piece of work of a task type on an entity, assigned to people.
type Task struct {
	Base
	Name              string         `json:"name,omitempty"`
	Description       string         `json:"description,omitempty"`
	Priority          int            `json:"priority"`
	Difficulty        int            `json:"difficulty,omitzero"`
	Duration          float64        `json:"duration"`
	Estimation        float64        `json:"estimation"`
	CompletionRate    float64        `json:"completion_rate"`
	RetakeCount       int            `json:"retake_count"`
	SortOrder         int            `json:"sort_order"`
	StartDate         string         `json:"start_date,omitempty"`
	DueDate           string         `json:"due_date,omitempty"`
	RealStartDate     string         `json:"real_start_date,omitempty"`
	EndDate           string         `json:"end_date,omitempty"`
	DoneDate          string         `json:"done_date,omitempty"`
	LastCommentDate   string         `json:"last_comment_date,omitempty"`
	ProjectID         string         `json:"project_id,omitempty"`
	TaskTypeID        string         `json:"task_type_id,omitempty"`
	TaskStatusID      string         `json:"task_status_id,omitempty"`
	EntityID          string         `json:"entity_id,omitempty"`
	AssignerID        string         `json:"assigner_id,omitempty"`
	Assignees         []string       `json:"assignees,omitempty"`
	LastPreviewFileID string         `json:"last_preview_file_id,omitempty"`
	Data              map[string]any `json:"data,omitempty"`
	// NbAssetsReady is, for a shot's task, how many of the shot's cast
	// assets are ready for its task type (Zou keeps the count).
	NbAssetsReady int `json:"nb_assets_ready,omitzero"`
	// NbDrawings is the number of drawings the task counts.
	NbDrawings int `json:"nb_drawings,omitzero"`
	// ShotgunID is the task's id in ShotGrid, when it was imported from it.
	ShotgunID int `json:"shotgun_id,omitzero"`
	// Names some listings add.
	ProjectName    string `json:"project_name,omitempty"`
	TaskTypeName   string `json:"task_type_name,omitempty"`
	TaskStatusName string `json:"task_status_name,omitempty"`
	EntityName     string `json:"entity_name,omitempty"`
	EntityTypeName string `json:"entity_type_name,omitempty"`
}

// Comment is a message on a task, which may change its status and carry
// previews and attachments.
type Comment struct {
	Base
	ObjectID        string           `json:"object_id,omitempty"`
	ObjectType      string           `json:"object_type,omitempty"`
	Text            string           `json:"text"`
	Data            map[string]any   `json:"data,omitempty"`
	TaskStatusID    string           `json:"task_status_id,omitempty"`
	PersonID        string           `json:"person_id,omitempty"`
	EditorID        string           `json:"editor_id,omitempty"`
	PreviewFileID   string           `json:"preview_file_id,omitempty"`
	Pinned          bool             `json:"pinned"`
	ForClient       bool             `json:"for_client"`
	Checklist       []map[string]any `json:"checklist,omitempty"`
	Mentions        []string         `json:"mentions,omitempty"`
	AttachmentFiles []AttachmentFile `json:"attachment_files,omitempty"`
	TaskStatus      *TaskStatus      `json:"task_status,omitempty"`
	Person          *Person          `json:"person,omitempty"`
}

// AttachmentFile is a file attached to a comment.
type AttachmentFile struct {
	Base
	Name      string `json:"name,omitempty"`
	Size      int64  `json:"size"`
	Extension string `json:"extension,omitempty"`
	MimeType  string `json:"mimetype,omitempty"`
	CommentID string `json:"comment_id,omitempty"`
}

// TimeSpent is time a person logged on a task one day, in minutes.
type TimeSpent struct {
	Base
	Duration float64 `json:"duration"`
	Date     string  `json:"date,omitempty"`
	TaskID   string  `json:"task_id,omitempty"`
	PersonID string  `json:"person_id,omitempty"`
}

// Software is a DCC (Maya, Blender...) working files are made with.
type Software struct {
	Base
	Name                string   `json:"name,omitempty"`
	ShortName           string   `json:"short_name,omitempty"`
	FileExtension       string   `json:"file_extension,omitempty"`
	SecondaryExtensions []string `json:"secondary_extensions,omitempty"`
	Version             string   `json:"version,omitempty"`
	Archived            bool     `json:"archived"`
}

// OutputType is a kind of output file (Geometry, Cache, Render...).
type OutputType struct {
	Base
	Name      string `json:"name,omitempty"`
	ShortName string `json:"short_name,omitempty"`
}

// FileStatus is the validation state of an output file.
type FileStatus struct {
	Base
	Name  string `json:"name,omitempty"`
	Color string `json:"color,omitempty"`
}

// WorkingFile is a revision of a file an artist works on, for a task.
type WorkingFile struct {
	Base
	Name             string         `json:"name,omitempty"`
	Description      string         `json:"description,omitempty"`
	Comment          string         `json:"comment,omitempty"`
	Revision         int            `json:"revision"`
	Size             int64          `json:"size,omitzero"`
	Checksum         int64          `json:"checksum,omitzero"` // an Integer column in Zou 1.0.97 (output files hold a string)
	Path             string         `json:"path,omitempty"`
	ValidationStatus string         `json:"validation_status,omitempty"`
	TaskID           string         `json:"task_id,omitempty"`
	EntityID         string         `json:"entity_id,omitempty"`
	PersonID         string         `json:"person_id,omitempty"`
	SoftwareID       string         `json:"software_id,omitempty"`
	Data             map[string]any `json:"data,omitempty"`
}

// OutputFile is a published revision of an entity's (or an asset
// instance's) output, of an output type, made by a task type.
type OutputFile struct {
	Base
	Name             string         `json:"name,omitempty"`
	Canceled         bool           `json:"canceled"`
	Size             int64          `json:"size,omitzero"`
	Checksum         string         `json:"checksum,omitempty"`
	Description      string         `json:"description,omitempty"`
	Comment          string         `json:"comment,omitempty"`
	Extension        string         `json:"extension,omitempty"`
	Revision         int            `json:"revision"`
	Representation   string         `json:"representation,omitempty"`
	NbElements       int            `json:"nb_elements,omitzero"`
	Source           string         `json:"source,omitempty"`
	Path             string         `json:"path,omitempty"`
	FileStatusID     string         `json:"file_status_id,omitempty"`
	EntityID         string         `json:"entity_id,omitempty"`
	AssetInstanceID  string         `json:"asset_instance_id,omitempty"`
	OutputTypeID     string         `json:"output_type_id,omitempty"`
	TaskTypeID       string         `json:"task_type_id,omitempty"`
	PersonID         string         `json:"person_id,omitempty"`
	SourceFileID     string         `json:"source_file_id,omitempty"`
	TemporalEntityID string         `json:"temporal_entity_id,omitempty"`
	Data             map[string]any `json:"data,omitempty"`
	// FolderPath and FileName are added by the routes that create one.
	FolderPath string `json:"folder_path,omitempty"`
	FileName   string `json:"file_name,omitempty"`
}

// PreviewFile is one file shown for review on a task: a picture, a movie or
// a model, at a revision of the task's work.
type PreviewFile struct {
	Base
	Name             string           `json:"name,omitempty"`
	OriginalName     string           `json:"original_name,omitempty"`
	Revision         int              `json:"revision,omitzero"`
	Position         int              `json:"position,omitzero"`
	Extension        string           `json:"extension,omitempty"`
	Description      string           `json:"description,omitempty"`
	Path             string           `json:"path,omitempty"`
	Source           string           `json:"source,omitempty"`
	FileSize         int64            `json:"file_size,omitzero"`
	Status           string           `json:"status,omitempty"`
	ValidationStatus string           `json:"validation_status,omitempty"`
	Annotations      []map[string]any `json:"annotations,omitempty"`
	Width            int              `json:"width,omitzero"`
	Height           int              `json:"height,omitzero"`
	Duration         float64          `json:"duration,omitzero"`
	OriginalWidth    int              `json:"original_width,omitzero"`
	OriginalHeight   int              `json:"original_height,omitzero"`
	OriginalDuration float64          `json:"original_duration,omitzero"`
	OriginalFileSize int64            `json:"original_file_size,omitzero"`
	TaskID           string           `json:"task_id,omitempty"`
	PersonID         string           `json:"person_id,omitempty"`
	SourceFileID     string           `json:"source_file_id,omitempty"`
	// Previews are the other files uploaded for the same revision, when
	// the preview is listed grouped by revision (AllPreviewsForShot).
	Previews []PreviewFile  `json:"previews,omitempty"`
	Data     map[string]any `json:"data,omitempty"`
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
func (m *TaskType) UnmarshalJSONFrom(d *jsontext.Decoder) error           { return decodeModel(d, m) }
func (m *TaskStatus) UnmarshalJSONFrom(d *jsontext.Decoder) error         { return decodeModel(d, m) }
func (m *Task) UnmarshalJSONFrom(d *jsontext.Decoder) error               { return decodeModel(d, m) }
func (m *Comment) UnmarshalJSONFrom(d *jsontext.Decoder) error            { return decodeModel(d, m) }
func (m *AttachmentFile) UnmarshalJSONFrom(d *jsontext.Decoder) error     { return decodeModel(d, m) }
func (m *TimeSpent) UnmarshalJSONFrom(d *jsontext.Decoder) error          { return decodeModel(d, m) }
func (m *Software) UnmarshalJSONFrom(d *jsontext.Decoder) error           { return decodeModel(d, m) }
func (m *OutputType) UnmarshalJSONFrom(d *jsontext.Decoder) error         { return decodeModel(d, m) }
func (m *FileStatus) UnmarshalJSONFrom(d *jsontext.Decoder) error         { return decodeModel(d, m) }
func (m *WorkingFile) UnmarshalJSONFrom(d *jsontext.Decoder) error        { return decodeModel(d, m) }
func (m *OutputFile) UnmarshalJSONFrom(d *jsontext.Decoder) error         { return decodeModel(d, m) }
func (m *PreviewFile) UnmarshalJSONFrom(d *jsontext.Decoder) error        { return decodeModel(d, m) }
func (m *Scene) UnmarshalJSONFrom(d *jsontext.Decoder) error              { return decodeModel(d, m) }
