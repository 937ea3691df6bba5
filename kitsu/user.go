package kitsu

import (
	"context"
)

// This file holds gazu's user module: what the logged-in user works on.
// Every list is narrowed to the tasks assigned to the user, in open
// projects: an entity, a task type or an asset type is listed when at
// least one such task is on it (for an admin too).

// UnmarshalJSONFrom decodes a scene, keeping unnamed members in Extra.

// userList asks a list route of the user's data and sorts it by name, as
// gazu does. (Zou lists each record once, however many of the user's
// tasks are on it.)
func userList[T any](ctx context.Context, s *UserService, path string, name func(*T) string) ([]T, error) {
	items, err := list[T](ctx, (*service)(s), path, nil)
	if err != nil {
		return nil, err
	}
	sortByName(items, name)
	return items, nil
}

// AllOpenProjects returns the open projects whose team the user is in
// (every open project for an admin), sorted by name.
//
// It calls GET /data/user/projects/open and mirrors
// gazu.user.all_open_projects.
func (s *UserService) AllOpenProjects(ctx context.Context) ([]Project, error) {
	return userList(ctx, s, "data/user/projects/open",
		func(p *Project) string { return p.Name })
}

// AllAssetTypesForProject returns the asset types of the project's assets
// that have a task assigned to the user, sorted by name. An unknown
// project matches ErrNotFound.
//
// It calls GET /data/user/projects/{project_id}/asset-types and mirrors
// gazu.user.all_asset_types_for_project.
func (s *UserService) AllAssetTypesForProject(ctx context.Context, projectID string) ([]AssetType, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	return userList(ctx, s, pathOf("data/user/projects", projectID, "asset-types"),
		func(a *AssetType) string { return a.Name })
}

// AllAssetsForAssetTypeAndProject returns the project's assets of the
// asset type that have a task assigned to the user, sorted by name. An
// unknown project or asset type matches ErrNotFound.
//
// It calls GET /data/user/projects/{project_id}/asset-types/{asset_type_id}/assets
// and mirrors gazu.user.all_assets_for_asset_type_and_project.
func (s *UserService) AllAssetsForAssetTypeAndProject(ctx context.Context, projectID, assetTypeID string) ([]Asset, error) {
	if err := checkIDs("project id", projectID, "asset type id", assetTypeID); err != nil {
		return nil, err
	}
	return userList(ctx, s, pathOf("data/user/projects", projectID, "asset-types", assetTypeID, "assets"),
		func(a *Asset) string { return a.Name })
}

// AllEpisodesForProject returns the project's episodes holding a shot
// with a task assigned to the user, sorted by name. An unknown project
// matches ErrNotFound.
//
// It calls GET /data/user/projects/{project_id}/episodes and mirrors
// gazu.user.all_episodes_for_project, which, unlike the other functions of
// the module, takes only the project dict; here it is the id.
func (s *UserService) AllEpisodesForProject(ctx context.Context, projectID string) ([]Episode, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	return userList(ctx, s, pathOf("data/user/projects", projectID, "episodes"),
		func(e *Episode) string { return e.Name })
}

// AllSequencesForProject returns the project's sequences holding a shot
// with a task assigned to the user, sorted by name. An unknown project
// matches ErrNotFound.
//
// It calls GET /data/user/projects/{project_id}/sequences and mirrors
// gazu.user.all_sequences_for_project.
func (s *UserService) AllSequencesForProject(ctx context.Context, projectID string) ([]Sequence, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	return userList(ctx, s, pathOf("data/user/projects", projectID, "sequences"),
		func(q *Sequence) string { return q.Name })
}

// AllShotsForSequence returns the sequence's shots that have a task
// assigned to the user, sorted by name. An unknown sequence matches
// ErrNotFound.
//
// It calls GET /data/user/sequences/{sequence_id}/shots and mirrors
// gazu.user.all_shots_for_sequence.
func (s *UserService) AllShotsForSequence(ctx context.Context, sequenceID string) ([]Shot, error) {
	if err := checkID("sequence id", sequenceID); err != nil {
		return nil, err
	}
	return userList(ctx, s, pathOf("data/user/sequences", sequenceID, "shots"),
		func(h *Shot) string { return h.Name })
}

// AllScenesForSequence returns the sequence's scenes that have a task
// assigned to the user, sorted by name. An unknown sequence matches
// ErrNotFound.
//
// It calls GET /data/user/sequences/{sequence_id}/scenes and mirrors
// gazu.user.all_scenes_for_sequence.
func (s *UserService) AllScenesForSequence(ctx context.Context, sequenceID string) ([]Scene, error) {
	if err := checkID("sequence id", sequenceID); err != nil {
		return nil, err
	}
	return userList(ctx, s, pathOf("data/user/sequences", sequenceID, "scenes"),
		func(c *Scene) string { return c.Name })
}

// userTaskTypes lists the task types of the user's tasks on an entity.
func (s *UserService) userTaskTypes(ctx context.Context, what, route, entityID string) ([]TaskType, error) {
	if err := checkID(what, entityID); err != nil {
		return nil, err
	}
	return userList(ctx, s, pathOf(route, entityID, "task-types"),
		func(t *TaskType) string { return t.Name })
}

// userTasks lists the user's tasks on an entity.
func (s *UserService) userTasks(ctx context.Context, what, route, entityID string) ([]Task, error) {
	if err := checkID(what, entityID); err != nil {
		return nil, err
	}
	return userList(ctx, s, pathOf(route, entityID, "tasks"),
		func(t *Task) string { return t.Name })
}

// AllTaskTypesForAsset returns the task types of the asset's tasks
// assigned to the user, sorted by name. An unknown asset matches
// ErrNotFound.
//
// It calls GET /data/user/assets/{asset_id}/task-types and mirrors
// gazu.user.all_task_types_for_asset.
func (s *UserService) AllTaskTypesForAsset(ctx context.Context, assetID string) ([]TaskType, error) {
	return s.userTaskTypes(ctx, "asset id", "data/user/assets", assetID)
}

// AllTaskTypesForShot returns the task types of the shot's tasks assigned
// to the user, sorted by name. An unknown shot matches ErrNotFound.
//
// It calls GET /data/user/shots/{shot_id}/task-types and mirrors
// gazu.user.all_task_types_for_shot.
func (s *UserService) AllTaskTypesForShot(ctx context.Context, shotID string) ([]TaskType, error) {
	return s.userTaskTypes(ctx, "shot id", "data/user/shots", shotID)
}

// AllTaskTypesForScene returns the task types of the scene's tasks
// assigned to the user, sorted by name. An unknown scene matches
// ErrNotFound.
//
// It calls GET /data/user/scenes/{scene_id}/task-types and mirrors
// gazu.user.all_task_types_for_scene.
func (s *UserService) AllTaskTypesForScene(ctx context.Context, sceneID string) ([]TaskType, error) {
	return s.userTaskTypes(ctx, "scene id", "data/user/scenes", sceneID)
}

// AllTaskTypesForSequence returns the task types of the tasks on the
// sequence itself (not on its shots) assigned to the user, sorted by
// name. An unknown sequence matches ErrNotFound.
//
// It calls GET /data/user/sequences/{sequence_id}/task-types and mirrors
// gazu.user.all_task_types_for_sequence.
func (s *UserService) AllTaskTypesForSequence(ctx context.Context, sequenceID string) ([]TaskType, error) {
	return s.userTaskTypes(ctx, "sequence id", "data/user/sequences", sequenceID)
}

// AllTasksForAsset returns the asset's tasks assigned to the user, sorted
// by name. An unknown asset matches ErrNotFound.
//
// It calls GET /data/user/assets/{asset_id}/tasks and mirrors
// gazu.user.all_tasks_for_asset.
func (s *UserService) AllTasksForAsset(ctx context.Context, assetID string) ([]Task, error) {
	return s.userTasks(ctx, "asset id", "data/user/assets", assetID)
}

// AllTasksForShot returns the shot's tasks assigned to the user, sorted by
// name. An unknown shot matches ErrNotFound.
//
// It calls GET /data/user/shots/{shot_id}/tasks and mirrors
// gazu.user.all_tasks_for_shot.
func (s *UserService) AllTasksForShot(ctx context.Context, shotID string) ([]Task, error) {
	return s.userTasks(ctx, "shot id", "data/user/shots", shotID)
}

// AllTasksForScene returns the scene's tasks assigned to the user, sorted
// by name. An unknown scene matches ErrNotFound.
//
// It calls GET /data/user/scenes/{scene_id}/tasks and mirrors
// gazu.user.all_tasks_for_scene.
func (s *UserService) AllTasksForScene(ctx context.Context, sceneID string) ([]Task, error) {
	return s.userTasks(ctx, "scene id", "data/user/scenes", sceneID)
}

// AllTasksForSequence returns the tasks on the sequence itself (not on its
// shots) assigned to the user, sorted by name. An unknown sequence matches
// ErrNotFound.
//
// It calls GET /data/user/sequences/{sequence_id}/tasks and mirrors
// gazu.user.all_tasks_for_sequence.
func (s *UserService) AllTasksForSequence(ctx context.Context, sequenceID string) ([]Task, error) {
	return s.userTasks(ctx, "sequence id", "data/user/sequences", sequenceID)
}

// AllTasksToDo returns the tasks assigned to the user, in the open
// projects whose team they are in, whose status is not a done one, in
// Zou's order. Each task carries the names of its project, entity, task
// type and status (ProjectName, EntityName...), the rest in Extra.
//
// It calls GET /data/user/tasks and mirrors gazu.user.all_tasks_to_do.
func (s *UserService) AllTasksToDo(ctx context.Context) ([]Task, error) {
	return list[Task](ctx, (*service)(s), "data/user/tasks", nil)
}

// AllDoneTasks returns the tasks assigned to the user, in the open
// projects whose team they are in, whose status is a done one, in Zou's
// order, with the same names as AllTasksToDo.
//
// It calls GET /data/user/done-tasks and mirrors gazu.user.all_done_tasks.
func (s *UserService) AllDoneTasks(ctx context.Context) ([]Task, error) {
	return list[Task](ctx, (*service)(s), "data/user/done-tasks", nil)
}
