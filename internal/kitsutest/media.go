package kitsutest

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kpublish/kpublish/kitsu"
)

// NewPNG encodes a w×h picture with a gradient in which every pixel can be
// told from its neighbours, and returns the PNG bytes with the picture, to
// compare pixels after a round trip.
func NewPNG(t testing.TB, w, h int) ([]byte, *image.RGBA) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x * 255 / w), G: uint8(y * 255 / h), B: uint8((x + y) % 256), A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatalf("encoding a test picture: %v", err)
	}
	return buf.Bytes(), img
}

// WritePNG writes a w×h PNG picture (see NewPNG) to the file name in dir
// and returns its path.
func WritePNG(t testing.TB, dir, name string, w, h int) string {
	t.Helper()
	data, _ := NewPNG(t, w, h)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatalf("writing a test picture: %v", err)
	}
	return p
}

// NewPreview adds to a task, through raw routes, a comment with the status
// task.TaskStatusID and a preview on that comment, then uploads file as the
// preview's content unless file is empty. It returns the preview as Zou
// answered the upload, or its creation when there is no file.
func NewPreview(t testing.TB, c *kitsu.Client, task *kitsu.Task, file string) *kitsu.PreviewFile {
	t.Helper()
	ctx := Context(t)
	var comment kitsu.Comment
	if err := c.Post(ctx, "actions/tasks/"+task.ID+"/comment", map[string]any{"task_status_id": task.TaskStatusID, "comment": "new preview"}, &comment, nil); err != nil {
		t.Fatalf("commenting task %s: %v", task.ID, err)
	}
	var preview kitsu.PreviewFile
	if err := c.Post(ctx, "actions/tasks/"+task.ID+"/comments/"+comment.ID+"/add-preview", map[string]any{}, &preview, nil); err != nil {
		t.Fatalf("adding a preview to task %s: %v", task.ID, err)
	}
	if file == "" {
		return &preview
	}
	var uploaded kitsu.PreviewFile
	if err := c.Upload(ctx, "pictures/preview-files/"+preview.ID, file, &uploaded, nil); err != nil {
		t.Fatalf("uploading %s as preview %s: %v", file, preview.ID, err)
	}
	return &uploaded
}

// AssertNoPartFiles checks that no temporary download file (".part-") was
// left behind in dir.
func AssertNoPartFiles(t testing.TB, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatalf("reading %s: %v", dir, err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".part-") {
			t.Errorf("a temporary download file was left behind: %s", filepath.Join(dir, e.Name()))
		}
	}
}

// NewOutputType creates a uniquely named output type (short name "geo")
// through the raw route, deleted when the test ends. Create it before the
// project, so that the project (and its output files) is deleted first.
func NewOutputType(t testing.TB, c *kitsu.Client) *kitsu.OutputType {
	t.Helper()
	var ot kitsu.OutputType
	if err := c.Create(Context(t), "output-types", map[string]any{"name": Unique("Geo"), "short_name": "geo"}, &ot); err != nil {
		t.Fatalf("creating a test output type: %v", err)
	}
	DeleteOnCleanup(t, c, "data/output-types/"+ot.ID, nil)
	return &ot
}

// NewSoftware creates a uniquely named software (short name "sft",
// extension ".sft") through the raw route, deleted when the test ends.
// Create it before the project.
func NewSoftware(t testing.TB, c *kitsu.Client) *kitsu.Software {
	t.Helper()
	var sw kitsu.Software
	if err := c.Create(Context(t), "softwares", map[string]any{"name": Unique("Soft"), "short_name": "sft", "file_extension": ".sft"}, &sw); err != nil {
		t.Fatalf("creating a test software: %v", err)
	}
	DeleteOnCleanup(t, c, "data/softwares/"+sw.ID, nil)
	return &sw
}
