package kitsu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// This file holds the comment, preview and time-spent part of gazu's task
// module: what is said on a task, shown for review on it, and logged on it.
// The rest of the task module lives in task.go.

// TaskTimeSpent is the time logged on a task, as GetTimeSpent returns it.
type TaskTimeSpent struct {
	// Total is the sum of the entries, in minutes.
	Total float64 `json:"total"`
	// Persons holds each person's entries, by person id.
	Persons map[string][]TimeSpent `json:"-"`
}

// UnmarshalJSONFrom reads Zou's reply, an object whose "total" member is
// the sum and whose other members are person ids.
func (m *TaskTimeSpent) UnmarshalJSONFrom(d *jsontext.Decoder) error {
	tok, err := d.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return fmt.Errorf("kitsu: TaskTimeSpent: want a JSON object, got %s", tok.Kind())
	}
	m.Total, m.Persons = 0, map[string][]TimeSpent{}
	for d.PeekKind() != '}' {
		tok, err := d.ReadToken()
		if err != nil {
			return err
		}
		name := tok.String() // read before the decoder moves on
		if name == "total" {
			if err := json.UnmarshalDecode(d, &m.Total); err != nil {
				return fmt.Errorf("kitsu: TaskTimeSpent.total: %w", err)
			}
			continue
		}
		var entries []TimeSpent
		if err := json.UnmarshalDecode(d, &entries); err != nil {
			return fmt.Errorf("kitsu: TaskTimeSpent[%s]: %w", name, err)
		}
		m.Persons[name] = entries
	}
	_, err = d.ReadToken()
	return err
}

// zouCommentDate is the form of created_at Zou reads first for a comment.
const zouCommentDate = "2006-01-02 15:04:05"

// checkDay accepts a day written YYYY-MM-DD, as the time-spent routes
// want it (Zou answers 500 to some malformed dates).
func checkTimeSpentDay(what, day string) error {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return invalidArg(what, day, "a day written YYYY-MM-DD, such as 2024-03-05")
	}
	return nil
}

// checkFiles refuses an empty list of paths and paths that are not
// regular files, before anything is sent.
func checkUploadPaths(what string, paths []string) error {
	if len(paths) == 0 {
		return invalidArg(what, "[]", "at least one file path")
	}
	for _, p := range paths {
		if err := checkUploadPath(what, p); err != nil {
			return err
		}
	}
	return nil
}

func checkUploadPath(what, p string) error {
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return invalidArg(what, p, "the path of a readable regular file")
	}
	return nil
}

// checkPreviewRevision accepts a nil (let Zou choose) or non-negative revision.
func checkPreviewRevision(revision *int) error {
	if revision != nil && *revision < 0 {
		return invalidArg("revision", *revision, "0 or more (or nil to let Zou pick the next one)")
	}
	return nil
}

// AddCommentOptions are the optional parts of AddComment. The zero value
// is gazu's default: the comment is written by the logged-in user, now,
// with no checklist, links or attachments, and hidden from clients.
type AddCommentOptions struct {
	// PersonID makes that person the author. Zou takes it from managers
	// and admins only, and ignores it for everyone else.
	PersonID string
	// Checklist items, such as {"text": "Fix the hands", "checked": false}.
	Checklist []map[string]any
	// Links are URLs attached to the comment.
	Links []string
	// Attachments are paths of files attached to the comment, streamed
	// from disk.
	Attachments []string
	// CreatedAt dates the comment (managers only; the zero time is now).
	// A comment dated before the task's newest one does not change the
	// task's status: Zou keeps the status of the newest comment.
	CreatedAt time.Time
	// ForClient makes the comment visible to clients (managers only).
	ForClient bool
	// Progress, if set, is told how many bytes of the attachments are sent.
	Progress Progress
}

// AddComment posts a comment on a task and sets the task's status to
// taskStatusID: in Kitsu every comment carries the status the task has
// from then on (give the task's current status to leave it as it is).
// text may be empty. It returns the comment, with its TaskStatus, Person
// and AttachmentFiles filled.
//
// It calls POST /actions/tasks/{task_id}/comment, as JSON, or as a
// multipart form when there are attachments, and mirrors
// gazu.task.add_comment. The text is a positional argument, not an
// option: it is what a comment is for, and "" keeps gazu's default.
// Unlike gazu, attachments are sent in the order given (gazu sends the
// last one first) and links are sent as JSON in a multipart form too
// (gazu 1.1.12 does not encode them, which Zou refuses).
func (s *TaskService) AddComment(ctx context.Context, taskID, taskStatusID, text string, opts *AddCommentOptions) (*Comment, error) {
	if err := checkIDs("task id", taskID, "task status id", taskStatusID); err != nil {
		return nil, err
	}
	var o AddCommentOptions
	if opts != nil {
		o = *opts
	}
	if o.PersonID != "" {
		if err := checkID("person id", o.PersonID); err != nil {
			return nil, err
		}
	}
	if len(o.Attachments) > 0 {
		if err := checkUploadPaths("attachment", o.Attachments); err != nil {
			return nil, err
		}
	}
	checklist := o.Checklist
	if checklist == nil {
		checklist = []map[string]any{}
	}
	links := o.Links
	if links == nil {
		links = []string{}
	}
	route := pathOf("actions/tasks", taskID, "comment")
	var created Comment
	if len(o.Attachments) == 0 {
		body := map[string]any{
			"task_status_id": taskStatusID,
			"comment":        text,
			"checklist":      checklist,
			"links":          links,
			"for_client":     o.ForClient,
		}
		if o.PersonID != "" {
			body["person_id"] = o.PersonID
		}
		if !o.CreatedAt.IsZero() {
			body["created_at"] = o.CreatedAt.UTC().Format(zouCommentDate)
		}
		if err := (*service)(s).post(ctx, route, body, &created); err != nil {
			return nil, err
		}
		return &created, nil
	}
	checklistJSON, err := json.Marshal(checklist)
	if err != nil {
		return nil, invalidArg("checklist", fmt.Sprint(checklist), "items that can be written as JSON")
	}
	linksJSON, err := json.Marshal(links)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{
		"task_status_id": taskStatusID,
		"comment":        text,
		"checklist":      string(checklistJSON),
		"links":          string(linksJSON),
		"for_client":     fmt.Sprint(o.ForClient),
	}
	if o.PersonID != "" {
		fields["person_id"] = o.PersonID
	}
	if !o.CreatedAt.IsZero() {
		fields["created_at"] = o.CreatedAt.UTC().Format(zouCommentDate)
	}
	up := &UploadOptions{Fields: fields, ExtraFiles: o.Attachments[1:], Progress: o.Progress}
	if err := s.c.Upload(ctx, route, o.Attachments[0], &created, up); err != nil {
		return nil, err
	}
	return &created, nil
}

// AddAttachmentFilesOptions are the optional parts of
// AddAttachmentFilesToComment. The zero value reports no progress.
type AddAttachmentFilesOptions struct {
	// Progress, if set, is told how many bytes of the files are sent.
	Progress Progress
}

// AddAttachmentFilesToComment attaches files to a comment of a task and
// returns the attachment files created, in the order of the paths. The
// files are streamed from disk. Zou lets only the comment's author and the
// project's managers do this; a comment of another task matches
// ErrNotAllowed.
//
// It calls POST /actions/tasks/{task_id}/comments/{comment_id}/add-attachment
// (multipart: the first file in "file", the others in "file-1"...) and
// mirrors gazu.task.add_attachment_files_to_comment. An empty list is an
// error matching ErrInvalidArgument (gazu's ValueError). Unlike gazu,
// which sends the last path first, the files are sent in the order given.
func (s *TaskService) AddAttachmentFilesToComment(ctx context.Context, taskID, commentID string, attachments []string, opts *AddAttachmentFilesOptions) ([]AttachmentFile, error) {
	if err := checkIDs("task id", taskID, "comment id", commentID); err != nil {
		return nil, err
	}
	if err := checkUploadPaths("attachment", attachments); err != nil {
		return nil, err
	}
	up := &UploadOptions{ExtraFiles: attachments[1:]}
	if opts != nil {
		up.Progress = opts.Progress
	}
	var files []AttachmentFile
	route := pathOf("actions/tasks", taskID, "comments", commentID, "add-attachment")
	if err := s.c.Upload(ctx, route, attachments[0], &files, up); err != nil {
		return nil, err
	}
	if files == nil {
		files = []AttachmentFile{}
	}
	return files, nil
}

// GetComment returns the comment with the given id, with its
// AttachmentFiles. An unknown id matches ErrNotFound.
//
// It calls GET /data/comments/{comment_id} and mirrors gazu.task.get_comment.
func (s *TaskService) GetComment(ctx context.Context, commentID string) (*Comment, error) {
	if err := checkID("comment id", commentID); err != nil {
		return nil, err
	}
	return one[Comment](ctx, (*service)(s), pathOf("data/comments", commentID), nil)
}

// AllCommentsForTask returns the comments of a task, newest first (Zou's
// order), each with its TaskStatus, Person and AttachmentFiles; the
// previews of each are in Extra["previews"]. An unknown task matches
// ErrNotFound.
//
// It calls GET /data/tasks/{task_id}/comments and mirrors
// gazu.task.all_comments_for_task.
func (s *TaskService) AllCommentsForTask(ctx context.Context, taskID string) ([]Comment, error) {
	if err := checkID("task id", taskID); err != nil {
		return nil, err
	}
	return list[Comment](ctx, (*service)(s), pathOf("data/tasks", taskID, "comments"), nil)
}

// GetLastCommentForTask returns the newest comment of a task, or an error
// matching ErrNotFound when the task has none (gazu returns None).
//
// It calls GET /data/tasks/{task_id}/comments and mirrors
// gazu.task.get_last_comment_for_task.
func (s *TaskService) GetLastCommentForTask(ctx context.Context, taskID string) (*Comment, error) {
	if err := checkID("task id", taskID); err != nil {
		return nil, err
	}
	return first[Comment](ctx, (*service)(s), pathOf("data/tasks", taskID, "comments"), nil,
		fmt.Sprintf("task %s has no comment", taskID))
}

// RemoveComment deletes a comment with its previews, news and
// notifications. Zou then gives the task the status of its newest
// remaining comment. An unknown id matches ErrNotFound.
//
// It calls DELETE /data/comments/{comment_id} and mirrors
// gazu.task.remove_comment.
func (s *TaskService) RemoveComment(ctx context.Context, commentID string) error {
	if err := checkID("comment id", commentID); err != nil {
		return err
	}
	return (*service)(s).delete(ctx, pathOf("data/comments", commentID), nil)
}

// UpdateComment changes the fields of a comment that changes sets,
// leaving every other field as stored, and returns the comment as Zou
// stored it. Empty changes are refused (ErrInvalidArgument) before
// anything is sent. Changing the status of a task's newest comment
// changes the task's status.
//
// It calls PUT /data/comments/{comment_id} and mirrors
// gazu.task.update_comment. Gazu sends the dict it is given (its docs
// pass the whole comment); this method sends the fields changes sets, so
// an artist can edit the text of their own comment: Zou refuses an
// artist's update that changes pinned or for_client, or names any field
// but pinned and checklist on someone else's comment.
func (s *TaskService) UpdateComment(ctx context.Context, commentID string, changes CommentChanges) (*Comment, error) {
	if err := checkID("comment id", commentID); err != nil {
		return nil, err
	}
	body, err := changes.body()
	if err != nil {
		return nil, err
	}
	var updated Comment
	if err := (*service)(s).put(ctx, pathOf("data/comments", commentID), body, &updated); err != nil {
		return nil, err
	}
	return &updated, nil
}

// CreatePreviewOptions are the optional parts of CreatePreview. The zero
// value lets Zou choose the revision, as gazu does by default.
type CreatePreviewOptions struct {
	// Revision, when set, is the revision of the preview (0 or more). On a
	// comment without previews it must not be used yet on the task. When
	// nil, Zou takes the task's next revision for a comment without
	// previews, and the revision of the comment's previews otherwise (the
	// new preview then comes next in position).
	Revision *int
}

// CreatePreview adds an empty preview file to a comment of a task and
// returns it. Its content is uploaded with Upload on
// POST /pictures/preview-files/{preview_file_id} (AddPreview does both
// steps). Until then Zou reports it with extension "mp4" and status
// "processing".
//
// It calls POST /actions/tasks/{task_id}/comments/{comment_id}/add-preview
// and mirrors gazu.task.create_preview (with gazu 1.1.12's revision).
func (s *TaskService) CreatePreview(ctx context.Context, taskID, commentID string, opts *CreatePreviewOptions) (*PreviewFile, error) {
	if err := checkIDs("task id", taskID, "comment id", commentID); err != nil {
		return nil, err
	}
	body := map[string]any{}
	if opts != nil {
		if err := checkPreviewRevision(opts.Revision); err != nil {
			return nil, err
		}
		if opts.Revision != nil {
			body["revision"] = *opts.Revision
		}
	}
	var pf PreviewFile
	if err := (*service)(s).post(ctx, pathOf("actions/tasks", taskID, "comments", commentID, "add-preview"), body, &pf); err != nil {
		return nil, err
	}
	return &pf, nil
}

// AddPreviewOptions are the optional parts of AddPreview. The zero value
// is gazu's default: the file at the path given is uploaded, movies are
// normalized, and Zou picks the revision.
type AddPreviewOptions struct {
	// URL, used when the path given is empty, is where the file is
	// downloaded from first (with the client's token only when it points
	// at the API host). Its last path segment names the file, and its
	// extension tells Zou what kind of preview it is.
	URL string
	// NoNormalize uploads a movie as it is: Zou does not re-encode it
	// (gazu's normalize_movie=False).
	NoNormalize bool
	// Revision is as in CreatePreviewOptions.
	Revision *int
	// Progress, if set, is told how many bytes of the file are sent.
	Progress Progress
}

// PreviewStatusBroken is the status Zou gives a preview file it could not
// process.
const PreviewStatusBroken = "broken"

// AddPreview adds a preview to a comment of a task: it creates the preview
// file, uploads the picture, movie or other file to it (streamed, with
// progress) and returns the preview file as Zou processed it (Extension
// "png" for pictures, "mp4" for movies; Status "ready", or "processing"
// on servers that build previews in the background). previewFilePath may
// be empty when opts.URL is set.
//
// It calls POST /actions/tasks/{task_id}/comments/{comment_id}/add-preview,
// then POST /pictures/preview-files/{preview_file_id} (with
// ?normalize=false for NoNormalize), and mirrors gazu.task.add_preview.
// Unlike gazu:
//   - a missing file is refused before anything is created on the server;
//   - a file from a URL is held in memory, not in a temporary file;
//   - when the upload gets an error reply, the empty preview file created
//     for it is deleted (gazu leaves it on the comment);
//   - when Zou answers that it could not process the file (status
//     "broken": Zou 1.0.97 breaks, for example, on silent movies of a
//     second or so when it normalizes them), the preview file is returned
//     together with an error matching ErrUploadFailed.
func (s *TaskService) AddPreview(ctx context.Context, taskID, commentID, previewFilePath string, opts *AddPreviewOptions) (*PreviewFile, error) {
	if err := checkIDs("task id", taskID, "comment id", commentID); err != nil {
		return nil, err
	}
	var o AddPreviewOptions
	if opts != nil {
		o = *opts
	}
	if err := checkPreviewRevision(o.Revision); err != nil {
		return nil, err
	}
	up := &UploadOptions{Progress: o.Progress}
	switch {
	case previewFilePath != "":
		if err := checkUploadPath("preview file path", previewFilePath); err != nil {
			return nil, err
		}
		if path.Ext(strings.ReplaceAll(previewFilePath, `\`, "/")) == "" {
			return nil, invalidArg("preview file path", previewFilePath, "a file name with an extension (.png, .mp4...), which tells Zou what kind of preview it is")
		}
	case o.URL != "":
		u, err := url.Parse(o.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, invalidArg("preview file URL", redactURL(o.URL), "an absolute http or https URL")
		}
		name := path.Base(u.Path)
		if path.Ext(name) == "" {
			return nil, invalidArg("preview file URL", redactURL(o.URL), "a URL whose last segment is a file name with an extension (.png, .mp4...)")
		}
		data, err := s.c.GetFileDataFromURL(ctx, o.URL, &FileDataOptions{Full: true})
		if err != nil {
			return nil, err
		}
		up.Files = []UploadFile{{Field: "file", Name: name, Reader: bytes.NewReader(data), Size: int64(len(data))}}
	default:
		return nil, invalidArg("preview file path", "", "a file path, or opts.URL")
	}

	created, err := s.CreatePreview(ctx, taskID, commentID, &CreatePreviewOptions{Revision: o.Revision})
	if err != nil {
		return nil, err
	}
	var query url.Values
	if o.NoNormalize {
		query = url.Values{"normalize": {"false"}}
	}
	route := pathOf("pictures/preview-files", created.ID)
	if query != nil {
		route += "?" + query.Encode()
	}
	var pf PreviewFile
	if err := s.c.Upload(ctx, route, previewFilePath, &pf, up); err != nil {
		var reply *Error
		if errors.As(err, &reply) && reply.StatusCode != 0 {
			// The server answered: the empty preview file is of no use.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			_ = (*service)(s).delete(cctx, pathOf("actions/tasks", taskID, "comments", commentID, "preview-files", created.ID), nil)
		}
		return nil, err
	}
	if pf.Status == PreviewStatusBroken {
		return &pf, fmt.Errorf("%w: Zou could not process the file of preview %s (status %q)", ErrUploadFailed, pf.ID, pf.Status)
	}
	return &pf, nil
}

// SetMainPreviewOptions are the optional parts of SetMainPreview. The
// zero value uses the preview as it is, as gazu does by default.
type SetMainPreviewOptions struct {
	// FrameNumber, for a movie preview, makes that frame (0 or more) the
	// entity's thumbnail. Zou refuses it for other previews.
	FrameNumber *int
}

// SetMainPreview makes a preview file the thumbnail of its task's entity
// and returns the entity, whose PreviewFileID is then the preview's id.
//
// It calls PUT /actions/preview-files/{preview_file_id}/set-main-preview
// and mirrors gazu.task.set_main_preview (with gazu 1.1.12's
// frame_number). Gazu documents a preview file as the result; Zou returns
// the entity.
func (s *TaskService) SetMainPreview(ctx context.Context, previewFileID string, opts *SetMainPreviewOptions) (*Entity, error) {
	if err := checkID("preview file id", previewFileID); err != nil {
		return nil, err
	}
	body := map[string]any{}
	if opts != nil && opts.FrameNumber != nil {
		if *opts.FrameNumber < 0 {
			return nil, invalidArg("frame number", *opts.FrameNumber, "a frame of the movie, 0 or more")
		}
		body["frame_number"] = *opts.FrameNumber
	}
	var e Entity
	if err := (*service)(s).put(ctx, pathOf("actions/preview-files", previewFileID, "set-main-preview"), body, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// GetTimeSpentOptions are the optional parts of GetTimeSpent. The zero
// value gives the time of every day, as gazu 1.1.12 does by default.
type GetTimeSpentOptions struct {
	// Date, written YYYY-MM-DD, limits the result to that day.
	Date string
}

// GetTimeSpent returns the time logged on a task, in minutes: the total,
// and each person's entries.
//
// It calls GET /actions/tasks/{task_id}/time-spents, or
// GET /actions/tasks/{task_id}/time-spents/{date} for one day, and mirrors
// gazu.task.get_time_spent. Gazu's docs say seconds; Zou counts minutes.
func (s *TaskService) GetTimeSpent(ctx context.Context, taskID string, opts *GetTimeSpentOptions) (*TaskTimeSpent, error) {
	if err := checkID("task id", taskID); err != nil {
		return nil, err
	}
	route := pathOf("actions/tasks", taskID, "time-spents")
	if opts != nil && opts.Date != "" {
		if err := checkTimeSpentDay("date", opts.Date); err != nil {
			return nil, err
		}
		route = pathOf("actions/tasks", taskID, "time-spents", opts.Date)
	}
	return one[TaskTimeSpent](ctx, (*service)(s), route, nil)
}

// timeSpent checks and sends a time-spent change.
func (s *TaskService) timeSpent(ctx context.Context, taskID, personID, date string, minutes float64, add bool) (*TimeSpent, error) {
	if err := checkIDs("task id", taskID, "person id", personID); err != nil {
		return nil, err
	}
	if err := checkTimeSpentDay("date", date); err != nil {
		return nil, err
	}
	if !(minutes > 0) {
		return nil, invalidArg("duration", minutes, "a number of minutes greater than 0")
	}
	route := pathOf("actions/tasks", taskID, "time-spents", date, "persons", personID)
	if add {
		route += "/add"
	}
	var ts TimeSpent
	// Setting a duration may be sent again safely; adding one may not.
	req := &request{method: http.MethodPost, path: route, body: map[string]any{"duration": minutes}, idempotent: !add}
	if err := s.c.do(ctx, req, &ts); err != nil {
		return nil, err
	}
	return &ts, nil
}

// SetTimeSpent sets the time a person spent on a task one day (date
// written YYYY-MM-DD) to duration minutes, replacing what was logged, and
// returns the entry. The person must be assigned to the task; Zou lets
// them, managers of the project and admins do it (ErrNotAllowed
// otherwise).
//
// It calls POST /actions/tasks/{task_id}/time-spents/{date}/persons/{person_id}
// and mirrors gazu.task.set_time_spent. Gazu's docs say seconds; Zou
// counts minutes, and refuses a duration of 0 or less.
func (s *TaskService) SetTimeSpent(ctx context.Context, taskID, personID, date string, duration float64) (*TimeSpent, error) {
	return s.timeSpent(ctx, taskID, personID, date, duration, false)
}

// AddTimeSpent adds duration minutes to the time a person spent on a task
// one day (date written YYYY-MM-DD) and returns the entry, whose Duration
// is the new sum. The same rights as SetTimeSpent apply.
//
// It calls POST /actions/tasks/{task_id}/time-spents/{date}/persons/{person_id}/add
// and mirrors gazu.task.add_time_spent. It is never sent twice, even
// after a connection error.
func (s *TaskService) AddTimeSpent(ctx context.Context, taskID, personID, date string, duration float64) (*TimeSpent, error) {
	return s.timeSpent(ctx, taskID, personID, date, duration, true)
}

// TaskToReviewOptions are the optional parts of TaskToReview. The zero
// value changes the task's status, as gazu's change_status=True.
type TaskToReviewOptions struct {
	// KeepStatus records the comment without changing the task's status
	// (gazu's change_status=False).
	KeepStatus bool
}

// TaskToReview marks a task as waiting for approval, with a comment
// written by person, and returns the task as it then is.
//
// Zou 1.0.97 no longer has gazu's route (PUT /actions/tasks/{task_id}/to-review,
// which set the status and only announced the comment in an event), so it
// posts a comment instead, which keeps the text: GET /data/task-status?is_feedback_request=true
// finds the review status (the one short-named "wfa" when there are
// several), POST /actions/tasks/{task_id}/comment posts the comment with
// it (with the task's current status, read with GET /data/tasks/{task_id},
// under KeepStatus), and GET /data/tasks/{task_id} reads the task back.
// Zou takes the person as author from managers and admins only. Gazu's
// revision argument only named a preview path the old route built, so
// there is none. It mirrors gazu.task.task_to_review (deprecated in gazu).
func (s *TaskService) TaskToReview(ctx context.Context, taskID, personID, comment string, opts *TaskToReviewOptions) (*Task, error) {
	if err := checkIDs("task id", taskID, "person id", personID); err != nil {
		return nil, err
	}
	statusID := ""
	if opts != nil && opts.KeepStatus {
		task, err := one[Task](ctx, (*service)(s), pathOf("data/tasks", taskID), nil)
		if err != nil {
			return nil, err
		}
		statusID = task.TaskStatusID
	} else {
		statuses, err := list[TaskStatus](ctx, (*service)(s), "data/task-status", q("is_feedback_request", "true"))
		if err != nil {
			return nil, err
		}
		for _, st := range statuses {
			if !st.Archived && (statusID == "" || strings.EqualFold(st.ShortName, "wfa")) {
				statusID = st.ID
			}
		}
		if statusID == "" {
			return nil, fmt.Errorf("%w: no task status asks for feedback (is_feedback_request), such as Waiting For Approval", ErrNotFound)
		}
	}
	if _, err := s.AddComment(ctx, taskID, statusID, comment, &AddCommentOptions{PersonID: personID}); err != nil {
		return nil, err
	}
	return one[Task](ctx, (*service)(s), pathOf("data/tasks", taskID), nil)
}
