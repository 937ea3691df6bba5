package kitsu

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// This file holds the part of gazu's files module that deals with file
// paths, revisions, working files and output files. (Softwares, output
// types, file statuses, previews and attachments are in files_media.go.)
//
// How Zou numbers revisions, which every method here follows:
//
//   - Revisions start at 1. Asking for revision 0 means "the next one":
//     Zou then takes the highest revision stored for the same key, plus 1
//     (1 when there is none). The key of a working file is its task and
//     name; the key of an output file is its entity (or asset instance and
//     temporal entity), output type, task type and name. Representation is
//     not part of an output key: "abc" and "fbx" outputs share one counter.
//   - Building a path reserves nothing. Two builds, or a build and a
//     creation by someone else, may be given the same revision.
//   - Zou refuses a second working file with the same task, name and
//     revision, and a second output file with the same key, representation
//     and revision; both replies match ErrConflict (and ErrParameter, the
//     status Zou answers). For plain entity outputs this check is made by
//     Zou's code alone: the database constraint covers columns left NULL,
//     so two creations at the same moment may both succeed with the same
//     revision, given or computed from 0 (seen on Zou 1.0.97 with 16
//     creations at once). Asset instance outputs are also protected by
//     the database.

// NewWorkingFileOptions are the optional parts of NewWorkingFile. The zero
// value (or nil) gives gazu's defaults: name "main", mode "working", the
// next revision, the current user as author, no comment, "/" as separator
// and the software Zou picks (Blender, which Zou creates if missing).
type NewWorkingFileOptions struct {
	// Name tells apart several files of one task ("main" when empty).
	Name string
	// Mode is the section of the project's file tree the path is built
	// from ("working" when empty).
	Mode string
	// SoftwareID is the software the file is made with.
	SoftwareID string
	// Comment is stored with the revision.
	Comment string
	// PersonID is the author (the current user when empty).
	PersonID string
	// Revision is the revision to create; 0 asks Zou for the next one.
	Revision int
	// Sep is the path separator ("/" when empty). Zou 1.0.97 puts it only
	// between the folder and the file name of the stored path: the folder
	// itself is always built with "/".
	Sep string
}

// BuildWorkingFilePathOptions are the optional parts of
// BuildWorkingFilePath. The zero value (or nil) gives gazu's defaults:
// name "main", mode "working", revision 1, "/" as separator, and the
// software Zou picks (3ds Max, which Zou creates if missing).
type BuildWorkingFilePathOptions struct {
	// Name tells apart several files of one task ("main" when empty).
	Name string
	// Mode is the section of the project's file tree to use ("working"
	// when empty).
	Mode string
	// SoftwareID is the software the file is made with.
	SoftwareID string
	// Revision is the revision to build the path for; 0 means gazu's
	// default, 1. Use NextRevision for the revision a new working file
	// would get.
	Revision int
	// NextRevision builds the path of the next revision (the highest
	// revision of the task's files with that name, plus 1). Revision must
	// then be 0.
	NextRevision bool
	// Sep is the path separator ("/" when empty).
	Sep string
}

// OutputFilePathOptions are the optional parts of BuildEntityOutputFilePath
// and BuildAssetInstanceOutputFilePath. The zero value (or nil) gives
// gazu's defaults: name "main", mode "output", no representation, the next
// revision, one element and "/" as separator.
type OutputFilePathOptions struct {
	// Name tells apart several outputs of one kind ("main" when empty).
	Name string
	// Mode is the section of the project's file tree to use ("output"
	// when empty).
	Mode string
	// Representation tells apart the formats of one output (abc, fbx...).
	Representation string
	// Revision is the revision to build the path for; 0 means the next
	// one.
	Revision int
	// NbElements is the number of files of an image sequence (1 when 0).
	// Above 1 the file name ends with _[1-N], as Zou names a new output
	// file of that many elements.
	NbElements int
	// Sep is the path separator ("/" when empty).
	Sep string
}

// NewOutputFileOptions are the optional parts of NewEntityOutputFile and
// NewAssetInstanceOutputFile. The zero value (or nil) gives gazu's
// defaults: name "main" for an entity and "master" for an asset instance,
// the next revision, no representation, one element, "/" as separator,
// no source working file, the current user as author, and Zou's default
// file status ("To review", which Zou creates if missing).
type NewOutputFileOptions struct {
	// Name tells apart several outputs of one kind (see above when empty).
	Name string
	// WorkingFileID is the working file the output was made from. Zou
	// silently stores no source when the id is unknown.
	WorkingFileID string
	// PersonID is the author (the current user when empty).
	PersonID string
	// Revision is the revision to create; 0 asks Zou for the next one.
	Revision int
	// NbElements is the number of files of an image sequence (1 when 0).
	// Above 1, Zou ends the file name of an entity output with _[1-N].
	NbElements int
	// Representation tells apart the formats of one output (abc, fbx...).
	Representation string
	// Extension, such as ".abc", is added to the stored path. Gazu cannot
	// send it.
	Extension string
	// Sep is the path separator ("/" when empty).
	Sep string
	// FileStatusID is the status of the new file.
	FileStatusID string
}

// OutputRevisionOptions are the optional parts of the output revision
// methods. The zero value (or nil) gives gazu's default name, which is
// "main" for GetNextEntityOutputRevision but "master" for
// GetLastEntityOutputRevision, GetNextAssetInstanceOutputRevision and
// GetLastAssetInstanceOutputRevision: outputs created with the default
// name of NewEntityOutputFile ("main") are not counted by
// GetLastEntityOutputRevision unless Name is "main".
type OutputRevisionOptions struct {
	// Name is the output name.
	Name string
}

// OutputFilesOptions filter the output file listings. The zero value (or
// nil) filters nothing, as gazu does by default. Each field given must
// match exactly.
type OutputFilesOptions struct {
	OutputTypeID   string
	TaskTypeID     string
	Name           string
	Representation string
	FileStatusID   string
}

// AssetInstanceOutputFilesOptions filter AllOutputFilesForAssetInstance.
// The zero value (or nil) filters nothing, as gazu does by default.
type AssetInstanceOutputFilesOptions struct {
	// TemporalEntityID keeps the outputs made in that shot or scene.
	TemporalEntityID string
	OutputFilesOptions
}

// EntityWorkingFilesOptions filter GetAllWorkingFilesForEntity. The zero
// value (or nil) filters nothing, as gazu does by default.
type EntityWorkingFilesOptions struct {
	// TaskID keeps the working files of that task.
	TaskID string
	// Name keeps the working files with exactly that name.
	Name string
}

// WorkingFileNameOptions are the optional parts of
// GetLastWorkingFileRevision. The zero value (or nil) looks at the files
// named "main", gazu's default.
type WorkingFileNameOptions struct {
	// Name of the working files ("main" when empty).
	Name string
}

// DownloadWorkingFileOptions are the optional parts of DownloadWorkingFile.
// The zero value (or nil) writes to the working file's stored path, as
// gazu does when no file path is given.
type DownloadWorkingFileOptions struct {
	// FilePath is where to write the file.
	FilePath string
	// Progress, if set, is told how many bytes are received.
	Progress Progress
}

// postRead sends a POST that stores nothing (a path or a revision that is
// only computed), which may therefore be sent again after a connection
// error.
func (s *FilesService) postRead(ctx context.Context, path string, body, out any) error {
	return s.c.do(ctx, &request{method: http.MethodPost, path: path, body: jsonBody(body), idempotent: true}, out)
}

// postPath sends a path-building POST. It stores no file record, but Zou
// creates its default software ("3ds Max" on the working-file-path route,
// always; "3dsmax" when an output template asks for <Software>, which the
// output routes cannot be told) or output type ("Geometry") on the fly when
// the studio never made it, and parallel requests on a fresh database race
// doing so: all but one get a 500 (a unique violation). Such a request
// changes nothing else, so it is sent once more after a 500, which finds
// the default the winner made.
func (s *FilesService) postPath(ctx context.Context, path string, body, out any) error {
	return s.c.do(ctx, &request{method: http.MethodPost, path: path, body: jsonBody(body), idempotent: true, retryOn500: true}, out)
}

// filesOrDefault returns value, or def when value is empty; a value made of
// blanks only is refused.
func filesOrDefault(what, value, def string) (string, error) {
	if value == "" {
		return def, nil
	}
	if strings.TrimSpace(value) == "" {
		return "", invalidArg(what, value, "a non-blank value, or empty for "+strconv.Quote(def))
	}
	return value, nil
}

// filesCheckOptionalIDs checks name/value pairs of ids that may be empty.
func filesCheckOptionalIDs(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			if err := checkID(pairs[i], pairs[i+1]); err != nil {
				return err
			}
		}
	}
	return nil
}

func filesCheckRevision(revision int) error {
	if revision < 0 {
		return invalidArg("revision", revision, "0 (the next revision) or more")
	}
	return nil
}

func filesCheckNbElements(n int) (int, error) {
	if n < 0 {
		return 0, invalidArg("number of elements", n, "1 or more (0 for 1)")
	}
	return max(n, 1), nil
}

// filesCreationError makes the 400 replies of Zou's file creation routes match
// the sentinel they mean as well: ErrConflict for "already exists",
// ErrNotFound for "Cannot find given ..." (an unknown output type or
// person).
func filesCreationError(err error) error {
	var reply *Error
	if !errors.As(err, &reply) || reply.StatusCode != http.StatusBadRequest {
		return err
	}
	msg := strings.ToLower(reply.Message)
	switch {
	case strings.Contains(msg, "already exists"):
		return fmt.Errorf("%w: %w", ErrConflict, err)
	case strings.Contains(msg, "cannot find given"):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	}
	return err
}

// BuildWorkingFilePath returns the path, without extension, where a
// working file of the task belongs according to the project's file tree:
// the folder, the separator and the file name. Nothing is stored (but Zou
// creates the software "3ds Max" if it is missing), so two calls may give
// the same revision. On a fresh database, parallel first calls race to
// create "3ds Max" and the losers get a 500: that reply is retried once.
//
// It calls POST /data/tasks/{task_id}/working-file-path and mirrors
// gazu.files.build_working_file_path. Unlike gazu, it sends the separator
// (gazu never does, so Zou always built the folder with "/"), and it
// keeps spaces of the tree's mount point and root (gazu turns them into
// "_", which makes the path differ from the one Zou stores for a new
// working file). A project without a tree, or whose tree lacks the mode
// or the kind of entity, matches ErrParameter.
func (s *FilesService) BuildWorkingFilePath(ctx context.Context, taskID string, opts *BuildWorkingFilePathOptions) (string, error) {
	if err := checkID("task id", taskID); err != nil {
		return "", err
	}
	var o BuildWorkingFilePathOptions
	if opts != nil {
		o = *opts
	}
	if err := filesCheckOptionalIDs("software id", o.SoftwareID); err != nil {
		return "", err
	}
	if err := filesCheckRevision(o.Revision); err != nil {
		return "", err
	}
	revision := cmp.Or(o.Revision, 1)
	if o.NextRevision {
		if o.Revision != 0 {
			return "", invalidArg("revision", o.Revision, "0 with NextRevision")
		}
		revision = 0
	}
	name, err := filesOrDefault("name", o.Name, "main")
	if err != nil {
		return "", err
	}
	mode, err := filesOrDefault("mode", o.Mode, "working")
	if err != nil {
		return "", err
	}
	sep := cmp.Or(o.Sep, "/")
	body := map[string]any{"name": name, "mode": mode, "revision": revision, "sep": sep}
	if o.SoftwareID != "" {
		body["software_id"] = o.SoftwareID
	}
	var reply struct {
		Path string `json:"path"`
		Name string `json:"name"`
	}
	if err := s.postPath(ctx, pathOf("data/tasks", taskID, "working-file-path"), body, &reply); err != nil {
		return "", err
	}
	return reply.Path + sep + reply.Name, nil
}

// filesOutputPathBody checks the options of an output path build and returns
// what to send, with the number of elements.
func filesOutputPathBody(outputTypeID, taskTypeID string, opts *OutputFilePathOptions) (map[string]any, int, error) {
	var o OutputFilePathOptions
	if opts != nil {
		o = *opts
	}
	if err := filesCheckRevision(o.Revision); err != nil {
		return nil, 0, err
	}
	nb, err := filesCheckNbElements(o.NbElements)
	if err != nil {
		return nil, 0, err
	}
	name, err := filesOrDefault("name", o.Name, "main")
	if err != nil {
		return nil, 0, err
	}
	mode, err := filesOrDefault("mode", o.Mode, "output")
	if err != nil {
		return nil, 0, err
	}
	return map[string]any{
		"output_type_id": outputTypeID,
		"task_type_id":   taskTypeID,
		"name":           name,
		"mode":           mode,
		"representation": o.Representation,
		"revision":       o.Revision,
		"separator":      cmp.Or(o.Sep, "/"),
	}, nb, nil
}

// buildOutputPath asks an output-file-path route and joins its reply.
func (s *FilesService) buildOutputPath(ctx context.Context, path string, body map[string]any, nb int) (string, error) {
	var reply struct {
		FolderPath string `json:"folder_path"`
		FileName   string `json:"file_name"`
	}
	if err := s.postPath(ctx, path, body, &reply); err != nil {
		return "", err
	}
	name := reply.FileName
	if nb > 1 {
		name += fmt.Sprintf("_[1-%d]", nb)
	}
	return reply.FolderPath + body["separator"].(string) + name, nil
}

// BuildEntityOutputFilePath returns the path, without extension, where an
// output file of the entity (an asset, a shot...) belongs according to the
// project's file tree. Nothing is stored, so two calls may give the same
// revision. With revision 0 the path is that of the next revision, the one
// GetNextEntityOutputRevision gives.
//
// It calls POST /data/entities/{entity_id}/output-file-path (after
// POST /data/entities/{entity_id}/output-files/next-revision for revision
// 0) and mirrors gazu.files.build_entity_output_file_path. Unlike gazu:
// for revision 0, Zou would put the next revision in the file name but
// revision 0 in the folder, so the next revision is asked first and sent;
// Zou ignores the number of elements on this route, so the _[1-N] suffix
// Zou gives a new output file of N elements is added here; and spaces of
// the tree's mount point and root are kept. A project without a usable
// tree matches ErrParameter. Zou creates its default software "3dsmax"
// when a template asks for <Software> (this route cannot be told one), so
// a 500 (parallel first calls racing on a fresh database) is retried once.
func (s *FilesService) BuildEntityOutputFilePath(ctx context.Context, entityID, outputTypeID, taskTypeID string, opts *OutputFilePathOptions) (string, error) {
	if err := checkIDs("entity id", entityID, "output type id", outputTypeID, "task type id", taskTypeID); err != nil {
		return "", err
	}
	body, nb, err := filesOutputPathBody(outputTypeID, taskTypeID, opts)
	if err != nil {
		return "", err
	}
	if body["revision"].(int) == 0 {
		next, err := s.nextOutputRevision(ctx, pathOf("data/entities", entityID, "output-files", "next-revision"), outputTypeID, taskTypeID, body["name"].(string))
		if err != nil {
			return "", err
		}
		body["revision"] = next
	}
	return s.buildOutputPath(ctx, pathOf("data/entities", entityID, "output-file-path"), body, nb)
}

// BuildAssetInstanceOutputFilePath returns the path, without extension,
// where an output file of an asset instance, made in a temporal entity (a
// shot or a scene), belongs according to the project's file tree (its
// "instance" templates, or "instance_asset" for an instance inside an
// asset; Zou's "default" tree has none). Nothing is stored. With revision
// 0 the path is that of the next revision, the one
// GetNextAssetInstanceOutputRevision gives for the same name.
//
// It calls POST /data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}/output-file-path
// (after .../output-files/next-revision for revision 0) and mirrors
// gazu.files.build_asset_instance_output_file_path. Unlike gazu, whose
// revision 0 gives a path for revision "000" (Zou computes no revision on
// this route), revision 0 means the next revision; the _[1-N] suffix of
// an image sequence is added, and spaces of the mount point and root are
// kept. A tree without instance templates matches ErrParameter. As with
// BuildEntityOutputFilePath, a 500 is retried once.
func (s *FilesService) BuildAssetInstanceOutputFilePath(ctx context.Context, assetInstanceID, temporalEntityID, outputTypeID, taskTypeID string, opts *OutputFilePathOptions) (string, error) {
	if err := checkIDs("asset instance id", assetInstanceID, "temporal entity id", temporalEntityID, "output type id", outputTypeID, "task type id", taskTypeID); err != nil {
		return "", err
	}
	body, nb, err := filesOutputPathBody(outputTypeID, taskTypeID, opts)
	if err != nil {
		return "", err
	}
	if body["revision"].(int) == 0 {
		next, err := s.nextOutputRevision(ctx, pathOf("data/asset-instances", assetInstanceID, "entities", temporalEntityID, "output-files", "next-revision"), outputTypeID, taskTypeID, body["name"].(string))
		if err != nil {
			return "", err
		}
		body["revision"] = next
	}
	return s.buildOutputPath(ctx, pathOf("data/asset-instances", assetInstanceID, "entities", temporalEntityID, "output-file-path"), body, nb)
}

// nextOutputRevision asks a next-revision route.
func (s *FilesService) nextOutputRevision(ctx context.Context, path, outputTypeID, taskTypeID, name string) (int, error) {
	var reply struct {
		NextRevision int `json:"next_revision"`
	}
	body := map[string]any{"name": name, "output_type_id": outputTypeID, "task_type_id": taskTypeID}
	if err := s.postRead(ctx, path, body, &reply); err != nil {
		return 0, err
	}
	if reply.NextRevision < 1 {
		return 0, &Error{StatusCode: http.StatusOK, Method: http.MethodPost, URL: redactURL(s.c.GetFullURL(path)), Message: "the reply gives no next revision", Err: ErrServer}
	}
	return reply.NextRevision, nil
}

func filesRevisionName(opts *OutputRevisionOptions, def string) (string, error) {
	name := ""
	if opts != nil {
		name = opts.Name
	}
	return filesOrDefault("name", name, def)
}

// GetNextEntityOutputRevision returns the revision the next output file of
// the entity, output type, task type and name will get: the highest
// revision stored, plus 1, or 1 when there is none yet. Outputs of the
// entity's asset instances count too (they carry the asset as entity),
// and so do outputs of every representation. Nothing is reserved.
//
// It calls POST /data/entities/{entity_id}/output-files/next-revision and
// mirrors gazu.files.get_next_entity_output_revision (default name
// "main").
func (s *FilesService) GetNextEntityOutputRevision(ctx context.Context, entityID, outputTypeID, taskTypeID string, opts *OutputRevisionOptions) (int, error) {
	if err := checkIDs("entity id", entityID, "output type id", outputTypeID, "task type id", taskTypeID); err != nil {
		return 0, err
	}
	name, err := filesRevisionName(opts, "main")
	if err != nil {
		return 0, err
	}
	return s.nextOutputRevision(ctx, pathOf("data/entities", entityID, "output-files", "next-revision"), outputTypeID, taskTypeID, name)
}

// GetLastEntityOutputRevision returns the highest revision of the output
// files of the entity, output type, task type and name (counted as in
// GetNextEntityOutputRevision), or 0 and no error when there is none yet.
//
// It calls POST /data/entities/{entity_id}/output-files/next-revision and
// mirrors gazu.files.get_last_entity_output_revision (default name
// "master", not "main": see OutputRevisionOptions). Unlike gazu, which
// returns 1 both when revision 1 exists and when nothing does, it returns
// 0 when nothing does.
func (s *FilesService) GetLastEntityOutputRevision(ctx context.Context, entityID, outputTypeID, taskTypeID string, opts *OutputRevisionOptions) (int, error) {
	if err := checkIDs("entity id", entityID, "output type id", outputTypeID, "task type id", taskTypeID); err != nil {
		return 0, err
	}
	name, err := filesRevisionName(opts, "master")
	if err != nil {
		return 0, err
	}
	next, err := s.nextOutputRevision(ctx, pathOf("data/entities", entityID, "output-files", "next-revision"), outputTypeID, taskTypeID, name)
	if err != nil {
		return 0, err
	}
	return next - 1, nil
}

// GetNextAssetInstanceOutputRevision returns the revision the next output
// file of the asset instance in the temporal entity (a shot or a scene),
// for the output type, task type and name, will get: the highest revision
// stored, plus 1, or 1 when there is none yet. Nothing is reserved.
//
// It calls POST /data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}/output-files/next-revision
// and mirrors gazu.files.get_next_asset_instance_output_revision (default
// name "master").
func (s *FilesService) GetNextAssetInstanceOutputRevision(ctx context.Context, assetInstanceID, temporalEntityID, outputTypeID, taskTypeID string, opts *OutputRevisionOptions) (int, error) {
	if err := checkIDs("asset instance id", assetInstanceID, "temporal entity id", temporalEntityID, "output type id", outputTypeID, "task type id", taskTypeID); err != nil {
		return 0, err
	}
	name, err := filesRevisionName(opts, "master")
	if err != nil {
		return 0, err
	}
	return s.nextOutputRevision(ctx, pathOf("data/asset-instances", assetInstanceID, "entities", temporalEntityID, "output-files", "next-revision"), outputTypeID, taskTypeID, name)
}

// GetLastAssetInstanceOutputRevision returns the highest revision of the
// output files of the asset instance in the temporal entity, for the
// output type, task type and name, or 0 and no error when there is none
// yet.
//
// It calls POST /data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}/output-files/next-revision
// and mirrors gazu.files.get_last_asset_instance_output_revision (default
// name "master"). Unlike gazu, which returns 1 both when revision 1
// exists and when nothing does, it returns 0 when nothing does.
func (s *FilesService) GetLastAssetInstanceOutputRevision(ctx context.Context, assetInstanceID, temporalEntityID, outputTypeID, taskTypeID string, opts *OutputRevisionOptions) (int, error) {
	next, err := s.GetNextAssetInstanceOutputRevision(ctx, assetInstanceID, temporalEntityID, outputTypeID, taskTypeID, opts)
	if err != nil {
		return 0, err
	}
	return next - 1, nil
}

// filesOutputFilters turns output file filters into query parameters.
func filesOutputFilters(o *OutputFilesOptions) (url.Values, error) {
	if o == nil {
		return url.Values{}, nil
	}
	if err := filesCheckOptionalIDs("output type id", o.OutputTypeID, "task type id", o.TaskTypeID, "file status id", o.FileStatusID); err != nil {
		return nil, err
	}
	return q("output_type_id", o.OutputTypeID, "task_type_id", o.TaskTypeID, "name", o.Name,
		"representation", o.Representation, "file_status_id", o.FileStatusID), nil
}

// GetLastOutputFilesForEntity returns, for each output type, task type,
// name and representation of the entity's own output files (outputs of
// its asset instances are left out), the file with the highest revision,
// in Zou's order. An entity with no output gives an empty list; an unknown
// entity matches ErrNotFound.
//
// It calls GET /data/entities/{entity_id}/output-files/last-revisions and
// mirrors gazu.files.get_last_output_files_for_entity.
func (s *FilesService) GetLastOutputFilesForEntity(ctx context.Context, entityID string, opts *OutputFilesOptions) ([]OutputFile, error) {
	if err := checkID("entity id", entityID); err != nil {
		return nil, err
	}
	query, err := filesOutputFilters(opts)
	if err != nil {
		return nil, err
	}
	return list[OutputFile](ctx, (*service)(s), pathOf("data/entities", entityID, "output-files", "last-revisions"), query)
}

// GetLastOutputFilesForAssetInstance returns, for each output type, task
// type, name and representation of the outputs of the asset instance made
// in the temporal entity, the file with the highest revision, in Zou's
// order. An unknown asset instance matches ErrNotFound.
//
// It calls GET /data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}/output-files/last-revisions
// and mirrors gazu.files.get_last_output_files_for_asset_instance.
func (s *FilesService) GetLastOutputFilesForAssetInstance(ctx context.Context, assetInstanceID, temporalEntityID string, opts *OutputFilesOptions) ([]OutputFile, error) {
	if err := checkIDs("asset instance id", assetInstanceID, "temporal entity id", temporalEntityID); err != nil {
		return nil, err
	}
	query, err := filesOutputFilters(opts)
	if err != nil {
		return nil, err
	}
	return list[OutputFile](ctx, (*service)(s), pathOf("data/asset-instances", assetInstanceID, "entities", temporalEntityID, "output-files", "last-revisions"), query)
}

// AllOutputFilesForEntity returns every revision of the entity's own
// output files (outputs of its asset instances are left out), highest
// revision first. An unknown entity matches ErrNotFound.
//
// It calls GET /data/entities/{entity_id}/output-files and mirrors
// gazu.files.all_output_files_for_entity.
func (s *FilesService) AllOutputFilesForEntity(ctx context.Context, entityID string, opts *OutputFilesOptions) ([]OutputFile, error) {
	if err := checkID("entity id", entityID); err != nil {
		return nil, err
	}
	query, err := filesOutputFilters(opts)
	if err != nil {
		return nil, err
	}
	return list[OutputFile](ctx, (*service)(s), pathOf("data/entities", entityID, "output-files"), query)
}

// AllOutputFilesForAssetInstance returns every revision of the output
// files of the asset instance, in every temporal entity unless
// opts.TemporalEntityID is set, highest revision first. An unknown asset
// instance matches ErrNotFound.
//
// It calls GET /data/asset-instances/{asset_instance_id}/output-files and
// mirrors gazu.files.all_output_files_for_asset_instance.
func (s *FilesService) AllOutputFilesForAssetInstance(ctx context.Context, assetInstanceID string, opts *AssetInstanceOutputFilesOptions) ([]OutputFile, error) {
	if err := checkID("asset instance id", assetInstanceID); err != nil {
		return nil, err
	}
	var o AssetInstanceOutputFilesOptions
	if opts != nil {
		o = *opts
	}
	if err := filesCheckOptionalIDs("temporal entity id", o.TemporalEntityID); err != nil {
		return nil, err
	}
	query, err := filesOutputFilters(&o.OutputFilesOptions)
	if err != nil {
		return nil, err
	}
	if o.TemporalEntityID != "" {
		query.Set("temporal_entity_id", o.TemporalEntityID)
	}
	return list[OutputFile](ctx, (*service)(s), pathOf("data/asset-instances", assetInstanceID, "output-files"), query)
}

// GetLastWorkingFiles returns the task's working files with the highest
// revision, one per name, keyed by name. A task with no working file
// gives an empty map.
//
// It calls GET /data/tasks/{task_id}/working-files/last-revisions and
// mirrors gazu.files.get_last_working_files.
func (s *FilesService) GetLastWorkingFiles(ctx context.Context, taskID string) (map[string]WorkingFile, error) {
	if err := checkID("task id", taskID); err != nil {
		return nil, err
	}
	var files map[string]WorkingFile
	if err := (*service)(s).get(ctx, pathOf("data/tasks", taskID, "working-files", "last-revisions"), nil, &files); err != nil {
		return nil, err
	}
	if files == nil {
		files = map[string]WorkingFile{}
	}
	return files, nil
}

// GetLastWorkingFileRevision returns the highest revision of the task's
// working files with the name ("main" by default), or 0 and no error when
// there is none yet.
//
// It calls GET /data/tasks/{task_id}/working-files/last-revisions and
// mirrors gazu.files.get_last_working_file_revision, which returns the
// working file itself (or None), not its revision: use GetLastWorkingFiles
// for the file.
func (s *FilesService) GetLastWorkingFileRevision(ctx context.Context, taskID string, opts *WorkingFileNameOptions) (int, error) {
	name := ""
	if opts != nil {
		name = opts.Name
	}
	name, err := filesOrDefault("name", name, "main")
	if err != nil {
		return 0, err
	}
	files, err := s.GetLastWorkingFiles(ctx, taskID)
	if err != nil {
		return 0, err
	}
	return files[name].Revision, nil
}

// NewWorkingFile creates the next (or the given) revision of a working
// file of the task and returns it, with the path Zou built from the
// project's file tree (without extension). Zou also assigns the task to
// the current user, even when another author is given.
//
// It calls POST /data/tasks/{task_id}/working-files/new and mirrors
// gazu.files.new_working_file (not a get-or-create: each call adds a
// revision). Unlike gazu, it sends the separator. A revision that exists
// already matches ErrConflict. A project without a usable tree matches
// ErrServer: Zou answers 500, having stored no file but having assigned
// the task already. Without a software, Zou uses "Blender", creating it
// if the studio has none; give SoftwareID to avoid that. A creation is
// never sent twice, not even after a 500.
func (s *FilesService) NewWorkingFile(ctx context.Context, taskID string, opts *NewWorkingFileOptions) (*WorkingFile, error) {
	if err := checkID("task id", taskID); err != nil {
		return nil, err
	}
	var o NewWorkingFileOptions
	if opts != nil {
		o = *opts
	}
	if err := filesCheckOptionalIDs("software id", o.SoftwareID, "person id", o.PersonID); err != nil {
		return nil, err
	}
	if err := filesCheckRevision(o.Revision); err != nil {
		return nil, err
	}
	name, err := filesOrDefault("name", o.Name, "main")
	if err != nil {
		return nil, err
	}
	mode, err := filesOrDefault("mode", o.Mode, "working")
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"name":     name,
		"mode":     mode,
		"comment":  o.Comment,
		"task_id":  taskID,
		"revision": o.Revision,
		"sep":      cmp.Or(o.Sep, "/"),
	}
	if o.PersonID != "" {
		body["person_id"] = o.PersonID
	}
	if o.SoftwareID != "" {
		body["software_id"] = o.SoftwareID
	}
	var wf WorkingFile
	if err := (*service)(s).post(ctx, pathOf("data/tasks", taskID, "working-files", "new"), body, &wf); err != nil {
		return nil, filesCreationError(err)
	}
	return &wf, nil
}

// filesNewOutputBody checks the options of an output file creation and returns
// what to send.
func filesNewOutputBody(outputTypeID, taskTypeID, comment, defaultName string, opts *NewOutputFileOptions) (map[string]any, error) {
	var o NewOutputFileOptions
	if opts != nil {
		o = *opts
	}
	if err := filesCheckOptionalIDs("working file id", o.WorkingFileID, "person id", o.PersonID, "file status id", o.FileStatusID); err != nil {
		return nil, err
	}
	if err := filesCheckRevision(o.Revision); err != nil {
		return nil, err
	}
	nb, err := filesCheckNbElements(o.NbElements)
	if err != nil {
		return nil, err
	}
	name, err := filesOrDefault("name", o.Name, defaultName)
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"output_type_id": outputTypeID,
		"task_type_id":   taskTypeID,
		"comment":        comment,
		"name":           name,
		"revision":       o.Revision,
		"representation": o.Representation,
		"nb_elements":    nb,
		"sep":            cmp.Or(o.Sep, "/"),
	}
	for k, v := range map[string]string{"working_file_id": o.WorkingFileID, "person_id": o.PersonID, "file_status_id": o.FileStatusID, "extension": o.Extension} {
		if v != "" {
			body[k] = v
		}
	}
	return body, nil
}

// NewEntityOutputFile creates the next (or the given) revision of an
// output file of the entity, for the output type and task type, and
// returns it with the path Zou built from the project's file tree
// (Path, and its FolderPath and FileName parts).
//
// It calls POST /data/entities/{entity_id}/output-files/new and mirrors
// gazu.files.new_entity_output_file (not a get-or-create: each call adds a
// revision). Gazu's mode argument is not offered: Zou always builds the
// path from the "output" section of the tree. A revision that exists
// already matches ErrConflict (see the note at the top of this file for
// creations at the same moment); an unknown entity, output type, task
// type or person matches ErrNotFound. With a project whose tree is unusable,
// Zou answers 400 (ErrParameter) but has already stored the output file,
// with an empty path, and its revision is taken.
func (s *FilesService) NewEntityOutputFile(ctx context.Context, entityID, outputTypeID, taskTypeID, comment string, opts *NewOutputFileOptions) (*OutputFile, error) {
	if err := checkIDs("entity id", entityID, "output type id", outputTypeID, "task type id", taskTypeID); err != nil {
		return nil, err
	}
	body, err := filesNewOutputBody(outputTypeID, taskTypeID, comment, "main", opts)
	if err != nil {
		return nil, err
	}
	var of OutputFile
	if err := (*service)(s).post(ctx, pathOf("data/entities", entityID, "output-files", "new"), body, &of); err != nil {
		return nil, filesCreationError(err)
	}
	return &of, nil
}

// NewAssetInstanceOutputFile creates the next (or the given) revision of
// an output file of the asset instance made in the temporal entity (a
// shot or a scene), for the output type and task type, and returns it with
// the path Zou built from the project's file tree. Its EntityID is the
// instance's asset.
//
// It calls POST /data/asset-instances/{asset_instance_id}/entities/{temporal_entity_id}/output-files/new
// and mirrors gazu.files.new_asset_instance_output_file (default name
// "master"). Gazu's mode argument is not offered: Zou always uses the
// "output" section of the tree. Zou adds no _[1-N] suffix for several
// elements on this route. A revision that exists already matches
// ErrConflict; an unknown asset instance, temporal entity, output type,
// task type or person matches ErrNotFound. With a tree lacking instance templates Zou answers 500
// (ErrServer) but has already stored the output file, with an empty path.
func (s *FilesService) NewAssetInstanceOutputFile(ctx context.Context, assetInstanceID, temporalEntityID, outputTypeID, taskTypeID, comment string, opts *NewOutputFileOptions) (*OutputFile, error) {
	if err := checkIDs("asset instance id", assetInstanceID, "temporal entity id", temporalEntityID, "output type id", outputTypeID, "task type id", taskTypeID); err != nil {
		return nil, err
	}
	body, err := filesNewOutputBody(outputTypeID, taskTypeID, comment, "master", opts)
	if err != nil {
		return nil, err
	}
	var of OutputFile
	if err := (*service)(s).post(ctx, pathOf("data/asset-instances", assetInstanceID, "entities", temporalEntityID, "output-files", "new"), body, &of); err != nil {
		return nil, filesCreationError(err)
	}
	return &of, nil
}

// GetWorkingFile returns the working file with the given id. An unknown id
// matches ErrNotFound.
//
// It calls GET /data/working-files/{working_file_id} and mirrors
// gazu.files.get_working_file.
func (s *FilesService) GetWorkingFile(ctx context.Context, workingFileID string) (*WorkingFile, error) {
	if err := checkID("working file id", workingFileID); err != nil {
		return nil, err
	}
	return one[WorkingFile](ctx, (*service)(s), pathOf("data/working-files", workingFileID), nil)
}

// GetWorkingFilesForTask returns every revision of the task's working
// files, highest revision first. An unknown task matches ErrNotFound.
//
// It calls GET /data/tasks/{task_id}/working-files and mirrors
// gazu.files.get_working_files_for_task.
func (s *FilesService) GetWorkingFilesForTask(ctx context.Context, taskID string) ([]WorkingFile, error) {
	if err := checkID("task id", taskID); err != nil {
		return nil, err
	}
	return list[WorkingFile](ctx, (*service)(s), pathOf("data/tasks", taskID, "working-files"), nil)
}

// GetAllWorkingFilesForEntity returns every revision of the working files
// of the entity's tasks, highest revision first, limited to one task or
// one name by opts. An unknown entity matches ErrNotFound.
//
// It calls GET /data/entities/{entity_id}/working-files[?task_id=&name=]
// and mirrors gazu.files.get_all_working_files_for_entity.
func (s *FilesService) GetAllWorkingFilesForEntity(ctx context.Context, entityID string, opts *EntityWorkingFilesOptions) ([]WorkingFile, error) {
	if err := checkID("entity id", entityID); err != nil {
		return nil, err
	}
	var o EntityWorkingFilesOptions
	if opts != nil {
		o = *opts
	}
	if err := filesCheckOptionalIDs("task id", o.TaskID); err != nil {
		return nil, err
	}
	return list[WorkingFile](ctx, (*service)(s), pathOf("data/entities", entityID, "working-files"), q("task_id", o.TaskID, "name", o.Name))
}

// GetOutputFile returns the output file with the given id. An unknown id
// matches ErrNotFound.
//
// It calls GET /data/output-files/{output_file_id} and mirrors
// gazu.files.get_output_file.
func (s *FilesService) GetOutputFile(ctx context.Context, outputFileID string) (*OutputFile, error) {
	if err := checkID("output file id", outputFileID); err != nil {
		return nil, err
	}
	return one[OutputFile](ctx, (*service)(s), pathOf("data/output-files", outputFileID), nil)
}

// GetOutputFileByPath returns the output file stored with exactly that
// path (with its extension, if it was created with one), or an error
// matching ErrNotFound.
//
// It calls GET /data/output-files?path= and mirrors
// gazu.files.get_output_file_by_path. Zou would read a path starting with
// "[" as a list of values: such a path is sent as a list of one, so that
// it is still matched exactly.
func (s *FilesService) GetOutputFileByPath(ctx context.Context, path string) (*OutputFile, error) {
	if strings.TrimSpace(path) == "" {
		return nil, invalidArg("path", path, "the path of an output file")
	}
	value := path
	if strings.HasPrefix(path, "[") {
		value = "[" + strconv.Quote(path) + "]"
	}
	files, err := list[OutputFile](ctx, (*service)(s), "data/output-files", q("path", value))
	if err != nil {
		return nil, err
	}
	for i := range files {
		if files[i].Path == path {
			return &files[i], nil
		}
	}
	return nil, fmt.Errorf("%w: no output file with path %q", ErrNotFound, path)
}

// UpdateOutputFile changes the fields of an output file given in data
// (column names such as "comment", "size", "checksum", "file_status_id",
// "data") and returns it as Zou stored it. Zou lets managers of the
// project, and people working on the entity, do it.
//
// It calls PUT /data/output-files/{output_file_id} and mirrors
// gazu.files.update_output_file.
func (s *FilesService) UpdateOutputFile(ctx context.Context, outputFileID string, data map[string]any) (*OutputFile, error) {
	if err := checkID("output file id", outputFileID); err != nil {
		return nil, err
	}
	if len(data) == 0 {
		return nil, invalidArg("data", "{}", "at least one field to change")
	}
	var of OutputFile
	if err := (*service)(s).put(ctx, pathOf("data/output-files", outputFileID), data, &of); err != nil {
		return nil, err
	}
	return &of, nil
}

// UpdateComment sets the comment of a working file and returns the file.
// Zou refuses an empty comment, so it is refused here first.
//
// It calls PUT /actions/working-files/{working_file_id}/comment and
// mirrors gazu.files.update_comment.
func (s *FilesService) UpdateComment(ctx context.Context, workingFileID, comment string) (*WorkingFile, error) {
	if err := checkID("working file id", workingFileID); err != nil {
		return nil, err
	}
	if comment == "" {
		return nil, invalidArg("comment", comment, "a non-empty comment")
	}
	var wf WorkingFile
	if err := (*service)(s).put(ctx, pathOf("actions/working-files", workingFileID, "comment"), map[string]any{"comment": comment}, &wf); err != nil {
		return nil, err
	}
	return &wf, nil
}

// UpdateModificationDate sets the modification date (UpdatedAt) of a
// working file to now and returns the file.
//
// It calls PUT /actions/working-files/{working_file_id}/modified and
// mirrors gazu.files.update_modification_date.
func (s *FilesService) UpdateModificationDate(ctx context.Context, workingFileID string) (*WorkingFile, error) {
	if err := checkID("working file id", workingFileID); err != nil {
		return nil, err
	}
	var wf WorkingFile
	if err := (*service)(s).put(ctx, pathOf("actions/working-files", workingFileID, "modified"), nil, &wf); err != nil {
		return nil, err
	}
	return &wf, nil
}

// DownloadWorkingFile saves the content uploaded for a working file to
// opts.FilePath, or to the working file's stored path when none is given
// (its folder must exist; the stored path has no extension), and returns
// the path written. The file is written whole or not at all (see
// Client.Download). A working file with no uploaded content matches
// ErrNotFound and ErrDownloadFailed.
//
// It calls GET /data/working-files/{working_file_id}/file (after
// GET /data/working-files/{working_file_id} when no path is given) and
// mirrors gazu.files.download_working_file.
func (s *FilesService) DownloadWorkingFile(ctx context.Context, workingFileID string, opts *DownloadWorkingFileOptions) (string, error) {
	if err := checkID("working file id", workingFileID); err != nil {
		return "", err
	}
	var o DownloadWorkingFileOptions
	if opts != nil {
		o = *opts
	}
	target := o.FilePath
	if target == "" {
		wf, err := s.GetWorkingFile(ctx, workingFileID)
		if err != nil {
			return "", err
		}
		if strings.TrimSpace(wf.Path) == "" {
			return "", invalidArg("file path", "", "a path: working file "+workingFileID+" has no stored path")
		}
		target = wf.Path
	}
	if err := s.c.Download(ctx, pathOf("data/working-files", workingFileID, "file"), target, &DownloadOptions{Progress: o.Progress}); err != nil {
		return "", err
	}
	return target, nil
}

// filesTreeNamePattern is what Zou accepts as the name of one of its trees.
var filesTreeNamePattern = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// SetProjectFileTree gives the project the file tree that the server ships
// under that name ("default" or "simple" for Zou) and returns the project.
//
// It calls POST /actions/projects/{project_id}/set-file-tree and mirrors
// gazu.files.set_project_file_tree (deprecated in gazu). Zou 1.0.97 no
// longer has that route, and serves the trees it ships on no other: there,
// this method returns an error matching ErrNotFound that says so (after
// GET /data/projects/{project_id}, to tell that from an unknown project,
// which matches ErrNotFound too). Read the tree's JSON (Zou keeps them in
// zou/app/file_trees/) and pass it to UpdateProjectFileTree instead.
func (s *FilesService) SetProjectFileTree(ctx context.Context, projectID, fileTreeName string) (*Project, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	if !filesTreeNamePattern.MatchString(fileTreeName) {
		return nil, invalidArg("file tree name", fileTreeName, `the name of a tree the server ships, such as "default" or "simple"`)
	}
	var p Project
	err := (*service)(s).post(ctx, pathOf("actions/projects", projectID, "set-file-tree"), map[string]any{"tree_name": fileTreeName}, &p)
	if err == nil {
		return &p, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if _, perr := one[Project](ctx, (*service)(s), pathOf("data/projects", projectID), nil); perr != nil {
		return nil, perr
	}
	return nil, fmt.Errorf("%w: this server no longer sets a file tree by name (Zou removed POST /actions/projects/{id}/set-file-tree in 1.0.97): "+
		"read the JSON of tree %q and pass it to UpdateProjectFileTree: %w", ErrNotFound, fileTreeName, err)
}

// UpdateProjectFileTree stores fileTree as the project's file tree (the
// templates every path of the project is built from: one section per mode
// such as "working" and "output", each with its mountpoint, root,
// folder_path and file_name templates) and returns the project. Zou checks
// nothing in the tree: a mistake shows only when a path is built.
//
// It calls PUT /data/projects/{project_id} and mirrors
// gazu.files.update_project_file_tree.
func (s *FilesService) UpdateProjectFileTree(ctx context.Context, projectID string, fileTree map[string]any) (*Project, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	if len(fileTree) == 0 {
		return nil, invalidArg("file tree", "{}", `a tree with at least one mode, such as {"working": {...}}`)
	}
	var p Project
	if err := (*service)(s).put(ctx, pathOf("data/projects", projectID), map[string]any{"file_tree": fileTree}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}
