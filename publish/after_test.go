package publish

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// recordProgress records what a Progress is told.
type recordProgress struct {
	mu       sync.Mutex
	labels   []string
	total    int64
	files    int
	added    int64
	done     int
	finished int
}

func (p *recordProgress) Start(label string, total int64, files int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.labels = append(p.labels, label)
	p.total, p.files = total, files
}

func (p *recordProgress) Add(n int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.added += n
}

func (p *recordProgress) FileDone() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
}

func (p *recordProgress) Finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished++
}

// afterMovie makes a two-second movie with sound with ffmpeg (Zou breaks
// on silent movies of a second when it normalizes them).
func afterMovie(t *testing.T) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		if kitsutest.Required() {
			t.Fatalf("ffmpeg is needed to make a test movie: %v", err)
		}
		t.Skipf("ffmpeg is not installed: %v", err)
	}
	out := filepath.Join(t.TempDir(), "turn.mov")
	args := []string{"-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=12",
		"-f", "lavfi", "-i", "sine=duration=2", "-shortest", "-pix_fmt", "yuv420p", out}
	if b, err := exec.CommandContext(kitsutest.Context(t), ffmpeg, args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, b)
	}
	return out
}

func taskStatusOf(t *testing.T, c *kitsu.Client, taskID string) string {
	t.Helper()
	ft, err := c.Task.GetTask(kitsutest.Context(t), taskID)
	require.NoError(t, err)
	return ft.TaskStatusID
}

// TestAfterPublish posts the after step against the real server: a status
// given by short name, name and id, on a task given by id or found from
// the entity and task type; pictures and movies uploaded with progress;
// a preview Zou cannot process takes its comment away again.
func TestAfterPublish(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetTask(t, c)
	task := at.Task
	modeling := kitsutest.TaskTypeNamed(t, c, "Modeling")
	wfa := kitsutest.TaskStatusNamed(t, c, "wfa")
	wip := kitsutest.TaskStatusNamed(t, c, "wip")
	done := kitsutest.TaskStatusNamed(t, c, "done")

	// Nothing asked: nothing done.
	res, err := afterPublish(ctx, c, AfterOptions{TaskID: task.ID})
	require.NoError(t, err)
	assert.Equal(t, AfterResult{}, res)

	// A status by short name on the task given by id.
	res, err = afterPublish(ctx, c, AfterOptions{TaskID: task.ID, Status: "wfa", Comment: "cache v1"})
	require.NoError(t, err)
	require.NotEmpty(t, res.CommentID)
	assert.Empty(t, res.PreviewID)
	cm, err := c.Task.GetComment(ctx, res.CommentID)
	require.NoError(t, err)
	assert.Equal(t, "cache v1", cm.Text)
	assert.Equal(t, wfa.ID, cm.TaskStatusID)
	assert.Equal(t, wfa.ID, taskStatusOf(t, c, task.ID))

	// By name (case ignored), from the entity and the task type's name;
	// by id from the task type's id.
	res, err = afterPublish(ctx, c, AfterOptions{EntityID: at.Asset.ID, TaskTypeID: "modeling", Status: wip.Name})
	require.NoError(t, err)
	assert.Equal(t, wip.ID, taskStatusOf(t, c, task.ID))
	res, err = afterPublish(ctx, c, AfterOptions{EntityID: at.Asset.ID, TaskTypeID: modeling.ID, Status: done.ID})
	require.NoError(t, err)
	assert.Equal(t, done.ID, taskStatusOf(t, c, task.ID))
	comments, err := c.Task.AllCommentsForTask(ctx, task.ID)
	require.NoError(t, err)
	assert.Len(t, comments, 3)

	// A picture preview with no status: the task keeps its status; the
	// upload's bytes are reported.
	png := kitsutest.WritePNG(t, t.TempDir(), "frame.png", 64, 48)
	fi, err := os.Stat(png)
	require.NoError(t, err)
	var p recordProgress
	res, err = afterPublish(ctx, c, AfterOptions{TaskID: task.ID, Preview: png, Progress: &p})
	require.NoError(t, err)
	require.NotEmpty(t, res.PreviewID)
	assert.Equal(t, done.ID, taskStatusOf(t, c, task.ID))
	pf, err := c.Files.GetPreviewFile(ctx, res.PreviewID)
	require.NoError(t, err)
	assert.Equal(t, "png", pf.Extension)
	assert.Equal(t, task.ID, pf.TaskID)
	cm, err = c.Task.GetComment(ctx, res.CommentID)
	require.NoError(t, err)
	assert.Contains(t, fmt.Sprint(cm.Extra["previews"]), res.PreviewID, "the preview is on the status comment")
	assert.Equal(t, []string{"uploading"}, p.labels)
	assert.Equal(t, fi.Size(), p.total)
	assert.Equal(t, fi.Size(), p.added)
	assert.Equal(t, 1, p.files)
	assert.Equal(t, 1, p.done)
	assert.Equal(t, 1, p.finished)

	// A movie with a status: Zou normalizes it with ffmpeg.
	movie := afterMovie(t)
	res, err = afterPublish(ctx, c, AfterOptions{TaskID: task.ID, Status: "wfa", Preview: movie, Comment: "turntable"})
	require.NoError(t, err)
	pf, err = c.Files.GetPreviewFile(ctx, res.PreviewID)
	require.NoError(t, err)
	assert.Equal(t, "mp4", pf.Extension)
	assert.Equal(t, wfa.ID, taskStatusOf(t, c, task.ID))

	// A movie Zou cannot read: the comment goes away and the task is
	// given back its status.
	bad := filepath.Join(t.TempDir(), "broken.mp4")
	require.NoError(t, os.WriteFile(bad, []byte("not a movie at all"), 0o644))
	before, err := c.Task.AllCommentsForTask(ctx, task.ID)
	require.NoError(t, err)
	p = recordProgress{}
	res, err = afterPublish(ctx, c, AfterOptions{TaskID: task.ID, Status: "done", Preview: bad, Progress: &p})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "broken.mp4")
	assert.Empty(t, res.CommentID)
	assert.Empty(t, res.PreviewID)
	assert.Equal(t, 0, p.done)
	assert.Equal(t, 1, p.finished)
	after, err := c.Task.AllCommentsForTask(ctx, task.ID)
	require.NoError(t, err)
	assert.Len(t, after, len(before))
	assert.Equal(t, wfa.ID, taskStatusOf(t, c, task.ID))

	// Refused before anything is posted.
	_, err = afterPublish(ctx, c, AfterOptions{TaskID: task.ID, Status: "no-such-status-xyz"})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), `"no-such-status-xyz"`)
	_, err = afterPublish(ctx, c, AfterOptions{TaskID: task.ID, Preview: filepath.Join(t.TempDir(), "missing.png")})
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = afterPublish(ctx, c, AfterOptions{TaskID: task.ID, Preview: "/etc/hostname"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "want a picture")
	other := kitsutest.NewAsset(t, c, at.Project.ID, at.Asset.EntityTypeID, "", "Rock")
	_, err = afterPublish(ctx, c, AfterOptions{EntityID: other.ID, TaskTypeID: modeling.ID, Status: "wfa"})
	require.ErrorIs(t, err, ErrNoTask)
	after2, err := c.Task.AllCommentsForTask(ctx, task.ID)
	require.NoError(t, err)
	assert.Len(t, after2, len(before))
}

// TestCheckPreview refuses what Zou would not turn into a picture or a
// movie, and what is not a regular file.
func TestCheckPreview(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"a.png", "b.JPG", "c.mov", "d.mp4"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o644))
		assert.NoError(t, CheckPreview(filepath.Join(dir, name)), name)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "e.exr"), []byte("x"), 0o644))
	assert.ErrorContains(t, CheckPreview(filepath.Join(dir, "e.exr")), "want a picture (jpe, jpeg, jpg, png) or a movie")
	assert.ErrorContains(t, CheckPreview(filepath.Join(dir, "noext")), "want a picture")
	require.NoError(t, os.Mkdir(filepath.Join(dir, "f.png"), 0o755))
	assert.ErrorContains(t, CheckPreview(filepath.Join(dir, "f.png")), "not a regular file")
	assert.ErrorIs(t, CheckPreview(filepath.Join(dir, "gone.png")), os.ErrNotExist)
}
