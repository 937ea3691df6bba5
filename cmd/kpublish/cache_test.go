package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
)

// altTree is a second tree for the project, with the department shown.
var altTree = map[string]any{
	"working": map[string]any{
		"mountpoint": "/alt", "root": "work",
		"folder_path": map[string]any{"shot": "<Project>/<Department>/<Sequence>/<Shot>/<TaskType>", "style": "lowercase"},
		"file_name":   map[string]any{"shot": "<Shot>_<Software>_<Name>_v<Revision>", "style": "lowercase"},
	},
	"output": map[string]any{
		"mountpoint": "/alt", "root": "out",
		"folder_path": map[string]any{"shot": "<Project>/<Shot>/<TaskType>/<OutputType>", "style": "lowercase"},
		"file_name":   map[string]any{"shot": "<Shot>_<OutputType>_<Name>_v<Revision>", "style": "lowercase"},
	},
}

// TestPathCache runs the binary as a save hook does, one process a call,
// with the cache: a tree changed in Kitsu is seen on the next call, kept
// within --cache-ttl, bypassed with --no-cache; the cache is private, and
// refused with a warning when it is not; outputs of a task match Zou's.
func TestPathCache(t *testing.T) {
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	host, user, password := kitsutest.Env(t)
	p := kitsutest.NewProject(t, c, false)
	setTree := func(tree map[string]any) {
		require.NoError(t, c.Update(ctx, "projects", p.ID, map[string]any{"file_tree": tree}, nil))
	}
	setTree(kitsutest.ZouFileTree(t, "simple"))
	seq := kitsutest.NewSequence(t, c, p.ID, "", "Seq4")
	shot := kitsutest.NewShot(t, c, p.ID, seq.ID, "Plan 020")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	task := kitsutest.NewTask(t, c, p.ID, shot.ID, anim.ID, "main")
	sw := kitsutest.NewSoftware(t, c)
	ot := kitsutest.NewOutputType(t, c)

	dir := filepath.Join(t.TempDir(), "cache")
	env := []string{"KITSU_HOST=" + host, "KITSU_USER=" + user, "KITSU_PASSWORD=" + password, "KPUBLISH_CACHE_DIR=" + dir}
	work := []string{"working", "--task", task.ID, "--software", sw.Name, "--revision", "3"}
	zouWork := func() zouPath {
		return zouRoute(t, c, "data/tasks/"+task.ID+"/working-file-path", map[string]any{"software_id": sw.ID, "revision": 3})
	}
	path := func(label string, env []string, args ...string) zouPath {
		t.Helper()
		got, errOut, code := kpPath(t, env, args...)
		require.Equal(t, 0, code, "%s: %s", label, errOut)
		assert.Empty(t, errOut, label)
		return got
	}

	simple := zouWork()
	assert.Equal(t, simple, path("cold", env, work...))
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		fi, err := os.Stat(f)
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), f)
		data, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NotContains(t, string(data), password)
	}
	assert.Equal(t, simple, path("warm", env, work...))

	// A tree changed in Kitsu: the next call uses it.
	setTree(altTree)
	alt := zouWork()
	require.NotEqual(t, simple, alt)
	assert.Equal(t, alt, path("changed tree", env, work...))
	assert.Equal(t, alt, path("within the TTL", env, append(work, "--cache-ttl", "10m")...))
	// Changed back: within the TTL the cache answers, as asked; without
	// one, or with no cache, Kitsu does.
	setTree(kitsutest.ZouFileTree(t, "simple"))
	assert.Equal(t, alt, path("stale within the TTL, by choice", env, append(work, "--cache-ttl", "10m")...))
	assert.Equal(t, simple, path("no TTL", env, work...))
	other := filepath.Join(t.TempDir(), "unused")
	noCache := append(append([]string{}, env[:3]...), "KPUBLISH_CACHE_DIR="+other)
	assert.Equal(t, simple, path("--no-cache", noCache, append(work, "--no-cache")...))
	_, err = os.Stat(other)
	assert.ErrorIs(t, err, os.ErrNotExist, "--no-cache writes nothing")

	// Outputs of the task: its entity, made by its task type.
	zouOut := zouRoute(t, c, "data/entities/"+shot.ID+"/output-file-path", map[string]any{"output_type_id": ot.ID, "task_type_id": anim.ID, "revision": 2})
	for _, key := range []string{ot.Name, ot.ID} {
		assert.Equal(t, zouOut, path("output of the task", env, "output", "--task", task.ID, "--output-type", key, "--revision", "2"))
	}

	// A cache folder open to others: ignored, with one line on stderr.
	require.NoError(t, os.Chmod(dir, 0o755))
	got, errOut, code := kpPath(t, env, work...)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, simple, got)
	assert.True(t, strings.HasPrefix(errOut, "kpublish: warning: "), errOut)
	assert.Contains(t, errOut, "not private to this user")
	assert.Equal(t, 1, strings.Count(errOut, "\n"), errOut)

	// Flags that do not go together, and values that are wrong.
	_, errOut, code = kpPath(t, env, append(work, "--cache-ttl", "-1s")...)
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, "--cache-ttl -1s: want 0 or more")
	_, errOut, code = kpPath(t, env, append(work, "--cache-ttl", "soon")...)
	assert.Equal(t, 3, code, errOut)
	_, errOut, code = kpPath(t, env, append(work, "--no-cache", "--cache-ttl", "1m")...)
	assert.Equal(t, 2, code, errOut)
	_, errOut, code = kpPath(t, env, "output", "--task", task.ID, "--entity", shot.ID, "--output-type", ot.Name, "--task-type", anim.Name)
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "not both")
	_, errOut, code = kpPath(t, env, "output", "--task", task.ID, "--output-type", ot.Name, "--task-type", anim.Name)
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "no --task-type")
}
