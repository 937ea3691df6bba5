package kitsu_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// taskUnknownID is a well-formed id that no record has.
const taskUnknownID = "00000000-0000-4000-8000-000000000000"

func taskIDs(tasks []kitsu.Task) []string {
	return kitsutest.IDs(tasks, func(t *kitsu.Task) string { return t.ID })
}

func taskTypeIDsOf(types []kitsu.TaskType) []string {
	return kitsutest.IDs(types, func(t *kitsu.TaskType) string { return t.ID })
}

func taskStatusIDsOf(statuses []kitsu.TaskStatus) []string {
	return kitsutest.IDs(statuses, func(t *kitsu.TaskStatus) string { return t.ID })
}

// taskNewTask creates a task through the NewTask under test (a
// get-or-create by name), where kitsutest.NewTask uses the raw route.
func taskNewTask(t *testing.T, c *kitsu.Client, entityID, taskTypeID, name string) *kitsu.Task {
	t.Helper()
	task, err := c.Task.NewTask(kitsutest.Context(t), entityID, taskTypeID, &kitsu.NewTaskOptions{Name: name})
	require.NoError(t, err)
	return task
}

// taskStatusOf reads the status of a task from the server.
func taskStatusOf(t *testing.T, c *kitsu.Client, taskID string) *kitsu.TaskStatus {
	t.Helper()
	full, err := c.Task.GetTask(kitsutest.Context(t), taskID)
	require.NoError(t, err)
	require.NotNil(t, full.TaskStatus)
	return full.TaskStatus
}

func TestTaskNewTaskAndGetTask(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	artist, _ := kitsutest.NewArtist(t, c)
	p := kitsutest.NewProject(t, c, true)
	ep := kitsutest.NewEpisode(t, c, p.ID, "E01")
	seq := kitsutest.NewSequence(t, c, p.ID, ep.ID, "SQ01")
	sh := kitsutest.NewShot(t, c, p.ID, seq.ID, "SH010")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	todo := kitsutest.TaskStatusNamed(t, c, "todo")
	wip := kitsutest.TaskStatusNamed(t, c, "wip")
	me, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)

	// Defaults: "main", the default status, nobody assigned.
	task, err := c.Task.NewTask(ctx, sh.ID, anim.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, "main", task.Name)
	assert.Equal(t, p.ID, task.ProjectID, "the project is read from the entity")
	assert.Equal(t, sh.ID, task.EntityID)
	assert.Equal(t, anim.ID, task.TaskTypeID)
	assert.Equal(t, todo.ID, task.TaskStatusID)
	assert.Empty(t, task.Assignees)

	// Get or create: the same name gives the same task, unchanged.
	again, err := c.Task.NewTask(ctx, sh.ID, anim.ID, &kitsu.NewTaskOptions{TaskStatusID: wip.ID})
	require.NoError(t, err)
	assert.Equal(t, task.ID, again.ID)
	assert.Equal(t, todo.ID, again.TaskStatusID)

	// Every option.
	fx, err := c.Task.NewTask(ctx, sh.ID, anim.ID, &kitsu.NewTaskOptions{
		Name: "Crowd_v2", TaskStatusID: wip.ID, AssignerID: me.ID, Assignees: []string{artist.ID},
	})
	require.NoError(t, err)
	assert.NotEqual(t, task.ID, fx.ID)
	assert.Equal(t, "Crowd_v2", fx.Name)
	assert.Equal(t, wip.ID, fx.TaskStatusID)
	assert.Equal(t, me.ID, fx.AssignerID)
	assert.Equal(t, []string{artist.ID}, fx.Assignees)

	full, err := c.Task.GetTask(ctx, fx.ID)
	require.NoError(t, err)
	assert.Equal(t, fx.ID, full.ID)
	assert.Equal(t, "Crowd_v2", full.Name)
	require.NotNil(t, full.Entity)
	assert.Equal(t, sh.ID, full.Entity.ID)
	assert.Equal(t, "SH010", full.EntityName)
	require.NotNil(t, full.EntityType)
	assert.Equal(t, "Shot", full.EntityType.Name)
	assert.Equal(t, "Shot", full.EntityTypeName)
	require.NotNil(t, full.Project)
	assert.Equal(t, p.ID, full.Project.ID)
	assert.Equal(t, p.Name, full.ProjectName)
	require.NotNil(t, full.TaskType)
	assert.Equal(t, "Animation", full.TaskTypeName)
	require.NotNil(t, full.TaskStatus)
	assert.Equal(t, "wip", full.TaskStatus.ShortName)
	require.NotNil(t, full.Sequence)
	assert.Equal(t, seq.ID, full.Sequence.ID)
	require.NotNil(t, full.Episode)
	assert.Equal(t, ep.ID, full.Episode.ID)
	require.Len(t, full.Persons, 1)
	assert.Equal(t, artist.ID, full.Persons[0].ID)
	require.NotNil(t, full.Assigner)
	assert.Equal(t, me.ID, full.Assigner.ID)

	// A task type made for assets does not fit a shot.
	modeling, err := c.Task.GetTaskTypeByName(ctx, "Modeling", nil)
	require.NoError(t, err)
	_, err = c.Task.NewTask(ctx, sh.ID, modeling.ID, nil)
	require.ErrorIs(t, err, kitsu.ErrParameter)

	_, err = c.Task.NewTask(ctx, taskUnknownID, anim.ID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.NewTask(ctx, sh.ID, taskUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.GetTask(ctx, taskUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Task.GetTask(ctx, "main")
	kitsutest.RequireInvalid(t, err, "task id")
	_, err = c.Task.NewTask(ctx, "SH010", anim.ID, nil)
	kitsutest.RequireInvalid(t, err, "entity id")
	_, err = c.Task.NewTask(ctx, sh.ID, "Animation", nil)
	kitsutest.RequireInvalid(t, err, "task type id")
	_, err = c.Task.NewTask(ctx, sh.ID, anim.ID, &kitsu.NewTaskOptions{Name: "  "})
	kitsutest.RequireInvalid(t, err, "task name")
	_, err = c.Task.NewTask(ctx, sh.ID, anim.ID, &kitsu.NewTaskOptions{TaskStatusID: "wip"})
	kitsutest.RequireInvalid(t, err, "task status id")
	_, err = c.Task.NewTask(ctx, sh.ID, anim.ID, &kitsu.NewTaskOptions{AssignerID: "me"})
	kitsutest.RequireInvalid(t, err, "assigner id")
	_, err = c.Task.NewTask(ctx, sh.ID, anim.ID, &kitsu.NewTaskOptions{Assignees: []string{artist.ID, "bob"}})
	kitsutest.RequireInvalid(t, err, "assignee id")
}

func TestTaskNewTaskForConceptStartsNeutral(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	var concept kitsu.Entity
	require.NoError(t, c.Post(ctx, "data/projects/"+p.ID+"/concepts", map[string]any{"name": "Hero sketch"}, &concept, nil))
	conceptType, err := c.Task.GetTaskTypeByName(ctx, "Concept", &kitsu.GetTaskTypeByNameOptions{ForEntity: "concept"})
	require.NoError(t, err)
	assert.Equal(t, "Concept", conceptType.ForEntity)

	task, err := c.Task.NewTask(ctx, concept.ID, conceptType.ID, &kitsu.NewTaskOptions{Name: "sketch"})
	require.NoError(t, err)
	status, err := c.Task.GetTaskStatus(ctx, task.TaskStatusID)
	require.NoError(t, err)
	assert.True(t, status.IsDefault)
	assert.True(t, status.ForConcept, "the task of a concept starts at the concepts' default status (%s)", status.Name)
}

func TestTaskGetTaskByName(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	seq := kitsutest.NewSequence(t, c, p.ID, "", "SQ01")
	sh := kitsutest.NewShot(t, c, p.ID, seq.ID, "SH010")
	other := kitsutest.NewShot(t, c, p.ID, seq.ID, "SH020")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	layout := kitsutest.TaskTypeNamed(t, c, "Layout")

	// "_" is a wildcard for Zou: fx_1 matches fxX1 too.
	wild := taskNewTask(t, c, sh.ID, anim.ID, "fxX1")
	fx := taskNewTask(t, c, sh.ID, anim.ID, "fx_1")
	main := taskNewTask(t, c, sh.ID, anim.ID, "main")
	layoutMain := taskNewTask(t, c, sh.ID, layout.ID, "main")
	taskNewTask(t, c, other.ID, anim.ID, "main")

	got, err := c.Task.GetTaskByName(ctx, sh.ID, anim.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, main.ID, got.ID, `the default name is "main"`)
	got, err = c.Task.GetTaskByName(ctx, sh.ID, layout.ID, &kitsu.GetTaskByNameOptions{})
	require.NoError(t, err)
	assert.Equal(t, layoutMain.ID, got.ID)
	got, err = c.Task.GetTaskByName(ctx, sh.ID, anim.ID, &kitsu.GetTaskByNameOptions{Name: "fx_1"})
	require.NoError(t, err)
	assert.Equal(t, fx.ID, got.ID)
	got, err = c.Task.GetTaskByName(ctx, sh.ID, anim.ID, &kitsu.GetTaskByNameOptions{Name: "FXX1"})
	require.NoError(t, err)
	assert.Equal(t, wild.ID, got.ID, "names match without regard to case")

	_, err = c.Task.GetTaskByName(ctx, sh.ID, anim.ID, &kitsu.GetTaskByNameOptions{Name: "fx%"})
	require.ErrorIs(t, err, kitsu.ErrNotFound, "a wildcard match is not the task asked for")
	assert.Contains(t, err.Error(), `"fx%"`)
	_, err = c.Task.GetTaskByName(ctx, sh.ID, layout.ID, &kitsu.GetTaskByNameOptions{Name: "fx_1"})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.GetTaskByName(ctx, taskUnknownID, anim.ID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Task.GetTaskByName(ctx, "SH010", anim.ID, nil)
	kitsutest.RequireInvalid(t, err, "entity id")
	_, err = c.Task.GetTaskByName(ctx, sh.ID, "", nil)
	kitsutest.RequireInvalid(t, err, "task type id")
	_, err = c.Task.GetTaskByName(ctx, sh.ID, anim.ID, &kitsu.GetTaskByNameOptions{Name: " "})
	kitsutest.RequireInvalid(t, err, "task name")
}

// taskTree is a TV show with tasks on every kind of entity: two shots of a
// sequence of episode E01, the sequence itself, the episode itself, a
// scene, and an asset whose main episode is E01.
type taskTree struct {
	c                          *kitsu.Client
	ctx                        context.Context
	project                    *kitsu.Project
	episode                    *kitsu.Episode
	sequence                   *kitsu.Sequence
	sh10, sh20                 *kitsu.Shot
	scene                      *kitsu.Scene
	asset                      *kitsu.Asset
	anim, layout, modeling     *kitsu.TaskType
	seqType, epType, sceneType *kitsu.TaskType
	// Tasks: the shots' Animation ("main") and Layout ("Alt") tasks, the
	// sequence's, the episode's, the scene's and the asset's.
	sh10Anim, sh10Layout, sh20Anim *kitsu.Task
	seqTask, epTask, sceneTask     *kitsu.Task
	assetTask                      *kitsu.Task
	artist                         *kitsu.Person
}

func newTaskTree(t *testing.T) *taskTree {
	t.Helper()
	c := kitsutest.Client(t)
	tr := &taskTree{c: c, ctx: kitsutest.Context(t)}
	tr.artist, _ = kitsutest.NewArtist(t, c)
	at := kitsutest.NewAssetType(t, c)
	tr.seqType = kitsutest.NewTaskType(t, c, "Sequence")
	tr.epType = kitsutest.NewTaskType(t, c, "Episode")
	tr.sceneType = kitsutest.NewTaskType(t, c, "Scene")
	tr.project = kitsutest.NewProject(t, c, true)
	tr.episode = kitsutest.NewEpisode(t, c, tr.project.ID, "E01")
	tr.sequence = kitsutest.NewSequence(t, c, tr.project.ID, tr.episode.ID, "SQ01")
	tr.sh10 = kitsutest.NewShot(t, c, tr.project.ID, tr.sequence.ID, "SH010")
	tr.sh20 = kitsutest.NewShot(t, c, tr.project.ID, tr.sequence.ID, "SH020")
	tr.scene = kitsutest.NewScene(t, c, tr.project.ID, tr.sequence.ID, "SC01")
	tr.asset = kitsutest.NewAsset(t, c, tr.project.ID, at.ID, tr.episode.ID, "Tree")
	tr.anim = kitsutest.TaskTypeNamed(t, c, "Animation")
	tr.layout = kitsutest.TaskTypeNamed(t, c, "Layout")
	tr.modeling = kitsutest.TaskTypeNamed(t, c, "Modeling")

	tr.sh10Anim = taskNewTask(t, c, tr.sh10.ID, tr.anim.ID, "main")
	tr.sh10Layout = taskNewTask(t, c, tr.sh10.ID, tr.layout.ID, "Alt")
	tr.sh20Anim = taskNewTask(t, c, tr.sh20.ID, tr.anim.ID, "main")
	tr.seqTask = taskNewTask(t, c, tr.sequence.ID, tr.seqType.ID, "main")
	tr.epTask = taskNewTask(t, c, tr.episode.ID, tr.epType.ID, "main")
	tr.sceneTask = taskNewTask(t, c, tr.scene.ID, tr.sceneType.ID, "main")
	tr.assetTask = taskNewTask(t, c, tr.asset.ID, tr.modeling.ID, "main")
	for _, task := range []*kitsu.Task{tr.sh10Anim, tr.epTask, tr.sceneTask} {
		_, err := c.Task.AssignTask(tr.ctx, task.ID, tr.artist.ID)
		require.NoError(t, err)
	}
	return tr
}

func TestTaskAllTasksForEntities(t *testing.T) {
	t.Parallel()
	tr := newTaskTree(t)
	c, ctx := tr.c, tr.ctx

	shotTasks, err := c.Task.AllTasksForShot(ctx, tr.sh10.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.sh10Layout.ID, tr.sh10Anim.ID}, taskIDs(shotTasks), "sorted by name: Alt, main")
	assert.Equal(t, "SH010", shotTasks[0].EntityName)
	assert.Equal(t, "Layout", shotTasks[0].TaskTypeName)
	assert.Equal(t, "Todo", shotTasks[0].TaskStatusName)
	assert.Equal(t, tr.project.Name, shotTasks[0].ProjectName)
	assert.Nil(t, shotTasks[1].Assignees, "no relations, no assignees")
	shotTasks, err = c.Task.AllTasksForShot(ctx, tr.sh10.ID, &kitsu.TaskListOptions{Relations: true})
	require.NoError(t, err)
	assert.Equal(t, []string{tr.artist.ID}, shotTasks[1].Assignees)
	assert.Empty(t, shotTasks[0].Assignees)

	assetTasks, err := c.Task.AllTasksForAsset(ctx, tr.asset.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.assetTask.ID}, taskIDs(assetTasks))

	seqTasks, err := c.Task.AllTasksForSequence(ctx, tr.sequence.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.seqTask.ID}, taskIDs(seqTasks), "only the sequence's own tasks")

	epTasks, err := c.Task.AllTasksForEpisode(ctx, tr.episode.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.epTask.ID}, taskIDs(epTasks), "only the episode's own tasks")
	epTasks, err = c.Task.AllTasksForEpisode(ctx, tr.episode.ID, &kitsu.TaskListOptions{Relations: true})
	require.NoError(t, err)
	require.Len(t, epTasks, 1)
	assert.Equal(t, []string{tr.artist.ID}, epTasks[0].Assignees, "Zou ignores relations here; the option still works")

	sceneTasks, err := c.Task.AllTasksForScene(ctx, tr.scene.ID, &kitsu.TaskListOptions{Relations: true})
	require.NoError(t, err)
	require.Equal(t, []string{tr.sceneTask.ID}, taskIDs(sceneTasks))
	assert.Equal(t, []string{tr.artist.ID}, sceneTasks[0].Assignees)
	sceneTasks, err = c.Task.AllTasksForScene(ctx, tr.scene.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.sceneTask.ID}, taskIDs(sceneTasks))

	shotTasks, err = c.Task.AllShotTasksForSequence(ctx, tr.sequence.ID, &kitsu.TaskListOptions{Relations: true})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{tr.sh10Anim.ID, tr.sh10Layout.ID, tr.sh20Anim.ID}, taskIDs(shotTasks))
	assert.Equal(t, "Alt", shotTasks[0].Name, "sorted by name")
	shotTasks, err = c.Task.AllShotTasksForEpisode(ctx, tr.episode.ID, nil)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{tr.sh10Anim.ID, tr.sh10Layout.ID, tr.sh20Anim.ID}, taskIDs(shotTasks))

	assetTasks, err = c.Task.AllAssetsTasksForEpisode(ctx, tr.episode.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.assetTask.ID}, taskIDs(assetTasks))

	byType, err := c.Task.AllTasksForEntityAndTaskType(ctx, tr.sh10.ID, tr.anim.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.sh10Anim.ID}, taskIDs(byType))
	byType, err = c.Task.AllTasksForEntityAndTaskType(ctx, tr.sh10.ID, taskUnknownID)
	require.NoError(t, err)
	assert.NotNil(t, byType)
	assert.Empty(t, byType)

	// Unknown ids, and ids of another kind of entity, are not found.
	_, err = c.Task.AllTasksForShot(ctx, tr.sequence.ID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllTasksForSequence(ctx, tr.sh10.ID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllTasksForAsset(ctx, taskUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllTasksForEpisode(ctx, taskUnknownID, &kitsu.TaskListOptions{Relations: true})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllTasksForScene(ctx, tr.sh10.ID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllShotTasksForSequence(ctx, taskUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllShotTasksForEpisode(ctx, taskUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllAssetsTasksForEpisode(ctx, taskUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllTasksForEntityAndTaskType(ctx, taskUnknownID, tr.anim.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Task.AllTasksForShot(ctx, "SH010", nil)
	kitsutest.RequireInvalid(t, err, "shot id")
	_, err = c.Task.AllTasksForAsset(ctx, "", nil)
	kitsutest.RequireInvalid(t, err, "asset id")
	_, err = c.Task.AllTasksForSequence(ctx, "SQ01", nil)
	kitsutest.RequireInvalid(t, err, "sequence id")
	_, err = c.Task.AllTasksForEpisode(ctx, "E01", nil)
	kitsutest.RequireInvalid(t, err, "episode id")
	_, err = c.Task.AllTasksForScene(ctx, "SC01", nil)
	kitsutest.RequireInvalid(t, err, "scene id")
	_, err = c.Task.AllShotTasksForSequence(ctx, "SQ01", nil)
	kitsutest.RequireInvalid(t, err, "sequence id")
	_, err = c.Task.AllShotTasksForEpisode(ctx, "E01", nil)
	kitsutest.RequireInvalid(t, err, "episode id")
	_, err = c.Task.AllAssetsTasksForEpisode(ctx, "E01", nil)
	kitsutest.RequireInvalid(t, err, "episode id")
	_, err = c.Task.AllTasksForEntityAndTaskType(ctx, tr.sh10.ID, "Animation")
	kitsutest.RequireInvalid(t, err, "task type id")
}

func TestTaskAllTaskTypesForEntities(t *testing.T) {
	t.Parallel()
	tr := newTaskTree(t)
	c, ctx := tr.c, tr.ctx

	types, err := c.Task.AllTaskTypesForShot(ctx, tr.sh10.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.anim.ID, tr.layout.ID}, taskTypeIDsOf(types), "sorted by name")
	types, err = c.Task.AllTaskTypesForAsset(ctx, tr.asset.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.modeling.ID}, taskTypeIDsOf(types))
	types, err = c.Task.AllTaskTypesForScene(ctx, tr.scene.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.sceneType.ID}, taskTypeIDsOf(types))

	// A sequence's and an episode's own task types, as gazu documents...
	types, err = c.Task.AllTaskTypesForSequence(ctx, tr.sequence.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.seqType.ID}, taskTypeIDsOf(types))
	types, err = c.Task.AllTaskTypesForEpisode(ctx, tr.episode.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{tr.epType.ID}, taskTypeIDsOf(types))
	// ...or their shots', as Zou's route answers.
	types, err = c.Task.AllTaskTypesForSequence(ctx, tr.sequence.ID, &kitsu.AllTaskTypesForSequenceOptions{OfShots: true})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{tr.anim.ID, tr.layout.ID}, taskTypeIDsOf(types))
	types, err = c.Task.AllTaskTypesForEpisode(ctx, tr.episode.ID, &kitsu.AllTaskTypesForSequenceOptions{OfShots: true})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{tr.anim.ID, tr.layout.ID}, taskTypeIDsOf(types))

	// An entity without tasks has no task types.
	empty := kitsutest.NewSequence(t, c, tr.project.ID, tr.episode.ID, "SQ02")
	types, err = c.Task.AllTaskTypesForSequence(ctx, empty.ID, nil)
	require.NoError(t, err)
	assert.NotNil(t, types)
	assert.Empty(t, types)

	_, err = c.Task.AllTaskTypesForShot(ctx, taskUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllTaskTypesForScene(ctx, taskUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllTaskTypesForSequence(ctx, taskUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllTaskTypesForEpisode(ctx, taskUnknownID, &kitsu.AllTaskTypesForSequenceOptions{OfShots: true})
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Task.AllTaskTypesForShot(ctx, "SH010")
	kitsutest.RequireInvalid(t, err, "shot id")
	_, err = c.Task.AllTaskTypesForAsset(ctx, "Tree")
	kitsutest.RequireInvalid(t, err, "asset id")
	_, err = c.Task.AllTaskTypesForScene(ctx, "")
	kitsutest.RequireInvalid(t, err, "scene id")
	_, err = c.Task.AllTaskTypesForSequence(ctx, "SQ01", nil)
	kitsutest.RequireInvalid(t, err, "sequence id")
	_, err = c.Task.AllTaskTypesForEpisode(ctx, "E01", nil)
	kitsutest.RequireInvalid(t, err, "episode id")
}

func TestTaskAllTasksForProjectAndEachTaskForProject(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, true)
	e1 := kitsutest.NewEpisode(t, c, p.ID, "E01")
	e2 := kitsutest.NewEpisode(t, c, p.ID, "E02")
	sq1 := kitsutest.NewSequence(t, c, p.ID, e1.ID, "SQ01")
	sq2 := kitsutest.NewSequence(t, c, p.ID, e2.ID, "SQ02")
	// 15 shots (10 in E01, 5 in E02) with a task of each of the 7 shot
	// task types of Zou's init data: 105 tasks, more than Zou's page of 100.
	var shotIDs []string
	for i := range 15 {
		seq := sq1
		if i >= 10 {
			seq = sq2
		}
		shotIDs = append(shotIDs, kitsutest.NewShot(t, c, p.ID, seq.ID, "SH"+string(rune('A'+i))).ID)
	}
	shotTypes := []string{"Storyboard", "Layout", "Animation", "Lighting", "FX", "Rendering", "Compositing"}
	var anim *kitsu.TaskType
	for _, name := range shotTypes {
		tt, err := c.Task.GetTaskTypeByName(ctx, name, &kitsu.GetTaskTypeByNameOptions{ForEntity: "Shot"})
		require.NoError(t, err)
		if name == "Animation" {
			anim = tt
		}
		var created []kitsu.Task
		require.NoError(t, c.Post(ctx, "actions/projects/"+p.ID+"/task-types/"+tt.ID+"/shots/create-tasks", shotIDs, &created, nil))
		require.Len(t, created, 15)
	}

	all, err := c.Task.AllTasksForProject(ctx, p.ID, nil)
	require.NoError(t, err)
	require.Len(t, all, 105)
	ids := taskIDs(all)
	assert.Len(t, slices.Compact(slices.Sorted(slices.Values(ids))), 105, "each task once")

	animTasks, err := c.Task.AllTasksForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{TaskTypeID: anim.ID})
	require.NoError(t, err)
	assert.Len(t, animTasks, 15)
	for _, task := range animTasks {
		assert.Equal(t, anim.ID, task.TaskTypeID)
	}
	e2Tasks, err := c.Task.AllTasksForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{EpisodeID: e2.ID})
	require.NoError(t, err)
	assert.Len(t, e2Tasks, 35)
	e2Anim, err := c.Task.AllTasksForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{EpisodeID: e2.ID, TaskTypeID: anim.ID})
	require.NoError(t, err)
	assert.Len(t, e2Anim, 5)

	// The iterator walks both pages and yields every task once.
	var walked []string
	for task, err := range c.Task.EachTaskForProject(ctx, p.ID, nil) {
		require.NoError(t, err)
		walked = append(walked, task.ID)
	}
	assert.ElementsMatch(t, ids, walked)
	walked = walked[:0]
	for task, err := range c.Task.EachTaskForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{EpisodeID: e1.ID, TaskTypeID: anim.ID}) {
		require.NoError(t, err)
		walked = append(walked, task.ID)
	}
	assert.Len(t, walked, 10)
	// Stopping early is fine.
	n := 0
	for _, err := range c.Task.EachTaskForProject(ctx, p.ID, nil) {
		require.NoError(t, err)
		if n++; n == 3 {
			break
		}
	}
	assert.Equal(t, 3, n)

	// An empty project has no task.
	emptyProject := kitsutest.NewProject(t, c, false)
	none, err := c.Task.AllTasksForProject(ctx, emptyProject.ID, nil)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)
	for range c.Task.EachTaskForProject(ctx, emptyProject.ID, nil) {
		t.Fatal("an empty project yields nothing")
	}

	_, err = c.Task.AllTasksForProject(ctx, taskUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	for _, err := range c.Task.EachTaskForProject(ctx, taskUnknownID, nil) {
		require.ErrorIs(t, err, kitsu.ErrNotFound)
	}
	_, err = c.Task.AllTasksForProject(ctx, "my project", nil)
	kitsutest.RequireInvalid(t, err, "project id")
	_, err = c.Task.AllTasksForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{TaskTypeID: "Animation"})
	kitsutest.RequireInvalid(t, err, "task type id")
	_, err = c.Task.AllTasksForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{EpisodeID: "E02"})
	kitsutest.RequireInvalid(t, err, "episode id")
	errs := 0
	for _, err := range c.Task.EachTaskForProject(ctx, p.ID, &kitsu.AllTasksForProjectOptions{EpisodeID: "E02"}) {
		kitsutest.RequireInvalid(t, err, "episode id")
		errs++
	}
	assert.Equal(t, 1, errs)
}

func TestTaskAllTasksForTaskTypeAndStatus(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, true)
	e1 := kitsutest.NewEpisode(t, c, p.ID, "E01")
	e2 := kitsutest.NewEpisode(t, c, p.ID, "E02")
	sh1 := kitsutest.NewShot(t, c, p.ID, kitsutest.NewSequence(t, c, p.ID, e1.ID, "SQ01").ID, "SH010")
	sh2 := kitsutest.NewShot(t, c, p.ID, kitsutest.NewSequence(t, c, p.ID, e2.ID, "SQ02").ID, "SH020")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	layout := kitsutest.TaskTypeNamed(t, c, "Layout")
	todo := kitsutest.TaskStatusNamed(t, c, "todo")
	wip := kitsutest.TaskStatusNamed(t, c, "wip")
	a1 := taskNewTask(t, c, sh1.ID, anim.ID, "main")
	a2 := taskNewTask(t, c, sh2.ID, anim.ID, "main")
	l1 := taskNewTask(t, c, sh1.ID, layout.ID, "main")
	_, err := c.Task.StartTask(ctx, a2.ID, nil)
	require.NoError(t, err)

	got, err := c.Task.AllTasksForTaskType(ctx, p.ID, anim.ID, nil)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{a1.ID, a2.ID}, taskIDs(got))
	got, err = c.Task.AllTasksForTaskType(ctx, p.ID, layout.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{l1.ID}, taskIDs(got))
	got, err = c.Task.AllTasksForTaskType(ctx, p.ID, anim.ID, &kitsu.AllTasksForTaskTypeOptions{EpisodeID: e2.ID})
	require.NoError(t, err)
	assert.Equal(t, []string{a2.ID}, taskIDs(got))

	got, err = c.Task.AllTasksForTaskStatus(ctx, p.ID, anim.ID, wip.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{a2.ID}, taskIDs(got))
	got, err = c.Task.AllTasksForTaskStatus(ctx, p.ID, anim.ID, todo.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{a1.ID}, taskIDs(got))
	got, err = c.Task.AllTasksForTaskStatus(ctx, p.ID, layout.ID, wip.ID)
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
	got, err = c.Task.AllTasksForTaskType(ctx, taskUnknownID, anim.ID, nil)
	require.NoError(t, err)
	assert.Empty(t, got)

	_, err = c.Task.AllTasksForTaskType(ctx, "p", anim.ID, nil)
	kitsutest.RequireInvalid(t, err, "project id")
	_, err = c.Task.AllTasksForTaskType(ctx, p.ID, "anim", nil)
	kitsutest.RequireInvalid(t, err, "task type id")
	_, err = c.Task.AllTasksForTaskType(ctx, p.ID, anim.ID, &kitsu.AllTasksForTaskTypeOptions{EpisodeID: "E02"})
	kitsutest.RequireInvalid(t, err, "episode id")
	_, err = c.Task.AllTasksForTaskStatus(ctx, p.ID, anim.ID, "wip")
	kitsutest.RequireInvalid(t, err, "task status id")
}

func TestTaskAssignTaskAndPersonTasks(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	artist, artistClient := kitsutest.NewArtist(t, c)
	p := kitsutest.NewProject(t, c, false)
	sh := kitsutest.NewShot(t, c, p.ID, kitsutest.NewSequence(t, c, p.ID, "", "SQ01").ID, "SH010")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	layout := kitsutest.TaskTypeNamed(t, c, "Layout")
	done := kitsutest.TaskStatusNamed(t, c, "done")
	a := taskNewTask(t, c, sh.ID, anim.ID, "main")
	l := taskNewTask(t, c, sh.ID, layout.ID, "main")

	none, err := c.Task.AllTasksForPerson(ctx, artist.ID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	assigned, err := c.Task.AssignTask(ctx, a.ID, artist.ID)
	require.NoError(t, err)
	assert.Equal(t, a.ID, assigned.ID)
	assert.Equal(t, []string{artist.ID}, assigned.Assignees)
	_, err = c.Task.AssignTask(ctx, l.ID, artist.ID)
	require.NoError(t, err)
	again, err := c.Task.AssignTask(ctx, a.ID, artist.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{artist.ID}, again.Assignees, "assigning twice changes nothing")
	team, err := c.Project.GetProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Contains(t, team.Team, artist.ID, "the assignee joins the project's team")

	todo, err := c.Task.AllTasksForPerson(ctx, artist.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{a.ID, l.ID}, taskIDs(todo))
	// The artist sees the same list.
	own, err := artistClient.Task.AllTasksForPerson(ctx, artist.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{a.ID, l.ID}, taskIDs(own))

	_, err = c.Task.StartTask(ctx, l.ID, &kitsu.StartTaskOptions{TaskStatusID: done.ID})
	require.NoError(t, err)
	todo, err = c.Task.AllTasksForPerson(ctx, artist.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{a.ID}, taskIDs(todo))
	finished, err := c.Task.AllDoneTasksForPerson(ctx, artist.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{l.ID}, taskIDs(finished))
	assert.Equal(t, "Done", finished[0].TaskStatusName)

	_, err = c.Task.AssignTask(ctx, taskUnknownID, artist.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AssignTask(ctx, a.ID, taskUnknownID)
	require.ErrorIs(t, err, kitsu.ErrParameter, "Zou answers 400 for an unknown assignee")
	_, err = c.Task.AllTasksForPerson(ctx, taskUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllDoneTasksForPerson(ctx, taskUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Task.AssignTask(ctx, "main", artist.ID)
	kitsutest.RequireInvalid(t, err, "task id")
	_, err = c.Task.AssignTask(ctx, a.ID, artist.Email)
	kitsutest.RequireInvalid(t, err, "person id")
	_, err = c.Task.AllTasksForPerson(ctx, artist.Email)
	kitsutest.RequireInvalid(t, err, "person id")
	_, err = c.Task.AllDoneTasksForPerson(ctx, "")
	kitsutest.RequireInvalid(t, err, "person id")
}

func TestTaskStartTask(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	artist, _ := kitsutest.NewArtist(t, c)
	p := kitsutest.NewProject(t, c, false)
	sh := kitsutest.NewShot(t, c, p.ID, kitsutest.NewSequence(t, c, p.ID, "", "SQ01").ID, "SH010")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	wip := kitsutest.TaskStatusNamed(t, c, "wip")
	retake := kitsutest.TaskStatusNamed(t, c, "retake")
	task := taskNewTask(t, c, sh.ID, anim.ID, "main")
	assert.Equal(t, "todo", taskStatusOf(t, c, task.ID).ShortName)
	assert.Empty(t, task.RealStartDate)

	comment, err := c.Task.StartTask(ctx, task.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, wip.ID, comment.TaskStatusID)
	assert.Equal(t, task.ID, comment.ObjectID)
	assert.Empty(t, comment.Text)
	full, err := c.Task.GetTask(ctx, task.ID)
	require.NoError(t, err)
	assert.Equal(t, "wip", full.TaskStatus.ShortName, "the status changed on the server")
	assert.NotEmpty(t, full.RealStartDate, "Zou dates the real start")

	// Another status, written as by another person (the admin may).
	comment, err = c.Task.StartTask(ctx, task.ID, &kitsu.StartTaskOptions{TaskStatusID: retake.ID, PersonID: artist.ID})
	require.NoError(t, err)
	assert.Equal(t, retake.ID, comment.TaskStatusID)
	assert.Equal(t, artist.ID, comment.PersonID)
	assert.Equal(t, "retake", taskStatusOf(t, c, task.ID).ShortName)

	_, err = c.Task.StartTask(ctx, taskUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.StartTask(ctx, task.ID, &kitsu.StartTaskOptions{TaskStatusID: taskUnknownID})
	require.Error(t, err)
	assert.Equal(t, "retake", taskStatusOf(t, c, task.ID).ShortName, "an unknown status changes nothing")

	_, err = c.Task.StartTask(ctx, "main", nil)
	kitsutest.RequireInvalid(t, err, "task id")
	_, err = c.Task.StartTask(ctx, task.ID, &kitsu.StartTaskOptions{TaskStatusID: "wip"})
	kitsutest.RequireInvalid(t, err, "task status id")
	_, err = c.Task.StartTask(ctx, task.ID, &kitsu.StartTaskOptions{PersonID: "me"})
	kitsutest.RequireInvalid(t, err, "person id")
}

func TestTaskUpdateTaskAndUpdateTaskData(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	artist, _ := kitsutest.NewArtist(t, c)
	p := kitsutest.NewProject(t, c, false)
	sh := kitsutest.NewShot(t, c, p.ID, kitsutest.NewSequence(t, c, p.ID, "", "SQ01").ID, "SH010")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	task := taskNewTask(t, c, sh.ID, anim.ID, "main")

	updated, err := c.Task.UpdateTask(ctx, task.ID, kitsu.TaskChanges{
		Description: kitsu.Ptr("walk cycle"),
		Priority:    kitsu.Ptr(3),
		Estimation:  kitsu.Ptr(480.0),
		DueDate:     kitsu.Ptr("2031-05-04T00:00:00"),
		Assignees:   []string{artist.ID},
		Data:        map[string]any{"camera": "cam_A"},
	})
	require.NoError(t, err)
	assert.Equal(t, task.ID, updated.ID)
	assert.Equal(t, "walk cycle", updated.Description)
	assert.Equal(t, 3, updated.Priority)
	assert.InDelta(t, 480.0, updated.Estimation, 0.001)

	full, err := c.Task.GetTask(ctx, task.ID)
	require.NoError(t, err)
	assert.Equal(t, "walk cycle", full.Description)
	assert.Equal(t, "2031-05-04T00:00:00", full.DueDate)
	assert.Equal(t, []string{artist.ID}, full.Assignees)
	assert.Equal(t, map[string]any{"camera": "cam_A"}, full.Data)

	// Zou merges data; UpdateTaskData keeps the other keys.
	got, err := c.Task.UpdateTaskData(ctx, task.ID, map[string]any{"frames": float64(48)})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"camera": "cam_A", "frames": float64(48)}, got.Data)
	got, err = c.Task.UpdateTaskData(ctx, task.ID, map[string]any{"camera": "cam_B"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"camera": "cam_B", "frames": float64(48)}, got.Data)
	full, err = c.Task.GetTask(ctx, task.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"camera": "cam_B", "frames": float64(48)}, full.Data)
	assert.Equal(t, "walk cycle", full.Description, "other fields are untouched")

	// An empty, non-nil Assignees unassigns everyone.
	again, err := c.Task.UpdateTask(ctx, task.ID, kitsu.TaskChanges{Assignees: []string{}})
	require.NoError(t, err)
	assert.Empty(t, again.Assignees)
	full, err = c.Task.GetTask(ctx, task.ID)
	require.NoError(t, err)
	assert.Empty(t, full.Assignees)

	_, err = c.Task.UpdateTask(ctx, taskUnknownID, kitsu.TaskChanges{Name: kitsu.Ptr("x")})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.UpdateTaskData(ctx, taskUnknownID, map[string]any{"a": 1})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.UpdateTask(ctx, "", kitsu.TaskChanges{Name: kitsu.Ptr("no id")})
	kitsutest.RequireInvalid(t, err, "task id")
	_, err = c.Task.UpdateTask(ctx, task.ID, kitsu.TaskChanges{Assignees: []string{"bob"}})
	kitsutest.RequireInvalid(t, err, "task changes Assignees")
	_, err = c.Task.UpdateTask(ctx, task.ID, kitsu.TaskChanges{TaskStatusID: kitsu.Ptr("")})
	kitsutest.RequireInvalid(t, err, "task changes TaskStatusID")
	_, err = c.Task.UpdateTask(ctx, task.ID, kitsu.TaskChanges{Data: map[string]any{}})
	kitsutest.RequireInvalid(t, err, "task changes Data")
	_, err = c.Task.UpdateTask(ctx, task.ID, kitsu.TaskChanges{})
	kitsutest.RequireInvalid(t, err, "task changes")
	_, err = c.Task.UpdateTaskData(ctx, "main", nil)
	kitsutest.RequireInvalid(t, err, "task id")
}

// TestTaskUpdateTaskChangesOnlyWhatIsSet: a task with every field set
// (estimation, duration, priority, difficulty, dates, status, assignees,
// data...) keeps them all when one field changes.
func TestTaskUpdateTaskChangesOnlyWhatIsSet(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	artist, _ := kitsutest.NewArtist(t, c)
	p := kitsutest.NewProject(t, c, false)
	sh := kitsutest.NewShot(t, c, p.ID, kitsutest.NewSequence(t, c, p.ID, "", "SQ01").ID, "SH010")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	wip := kitsutest.TaskStatusNamed(t, c, "wip")
	me, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)
	task := taskNewTask(t, c, sh.ID, anim.ID, "main")

	_, err = c.Task.UpdateTask(ctx, task.ID, kitsu.TaskChanges{
		Name:          kitsu.Ptr("main v2"),
		Description:   kitsu.Ptr("every field set"),
		Priority:      kitsu.Ptr(3),
		Difficulty:    kitsu.Ptr(4),
		Duration:      kitsu.Ptr(120.0),
		Estimation:    kitsu.Ptr(480.0),
		SortOrder:     kitsu.Ptr(2),
		StartDate:     kitsu.Ptr("2031-05-01T00:00:00"),
		DueDate:       kitsu.Ptr("2031-05-04T00:00:00"),
		RealStartDate: kitsu.Ptr("2031-05-02T09:30:00"),
		EndDate:       kitsu.Ptr("2031-05-10T00:00:00"),
		TaskStatusID:  kitsu.Ptr(wip.ID),
		AssignerID:    kitsu.Ptr(me.ID),
		Assignees:     []string{artist.ID},
		Data:          map[string]any{"camera": "cam_A"},
	})
	require.NoError(t, err)
	var before kitsu.Task
	require.NoError(t, c.FetchOne(ctx, "tasks", task.ID, &before, nil))
	require.Equal(t, "main v2", before.Name)
	require.Equal(t, "every field set", before.Description)
	require.Equal(t, 3, before.Priority)
	require.Equal(t, 4, before.Difficulty)
	require.InDelta(t, 120.0, before.Duration, 0.001)
	require.InDelta(t, 480.0, before.Estimation, 0.001)
	require.Equal(t, 2, before.SortOrder)
	require.Equal(t, "2031-05-01T00:00:00", before.StartDate)
	require.Equal(t, "2031-05-04T00:00:00", before.DueDate)
	require.Equal(t, "2031-05-02T09:30:00", before.RealStartDate)
	require.Equal(t, "2031-05-10T00:00:00", before.EndDate)
	require.Equal(t, wip.ID, before.TaskStatusID)
	require.Equal(t, me.ID, before.AssignerID)
	require.Equal(t, []string{artist.ID}, before.Assignees)
	require.Equal(t, map[string]any{"camera": "cam_A"}, before.Data)

	_, err = c.Task.UpdateTask(ctx, task.ID, kitsu.TaskChanges{Description: kitsu.Ptr("only this")})
	require.NoError(t, err)
	var after kitsu.Task
	require.NoError(t, c.FetchOne(ctx, "tasks", task.ID, &after, nil))
	requireOnlyChanged(t, &before, &after, taskBase, func(t *kitsu.Task) { t.Description = "only this" })

	// Zero values that are set are sent; an empty date clears it.
	_, err = c.Task.UpdateTask(ctx, task.ID, kitsu.TaskChanges{Priority: kitsu.Ptr(0), DueDate: kitsu.Ptr("")})
	require.NoError(t, err)
	var again kitsu.Task
	require.NoError(t, c.FetchOne(ctx, "tasks", task.ID, &again, nil))
	requireOnlyChanged(t, &after, &again, taskBase, func(t *kitsu.Task) { t.Priority, t.DueDate = 0, "" })
}

func taskBase(t *kitsu.Task) *kitsu.Base { return &t.Base }

func TestTaskRemoveTask(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	sh := kitsutest.NewShot(t, c, p.ID, kitsutest.NewSequence(t, c, p.ID, "", "SQ01").ID, "SH010")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	task := taskNewTask(t, c, sh.ID, anim.ID, "main")
	kept := taskNewTask(t, c, sh.ID, anim.ID, "kept")
	// A started task has a comment: it goes too.
	_, err := c.Task.StartTask(ctx, task.ID, nil)
	require.NoError(t, err)

	require.NoError(t, c.Task.RemoveTask(ctx, task.ID))
	_, err = c.Task.GetTask(ctx, task.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	left, err := c.Task.AllTasksForShot(ctx, sh.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{kept.ID}, taskIDs(left))

	require.ErrorIs(t, c.Task.RemoveTask(ctx, task.ID), kitsu.ErrNotFound)
	kitsutest.RequireInvalid(t, c.Task.RemoveTask(ctx, "main"), "task id")
}

func TestTaskTaskTypes(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)

	all, err := c.Task.AllTaskTypes(ctx)
	require.NoError(t, err)
	names := kitsutest.IDs(all, func(t *kitsu.TaskType) string { return strings.ToLower(t.Name) })
	assert.True(t, slices.IsSorted(names), "sorted by name, case ignored")
	assert.Contains(t, names, "animation")
	assert.Contains(t, names, "modeling")

	anim, err := c.Task.GetTaskTypeByName(ctx, "animation", nil)
	require.NoError(t, err)
	assert.Equal(t, "Animation", anim.Name, "case is ignored")
	assert.Equal(t, "Shot", anim.ForEntity)
	got, err := c.Task.GetTaskType(ctx, anim.ID)
	require.NoError(t, err)
	assert.Equal(t, anim.ID, got.ID)
	assert.Equal(t, "Animation", got.Name)

	// Two task types are named Concept; ForEntity tells them apart.
	assetConcept, err := c.Task.GetTaskTypeByName(ctx, "Concept", &kitsu.GetTaskTypeByNameOptions{ForEntity: "asset"})
	require.NoError(t, err)
	assert.Equal(t, "Asset", assetConcept.ForEntity)
	conceptConcept, err := c.Task.GetTaskTypeByName(ctx, "Concept", &kitsu.GetTaskTypeByNameOptions{ForEntity: "Concept"})
	require.NoError(t, err)
	assert.Equal(t, "Concept", conceptConcept.ForEntity)
	assert.NotEqual(t, assetConcept.ID, conceptConcept.ID)
	if assetConcept.DepartmentID != "" {
		byDept, err := c.Task.GetTaskTypeByName(ctx, "Concept", &kitsu.GetTaskTypeByNameOptions{DepartmentID: assetConcept.DepartmentID})
		require.NoError(t, err)
		assert.Equal(t, assetConcept.ID, byDept.ID)
	}
	_, err = c.Task.GetTaskTypeByName(ctx, "Anim%", nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound, "a wildcard match is not the task type asked for")
	_, err = c.Task.GetTaskTypeByName(ctx, "Animation", &kitsu.GetTaskTypeByNameOptions{ForEntity: "Asset"})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), `"Animation"`)
	_, err = c.Task.GetTaskType(ctx, taskUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	// NewTaskType is a get-or-create; "_" in the name is no wildcard.
	name := strings.ReplaceAll(kitsutest.Unique("Grooming"), " ", "_")
	tt, err := c.Task.NewTaskType(ctx, name, nil)
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = c.Task.RemoveTaskType(context.Background(), tt.ID, &kitsu.RemoveTaskTypeOptions{Force: true})
	})
	assert.Equal(t, name, tt.Name)
	assert.Equal(t, "Asset", tt.ForEntity, "gazu's default")
	assert.Equal(t, "#000000", tt.Color, "gazu's default")
	again, err := c.Task.NewTaskType(ctx, name, &kitsu.NewTaskTypeOptions{Color: "#FF0000"})
	require.NoError(t, err)
	assert.Equal(t, tt.ID, again.ID)
	assert.Equal(t, "#000000", again.Color, "an existing task type is returned as it is")
	// Zou refuses a second task type with the same name, whatever it is for.
	_, err = c.Task.NewTaskType(ctx, name, &kitsu.NewTaskTypeOptions{ForEntity: "shot"})
	require.ErrorIs(t, err, kitsu.ErrParameter)
	shotType, err := c.Task.NewTaskType(ctx, kitsutest.Unique("Cleanup"), &kitsu.NewTaskTypeOptions{ForEntity: "shot", Color: "#0f0"})
	require.NoError(t, err)
	t.Cleanup(func() {
		_ = c.Task.RemoveTaskType(context.Background(), shotType.ID, &kitsu.RemoveTaskTypeOptions{Force: true})
	})
	assert.Equal(t, "Shot", shotType.ForEntity)
	assert.Equal(t, "#0f0", shotType.Color)

	// A task type a project uses is removed only with Force.
	p := kitsutest.NewProject(t, c, false)
	require.NoError(t, c.Post(ctx, "data/projects/"+p.ID+"/settings/task-types", map[string]any{"task_type_id": tt.ID}, nil, nil))
	require.NoError(t, c.Post(ctx, "data/projects/"+p.ID+"/settings/task-types", map[string]any{"task_type_id": anim.ID}, nil, nil))
	used, err := c.Task.AllTaskTypesForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{anim.ID, tt.ID}, taskTypeIDsOf(used), "sorted by name")
	err = c.Task.RemoveTaskType(ctx, tt.ID, nil)
	require.ErrorIs(t, err, kitsu.ErrParameter)
	require.NoError(t, c.Task.RemoveTaskType(ctx, tt.ID, &kitsu.RemoveTaskTypeOptions{Force: true}))
	_, err = c.Task.GetTaskType(ctx, tt.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	used, err = c.Task.AllTaskTypesForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{anim.ID}, taskTypeIDsOf(used))
	require.NoError(t, c.Task.RemoveTaskType(ctx, shotType.ID, nil), "an unused task type needs no force")
	require.ErrorIs(t, c.Task.RemoveTaskType(ctx, shotType.ID, nil), kitsu.ErrNotFound)
	_, err = c.Task.AllTaskTypesForProject(ctx, taskUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Task.GetTaskType(ctx, "Animation")
	kitsutest.RequireInvalid(t, err, "task type id")
	_, err = c.Task.GetTaskTypeByName(ctx, "", nil)
	kitsutest.RequireInvalid(t, err, "task type name")
	_, err = c.Task.GetTaskTypeByName(ctx, "Concept", &kitsu.GetTaskTypeByNameOptions{ForEntity: "Prop"})
	kitsutest.RequireInvalid(t, err, "for entity")
	_, err = c.Task.GetTaskTypeByName(ctx, "Concept", &kitsu.GetTaskTypeByNameOptions{DepartmentID: "Modeling"})
	kitsutest.RequireInvalid(t, err, "department id")
	_, err = c.Task.NewTaskType(ctx, " ", nil)
	kitsutest.RequireInvalid(t, err, "task type name")
	_, err = c.Task.NewTaskType(ctx, strings.Repeat("x", 41), nil)
	kitsutest.RequireInvalid(t, err, "task type name")
	_, err = c.Task.NewTaskType(ctx, name, &kitsu.NewTaskTypeOptions{Color: "red"})
	kitsutest.RequireInvalid(t, err, "color")
	_, err = c.Task.NewTaskType(ctx, name, &kitsu.NewTaskTypeOptions{ForEntity: "Props"})
	kitsutest.RequireInvalid(t, err, "for entity")
	kitsutest.RequireInvalid(t, c.Task.RemoveTaskType(ctx, "Animation", nil), "task type id")
	_, err = c.Task.AllTaskTypesForProject(ctx, "p")
	kitsutest.RequireInvalid(t, err, "project id")
}

func TestTaskTaskStatuses(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	todo := kitsutest.TaskStatusNamed(t, c, "todo")
	wip := kitsutest.TaskStatusNamed(t, c, "wip")

	all, err := c.Task.AllTaskStatuses(ctx)
	require.NoError(t, err)
	names := kitsutest.IDs(all, func(t *kitsu.TaskStatus) string { return strings.ToLower(t.Name) })
	assert.True(t, slices.IsSorted(names), "sorted by name, case ignored")
	assert.Subset(t, taskStatusIDsOf(all), []string{todo.ID, wip.ID})

	got, err := c.Task.GetTaskStatus(ctx, wip.ID)
	require.NoError(t, err)
	assert.Equal(t, "wip", got.ShortName)
	got, err = c.Task.GetTaskStatusByName(ctx, "work in progress")
	require.NoError(t, err)
	assert.Equal(t, wip.ID, got.ID, "case is ignored")
	got, err = c.Task.GetTaskStatusByShortName(ctx, "wip")
	require.NoError(t, err)
	assert.Equal(t, wip.ID, got.ID)
	_, err = c.Task.GetTaskStatusByShortName(ctx, "WIP")
	require.ErrorIs(t, err, kitsu.ErrNotFound, "short names are matched exactly")
	assert.Contains(t, err.Error(), `"WIP"`)
	_, err = c.Task.GetTaskStatusByName(ctx, "Work%")
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.GetTaskStatus(ctx, taskUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	def, err := c.Task.GetDefaultTaskStatus(ctx)
	require.NoError(t, err)
	assert.Equal(t, todo.ID, def.ID, "the default of ordinary tasks, not of concepts")
	assert.True(t, def.IsDefault)
	assert.False(t, def.ForConcept)

	// NewTaskStatus creates, every time.
	short := strings.ReplaceAll(kitsutest.Unique("c"), " ", "")[:10]
	status, err := c.Task.NewTaskStatus(ctx, kitsutest.Unique("Checking"), short, "#00FF00")
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Task.RemoveTaskStatus(context.Background(), status.ID) })
	assert.Equal(t, short, status.ShortName)
	assert.Equal(t, "#00FF00", status.Color)
	got, err = c.Task.GetTaskStatusByShortName(ctx, short)
	require.NoError(t, err)
	assert.Equal(t, status.ID, got.ID)
	got, err = c.Task.GetTaskStatusByName(ctx, status.Name)
	require.NoError(t, err)
	assert.Equal(t, status.ID, got.ID)

	// The statuses a project uses.
	p := kitsutest.NewProject(t, c, false)
	for _, id := range []string{status.ID, wip.ID} {
		require.NoError(t, c.Post(ctx, "data/projects/"+p.ID+"/settings/task-status", map[string]any{"task_status_id": id}, nil, nil))
	}
	used, err := c.Task.AllTaskStatusesForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{status.ID, wip.ID}, taskStatusIDsOf(used), "sorted by name: Checking..., Work In Progress")
	_, err = c.Task.AllTaskStatusesForProject(ctx, taskUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	// A status a project uses cannot be removed.
	require.ErrorIs(t, c.Task.RemoveTaskStatus(ctx, status.ID), kitsu.ErrParameter)
	_, err = c.Delete(ctx, "data/projects/"+p.ID+"/settings/task-status/"+status.ID, nil)
	require.NoError(t, err)
	require.NoError(t, c.Task.RemoveTaskStatus(ctx, status.ID))
	_, err = c.Task.GetTaskStatus(ctx, status.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	require.ErrorIs(t, c.Task.RemoveTaskStatus(ctx, status.ID), kitsu.ErrNotFound)

	_, err = c.Task.NewTaskStatus(ctx, "Checking", "chk", "00FF00")
	kitsutest.RequireInvalid(t, err, "color")
	_, err = c.Task.NewTaskStatus(ctx, "Checking", "chk", "#00GG00")
	kitsutest.RequireInvalid(t, err, "color")
	_, err = c.Task.NewTaskStatus(ctx, "", "chk", "#00FF00")
	kitsutest.RequireInvalid(t, err, "task status name")
	_, err = c.Task.NewTaskStatus(ctx, "Checking", "", "#00FF00")
	kitsutest.RequireInvalid(t, err, "task status short name")
	_, err = c.Task.NewTaskStatus(ctx, "Checking", "checking_v2", "#00FF00")
	kitsutest.RequireInvalid(t, err, "task status short name")
	_, err = c.Task.NewTaskStatus(ctx, strings.Repeat("é", 41), "chk", "#00FF00")
	kitsutest.RequireInvalid(t, err, "task status name")
	// Zou refuses a short name another status has.
	_, err = c.Task.NewTaskStatus(ctx, kitsutest.Unique("Again"), "wip", "#00FF00")
	require.ErrorIs(t, err, kitsu.ErrParameter)
	_, err = c.Task.GetTaskStatus(ctx, "wip")
	kitsutest.RequireInvalid(t, err, "task status id")
	_, err = c.Task.GetTaskStatusByName(ctx, " ")
	kitsutest.RequireInvalid(t, err, "task status name")
	_, err = c.Task.GetTaskStatusByShortName(ctx, "")
	kitsutest.RequireInvalid(t, err, "task status short name")
	kitsutest.RequireInvalid(t, c.Task.RemoveTaskStatus(ctx, "wip"), "task status id")
	_, err = c.Task.AllTaskStatusesForProject(ctx, "")
	kitsutest.RequireInvalid(t, err, "project id")
}

func TestTaskGetTaskURL(t *testing.T) {
	t.Parallel()
	c, err := kitsu.NewClient("https://kitsu.example.com/api")
	require.NoError(t, err)
	const projectID, taskID = "5f1ad35b-2f63-4b8e-a4b4-2b1f0cbb0d1e", "0b8ef4ae-7a62-4b43-8a2a-b2b7c1f5d4a1"
	task := kitsu.Task{Base: kitsu.Base{ID: taskID}, ProjectID: projectID}

	for entityType, section := range map[string]string{
		"": "shots", "Shot": "shots", "Sequence": "sequences", "Episode": "episodes",
		"Edit": "edits", "Concept": "concepts", "Props": "assets", "Character": "assets",
	} {
		task.EntityTypeName = entityType
		got, err := c.Task.GetTaskURL(task)
		require.NoError(t, err)
		assert.Equal(t, "https://kitsu.example.com/productions/"+projectID+"/"+section+"/tasks/"+taskID+"/", got, entityType)
	}

	_, err = c.Task.GetTaskURL(kitsu.Task{ProjectID: projectID})
	kitsutest.RequireInvalid(t, err, "task.ID")
	_, err = c.Task.GetTaskURL(kitsu.Task{Base: kitsu.Base{ID: taskID}})
	kitsutest.RequireInvalid(t, err, "task.ProjectID")
}

func TestTaskGetTaskURLFromServer(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)
	asset := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Tree")
	modeling := kitsutest.TaskTypeNamed(t, c, "Modeling")
	task := taskNewTask(t, c, asset.ID, modeling.ID, "main")

	full, err := c.Task.GetTask(ctx, task.ID)
	require.NoError(t, err)
	got, err := c.Task.GetTaskURL(full.Task)
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSuffix(c.GetHost(), "/api")+"/productions/"+p.ID+"/assets/tasks/"+task.ID+"/", got)
	// A task as NewTask returns it carries no entity type: gazu's shots section.
	got, err = c.Task.GetTaskURL(*task)
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSuffix(c.GetHost(), "/api")+"/productions/"+p.ID+"/shots/tasks/"+task.ID+"/", got)
}

// taskSetSimpleTree gives a project Zou's shipped "simple" file tree.
func taskSetSimpleTree(t *testing.T, c *kitsu.Client, projectID string) {
	t.Helper()
	require.NoError(t, c.Update(kitsutest.Context(t), "projects", projectID, map[string]any{"file_tree": kitsutest.ZouFileTree(t, "simple")}, nil))
}

// taskWorkingPath asks Zou for the path of a task's working file.
func taskWorkingPath(t *testing.T, c *kitsu.Client, taskID string, body map[string]any) string {
	t.Helper()
	var reply struct {
		Path string `json:"path"`
		Name string `json:"name"`
	}
	require.NoError(t, c.Post(kitsutest.Context(t), "data/tasks/"+taskID+"/working-file-path", body, &reply, nil))
	require.NotEmpty(t, reply.Path)
	sep := "/"
	if s, ok := body["sep"].(string); ok {
		sep = s
	}
	return reply.Path + sep + reply.Name
}

func TestTaskGetTaskByPath(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)
	taskSetSimpleTree(t, c, p.ID)
	seq := kitsutest.NewSequence(t, c, p.ID, "", "SQ01")
	sh10 := kitsutest.NewShot(t, c, p.ID, seq.ID, "SH010")
	sh20 := kitsutest.NewShot(t, c, p.ID, seq.ID, "SH020")
	asset := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Tree")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	layout := kitsutest.TaskTypeNamed(t, c, "Layout")
	assetConcept, err := c.Task.GetTaskTypeByName(ctx, "Concept", &kitsu.GetTaskTypeByNameOptions{ForEntity: "Asset"})
	require.NoError(t, err)

	extra := taskNewTask(t, c, sh10.ID, anim.ID, "extra")
	mainAnim := taskNewTask(t, c, sh10.ID, anim.ID, "main")
	layoutTask := taskNewTask(t, c, sh10.ID, layout.ID, "main")
	other := taskNewTask(t, c, sh20.ID, anim.ID, "other")
	concept := taskNewTask(t, c, asset.ID, assetConcept.ID, "main")

	// A path Zou built for the working file of a task leads back to it.
	path := taskWorkingPath(t, c, layoutTask.ID, map[string]any{})
	t.Logf("path of the layout task: %s", path)
	got, err := c.Task.GetTaskByPath(ctx, p.ID, path, nil)
	require.NoError(t, err)
	assert.Equal(t, layoutTask.ID, got.ID)
	assert.Equal(t, "Layout", got.TaskTypeName)

	// Several tasks of the type: the one named main.
	got, err = c.Task.GetTaskByPath(ctx, p.ID, taskWorkingPath(t, c, extra.ID, map[string]any{}), &kitsu.GetTaskByPathOptions{EntityType: "Shot"})
	require.NoError(t, err)
	assert.Equal(t, mainAnim.ID, got.ID)
	// One task of the type, whatever its name.
	got, err = c.Task.GetTaskByPath(ctx, p.ID, taskWorkingPath(t, c, other.ID, map[string]any{"revision": 3}), nil)
	require.NoError(t, err)
	assert.Equal(t, other.ID, got.ID)

	// An asset's Concept task: Zou reads the task type by name and may
	// guess the other task type named Concept.
	assetPath := taskWorkingPath(t, c, concept.ID, map[string]any{})
	var guesses []map[string]any
	require.NoError(t, c.Post(ctx, "data/entities/guess-from-path", map[string]any{"project_id": p.ID, "file_path": assetPath}, &guesses, nil))
	for _, g := range guesses {
		if g["Template"] == "asset" {
			t.Logf("Zou guessed task type %v for the asset's Concept task (%s)", g["TaskType"], assetConcept.ID)
		}
	}
	got, err = c.Task.GetTaskByPath(ctx, p.ID, assetPath, &kitsu.GetTaskByPathOptions{EntityType: "asset"})
	require.NoError(t, err)
	assert.Equal(t, concept.ID, got.ID)
	_, err = c.Task.GetTaskByPath(ctx, p.ID, assetPath, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound, "an asset path is not a shot path")

	// Another separator.
	winPath := taskWorkingPath(t, c, layoutTask.ID, map[string]any{"sep": `\`})
	t.Logf("path with sep \\: %s", winPath)
	got, err = c.Task.GetTaskByPath(ctx, p.ID, winPath, &kitsu.GetTaskByPathOptions{Sep: `\`})
	require.NoError(t, err)
	assert.Equal(t, layoutTask.ID, got.ID)

	// Paths that name nothing of the project.
	for _, bad := range []string{
		"/elsewhere/file.ma",
		strings.Replace(path, "sh010", "sh999", 1),
		strings.Replace(path, "layout", "lighting", 1),
	} {
		_, err = c.Task.GetTaskByPath(ctx, p.ID, bad, nil)
		require.ErrorIs(t, err, kitsu.ErrNotFound, bad)
	}
	// The path of another project's task.
	p2 := kitsutest.NewProject(t, c, false)
	_, err = c.Task.GetTaskByPath(ctx, p2.ID, path, nil)
	require.ErrorIs(t, err, kitsu.ErrParameter, "a project without a file tree cannot read paths")
	assert.Contains(t, err.Error(), "file tree")
	taskSetSimpleTree(t, c, p2.ID)
	_, err = c.Task.GetTaskByPath(ctx, p2.ID, path, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.GetTaskByPath(ctx, taskUnknownID, path, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Task.GetTaskByPath(ctx, "p", path, nil)
	kitsutest.RequireInvalid(t, err, "project id")
	_, err = c.Task.GetTaskByPath(ctx, p.ID, " ", nil)
	kitsutest.RequireInvalid(t, err, "file path")
	_, err = c.Task.GetTaskByPath(ctx, p.ID, path, &kitsu.GetTaskByPathOptions{EntityType: "edit"})
	kitsutest.RequireInvalid(t, err, "entity type")
}
