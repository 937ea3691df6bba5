package publish

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kpublish/kpublish/filetree/kitsutree"
	"github.com/kpublish/kpublish/kitsu"
)

// The after step of an output publish: once the files are published and
// registered, a comment on the task with a status and, optionally, a
// preview uploaded to that comment.

func init() { runAfter = afterPublish }

// Preview extensions Zou turns into a picture or a movie preview (Zou
// 1.0.97's ALLOWED_PICTURE_EXTENSION and ALLOWED_MOVIE_EXTENSION).
var (
	previewPictures = []string{"jpe", "jpeg", "jpg", "png"}
	previewMovies   = []string{"avi", "m4v", "mkv", "mov", "mp4", "webm", "wmv"}
)

// CheckPreview checks that path can be uploaded as a task's preview: a
// regular file with a picture or movie extension Zou processes (.png,
// .jpg, .mp4, .mov...). The CLI calls it before publishing, so a wrong
// preview is refused before anything is written.
func CheckPreview(path string) error {
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(path), "."))
	if !slices.Contains(previewPictures, ext) && !slices.Contains(previewMovies, ext) {
		return fmt.Errorf("preview %q: want a picture (%s) or a movie (%s)",
			path, strings.Join(previewPictures, ", "), strings.Join(previewMovies, ", "))
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("preview %q: not a regular file", path)
	}
	return nil
}

// ResolveTaskStatus finds a task status by id, short name ("wfa", "done";
// case matters) or name ("Waiting For Approval"; case ignored), in that
// order. Finding none matches kitsu.ErrNotFound and names status.
func ResolveTaskStatus(ctx context.Context, c *kitsu.Client, status string) (*kitsu.TaskStatus, error) {
	if status == "" {
		return nil, errors.New("task status: empty")
	}
	if kitsutree.LooksLikeID(status) {
		return c.Task.GetTaskStatus(ctx, status)
	}
	ts, err := c.Task.GetTaskStatusByShortName(ctx, status)
	if errors.Is(err, kitsu.ErrNotFound) {
		ts, err = c.Task.GetTaskStatusByName(ctx, status)
	}
	if errors.Is(err, kitsu.ErrNotFound) {
		return nil, fmt.Errorf("task status %q: no status with that short name, name or id: %w", status, err)
	}
	return ts, err
}

// afterTask returns the task the after step comments on: o.TaskID, else
// the entity's task of o.TaskTypeID (an id or a name): the one named
// "main" when there are several, else the first by name.
func afterTask(ctx context.Context, c *kitsu.Client, o AfterOptions) (*kitsu.Task, error) {
	if o.TaskID != "" {
		ft, err := c.Task.GetTask(ctx, o.TaskID)
		if err != nil {
			return nil, fmt.Errorf("task %s: %w", o.TaskID, err)
		}
		return &ft.Task, nil
	}
	if o.EntityID == "" || o.TaskTypeID == "" {
		return nil, fmt.Errorf("%w: the after step needs a task id, or an entity id and a task type", ErrNoTask)
	}
	ttID := o.TaskTypeID
	if !kitsutree.LooksLikeID(ttID) {
		tt, err := c.Task.GetTaskTypeByName(ctx, ttID, nil)
		if err != nil {
			return nil, fmt.Errorf("task type %q: %w", ttID, err)
		}
		ttID = tt.ID
	}
	tasks, err := c.Task.AllTasksForEntityAndTaskType(ctx, o.EntityID, ttID)
	if err != nil {
		return nil, fmt.Errorf("tasks of entity %s: %w", o.EntityID, err)
	}
	if len(tasks) == 0 {
		return nil, fmt.Errorf("%w: entity %s has no task of task type %s to comment on (create one, or give --task)",
			ErrNoTask, o.EntityID, o.TaskTypeID)
	}
	slices.SortStableFunc(tasks, func(a, b kitsu.Task) int { return strings.Compare(a.Name, b.Name) })
	for i := range tasks {
		if tasks[i].Name == "main" {
			return &tasks[i], nil
		}
	}
	return &tasks[0], nil
}

// afterPublish posts the after step of a publish: a comment on the task
// with o.Status (the task's current status when empty) and o.Comment,
// and o.Preview uploaded to that comment with progress. With neither a
// status nor a preview it does nothing. When the preview fails, the
// comment is removed again (Zou then gives the task back its status
// from before), so that running the step again does not leave two
// comments; the result then holds no comment id. A removal that fails
// too leaves CommentID set with the error.
func afterPublish(ctx context.Context, c *kitsu.Client, o AfterOptions) (AfterResult, error) {
	var res AfterResult
	if o.Status == "" && o.Preview == "" {
		return res, nil
	}
	var size int64
	if o.Preview != "" {
		if err := CheckPreview(o.Preview); err != nil {
			return res, err
		}
		fi, err := os.Stat(o.Preview)
		if err != nil {
			return res, fmt.Errorf("preview: %w", err)
		}
		size = fi.Size()
	}
	task, err := afterTask(ctx, c, o)
	if err != nil {
		return res, err
	}
	statusID := task.TaskStatusID
	if o.Status != "" {
		ts, err := ResolveTaskStatus(ctx, c, o.Status)
		if err != nil {
			return res, err
		}
		statusID = ts.ID
	}
	comment, err := c.Task.AddComment(ctx, task.ID, statusID, o.Comment, nil)
	if err != nil {
		return res, fmt.Errorf("comment on task %s: %w", task.ID, err)
	}
	res.CommentID = comment.ID
	if o.Preview == "" {
		return res, nil
	}
	opts := &kitsu.AddPreviewOptions{}
	if o.Progress != nil {
		o.Progress.Start("uploading", size, 1)
		var last atomic.Int64
		opts.Progress = func(done, _ int64) {
			if d := done - last.Swap(done); d > 0 {
				o.Progress.Add(d)
			}
		}
	}
	pf, err := c.Task.AddPreview(ctx, task.ID, comment.ID, o.Preview, opts)
	if o.Progress != nil {
		if err == nil {
			o.Progress.FileDone()
		}
		o.Progress.Finish()
	}
	if err != nil {
		err = fmt.Errorf("preview %s of task %s: %w", o.Preview, task.ID, err)
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		if rerr := c.Task.RemoveComment(rctx, comment.ID); rerr != nil {
			return res, errors.Join(err, fmt.Errorf("removing comment %s again: %w", comment.ID, rerr))
		}
		res.CommentID = ""
		return res, err
	}
	res.PreviewID = pf.ID
	return res, nil
}
