package kitsu_test

import (
	"bytes"
	"errors"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// commentUnknownID is a well-formed id that no record has.
const commentUnknownID = "00000000-0000-4000-8000-00000000c0de"

// commentTaskStatusID reads the task's status on the server.
func commentTaskStatusID(t *testing.T, c *kitsu.Client, taskID string) string {
	t.Helper()
	var task kitsu.Task
	require.NoError(t, c.FetchOne(kitsutest.Context(t), "tasks", taskID, &task, nil))
	return task.TaskStatusID
}

// commentWriteFile writes a file in a test directory and returns its path.
func commentWriteFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, content, 0o644))
	return p
}

// commentDownload fetches a route of the API and returns its bytes.
func commentDownload(t *testing.T, c *kitsu.Client, route string) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := c.DownloadTo(kitsutest.Context(t), route, &buf, nil)
	require.NoError(t, err, route)
	require.Equal(t, int64(buf.Len()), n)
	return buf.Bytes()
}

// commentAttachmentRoute is where Zou serves an attachment file.
func commentAttachmentRoute(f kitsu.AttachmentFile) string {
	return "data/attachment-files/" + f.ID + "/file/" + f.Name
}

// commentProgress records the last progress report of a transfer.
type commentProgress struct{ done, total, calls atomic.Int64 }

func (p *commentProgress) report(done, total int64) {
	p.done.Store(done)
	p.total.Store(total)
	p.calls.Add(1)
}

func TestTaskAddCommentChangesTaskStatus(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	f := kitsutest.NewAssetTask(t, c)
	todo := kitsutest.TaskStatusNamed(t, c, "todo")
	wip := kitsutest.TaskStatusNamed(t, c, "wip")
	wfa := kitsutest.TaskStatusNamed(t, c, "wfa")
	retake := kitsutest.TaskStatusNamed(t, c, "retake")
	me, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)
	require.Equal(t, todo.ID, commentTaskStatusID(t, c, f.Task.ID))

	started, err := c.Task.AddComment(ctx, f.Task.ID, wip.ID, "starting the blockout", &kitsu.AddCommentOptions{
		Checklist: []map[string]any{{"text": "silhouette", "checked": false}},
		Links:     []string{"https://example.com/ref"},
	})
	require.NoError(t, err)
	assert.NotEmpty(t, started.ID)
	assert.Equal(t, "starting the blockout", started.Text)
	assert.Equal(t, f.Task.ID, started.ObjectID)
	assert.Equal(t, wip.ID, started.TaskStatusID)
	require.NotNil(t, started.TaskStatus)
	assert.Equal(t, "wip", started.TaskStatus.ShortName)
	assert.Equal(t, me.ID, started.PersonID)
	require.Len(t, started.Checklist, 1)
	assert.Equal(t, "silhouette", started.Checklist[0]["text"])
	assert.Equal(t, []any{"https://example.com/ref"}, started.Extra["links"])
	assert.Equal(t, wip.ID, commentTaskStatusID(t, c, f.Task.ID), "the comment moved the task to WIP")

	// A manager may write in someone else's name...
	artist, _ := kitsutest.NewArtist(t, c)
	review, err := c.Task.AddComment(ctx, f.Task.ID, wfa.ID, "", &kitsu.AddCommentOptions{PersonID: artist.ID})
	require.NoError(t, err)
	assert.Equal(t, "", review.Text, "the text may be empty")
	assert.Equal(t, artist.ID, review.PersonID)
	assert.Equal(t, wfa.ID, commentTaskStatusID(t, c, f.Task.ID), "the comment moved the task to WFA")
	// ...and back-date a comment, which then leaves the status to the
	// newest one.
	when := time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC)
	old, err := c.Task.AddComment(ctx, f.Task.ID, retake.ID, "from the archive", &kitsu.AddCommentOptions{CreatedAt: when})
	require.NoError(t, err)
	assert.True(t, old.CreatedAt.Equal(when), "created_at %v, want %v", old.CreatedAt, when)
	assert.Equal(t, retake.ID, old.TaskStatusID)
	assert.Equal(t, wfa.ID, commentTaskStatusID(t, c, f.Task.ID), "an older comment does not set the status")

	// Bad arguments are refused before anything is sent.
	_, err = c.Task.AddComment(ctx, "not-an-id", wip.ID, "x", nil)
	kitsutest.RequireInvalid(t, err, "task id")
	_, err = c.Task.AddComment(ctx, f.Task.ID, "", "x", nil)
	kitsutest.RequireInvalid(t, err, "task status id")
	_, err = c.Task.AddComment(ctx, f.Task.ID, wip.ID, "x", &kitsu.AddCommentOptions{PersonID: "bob"})
	kitsutest.RequireInvalid(t, err, "person id")
	_, err = c.Task.AddComment(ctx, f.Task.ID, wip.ID, "x", &kitsu.AddCommentOptions{Attachments: []string{filepath.Join(t.TempDir(), "missing.txt")}})
	kitsutest.RequireInvalid(t, err, "attachment")

	_, err = c.Task.AddComment(ctx, commentUnknownID, wip.ID, "x", nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	all, err := c.Task.AllCommentsForTask(ctx, f.Task.ID)
	require.NoError(t, err)
	assert.Len(t, all, 3, "refused comments left nothing behind")
}

func TestTaskAddCommentWithAttachmentsAndAddAttachmentFiles(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	f := kitsutest.NewAssetTask(t, c)
	wfa := kitsutest.TaskStatusNamed(t, c, "wfa")

	first := []byte("notes about the tree\n")
	second := append([]byte{0x00, 0xff, 0x10}, bytes.Repeat([]byte("bark"), 4096)...)
	paths := []string{commentWriteFile(t, "notes.txt", first), commentWriteFile(t, "bark.bin", second)}
	var progress commentProgress
	comment, err := c.Task.AddComment(ctx, f.Task.ID, wfa.ID, "files attached", &kitsu.AddCommentOptions{
		Attachments: paths,
		Checklist:   []map[string]any{{"text": "check the bark", "checked": true}},
		Links:       []string{"https://example.com/a"},
		Progress:    progress.report,
	})
	require.NoError(t, err)
	assert.Equal(t, wfa.ID, commentTaskStatusID(t, c, f.Task.ID), "a multipart comment changes the status too")
	require.Len(t, comment.Checklist, 1)
	assert.Equal(t, true, comment.Checklist[0]["checked"])
	assert.Equal(t, []any{"https://example.com/a"}, comment.Extra["links"])
	require.Len(t, comment.AttachmentFiles, 2)
	assert.Equal(t, []string{"notes.txt", "bark.bin"}, []string{comment.AttachmentFiles[0].Name, comment.AttachmentFiles[1].Name}, "sent in the order given")
	assert.Equal(t, int64(len(first)+len(second)), progress.done.Load())
	assert.Equal(t, progress.total.Load(), progress.done.Load())
	for i, want := range [][]byte{first, second} {
		assert.Equal(t, int64(len(want)), comment.AttachmentFiles[i].Size)
		assert.Equal(t, want, commentDownload(t, c, commentAttachmentRoute(comment.AttachmentFiles[i])), "attachment %d came back byte for byte", i)
	}

	// More files on the same comment.
	third := bytes.Repeat([]byte{1, 2, 3, 4, 5, 6, 7}, 10000)
	fourth := []byte("{\"frame\": 12}")
	more := []string{commentWriteFile(t, "cache.raw", third), commentWriteFile(t, "frame.json", fourth)}
	var moreProgress commentProgress
	added, err := c.Task.AddAttachmentFilesToComment(ctx, f.Task.ID, comment.ID, more, &kitsu.AddAttachmentFilesOptions{Progress: moreProgress.report})
	require.NoError(t, err)
	require.Len(t, added, 2)
	assert.Equal(t, []string{"cache.raw", "frame.json"}, []string{added[0].Name, added[1].Name})
	assert.Equal(t, int64(len(third)+len(fourth)), moreProgress.done.Load())
	for i, want := range [][]byte{third, fourth} {
		assert.Equal(t, want, commentDownload(t, c, commentAttachmentRoute(added[i])), "added attachment %d came back byte for byte", i)
	}
	got, err := c.Task.GetComment(ctx, comment.ID)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"notes.txt", "bark.bin", "cache.raw", "frame.json"},
		kitsutest.IDs(got.AttachmentFiles, func(a *kitsu.AttachmentFile) string { return a.Name }))

	// One file alone.
	single, err := c.Task.AddAttachmentFilesToComment(ctx, f.Task.ID, comment.ID, more[1:], nil)
	require.NoError(t, err)
	require.Len(t, single, 1)
	assert.Equal(t, fourth, commentDownload(t, c, commentAttachmentRoute(single[0])))

	// Bad input, and a comment that is not on the task.
	_, err = c.Task.AddAttachmentFilesToComment(ctx, f.Task.ID, comment.ID, nil, nil)
	kitsutest.RequireInvalid(t, err, "attachment")
	_, err = c.Task.AddAttachmentFilesToComment(ctx, f.Task.ID, comment.ID, []string{t.TempDir()}, nil)
	kitsutest.RequireInvalid(t, err, "attachment")
	_, err = c.Task.AddAttachmentFilesToComment(ctx, f.Task.ID, "x", more, nil)
	kitsutest.RequireInvalid(t, err, "comment id")
	other := kitsutest.NewTask(t, c, f.Project.ID, f.Asset.ID, kitsutest.TaskTypeNamed(t, c, "Shading").ID, "main")
	_, err = c.Task.AddAttachmentFilesToComment(ctx, other.ID, comment.ID, more, nil)
	require.ErrorIs(t, err, kitsu.ErrNotAllowed)
	_, err = c.Task.AddAttachmentFilesToComment(ctx, f.Task.ID, commentUnknownID, more, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
}

func TestTaskGetCommentsAndRemoveComment(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	f := kitsutest.NewAssetTask(t, c)
	todo := kitsutest.TaskStatusNamed(t, c, "todo")
	wip := kitsutest.TaskStatusNamed(t, c, "wip")
	wfa := kitsutest.TaskStatusNamed(t, c, "wfa")

	_, err := c.Task.GetLastCommentForTask(ctx, f.Task.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound, "a task without comments")
	none, err := c.Task.AllCommentsForTask(ctx, f.Task.ID)
	require.NoError(t, err)
	require.NotNil(t, none)
	require.Empty(t, none)

	older, err := c.Task.AddComment(ctx, f.Task.ID, wip.ID, "first", nil)
	require.NoError(t, err)
	time.Sleep(1100 * time.Millisecond) // Zou orders comments by creation time
	newer, err := c.Task.AddComment(ctx, f.Task.ID, wfa.ID, "second", nil)
	require.NoError(t, err)

	all, err := c.Task.AllCommentsForTask(ctx, f.Task.ID)
	require.NoError(t, err)
	require.Equal(t, []string{newer.ID, older.ID}, kitsutest.IDs(all, func(c *kitsu.Comment) string { return c.ID }), "newest first")
	assert.Equal(t, []string{"second", "first"}, []string{all[0].Text, all[1].Text})
	require.NotNil(t, all[0].Person)
	assert.Equal(t, newer.PersonID, all[0].Person.ID)

	last, err := c.Task.GetLastCommentForTask(ctx, f.Task.ID)
	require.NoError(t, err)
	assert.Equal(t, newer.ID, last.ID)

	got, err := c.Task.GetComment(ctx, older.ID)
	require.NoError(t, err)
	assert.Equal(t, "first", got.Text)
	assert.Equal(t, wip.ID, got.TaskStatusID)
	assert.Equal(t, f.Task.ID, got.ObjectID)

	// Removing the newest comment gives the task back the status of the
	// one before.
	require.Equal(t, wfa.ID, commentTaskStatusID(t, c, f.Task.ID))
	require.NoError(t, c.Task.RemoveComment(ctx, newer.ID))
	assert.Equal(t, wip.ID, commentTaskStatusID(t, c, f.Task.ID))
	_, err = c.Task.GetComment(ctx, newer.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	last, err = c.Task.GetLastCommentForTask(ctx, f.Task.ID)
	require.NoError(t, err)
	assert.Equal(t, older.ID, last.ID)
	require.NoError(t, c.Task.RemoveComment(ctx, older.ID))
	assert.Equal(t, todo.ID, commentTaskStatusID(t, c, f.Task.ID), "without comments the task is back to its default status")

	err = c.Task.RemoveComment(ctx, older.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.GetComment(ctx, commentUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Task.AllCommentsForTask(ctx, commentUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	kitsutest.RequireInvalid(t, c.Task.RemoveComment(ctx, ""), "comment id")
	_, err = c.Task.GetComment(ctx, "42")
	kitsutest.RequireInvalid(t, err, "comment id")
	_, err = c.Task.AllCommentsForTask(ctx, "42")
	kitsutest.RequireInvalid(t, err, "task id")
	_, err = c.Task.GetLastCommentForTask(ctx, "42")
	kitsutest.RequireInvalid(t, err, "task id")
}

func TestTaskUpdateComment(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	f := kitsutest.NewAssetTask(t, c)
	wip := kitsutest.TaskStatusNamed(t, c, "wip")
	wfa := kitsutest.TaskStatusNamed(t, c, "wfa")
	retake := kitsutest.TaskStatusNamed(t, c, "retake")

	comment, err := c.Task.AddComment(ctx, f.Task.ID, wfa.ID, "ready for review", nil)
	require.NoError(t, err)
	updated, err := c.Task.UpdateComment(ctx, comment.ID, kitsu.CommentChanges{
		Text:         kitsu.Ptr("ready for review (v2)"),
		Checklist:    []map[string]any{{"text": "uvs", "checked": true}},
		Data:         map[string]any{"frame": float64(12)},
		TaskStatusID: kitsu.Ptr(retake.ID),
	})
	require.NoError(t, err)
	assert.Equal(t, comment.ID, updated.ID)
	assert.Equal(t, "ready for review (v2)", updated.Text)
	assert.Equal(t, retake.ID, updated.TaskStatusID)
	assert.Equal(t, map[string]any{"frame": float64(12)}, updated.Data)
	assert.Equal(t, retake.ID, commentTaskStatusID(t, c, f.Task.ID), "the new status of the newest comment is the task's")
	stored, err := c.Task.GetComment(ctx, comment.ID)
	require.NoError(t, err)
	assert.Equal(t, "ready for review (v2)", stored.Text)
	require.Len(t, stored.Checklist, 1)
	assert.Equal(t, "uvs", stored.Checklist[0]["text"])

	// Data replaces the whole dict, as Zou does for comments.
	_, err = c.Task.UpdateComment(ctx, comment.ID, kitsu.CommentChanges{Data: map[string]any{"other": "x"}})
	require.NoError(t, err)
	stored, err = c.Task.GetComment(ctx, comment.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"other": "x"}, stored.Data)

	// An artist edits the text of their own comment: only the text is
	// sent, while Zou refuses to artists an update naming for_client.
	artist, ac := kitsutest.NewArtist(t, c)
	kitsutest.AssignTask(t, c, f.Task.ID, artist.ID)
	own, err := ac.Task.AddComment(ctx, f.Task.ID, wip.ID, "typo hre", nil)
	require.NoError(t, err)
	assert.Equal(t, artist.ID, own.PersonID)
	fixed, err := ac.Task.UpdateComment(ctx, own.ID, kitsu.CommentChanges{Text: kitsu.Ptr("typo here")})
	require.NoError(t, err)
	assert.Equal(t, "typo here", fixed.Text)
	_, err = ac.Task.UpdateComment(ctx, own.ID, kitsu.CommentChanges{ForClient: kitsu.Ptr(true)})
	require.ErrorIs(t, err, kitsu.ErrNotAllowed)
	// ...but not someone else's.
	_, err = ac.Task.UpdateComment(ctx, comment.ID, kitsu.CommentChanges{Text: kitsu.Ptr("rewritten by an artist")})
	require.ErrorIs(t, err, kitsu.ErrNotAllowed)

	_, err = c.Task.UpdateComment(ctx, "", kitsu.CommentChanges{Text: kitsu.Ptr("x")})
	kitsutest.RequireInvalid(t, err, "comment id")
	_, err = c.Task.UpdateComment(ctx, comment.ID, kitsu.CommentChanges{TaskStatusID: kitsu.Ptr("wip")})
	kitsutest.RequireInvalid(t, err, "comment changes TaskStatusID")
	_, err = c.Task.UpdateComment(ctx, comment.ID, kitsu.CommentChanges{})
	kitsutest.RequireInvalid(t, err, "comment changes")
	_, err = c.Task.UpdateComment(ctx, commentUnknownID, kitsu.CommentChanges{Text: kitsu.Ptr("x")})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
}

// TestTaskUpdateCommentChangesOnlyWhatIsSet: a comment with every field
// set (pinned, for the client, with data, a checklist and a status) keeps
// them all when only its text changes.
func TestTaskUpdateCommentChangesOnlyWhatIsSet(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	f := kitsutest.NewAssetTask(t, c)
	wfa := kitsutest.TaskStatusNamed(t, c, "wfa")
	retake := kitsutest.TaskStatusNamed(t, c, "retake")
	comment, err := c.Task.AddComment(ctx, f.Task.ID, wfa.ID, "first", nil)
	require.NoError(t, err)

	_, err = c.Task.UpdateComment(ctx, comment.ID, kitsu.CommentChanges{
		Text:         kitsu.Ptr("every field set"),
		Data:         map[string]any{"frame": 12.0},
		Checklist:    []map[string]any{{"text": "uvs", "checked": true}},
		Pinned:       kitsu.Ptr(true),
		ForClient:    kitsu.Ptr(true),
		TaskStatusID: kitsu.Ptr(retake.ID),
	})
	require.NoError(t, err)
	before, err := c.Task.GetComment(ctx, comment.ID)
	require.NoError(t, err)
	require.Equal(t, "every field set", before.Text)
	require.Equal(t, map[string]any{"frame": 12.0}, before.Data)
	require.Len(t, before.Checklist, 1)
	require.True(t, before.Pinned)
	require.True(t, before.ForClient)
	require.Equal(t, retake.ID, before.TaskStatusID)

	_, err = c.Task.UpdateComment(ctx, comment.ID, kitsu.CommentChanges{Text: kitsu.Ptr("only this")})
	require.NoError(t, err)
	after, err := c.Task.GetComment(ctx, comment.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, before, after, commentBase, func(cm *kitsu.Comment) { cm.Text = "only this" })

	_, err = c.Task.UpdateComment(ctx, comment.ID, kitsu.CommentChanges{Pinned: kitsu.Ptr(false)})
	require.NoError(t, err)
	again, err := c.Task.GetComment(ctx, comment.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, after, again, commentBase, func(cm *kitsu.Comment) { cm.Pinned = false })

	// An empty, non-nil checklist empties it.
	_, err = c.Task.UpdateComment(ctx, comment.ID, kitsu.CommentChanges{Checklist: []map[string]any{}})
	require.NoError(t, err)
	emptied, err := c.Task.GetComment(ctx, comment.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, again, emptied, commentBase, func(cm *kitsu.Comment) { cm.Checklist = emptied.Checklist })
	assert.Empty(t, emptied.Checklist)
}

func commentBase(cm *kitsu.Comment) *kitsu.Base { return &cm.Base }

// commentMovie makes a short movie with ffmpeg, skipping the caller when
// ffmpeg is missing (failing it under CI).
func commentMovie(t *testing.T, name string, withSound bool) string {
	t.Helper()
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		if kitsutest.Required() {
			t.Fatalf("ffmpeg is needed to make a test movie: %v", err)
		}
		t.Skipf("skipping the movie preview: ffmpeg is not installed (%v)", err)
	}
	out := filepath.Join(t.TempDir(), name)
	args := []string{"-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=12"}
	if withSound {
		args = append(args, "-f", "lavfi", "-i", "sine=duration=1", "-shortest")
	}
	args = append(args, "-pix_fmt", "yuv420p", out)
	cmd := exec.CommandContext(kitsutest.Context(t), ffmpeg, args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg %v: %v\n%s", args, err, b)
	}
	return out
}

func TestTaskAddPreviewPictureAndMovie(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	f := kitsutest.NewAssetTask(t, c)
	wfa := kitsutest.TaskStatusNamed(t, c, "wfa")
	comment, err := c.Task.AddComment(ctx, f.Task.ID, wfa.ID, "first pass", nil)
	require.NoError(t, err)

	pngBytes, img := kitsutest.NewPNG(t, 64, 48)
	picture := commentWriteFile(t, "tree_v001.png", pngBytes)
	var progress commentProgress
	pf, err := c.Task.AddPreview(ctx, f.Task.ID, comment.ID, picture, &kitsu.AddPreviewOptions{Progress: progress.report})
	require.NoError(t, err)
	assert.Equal(t, "png", pf.Extension)
	assert.Equal(t, "ready", pf.Status)
	assert.Equal(t, "tree_v001", pf.OriginalName)
	assert.Equal(t, 1, pf.Revision)
	assert.Equal(t, 64, pf.Width)
	assert.Equal(t, 48, pf.Height)
	assert.Equal(t, f.Task.ID, pf.TaskID)
	assert.Equal(t, int64(len(pngBytes)), progress.done.Load(), "progress counts the whole file")
	assert.Positive(t, progress.calls.Load())

	// The picture comes back: Zou re-encodes it, so compare the pixels.
	back := commentDownload(t, c, "pictures/originals/preview-files/"+pf.ID+".png")
	decoded, err := png.Decode(bytes.NewReader(back))
	require.NoError(t, err)
	require.Equal(t, img.Bounds(), decoded.Bounds())
	for _, pt := range []image.Point{{0, 0}, {63, 0}, {0, 47}, {31, 23}, {63, 47}} {
		r1, g1, b1, _ := img.At(pt.X, pt.Y).RGBA()
		r2, g2, b2, _ := decoded.At(pt.X, pt.Y).RGBA()
		assert.Equal(t, [3]uint32{r1, g1, b1}, [3]uint32{r2, g2, b2}, "pixel %v", pt)
	}

	// The preview becomes the asset's thumbnail.
	entity, err := c.Task.SetMainPreview(ctx, pf.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, f.Asset.ID, entity.ID)
	assert.Equal(t, pf.ID, entity.PreviewFileID)
	_, err = c.Task.SetMainPreview(ctx, pf.ID, &kitsu.SetMainPreviewOptions{FrameNumber: new(2)})
	require.ErrorIs(t, err, kitsu.ErrParameter, "a frame of a picture")
	_, err = c.Task.SetMainPreview(ctx, pf.ID, &kitsu.SetMainPreviewOptions{FrameNumber: new(-1)})
	kitsutest.RequireInvalid(t, err, "frame number")
	_, err = c.Task.SetMainPreview(ctx, "pf", nil)
	kitsutest.RequireInvalid(t, err, "preview file id")
	_, err = c.Task.SetMainPreview(ctx, commentUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	// A movie uploaded as it is comes back byte for byte.
	t.Run("movie", func(t *testing.T) {
		movie := commentMovie(t, "tree_turn.mp4", false)
		movieBytes, err := os.ReadFile(movie)
		require.NoError(t, err)
		var mp commentProgress
		mv, err := c.Task.AddPreview(ctx, f.Task.ID, comment.ID, movie, &kitsu.AddPreviewOptions{NoNormalize: true, Progress: mp.report})
		require.NoError(t, err)
		assert.Equal(t, "mp4", mv.Extension)
		assert.Equal(t, "ready", mv.Status)
		assert.Equal(t, 1, mv.Revision, "a second preview of the comment keeps its revision")
		assert.Equal(t, 2, mv.Position)
		assert.Equal(t, int64(len(movieBytes)), mp.done.Load())
		assert.Equal(t, movieBytes, commentDownload(t, c, "movies/originals/preview-files/"+mv.ID+".mp4"))

		// A normalized movie is re-encoded by Zou.
		sound := commentMovie(t, "tree_sound.mp4", true)
		norm, err := c.Task.AddPreview(ctx, f.Task.ID, comment.ID, sound, nil)
		require.NoError(t, err)
		assert.Equal(t, "mp4", norm.Extension)
		assert.Equal(t, "ready", norm.Status)
		assert.Equal(t, 3, norm.Position)
		assert.NotEmpty(t, commentDownload(t, c, "movies/originals/preview-files/"+norm.ID+".mp4"))

		// Zou 1.0.97 cannot normalize a silent one-second movie: the
		// preview is broken, and AddPreview says so.
		silent, err := c.Task.AddPreview(ctx, f.Task.ID, comment.ID, movie, nil)
		if err != nil {
			require.ErrorIs(t, err, kitsu.ErrUploadFailed)
			require.NotNil(t, silent)
			assert.Equal(t, kitsu.PreviewStatusBroken, silent.Status)
			t.Logf("Zou could not normalize the silent movie: %v", err)
		} else {
			assert.Equal(t, "ready", silent.Status)
		}
	})
}

func TestTaskCreatePreviewAndAddPreviewInputs(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	f := kitsutest.NewAssetTask(t, c)
	wip := kitsutest.TaskStatusNamed(t, c, "wip")
	first, err := c.Task.AddComment(ctx, f.Task.ID, wip.ID, "v5", nil)
	require.NoError(t, err)
	second, err := c.Task.AddComment(ctx, f.Task.ID, wip.ID, "next", nil)
	require.NoError(t, err)

	pf, err := c.Task.CreatePreview(ctx, f.Task.ID, first.ID, &kitsu.CreatePreviewOptions{Revision: new(5)})
	require.NoError(t, err)
	assert.Equal(t, 5, pf.Revision)
	assert.Equal(t, 1, pf.Position)
	assert.Equal(t, f.Task.ID, pf.TaskID)
	assert.Equal(t, "processing", pf.Status, "nothing uploaded yet")
	extra, err := c.Task.CreatePreview(ctx, f.Task.ID, first.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, 5, extra.Revision, "the comment's revision")
	assert.Equal(t, 2, extra.Position)
	next, err := c.Task.CreatePreview(ctx, f.Task.ID, second.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, 6, next.Revision, "the task's next revision")
	_, err = c.Task.CreatePreview(ctx, f.Task.ID, second.ID, &kitsu.CreatePreviewOptions{Revision: new(-1)})
	kitsutest.RequireInvalid(t, err, "revision")
	third, err := c.Task.AddComment(ctx, f.Task.ID, wip.ID, "reuse", nil)
	require.NoError(t, err)
	_, err = c.Task.CreatePreview(ctx, f.Task.ID, third.ID, &kitsu.CreatePreviewOptions{Revision: new(5)})
	require.Error(t, err, "revision 5 is taken on this task")
	var reply *kitsu.Error
	require.ErrorAs(t, err, &reply)
	_, err = c.Task.CreatePreview(ctx, f.Task.ID, "c", nil)
	kitsutest.RequireInvalid(t, err, "comment id")

	// A picture from a URL.
	pngBytes, _ := kitsutest.NewPNG(t, 32, 32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/renders/tree.png" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngBytes)
	}))
	t.Cleanup(srv.Close)
	fromURL, err := c.Task.AddPreview(ctx, f.Task.ID, third.ID, "", &kitsu.AddPreviewOptions{URL: srv.URL + "/renders/tree.png", Revision: new(9)})
	require.NoError(t, err)
	assert.Equal(t, "png", fromURL.Extension)
	assert.Equal(t, "tree", fromURL.OriginalName)
	assert.Equal(t, 9, fromURL.Revision)
	assert.Equal(t, 32, fromURL.Width)
	_, err = c.Task.AddPreview(ctx, f.Task.ID, third.ID, "", &kitsu.AddPreviewOptions{URL: srv.URL + "/renders/gone.png"})
	require.ErrorIs(t, err, kitsu.ErrDownloadFailed)

	// Bad input is refused before a preview is created.
	_, err = c.Task.AddPreview(ctx, f.Task.ID, third.ID, "", nil)
	kitsutest.RequireInvalid(t, err, "preview file path")
	_, err = c.Task.AddPreview(ctx, f.Task.ID, third.ID, filepath.Join(t.TempDir(), "missing.png"), nil)
	kitsutest.RequireInvalid(t, err, "preview file path")
	_, err = c.Task.AddPreview(ctx, f.Task.ID, third.ID, commentWriteFile(t, "noextension", pngBytes), nil)
	kitsutest.RequireInvalid(t, err, "preview file path")
	_, err = c.Task.AddPreview(ctx, f.Task.ID, third.ID, "", &kitsu.AddPreviewOptions{URL: "ftp://example.com/a.png"})
	kitsutest.RequireInvalid(t, err, "preview file URL")
	_, err = c.Task.AddPreview(ctx, f.Task.ID, third.ID, "", &kitsu.AddPreviewOptions{URL: srv.URL + "/renders/"})
	kitsutest.RequireInvalid(t, err, "preview file URL")
	_, err = c.Task.AddPreview(ctx, f.Task.ID, third.ID, commentWriteFile(t, "a.png", pngBytes), &kitsu.AddPreviewOptions{Revision: new(-3)})
	kitsutest.RequireInvalid(t, err, "revision")
	previews := func() int {
		var pfs []kitsu.PreviewFile
		require.NoError(t, c.Get(ctx, "data/tasks/"+f.Task.ID+"/previews", &pfs, nil))
		return len(pfs)
	}
	before := previews()

	// A kind of file Zou does not take: the preview created for it goes.
	_, err = c.Task.AddPreview(ctx, f.Task.ID, third.ID, commentWriteFile(t, "notes.xyz", []byte("not a preview")), nil)
	require.ErrorIs(t, err, kitsu.ErrParameter)
	assert.Equal(t, before, previews(), "no empty preview is left behind")
}

func TestTaskTimeSpent(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	f := kitsutest.NewAssetTask(t, c)
	artist, ac := kitsutest.NewArtist(t, c)
	kitsutest.AssignTask(t, c, f.Task.ID, artist.ID)

	empty, err := c.Task.GetTimeSpent(ctx, f.Task.ID, nil)
	require.NoError(t, err)
	assert.Zero(t, empty.Total)
	assert.Empty(t, empty.Persons)

	set, err := c.Task.SetTimeSpent(ctx, f.Task.ID, artist.ID, "2024-03-05", 60)
	require.NoError(t, err)
	assert.Equal(t, 60.0, set.Duration)
	assert.Equal(t, "2024-03-05", set.Date)
	assert.Equal(t, artist.ID, set.PersonID)
	assert.Equal(t, f.Task.ID, set.TaskID)
	added, err := c.Task.AddTimeSpent(ctx, f.Task.ID, artist.ID, "2024-03-05", 30)
	require.NoError(t, err)
	assert.Equal(t, set.ID, added.ID, "the same entry")
	assert.Equal(t, 90.0, added.Duration, "60 + 30")
	// The artist logs their own time on another day.
	own, err := ac.Task.AddTimeSpent(ctx, f.Task.ID, artist.ID, "2024-03-06", 15.5)
	require.NoError(t, err)
	assert.Equal(t, 15.5, own.Duration)

	all, err := c.Task.GetTimeSpent(ctx, f.Task.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, 105.5, all.Total)
	require.Len(t, all.Persons[artist.ID], 2)
	sum := 0.0
	for _, ts := range all.Persons[artist.ID] {
		sum += ts.Duration
	}
	assert.Equal(t, all.Total, sum)
	day, err := c.Task.GetTimeSpent(ctx, f.Task.ID, &kitsu.GetTimeSpentOptions{Date: "2024-03-05"})
	require.NoError(t, err)
	assert.Equal(t, 90.0, day.Total)
	require.Len(t, day.Persons[artist.ID], 1)
	assert.Equal(t, "2024-03-05", day.Persons[artist.ID][0].Date)
	none, err := c.Task.GetTimeSpent(ctx, f.Task.ID, &kitsu.GetTimeSpentOptions{Date: "2024-03-07"})
	require.NoError(t, err)
	assert.Zero(t, none.Total)

	// Setting replaces.
	reset, err := c.Task.SetTimeSpent(ctx, f.Task.ID, artist.ID, "2024-03-05", 45)
	require.NoError(t, err)
	assert.Equal(t, 45.0, reset.Duration)
	all, err = c.Task.GetTimeSpent(ctx, f.Task.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, 60.5, all.Total)

	// Time is logged only for people assigned to the task.
	me, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)
	_, err = c.Task.SetTimeSpent(ctx, f.Task.ID, me.ID, "2024-03-05", 10)
	require.ErrorIs(t, err, kitsu.ErrNotAllowed)

	for _, bad := range []string{"2024-3-5", "05/03/2024", "", "2024-02-30"} {
		_, err = c.Task.SetTimeSpent(ctx, f.Task.ID, artist.ID, bad, 10)
		kitsutest.RequireInvalid(t, err, "date")
		_, err = c.Task.GetTimeSpent(ctx, f.Task.ID, &kitsu.GetTimeSpentOptions{Date: bad + "x"})
		kitsutest.RequireInvalid(t, err, "date")
	}
	_, err = c.Task.AddTimeSpent(ctx, f.Task.ID, artist.ID, "2024-03-05", 0)
	kitsutest.RequireInvalid(t, err, "duration")
	_, err = c.Task.SetTimeSpent(ctx, f.Task.ID, artist.ID, "2024-03-05", -5)
	kitsutest.RequireInvalid(t, err, "duration")
	_, err = c.Task.AddTimeSpent(ctx, f.Task.ID, "", "2024-03-05", 5)
	kitsutest.RequireInvalid(t, err, "person id")
	_, err = c.Task.GetTimeSpent(ctx, "t", nil)
	kitsutest.RequireInvalid(t, err, "task id")
	_, err = c.Task.GetTimeSpent(ctx, commentUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
}

func TestTaskTaskToReview(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	f := kitsutest.NewAssetTask(t, c)
	todo := kitsutest.TaskStatusNamed(t, c, "todo")
	wfa := kitsutest.TaskStatusNamed(t, c, "wfa")
	artist, _ := kitsutest.NewArtist(t, c)

	task, err := c.Task.TaskToReview(ctx, f.Task.ID, artist.ID, "please review the topology", nil)
	require.NoError(t, err)
	assert.Equal(t, f.Task.ID, task.ID)
	assert.Equal(t, wfa.ID, task.TaskStatusID)
	assert.Equal(t, wfa.ID, commentTaskStatusID(t, c, f.Task.ID))
	last, err := c.Task.GetLastCommentForTask(ctx, f.Task.ID)
	require.NoError(t, err)
	assert.Equal(t, "please review the topology", last.Text)
	assert.Equal(t, artist.ID, last.PersonID, "written by the person given")

	// KeepStatus records the note and leaves the status alone.
	other := kitsutest.NewTask(t, c, f.Project.ID, f.Asset.ID, kitsutest.TaskTypeNamed(t, c, "Shading").ID, "main")
	kept, err := c.Task.TaskToReview(ctx, other.ID, artist.ID, "not yet", &kitsu.TaskToReviewOptions{KeepStatus: true})
	require.NoError(t, err)
	assert.Equal(t, todo.ID, kept.TaskStatusID)
	last, err = c.Task.GetLastCommentForTask(ctx, other.ID)
	require.NoError(t, err)
	assert.Equal(t, "not yet", last.Text)

	_, err = c.Task.TaskToReview(ctx, f.Task.ID, "artist", "x", nil)
	kitsutest.RequireInvalid(t, err, "person id")
	_, err = c.Task.TaskToReview(ctx, "", artist.ID, "x", nil)
	kitsutest.RequireInvalid(t, err, "task id")
	_, err = c.Task.TaskToReview(ctx, commentUnknownID, artist.ID, "x", nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	if errors.Is(err, kitsu.ErrInvalidArgument) {
		t.Fatal("an unknown task is not a bad argument")
	}
}
