package kitsu_test

import (
	"bytes"
	"crypto/rand"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// mediaUnknownID is a well-formed id that no record has.
const mediaUnknownID = "00000000-0000-4000-8000-0000000000aa"

// mediaPNGSize decodes a PNG and returns its size.
func mediaPNGSize(t *testing.T, data []byte) (int, int) {
	t.Helper()
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	require.NoError(t, err, "the download is not a picture")
	require.Equal(t, "png", format)
	_, err = png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	return cfg.Width, cfg.Height
}

// mediaReadPNGSize reads a PNG file and returns its size.
func mediaReadPNGSize(t *testing.T, path string) (int, int) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return mediaPNGSize(t, data)
}

func TestFilesMediaSoftwares(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)

	name := kitsutest.Unique("kp_Sw")
	sw, err := c.Files.NewSoftware(ctx, name, "kps", ".kps", &kitsu.NewSoftwareOptions{SecondaryExtensions: []string{".kpx"}})
	require.NoError(t, err)
	kitsutest.DeleteOnCleanup(t, c, "data/softwares/"+sw.ID, nil)
	assert.Equal(t, name, sw.Name)
	assert.Equal(t, "kps", sw.ShortName)
	assert.Equal(t, ".kps", sw.FileExtension)
	assert.Equal(t, []string{".kpx"}, sw.SecondaryExtensions)

	// Get-or-create: the existing record comes back unchanged.
	again, err := c.Files.NewSoftware(ctx, name, "other", ".oth", nil)
	require.NoError(t, err)
	assert.Equal(t, sw.ID, again.ID)
	assert.Equal(t, ".kps", again.FileExtension)

	got, err := c.Files.GetSoftware(ctx, sw.ID)
	require.NoError(t, err)
	assert.Equal(t, name, got.Name)
	assert.Equal(t, "Software", got.Type)

	byName, err := c.Files.GetSoftwareByName(ctx, name)
	require.NoError(t, err)
	assert.Equal(t, sw.ID, byName.ID)
	byName, err = c.Files.GetSoftwareByName(ctx, strings.ToUpper(name))
	require.NoError(t, err, "Zou ignores case in names")
	assert.Equal(t, sw.ID, byName.ID)
	// "_" is not a wildcard: kp_Sw must not be found as kpxSw.
	_, err = c.Files.GetSoftwareByName(ctx, strings.Replace(name, "_", "x", 1))
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetSoftwareByName(ctx, strings.Replace(name, "_", "%", 1))
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	all, err := c.Files.AllSoftwares(ctx)
	require.NoError(t, err)
	names := make([]string, len(all))
	for i := range all {
		names[i] = all[i].Name
	}
	assert.Contains(t, names, name)
	assert.True(t, slices.IsSortedFunc(names, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) }), "softwares sorted by name: %v", names)

	_, err = c.Files.GetSoftware(ctx, mediaUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetSoftwareByName(ctx, kitsutest.Unique("kp none"))
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Files.GetSoftware(ctx, "Blender")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetSoftwareByName(ctx, " ")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.NewSoftware(ctx, "", "x", ".x", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.NewSoftware(ctx, name, "", ".x", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.NewSoftware(ctx, name, "x", "", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestFilesMediaFileStatuses(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)

	name := kitsutest.Unique("kp_Status")
	fs, err := c.Files.NewFileStatus(ctx, name, "#f5a623")
	require.NoError(t, err)
	kitsutest.DeleteOnCleanup(t, c, "data/file-status/"+fs.ID, nil)
	assert.Equal(t, name, fs.Name)
	assert.Equal(t, "#f5a623", fs.Color)

	again, err := c.Files.NewFileStatus(ctx, name, "#000000")
	require.NoError(t, err)
	assert.Equal(t, fs.ID, again.ID)
	assert.Equal(t, "#f5a623", again.Color)

	got, err := c.Files.GetFileStatus(ctx, fs.ID)
	require.NoError(t, err)
	assert.Equal(t, name, got.Name)
	byName, err := c.Files.GetFileStatusByName(ctx, strings.ToLower(name))
	require.NoError(t, err)
	assert.Equal(t, fs.ID, byName.ID)
	_, err = c.Files.GetFileStatusByName(ctx, strings.Replace(name, "_", "-", 1))
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Files.GetFileStatus(ctx, mediaUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetFileStatus(ctx, "todo")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetFileStatusByName(ctx, "")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	for _, bad := range []string{"", "red", "#fff", "f5a623", "#f5a62g", "#f5a6231"} {
		_, err = c.Files.NewFileStatus(ctx, kitsutest.Unique("kp bad"), bad)
		require.ErrorIs(t, err, kitsu.ErrInvalidArgument, "color %q", bad)
	}
	_, err = c.Files.NewFileStatus(ctx, " ", "#ffffff")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestFilesMediaOutputTypes(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)

	// Studio-wide records first, so that they are removed after the
	// project and its output files.
	geoName, camName := kitsutest.Unique("kp_Geo"), kitsutest.Unique("kp Cam")
	cam, err := c.Files.NewOutputType(ctx, camName, "cam")
	require.NoError(t, err)
	kitsutest.DeleteOnCleanup(t, c, "data/output-types/"+cam.ID, nil)
	geo, err := c.Files.NewOutputType(ctx, geoName, "geo")
	require.NoError(t, err)
	kitsutest.DeleteOnCleanup(t, c, "data/output-types/"+geo.ID, nil)
	assert.Equal(t, geoName, geo.Name)
	assert.Equal(t, "geo", geo.ShortName)
	status, err := c.Files.NewFileStatus(ctx, kitsutest.Unique("kp ok"), "#00ff00")
	require.NoError(t, err)
	kitsutest.DeleteOnCleanup(t, c, "data/file-status/"+status.ID, nil)

	again, err := c.Files.NewOutputType(ctx, geoName, "other")
	require.NoError(t, err)
	assert.Equal(t, geo.ID, again.ID)
	assert.Equal(t, "geo", again.ShortName)

	got, err := c.Files.GetOutputType(ctx, geo.ID)
	require.NoError(t, err)
	assert.Equal(t, geoName, got.Name)
	byName, err := c.Files.GetOutputTypeByName(ctx, strings.ToUpper(geoName))
	require.NoError(t, err)
	assert.Equal(t, geo.ID, byName.ID)
	_, err = c.Files.GetOutputTypeByName(ctx, strings.Replace(geoName, "_", "z", 1))
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	all, err := c.Files.AllOutputTypes(ctx)
	require.NoError(t, err)
	ids := kitsutest.IDs(all, func(o *kitsu.OutputType) string { return o.ID })
	assert.Contains(t, ids, geo.ID)
	assert.Contains(t, ids, cam.ID)
	assert.True(t, slices.IsSortedFunc(all, func(a, b kitsu.OutputType) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	}))

	// Output files: two geometry revisions and a camera for the set, a
	// geometry for an instance of the tree in the set, seen in a shot.
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)
	set := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Set")
	tree := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Tree")
	seq := kitsutest.NewSequence(t, c, p.ID, "", "SQ01")
	shot := kitsutest.NewShot(t, c, p.ID, seq.ID, "SH010")
	modeling := kitsutest.TaskTypeNamed(t, c, "Modeling")
	instance, err := c.Asset.NewAssetAssetInstance(ctx, set.ID, tree.ID, nil)
	require.NoError(t, err)
	kitsutest.RemoveAssetInstanceOnCleanup(t, c, instance.ID)
	newOutput := func(fields map[string]any) {
		t.Helper()
		body := map[string]any{"task_type_id": modeling.ID, "file_status_id": status.ID, "name": "main"}
		for k, v := range fields {
			body[k] = v
		}
		var out kitsu.OutputFile
		require.NoError(t, c.Create(ctx, "output-files", body, &out))
		kitsutest.DeleteOnCleanup(t, c, "data/output-files/"+out.ID, nil) // before the instance
	}
	newOutput(map[string]any{"entity_id": set.ID, "output_type_id": geo.ID, "revision": 1})
	newOutput(map[string]any{"entity_id": set.ID, "output_type_id": geo.ID, "revision": 2})
	newOutput(map[string]any{"entity_id": set.ID, "output_type_id": cam.ID, "revision": 1})
	newOutput(map[string]any{"entity_id": tree.ID, "asset_instance_id": instance.ID, "temporal_entity_id": shot.ID, "output_type_id": geo.ID, "revision": 1})
	newOutput(map[string]any{"entity_id": tree.ID, "asset_instance_id": instance.ID, "temporal_entity_id": shot.ID, "output_type_id": geo.ID, "revision": 2})

	forSet, err := c.Files.AllOutputTypesForEntity(ctx, set.ID)
	require.NoError(t, err)
	want := []string{cam.ID, geo.ID}
	if strings.ToLower(geoName) < strings.ToLower(camName) {
		want = []string{geo.ID, cam.ID}
	}
	assert.Equal(t, want, kitsutest.IDs(forSet, func(o *kitsu.OutputType) string { return o.ID }), "each type once, sorted by name")

	forShot, err := c.Files.AllOutputTypesForEntity(ctx, shot.ID)
	require.NoError(t, err)
	assert.NotNil(t, forShot)
	assert.Empty(t, forShot)

	forInstance, err := c.Files.AllOutputTypesForAssetInstance(ctx, instance.ID, shot.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{geo.ID}, kitsutest.IDs(forInstance, func(o *kitsu.OutputType) string { return o.ID }))
	elsewhere, err := c.Files.AllOutputTypesForAssetInstance(ctx, instance.ID, set.ID)
	require.NoError(t, err)
	assert.NotNil(t, elsewhere)
	assert.Empty(t, elsewhere)

	_, err = c.Files.AllOutputTypesForEntity(ctx, mediaUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.AllOutputTypesForAssetInstance(ctx, mediaUnknownID, shot.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetOutputType(ctx, mediaUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetOutputTypeByName(ctx, kitsutest.Unique("kp none"))
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Files.AllOutputTypesForEntity(ctx, "Set")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.AllOutputTypesForAssetInstance(ctx, instance.ID, "")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.AllOutputTypesForAssetInstance(ctx, "Tree_0001", shot.ID)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetOutputType(ctx, "geo")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.NewOutputType(ctx, "", "x")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.NewOutputType(ctx, "x", " ")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestFilesMediaPreviewFiles(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	dir := t.TempDir()
	f := kitsutest.NewAssetTask(t, c)

	picture := kitsutest.NewPreview(t, c, f.Task, kitsutest.WritePNG(t, dir, "frame.png", 640, 360))
	notes := []byte("# Notes\n\nThe chair needs a fourth leg.\n")
	notesPath := filepath.Join(dir, "notes.md")
	require.NoError(t, os.WriteFile(notesPath, notes, 0o644))
	doc := kitsutest.NewPreview(t, c, f.Task, notesPath)
	empty := kitsutest.NewPreview(t, c, f.Task, "")

	got, err := c.Files.GetPreviewFile(ctx, picture.ID)
	require.NoError(t, err)
	assert.Equal(t, "png", got.Extension)
	assert.Equal(t, "frame", got.OriginalName)
	assert.Equal(t, f.Task.ID, got.TaskID)
	assert.Equal(t, 1, got.Revision)
	assert.Equal(t, 640, got.Width)
	assert.Equal(t, 360, got.Height)

	all, err := c.Files.GetAllPreviewFilesForTask(ctx, f.Task.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{picture.ID, doc.ID, empty.ID}, kitsutest.IDs(all, func(p *kitsu.PreviewFile) string { return p.ID }))
	assert.Equal(t, []int{1, 2, 3}, []int{all[0].Revision, all[1].Revision, all[2].Revision})
	none, err := c.Files.GetAllPreviewFilesForTask(ctx, mediaUnknownID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	// URLs of the original files.
	u, err := c.Files.GetPreviewFileURL(ctx, picture.ID)
	require.NoError(t, err)
	assert.Equal(t, "pictures/originals/preview-files/"+picture.ID+".png", u)
	u, err = c.Files.GetPreviewFileURL(ctx, doc.ID)
	require.NoError(t, err)
	assert.Equal(t, "pictures/originals/preview-files/"+doc.ID+".md", u)
	// Zou makes a preview with no file yet a movie being processed.
	u, err = c.Files.GetPreviewFileURL(ctx, empty.ID)
	require.NoError(t, err)
	assert.Equal(t, "movies/originals/preview-files/"+empty.ID+".mp4", u)

	// The original picture, its cover and its thumbnail.
	var done, total int64
	progress := &kitsu.MediaDownloadOptions{Progress: func(d, a int64) { done, total = d, a }}
	original := filepath.Join(dir, "out", "original.png")
	require.NoError(t, os.MkdirAll(filepath.Dir(original), 0o755))
	require.NoError(t, c.Files.DownloadPreviewFile(ctx, picture.ID, original, progress))
	w, h := mediaReadPNGSize(t, original)
	assert.Equal(t, [2]int{640, 360}, [2]int{w, h})
	st, err := os.Stat(original)
	require.NoError(t, err)
	assert.Equal(t, st.Size(), done)
	assert.Equal(t, st.Size(), total)

	cover := filepath.Join(dir, "out", "cover.png")
	require.NoError(t, c.Files.DownloadPreviewFileCover(ctx, picture.ID, cover, nil))
	w, h = mediaReadPNGSize(t, cover)
	assert.Equal(t, [2]int{640, 360}, [2]int{w, h})

	thumb := filepath.Join(dir, "out", "thumb.png")
	require.NoError(t, c.Files.DownloadPreviewFileThumbnail(ctx, picture.ID, thumb, nil))
	w, h = mediaReadPNGSize(t, thumb)
	assert.Equal(t, [2]int{150, 100}, [2]int{w, h})

	var buf bytes.Buffer
	n, err := c.Files.DownloadPreviewFileThumbnailTo(ctx, picture.ID, &buf, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)
	w, h = mediaPNGSize(t, buf.Bytes())
	assert.Equal(t, [2]int{150, 100}, [2]int{w, h})
	buf.Reset()
	_, err = c.Files.DownloadPreviewFileCoverTo(ctx, picture.ID, &buf, nil)
	require.NoError(t, err)
	w, h = mediaPNGSize(t, buf.Bytes())
	assert.Equal(t, [2]int{640, 360}, [2]int{w, h})
	buf.Reset()
	_, err = c.Files.DownloadPreviewFileTo(ctx, picture.ID, &buf, nil)
	require.NoError(t, err)
	w, h = mediaPNGSize(t, buf.Bytes())
	assert.Equal(t, [2]int{640, 360}, [2]int{w, h})

	// A file preview comes back byte for byte.
	docOut := filepath.Join(dir, "out", "notes.md")
	require.NoError(t, c.Files.DownloadPreviewFile(ctx, doc.ID, docOut, nil))
	back, err := os.ReadFile(docOut)
	require.NoError(t, err)
	assert.Equal(t, notes, back)
	buf.Reset()
	n, err = c.Files.DownloadPreviewFileTo(ctx, doc.ID, &buf, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(len(notes)), n)
	assert.Equal(t, notes, buf.Bytes())

	// Failures leave the destination as it was, and no partial file.
	require.NoError(t, os.WriteFile(thumb, []byte("keep"), 0o644))
	err = c.Files.DownloadPreviewFileThumbnail(ctx, mediaUnknownID, thumb, nil)
	require.ErrorIs(t, err, kitsu.ErrDownloadFailed)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	err = c.Files.DownloadPreviewFileCover(ctx, empty.ID, thumb, nil)
	require.ErrorIs(t, err, kitsu.ErrDownloadFailed)
	err = c.Files.DownloadPreviewFile(ctx, mediaUnknownID, thumb, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	err = c.Files.DownloadPreviewFile(ctx, empty.ID, thumb, nil)
	require.ErrorIs(t, err, kitsu.ErrDownloadFailed)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	kept, err := os.ReadFile(thumb)
	require.NoError(t, err)
	assert.Equal(t, "keep", string(kept))
	kitsutest.AssertNoPartFiles(t, filepath.Dir(thumb))

	// UpdatePreview changes the fields given.
	updated, err := c.Files.UpdatePreview(ctx, picture.ID, map[string]any{"description": "front view", "validation_status": "validated"})
	require.NoError(t, err)
	assert.Equal(t, "front view", updated.Description)
	assert.Equal(t, "validated", updated.ValidationStatus)
	got, err = c.Files.GetPreviewFile(ctx, picture.ID)
	require.NoError(t, err)
	assert.Equal(t, "front view", got.Description)
	assert.Equal(t, "png", got.Extension, "fields not given are kept")
	// A picture marked as a movie is looked for on the movie route.
	_, err = c.Files.UpdatePreview(ctx, picture.ID, map[string]any{"extension": "mp4"})
	require.NoError(t, err)
	u, err = c.Files.GetPreviewFileURL(ctx, picture.ID)
	require.NoError(t, err)
	assert.Equal(t, "movies/originals/preview-files/"+picture.ID+".mp4", u)
	// Zou refuses a revision another main preview of the task has.
	_, err = c.Files.UpdatePreview(ctx, doc.ID, map[string]any{"revision": 1})
	require.ErrorIs(t, err, kitsu.ErrParameter)

	_, err = c.Files.UpdatePreview(ctx, mediaUnknownID, map[string]any{"description": "x"})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetPreviewFile(ctx, mediaUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.GetPreviewFileURL(ctx, mediaUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	// Bad input is refused before anything is sent.
	_, err = c.Files.UpdatePreview(ctx, picture.ID, nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.UpdatePreview(ctx, "frame", map[string]any{"description": "x"})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetPreviewFile(ctx, "")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetPreviewFileURL(ctx, "x")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetAllPreviewFilesForTask(ctx, "main")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	require.ErrorIs(t, c.Files.DownloadPreviewFile(ctx, "x", original, nil), kitsu.ErrInvalidArgument)
	require.ErrorIs(t, c.Files.DownloadPreviewFileCover(ctx, "x", original, nil), kitsu.ErrInvalidArgument)
	require.ErrorIs(t, c.Files.DownloadPreviewFileThumbnail(ctx, "x", original, nil), kitsu.ErrInvalidArgument)
	require.ErrorIs(t, c.Files.DownloadPreviewFileThumbnail(ctx, picture.ID, "", nil), kitsu.ErrInvalidArgument)
	_, err = c.Files.DownloadPreviewFileThumbnailTo(ctx, picture.ID, nil, nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestFilesMediaAttachmentFiles(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	dir := t.TempDir()
	f := kitsutest.NewAssetTask(t, c)

	content := make([]byte, 1<<20+3)
	_, _ = rand.Read(content)
	main := filepath.Join(dir, "scan.bin")
	require.NoError(t, os.WriteFile(main, content, 0o644))
	extra := []byte("reference notes\n")
	extraPath := filepath.Join(dir, "refs.txt")
	require.NoError(t, os.WriteFile(extraPath, extra, 0o644))
	var comment kitsu.Comment
	require.NoError(t, c.Upload(ctx, "actions/tasks/"+f.Task.ID+"/comment", main, &comment, &kitsu.UploadOptions{
		Fields:     map[string]string{"task_status_id": f.Task.TaskStatusID, "comment": "attached"},
		ExtraFiles: []string{extraPath},
	}))
	require.Len(t, comment.AttachmentFiles, 2)

	files, err := c.Files.GetAllAttachmentFilesForTask(ctx, f.Task.ID)
	require.NoError(t, err)
	require.Len(t, files, 2)
	byName := map[string]kitsu.AttachmentFile{}
	for _, a := range files {
		byName[a.Name] = a
		assert.Equal(t, comment.ID, a.CommentID)
	}
	require.Contains(t, byName, "scan.bin")
	require.Contains(t, byName, "refs.txt")
	assert.Equal(t, int64(len(content)), byName["scan.bin"].Size)

	got, err := c.Files.GetAttachmentFile(ctx, byName["refs.txt"].ID)
	require.NoError(t, err)
	assert.Equal(t, "refs.txt", got.Name)
	assert.Equal(t, "txt", got.Extension)
	assert.Equal(t, int64(len(extra)), got.Size)

	var done int64
	dst := filepath.Join(dir, "out", "scan.bin")
	require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
	a, err := c.Files.DownloadAttachmentFile(ctx, byName["scan.bin"].ID, dst, &kitsu.MediaDownloadOptions{Progress: func(d, _ int64) { done = d }})
	require.NoError(t, err)
	assert.Equal(t, "scan.bin", a.Name)
	back, err := os.ReadFile(dst)
	require.NoError(t, err)
	require.True(t, bytes.Equal(content, back), "the attachment differs from what was uploaded")
	assert.Equal(t, int64(len(content)), done)

	var buf bytes.Buffer
	a, n, err := c.Files.DownloadAttachmentFileTo(ctx, byName["refs.txt"].ID, &buf, nil)
	require.NoError(t, err)
	assert.Equal(t, "refs.txt", a.Name)
	assert.Equal(t, int64(len(extra)), n)
	assert.Equal(t, extra, buf.Bytes())

	// An artist outside the project may not read them.
	_, artist := kitsutest.NewArtist(t, c)
	_, err = c.Files.GetAllAttachmentFilesForTask(ctx, f.Task.ID)
	require.NoError(t, err)
	_, err = artist.Files.GetAllAttachmentFilesForTask(ctx, f.Task.ID)
	require.ErrorIs(t, err, kitsu.ErrNotAllowed)
	_, err = artist.Files.DownloadAttachmentFile(ctx, byName["refs.txt"].ID, filepath.Join(dir, "denied.txt"), nil)
	require.ErrorIs(t, err, kitsu.ErrNotAllowed)
	_, err = os.Stat(filepath.Join(dir, "denied.txt"))
	require.True(t, os.IsNotExist(err))

	none, err := c.Files.GetAllAttachmentFilesForTask(ctx, mediaUnknownID)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)
	_, err = c.Files.GetAttachmentFile(ctx, mediaUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.DownloadAttachmentFile(ctx, mediaUnknownID, filepath.Join(dir, "missing.bin"), nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, _, err = c.Files.DownloadAttachmentFileTo(ctx, mediaUnknownID, &buf, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	_, err = c.Files.GetAttachmentFile(ctx, "scan.bin")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.GetAllAttachmentFilesForTask(ctx, "")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.DownloadAttachmentFile(ctx, "scan.bin", dst, nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Files.DownloadAttachmentFile(ctx, byName["scan.bin"].ID, "", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, _, err = c.Files.DownloadAttachmentFileTo(ctx, byName["scan.bin"].ID, nil, nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestFilesMediaAvatars(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	dir := t.TempDir()
	p := kitsutest.NewProject(t, c, false)
	person, artist := kitsutest.NewArtist(t, c)

	// No avatar yet: not found, and nothing written.
	dst := filepath.Join(dir, "project.png")
	err := c.Files.DownloadProjectAvatar(ctx, p.ID, dst, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	require.ErrorIs(t, err, kitsu.ErrDownloadFailed)
	_, err = os.Stat(dst)
	require.True(t, os.IsNotExist(err))
	err = c.Files.DownloadPersonAvatar(ctx, person.ID, filepath.Join(dir, "person.png"), nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	kitsutest.AssertNoPartFiles(t, dir)

	require.NoError(t, c.Upload(ctx, "pictures/thumbnails/projects/"+p.ID, kitsutest.WritePNG(t, dir, "logo.png", 800, 300), nil, nil))
	require.NoError(t, c.Upload(ctx, "pictures/thumbnails/persons/"+person.ID, kitsutest.WritePNG(t, dir, "face.png", 200, 260), nil, nil))

	var done, total int64
	require.NoError(t, c.Files.DownloadProjectAvatar(ctx, p.ID, dst, &kitsu.MediaDownloadOptions{Progress: func(d, a int64) { done, total = d, a }}))
	w, h := mediaReadPNGSize(t, dst)
	assert.Equal(t, [2]int{400, 400}, [2]int{w, h}, "Zou fits avatars in 400×400")
	st, err := os.Stat(dst)
	require.NoError(t, err)
	assert.Equal(t, st.Size(), done)
	assert.Equal(t, st.Size(), total)

	personDst := filepath.Join(dir, "person.png")
	require.NoError(t, c.Files.DownloadPersonAvatar(ctx, person.ID, personDst, nil))
	w, h = mediaReadPNGSize(t, personDst)
	assert.Equal(t, [2]int{400, 400}, [2]int{w, h})

	// The person may read their own avatar; the writer variants.
	var buf bytes.Buffer
	n, err := artist.Files.DownloadPersonAvatarTo(ctx, person.ID, &buf, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(buf.Len()), n)
	w, h = mediaPNGSize(t, buf.Bytes())
	assert.Equal(t, [2]int{400, 400}, [2]int{w, h})
	buf.Reset()
	_, err = c.Files.DownloadProjectAvatarTo(ctx, p.ID, &buf, nil)
	require.NoError(t, err)
	w, h = mediaPNGSize(t, buf.Bytes())
	assert.Equal(t, [2]int{400, 400}, [2]int{w, h})

	err = c.Files.DownloadProjectAvatar(ctx, mediaUnknownID, filepath.Join(dir, "x.png"), nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Files.DownloadPersonAvatarTo(ctx, mediaUnknownID, &buf, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	require.ErrorIs(t, c.Files.DownloadProjectAvatar(ctx, "project", dst, nil), kitsu.ErrInvalidArgument)
	require.ErrorIs(t, c.Files.DownloadPersonAvatar(ctx, "", dst, nil), kitsu.ErrInvalidArgument)
	require.ErrorIs(t, c.Files.DownloadPersonAvatar(ctx, person.ID, " ", nil), kitsu.ErrInvalidArgument)
	_, err = c.Files.DownloadProjectAvatarTo(ctx, p.ID, nil, nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	kitsutest.AssertNoPartFiles(t, dir)
}
