package kitsu

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// This file holds the part of gazu's files module that deals with the
// studio's file vocabulary (softwares, output types, file statuses) and
// with the media Kitsu stores itself: previews, attachments and avatars.
// Working and output files are in files.go.

// AllOutputTypes returns every output type of the studio, sorted by name
// (gazu keeps the server's order, which Zou does not fix).
//
// It calls GET /data/output-types and mirrors gazu.files.all_output_types.
func (s *FilesService) AllOutputTypes(ctx context.Context) ([]OutputType, error) {
	return mediaSortedList(ctx, (*service)(s), "data/output-types", func(o *OutputType) string { return o.Name })
}

// AllOutputTypesForEntity returns the output types of the output files
// published for an entity (an asset or a shot), each once, sorted by name.
// An entity with no output file gives an empty list; an unknown entity
// matches ErrNotFound.
//
// It calls GET /data/entities/{entity_id}/output-types and mirrors
// gazu.files.all_output_types_for_entity.
func (s *FilesService) AllOutputTypesForEntity(ctx context.Context, entityID string) ([]OutputType, error) {
	if err := checkID("entity id", entityID); err != nil {
		return nil, err
	}
	return mediaOutputTypes(ctx, (*service)(s), pathOf("data/entities", entityID, "output-types"))
}

// AllOutputTypesForAssetInstance returns the output types of the output
// files published for an asset instance in a temporal entity (the shot or
// scene it appears in), each once, sorted by name. An unknown asset
// instance matches ErrNotFound.
//
// It calls GET /data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}/output-types
// and mirrors gazu.files.all_output_types_for_asset_instance, which takes
// both as dicts (gazu fails on a bare id); this takes both ids.
func (s *FilesService) AllOutputTypesForAssetInstance(ctx context.Context, assetInstanceID, temporalEntityID string) ([]OutputType, error) {
	if err := checkIDs("asset instance id", assetInstanceID, "temporal entity id", temporalEntityID); err != nil {
		return nil, err
	}
	return mediaOutputTypes(ctx, (*service)(s), pathOf("data/asset-instances", assetInstanceID, "entities", temporalEntityID, "output-types"))
}

// mediaOutputTypes asks a route listing the output types of output files
// (Zou gives each type once) and sorts them by name.
func mediaOutputTypes(ctx context.Context, s *service, path string) ([]OutputType, error) {
	return mediaSortedList(ctx, s, path, func(o *OutputType) string { return o.Name })
}

// mediaSortedList asks a list route and sorts the records by name.
func mediaSortedList[T any](ctx context.Context, s *service, path string, name func(*T) string) ([]T, error) {
	items, err := list[T](ctx, s, path, nil)
	if err != nil {
		return nil, err
	}
	sortByName(items, name)
	return items, nil
}

// GetOutputType returns the output type with the given id. An unknown id
// matches ErrNotFound.
//
// It calls GET /data/output-types/{output_type_id} and mirrors
// gazu.files.get_output_type.
func (s *FilesService) GetOutputType(ctx context.Context, outputTypeID string) (*OutputType, error) {
	if err := checkID("output type id", outputTypeID); err != nil {
		return nil, err
	}
	return one[OutputType](ctx, (*service)(s), pathOf("data/output-types", outputTypeID), nil)
}

// GetOutputTypeByName returns the output type with the given name, or an
// error matching ErrNotFound.
//
// It calls GET /data/output-types?name= and mirrors
// gazu.files.get_output_type_by_name. Unlike gazu, which sends the name as
// an ILIKE pattern ("_" and "%" are wildcards, case is ignored) and takes
// the first row, it matches the name literally, preferring the exact name
// over one that differs only by case.
func (s *FilesService) GetOutputTypeByName(ctx context.Context, outputTypeName string) (*OutputType, error) {
	if err := checkName("output type name", outputTypeName); err != nil {
		return nil, err
	}
	return firstWithName(ctx, (*service)(s), "data/output-types", nil, outputTypeName,
		func(o *OutputType) string { return o.Name }, fmt.Sprintf("no output type named %q", outputTypeName))
}

// NewOutputType returns the output type with the given name, creating it
// with that short name (shown in the web application) when there is none:
// get-or-create, as gazu does, so an existing type is returned unchanged
// whatever shortName says.
//
// It calls GET /data/output-types?name= then, only when nothing was found,
// POST /data/output-types, and mirrors gazu.files.new_output_type. If
// another client creates the same name in between, its record is returned.
func (s *FilesService) NewOutputType(ctx context.Context, name, shortName string) (*OutputType, error) {
	if err := checkName("output type name", name); err != nil {
		return nil, err
	}
	if err := checkName("output type short name", shortName); err != nil {
		return nil, err
	}
	return mediaGetOrCreate(ctx, (*service)(s), "data/output-types",
		map[string]any{"name": name, "short_name": shortName},
		func() (*OutputType, error) { return s.GetOutputTypeByName(ctx, name) })
}

// mediaGetOrCreate returns what lookup finds, or creates the record with
// POST path body when it finds nothing. When the creation is refused
// because another client created the same name meanwhile (Zou's names are
// unique), the lookup is run again and its record returned.
func mediaGetOrCreate[T any](ctx context.Context, s *service, path string, body map[string]any, lookup func() (*T, error)) (*T, error) {
	existing, err := lookup()
	if err == nil {
		return existing, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	var created T
	cerr := s.post(ctx, path, body, &created)
	if cerr == nil {
		return &created, nil
	}
	if errors.Is(cerr, ErrParameter) || errors.Is(cerr, ErrConflict) || errors.Is(cerr, ErrServer) {
		if again, err := lookup(); err == nil {
			return again, nil
		}
	}
	return nil, cerr
}

// AllSoftwares returns every software (DCC) of the studio, sorted by name
// (gazu keeps the server's order, which Zou does not fix).
//
// It calls GET /data/softwares and mirrors gazu.files.all_softwares.
func (s *FilesService) AllSoftwares(ctx context.Context) ([]Software, error) {
	return mediaSortedList(ctx, (*service)(s), "data/softwares", func(o *Software) string { return o.Name })
}

// GetSoftware returns the software with the given id. An unknown id
// matches ErrNotFound.
//
// It calls GET /data/softwares/{software_id} and mirrors
// gazu.files.get_software.
func (s *FilesService) GetSoftware(ctx context.Context, softwareID string) (*Software, error) {
	if err := checkID("software id", softwareID); err != nil {
		return nil, err
	}
	return one[Software](ctx, (*service)(s), pathOf("data/softwares", softwareID), nil)
}

// GetSoftwareByName returns the software with the given name, or an error
// matching ErrNotFound.
//
// It calls GET /data/softwares?name= and mirrors
// gazu.files.get_software_by_name. As GetOutputTypeByName, it matches the
// name literally, not as an ILIKE pattern.
func (s *FilesService) GetSoftwareByName(ctx context.Context, softwareName string) (*Software, error) {
	if err := checkName("software name", softwareName); err != nil {
		return nil, err
	}
	return firstWithName(ctx, (*service)(s), "data/softwares", nil, softwareName,
		func(o *Software) string { return o.Name }, fmt.Sprintf("no software named %q", softwareName))
}

// NewSoftwareOptions are the optional parts of NewSoftware. The zero value
// (or nil) gives gazu's default: no secondary extensions.
type NewSoftwareOptions struct {
	// SecondaryExtensions are other extensions of the software's files
	// (".ma" beside ".mb" for Maya).
	SecondaryExtensions []string
}

// NewSoftware returns the software with the given name, creating it when
// there is none: get-or-create, as gazu does, so an existing software is
// returned unchanged whatever the other arguments say. fileExtension is
// stored as given; Zou's own softwares write it with its dot (".blend").
//
// It calls GET /data/softwares?name= then, only when nothing was found,
// POST /data/softwares, and mirrors gazu.files.new_software. If another
// client creates the same name in between, its record is returned.
func (s *FilesService) NewSoftware(ctx context.Context, name, shortName, fileExtension string, opts *NewSoftwareOptions) (*Software, error) {
	if err := checkName("software name", name); err != nil {
		return nil, err
	}
	if err := checkName("software short name", shortName); err != nil {
		return nil, err
	}
	if strings.TrimSpace(fileExtension) == "" {
		return nil, invalidArg("file extension", fileExtension, `the software's main file extension, such as ".blend"`)
	}
	body := map[string]any{"name": name, "short_name": shortName, "file_extension": fileExtension}
	if opts != nil && opts.SecondaryExtensions != nil {
		body["secondary_extensions"] = opts.SecondaryExtensions
	}
	return mediaGetOrCreate(ctx, (*service)(s), "data/softwares", body,
		func() (*Software, error) { return s.GetSoftwareByName(ctx, name) })
}

// GetFileStatus returns the file status with the given id. An unknown id
// matches ErrNotFound.
//
// It calls GET /data/file-status/{file_status_id} and mirrors
// gazu.files.get_file_status (which caches the reply; this does not).
func (s *FilesService) GetFileStatus(ctx context.Context, fileStatusID string) (*FileStatus, error) {
	if err := checkID("file status id", fileStatusID); err != nil {
		return nil, err
	}
	return one[FileStatus](ctx, (*service)(s), pathOf("data/file-status", fileStatusID), nil)
}

// GetFileStatusByName returns the file status with the given name, or an
// error matching ErrNotFound.
//
// It calls GET /data/file-status?name= and mirrors
// gazu.files.get_file_status_by_name. As GetOutputTypeByName, it matches
// the name literally, not as an ILIKE pattern.
func (s *FilesService) GetFileStatusByName(ctx context.Context, name string) (*FileStatus, error) {
	if err := checkName("file status name", name); err != nil {
		return nil, err
	}
	return firstWithName(ctx, (*service)(s), "data/file-status", nil, name,
		func(o *FileStatus) string { return o.Name }, fmt.Sprintf("no file status named %q", name))
}

var mediaColor = regexp.MustCompile(`^#[0-9A-Fa-f]{6}$`)

// NewFileStatus returns the file status with the given name, creating it
// with that color when there is none: get-or-create, as gazu does, so an
// existing status is returned unchanged whatever color says. The color is
// written as Kitsu stores colors, "#" and six hexadecimal digits
// ("#f5a623"); anything else is refused before a request is sent.
//
// It calls GET /data/file-status?name= then, only when nothing was found,
// POST /data/file-status, and mirrors gazu.files.new_file_status. If
// another client creates the same name in between, its record is returned.
func (s *FilesService) NewFileStatus(ctx context.Context, name, color string) (*FileStatus, error) {
	if err := checkName("file status name", name); err != nil {
		return nil, err
	}
	if !mediaColor.MatchString(color) {
		return nil, invalidArg("color", color, `"#" and six hexadecimal digits, such as "#f5a623"`)
	}
	return mediaGetOrCreate(ctx, (*service)(s), "data/file-status",
		map[string]any{"name": name, "color": color},
		func() (*FileStatus, error) { return s.GetFileStatusByName(ctx, name) })
}

// GetPreviewFile returns the preview file with the given id. An unknown id
// matches ErrNotFound.
//
// It calls GET /data/preview-files/{preview_file_id} and mirrors
// gazu.files.get_preview_file.
func (s *FilesService) GetPreviewFile(ctx context.Context, previewFileID string) (*PreviewFile, error) {
	if err := checkID("preview file id", previewFileID); err != nil {
		return nil, err
	}
	return one[PreviewFile](ctx, (*service)(s), pathOf("data/preview-files", previewFileID), nil)
}

// GetAllPreviewFilesForTask returns the preview files of a task, sorted by
// revision then position (Zou returns them in no set order). A task with
// no preview, or an unknown task, gives an empty list.
//
// It calls GET /data/preview-files?task_id= and mirrors
// gazu.files.get_all_preview_files_for_task.
func (s *FilesService) GetAllPreviewFilesForTask(ctx context.Context, taskID string) ([]PreviewFile, error) {
	if err := checkID("task id", taskID); err != nil {
		return nil, err
	}
	previews, err := list[PreviewFile](ctx, (*service)(s), "data/preview-files", q("task_id", taskID))
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(previews, func(a, b PreviewFile) int {
		return cmp.Or(cmp.Compare(a.Revision, b.Revision), cmp.Compare(a.Position, b.Position), a.CreatedAt.Compare(b.CreatedAt.Time))
	})
	return previews, nil
}

// UpdatePreview changes the given fields of a preview file (fields maps
// Zou's field names to their new values, such as {"description": "..."}
// or {"validation_status": "validated"}) and returns the preview file as
// Zou stored it. Zou refuses a revision another main preview of the task
// already has.
//
// It calls PUT /data/preview-files/{preview_file_id} and mirrors
// gazu.files.update_preview. An empty fields map is refused: it would
// change nothing.
func (s *FilesService) UpdatePreview(ctx context.Context, previewFileID string, fields map[string]any) (*PreviewFile, error) {
	if err := checkID("preview file id", previewFileID); err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return nil, invalidArg("fields", "{}", "at least one field of the preview file to change")
	}
	var updated PreviewFile
	if err := (*service)(s).put(ctx, pathOf("data/preview-files", previewFileID), fields, &updated); err != nil {
		return nil, err
	}
	return &updated, nil
}

// GetPreviewFileURL returns the path, relative to the API host, where the
// original file of a preview is served: movies/originals/preview-files/{id}.mp4
// for a movie, pictures/originals/preview-files/{id}.{extension} for a
// picture or any other file. Give it to Client.GetFullURL for an absolute
// URL, or to Client.Download.
//
// It calls GET /data/preview-files/{preview_file_id} (for the extension)
// and mirrors gazu.files.get_preview_file_url.
func (s *FilesService) GetPreviewFileURL(ctx context.Context, previewFileID string) (string, error) {
	preview, err := s.GetPreviewFile(ctx, previewFileID)
	if err != nil {
		return "", err
	}
	return mediaPreviewPath(preview)
}

// mediaPreviewPath builds the route of a preview's original file.
func mediaPreviewPath(p *PreviewFile) (string, error) {
	ext := strings.ToLower(p.Extension)
	if ext == "" {
		return "", fmt.Errorf("%w: preview file %s has no file yet (status %q)", ErrNotFound, p.ID, p.Status)
	}
	if ext == "mp4" {
		return pathOf("movies/originals/preview-files", p.ID+".mp4"), nil
	}
	return pathOf("pictures/originals/preview-files", p.ID+"."+ext), nil
}

// MediaDownloadOptions are the optional parts of the downloads of
// previews, attachments and avatars. The zero value (or nil) reports no
// progress, as gazu's progress_callback=None.
type MediaDownloadOptions struct {
	// Progress, if set, is told how many bytes are received, and how many
	// the server announced (-1 when it did not say).
	Progress Progress
}

func (o *MediaDownloadOptions) download() *DownloadOptions {
	if o == nil {
		return nil
	}
	return &DownloadOptions{Progress: o.Progress}
}

// DownloadPreviewFile saves the original file of a preview (the movie, the
// picture, or the other file uploaded) to filePath. The file appears only
// once complete, replacing any file there; a failure leaves no partial
// file. Failures match ErrDownloadFailed, and also ErrNotFound for an
// unknown preview or one whose files Zou is still building.
//
// It calls GET /data/preview-files/{preview_file_id}, then GET the path
// GetPreviewFileURL gives, and mirrors gazu.files.download_preview_file
// (which writes error pages into the file).
func (s *FilesService) DownloadPreviewFile(ctx context.Context, previewFileID, filePath string, opts *MediaDownloadOptions) error {
	if err := mediaCheckFile(filePath); err != nil {
		return err
	}
	path, err := s.mediaPreviewDownloadPath(ctx, previewFileID, "")
	if err != nil {
		return err
	}
	return s.c.Download(ctx, path, filePath, opts.download())
}

// DownloadPreviewFileTo writes the original file of a preview to w, as
// DownloadPreviewFile, and returns the number of bytes written. On error,
// w may have received part of the file.
func (s *FilesService) DownloadPreviewFileTo(ctx context.Context, previewFileID string, w io.Writer, opts *MediaDownloadOptions) (int64, error) {
	if err := mediaCheckWriter(w); err != nil {
		return 0, err
	}
	path, err := s.mediaPreviewDownloadPath(ctx, previewFileID, "")
	if err != nil {
		return 0, err
	}
	return s.c.DownloadTo(ctx, path, w, opts.download())
}

// DownloadPreviewFileThumbnail saves the thumbnail of a preview, a PNG
// picture of 150×100 pixels Zou makes from it, to filePath (atomically, as
// DownloadPreviewFile).
//
// It calls GET /data/preview-files/{preview_file_id} then GET
// /pictures/thumbnails/preview-files/{preview_file_id}.png, and mirrors
// gazu.files.download_preview_file_thumbnail, which sends the second
// request alone. The first one tells a preview still being processed,
// which Zou answers this client (it asks for JSON) with a 202 and a JSON
// body that would otherwise be saved as the picture.
func (s *FilesService) DownloadPreviewFileThumbnail(ctx context.Context, previewFileID, filePath string, opts *MediaDownloadOptions) error {
	if err := mediaCheckFile(filePath); err != nil {
		return err
	}
	path, err := s.mediaPreviewDownloadPath(ctx, previewFileID, "pictures/thumbnails/preview-files")
	if err != nil {
		return err
	}
	return s.c.Download(ctx, path, filePath, opts.download())
}

// DownloadPreviewFileThumbnailTo writes the thumbnail of a preview to w,
// as DownloadPreviewFileThumbnail, and returns the number of bytes written.
func (s *FilesService) DownloadPreviewFileThumbnailTo(ctx context.Context, previewFileID string, w io.Writer, opts *MediaDownloadOptions) (int64, error) {
	if err := mediaCheckWriter(w); err != nil {
		return 0, err
	}
	path, err := s.mediaPreviewDownloadPath(ctx, previewFileID, "pictures/thumbnails/preview-files")
	if err != nil {
		return 0, err
	}
	return s.c.DownloadTo(ctx, path, w, opts.download())
}

// DownloadPreviewFileCover saves the full-size picture of a preview, as a
// PNG, to filePath (atomically, as DownloadPreviewFile). For a picture it
// is the picture uploaded; for a movie, the frame Zou extracted from it.
//
// It calls GET /data/preview-files/{preview_file_id} then GET
// /pictures/originals/preview-files/{preview_file_id}.png, and mirrors
// gazu.files.download_preview_file_cover, which sends the second request
// alone (see DownloadPreviewFileThumbnail for why the first is sent).
func (s *FilesService) DownloadPreviewFileCover(ctx context.Context, previewFileID, filePath string, opts *MediaDownloadOptions) error {
	if err := mediaCheckFile(filePath); err != nil {
		return err
	}
	path, err := s.mediaPreviewDownloadPath(ctx, previewFileID, "pictures/originals/preview-files")
	if err != nil {
		return err
	}
	return s.c.Download(ctx, path, filePath, opts.download())
}

// DownloadPreviewFileCoverTo writes the full-size picture of a preview to
// w, as DownloadPreviewFileCover, and returns the number of bytes written.
func (s *FilesService) DownloadPreviewFileCoverTo(ctx context.Context, previewFileID string, w io.Writer, opts *MediaDownloadOptions) (int64, error) {
	if err := mediaCheckWriter(w); err != nil {
		return 0, err
	}
	path, err := s.mediaPreviewDownloadPath(ctx, previewFileID, "pictures/originals/preview-files")
	if err != nil {
		return 0, err
	}
	return s.c.DownloadTo(ctx, path, w, opts.download())
}

// mediaPreviewDownloadPath reads a preview's record and returns the route
// of its PNG picture under prefix, or of its original file when prefix is
// empty. A preview Zou is still processing is refused: its routes answer a
// client asking for JSON with 202 and a JSON body, not the file.
func (s *FilesService) mediaPreviewDownloadPath(ctx context.Context, previewFileID, prefix string) (string, error) {
	if err := checkID("preview file id", previewFileID); err != nil {
		return "", err
	}
	p, err := s.GetPreviewFile(ctx, previewFileID)
	if err != nil {
		return "", downloadFailed(err)
	}
	if p.Status == "processing" {
		return "", fmt.Errorf("%w: %w: preview file %s is still being processed, try again later", ErrDownloadFailed, ErrNotFound, previewFileID)
	}
	if prefix != "" {
		return pathOf(prefix, p.ID+".png"), nil
	}
	path, err := mediaPreviewPath(p)
	if err != nil {
		return "", downloadFailed(err)
	}
	return path, nil
}

// DownloadPersonAvatar saves a person's avatar, a PNG picture of 400×400
// pixels, to filePath (atomically, as DownloadPreviewFile). A person with
// no avatar gives an error matching ErrNotFound.
//
// It calls GET /pictures/thumbnails/persons/{person_id}.png and mirrors
// gazu.files.download_person_avatar.
func (s *FilesService) DownloadPersonAvatar(ctx context.Context, personID, filePath string, opts *MediaDownloadOptions) error {
	return s.mediaDownload(ctx, "person id", personID, "pictures/thumbnails/persons", filePath, opts)
}

// DownloadPersonAvatarTo writes a person's avatar to w, as
// DownloadPersonAvatar, and returns the number of bytes written.
func (s *FilesService) DownloadPersonAvatarTo(ctx context.Context, personID string, w io.Writer, opts *MediaDownloadOptions) (int64, error) {
	return s.mediaDownloadTo(ctx, "person id", personID, "pictures/thumbnails/persons", w, opts)
}

// DownloadProjectAvatar saves a project's avatar, a PNG picture of 400×400
// pixels, to filePath (atomically, as DownloadPreviewFile). A project with
// no avatar gives an error matching ErrNotFound.
//
// It calls GET /pictures/thumbnails/projects/{project_id}.png and mirrors
// gazu.files.download_project_avatar.
func (s *FilesService) DownloadProjectAvatar(ctx context.Context, projectID, filePath string, opts *MediaDownloadOptions) error {
	return s.mediaDownload(ctx, "project id", projectID, "pictures/thumbnails/projects", filePath, opts)
}

// DownloadProjectAvatarTo writes a project's avatar to w, as
// DownloadProjectAvatar, and returns the number of bytes written.
func (s *FilesService) DownloadProjectAvatarTo(ctx context.Context, projectID string, w io.Writer, opts *MediaDownloadOptions) (int64, error) {
	return s.mediaDownloadTo(ctx, "project id", projectID, "pictures/thumbnails/projects", w, opts)
}

// mediaCheckFile and mediaCheckWriter refuse a missing destination before
// any request is sent.
func mediaCheckFile(filePath string) error {
	if strings.TrimSpace(filePath) == "" {
		return invalidArg("file path", filePath, "the path of the file to write")
	}
	return nil
}

func mediaCheckWriter(w io.Writer) error {
	if w == nil {
		return invalidArg("writer", "nil", "an io.Writer")
	}
	return nil
}

// mediaDownload saves the PNG picture {prefix}/{id}.png to filePath.
func (s *FilesService) mediaDownload(ctx context.Context, what, id, prefix, filePath string, opts *MediaDownloadOptions) error {
	if err := checkID(what, id); err != nil {
		return err
	}
	return s.c.Download(ctx, pathOf(prefix, id+".png"), filePath, opts.download())
}

// mediaDownloadTo writes the PNG picture {prefix}/{id}.png to w.
func (s *FilesService) mediaDownloadTo(ctx context.Context, what, id, prefix string, w io.Writer, opts *MediaDownloadOptions) (int64, error) {
	if err := checkID(what, id); err != nil {
		return 0, err
	}
	return s.c.DownloadTo(ctx, pathOf(prefix, id+".png"), w, opts.download())
}

// GetAttachmentFile returns the attachment file with the given id: its
// name, size, MIME type and the comment it is attached to. An unknown id
// matches ErrNotFound.
//
// It calls GET /data/attachment-files/{attachment_file_id} and mirrors
// gazu.files.get_attachment_file.
func (s *FilesService) GetAttachmentFile(ctx context.Context, attachmentFileID string) (*AttachmentFile, error) {
	if err := checkID("attachment file id", attachmentFileID); err != nil {
		return nil, err
	}
	return one[AttachmentFile](ctx, (*service)(s), pathOf("data/attachment-files", attachmentFileID), nil)
}

// GetAllAttachmentFilesForTask returns the files attached to the comments
// of a task, oldest first (Zou returns them in no set order). A task with
// none, or an unknown task, gives an empty list. Zou answers only
// administrators: anyone else gets an error matching ErrNotAllowed.
//
// It calls GET /data/tasks/{task_id}/attachment-files and mirrors
// gazu.files.get_all_attachment_files_for_task.
func (s *FilesService) GetAllAttachmentFilesForTask(ctx context.Context, taskID string) ([]AttachmentFile, error) {
	if err := checkID("task id", taskID); err != nil {
		return nil, err
	}
	files, err := list[AttachmentFile](ctx, (*service)(s), pathOf("data/tasks", taskID, "attachment-files"), nil)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(files, func(a, b AttachmentFile) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt.Time), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return files, nil
}

// DownloadAttachmentFile saves an attachment file, byte for byte, to
// filePath (atomically, as DownloadPreviewFile), and returns its record.
//
// It calls GET /data/attachment-files/{attachment_file_id} (for its name)
// then GET /data/attachment-files/{attachment_file_id}/file/{name}, and
// mirrors gazu.files.download_attachment_file (which writes error pages
// into the file and returns the HTTP response).
func (s *FilesService) DownloadAttachmentFile(ctx context.Context, attachmentFileID, filePath string, opts *MediaDownloadOptions) (*AttachmentFile, error) {
	if err := mediaCheckFile(filePath); err != nil {
		return nil, err
	}
	a, path, err := s.mediaAttachmentPath(ctx, attachmentFileID)
	if err != nil {
		return nil, err
	}
	if err := s.c.Download(ctx, path, filePath, opts.download()); err != nil {
		return nil, err
	}
	return a, nil
}

// DownloadAttachmentFileTo writes an attachment file to w, as
// DownloadAttachmentFile, and returns its record and the number of bytes
// written. On error, w may have received part of the file.
func (s *FilesService) DownloadAttachmentFileTo(ctx context.Context, attachmentFileID string, w io.Writer, opts *MediaDownloadOptions) (*AttachmentFile, int64, error) {
	if err := mediaCheckWriter(w); err != nil {
		return nil, 0, err
	}
	a, path, err := s.mediaAttachmentPath(ctx, attachmentFileID)
	if err != nil {
		return nil, 0, err
	}
	n, err := s.c.DownloadTo(ctx, path, w, opts.download())
	if err != nil {
		return nil, n, err
	}
	return a, n, nil
}

// mediaAttachmentPath returns an attachment's record and the route of its
// content.
func (s *FilesService) mediaAttachmentPath(ctx context.Context, attachmentFileID string) (*AttachmentFile, string, error) {
	if err := checkID("attachment file id", attachmentFileID); err != nil {
		return nil, "", err
	}
	a, err := s.GetAttachmentFile(ctx, attachmentFileID)
	if err != nil {
		return nil, "", downloadFailed(err)
	}
	name := a.Name
	if name == "" || name == "." || name == ".." {
		name = "file" // Zou serves the file whatever name the route holds
	}
	return a, pathOf("data/attachment-files", a.ID, "file", name), nil
}
