package kitsu_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// userUnknownID is a well-formed id that no record has.
const userUnknownID = "00000000-0000-4000-8000-0000000005e4"

func userTaskTypeNames(types []kitsu.TaskType) []string {
	return kitsutest.IDs(types, func(t *kitsu.TaskType) string { return t.Name })
}

func TestUserAllOpenProjects(t *testing.T) {
	t.Parallel()
	admin := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	mine := kitsutest.NewProject(t, admin, false)
	other := kitsutest.NewProject(t, admin, false)
	artist, ac := kitsutest.NewArtist(t, admin)

	got, err := ac.User.AllOpenProjects(ctx)
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Empty(t, got, "a new artist is in no team")

	kitsutest.JoinTeam(t, admin, mine.ID, artist.ID)
	got, err = ac.User.AllOpenProjects(ctx)
	require.NoError(t, err)
	require.Equal(t, []string{mine.ID}, kitsutest.IDs(got, func(p *kitsu.Project) string { return p.ID }))
	assert.Equal(t, mine.Name, got[0].Name)

	// An admin sees every open project, sorted by name.
	all, err := admin.User.AllOpenProjects(ctx)
	require.NoError(t, err)
	ids := kitsutest.IDs(all, func(p *kitsu.Project) string { return p.ID })
	assert.Contains(t, ids, mine.ID)
	assert.Contains(t, ids, other.ID)
	assert.IsNonDecreasing(t, kitsutest.IDs(all, func(p *kitsu.Project) string { return strings.ToLower(p.Name) }))

	// A closed project is no longer listed.
	kitsutest.CloseProject(t, admin, mine.ID)
	got, err = ac.User.AllOpenProjects(ctx)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestUserAssetsAndTheirTasks(t *testing.T) {
	t.Parallel()
	admin := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	props := kitsutest.NewAssetType(t, admin)
	vehicles := kitsutest.NewAssetType(t, admin)
	p := kitsutest.NewProject(t, admin, false)
	tree := kitsutest.NewAsset(t, admin, p.ID, props.ID, "", "tree")
	rock := kitsutest.NewAsset(t, admin, p.ID, props.ID, "", "rock")
	car := kitsutest.NewAsset(t, admin, p.ID, vehicles.ID, "", "car")
	modeling := kitsutest.TaskTypeNamed(t, admin, "Modeling")
	shading := kitsutest.TaskTypeNamed(t, admin, "Shading")
	treeShading := kitsutest.NewTask(t, admin, p.ID, tree.ID, shading.ID, "lookdev")
	treeModeling := kitsutest.NewTask(t, admin, p.ID, tree.ID, modeling.ID, "blockout")
	rockModeling := kitsutest.NewTask(t, admin, p.ID, rock.ID, modeling.ID, "main")
	carModeling := kitsutest.NewTask(t, admin, p.ID, car.ID, modeling.ID, "main")
	artist, ac := kitsutest.NewArtist(t, admin)
	kitsutest.AssignTask(t, admin, treeShading.ID, artist.ID)
	kitsutest.AssignTask(t, admin, treeModeling.ID, artist.ID)
	// Someone else's task on rock and car.
	other, _ := kitsutest.NewArtist(t, admin)
	kitsutest.AssignTask(t, admin, rockModeling.ID, other.ID)
	kitsutest.AssignTask(t, admin, carModeling.ID, other.ID)

	types, err := ac.User.AllAssetTypesForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{props.ID}, kitsutest.IDs(types, func(a *kitsu.AssetType) string { return a.ID }), "only the type of the artist's assets")

	assets, err := ac.User.AllAssetsForAssetTypeAndProject(ctx, p.ID, props.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{tree.ID}, kitsutest.IDs(assets, func(a *kitsu.Asset) string { return a.ID }), "tree once, though it has two of the artist's tasks")
	assets, err = ac.User.AllAssetsForAssetTypeAndProject(ctx, p.ID, vehicles.ID)
	require.NoError(t, err)
	require.NotNil(t, assets)
	assert.Empty(t, assets)

	taskTypes, err := ac.User.AllTaskTypesForAsset(ctx, tree.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"Modeling", "Shading"}, userTaskTypeNames(taskTypes))
	taskTypes, err = ac.User.AllTaskTypesForAsset(ctx, rock.ID)
	require.NoError(t, err)
	assert.Empty(t, taskTypes)

	tasks, err := ac.User.AllTasksForAsset(ctx, tree.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{treeModeling.ID, treeShading.ID}, taskIDs(tasks), "sorted by name: blockout, lookdev")
	tasks, err = ac.User.AllTasksForAsset(ctx, rock.ID)
	require.NoError(t, err)
	assert.Empty(t, tasks)
	// The admin is assigned nothing here.
	tasks, err = admin.User.AllTasksForAsset(ctx, tree.ID)
	require.NoError(t, err)
	assert.Empty(t, tasks)

	// To do, then done.
	todo, err := ac.User.AllTasksToDo(ctx)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{treeModeling.ID, treeShading.ID}, taskIDs(todo))
	for _, task := range todo {
		assert.Equal(t, p.Name, task.ProjectName)
		assert.Equal(t, "tree", task.EntityName)
	}
	done, err := ac.User.AllDoneTasks(ctx)
	require.NoError(t, err)
	require.NotNil(t, done)
	assert.Empty(t, done)

	doneStatus := kitsutest.TaskStatusNamed(t, admin, "done")
	_, err = admin.Task.AddComment(ctx, treeModeling.ID, doneStatus.ID, "approved", nil)
	require.NoError(t, err)
	done, err = ac.User.AllDoneTasks(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{treeModeling.ID}, taskIDs(done))
	assert.Equal(t, doneStatus.ID, done[0].TaskStatusID)
	todo, err = ac.User.AllTasksToDo(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{treeShading.ID}, taskIDs(todo))

	// Unknown and malformed ids.
	_, err = ac.User.AllTasksForAsset(ctx, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = ac.User.AllTaskTypesForAsset(ctx, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = ac.User.AllAssetTypesForProject(ctx, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = ac.User.AllAssetsForAssetTypeAndProject(ctx, p.ID, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = ac.User.AllTasksForAsset(ctx, "tree")
	kitsutest.RequireInvalid(t, err, "asset id")
	_, err = ac.User.AllTaskTypesForAsset(ctx, "")
	kitsutest.RequireInvalid(t, err, "asset id")
	_, err = ac.User.AllAssetTypesForProject(ctx, "p")
	kitsutest.RequireInvalid(t, err, "project id")
	_, err = ac.User.AllAssetsForAssetTypeAndProject(ctx, p.ID, "props")
	kitsutest.RequireInvalid(t, err, "asset type id")
}

func TestUserShotsSequencesEpisodesAndScenes(t *testing.T) {
	t.Parallel()
	admin := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	seqType := kitsutest.NewTaskType(t, admin, "Sequence")
	sceneType := kitsutest.NewTaskType(t, admin, "Scene")
	p := kitsutest.NewProject(t, admin, true)
	e1 := kitsutest.NewEpisode(t, admin, p.ID, "E101")
	e2 := kitsutest.NewEpisode(t, admin, p.ID, "E102")
	sq1 := kitsutest.NewSequence(t, admin, p.ID, e1.ID, "SQ01")
	sq2 := kitsutest.NewSequence(t, admin, p.ID, e2.ID, "SQ02")
	sh10 := kitsutest.NewShot(t, admin, p.ID, sq1.ID, "SH010")
	sh20 := kitsutest.NewShot(t, admin, p.ID, sq1.ID, "SH020")
	sh30 := kitsutest.NewShot(t, admin, p.ID, sq2.ID, "SH030")
	sc1 := kitsutest.NewScene(t, admin, p.ID, sq1.ID, "SC01")
	sc2 := kitsutest.NewScene(t, admin, p.ID, sq1.ID, "SC02")

	animation := kitsutest.TaskTypeNamed(t, admin, "Animation")
	layout := kitsutest.TaskTypeNamed(t, admin, "Layout")
	shotAnim := kitsutest.NewTask(t, admin, p.ID, sh10.ID, animation.ID, "main")
	shotLayout := kitsutest.NewTask(t, admin, p.ID, sh10.ID, layout.ID, "main")
	otherShot := kitsutest.NewTask(t, admin, p.ID, sh20.ID, animation.ID, "main")
	otherSeqShot := kitsutest.NewTask(t, admin, p.ID, sh30.ID, animation.ID, "main")
	seqBoard := kitsutest.NewTask(t, admin, p.ID, sq1.ID, seqType.ID, "main")
	sceneLayout := kitsutest.NewTask(t, admin, p.ID, sc1.ID, sceneType.ID, "main")
	otherScene := kitsutest.NewTask(t, admin, p.ID, sc2.ID, sceneType.ID, "main")

	artist, ac := kitsutest.NewArtist(t, admin)
	for _, task := range []*kitsu.Task{shotAnim, shotLayout, seqBoard, sceneLayout} {
		kitsutest.AssignTask(t, admin, task.ID, artist.ID)
	}
	other, _ := kitsutest.NewArtist(t, admin)
	for _, task := range []*kitsu.Task{otherShot, otherSeqShot, otherScene} {
		kitsutest.AssignTask(t, admin, task.ID, other.ID)
	}

	episodes, err := ac.User.AllEpisodesForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{e1.ID}, kitsutest.IDs(episodes, func(e *kitsu.Episode) string { return e.ID }), "E101 once, though two of its shot tasks are the artist's")
	sequences, err := ac.User.AllSequencesForProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{sq1.ID}, kitsutest.IDs(sequences, func(s *kitsu.Sequence) string { return s.ID }))
	shots, err := ac.User.AllShotsForSequence(ctx, sq1.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{sh10.ID}, kitsutest.IDs(shots, func(s *kitsu.Shot) string { return s.ID }))
	shots, err = ac.User.AllShotsForSequence(ctx, sq2.ID)
	require.NoError(t, err)
	assert.Empty(t, shots)
	scenes, err := ac.User.AllScenesForSequence(ctx, sq1.ID)
	require.NoError(t, err)
	require.Equal(t, []string{sc1.ID}, kitsutest.IDs(scenes, func(s *kitsu.Scene) string { return s.ID }))
	assert.Equal(t, "SC01", scenes[0].Name)
	assert.Equal(t, sq1.ID, scenes[0].ParentID)

	types, err := ac.User.AllTaskTypesForShot(ctx, sh10.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"Animation", "Layout"}, userTaskTypeNames(types))
	tasks, err := ac.User.AllTasksForShot(ctx, sh10.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{shotAnim.ID, shotLayout.ID}, taskIDs(tasks))
	tasks, err = ac.User.AllTasksForShot(ctx, sh20.ID)
	require.NoError(t, err)
	assert.Empty(t, tasks)

	types, err = ac.User.AllTaskTypesForSequence(ctx, sq1.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{seqType.Name}, userTaskTypeNames(types), "tasks of the sequence itself, not of its shots")
	tasks, err = ac.User.AllTasksForSequence(ctx, sq1.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{seqBoard.ID}, taskIDs(tasks))
	tasks, err = ac.User.AllTasksForSequence(ctx, sq2.ID)
	require.NoError(t, err)
	assert.Empty(t, tasks)

	types, err = ac.User.AllTaskTypesForScene(ctx, sc1.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{sceneType.Name}, userTaskTypeNames(types))
	tasks, err = ac.User.AllTasksForScene(ctx, sc1.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{sceneLayout.ID}, taskIDs(tasks))
	tasks, err = ac.User.AllTasksForScene(ctx, sc2.ID)
	require.NoError(t, err)
	assert.Empty(t, tasks)

	todo, err := ac.User.AllTasksToDo(ctx)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{shotAnim.ID, shotLayout.ID, seqBoard.ID, sceneLayout.ID}, taskIDs(todo))

	// Unknown ids, ids of another kind of entity, malformed ids.
	_, err = ac.User.AllTasksForShot(ctx, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = ac.User.AllTasksForShot(ctx, sq1.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound, "a sequence is not a shot")
	_, err = ac.User.AllTaskTypesForShot(ctx, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = ac.User.AllTasksForScene(ctx, sh10.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound, "a shot is not a scene")
	_, err = ac.User.AllTaskTypesForScene(ctx, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = ac.User.AllTasksForSequence(ctx, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = ac.User.AllTaskTypesForSequence(ctx, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = ac.User.AllShotsForSequence(ctx, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = ac.User.AllScenesForSequence(ctx, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = ac.User.AllSequencesForProject(ctx, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = ac.User.AllEpisodesForProject(ctx, userUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = ac.User.AllEpisodesForProject(ctx, "")
	kitsutest.RequireInvalid(t, err, "project id")
	_, err = ac.User.AllSequencesForProject(ctx, "x")
	kitsutest.RequireInvalid(t, err, "project id")
	_, err = ac.User.AllShotsForSequence(ctx, "SQ01")
	kitsutest.RequireInvalid(t, err, "sequence id")
	_, err = ac.User.AllScenesForSequence(ctx, "SQ01")
	kitsutest.RequireInvalid(t, err, "sequence id")
	_, err = ac.User.AllTaskTypesForShot(ctx, "SH010")
	kitsutest.RequireInvalid(t, err, "shot id")
	_, err = ac.User.AllTasksForShot(ctx, "SH010")
	kitsutest.RequireInvalid(t, err, "shot id")
	_, err = ac.User.AllTaskTypesForScene(ctx, "SC01")
	kitsutest.RequireInvalid(t, err, "scene id")
	_, err = ac.User.AllTasksForScene(ctx, "SC01")
	kitsutest.RequireInvalid(t, err, "scene id")
	_, err = ac.User.AllTaskTypesForSequence(ctx, "SQ01")
	kitsutest.RequireInvalid(t, err, "sequence id")
	_, err = ac.User.AllTasksForSequence(ctx, "SQ01")
	kitsutest.RequireInvalid(t, err, "sequence id")
}
