package kitsu

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// This file holds gazu's task module: tasks, task types, task statuses and
// assignation. Comments, previews and time spent, which belong to the same
// gazu module, live in comment.go.

// FullTask is a task with the records its page in Kitsu shows: its entity
// and entity type, project, task type, status, assignees and assigner, and
// for a shot, scene or sequence, its sequence and episode. GetTask also
// fills the names of the embedded Task (EntityName, EntityTypeName,
// ProjectName, TaskTypeName, TaskStatusName) from these records.
type FullTask struct {
	Task
	Entity     *Entity     `json:"entity,omitempty"`
	EntityType *EntityType `json:"entity_type,omitempty"`
	Project    *Project    `json:"project,omitempty"`
	TaskType   *TaskType   `json:"task_type,omitempty"`
	TaskStatus *TaskStatus `json:"task_status,omitempty"`
	// Sequence and Episode are set for the tasks of shots, scenes and
	// sequences, when they have them.
	Sequence *Sequence `json:"sequence,omitempty"`
	Episode  *Episode  `json:"episode,omitempty"`
	// Persons are the assignees.
	Persons []Person `json:"persons,omitempty"`
	// Assigner is the person who assigned the task, when known.
	Assigner *Person `json:"assigner,omitempty"`
	// IsSubscribed tells whether the logged-in user follows the task.
	IsSubscribed bool `json:"is_subscribed"`
}

// UnmarshalJSONFrom decodes a full task, keeping unnamed members in Extra.
func (m *FullTask) UnmarshalJSONFrom(d *jsontext.Decoder) error { return decodeModel(d, m) }

// TaskListOptions are the optional parts of the methods that list the
// tasks of an entity (AllTasksForAsset, AllTasksForShot,
// AllTasksForSequence, AllTasksForEpisode, AllTasksForScene,
// AllShotTasksForSequence, AllShotTasksForEpisode,
// AllAssetsTasksForEpisode). The zero value (or nil) is gazu's
// relations=False.
type TaskListOptions struct {
	// Relations adds each task's Assignees (person ids).
	Relations bool
}

func (o *TaskListOptions) relations() bool { return o != nil && o.Relations }

// AllTasksForProjectOptions are the optional parts of AllTasksForProject
// and EachTaskForProject. The zero value (or nil) lists every task of the
// project, as gazu does by default.
type AllTasksForProjectOptions struct {
	// TaskTypeID keeps the tasks of that task type only.
	TaskTypeID string
	// EpisodeID keeps the tasks of the entities in that episode's
	// sequences (its shots and scenes) only.
	EpisodeID string
	// PageSize is how many tasks each request asks for; 0 means 2,000.
	PageSize int
	// Prefetch is how many pages are asked at once; 0 means 4 (see
	// FetchOptions.Prefetch).
	Prefetch int
}

// defaultTaskPageSize is the page size of the project task listings: large
// enough that Zou's work per request (a count, a sort) is small next to
// the records it serialises, small enough that several pages share the
// work of Zou's workers.
const defaultTaskPageSize = 2000

// AllTasksForTaskTypeOptions are the optional parts of
// AllTasksForTaskType. The zero value (or nil) lists the tasks of every
// episode, as gazu does by default.
type AllTasksForTaskTypeOptions struct {
	// EpisodeID keeps the tasks of the entities in that episode's
	// sequences (its shots and scenes) only.
	EpisodeID string
}

// AllTaskTypesForSequenceOptions are the optional parts of
// AllTaskTypesForSequence and AllTaskTypesForEpisode. The zero value (or
// nil) returns the task types of the tasks linked directly to the
// sequence or episode, as gazu's documentation promises.
type AllTaskTypesForSequenceOptions struct {
	// OfShots returns instead the task types of the tasks of the shots
	// of the sequence (or of the episode's sequences). Gazu returns
	// nearly that: Zou's route it calls counts the scenes' tasks too.
	OfShots bool
}

// GetTaskByNameOptions are the optional parts of GetTaskByName. The zero
// value (or nil) looks for the task named "main", gazu's default.
type GetTaskByNameOptions struct {
	// Name of the task; "main" when empty.
	Name string
}

// GetTaskByPathOptions are the optional parts of GetTaskByPath. The zero
// value (or nil) reads the path as a shot's, with "/" between folders,
// as gazu does by default.
type GetTaskByPathOptions struct {
	// EntityType is the kind of entity the path belongs to: "shot" (when
	// empty), "asset", "scene", "sequence" or "episode", the templates of
	// a Zou file tree. Case is ignored.
	EntityType string
	// Sep is the separator between the folders of the path; "/" when
	// empty. Use `\` for a Windows path; the mountpoint and root of the
	// tree must still match the start of the path.
	Sep string
}

// GetTaskTypeByNameOptions are the optional parts of GetTaskTypeByName.
// The zero value (or nil) looks in every task type, as gazu does by
// default.
type GetTaskTypeByNameOptions struct {
	// ForEntity keeps the task types for that kind of entity ("Asset",
	// "Shot", "Sequence", "Episode", "Edit", "Concept", "Scene"; case is
	// ignored). Zou's init data has two task types named Concept, one for
	// assets and one for concepts: this picks one.
	ForEntity string
	// DepartmentID keeps the task types of that department.
	DepartmentID string
}

// NewTaskOptions are the optional parts of NewTask. The zero value (or
// nil) means gazu's defaults: a task named "main", at the default status,
// with no assigner and no assignees.
type NewTaskOptions struct {
	// Name of the task; "main" when empty.
	Name string
	// TaskStatusID is the status the task starts at. When empty it is the
	// default one: Todo, or Neutral for the task of a concept (Zou's own
	// choice).
	TaskStatusID string
	// AssignerID is the person who assigns the task.
	AssignerID string
	// Assignees are the ids of the persons the task is assigned to.
	Assignees []string
}

// NewTaskTypeOptions are the optional parts of NewTaskType. The zero value
// (or nil) means gazu's defaults: black (#000000), for assets.
type NewTaskTypeOptions struct {
	// Color is "#" followed by 6 (or 3) hexadecimal digits; "#000000"
	// when empty.
	Color string
	// ForEntity is the kind of entity the task type is for: "Asset" (when
	// empty), "Shot", "Sequence", "Episode", "Edit", "Concept" or "Scene";
	// case is ignored.
	ForEntity string
}

// RemoveTaskTypeOptions are the optional parts of RemoveTaskType. The zero
// value (or nil) is gazu's force=False.
type RemoveTaskTypeOptions struct {
	// Force detaches the task type from the projects and schedules that
	// use it before deleting it. Without it, Zou refuses to delete a task
	// type still used by a project or a schedule.
	Force bool
}

// StartTaskOptions are the optional parts of StartTask. The zero value (or
// nil) means gazu's defaults: the status whose short name is "wip", and
// the logged-in user as the author of the comment.
type StartTaskOptions struct {
	// TaskStatusID is the status to put the task in; the "wip" status
	// when empty.
	TaskStatusID string
	// PersonID is the author of the comment that changes the status. Zou
	// heeds it only from managers and admins.
	PersonID string
}

// taskEntityKinds are the kinds of entity a task type can be for, as Zou
// spells them.
var taskEntityKinds = []string{"Asset", "Shot", "Sequence", "Episode", "Edit", "Concept", "Scene"}

// taskEntityKind spells a kind of entity as Zou wants it ("shot" gives
// "Shot").
func taskEntityKind(what, kind string) (string, error) {
	for _, k := range taskEntityKinds {
		if strings.EqualFold(strings.TrimSpace(kind), k) {
			return k, nil
		}
	}
	return "", invalidArg(what, kind, "one of "+strings.Join(taskEntityKinds, ", "))
}

// checkTaskColor accepts the colours Kitsu uses: "#" and 6 or 3
// hexadecimal digits.
func checkTaskColor(color string) error {
	digits, ok := strings.CutPrefix(color, "#")
	valid := ok && (len(digits) == 6 || len(digits) == 3)
	for _, r := range digits {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			valid = false
		}
	}
	if !valid {
		return invalidArg("color", color, `"#" followed by 6 hexadecimal digits, such as "#00FF00"`)
	}
	return nil
}

// checkTaskName refuses an empty name and one longer than Zou stores
// (its columns hold max characters).
func checkTaskName(what, name string, max int) error {
	if err := checkName(what, name); err != nil {
		return err
	}
	if utf8.RuneCountInString(name) > max {
		return invalidArg(what, name, fmt.Sprintf("at most %d characters", max))
	}
	return nil
}

// taskList asks a list route of tasks and decodes it once; sorted sorts
// the tasks by name, as gazu does for the listings it sorts.
func taskList(ctx context.Context, s *service, path string, query url.Values, sorted bool) ([]Task, error) {
	tasks, err := list[Task](ctx, s, path, query)
	if err != nil {
		return nil, err
	}
	if sorted {
		sortByName(tasks, func(t *Task) string { return t.Name })
	}
	return tasks, nil
}

// taskTypeList asks a list route of task types and returns them sorted by
// name.
func taskTypeList(ctx context.Context, s *service, path string, query url.Values) ([]TaskType, error) {
	types, err := list[TaskType](ctx, s, path, query)
	if err != nil {
		return nil, err
	}
	sortByName(types, func(t *TaskType) string { return t.Name })
	return types, nil
}

// relationsQuery asks Zou for the relations (assignees) when opts say so.
func relationsQuery(opts *TaskListOptions) url.Values {
	if opts.relations() {
		return q("relations", "true")
	}
	return nil
}

// entityTasks lists the tasks of one entity through the route of its
// kind (data/{kind}/{id}/tasks), sorted by name.
func (s *TaskService) entityTasks(ctx context.Context, route, what, id string, opts *TaskListOptions) ([]Task, error) {
	if err := checkID(what, id); err != nil {
		return nil, err
	}
	return taskList(ctx, (*service)(s), pathOf(route, id, "tasks"), relationsQuery(opts), true)
}

// addAssignees fills the Assignees of tasks of one entity, for the routes
// where Zou ignores relations: it asks the generic task list, which gives
// them.
func (s *TaskService) addAssignees(ctx context.Context, entityID string, tasks []Task) error {
	if len(tasks) == 0 {
		return nil
	}
	withAssignees, err := list[Task](ctx, (*service)(s), "data/tasks", q("entity_id", entityID, "relations", "true"))
	if err != nil {
		return err
	}
	byID := make(map[string][]string, len(withAssignees))
	for _, t := range withAssignees {
		byID[t.ID] = t.Assignees
	}
	for i := range tasks {
		if a, ok := byID[tasks[i].ID]; ok {
			tasks[i].Assignees = a
		}
		if tasks[i].Assignees == nil {
			tasks[i].Assignees = []string{}
		}
	}
	return nil
}

// AllTasksForAsset returns the tasks of an asset, sorted by name, with
// their project, task type, status, entity type and entity names.
//
// It calls GET /data/assets/{asset_id}/tasks and mirrors
// gazu.task.all_tasks_for_asset. An unknown asset matches ErrNotFound.
func (s *TaskService) AllTasksForAsset(ctx context.Context, assetID string, opts *TaskListOptions) ([]Task, error) {
	return s.entityTasks(ctx, "data/assets", "asset id", assetID, opts)
}

// AllTasksForShot returns the tasks of a shot, sorted by name, with their
// project, task type, status, entity type and entity names.
//
// It calls GET /data/shots/{shot_id}/tasks and mirrors
// gazu.task.all_tasks_for_shot. An unknown shot (or the id of another
// kind of entity) matches ErrNotFound.
func (s *TaskService) AllTasksForShot(ctx context.Context, shotID string, opts *TaskListOptions) ([]Task, error) {
	return s.entityTasks(ctx, "data/shots", "shot id", shotID, opts)
}

// AllTasksForSequence returns the tasks linked directly to a sequence (not
// those of its shots: see AllShotTasksForSequence), sorted by name.
//
// It calls GET /data/sequences/{sequence_id}/tasks and mirrors
// gazu.task.all_tasks_for_sequence. An unknown sequence matches
// ErrNotFound.
func (s *TaskService) AllTasksForSequence(ctx context.Context, sequenceID string, opts *TaskListOptions) ([]Task, error) {
	return s.entityTasks(ctx, "data/sequences", "sequence id", sequenceID, opts)
}

// AllTasksForEpisode returns the tasks linked directly to an episode (not
// those of its shots: see AllShotTasksForEpisode), sorted by name.
//
// It calls GET /data/episodes/{episode_id}/tasks and mirrors
// gazu.task.all_tasks_for_episode. Zou ignores relations on this route;
// with opts.Relations the assignees are read from GET
// /data/tasks?entity_id={episode_id}&relations=true, so that the option
// does what it says. An unknown episode matches ErrNotFound.
func (s *TaskService) AllTasksForEpisode(ctx context.Context, episodeID string, opts *TaskListOptions) ([]Task, error) {
	tasks, err := s.entityTasks(ctx, "data/episodes", "episode id", episodeID, nil)
	if err != nil || !opts.relations() {
		return tasks, err
	}
	if err := s.addAssignees(ctx, episodeID, tasks); err != nil {
		return nil, err
	}
	return tasks, nil
}

// AllTasksForScene returns the tasks of a scene, sorted by name.
//
// It calls GET /data/scenes/{scene_id}/tasks and mirrors
// gazu.task.all_tasks_for_scene. Zou ignores relations on this route;
// with opts.Relations the assignees are read from GET
// /data/tasks?entity_id={scene_id}&relations=true. An unknown scene
// matches ErrNotFound.
func (s *TaskService) AllTasksForScene(ctx context.Context, sceneID string, opts *TaskListOptions) ([]Task, error) {
	tasks, err := s.entityTasks(ctx, "data/scenes", "scene id", sceneID, nil)
	if err != nil || !opts.relations() {
		return tasks, err
	}
	if err := s.addAssignees(ctx, sceneID, tasks); err != nil {
		return nil, err
	}
	return tasks, nil
}

// AllShotTasksForSequence returns the tasks of the shots of a sequence,
// sorted by name.
//
// It calls GET /data/sequences/{sequence_id}/shot-tasks and mirrors
// gazu.task.all_shot_tasks_for_sequence. That route of Zou answers the
// tasks of every entity in the sequence, scenes included: only the
// shots' tasks are kept. Zou refuses it to vendors. An unknown sequence
// matches ErrNotFound.
func (s *TaskService) AllShotTasksForSequence(ctx context.Context, sequenceID string, opts *TaskListOptions) ([]Task, error) {
	if err := checkID("sequence id", sequenceID); err != nil {
		return nil, err
	}
	tasks, err := taskList(ctx, (*service)(s), pathOf("data/sequences", sequenceID, "shot-tasks"), relationsQuery(opts), true)
	return shotTasksOnly(tasks), err
}

// AllShotTasksForEpisode returns the tasks of the shots of an episode's
// sequences, sorted by name.
//
// It calls GET /data/episodes/{episode_id}/shot-tasks and mirrors
// gazu.task.all_shot_tasks_for_episode. As for AllShotTasksForSequence,
// the tasks of the scenes Zou adds are left out. Zou refuses it to
// vendors. An unknown episode matches ErrNotFound.
func (s *TaskService) AllShotTasksForEpisode(ctx context.Context, episodeID string, opts *TaskListOptions) ([]Task, error) {
	if err := checkID("episode id", episodeID); err != nil {
		return nil, err
	}
	tasks, err := taskList(ctx, (*service)(s), pathOf("data/episodes", episodeID, "shot-tasks"), relationsQuery(opts), true)
	return shotTasksOnly(tasks), err
}

// shotTasksOnly keeps, in place, the tasks whose entity is a shot.
func shotTasksOnly(tasks []Task) []Task {
	if tasks == nil {
		return nil
	}
	return slices.DeleteFunc(tasks, func(t Task) bool { return t.EntityTypeName != "Shot" })
}

// AllAssetsTasksForEpisode returns the tasks of the assets whose main
// episode is the episode, sorted by name.
//
// It calls GET /data/episodes/{episode_id}/asset-tasks and mirrors
// gazu.task.all_assets_tasks_for_episode. Zou refuses it to vendors. An
// unknown episode matches ErrNotFound.
func (s *TaskService) AllAssetsTasksForEpisode(ctx context.Context, episodeID string, opts *TaskListOptions) ([]Task, error) {
	if err := checkID("episode id", episodeID); err != nil {
		return nil, err
	}
	return taskList(ctx, (*service)(s), pathOf("data/episodes", episodeID, "asset-tasks"), relationsQuery(opts), true)
}

// AllTasksForEntityAndTaskType returns the tasks of one task type on an
// entity of any kind, sorted by name by Zou.
//
// It calls GET /data/entities/{entity_id}/task-types/{task_type_id}/tasks
// and mirrors gazu.task.all_tasks_for_entity_and_task_type. An unknown
// entity matches ErrNotFound; an unknown task type gives an empty list.
func (s *TaskService) AllTasksForEntityAndTaskType(ctx context.Context, entityID, taskTypeID string) ([]Task, error) {
	if err := checkIDs("entity id", entityID, "task type id", taskTypeID); err != nil {
		return nil, err
	}
	return taskList(ctx, (*service)(s), pathOf("data/entities", entityID, "task-types", taskTypeID, "tasks"), nil, false)
}

// AllTasksForPerson returns the tasks assigned to a person that are not
// done, in the open projects (for an admin) or the projects the user
// belongs to. Each task carries, in named fields and in Extra, the names
// of its project, entity, task type and status and its last comment.
// Zou answers an empty list to clients and, about vendors, to vendors.
//
// It calls GET /data/persons/{person_id}/tasks and mirrors
// gazu.task.all_tasks_for_person. An unknown person matches ErrNotFound.
func (s *TaskService) AllTasksForPerson(ctx context.Context, personID string) ([]Task, error) {
	if err := checkID("person id", personID); err != nil {
		return nil, err
	}
	return taskList(ctx, (*service)(s), pathOf("data/persons", personID, "tasks"), nil, false)
}

// AllDoneTasksForPerson returns the tasks assigned to a person that are
// done (their status is a done one), in the same projects as
// AllTasksForPerson.
//
// It calls GET /data/persons/{person_id}/done-tasks and mirrors
// gazu.task.all_done_tasks_for_person. An unknown person matches
// ErrNotFound.
func (s *TaskService) AllDoneTasksForPerson(ctx context.Context, personID string) ([]Task, error) {
	if err := checkID("person id", personID); err != nil {
		return nil, err
	}
	return taskList(ctx, (*service)(s), pathOf("data/persons", personID, "done-tasks"), nil, false)
}

// projectTasksQuery checks the options of the project task listings and
// turns them into the query of Zou's generic task route, which pages as
// asked: the project's tasks with their assignees, and the filters of
// opts.
func projectTasksQuery(projectID string, opts *AllTasksForProjectOptions) (*FetchOptions, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	fetch := &FetchOptions{Params: q("project_id", projectID, "relations", "true"), Limit: defaultTaskPageSize}
	if opts == nil {
		return fetch, nil
	}
	if opts.TaskTypeID != "" {
		if err := checkID("task type id", opts.TaskTypeID); err != nil {
			return nil, err
		}
		fetch.Params.Set("task_type_id", opts.TaskTypeID)
	}
	if opts.EpisodeID != "" {
		if err := checkID("episode id", opts.EpisodeID); err != nil {
			return nil, err
		}
		fetch.Params.Set("episode_id", opts.EpisodeID)
	}
	if opts.PageSize < 0 {
		return nil, invalidArg("page size", opts.PageSize, "0 (2,000) or more")
	}
	if opts.Prefetch < 0 {
		return nil, invalidArg("prefetch", opts.Prefetch, "0 (4) or more")
	}
	if opts.PageSize > 0 {
		fetch.Limit = opts.PageSize
	}
	fetch.Prefetch = opts.Prefetch
	return fetch, nil
}

// AllTasksForProject returns the tasks of a project, most recently updated
// first (Zou's order; gazu does not sort them either; tasks updated at the
// same time come newest created first, then by id), with their assignees.
//
// It reads them in pages from Zou's generic task route, which pages as
// asked, rather than in one reply from the project's route: Zou builds
// several pages at once where it builds one reply alone. A request for
// one task tells how many there are; then opts.Prefetch pages (of
// opts.PageSize tasks) are asked at once, and one more each time one
// comes. Each page is decoded as it streams in, in place in the one array
// returned. For an admin the result is the
// project's route's. For other users the generic route keeps the tasks of
// the open projects whose team they are in (for a vendor, the tasks
// assigned to them) and blanks the studio's fields for a client; when it
// finds no task, the project's route answers, as for gazu. A task updated
// during the listing may be missed or come twice.
//
// It calls GET /data/tasks?project_id={project_id}&relations=true&page=&limit=
// [&task_type_id=][&episode_id=] (page=1&limit=1 first), and, when that
// finds no task, GET /data/projects/{project_id}/tasks (with the same
// filters), and mirrors
// gazu.task.all_tasks_for_project. An unknown project matches ErrNotFound.
func (s *TaskService) AllTasksForProject(ctx context.Context, projectID string, opts *AllTasksForProjectOptions) ([]Task, error) {
	fetch, err := projectTasksQuery(projectID, opts)
	if err != nil {
		return nil, err
	}
	// Page 1 tells how many tasks there are and how many a page holds:
	// the other pages are decoded in place, each in its part of one array.
	var tasks, backing []Task
	into := func(n int, first *page[Task]) []Task {
		if backing == nil {
			backing = make([]Task, max(first.Total, len(first.Data)))
		}
		from := (n - 1) * first.Limit
		if first.Limit <= 0 || from >= len(backing) {
			return nil
		}
		to := min(from+first.Limit, len(backing))
		return backing[from:from:to]
	}
	for p, err := range eachPage(ctx, s.c, "data/tasks", fetch, into, true) {
		if err != nil {
			return nil, err
		}
		if tasks == nil {
			if backing == nil {
				backing = make([]Task, max(p.Total, len(p.Data)))
			}
			tasks = backing[:0]
		}
		tasks = appendInPlace(tasks, p.Data)
	}
	if len(tasks) > 0 {
		return tasks, nil
	}
	return s.projectTasksIfNone(ctx, projectID, fetch)
}

// appendInPlace appends page to list, copying nothing when the page was
// decoded where it belongs, just past the end of list.
func appendInPlace[T any](list, page []T) []T {
	n := len(list)
	if len(page) > 0 && cap(list)-n >= len(page) && &list[:n+1][n] == &page[0] {
		return list[:n+len(page)]
	}
	return append(list, page...)
}

// projectTasksIfNone asks the project's own task route (with the filters
// of fetch) when the generic route found no task: its answer tells an
// empty project from an unknown or forbidden one.
func (s *TaskService) projectTasksIfNone(ctx context.Context, projectID string, fetch *FetchOptions) ([]Task, error) {
	query := url.Values{}
	for _, k := range []string{"task_type_id", "episode_id"} {
		if v := fetch.Params.Get(k); v != "" {
			query.Set(k, v)
		}
	}
	return taskList(ctx, (*service)(s), pathOf("data/projects", projectID, "tasks"), query, false)
}

// EachTaskForProject yields the tasks of a project, with their assignees,
// in the order of AllTasksForProject, and the first error if any. It holds
// a few pages at a time (of opts.PageSize tasks: the one being yielded and
// up to opts.Prefetch on their way, the first ones asked at once once a
// request for one task told how many there are), not the whole project. Stopping the loop early cancels the requests in flight.
//
// Zou orders the pages by update time, then creation time and id: a walk
// of a project nobody changes yields each task once. A task updated while
// the walk goes on moves to the first page, and may be missed or yielded
// twice. For users who are not admins, the tasks are those
// AllTasksForProject says.
//
// It calls GET /data/tasks?project_id={project_id}&relations=true&page=&limit=
// [&task_type_id=][&episode_id=] for page=1&limit=1, then pages 1, 2...
// until the last, and,
// when that finds no task, GET /data/projects/{project_id}/tasks (with the
// same filters) to tell an unknown project (ErrNotFound) from an empty
// one. It has no gazu counterpart.
func (s *TaskService) EachTaskForProject(ctx context.Context, projectID string, opts *AllTasksForProjectOptions) iter.Seq2[Task, error] {
	fetch, err := projectTasksQuery(projectID, opts)
	if err != nil {
		return func(yield func(Task, error) bool) { yield(Task{}, err) }
	}
	return func(yield func(Task, error) bool) {
		n := 0
		for p, err := range eachPage[Task](ctx, s.c, "data/tasks", fetch, nil, true) {
			if err != nil {
				yield(Task{}, err)
				return
			}
			for _, task := range p.Data {
				if !yield(task, nil) {
					return
				}
			}
			n += len(p.Data)
		}
		if n > 0 {
			return
		}
		tasks, err := s.projectTasksIfNone(ctx, projectID, fetch)
		if err != nil {
			yield(Task{}, err)
			return
		}
		for _, task := range tasks {
			if !yield(task, nil) {
				return
			}
		}
	}
}

// AllTasksForTaskType returns the tasks of one task type in a project, in
// Zou's order.
//
// It calls GET /data/tasks?project_id=&task_type_id=[&episode_id=] and
// mirrors gazu.task.all_tasks_for_task_type. Unknown ids give an empty
// list.
func (s *TaskService) AllTasksForTaskType(ctx context.Context, projectID, taskTypeID string, opts *AllTasksForTaskTypeOptions) ([]Task, error) {
	if err := checkIDs("project id", projectID, "task type id", taskTypeID); err != nil {
		return nil, err
	}
	query := q("project_id", projectID, "task_type_id", taskTypeID)
	if opts != nil && opts.EpisodeID != "" {
		if err := checkID("episode id", opts.EpisodeID); err != nil {
			return nil, err
		}
		query.Set("episode_id", opts.EpisodeID)
	}
	return taskList(ctx, (*service)(s), "data/tasks", query, false)
}

// AllTasksForTaskStatus returns the tasks of one task type in a project
// that are at the given status, in Zou's order.
//
// It calls GET /data/tasks?project_id=&task_type_id=&task_status_id= and
// mirrors gazu.task.all_tasks_for_task_status. Unknown ids give an empty
// list.
func (s *TaskService) AllTasksForTaskStatus(ctx context.Context, projectID, taskTypeID, taskStatusID string) ([]Task, error) {
	if err := checkIDs("project id", projectID, "task type id", taskTypeID, "task status id", taskStatusID); err != nil {
		return nil, err
	}
	query := q("project_id", projectID, "task_type_id", taskTypeID, "task_status_id", taskStatusID)
	return taskList(ctx, (*service)(s), "data/tasks", query, false)
}

// AllTaskStatuses returns every task status, sorted by name.
//
// It calls GET /data/task-status and mirrors gazu.task.all_task_statuses.
func (s *TaskService) AllTaskStatuses(ctx context.Context) ([]TaskStatus, error) {
	statuses, err := list[TaskStatus](ctx, (*service)(s), "data/task-status", nil)
	if err != nil {
		return nil, err
	}
	sortByName(statuses, func(t *TaskStatus) string { return t.Name })
	return statuses, nil
}

// AllTaskStatusesForProject returns the task statuses a project uses (its
// settings), sorted by name. A project with none set uses them all in
// Kitsu, but the list is then empty.
//
// It calls GET /data/projects/{project_id}/settings/task-status and
// mirrors gazu.task.all_task_statuses_for_project. An unknown project
// matches ErrNotFound.
func (s *TaskService) AllTaskStatusesForProject(ctx context.Context, projectID string) ([]TaskStatus, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	statuses, err := list[TaskStatus](ctx, (*service)(s), pathOf("data/projects", projectID, "settings", "task-status"), nil)
	if err != nil {
		return nil, err
	}
	sortByName(statuses, func(t *TaskStatus) string { return t.Name })
	return statuses, nil
}

// AllTaskTypes returns every task type, sorted by name.
//
// It calls GET /data/task-types and mirrors gazu.task.all_task_types.
func (s *TaskService) AllTaskTypes(ctx context.Context) ([]TaskType, error) {
	return taskTypeList(ctx, (*service)(s), "data/task-types", nil)
}

// AllTaskTypesForProject returns the task types a project uses (its
// settings), sorted by name.
//
// It calls GET /data/projects/{project_id}/task-types and mirrors
// gazu.task.all_task_types_for_project. An unknown project matches
// ErrNotFound.
func (s *TaskService) AllTaskTypesForProject(ctx context.Context, projectID string) ([]TaskType, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	return taskTypeList(ctx, (*service)(s), pathOf("data/projects", projectID, "task-types"), nil)
}

// AllTaskTypesForAsset returns the task types of the tasks of an asset,
// sorted by name.
//
// It calls GET /data/assets/{asset_id}/task-types and mirrors
// gazu.task.all_task_types_for_asset. An unknown asset gives an empty
// list.
func (s *TaskService) AllTaskTypesForAsset(ctx context.Context, assetID string) ([]TaskType, error) {
	if err := checkID("asset id", assetID); err != nil {
		return nil, err
	}
	return taskTypeList(ctx, (*service)(s), pathOf("data/assets", assetID, "task-types"), nil)
}

// AllTaskTypesForShot returns the task types of the tasks of a shot,
// sorted by name.
//
// It calls GET /data/shots/{shot_id}/task-types and mirrors
// gazu.task.all_task_types_for_shot. An unknown shot matches ErrNotFound.
func (s *TaskService) AllTaskTypesForShot(ctx context.Context, shotID string) ([]TaskType, error) {
	if err := checkID("shot id", shotID); err != nil {
		return nil, err
	}
	return taskTypeList(ctx, (*service)(s), pathOf("data/shots", shotID, "task-types"), nil)
}

// AllTaskTypesForScene returns the task types of the tasks of a scene,
// sorted by name.
//
// It calls GET /data/scenes/{scene_id}/task-types and mirrors
// gazu.task.all_task_types_for_scene. An unknown scene matches
// ErrNotFound.
func (s *TaskService) AllTaskTypesForScene(ctx context.Context, sceneID string) ([]TaskType, error) {
	if err := checkID("scene id", sceneID); err != nil {
		return nil, err
	}
	return taskTypeList(ctx, (*service)(s), pathOf("data/scenes", sceneID, "task-types"), nil)
}

// AllTaskTypesForSequence returns the task types of the tasks linked
// directly to a sequence, sorted by name; with opts.OfShots, those of the
// tasks of its shots.
//
// It calls GET /data/sequences/{sequence_id}/tasks (with OfShots, GET
// /data/sequences/{sequence_id}/shot-tasks) then, when there are tasks,
// GET /data/task-types?id=[...]. It mirrors
// gazu.task.all_task_types_for_sequence, which documents the sequence's
// own task types but calls GET /data/sequences/{sequence_id}/task-types:
// in Zou that route answers the task types of the tasks of the entities
// in the sequence, shots and scenes alike, so it is not used. An unknown
// sequence matches ErrNotFound.
func (s *TaskService) AllTaskTypesForSequence(ctx context.Context, sequenceID string, opts *AllTaskTypesForSequenceOptions) ([]TaskType, error) {
	var tasks []Task
	var err error
	if opts != nil && opts.OfShots {
		tasks, err = s.AllShotTasksForSequence(ctx, sequenceID, nil)
	} else {
		tasks, err = s.AllTasksForSequence(ctx, sequenceID, nil)
	}
	if err != nil {
		return nil, err
	}
	return s.taskTypesOf(ctx, tasks)
}

// AllTaskTypesForEpisode returns the task types of the tasks linked
// directly to an episode, sorted by name; with opts.OfShots, those of the
// tasks of the shots of its sequences.
//
// It calls GET /data/episodes/{episode_id}/tasks (with OfShots, GET
// /data/episodes/{episode_id}/shot-tasks) then, when there are tasks,
// GET /data/task-types?id=[...]. It mirrors
// gazu.task.all_task_types_for_episode, which documents the episode's own
// task types but calls GET /data/episodes/{episode_id}/task-types: in Zou
// that route answers the task types of the tasks of the entities in the
// episode's sequences (shots and scenes), so it is not used. An unknown
// episode matches ErrNotFound.
func (s *TaskService) AllTaskTypesForEpisode(ctx context.Context, episodeID string, opts *AllTaskTypesForSequenceOptions) ([]TaskType, error) {
	var tasks []Task
	var err error
	if opts != nil && opts.OfShots {
		tasks, err = s.AllShotTasksForEpisode(ctx, episodeID, nil)
	} else {
		tasks, err = s.AllTasksForEpisode(ctx, episodeID, nil)
	}
	if err != nil {
		return nil, err
	}
	return s.taskTypesOf(ctx, tasks)
}

// taskTypesOf returns the task types of tasks, each once, sorted by name.
func (s *TaskService) taskTypesOf(ctx context.Context, tasks []Task) ([]TaskType, error) {
	var ids []string
	for _, t := range tasks {
		if t.TaskTypeID != "" && !slices.Contains(ids, t.TaskTypeID) {
			ids = append(ids, t.TaskTypeID)
		}
	}
	if len(ids) == 0 {
		return []TaskType{}, nil
	}
	// Zou reads a filter value starting with "[" as a JSON list to match.
	filter, err := json.Marshal(ids)
	if err != nil {
		return nil, err
	}
	return taskTypeList(ctx, (*service)(s), "data/task-types", url.Values{"id": {string(filter)}})
}

// GetTask returns a task with the records around it: see FullTask.
//
// It calls GET /data/tasks/{task_id}/full and mirrors gazu.task.get_task.
// An unknown id matches ErrNotFound.
func (s *TaskService) GetTask(ctx context.Context, taskID string) (*FullTask, error) {
	if err := checkID("task id", taskID); err != nil {
		return nil, err
	}
	t, err := one[FullTask](ctx, (*service)(s), pathOf("data/tasks", taskID, "full"), nil)
	if err != nil {
		return nil, err
	}
	if t.Entity != nil && t.EntityName == "" {
		t.EntityName = t.Entity.Name
	}
	if t.EntityType != nil && t.EntityTypeName == "" {
		t.EntityTypeName = t.EntityType.Name
	}
	if t.Project != nil && t.ProjectName == "" {
		t.ProjectName = t.Project.Name
	}
	if t.TaskType != nil && t.TaskTypeName == "" {
		t.TaskTypeName = t.TaskType.Name
	}
	if t.TaskStatus != nil && t.TaskStatusName == "" {
		t.TaskStatusName = t.TaskStatus.Name
	}
	return t, nil
}

// GetTaskByName returns the task of an entity with the given task type and
// name ("main" unless opts.Name says otherwise), or an error matching
// ErrNotFound.
//
// It calls GET /data/tasks?name=&task_type_id=&entity_id= and mirrors
// gazu.task.get_task_by_name (named get_task_by_entity in gazu 1.1.12).
// Zou matches the name without regard to case and reads "_" and "%" as
// wildcards, and gazu takes the first match; this returns the task named
// exactly so (else the one equal to it but for case), never one matched
// only through a wildcard.
func (s *TaskService) GetTaskByName(ctx context.Context, entityID, taskTypeID string, opts *GetTaskByNameOptions) (*Task, error) {
	if err := checkIDs("entity id", entityID, "task type id", taskTypeID); err != nil {
		return nil, err
	}
	name := "main"
	if opts != nil && opts.Name != "" {
		name = opts.Name
	}
	if err := checkName("task name", name); err != nil {
		return nil, err
	}
	return firstWithName(ctx, (*service)(s), "data/tasks", q("task_type_id", taskTypeID, "entity_id", entityID), name,
		func(t *Task) string { return t.Name },
		fmt.Sprintf("no task named %q of task type %s on entity %s", name, taskTypeID, entityID))
}

// pathTemplates maps the kinds of entity GetTaskByPath reads paths of to
// the key Zou's path guess gives their id under, and to the route that
// lists their tasks.
var pathTemplates = map[string]struct{ token, route string }{
	"shot":     {"Shot", "data/shots"},
	"asset":    {"Asset", "data/assets"},
	"scene":    {"Scene", "data/scenes"},
	"sequence": {"Sequence", "data/sequences"},
	"episode":  {"Episode", "data/episodes"},
}

// GetTaskByPath returns the task a file path of the project belongs to: a
// path the project's file tree gives, such as a working file's path. The
// path names the entity and the task type; when the entity has several
// tasks of that type, the one named "main" is returned, else the first
// by name. Finding none gives an error matching ErrNotFound; a project
// with no file tree, one matching ErrParameter.
//
// Gazu calls POST /data/tasks/from-path/, which Zou no longer has. This
// calls POST /data/entities/guess-from-path with the project and the path
// (its separators turned into "/", the only one Zou's guess can match
// with), keeps the guess made with the template of opts.EntityType
// that names the entity and the task type, then lists the entity's tasks
// (GET /data/{shots|assets|scenes|sequences|episodes}/{id}/tasks). Zou
// reads the task type from the path by name only, and two task types may
// share a name (Zou's init data has two named Concept): when none of the
// entity's tasks has the guessed task type, a task whose type has the
// same name is taken (GET /data/task-types/{id}). It mirrors
// gazu.task.get_task_by_path.
func (s *TaskService) GetTaskByPath(ctx context.Context, projectID, filePath string, opts *GetTaskByPathOptions) (*Task, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	if strings.TrimSpace(filePath) == "" {
		return nil, invalidArg("file path", filePath, "a path built from the project's file tree")
	}
	kind, sep := "shot", "/"
	if opts != nil && opts.EntityType != "" {
		kind = strings.ToLower(strings.TrimSpace(opts.EntityType))
	}
	if opts != nil && opts.Sep != "" {
		sep = opts.Sep
	}
	tpl, ok := pathTemplates[kind]
	if !ok {
		return nil, invalidArg("entity type", kind, "shot, asset, scene, sequence or episode")
	}

	// Zou splits the tree's templates, written with "/", by the separator
	// it is given too, so only "/" can match: the path is sent with "/".
	path := filePath
	if sep != "/" {
		path = strings.ReplaceAll(filePath, sep, "/")
	}
	var guesses []map[string]any
	body := map[string]any{"project_id": projectID, "file_path": path, "sep": "/"}
	if err := (*service)(s).post(ctx, "data/entities/guess-from-path", body, &guesses); err != nil {
		if errors.Is(err, ErrServer) {
			// Zou fails with a 500 when the project has no file tree.
			if p, perr := one[Project](ctx, (*service)(s), pathOf("data/projects", projectID), nil); perr == nil && len(p.FileTree) == 0 {
				return nil, fmt.Errorf("%w: project %s has no file tree, so no path can be read: set one first", ErrParameter, projectID)
			}
		}
		return nil, err
	}

	tried := map[[2]string]bool{}
	for _, g := range guesses {
		if g["Template"] != kind {
			continue
		}
		entityID, _ := g[tpl.token].(string)
		taskTypeID, _ := g["TaskType"].(string)
		if !isUUID(entityID) || !isUUID(taskTypeID) || tried[[2]string{entityID, taskTypeID}] {
			continue
		}
		tried[[2]string{entityID, taskTypeID}] = true
		task, err := s.taskOfPath(ctx, tpl.route, entityID, taskTypeID)
		if err != nil || task != nil {
			return task, err
		}
	}
	return nil, fmt.Errorf("%w: no %s task found for path %q in project %s", ErrNotFound, kind, filePath, projectID)
}

// taskOfPath picks, among the tasks of an entity, the one of a task type,
// or of a task type with the same name; nil when there is none.
func (s *TaskService) taskOfPath(ctx context.Context, route, entityID, taskTypeID string) (*Task, error) {
	tasks, err := taskList(ctx, (*service)(s), pathOf(route, entityID, "tasks"), nil, true)
	if err != nil {
		return nil, err
	}
	match := func(keep func(*Task) bool) *Task {
		var found *Task
		for i := range tasks {
			if !keep(&tasks[i]) {
				continue
			}
			if tasks[i].Name == "main" {
				return &tasks[i]
			}
			if found == nil {
				found = &tasks[i]
			}
		}
		return found
	}
	if t := match(func(t *Task) bool { return t.TaskTypeID == taskTypeID }); t != nil {
		return t, nil
	}
	tt, err := s.GetTaskType(ctx, taskTypeID)
	if err != nil {
		return nil, err
	}
	return match(func(t *Task) bool { return strings.EqualFold(t.TaskTypeName, tt.Name) }), nil
}

// GetTaskStatus returns the task status with the given id.
//
// It calls GET /data/task-status/{task_status_id} and mirrors
// gazu.task.get_task_status. An unknown id matches ErrNotFound.
func (s *TaskService) GetTaskStatus(ctx context.Context, taskStatusID string) (*TaskStatus, error) {
	if err := checkID("task status id", taskStatusID); err != nil {
		return nil, err
	}
	return one[TaskStatus](ctx, (*service)(s), pathOf("data/task-status", taskStatusID), nil)
}

// GetTaskStatusByName returns the task status with the given name ("Work
// In Progress"...; case is ignored), or an error matching ErrNotFound.
//
// It calls GET /data/task-status?name= and mirrors
// gazu.task.get_task_status_by_name. Unlike gazu, which sends the name as
// an ILIKE pattern and takes the first match, it matches the name
// literally, preferring the status named exactly so.
func (s *TaskService) GetTaskStatusByName(ctx context.Context, name string) (*TaskStatus, error) {
	if err := checkName("task status name", name); err != nil {
		return nil, err
	}
	return firstWithName(ctx, (*service)(s), "data/task-status", nil, name,
		func(t *TaskStatus) string { return t.Name }, fmt.Sprintf("no task status named %q", name))
}

// GetTaskStatusByShortName returns the task status with the given short
// name ("todo", "wip", "wfa", "done", "retake"...; case matters), or an
// error matching ErrNotFound.
//
// It calls GET /data/task-status?short_name= and mirrors
// gazu.task.get_task_status_by_short_name.
func (s *TaskService) GetTaskStatusByShortName(ctx context.Context, shortName string) (*TaskStatus, error) {
	if err := checkName("task status short name", shortName); err != nil {
		return nil, err
	}
	return first[TaskStatus](ctx, (*service)(s), "data/task-status", q("short_name", shortName),
		fmt.Sprintf("no task status with short name %q", shortName))
}

// GetDefaultTaskStatus returns the status new tasks start at (Todo in
// Zou's init data), or an error matching ErrNotFound.
//
// It calls GET /data/task-status?is_default=true&for_concept=false and
// mirrors gazu.task.get_default_task_status. Zou has two default
// statuses, one for the tasks of concepts (Neutral) and one for the
// others, and gazu returns whichever comes first; this returns the one
// for the other tasks, as Zou itself does.
func (s *TaskService) GetDefaultTaskStatus(ctx context.Context) (*TaskStatus, error) {
	return s.defaultTaskStatus(ctx, false)
}

func (s *TaskService) defaultTaskStatus(ctx context.Context, forConcept bool) (*TaskStatus, error) {
	concept := "false"
	if forConcept {
		concept = "true"
	}
	return first[TaskStatus](ctx, (*service)(s), "data/task-status", q("is_default", "true", "for_concept", concept),
		"no default task status (for_concept="+concept+") on the server")
}

// GetTaskType returns the task type with the given id.
//
// It calls GET /data/task-types/{task_type_id} and mirrors
// gazu.task.get_task_type. An unknown id matches ErrNotFound.
func (s *TaskService) GetTaskType(ctx context.Context, taskTypeID string) (*TaskType, error) {
	if err := checkID("task type id", taskTypeID); err != nil {
		return nil, err
	}
	return one[TaskType](ctx, (*service)(s), pathOf("data/task-types", taskTypeID), nil)
}

// GetTaskTypeByName returns the task type with the given name (case is
// ignored), limited to a kind of entity or a department by opts, or an
// error matching ErrNotFound.
//
// It calls GET /data/task-types?name=[&for_entity=][&department_id=] and
// mirrors gazu.task.get_task_type_by_name. Unlike gazu, which sends the
// name as an ILIKE pattern and takes the first match, it matches the name
// literally, preferring the task type named exactly so.
func (s *TaskService) GetTaskTypeByName(ctx context.Context, name string, opts *GetTaskTypeByNameOptions) (*TaskType, error) {
	if err := checkName("task type name", name); err != nil {
		return nil, err
	}
	query := url.Values{}
	what := fmt.Sprintf("no task type named %q", name)
	if opts != nil && opts.ForEntity != "" {
		kind, err := taskEntityKind("for entity", opts.ForEntity)
		if err != nil {
			return nil, err
		}
		query.Set("for_entity", kind)
		what += " for " + kind
	}
	if opts != nil && opts.DepartmentID != "" {
		if err := checkID("department id", opts.DepartmentID); err != nil {
			return nil, err
		}
		query.Set("department_id", opts.DepartmentID)
		what += " in department " + opts.DepartmentID
	}
	return firstWithName(ctx, (*service)(s), "data/task-types", query, name,
		func(t *TaskType) string { return t.Name }, what)
}

// GetTaskURL returns the address of the task's page in the Kitsu web
// application: {site}/productions/{project_id}/{section}/tasks/{task_id}/,
// where site is the API host without its /api suffix. Pass the task as
// read from Kitsu: its ID and ProjectID are needed. No request is sent.
//
// It mirrors gazu.task.get_task_url, which always uses the shots section.
// When the task carries its EntityTypeName (as the listings and GetTask
// give it), the section is the one Kitsu shows such tasks in: assets for
// an asset type, sequences, episodes, edits or concepts; shots otherwise.
func (s *TaskService) GetTaskURL(task Task) (string, error) {
	if err := checkID("task.ID", task.ID); err != nil {
		return "", err
	}
	if err := checkID("task.ProjectID", task.ProjectID); err != nil {
		return "", err
	}
	return s.c.webURL("productions", task.ProjectID, taskURLSection(task.EntityTypeName), "tasks", task.ID, ""), nil
}

// taskURLSection is the section of a production the Kitsu web application
// shows the tasks of an entity type in.
func taskURLSection(entityTypeName string) string {
	switch entityTypeName {
	case "", "Shot", "Scene":
		return "shots"
	case "Sequence":
		return "sequences"
	case "Episode":
		return "episodes"
	case "Edit":
		return "edits"
	case "Concept":
		return "concepts"
	default:
		return "assets"
	}
}

// NewTask returns the task of the entity with the given task type and name
// ("main" unless opts.Name says otherwise), creating it when there is none
// (get-or-create, as gazu does: an existing task is returned as it is,
// whatever opts say).
//
// It calls GET /data/tasks?name=&task_type_id=&entity_id= and, only when
// nothing is found, GET /data/entities/{entity_id} (for the project), GET
// /data/task-types/{task_type_id} and GET /data/task-status?is_default=true
// (when no status is given) and POST /data/tasks. It mirrors
// gazu.task.new_task, which takes the entity's dict for its project. Zou
// refuses (ErrParameter) a task type made for another kind of entity. An
// unknown entity or task type matches ErrNotFound.
func (s *TaskService) NewTask(ctx context.Context, entityID, taskTypeID string, opts *NewTaskOptions) (*Task, error) {
	if err := checkIDs("entity id", entityID, "task type id", taskTypeID); err != nil {
		return nil, err
	}
	var o NewTaskOptions
	if opts != nil {
		o = *opts
	}
	if o.Name == "" {
		o.Name = "main"
	}
	if err := checkName("task name", o.Name); err != nil {
		return nil, err
	}
	if o.TaskStatusID != "" {
		if err := checkID("task status id", o.TaskStatusID); err != nil {
			return nil, err
		}
	}
	if o.AssignerID != "" {
		if err := checkID("assigner id", o.AssignerID); err != nil {
			return nil, err
		}
	}
	for _, id := range o.Assignees {
		if err := checkID("assignee id", id); err != nil {
			return nil, err
		}
	}

	existing, err := s.GetTaskByName(ctx, entityID, taskTypeID, &GetTaskByNameOptions{Name: o.Name})
	if err == nil {
		return existing, nil
	}
	if !lookupMissed(err) {
		return nil, err
	}
	entity, err := one[Entity](ctx, (*service)(s), pathOf("data/entities", entityID), nil)
	if err != nil {
		return nil, err
	}
	if o.TaskStatusID == "" {
		taskType, err := s.GetTaskType(ctx, taskTypeID)
		if err != nil {
			return nil, err
		}
		status, err := s.defaultTaskStatus(ctx, taskType.ForEntity == "Concept")
		if err != nil {
			return nil, err
		}
		o.TaskStatusID = status.ID
	}
	body := map[string]any{
		"project_id":     entity.ProjectID,
		"entity_id":      entityID,
		"task_type_id":   taskTypeID,
		"task_status_id": o.TaskStatusID,
		"name":           o.Name,
		"assignees":      idList(o.Assignees),
	}
	if o.AssignerID != "" {
		body["assigner_id"] = o.AssignerID
	}
	var t Task
	if err := (*service)(s).post(ctx, "data/tasks", body, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// NewTaskStatus creates a task status and returns it. It is not a
// get-or-create, as in gazu. Zou stores names of up to 40 characters and
// short names of up to 10, and refuses (ErrParameter) a short name
// another status has.
//
// It calls POST /data/task-status and mirrors gazu.task.new_task_status.
// The color and the lengths are checked before anything is sent.
func (s *TaskService) NewTaskStatus(ctx context.Context, name, shortName, color string) (*TaskStatus, error) {
	if err := checkTaskName("task status name", name, 40); err != nil {
		return nil, err
	}
	if err := checkTaskName("task status short name", shortName, 10); err != nil {
		return nil, err
	}
	if err := checkTaskColor(color); err != nil {
		return nil, err
	}
	var ts TaskStatus
	if err := (*service)(s).post(ctx, "data/task-status", map[string]any{"name": name, "short_name": shortName, "color": color}, &ts); err != nil {
		return nil, err
	}
	return &ts, nil
}

// NewTaskType returns the task type with the given name for the kind of
// entity of opts.ForEntity (Asset by default), creating it when there is
// none (get-or-create, as gazu does: an existing task type is returned as
// it is, whatever its color). Names have at most 40 characters. Zou
// refuses (ErrParameter) a name that
// another task type already has, for another kind of entity, even one
// differing only by case.
//
// It calls GET /data/task-types?name=&for_entity= then, only when nothing
// is found, POST /data/task-types, and mirrors gazu.task.new_task_type.
func (s *TaskService) NewTaskType(ctx context.Context, name string, opts *NewTaskTypeOptions) (*TaskType, error) {
	if err := checkTaskName("task type name", name, 40); err != nil {
		return nil, err
	}
	var o NewTaskTypeOptions
	if opts != nil {
		o = *opts
	}
	if o.Color == "" {
		o.Color = "#000000"
	}
	if err := checkTaskColor(o.Color); err != nil {
		return nil, err
	}
	if o.ForEntity == "" {
		o.ForEntity = "Asset"
	}
	kind, err := taskEntityKind("for entity", o.ForEntity)
	if err != nil {
		return nil, err
	}
	existing, err := s.GetTaskTypeByName(ctx, name, &GetTaskTypeByNameOptions{ForEntity: kind})
	if err == nil {
		return existing, nil
	}
	if !lookupMissed(err) {
		return nil, err
	}
	var tt TaskType
	if err := (*service)(s).post(ctx, "data/task-types", map[string]any{"name": name, "color": o.Color, "for_entity": kind}, &tt); err != nil {
		return nil, err
	}
	return &tt, nil
}

// RemoveTask deletes a task with everything attached to it (comments,
// previews, working files...).
//
// It calls DELETE /data/tasks/{task_id}?force=true and mirrors
// gazu.task.remove_task, which always forces. An unknown id matches
// ErrNotFound.
func (s *TaskService) RemoveTask(ctx context.Context, taskID string) error {
	if err := checkID("task id", taskID); err != nil {
		return err
	}
	return (*service)(s).delete(ctx, pathOf("data/tasks", taskID), q("force", "true"))
}

// RemoveTaskStatus deletes a task status. Zou refuses (ErrParameter) a
// status that projects, tasks or comments still use.
//
// It calls DELETE /data/task-status/{task_status_id} and mirrors
// gazu.task.remove_task_status. Gazu adds force=True, which Zou ignores on
// this route, so it is not sent. An unknown id matches ErrNotFound.
func (s *TaskService) RemoveTaskStatus(ctx context.Context, taskStatusID string) error {
	if err := checkID("task status id", taskStatusID); err != nil {
		return err
	}
	return (*service)(s).delete(ctx, pathOf("data/task-status", taskStatusID), nil)
}

// RemoveTaskType deletes a task type. Zou refuses (ErrParameter) one that
// a project or a schedule uses unless opts.Force is set, and one that
// tasks use in any case.
//
// It calls DELETE /data/task-types/{task_type_id}[?force=true] and mirrors
// gazu.task.remove_task_type. An unknown id matches ErrNotFound.
func (s *TaskService) RemoveTaskType(ctx context.Context, taskTypeID string, opts *RemoveTaskTypeOptions) error {
	if err := checkID("task type id", taskTypeID); err != nil {
		return err
	}
	var query url.Values
	if opts != nil && opts.Force {
		query = q("force", "true")
	}
	return (*service)(s).delete(ctx, pathOf("data/task-types", taskTypeID), query)
}

// AssignTask assigns a task to a person (keeping its other assignees), adds
// the person to the project's team, and returns the task as Zou stored
// it.
//
// It calls PUT /actions/tasks/{task_id}/assign and mirrors
// gazu.task.assign_task. Gazu calls PUT /actions/persons/{person_id}/assign,
// which answers a list and silently skips a task that is unknown or that
// the person may not take (another department's); the single-task route
// used here says why instead: an unknown task matches ErrNotFound, an
// unknown person ErrParameter, a refused assignment ErrNotAllowed.
func (s *TaskService) AssignTask(ctx context.Context, taskID, personID string) (*Task, error) {
	if err := checkIDs("task id", taskID, "person id", personID); err != nil {
		return nil, err
	}
	var t Task
	if err := (*service)(s).put(ctx, pathOf("actions/tasks", taskID, "assign"), map[string]any{"person_id": personID}, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// StartTask puts a task in the "wip" status (or opts.TaskStatusID) by
// posting an empty comment with that status, and returns the comment.
// Zou sets the task's RealStartDate when it first enters a WIP status.
//
// It calls GET /data/task-status?short_name=wip (when no status is given)
// and POST /actions/tasks/{task_id}/comment, and mirrors
// gazu.task.start_task. Finding no "wip" status gives an error matching
// ErrNotFound (gazu's TaskStatusNotFoundException).
func (s *TaskService) StartTask(ctx context.Context, taskID string, opts *StartTaskOptions) (*Comment, error) {
	if err := checkID("task id", taskID); err != nil {
		return nil, err
	}
	var o StartTaskOptions
	if opts != nil {
		o = *opts
	}
	if o.TaskStatusID != "" {
		if err := checkID("task status id", o.TaskStatusID); err != nil {
			return nil, err
		}
	}
	if o.PersonID != "" {
		if err := checkID("person id", o.PersonID); err != nil {
			return nil, err
		}
	}
	if o.TaskStatusID == "" {
		wip, err := s.GetTaskStatusByShortName(ctx, "wip")
		if err != nil {
			return nil, err
		}
		o.TaskStatusID = wip.ID
	}
	body := map[string]any{
		"task_status_id": o.TaskStatusID,
		"comment":        "",
		"checklist":      []any{},
		"links":          []any{},
		"for_client":     false,
	}
	if o.PersonID != "" {
		body["person_id"] = o.PersonID
	}
	var c Comment
	if err := (*service)(s).post(ctx, pathOf("actions/tasks", taskID, "comment"), body, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// UpdateTask changes the fields of a task that changes sets, leaving
// every other field as stored, and returns the task as Zou stored it.
// Empty changes are refused (ErrInvalidArgument) before anything is sent.
// Keys of Changes.Data are merged by Zou into the stored data (added or
// changed, never removed); Changes.Assignees replaces the people
// assigned.
//
// It calls PUT /data/tasks/{task_id} and mirrors gazu.task.update_task.
// Gazu sends the dict it is given; this method sends the fields changes
// sets. An unknown id matches ErrNotFound.
func (s *TaskService) UpdateTask(ctx context.Context, taskID string, changes TaskChanges) (*Task, error) {
	if err := checkID("task id", taskID); err != nil {
		return nil, err
	}
	body, err := changes.body()
	if err != nil {
		return nil, err
	}
	var t Task
	if err := (*service)(s).put(ctx, pathOf("data/tasks", taskID), body, &t); err != nil {
		return nil, err
	}
	return &t, nil
}

// UpdateTaskData sets the given keys of the task's free-form Data, keeping
// the other keys, and returns the updated task.
//
// It calls GET /data/tasks/{task_id} then PUT /data/tasks/{task_id} and
// mirrors gazu.task.update_task_data. Unlike gazu, it reads the plain task
// (not /full) and sends only the merged data, so fields changed meanwhile
// by others are not overwritten. An unknown id matches ErrNotFound.
func (s *TaskService) UpdateTaskData(ctx context.Context, taskID string, data map[string]any) (*Task, error) {
	if err := checkID("task id", taskID); err != nil {
		return nil, err
	}
	current, err := one[Task](ctx, (*service)(s), pathOf("data/tasks", taskID), nil)
	if err != nil {
		return nil, err
	}
	var t Task
	if err := (*service)(s).put(ctx, pathOf("data/tasks", taskID), map[string]any{"data": mergeData(current.Data, data)}, &t); err != nil {
		return nil, err
	}
	return &t, nil
}
