// Package kitsutest gives integration tests a client of the real Kitsu
// started by scripts/kitsu-dev, and helpers that create uniquely named data
// through that client.
//
// Tests read KITSU_HOST, KITSU_USER and KITSU_PASSWORD. Without them a test
// is skipped, with one line saying how to run it, unless CI is set: then a
// missing or unreachable server fails the run.
package kitsutest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/kitsu"
)

// HowToRun says how to run the integration tests.
const HowToRun = "integration tests need a Kitsu: run `make test`, or `scripts/kitsu-dev up && eval \"$(scripts/kitsu-dev env)\"` then `go test ./...`"

var (
	skipOnce  sync.Once
	loginOnce sync.Once
	tokens    kitsu.Tokens
	loginErr  error
)

// Env returns the dev server's host and admin credentials, skipping the
// test when they are not set (failing it under CI).
func Env(t testing.TB) (host, user, password string) {
	t.Helper()
	host, user, password = os.Getenv("KITSU_HOST"), os.Getenv("KITSU_USER"), os.Getenv("KITSU_PASSWORD")
	if host == "" || user == "" || password == "" {
		if Required() {
			t.Fatalf("KITSU_HOST, KITSU_USER or KITSU_PASSWORD is not set, and CI or KITSU_REQUIRE_SERVER says a server is required: %s", HowToRun)
		}
		skipOnce.Do(func() { fmt.Fprintln(os.Stderr, "kitsutest: skipping integration tests: "+HowToRun) })
		t.Skip("no Kitsu server: " + HowToRun)
	}
	return host, user, password
}

// Required reports whether a missing server must fail the tests rather
// than skip them: under CI, and under `make test` (KITSU_REQUIRE_SERVER=1).
func Required() bool {
	return os.Getenv("CI") != "" || os.Getenv("KITSU_REQUIRE_SERVER") != ""
}

// Context returns a context that ends with the test, bounded to five
// minutes: a bound for a hung server, long enough for the tests that
// create thousands of records while the watcher's burst tests load Zou.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Client returns a client of the dev server logged in as the admin. The
// login happens once per test binary; each client gets its own copy of the
// tokens, so a test may log its client out without harming the others.
func Client(t testing.TB, opts ...kitsu.Option) *kitsu.Client {
	t.Helper()
	host, user, password := Env(t)
	loginOnce.Do(func() {
		c, err := kitsu.NewClient(host)
		if err != nil {
			loginErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := c.LogIn(ctx, user, password); err != nil {
			loginErr = fmt.Errorf("logging in to %s as %s: %w (is the server up? %s)", host, user, err, HowToRun)
			return
		}
		if err := EnsureDefaults(ctx, c); err != nil {
			loginErr = err
			return
		}
		tokens = c.Tokens()
	})
	if loginErr != nil {
		t.Fatal(loginErr)
	}
	c, err := kitsu.NewClient(host, append([]kitsu.Option{kitsu.WithTokens(tokens)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// EnsureDefaults creates the records Zou makes on the fly the first time
// a route needs them: the softwares "3ds Max" (every working-file-path
// request), "3dsmax" (an output template's <Software>) and "Blender" (a
// new working file without software), and the output type "Geometry". On
// an empty database, parallel first requests race to create them and the
// losers get a 500, so they must exist before parallel tests start.
// scripts/kitsu-dev up makes them too; this covers any other server.
// NewSoftware and NewOutputType are get-or-create, and return the record
// another test binary created in between.
func EnsureDefaults(ctx context.Context, c *kitsu.Client) error {
	for _, sw := range []struct{ name, short, ext string }{
		{"3ds Max", "max", ".max"}, {"3dsmax", "max", ".max"}, {"Blender", "blender", ".blend"},
	} {
		if _, err := c.Files.NewSoftware(ctx, sw.name, sw.short, sw.ext, nil); err != nil {
			return fmt.Errorf("creating Zou's default software %q: %w", sw.name, err)
		}
	}
	if _, err := c.Files.NewOutputType(ctx, "Geometry", "geo"); err != nil {
		return fmt.Errorf("creating Zou's default output type Geometry: %w", err)
	}
	return nil
}

// Unique returns prefix followed by a random suffix, for names that must
// not clash between tests and between runs against the same server.
func Unique(prefix string) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return prefix + " " + hex.EncodeToString(b[:])
}

// UniqueEmail returns a fresh address at example.com (Zou refuses reserved
// test domains).
func UniqueEmail(prefix string) string {
	return strings.ReplaceAll(strings.ToLower(Unique(prefix)), " ", ".") + "@example.com"
}

// NewProject creates a uniquely named open project (production type
// "tvshow" when tvshow is true, else "featurefilm") through raw calls, and
// closes and deletes it when the test ends.
func NewProject(t testing.TB, c *kitsu.Client, tvshow bool) *kitsu.Project {
	t.Helper()
	kind := "featurefilm"
	if tvshow {
		kind = "tvshow"
	}
	var p kitsu.Project
	if err := c.Create(Context(t), "projects", map[string]any{"name": Unique("kpublish test"), "production_type": kind}, &p); err != nil {
		t.Fatalf("creating a test project: %v", err)
	}
	t.Cleanup(func() { RemoveProject(t, c, p.ID) })
	return &p
}

// NewProjectID creates a test project (see NewProject) and returns its id.
func NewProjectID(t testing.TB, c *kitsu.Client) string {
	t.Helper()
	return NewProject(t, c, false).ID
}

// RemoveProject closes then deletes a project and everything in it; Zou
// deletes only closed projects.
func RemoveProject(t testing.TB, c *kitsu.Client, projectID string) {
	t.Helper()
	// Longer than gunicorn's 120 s worker timeout: a project of thousands
	// of tasks takes Zou minutes to delete on a loaded machine, and a
	// deletion cut short by Zou is an error that says so.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var closed kitsu.ProjectStatus
	if err := c.FetchFirst(ctx, "project-status", &closed, &kitsu.RequestOptions{Params: map[string][]string{"name": {"Closed"}}}); err != nil {
		t.Errorf("cleanup: finding the Closed project status: %v", err)
		return
	}
	if err := c.Update(ctx, "projects", projectID, map[string]any{"project_status_id": closed.ID}, nil); err != nil {
		if !errors.Is(err, kitsu.ErrNotFound) {
			t.Errorf("cleanup: closing project %s: %v", projectID, err)
		}
		return
	}
	if _, err := c.Delete(ctx, "data/projects/"+projectID, &kitsu.RequestOptions{Params: map[string][]string{"force": {"true"}}}); err != nil && !errors.Is(err, kitsu.ErrNotFound) {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
			// Zou goes on deleting it; a loaded machine is no failure of
			// the test, and the project is closed already.
			t.Logf("cleanup: deleting project %s: still running after the call's bound: %v", projectID, err)
			return
		}
		t.Errorf("cleanup: deleting project %s: %v", projectID, err)
	}
}

// NewAssetType creates a uniquely named asset type, deleted when the test
// ends. Cleanups run last-registered first: create asset types before the
// project whose assets use them, so that the project is gone first.
func NewAssetType(t testing.TB, c *kitsu.Client) *kitsu.AssetType {
	t.Helper()
	var at kitsu.AssetType
	if err := c.Create(Context(t), "entity-types", map[string]any{"name": Unique("Props")}, &at); err != nil {
		t.Fatalf("creating a test asset type: %v", err)
	}
	DeleteOnCleanup(t, c, "data/entity-types/"+at.ID, nil)
	return &at
}

// DeleteOnCleanup deletes the record at path (a route of the API such as
// "data/softwares/{id}", with params such as force=true) when the test
// ends. A record already gone is fine; any other failure fails the test.
// Cleanups run last-registered first: register the removal of a record
// after that of the records it holds.
func DeleteOnCleanup(t testing.TB, c *kitsu.Client, path string, params url.Values) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var opts *kitsu.RequestOptions
		if params != nil {
			opts = &kitsu.RequestOptions{Params: params}
		}
		if _, err := c.Delete(ctx, path, opts); err != nil && !errors.Is(err, kitsu.ErrNotFound) {
			t.Errorf("cleanup: deleting %s: %v", path, err)
		}
	})
}

// NewEpisode creates an episode in a project through the raw route.
func NewEpisode(t testing.TB, c *kitsu.Client, projectID, name string) *kitsu.Episode {
	t.Helper()
	var e kitsu.Episode
	if err := c.Post(Context(t), "data/projects/"+projectID+"/episodes", map[string]any{"name": name}, &e, nil); err != nil {
		t.Fatalf("creating episode %q: %v", name, err)
	}
	return &e
}

// NewSequence creates a sequence in a project, in an episode when
// episodeID is not empty, through the raw route.
func NewSequence(t testing.TB, c *kitsu.Client, projectID, episodeID, name string) *kitsu.Sequence {
	t.Helper()
	body := map[string]any{"name": name}
	if episodeID != "" {
		body["episode_id"] = episodeID
	}
	var s kitsu.Sequence
	if err := c.Post(Context(t), "data/projects/"+projectID+"/sequences", body, &s, nil); err != nil {
		t.Fatalf("creating sequence %q: %v", name, err)
	}
	return &s
}

// NewScene creates a scene in a sequence through the raw route.
func NewScene(t testing.TB, c *kitsu.Client, projectID, sequenceID, name string) *kitsu.Scene {
	t.Helper()
	var s kitsu.Scene
	if err := c.Post(Context(t), "data/projects/"+projectID+"/scenes", map[string]any{"name": name, "sequence_id": sequenceID}, &s, nil); err != nil {
		t.Fatalf("creating scene %q: %v", name, err)
	}
	return &s
}

// NewShot creates a shot in a sequence through the raw route.
func NewShot(t testing.TB, c *kitsu.Client, projectID, sequenceID, name string) *kitsu.Shot {
	t.Helper()
	var s kitsu.Shot
	if err := c.Post(Context(t), "data/projects/"+projectID+"/shots", map[string]any{"name": name, "sequence_id": sequenceID, "data": map[string]any{}}, &s, nil); err != nil {
		t.Fatalf("creating shot %q: %v", name, err)
	}
	return &s
}

// NewAsset creates an asset through the raw route, in an episode when
// episodeID is not empty.
func NewAsset(t testing.TB, c *kitsu.Client, projectID, assetTypeID, episodeID, name string) *kitsu.Asset {
	t.Helper()
	body := map[string]any{"name": name, "data": map[string]any{}, "is_shared": false}
	if episodeID != "" {
		body["episode_id"] = episodeID
	}
	var a kitsu.Asset
	if err := c.Post(Context(t), "data/projects/"+projectID+"/asset-types/"+assetTypeID+"/assets/new", body, &a, nil); err != nil {
		t.Fatalf("creating asset %q: %v", name, err)
	}
	return &a
}

// NewAssetInstance creates instance number 1 of an asset, named name,
// through the raw route, and deletes it when the test ends (see
// RemoveAssetInstanceOnCleanup: create it after the project).
func NewAssetInstance(t testing.TB, c *kitsu.Client, assetID, name string) *kitsu.AssetInstance {
	t.Helper()
	var ai kitsu.AssetInstance
	if err := c.Create(Context(t), "asset-instances", map[string]any{"asset_id": assetID, "name": name, "number": 1, "description": ""}, &ai); err != nil {
		t.Fatalf("creating asset instance %q: %v", name, err)
	}
	RemoveAssetInstanceOnCleanup(t, c, ai.ID)
	return &ai
}

// IDs returns id(item) for each item, in order: the ids of records, or any
// other field of theirs (names...), for comparisons.
func IDs[T any](items []T, id func(*T) string) []string {
	out := make([]string, len(items))
	for i := range items {
		out[i] = id(&items[i])
	}
	return out
}

// NewArtist creates a person with the "user" role (an artist) and a
// password, and returns it with a client logged in as that person. The
// person is deleted when the test ends.
func NewArtist(t testing.TB, admin *kitsu.Client) (*kitsu.Person, *kitsu.Client) {
	t.Helper()
	ctx := Context(t)
	password := "artist-" + Unique("pw")[3:]
	var p kitsu.Person
	if err := admin.Create(ctx, "persons", map[string]any{
		"first_name": "Artist", "last_name": Unique("Test")[5:], "email": UniqueEmail("artist"),
		"role": "user", "password": password, "active": true,
	}, &p); err != nil {
		t.Fatalf("creating a test artist: %v", err)
	}
	RemovePersonOnCleanup(t, admin, p.ID)
	c, err := kitsu.NewClient(admin.GetHost())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.LogIn(ctx, p.Email, password); err != nil {
		// Zou may refuse a password set at creation: set it explicitly.
		if err := admin.Put(ctx, "actions/persons/"+p.ID+"/change-password", map[string]any{"password": password, "password_2": password}, nil, nil); err != nil {
			t.Fatalf("setting the test artist's password: %v", err)
		}
		if _, err := c.LogIn(ctx, p.Email, password); err != nil {
			t.Fatalf("logging in as the test artist: %v", err)
		}
	}
	return &p, c
}

// RemovePersonOnCleanup deletes a person (with force) when the test ends.
func RemovePersonOnCleanup(t testing.TB, c *kitsu.Client, personID string) {
	t.Helper()
	DeleteOnCleanup(t, c, "data/persons/"+personID, url.Values{"force": {"true"}})
}

// RemoveAssetInstanceOnCleanup deletes an asset instance when the test
// ends. Register it after the project is created, so that it runs first:
// Zou cannot delete a project (or an asset) that still has instances.
func RemoveAssetInstanceOnCleanup(t testing.TB, c *kitsu.Client, instanceID string) {
	t.Helper()
	DeleteOnCleanup(t, c, "data/asset-instances/"+instanceID, nil)
}

// JoinTeam puts a person in a project's team through the raw route.
func JoinTeam(t testing.TB, c *kitsu.Client, projectID, personID string) {
	t.Helper()
	if err := c.Post(Context(t), "data/projects/"+projectID+"/team", map[string]any{"person_id": personID}, nil, nil); err != nil {
		t.Fatalf("adding person %s to the team of project %s: %v", personID, projectID, err)
	}
}

// AssignTask assigns a task to a person through the raw route, which also
// puts them in the project's team.
func AssignTask(t testing.TB, c *kitsu.Client, taskID, personID string) {
	t.Helper()
	if err := c.Put(Context(t), "actions/tasks/"+taskID+"/assign", map[string]any{"person_id": personID}, nil, nil); err != nil {
		t.Fatalf("assigning task %s to person %s: %v", taskID, personID, err)
	}
}

// CloseProject gives a project the Closed status, as RemoveProject does
// before deleting it.
func CloseProject(t testing.TB, c *kitsu.Client, projectID string) {
	t.Helper()
	ctx := Context(t)
	var closed kitsu.ProjectStatus
	if err := c.FetchFirst(ctx, "project-status", &closed, &kitsu.RequestOptions{Params: map[string][]string{"name": {"Closed"}}}); err != nil {
		t.Fatalf("finding the Closed project status: %v", err)
	}
	if err := c.Update(ctx, "projects", projectID, map[string]any{"project_status_id": closed.ID}, nil); err != nil {
		t.Fatalf("closing project %s: %v", projectID, err)
	}
}

// TaskTypeNamed returns one of the task types Zou creates at init
// (Modeling and Concept for assets, Animation and Layout for shots...).
func TaskTypeNamed(t testing.TB, c *kitsu.Client, name string) *kitsu.TaskType {
	t.Helper()
	var tt kitsu.TaskType
	if err := c.FetchFirst(Context(t), "task-types", &tt, &kitsu.RequestOptions{Params: map[string][]string{"name": {name}}}); err != nil {
		t.Fatalf("finding task type %q: %v", name, err)
	}
	return &tt
}

// NewTaskType creates a uniquely named task type for a kind of entity
// (Asset, Shot, Sequence, Episode, Scene...: Zou's init data has none for
// sequences, episodes and scenes) through the raw route, and deletes it
// (with force) when the test ends. Create it before the project whose
// tasks use it: cleanups run last-registered first.
func NewTaskType(t testing.TB, c *kitsu.Client, forEntity string) *kitsu.TaskType {
	t.Helper()
	var tt kitsu.TaskType
	if err := c.Create(Context(t), "task-types", map[string]any{"name": Unique(forEntity + " work"), "for_entity": forEntity, "color": "#336699"}, &tt); err != nil {
		t.Fatalf("creating a test task type for %s: %v", forEntity, err)
	}
	DeleteOnCleanup(t, c, "data/task-types/"+tt.ID, url.Values{"force": {"true"}})
	return &tt
}

// TaskStatusNamed returns a task status by short name (todo, wip, wfa,
// done, retake...).
func TaskStatusNamed(t testing.TB, c *kitsu.Client, shortName string) *kitsu.TaskStatus {
	t.Helper()
	var ts kitsu.TaskStatus
	if err := c.FetchFirst(Context(t), "task-status", &ts, &kitsu.RequestOptions{Params: map[string][]string{"short_name": {shortName}}}); err != nil {
		t.Fatalf("finding task status %q: %v", shortName, err)
	}
	return &ts
}

// NewTask creates a task through the raw route, with the Todo status.
func NewTask(t testing.TB, c *kitsu.Client, projectID, entityID, taskTypeID, name string) *kitsu.Task {
	t.Helper()
	todo := TaskStatusNamed(t, c, "todo")
	var task kitsu.Task
	if err := c.Create(Context(t), "tasks", map[string]any{
		"name": name, "project_id": projectID, "entity_id": entityID, "task_type_id": taskTypeID, "task_status_id": todo.ID,
	}, &task); err != nil {
		t.Fatalf("creating task %q: %v", name, err)
	}
	return &task
}

// AssetTask is what NewAssetTask makes: a Modeling task on an asset of a
// fresh project.
type AssetTask struct {
	Project *kitsu.Project
	Asset   *kitsu.Asset
	Task    *kitsu.Task // named "main", with the Todo status
}

// NewAssetTask creates, through raw routes, an asset type, a project, an
// asset "Tree" in it and a Modeling task "main" on that asset. The project
// and the asset type are removed when the test ends.
func NewAssetTask(t testing.TB, c *kitsu.Client) *AssetTask {
	t.Helper()
	at := NewAssetType(t, c)
	p := NewProject(t, c, false)
	a := NewAsset(t, c, p.ID, at.ID, "", "Tree")
	task := NewTask(t, c, p.ID, a.ID, TaskTypeNamed(t, c, "Modeling").ID, "main")
	return &AssetTask{Project: p, Asset: a, Task: task}
}

// RequireInvalid checks that err is a refusal of an argument before any
// request (kitsu.ErrInvalidArgument) that names the argument.
func RequireInvalid(t testing.TB, err error, argName string) {
	t.Helper()
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	require.ErrorContains(t, err, argName)
}

// ZouFileTrees returns the folder of the file trees Zou ships (default,
// simple) that scripts/kitsu-dev env exports as KITSU_ZOU_FILE_TREES:
// Zou 1.0.97 can no longer set them by name. It skips the test when the
// variable is not set, and fails it when a server is required.
func ZouFileTrees(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("KITSU_ZOU_FILE_TREES")
	if dir == "" {
		if Required() {
			t.Fatal("KITSU_ZOU_FILE_TREES is not set: scripts/kitsu-dev env gives it")
		}
		t.Skip("KITSU_ZOU_FILE_TREES is not set: " + HowToRun)
	}
	return dir
}

// ZouFileTree returns one of the file trees Zou ships (default, simple),
// read from ZouFileTrees.
func ZouFileTree(t testing.TB, name string) map[string]any {
	t.Helper()
	return ReadFileTree(t, filepath.Join(ZouFileTrees(t), name+".json"))
}

// ReadFileTree reads a file tree from a JSON file.
func ReadFileTree(t testing.TB, path string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading a file tree: %v", err)
	}
	var tree map[string]any
	if err := json.Unmarshal(b, &tree); err != nil {
		t.Fatalf("reading file tree %s: %v", path, err)
	}
	return tree
}

// BuildBinary builds the command in pkgDir (a path as `go build` takes it)
// into a temporary folder, for a TestMain: tests run the real binary as a
// save hook or a farm job would. remove deletes the folder.
func BuildBinary(pkgDir, name string) (path string, remove func(), err error) {
	dir, err := os.MkdirTemp("", "kpublish-"+name)
	if err != nil {
		return "", nil, err
	}
	path = filepath.Join(dir, name)
	if out, err := exec.Command("go", "build", "-o", path, pkgDir).CombinedOutput(); err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, fmt.Errorf("building %s: %v: %s", pkgDir, err, out)
	}
	return path, func() { _ = os.RemoveAll(dir) }, nil
}

// WatchTree is the file tree of the watcher's tests and benchmark:
// working and output files under one mountpoint (the watched folder),
// whose asset and shot paths cannot be read one for the other.
func WatchTree(mountpoint string) map[string]any {
	return map[string]any{
		"working": map[string]any{
			"mountpoint": mountpoint, "root": "work",
			"folder_path": map[string]any{"asset": "<Project>/assets/<AssetType>/<Asset>/<TaskType>/<Software>/<Name>", "shot": "<Project>/shots/<Sequence>/<Shot>/<TaskType>/<Software>/<Name>", "style": "lowercase"},
			"file_name":   map[string]any{"asset": "<Asset>_<TaskType>_<Name>_v<Revision>", "shot": "<Shot>_<TaskType>_<Name>_v<Revision>", "style": "lowercase"},
		},
		"output": map[string]any{
			"mountpoint": mountpoint, "root": "out",
			"folder_path": map[string]any{"asset": "<Project>/assets/<AssetType>/<Asset>/<TaskType>/<OutputType>/<Representation>", "shot": "<Project>/shots/<Sequence>/<Shot>/<TaskType>/<OutputType>/<Representation>", "style": "lowercase"},
			"file_name":   map[string]any{"asset": "<Asset>_<OutputType>_<Name>_v<Revision>", "shot": "<Shot>_<OutputType>_<Name>_v<Revision>", "style": "lowercase"},
		},
	}
}
