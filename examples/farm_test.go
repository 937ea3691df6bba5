package examples_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/zeebo/xxh3"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
	"github.com/kpublish/kpublish/publish"
)

// The job bundle's Open Job Description template, and the environment
// that gives its tasks the Kitsu credentials.
const (
	farmTemplate    = "farm/render_publish/template.yaml"
	farmEnvironment = "farm/kitsu_environment.yaml"
)

// farmTool returns the path of a program the farm test needs: found on
// PATH, else at one of the fallback paths (globs). Without it the test is
// skipped with a one-line reason, or fails under CI and `make test`
// (KITSU_REQUIRE_SERVER=1), where scripts/test installs it.
func farmTool(t *testing.T, name, why string, fallbacks ...string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	for _, pattern := range fallbacks {
		found, _ := filepath.Glob(pattern)
		sort.Strings(found)
		for i := len(found) - 1; i >= 0; i-- { // the highest version first
			if fi, err := os.Stat(found[i]); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
				return found[i]
			}
		}
	}
	msg := fmt.Sprintf("%s is not installed (%s)", name, why)
	if kitsutest.Required() {
		t.Fatalf("%s and CI or KITSU_REQUIRE_SERVER is set: run scripts/test, which installs it", msg)
	}
	t.Skip(msg)
	return ""
}

// requireOutputCLI checks that the built binary has the command the
// template's publish step calls.
func requireOutputCLI(t *testing.T) {
	t.Helper()
	out, err := exec.Command(binary, "publish", "output", "--help").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--output-type")) {
		msg := fmt.Sprintf("the kpublish binary has no `publish output` command (its help has no --output-type; %v): %s",
			err, strings.TrimSpace(string(out)))
		if kitsutest.Required() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// farmRun runs a program for the farm test with env as its whole
// environment (plus PATH), bounded by ctx, and returns its combined
// output; it fails the test, showing the output, when the program exits
// non-zero.
func farmRun(t *testing.T, ctx context.Context, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

// TestFarmJob runs the farm example as a farm would, with `openjd run` of
// examples/farm/render_publish/template.yaml: a real headless Blender
// renders four frames of the scene examples/farm/make_scene.py builds, one
// task per frame, then the publish step's `kpublish publish output`
// publishes them, logged in with a bot's token that the Kitsu environment
// (examples/farm/kitsu_environment.yaml) reads from a file and sets as
// KITSU_TOKEN, masked in the logs: no password, no prompt. Kitsu must hold
// one output file for the sequence, with its frame count, the frames where
// the project's tree puts them, read-only, with the hashes of the record's
// data. Rendering a frame again and running the publish step again (a
// farm retry) publishes nothing new: the same revision. Then Deadline 10's
// job script (examples/farm/deadline) runs with stand-ins for Deadline's
// objects: the same frames again, a partly done publish finished with
// --resume, and its failures. Then the publish step is killed between the
// copy and the registration and recovered as the README says
// (--unfinished, --resume; the step's retry is the same revision); last,
// a missing frame fails the publish step.
func TestFarmJob(t *testing.T) {
	home, _ := os.UserHomeDir()
	blender := farmTool(t, "blender", "the Debian package blender renders the frames")
	openjd := farmTool(t, "openjd", "openjd-cli from PyPI runs the job template",
		filepath.Join(home, ".cache", "kpublish", "openjd-*", "bin", "openjd"))
	requireOutputCLI(t)

	admin := kitsutest.Client(t)
	// One bound for the whole job, Kitsu calls included: Blender's renders
	// take minutes on a loaded machine, beyond kitsutest.Context's two.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	host, _, _ := kitsutest.Env(t)
	// The output type and the bot go before the project: cleanups run last
	// first, so the project and its output files are deleted before them.
	var ot kitsu.OutputType
	require.NoError(t, admin.Create(ctx, "output-types", map[string]any{"name": kitsutest.Unique("Render"), "short_name": "rnd"}, &ot))
	kitsutest.DeleteOnCleanup(t, admin, "data/output-types/"+ot.ID, nil)
	var crashOT kitsu.OutputType // for the publish killed part way
	require.NoError(t, admin.Create(ctx, "output-types", map[string]any{"name": kitsutest.Unique("Comp"), "short_name": "cmp"}, &crashOT))
	kitsutest.DeleteOnCleanup(t, admin, "data/output-types/"+crashOT.ID, nil)
	var bot struct {
		ID          string `json:"id"`
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, admin.Create(ctx, "persons", map[string]any{
		"first_name": kitsutest.Unique("farm"), "last_name": "Bot", "email": kitsutest.UniqueEmail("farm-bot"),
		"role": "manager", "is_bot": true,
	}, &bot))
	require.NotEmpty(t, bot.AccessToken)
	kitsutest.RemovePersonOnCleanup(t, admin, bot.ID)

	f := newFixture(t)
	task := f.newTask(t, "SH100")
	kitsutest.JoinTeam(t, admin, f.project.ID, bot.ID)

	// The scene: built by Blender from make_scene.py, no .blend kept in git.
	work := t.TempDir()
	scene := filepath.Join(work, "scene", "farm.blend")
	makeScene, err := filepath.Abs("farm/make_scene.py")
	require.NoError(t, err)
	log := farmRun(t, ctx, work, []string{"HOME=" + t.TempDir()}, blender,
		"-b", "--factory-startup", "--python-exit-code", "1", "--python", makeScene, "--", scene)
	require.Contains(t, log, "kpublish farm scene: saved "+scene)

	template, err := filepath.Abs(farmTemplate)
	require.NoError(t, err)
	kitsuEnv, err := filepath.Abs(farmEnvironment)
	require.NoError(t, err)
	// The worker has KITSU_HOST and a file holding the bot's token; the
	// Kitsu environment turns it into KITSU_TOKEN, redacted from the logs.
	tokenFile := filepath.Join(t.TempDir(), "kitsu-bot-token")
	require.NoError(t, os.WriteFile(tokenFile, []byte(bot.AccessToken+"\n"), 0o600))
	renders := filepath.Join(work, "renders")
	env := []string{
		"KITSU_HOST=" + host, "KITSU_TOKEN_FILE=" + tokenFile,
		"HOME=" + t.TempDir(), "TMPDIR=" + t.TempDir(),
	}
	params := []string{"--environment", kitsuEnv,
		"-p", "SceneFile=" + scene, "-p", "Frames=1001-1004", "-p", "OutputDir=" + renders,
		"-p", "TaskId=" + task.ID, "-p", "OutputType=" + ot.Name, "-p", "Comment=farm test",
		"-p", "KpublishBin=" + binary, "-p", "BlenderBin=" + blender,
	}
	log = farmRun(t, ctx, work, env, openjd, append([]string{"run", template}, params...)...)
	assert.Contains(t, log, "Session ended successfully")
	assert.NotContains(t, log, bot.AccessToken, "the bot token reached the job's log")
	frames := []int{1001, 1002, 1003, 1004}
	for _, fr := range frames {
		require.FileExists(t, filepath.Join(renders, fmt.Sprintf("render.%04d.png", fr)), "Blender did not render frame %d", fr)
	}

	// Kitsu: one output file, the sequence of four frames, revision 1.
	outs, err := admin.Files.AllOutputFilesForEntity(ctx, task.EntityID, &kitsu.OutputFilesOptions{OutputTypeID: ot.ID})
	require.NoError(t, err)
	require.Len(t, outs, 1, "Kitsu holds %d output files of the shot, want one for the sequence", len(outs))
	rec := outs[0]
	assert.Equal(t, 1, rec.Revision)
	assert.Equal(t, len(frames), rec.NbElements)
	assert.Equal(t, "png", rec.Representation)
	assert.Equal(t, task.TaskTypeID, rec.TaskTypeID)
	assert.Equal(t, bot.ID, rec.PersonID, "the record is not the bot's")
	assert.Equal(t, "farm test", rec.Comment)

	// Disk: the frames where Zou's tree puts revision 1, read-only, the
	// rendered bytes.
	base, err := admin.Files.BuildEntityOutputFilePath(ctx, task.EntityID, ot.ID, task.TaskTypeID,
		&kitsu.OutputFilePathOptions{Revision: 1, Representation: "png"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(base, f.root+"/"), "%s is not under the tree's mountpoint %s", base, f.root)
	assert.Equal(t, fmt.Sprintf("%s_[1-%d].png", base, len(frames)), rec.Path)
	var total int64
	var digest strings.Builder
	published := make([]string, len(frames))
	hashes := map[string]string{}
	for i, fr := range frames {
		p := fmt.Sprintf("%s.%04d.png", base, fr)
		published[i] = p
		fi, err := os.Stat(p)
		if !assert.NoError(t, err, "frame %d is not where the tree puts it", fr) {
			continue
		}
		assert.Zero(t, fi.Mode().Perm()&0o222, "frame %d is writable: %v", fr, fi.Mode())
		got, err := os.ReadFile(p)
		require.NoError(t, err)
		want, err := os.ReadFile(filepath.Join(renders, fmt.Sprintf("render.%04d.png", fr)))
		require.NoError(t, err)
		assert.True(t, bytes.Equal(want, got), "frame %d differs from the render", fr)
		sum, err := publish.HashFile(afero.NewOsFs(), p)
		require.NoError(t, err)
		hashes[filepath.Base(p)] = sum.Hex
		total += fi.Size()
		fmt.Fprintf(&digest, "%s\t%d\t%s\n", filepath.Base(p), fi.Size(), sum.Hex)
	}

	entries, err := os.ReadDir(filepath.Dir(base))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := make([]string, len(published))
	for i, p := range published {
		want[i] = filepath.Base(p)
	}
	assert.Equal(t, want, names, "the output folder holds the frames and nothing else (no temporary file)")

	// The record's data: the frames, each file's size and hash, and the
	// sequence digest (xxh3-128 over "name\tsize\thash\n" in frame order).
	d := rec.Data
	require.NotNil(t, d, "the record has no data")
	assert.EqualValues(t, 1, d["kpublish"])
	assert.Equal(t, "xxh3-128", d["algorithm"])
	assert.Equal(t, "1001-1004", d["frames"])
	assert.EqualValues(t, 1001, d["first_frame"])
	assert.EqualValues(t, 1004, d["last_frame"])
	assert.EqualValues(t, len(frames), d["nb_frames"])
	assert.EqualValues(t, total, d["size"])
	assert.Equal(t, total, rec.Size, "the total fits Zou's 32-bit size")
	sum128 := xxh3.Hash128([]byte(digest.String())).Bytes()
	assert.Equal(t, hex.EncodeToString(sum128[:]), d["sha"], "the sequence digest")
	assert.Equal(t, d["sha"], rec.Checksum)
	files, _ := d["files"].([]any)
	if assert.Len(t, files, len(frames), "data.files") {
		for i, e := range files {
			entry, _ := e.(map[string]any)
			name := filepath.Base(published[i])
			assert.Equal(t, name, entry["name"], "data.files[%d]", i)
			assert.Equal(t, hashes[name], entry["sha"], "data.files[%d]: the hash of %s", i, name)
		}
	}

	// A farm retry: frame 1002 rendered again (Blender writes the same
	// bytes: the scene stamps no metadata), then the publish step again:
	// the same frames, the same revision.
	before, err := os.Stat(filepath.Join(renders, "render.1002.png"))
	require.NoError(t, err)
	farmRun(t, ctx, work, env, openjd, append([]string{"run", template, "--step", "Render", "--task-param", "Frame=1002"}, params...)...)
	after, err := os.Stat(filepath.Join(renders, "render.1002.png"))
	require.NoError(t, err)
	require.False(t, os.SameFile(before, after) && before.ModTime().Equal(after.ModTime()), "frame 1002 was not rendered again")
	log = farmRun(t, ctx, work, env, openjd, append([]string{"run", template, "--step", "Publish"}, params...)...)
	assert.Contains(t, log, "Session ended successfully")
	again, err := admin.Files.AllOutputFilesForEntity(ctx, task.EntityID, &kitsu.OutputFilesOptions{OutputTypeID: ot.ID})
	require.NoError(t, err)
	if assert.Len(t, again, 1, "publishing the same frames again made a new record") {
		assert.Equal(t, rec.ID, again[0].ID)
		assert.Equal(t, 1, again[0].Revision)
	}
	base2, err := admin.Files.BuildEntityOutputFilePath(ctx, task.EntityID, ot.ID, task.TaskTypeID,
		&kitsu.OutputFilePathOptions{Revision: 2, Representation: "png"})
	require.NoError(t, err)
	require.NotEqual(t, base, base2, "the tree does not show the revision")
	_, err = os.Stat(fmt.Sprintf("%s.%04d.png", base2, frames[0]))
	assert.True(t, os.IsNotExist(err), "the retry copied the frames to revision 2")

	// Deadline 10's job script, run with stand-ins for Deadline's objects:
	// the same frames through it are the same revision too; a partly done
	// publish (exit 6) is finished with the --resume kpublish printed.
	py := python(t)
	out := filepath.Join(t.TempDir(), "deadline.json")
	pattern := filepath.Join(renders, "render.1001-1004#.png")
	farmRun(t, ctx, "farm/testdata", append(env, "KPUBLISH_BIN="+binary, "PYTHONDONTWRITEBYTECODE=1"), py,
		"deadline_stand_in.py", out, pattern, task.ID, ot.Name)
	type scriptRun struct {
		OK    bool
		Error string
		Log   []string
		Calls [][]string
	}
	var dl map[string]scriptRun
	readJSON(t, out, &dl)
	assert.True(t, dl["real"].OK, "the job script failed: %s\n%s", dl["real"].Error, strings.Join(dl["real"].Log, "\n"))
	assert.Contains(t, strings.Join(dl["real"].Log, "\n"), "kpublish: revision 1 of png: "+rec.Path+" (4 frames 1001-1004), already published")
	assert.NotContains(t, strings.Join(dl["real"].Log, "\n"), bot.AccessToken)
	assert.True(t, dl["resume"].OK, dl["resume"].Error)
	if assert.Len(t, dl["resume"].Calls, 3) {
		assert.Equal(t, []string{"publish", "output", pattern, "--task", task.ID, "--output-type", ot.Name,
			"--comment", "farm test", "--json"}, dl["resume"].Calls[0])
		resume := []string{"publish", "--resume", "/prod/my show/.kpublish/outputs/r0004.manifest.json", "--json"}
		assert.Equal(t, resume, dl["resume"].Calls[1])
		assert.Equal(t, resume, dl["resume"].Calls[2], "the second try resumes the same manifest")
	}
	assert.Contains(t, strings.Join(dl["resume"].Log, "\n"), "revision 4 of png")
	assert.Equal(t, "kpublish exited 3: kpublish: --task 123: want a task id", dl["failed"].Error)
	assert.Len(t, dl["failed"].Calls, 1, "an exit 3 is not retried")
	assert.Contains(t, dl["missing"].Error, "KitsuTaskId")
	final, err := admin.Files.AllOutputFilesForEntity(ctx, task.EntityID, &kitsu.OutputFilesOptions{OutputTypeID: ot.ID})
	require.NoError(t, err)
	assert.Len(t, final, 1, "the Deadline job script made a new record for the same frames")

	// The publish step killed part way (after the copy, before Kitsu
	// registers it: the test-only crash hook), as a node dies: the task
	// fails, and a retry that publishes again would take the next
	// revision. The README's recovery: list the unfinished publishes under
	// the store, resume the one of this output; the retry of the step is
	// then the same revision, and nothing else was left on disk.
	crashParams := append(append([]string(nil), params...), "-p", "OutputType="+crashOT.Name)
	cmd := exec.CommandContext(ctx, openjd, append([]string{"run", template, "--step", "Publish"}, crashParams...)...)
	cmd.Dir = work
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "KPUBLISH_TEST_CRASH=copied"}, env...)
	crashed, err := cmd.CombinedOutput()
	require.Error(t, err, "the publish step did not fail when kpublish was killed:\n%s", crashed)
	none, err := admin.Files.AllOutputFilesForEntity(ctx, task.EntityID, &kitsu.OutputFilesOptions{OutputTypeID: crashOT.ID})
	require.NoError(t, err)
	require.Empty(t, none, "the killed publish registered something")
	kpEnv := []string{"KITSU_HOST=" + host, "KITSU_TOKEN=" + bot.AccessToken, "HOME=" + t.TempDir()}
	var unfinished struct {
		Unfinished []struct {
			Path, State string
			Revision    int
			Running     bool
			Target      map[string]any
		}
	}
	listed, _ := run(t, work, kpEnv, binary, "publish", "output", "--unfinished", "--root", f.root, "--json")
	require.NoError(t, json.Unmarshal([]byte(listed), &unfinished), listed)
	require.Len(t, unfinished.Unfinished, 1, listed)
	left := unfinished.Unfinished[0]
	assert.Equal(t, "copied", left.State)
	assert.Equal(t, 1, left.Revision)
	assert.False(t, left.Running)
	resumed, _ := run(t, work, kpEnv, binary, "publish", "--resume", left.Path, "--json")
	var res struct {
		Revision int
		Files    []struct {
			OutputFile struct {
				ID         string
				NbElements int `json:"nb_elements"`
			} `json:"output_file"`
		}
	}
	require.NoError(t, json.Unmarshal([]byte(resumed), &res), resumed)
	assert.Equal(t, 1, res.Revision)
	log = farmRun(t, ctx, work, env, openjd, append([]string{"run", template, "--step", "Publish"}, crashParams...)...)
	assert.Contains(t, log, `"already_published": true`)
	crashOuts, err := admin.Files.AllOutputFilesForEntity(ctx, task.EntityID, &kitsu.OutputFilesOptions{OutputTypeID: crashOT.ID})
	require.NoError(t, err)
	if assert.Len(t, crashOuts, 1) && assert.Len(t, res.Files, 1) {
		assert.Equal(t, res.Files[0].OutputFile.ID, crashOuts[0].ID)
		assert.Equal(t, 1, crashOuts[0].Revision)
		assert.Equal(t, len(frames), crashOuts[0].NbElements)
	}
	crashBase, err := admin.Files.BuildEntityOutputFilePath(ctx, task.EntityID, crashOT.ID, task.TaskTypeID,
		&kitsu.OutputFilePathOptions{Revision: 1, Representation: "png"})
	require.NoError(t, err)
	entries, err = os.ReadDir(filepath.Dir(crashBase))
	require.NoError(t, err)
	names = names[:0]
	for _, e := range entries {
		names = append(names, e.Name())
	}
	for i, fr := range frames {
		want[i] = filepath.Base(fmt.Sprintf("%s.%04d.png", crashBase, fr))
	}
	assert.Equal(t, want, names, "after the resume the folder holds the frames of revision 1 and nothing else")
	listed, _ = run(t, work, kpEnv, binary, "publish", "output", "--unfinished", "--root", f.root, "--json")
	assert.JSONEq(t, `{"unfinished": []}`, listed)

	// A frame missing from the render: the publish step fails (exit 3,
	// naming the frame) rather than publish a sequence with a hole, and
	// Kitsu is left as it was.
	require.NoError(t, os.Remove(filepath.Join(renders, "render.1003.png")))
	cmd = exec.CommandContext(ctx, openjd, append([]string{"run", template, "--step", "Publish"}, params...)...)
	cmd.Dir = work
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	failed, err := cmd.CombinedOutput()
	assert.Error(t, err, "the publish step succeeded with frame 1003 missing:\n%s", failed)
	assert.Contains(t, string(failed), "exited with code: 3")
	assert.Contains(t, string(failed), "1003")
	final, err = admin.Files.AllOutputFilesForEntity(ctx, task.EntityID, &kitsu.OutputFilesOptions{OutputTypeID: ot.ID})
	require.NoError(t, err)
	assert.Len(t, final, 1)
}
