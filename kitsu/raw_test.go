package kitsu_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

type rec struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	ProjectID   string         `json:"project_id"`
	Data        map[string]any `json:"data"`
}

func params(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

func TestCreateFetchOneUpdate(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	name := kitsutest.Unique("raw create")

	var p rec
	require.NoError(t, c.Create(ctx, "projects", map[string]any{"name": name}, &p))
	t.Cleanup(func() { kitsutest.RemoveProject(t, c, p.ID) })
	require.Equal(t, name, p.Name)
	require.Len(t, p.ID, 36)

	var got rec
	require.NoError(t, c.FetchOne(ctx, "projects", p.ID, &got, nil))
	assert.Equal(t, p.ID, got.ID)
	assert.Equal(t, name, got.Name)

	var updated rec
	require.NoError(t, c.Update(ctx, "projects", p.ID, map[string]any{"description": "made by raw_test"}, &updated))
	assert.Equal(t, "made by raw_test", updated.Description)
	require.NoError(t, c.FetchOne(ctx, "projects", p.ID, &got, nil))
	assert.Equal(t, "made by raw_test", got.Description)

	// A well-formed id that does not exist, and a malformed one.
	err := c.FetchOne(ctx, "projects", "00000000-0000-4000-8000-000000000000", &got, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	var kerr *kitsu.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, http.StatusNotFound, kerr.StatusCode)
	assert.Equal(t, http.MethodGet, kerr.Method)
	assert.Contains(t, kerr.URL, "/data/projects/00000000-0000-4000-8000-000000000000")
	assert.NotEmpty(t, kerr.Message)

	err = c.FetchOne(ctx, "projects", "not-a-uuid", &got, nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "not-a-uuid")
	require.ErrorIs(t, c.Update(ctx, "Projects!", p.ID, nil, nil), kitsu.ErrInvalidArgument)
	require.ErrorIs(t, c.Create(ctx, "", nil, nil), kitsu.ErrInvalidArgument)
}

func TestGetPostPutDelete(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	projectID := kitsutest.NewProjectID(t, c)

	var assetType rec
	typeName := kitsutest.Unique("Raw Props")
	require.NoError(t, c.Post(ctx, "data/entity-types", map[string]any{"name": typeName}, &assetType, nil))
	require.Equal(t, typeName, assetType.Name)
	t.Cleanup(func() { _, _ = c.Delete(kitsutest.Context(t), "data/entity-types/"+assetType.ID, nil) })

	var asset rec
	require.NoError(t, c.Post(ctx, "data/entities", map[string]any{
		"name": "Tree", "project_id": projectID, "entity_type_id": assetType.ID,
	}, &asset, nil))
	require.Equal(t, "Tree", asset.Name)
	require.Equal(t, projectID, asset.ProjectID)

	var got rec
	require.NoError(t, c.Get(ctx, "data/entities/"+asset.ID, &got, nil))
	assert.Equal(t, asset.ID, got.ID)

	// json_response=False: the text of the reply.
	var text string
	require.NoError(t, c.Get(ctx, "data/entities/"+asset.ID, &text, nil))
	assert.Contains(t, text, asset.ID)
	assert.True(t, strings.HasPrefix(strings.TrimSpace(text), "{"))

	// Query parameters filter a list.
	var list []rec
	require.NoError(t, c.Get(ctx, "data/entities", &list, &kitsu.RequestOptions{Params: params("project_id", projectID)}))
	require.Len(t, list, 1)
	assert.Equal(t, asset.ID, list[0].ID)

	var put rec
	require.NoError(t, c.Put(ctx, "data/entities/"+asset.ID, map[string]any{"description": "a tall tree"}, &put, nil))
	assert.Equal(t, "a tall tree", put.Description)

	reply, err := c.Delete(ctx, "data/entities/"+asset.ID, nil)
	require.NoError(t, err)
	assert.Empty(t, reply)
	// Zou keeps a deleted asset as "canceled": it is gone from the project's list.
	list = nil
	require.NoError(t, c.Get(ctx, "data/assets", &list, &kitsu.RequestOptions{Params: params("project_id", projectID)}))
	assert.Empty(t, list)

	_, err = c.Delete(ctx, "data/entity-types/00000000-0000-4000-8000-000000000000", nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	// A full URL is refused before anything is sent: the token must not go
	// to another host.
	require.ErrorIs(t, c.Get(ctx, "https://example.com/data/projects", &list, nil), kitsu.ErrInvalidArgument)
	require.ErrorIs(t, c.Post(ctx, "", nil, nil, nil), kitsu.ErrInvalidArgument)
}

func TestFetchAllFirstEach(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	typeID := kitsutest.NewAssetType(t, c).ID
	projectID := kitsutest.NewProjectID(t, c)

	var created []string
	for _, name := range []string{"Alpha", "Beta", "Gamma"} {
		var a rec
		require.NoError(t, c.Create(ctx, "entities", map[string]any{"name": name, "project_id": projectID, "entity_type_id": typeID}, &a))
		created = append(created, a.ID)
	}
	filter := params("project_id", projectID)

	var all []rec
	require.NoError(t, c.FetchAll(ctx, "entities", &all, &kitsu.FetchOptions{Params: filter}))
	assert.ElementsMatch(t, created, ids(all))

	var paged []rec
	require.NoError(t, c.FetchAll(ctx, "entities", &paged, &kitsu.FetchOptions{Params: filter, Paginated: true, Limit: 2}))
	assert.ElementsMatch(t, created, ids(paged))

	var each []string
	for a, err := range kitsu.FetchEach[rec](ctx, c, "entities", &kitsu.FetchOptions{Params: filter, Limit: 1}) {
		require.NoError(t, err)
		each = append(each, a.ID)
	}
	assert.ElementsMatch(t, created, each)

	// Stopping early asks no more pages.
	n := 0
	for _, err := range kitsu.FetchEach[rec](ctx, c, "entities", &kitsu.FetchOptions{Params: filter, Limit: 1}) {
		require.NoError(t, err)
		n++
		break
	}
	assert.Equal(t, 1, n)

	// The name filter ignores case.
	var first rec
	require.NoError(t, c.FetchFirst(ctx, "entities", &first, &kitsu.RequestOptions{Params: params("project_id", projectID, "name", "beta")}))
	assert.Equal(t, "Beta", first.Name)
	assert.Equal(t, created[1], first.ID)

	err := c.FetchFirst(ctx, "entities", &first, &kitsu.RequestOptions{Params: params("project_id", projectID, "name", "Delta")})
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	// Filtering on a hidden column is the server's 400, with its message.
	var people []rec
	err = c.FetchAll(ctx, "persons", &people, &kitsu.FetchOptions{Params: params("password", "x")})
	require.ErrorIs(t, err, kitsu.ErrParameter)
	assert.Contains(t, err.Error(), "Filtering on password is not allowed")

	for _, err := range kitsu.FetchEach[rec](ctx, c, "entities", &kitsu.FetchOptions{Limit: -1}) {
		require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	}
}

func TestImportData(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	id := newUUID(t)
	name := kitsutest.Unique("imported")
	var open rec
	require.NoError(t, c.FetchFirst(ctx, "project-status", &open, &kitsu.RequestOptions{Params: params("name", "Open")}))
	var out []rec
	require.NoError(t, c.ImportData(ctx, "projects", []map[string]any{{"id": id, "name": name, "project_status_id": open.ID}}, &out))
	t.Cleanup(func() { kitsutest.RemoveProject(t, c, id) })
	require.Len(t, out, 1)
	assert.Equal(t, id, out[0].ID)

	var got rec
	require.NoError(t, c.FetchOne(ctx, "projects", id, &got, nil))
	assert.Equal(t, name, got.Name)
}

func TestAPIVersionHostAndCurrentUser(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	_, user, _ := kitsutest.Env(t)

	v, err := c.GetAPIVersion(ctx)
	require.NoError(t, err)
	if want := os.Getenv("KITSU_ZOU_VERSION"); want != "" {
		assert.Equal(t, want, v)
	} else {
		assert.Regexp(t, `^\d+\.\d+\.\d+`, v)
	}

	assert.True(t, c.HostIsUp(ctx))
	assert.True(t, c.HostIsValid(ctx))

	me, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, user, me.Email)
	assert.Equal(t, "admin", me.Role)
	assert.Len(t, me.ID, 36)
	assert.False(t, me.CreatedAt.IsZero())
	// Fields the model does not name are kept.
	assert.Contains(t, me.Extra, "use_12_hour_clock")
	assert.Equal(t, "open-ended", me.ContractType)

	// A port where nothing listens is neither up nor valid.
	down, err := kitsu.NewClient("http://127.0.0.1:9/api")
	require.NoError(t, err)
	assert.False(t, down.HostIsUp(ctx))
	assert.False(t, down.HostIsValid(ctx))
}

func TestCheckStatusAndMakeAuthHeader(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)

	// A request made outside the client, with its headers.
	do := func(path string) *http.Response {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.GetFullURL(path), nil)
		require.NoError(t, err)
		req.Header = c.MakeAuthHeader()
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		return resp
	}
	resp := do("data/projects")
	require.NoError(t, c.CheckStatus(resp))
	resp.Body.Close()

	resp = do("data/projects/00000000-0000-4000-8000-000000000000")
	err := c.CheckStatus(resp)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	anon, err := kitsu.NewClient(c.GetHost())
	require.NoError(t, err)
	assert.Empty(t, anon.MakeAuthHeader().Get("Authorization"))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, anon.GetFullURL("data/projects"), nil)
	require.NoError(t, err)
	req.Header = anon.MakeAuthHeader()
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	err = c.CheckStatus(resp)
	require.Error(t, err)
	assert.True(t, errors.Is(err, kitsu.ErrNotAuthenticated) || errors.Is(err, kitsu.ErrValidation), "got %v", err)
}

func TestUploadDownloadAndFileData(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	task := kitsutest.NewAssetTask(t, c).Task
	dir := t.TempDir()

	content := make([]byte, 3<<20+17) // spans many buffers
	_, _ = rand.Read(content)
	src := filepath.Join(dir, "notes.bin")
	require.NoError(t, os.WriteFile(src, content, 0o644))
	extra := []byte("second attachment\n")
	extraPath := filepath.Join(dir, "extra.txt")
	require.NoError(t, os.WriteFile(extraPath, extra, 0o644))

	var sent, total int64
	var comment struct {
		ID              string `json:"id"`
		Text            string `json:"text"`
		TaskStatusID    string `json:"task_status_id"`
		AttachmentFiles []struct {
			ID        string `json:"id"`
			Name      string `json:"name"`
			Extension string `json:"extension"`
			Size      int64  `json:"size"`
		} `json:"attachment_files"`
	}
	err := c.Upload(ctx, "actions/tasks/"+task.ID+"/comment", src, &comment, &kitsu.UploadOptions{
		Fields:     map[string]string{"task_status_id": task.TaskStatusID, "comment": "see attached"},
		ExtraFiles: []string{extraPath},
		Progress:   func(done, all int64) { sent, total = done, all },
	})
	require.NoError(t, err)
	assert.Equal(t, "see attached", comment.Text)
	require.Len(t, comment.AttachmentFiles, 2)
	assert.Equal(t, int64(len(content)+len(extra)), sent)
	assert.Equal(t, sent, total)

	byName := map[string]string{}
	for _, a := range comment.AttachmentFiles {
		byName[a.Name] = a.ID
	}
	require.Contains(t, byName, "notes.bin")
	route := "data/attachment-files/" + byName["notes.bin"] + "/file/notes.bin"

	dst := filepath.Join(dir, "out", "notes.bin")
	require.NoError(t, os.MkdirAll(filepath.Dir(dst), 0o755))
	var got, announced int64
	require.NoError(t, c.Download(ctx, route, dst, &kitsu.DownloadOptions{Progress: func(d, a int64) { got, announced = d, a }}))
	back, err := os.ReadFile(dst)
	require.NoError(t, err)
	require.True(t, bytes.Equal(content, back), "downloaded bytes differ from uploaded ones")
	assert.Equal(t, int64(len(content)), got)
	assert.Equal(t, int64(len(content)), announced)
	kitsutest.AssertNoPartFiles(t, filepath.Dir(dst))

	var buf bytes.Buffer
	n, err := c.DownloadTo(ctx, "data/attachment-files/"+byName["extra.txt"]+"/file/extra.txt", &buf, nil)
	require.NoError(t, err)
	assert.Equal(t, int64(len(extra)), n)
	assert.Equal(t, extra, buf.Bytes())

	data, err := c.GetFileDataFromURL(ctx, route, nil)
	require.NoError(t, err)
	require.True(t, bytes.Equal(content, data))
	data, err = c.GetFileDataFromURL(ctx, c.GetFullURL(route), &kitsu.FileDataOptions{Full: true})
	require.NoError(t, err)
	require.True(t, bytes.Equal(content, data))

	// An error status is an error, and leaves the existing file untouched.
	err = c.Download(ctx, "data/attachment-files/00000000-0000-4000-8000-000000000000/file/x.bin", dst, nil)
	require.ErrorIs(t, err, kitsu.ErrDownloadFailed)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	back, err = os.ReadFile(dst)
	require.NoError(t, err)
	require.True(t, bytes.Equal(content, back))
	kitsutest.AssertNoPartFiles(t, filepath.Dir(dst))

	// Bad input is refused before anything is sent.
	require.ErrorIs(t, c.Upload(ctx, "actions/tasks/"+task.ID+"/comment", "", nil, nil), kitsu.ErrInvalidArgument)
	err = c.Upload(ctx, "actions/tasks/"+task.ID+"/comment", filepath.Join(dir, "missing.bin"), nil, nil)
	require.ErrorIs(t, err, os.ErrNotExist)
	require.ErrorIs(t, c.Download(ctx, route, "", nil), kitsu.ErrInvalidArgument)
	_, err = c.GetFileDataFromURL(ctx, "ftp://example.com/x", &kitsu.FileDataOptions{Full: true})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestUploadFromReader(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	task := kitsutest.NewAssetTask(t, c).Task
	body := strings.Repeat("reader part\n", 1000)
	var comment struct {
		AttachmentFiles []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"attachment_files"`
	}
	err := c.Upload(ctx, "actions/tasks/"+task.ID+"/comment", "", &comment, &kitsu.UploadOptions{
		Fields: map[string]string{"task_status_id": task.TaskStatusID, "comment": "from a reader"},
		Files:  []kitsu.UploadFile{{Field: "file", Name: "log.txt", Reader: strings.NewReader(body), Size: int64(len(body))}},
	})
	require.NoError(t, err)
	require.Len(t, comment.AttachmentFiles, 1)
	data, err := c.GetFileDataFromURL(ctx, "data/attachment-files/"+comment.AttachmentFiles[0].ID+"/file/log.txt", nil)
	require.NoError(t, err)
	assert.Equal(t, body, string(data))

	// A reader shorter than announced fails the upload instead of sending
	// a corrupt file.
	err = c.Upload(ctx, "actions/tasks/"+task.ID+"/comment", "", nil, &kitsu.UploadOptions{
		Fields: map[string]string{"task_status_id": task.TaskStatusID, "comment": "short"},
		Files:  []kitsu.UploadFile{{Field: "file", Name: "short.txt", Reader: io.LimitReader(strings.NewReader(body), 10), Size: int64(len(body))}},
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "shrank")
}

func ids(rs []rec) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func newUUID(t *testing.T) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexdigits = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, v := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hexdigits[v>>4], hexdigits[v&15])
	}
	return string(out)
}
