package kitsu

import (
	"fmt"
)

// Ptr returns a pointer to a copy of v. It sets a field of a changes value
// in one expression: kitsu.ShotChanges{Description: kitsu.Ptr("wide")}.
func Ptr[T any](v T) *T {
	return &v
}

// EntityChanges are the fields of an entity an update changes: the fields
// set are sent, the others keep their stored value. A nil pointer, list or
// map is not set; Ptr sets a field, to its zero value too
// (Canceled: kitsu.Ptr(false) un-cancels). The entity's own id, its
// dates, its project and nb_entities_out (a count Zou keeps from the
// casting, which a stale copy must not overwrite) are not changed here.
//
// Each kind has its own name for these fields, with its own update
// method: AssetChanges, ShotChanges, SequenceChanges, EpisodeChanges.
type EntityChanges struct {
	// Name is the entity's name; an empty one is refused.
	Name *string
	// Code is the sanitised name some tools store.
	Code        *string
	Description *string
	// EntityTypeID is the entity's kind (for an asset, its asset type); an
	// empty one is refused.
	EntityTypeID *string
	// ParentID is the entity's parent: a shot's sequence, a sequence's
	// episode. An empty id detaches the entity (sent as null).
	ParentID *string
	// SourceID is the entity the entity comes from: an asset's main episode,
	// a shot's scene. An empty id clears it (sent as null).
	SourceID *string
	// PreviewFileID is the entity's main preview; an empty id clears it.
	PreviewFileID    *string
	Canceled         *bool
	IsShared         *bool
	IsCastingStandby *bool
	// NbFrames is a shot's length in frames; a negative one is refused.
	NbFrames *int
	// Status is one of Zou's entity statuses: "standby", "running",
	// "complete" or "canceled".
	Status *string
	// ReadyFor is the id of the task type the entity is ready for. An empty
	// id, or "None" (Zou writes an unset ready_for so in some replies),
	// clears it.
	ReadyFor *string
	// Data holds keys of the entity's custom fields. Zou merges them into
	// the stored data: keys are added or replaced, never removed.
	Data map[string]any
}

// AssetChanges are the fields of an asset UpdateAsset changes (see
// EntityChanges). EntityTypeID is the asset type, SourceID the main
// episode (what Asset.EpisodeID reads).
type AssetChanges EntityChanges

// ShotChanges are the fields of a shot UpdateShot changes (see
// EntityChanges). ParentID is the shot's sequence, SourceID its scene;
// frame_in and frame_out live in Data.
type ShotChanges EntityChanges

// SequenceChanges are the fields of a sequence UpdateSequence changes (see
// EntityChanges). ParentID is the sequence's episode.
type SequenceChanges EntityChanges

// EpisodeChanges are the fields of an episode UpdateEpisode changes (see
// EntityChanges).
type EpisodeChanges EntityChanges

// body returns the JSON members of the fields set, checked; what names the
// changes in errors ("shot changes").
func (c *EntityChanges) body(what string) (map[string]any, error) {
	b := changeBody{what: what, m: map[string]any{}}
	b.name("Name", "name", c.Name)
	set(&b, "code", c.Code)
	set(&b, "description", c.Description)
	b.id("EntityTypeID", "entity_type_id", c.EntityTypeID, false)
	b.id("ParentID", "parent_id", c.ParentID, true)
	b.id("SourceID", "source_id", c.SourceID, true)
	b.id("PreviewFileID", "preview_file_id", c.PreviewFileID, true)
	set(&b, "canceled", c.Canceled)
	set(&b, "is_shared", c.IsShared)
	set(&b, "is_casting_standby", c.IsCastingStandby)
	if c.NbFrames != nil && *c.NbFrames < 0 {
		b.fail("NbFrames", *c.NbFrames, "a number of frames, 0 or more")
	}
	set(&b, "nb_frames", c.NbFrames)
	if c.Status != nil {
		switch *c.Status {
		case "standby", "running", "complete", "canceled":
		default:
			b.fail("Status", *c.Status, `"standby", "running", "complete" or "canceled"`)
		}
	}
	set(&b, "status", c.Status)
	if c.ReadyFor != nil && *c.ReadyFor == "None" {
		b.m["ready_for"] = nil
	} else {
		b.id("ReadyFor", "ready_for", c.ReadyFor, true)
	}
	b.mapping("data", c.Data)
	return b.done()
}

// ProjectChanges are the fields of a project UpdateProject changes: the
// fields set are sent, the others keep their stored value. A nil pointer,
// list or map is not set; Ptr sets a field, to its zero value too
// (MaxRetakes: kitsu.Ptr(0)). Zou ignores the team in a project update;
// the fields not named here (is_clients_isolated...) are changed with
// Client.Update and a map.
type ProjectChanges struct {
	// Name is the project's name; an empty one is refused.
	Name        *string
	Code        *string
	Description *string
	// ProjectStatusID is the project's status (open, closed); an empty id
	// is refused.
	ProjectStatusID *string
	// ProductionType is "short", "featurefilm", "tvshow"...; a tvshow gets
	// its first episode.
	ProductionType  *string
	ProductionStyle *string
	FPS             *string
	Ratio           *string
	// Resolution is "{width}x{height}"; Zou refuses others.
	Resolution *string
	// StartDate and EndDate are ISO 8601 dates ("2030-01-31"); an empty
	// one clears the date (sent as null).
	StartDate   *string
	EndDate     *string
	Homepage    *string
	MaxRetakes  *int
	NbEpisodes  *int
	EpisodeSpan *int
	// AssetTypes, TaskStatuses and TaskTypes replace the ids of the asset
	// types, task statuses and task types the project uses; an empty,
	// non-nil list empties one.
	AssetTypes   []string
	TaskStatuses []string
	TaskTypes    []string
	// FileTree replaces the whole file tree.
	FileTree map[string]any
	// Data replaces the whole data dict, as Zou does for projects (keys not
	// in it are removed); UpdateProjectData sets keys and keeps the others.
	Data map[string]any
}

func (c *ProjectChanges) body() (map[string]any, error) {
	b := changeBody{what: "project changes", m: map[string]any{}}
	b.name("Name", "name", c.Name)
	set(&b, "code", c.Code)
	set(&b, "description", c.Description)
	b.id("ProjectStatusID", "project_status_id", c.ProjectStatusID, false)
	set(&b, "production_type", c.ProductionType)
	set(&b, "production_style", c.ProductionStyle)
	set(&b, "fps", c.FPS)
	set(&b, "ratio", c.Ratio)
	set(&b, "resolution", c.Resolution)
	b.date("start_date", c.StartDate)
	b.date("end_date", c.EndDate)
	set(&b, "homepage", c.Homepage)
	set(&b, "max_retakes", c.MaxRetakes)
	set(&b, "nb_episodes", c.NbEpisodes)
	set(&b, "episode_span", c.EpisodeSpan)
	b.ids("AssetTypes", "asset_types", c.AssetTypes)
	b.ids("TaskStatuses", "task_statuses", c.TaskStatuses)
	b.ids("TaskTypes", "task_types", c.TaskTypes)
	b.mapping("file_tree", c.FileTree)
	b.mapping("data", c.Data)
	return b.done()
}

// TaskChanges are the fields of a task UpdateTask changes: the fields set
// are sent, the others keep their stored value. A nil pointer, list or
// map is not set; Ptr sets a field, to its zero value too (Priority:
// kitsu.Ptr(0)). The project of a task cannot be changed.
type TaskChanges struct {
	// Name is the task's name; an empty one is refused.
	Name        *string
	Description *string
	Priority    *int
	Difficulty  *int
	// Duration and Estimation are in minutes.
	Duration       *float64
	Estimation     *float64
	CompletionRate *float64
	RetakeCount    *int
	SortOrder      *int
	// The dates are ISO 8601 ("2031-05-04" or "2031-05-04T09:30:00"); an
	// empty one clears the date (sent as null).
	StartDate     *string
	DueDate       *string
	RealStartDate *string
	EndDate       *string
	DoneDate      *string
	// TaskTypeID, TaskStatusID and EntityID cannot be emptied.
	TaskTypeID   *string
	TaskStatusID *string
	EntityID     *string
	// AssignerID is who assigned the task; an empty id clears it.
	AssignerID *string
	// Assignees replaces the people assigned (their ids); an empty, non-nil
	// list unassigns everyone.
	Assignees []string
	// LastPreviewFileID is the task's newest preview; an empty id clears
	// it.
	LastPreviewFileID *string
	// Data holds keys of the task's custom fields, merged by Zou into the
	// stored data: keys are added or replaced, never removed. An empty,
	// non-nil map is refused: Zou would empty the stored data.
	Data map[string]any
}

func (c *TaskChanges) body() (map[string]any, error) {
	b := changeBody{what: "task changes", m: map[string]any{}}
	b.name("Name", "name", c.Name)
	set(&b, "description", c.Description)
	set(&b, "priority", c.Priority)
	set(&b, "difficulty", c.Difficulty)
	set(&b, "duration", c.Duration)
	set(&b, "estimation", c.Estimation)
	set(&b, "completion_rate", c.CompletionRate)
	set(&b, "retake_count", c.RetakeCount)
	set(&b, "sort_order", c.SortOrder)
	b.date("start_date", c.StartDate)
	b.date("due_date", c.DueDate)
	b.date("real_start_date", c.RealStartDate)
	b.date("end_date", c.EndDate)
	b.date("done_date", c.DoneDate)
	b.id("TaskTypeID", "task_type_id", c.TaskTypeID, false)
	b.id("TaskStatusID", "task_status_id", c.TaskStatusID, false)
	b.id("EntityID", "entity_id", c.EntityID, false)
	b.id("AssignerID", "assigner_id", c.AssignerID, true)
	b.ids("Assignees", "assignees", c.Assignees)
	b.id("LastPreviewFileID", "last_preview_file_id", c.LastPreviewFileID, true)
	if c.Data != nil && len(c.Data) == 0 {
		b.fail("Data", "{}", "at least one key (Zou would empty the stored data)")
	}
	b.mapping("data", c.Data)
	return b.done()
}

// CommentChanges are the fields of a comment TaskService.UpdateComment
// changes: the fields set are sent, the others keep their stored value. A
// nil pointer, list or map is not set; Ptr sets a field, to its zero value
// too (Pinned: kitsu.Ptr(false)).
type CommentChanges struct {
	Text *string
	// Data replaces the comment's whole data dict, as Zou does.
	Data map[string]any
	// Checklist replaces the whole checklist; an empty, non-nil list
	// empties it.
	Checklist []map[string]any
	Pinned    *bool
	ForClient *bool
	// TaskStatusID is the status the comment gives its task; changing the
	// status of a task's newest comment changes the task's status. An empty
	// id is refused.
	TaskStatusID *string
}

func (c *CommentChanges) body() (map[string]any, error) {
	b := changeBody{what: "comment changes", m: map[string]any{}}
	set(&b, "text", c.Text)
	b.mapping("data", c.Data)
	if c.Checklist != nil {
		b.m["checklist"] = c.Checklist
	}
	set(&b, "pinned", c.Pinned)
	set(&b, "for_client", c.ForClient)
	b.id("TaskStatusID", "task_status_id", c.TaskStatusID, false)
	return b.done()
}

// MetadataDescriptorChanges are the fields of a metadata descriptor
// UpdateMetadataDescriptor changes: the fields set are sent, the others
// keep their stored value. A nil pointer or list is not set; Ptr sets a
// field, to its zero value too (ForClient: kitsu.Ptr(false)).
type MetadataDescriptorChanges struct {
	// Name is the descriptor's name; an empty one is refused. Renaming also
	// changes FieldName and moves the values stored in the entities' Data
	// to it.
	Name *string
	// DataType is one of Zou's metadata types ("string", "number",
	// "list", "taglist", "boolean", "checklist", "date", "url",
	// "textarea", "person"); Zou refuses others. An empty one is refused.
	DataType *string
	// Choices replaces the choices of a list; an empty, non-nil list
	// empties them.
	Choices   []string
	ForClient *bool
	// Departments replaces the ids of the departments the field belongs
	// to; an empty, non-nil list empties them.
	Departments []string
}

func (c *MetadataDescriptorChanges) body() (map[string]any, error) {
	b := changeBody{what: "metadata descriptor changes", m: map[string]any{}}
	b.name("Name", "name", c.Name)
	if c.DataType != nil && *c.DataType == "" {
		b.fail("DataType", "", "a metadata data type such as \"string\"")
	}
	set(&b, "data_type", c.DataType)
	if c.Choices != nil {
		b.m["choices"] = c.Choices
	}
	set(&b, "for_client", c.ForClient)
	b.ids("Departments", "departments", c.Departments)
	return b.done()
}

// changeBody collects the JSON members of the fields a changes value sets,
// and the first field refused.
type changeBody struct {
	what string
	m    map[string]any
	err  error
}

// set adds the member key when v is set.
func set[T any](b *changeBody, key string, v *T) {
	if v != nil {
		b.m[key] = *v
	}
}

// fail records the first refused field, named as the caller wrote it
// ("task changes Assignees").
func (b *changeBody) fail(field string, value any, want string) {
	if b.err == nil {
		b.err = invalidArg(b.what+" "+field, value, want)
	}
}

// refuse records err when it is the first refusal.
func (b *changeBody) refuse(err error) {
	if err != nil && b.err == nil {
		b.err = err
	}
}

// name adds a name, refusing an empty one.
func (b *changeBody) name(field, key string, v *string) {
	if v == nil {
		return
	}
	b.refuse(checkName(b.what+" "+field, *v))
	b.m[key] = *v
}

// id adds an id, checked; when clearable, an empty id is sent as null.
func (b *changeBody) id(field, key string, v *string, clearable bool) {
	switch {
	case v == nil:
		return
	case *v == "" && clearable:
		b.m[key] = nil
		return
	}
	b.refuse(checkID(b.what+" "+field, *v))
	b.m[key] = *v
}

// ids adds a list of ids, each checked, when the list is set.
func (b *changeBody) ids(field, key string, v []string) {
	if v == nil {
		return
	}
	for _, id := range v {
		b.refuse(checkID(b.what+" "+field, id))
	}
	b.m[key] = v
}

// date adds a date; an empty one is sent as null.
func (b *changeBody) date(key string, v *string) {
	switch {
	case v == nil:
	case *v == "":
		b.m[key] = nil
	default:
		b.m[key] = *v
	}
}

// mapping adds a map when it is set.
func (b *changeBody) mapping(key string, v map[string]any) {
	if v != nil {
		b.m[key] = v
	}
}

// done returns the members, or the first refusal, or a refusal of changes
// that set nothing.
func (b *changeBody) done() (map[string]any, error) {
	if b.err != nil {
		return nil, b.err
	}
	if len(b.m) == 0 {
		return nil, fmt.Errorf("%w: %s: none set: want at least one field set", ErrInvalidArgument, b.what)
	}
	return b.m, nil
}
