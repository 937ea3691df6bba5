//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
	"github.com/kpublish/kpublish/publish"
)

// outTree is a project tree whose output paths show the output type and
// the representation (folders), the name and the revision (the file).
func outTree(mountpoint string) map[string]any {
	tree := workTree(mountpoint)
	tree["output"] = map[string]any{
		"mountpoint": mountpoint, "root": "out",
		"folder_path": map[string]any{"asset": "<Project>/<AssetType>/<Asset>/<TaskType>/<OutputType>/<Representation>", "style": "lowercase"},
		"file_name":   map[string]any{"asset": "<Asset>_<OutputType>_<Name>_v<Revision>", "style": "lowercase"},
	}
	return tree
}

// outFix is an asset task of a fresh project whose output mountpoint is
// a folder of the test, an output type, and a folder of sources.
type outFix struct {
	c    *kitsu.Client
	env  []string
	at   *kitsutest.AssetTask
	ot   *kitsu.OutputType
	root string // the output mountpoint: the store root
	src  string
}

func newOutFix(t *testing.T) *outFix {
	t.Helper()
	c := kitsutest.Client(t)
	host, user, password := kitsutest.Env(t)
	f := &outFix{c: c, env: []string{"KITSU_HOST=" + host, "KITSU_USER=" + user, "KITSU_PASSWORD=" + password}}
	f.ot = kitsutest.NewOutputType(t, c)
	f.at = kitsutest.NewAssetTask(t, c)
	f.root, f.src = t.TempDir(), t.TempDir()
	// Published files are read-only: give the write bit back so that
	// t.TempDir can remove them.
	t.Cleanup(func() {
		_ = filepath.Walk(f.root, func(p string, fi os.FileInfo, err error) error {
			if err == nil {
				_ = os.Chmod(p, fi.Mode().Perm()|0o200)
			}
			return nil
		})
	})
	require.NoError(t, c.Update(kitsutest.Context(t), "projects", f.at.Project.ID, map[string]any{"file_tree": outTree(f.root)}, nil))
	return f
}

// write makes a source file of n bytes of a pattern seeded by name.
func (f *outFix) write(t *testing.T, name string, n int) string {
	t.Helper()
	p := filepath.Join(f.src, name)
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	b := bytes.Repeat([]byte(name+"\n"), n/(len(name)+1)+1)[:n]
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

// frames makes frames first..last of dir/name.####.exr and returns the
// pattern.
func (f *outFix) frames(t *testing.T, dir, name string, first, last, size int) string {
	t.Helper()
	for i := first; i <= last; i++ {
		f.write(t, fmt.Sprintf("%s/%s.%04d.exr", dir, name, i), size)
	}
	return filepath.Join(f.src, dir, name+".####.exr")
}

func (f *outFix) publish(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return kp(t, append(slices.Clone(f.env), env...), append([]string{"publish", "output"}, args...)...)
}

// publishJSON publishes with --json and the task as target.
func (f *outFix) publishJSON(t *testing.T, args ...string) (map[string]any, string) {
	t.Helper()
	out, errOut, code := f.publish(t, nil, append(args, "--task", f.at.Task.ID, "--output-type", f.ot.Name, "--json")...)
	require.Equal(t, 0, code, errOut)
	var got map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	return got, errOut
}

// records lists the output type's records of the asset.
func (f *outFix) records(t *testing.T) []kitsu.OutputFile {
	t.Helper()
	recs, err := f.c.Files.AllOutputFilesForEntity(kitsutest.Context(t), f.at.Asset.ID, &kitsu.OutputFilesOptions{OutputTypeID: f.ot.ID})
	require.NoError(t, err)
	return recs
}

// byRevision counts the records of each representation at revision.
func byRevision(recs []kitsu.OutputFile, revision int) map[string]int {
	n := map[string]int{}
	for _, r := range recs {
		if r.Revision == revision {
			n[r.Representation]++
		}
	}
	return n
}

// published lists the regular files under the root outside .kpublish,
// temporary files apart.
func published(t *testing.T, root string) (files, temps []string) {
	t.Helper()
	require.NoError(t, filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() && fi.Name() == ".kpublish" {
			return filepath.SkipDir
		}
		if fi.Mode().IsRegular() {
			if strings.Contains(fi.Name(), ".kpublish-tmp-") {
				temps = append(temps, p)
			} else {
				files = append(files, p)
			}
		}
		return nil
	}))
	return files, temps
}

func jsonFiles(t *testing.T, got map[string]any) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, f := range got["files"].([]any) {
		out = append(out, f.(map[string]any))
	}
	return out
}

func strs(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

// TestPublishOutputCLI publishes through the binary: one file (text
// output, read-only file, the record), the same content again (same
// revision), --new-revision, two representations sharing a revision,
// and a sequence whose text output shows its pattern and frames.
func TestPublishOutputCLI(t *testing.T) {
	t.Parallel()
	f := newOutFix(t)
	src := f.write(t, "cache.abc", 5000)

	out, errOut, code := f.publish(t, nil, src, "--task", f.at.Task.ID, "--output-type", f.ot.Name, "--comment", "first cache")
	require.Equal(t, 0, code, errOut)
	recs := f.records(t)
	require.Len(t, recs, 1)
	rec := recs[0]
	assert.Equal(t, 1, rec.Revision)
	assert.Equal(t, "abc", rec.Representation)
	assert.Equal(t, "first cache", rec.Comment)
	assert.Equal(t, int64(5000), rec.Size)
	assert.True(t, strings.HasSuffix(rec.Path, "_main_v001.abc"), rec.Path)
	assert.Equal(t, "published revision 1:\n  abc  "+rec.Path+"\n", out)
	fi, err := os.Stat(rec.Path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o444), fi.Mode().Perm())

	got, _ := f.publishJSON(t, src)
	assert.Equal(t, true, got["already_published"])
	assert.EqualValues(t, 1, got["revision"])
	assert.Equal(t, rec.ID, jsonFiles(t, got)[0]["output_file"].(map[string]any)["id"])

	got, _ = f.publishJSON(t, src, "--new-revision")
	assert.EqualValues(t, 2, got["revision"])
	assert.Equal(t, false, got["already_published"])
	assert.NotEmpty(t, got["manifest"])

	// Two representations, one revision.
	usd := f.write(t, "cache.usd", 3000)
	out, errOut, code = f.publish(t, nil, src, usd, "--representation", "alembic", "--entity", f.at.Asset.ID,
		"--task-type", "Modeling", "--output-type", f.ot.ID, "--new-revision")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, map[string]int{"alembic": 1, "usd": 1}, byRevision(f.records(t), 3))
	assert.True(t, strings.HasPrefix(out, "published revision 3:\n  alembic  "), out)
	assert.Contains(t, out, "\n  usd  ")

	// A sequence: the pattern and the frames, gaps listed.
	pattern := f.frames(t, "beauty", "beauty", 1001, 1010, 2000)
	require.NoError(t, os.Remove(filepath.Join(f.src, "beauty", "beauty.1005.exr")))
	out, errOut, code = f.publish(t, nil, pattern, "--task", f.at.Task.ID, "--output-type", f.ot.Name)
	require.Equal(t, 0, code, errOut)
	seq := byRevision(f.records(t), 4)
	assert.Equal(t, map[string]int{"exr": 1}, seq)
	assert.Regexp(t, `^published revision 4:\n  exr  \S+/exr/tree_\S+_main_v004\.####\.exr frames 1001-1004,1006-1010 \(9 files\)\n$`, out)
	files, temps := published(t, f.root)
	assert.Empty(t, temps)
	assert.Len(t, files, 1+1+2+9)

	// A dry run names the revision and paths and writes nothing.
	out, errOut, code = f.publish(t, nil, src, "--task", f.at.Task.ID, "--output-type", f.ot.Name, "--new-revision", "--dry-run")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `^would publish revision 5:\n  abc  \S+_main_v005\.abc\n$`, out)
	files2, _ := published(t, f.root)
	assert.Equal(t, files, files2)
	assert.Len(t, f.records(t), 1+1+2+1)
}

// TestPublishOutputUsage checks the command line before anything runs:
// exit 2 with a message naming the flag.
func TestPublishOutputUsage(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.abc"), filepath.Join(dir, "b.abc")
	require.NoError(t, os.WriteFile(a, []byte("a"), 0o644))
	require.NoError(t, os.WriteFile(b, []byte("b"), 0o644))
	task := "8d5e3c0a-0000-4000-8000-000000000000"
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"publish", "output", a, "--task", task}, 2, "--output-type OT is required"},
		{[]string{"publish", "output", a, "--task", task, "--entity", task, "--task-type", "FX", "--output-type", "Cache"}, 2, "two target forms: give one of --task ID, --entity ID --task-type TT"},
		{[]string{"publish", "output", a, "--entity", task, "--output-type", "Cache"}, 2, "--entity needs --task-type"},
		{[]string{"publish", "output", a, "--asset-instance", task, "--task-type", "FX", "--output-type", "Cache"}, 2, "--asset-instance needs --temporal-entity"},
		{[]string{"publish", "output", a, "--task", task, "--task-type", "FX", "--output-type", "Cache"}, 2, "--task-type goes with --entity"},
		{[]string{"publish", "output", a, b, "--task", task, "--output-type", "Cache", "--representation", "x", "--representation", "y", "--representation", "z"}, 2, "--representation given 3 times for 2 SRC"},
		{[]string{"publish", "output", "--task", task, "--output-type", "Cache"}, 2, "give one or more SRC"},
		{[]string{"publish", "output", a, "--task", task, "--output-type", "Cache", "--frobnicate"}, 2, "unknown flag: --frobnicate"},
		{[]string{"publish", "output", a, "--unfinished"}, 2, "--unfinished goes with --root"},
		{[]string{"publish", "output", a, "--task", task, "--output-type", "Cache", "--root", dir}, 2, "--root goes with --unfinished"},
		{[]string{"publish", "output", a, "--task", task, "--output-type", "Cache", "--revision", "-1"}, 3, "--revision -1"},
		{[]string{"publish", "output", a, "--task", task, "--output-type", "Cache", "--revision", "abc"}, 3, "--revision"},
		{[]string{"publish", "output", a, "--task", task, "--output-type", "Cache", "--workers", "-2"}, 3, "--workers -2"},
		{[]string{"publish", "output", a, "--task", task, "--output-type", "Cache", "--workers", "100000"}, 3, "--workers 100000: want 1 to 64"},
		{[]string{"publish", "output", a, "--task", task, "--output-type", "Cache", "--settle", "24h"}, 3, "--settle 24h0m0s: want at most 1m0s"},
		{[]string{"publish", "output", a, "--task", task, "--output-type", "Cache", "--settle", "soon"}, 3, `invalid argument "soon" for "--settle"`},
		{[]string{"publish", "output", a, "--task", task, "--output-type", "Cache", "--os", "beos"}, 3, `--os "beos"`},
		{[]string{"publish", "output", a, "--task", task, "--output-type", "Cache", "--preview", b}, 3, "--preview: preview"},
		{[]string{"publish", "output", a, "--task", task, "--output-type", "Cache", "--preview", filepath.Join(dir, "gone.png")}, 3, "no such file"},
		{[]string{"publish"}, 2, "want publish working, publish output, --resume or --abort"},
		{[]string{"publish", "final"}, 2, `publish "final": want publish working`},
		{[]string{"publish", "--resume", "--abort", a}, 2, "--resume and --abort: give one"},
		{[]string{"publish", "--abort"}, 2, "--abort needs the MANIFEST"},
		{[]string{"publish", "--resume", a, b}, 2, "give one MANIFEST or DIR"},
		{[]string{"publish", "--abort", dir}, 3, "want a manifest file"},
	} {
		_, errOut, code := kp(t, nil, tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, tc.args)
		assert.Equal(t, 1, strings.Count(errOut, "\n"), "one line on stderr: %q", errOut)
	}
	out, _, code := kp(t, nil, "publish", "output", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "Exit codes: 0 ok, 2 usage")
	assert.Contains(t, out, "6 partly done")
	out, _, code = kp(t, nil, "publish", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "kpublish publish --abort MANIFEST")
	assert.Contains(t, out, "Exit codes:")
}

// TestPublishOutputRefusedBeforeWriting: a wrong --status is refused with
// exit 3 before anything is claimed, copied or registered.
func TestPublishOutputRefusedBeforeWriting(t *testing.T) {
	t.Parallel()
	f := newOutFix(t)
	src := f.write(t, "cache.abc", 100)
	_, errOut, code := f.publish(t, nil, src, "--task", f.at.Task.ID, "--output-type", f.ot.Name, "--status", "no-such-status-xyz")
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, `--status: task status "no-such-status-xyz"`)
	entries, err := os.ReadDir(f.root)
	require.NoError(t, err)
	assert.Empty(t, entries)
	assert.Empty(t, f.records(t))
}

// TestPublishOutputStatusPreview sets the task's status and uploads a
// preview after the publish, against the real server.
func TestPublishOutputStatusPreview(t *testing.T) {
	t.Parallel()
	f := newOutFix(t)
	ctx := kitsutest.Context(t)
	src := f.write(t, "cache.abc", 100)
	png := kitsutest.WritePNG(t, t.TempDir(), "turn.png", 80, 60)
	got, _ := f.publishJSON(t, src, "--status", "wfa", "--preview", png, "--comment", "ready for review")
	commentID, previewID := got["comment_id"].(string), got["preview_id"].(string)
	require.NotEmpty(t, commentID)
	require.NotEmpty(t, previewID)
	task, err := f.c.Task.GetTask(ctx, f.at.Task.ID)
	require.NoError(t, err)
	assert.Equal(t, kitsutest.TaskStatusNamed(t, f.c, "wfa").ID, task.TaskStatusID)
	cm, err := f.c.Task.GetComment(ctx, commentID)
	require.NoError(t, err)
	assert.Equal(t, "ready for review", cm.Text)
	pf, err := f.c.Files.GetPreviewFile(ctx, previewID)
	require.NoError(t, err)
	assert.Equal(t, f.at.Task.ID, pf.TaskID)
	assert.Equal(t, "png", pf.Extension)
	m, err := publish.ReadManifest(afero.NewOsFs(), got["manifest"].(string))
	require.NoError(t, err)
	assert.True(t, m.After.Done)
	assert.Equal(t, commentID, m.After.CommentID)

	// Text output names the comment and the preview.
	out, errOut, code := f.publish(t, nil, src, "--task", f.at.Task.ID, "--output-type", f.ot.Name, "--new-revision", "--status", "Work In Progress")
	require.Equal(t, 0, code, errOut)
	assert.Regexp(t, `\nstatus comment [0-9a-f-]{36}\n$`, out)
	task, err = f.c.Task.GetTask(ctx, f.at.Task.ID)
	require.NoError(t, err)
	assert.Equal(t, kitsutest.TaskStatusNamed(t, f.c, "wip").ID, task.TaskStatusID)
}

// TestPublishOutputProgress: the progress bar is drawn on a terminal (a
// pseudo-terminal made by script(1)) for a sequence of over 100 frames,
// and never on a pipe nor with --json.
func TestPublishOutputProgress(t *testing.T) {
	t.Parallel()
	f := newOutFix(t)
	pattern := f.frames(t, "fx", "smoke", 1, 120, 1000)
	out, errOut, code := f.publish(t, nil, pattern, "--task", f.at.Task.ID, "--output-type", f.ot.Name)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut, "no bar, no notice on a pipe")
	assert.Contains(t, out, "frames 1-120 (120 files)")
	out, errOut, code = f.publish(t, nil, pattern, "--task", f.at.Task.ID, "--output-type", f.ot.Name, "--json", "--new-revision")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut)
	assert.True(t, json.Valid([]byte(out)), out)

	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script(1) to make a terminal")
	}
	cmdline := "stty cols 100 rows 30; " + shellQuote(binary) + " publish output " + shellQuote(pattern) + " --task " + f.at.Task.ID + " --output-type " + shellQuote(f.ot.ID) + " --new-revision"
	tty := exec.Command(scriptBin, "-qec", cmdline, "/dev/null")
	tty.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=xterm", "COLUMNS=100"}, f.env...)
	b, err := tty.CombinedOutput()
	require.NoError(t, err, "%s", b)
	assert.Contains(t, string(b), "copying")
	assert.Contains(t, string(b), "120/120 files")
	assert.Contains(t, string(b), "published revision 3:")
	assert.Equal(t, 1, byRevision(f.records(t), 3)["exr"])
}

// unfinished lists the unfinished publishes under root with the binary.
func (f *outFix) unfinished(t *testing.T) []publish.ManifestInfo {
	t.Helper()
	out, errOut, code := kp(t, f.env, "publish", "output", "--unfinished", "--root", f.root, "--json")
	require.Equal(t, 0, code, errOut)
	var got struct {
		Unfinished []publish.ManifestInfo `json:"unfinished"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got), out)
	return got.Unfinished
}

// fileIDs maps each published file to its inode, to see that none is
// replaced.
func fileIDs(t *testing.T, files []string) map[string]uint64 {
	t.Helper()
	ids := map[string]uint64{}
	for _, p := range files {
		fi, err := os.Stat(p)
		require.NoError(t, err)
		ids[p] = fi.Sys().(*syscall.Stat_t).Ino
	}
	return ids
}

// sourceOf gives the source of a published file: frames keep their
// number, the cache is the one abc file.
func sourceOf(f *outFix, published string) string {
	base := filepath.Base(published)
	if strings.HasSuffix(base, ".abc") {
		return filepath.Join(f.src, "cache.abc")
	}
	parts := strings.Split(base, ".")
	return filepath.Join(f.src, "beauty", "beauty."+parts[len(parts)-2]+".exr")
}

// TestPublishOutputCrash kills the publisher (KPUBLISH_TEST_CRASH, a
// SIGKILL) after the claim, in the middle of the copy, after the copy and
// after the registration: what is visible under the published names is
// whole; --resume finishes with exactly one record per representation
// and no file replaced; a second crashed publish rolled back with --abort
// leaves no file, no record and no claim.
func TestPublishOutputCrash(t *testing.T) {
	t.Parallel()
	for _, point := range []string{"claimed", "copy-mid", "copied", "registered"} {
		t.Run(point, func(t *testing.T) {
			f := newOutFix(t)
			pattern := f.frames(t, "beauty", "beauty", 1, 8, 64<<10)
			abc := f.write(t, "cache.abc", 256<<10)
			args := []string{pattern, abc, "--task", f.at.Task.ID, "--output-type", f.ot.Name, "--workers", "1"}
			crash := []string{"KPUBLISH_TEST_CRASH=" + point}

			_, errOut, code := f.publish(t, crash, args...)
			require.Equal(t, -1, code, "killed at %s: %s", point, errOut)
			list := f.unfinished(t)
			require.Len(t, list, 1)
			m := list[0]
			assert.Equal(t, 1, m.Revision)
			assert.False(t, m.Running)
			files, _ := published(t, f.root)
			for _, p := range files {
				assert.FileExists(t, sourceOf(f, p))
				want, err := os.ReadFile(sourceOf(f, p))
				require.NoError(t, err)
				got, err := os.ReadFile(p)
				require.NoError(t, err)
				assert.True(t, bytes.Equal(want, got), "%s is whole under its published name", p)
			}
			before := fileIDs(t, files)

			// Resumed by its manifest, by the store root as DIR, or by
			// --root: every unfinished publish of this host under it.
			resume := map[string][]string{"copy-mid": {f.root}, "copied": {"--root", f.root}}[point]
			if resume == nil {
				resume = []string{m.Path}
			}
			out, errOut, code := kp(t, f.env, append([]string{"publish", "--resume", "--json"}, resume...)...)
			require.Equal(t, 0, code, errOut)
			var res map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &res), out)
			if resume[0] != m.Path {
				assert.Empty(t, res["failed"])
				assert.Empty(t, res["skipped"])
				require.Len(t, res["resumed"], 1, out)
				res = res["resumed"].([]any)[0].(map[string]any)
			}
			assert.EqualValues(t, 1, res["revision"])
			assert.Equal(t, m.Path, res["manifest"])
			assert.Equal(t, map[string]int{"exr": 1, "abc": 1}, byRevision(f.records(t), 1))
			assert.Len(t, f.records(t), 2)
			files, temps := published(t, f.root)
			assert.Empty(t, temps, "no temporary file left")
			assert.Len(t, files, 9)
			after := fileIDs(t, files)
			for p, ino := range before {
				assert.Equal(t, ino, after[p], "%s was not replaced", p)
			}
			assert.Empty(t, f.unfinished(t))
			// Resuming again does nothing more.
			_, errOut, code = kp(t, f.env, "publish", "--resume", m.Path)
			require.Equal(t, 0, code, errOut)
			assert.Len(t, f.records(t), 2)

			// A second publish crashed at the same point, rolled back.
			_, errOut, code = f.publish(t, crash, append(args, "--new-revision")...)
			require.Equal(t, -1, code, errOut)
			list = f.unfinished(t)
			require.Len(t, list, 1)
			require.Equal(t, 2, list[0].Revision)
			out, errOut, code = kp(t, f.env, "publish", "--abort", list[0].Path, "--json")
			require.Equal(t, 0, code, errOut)
			assert.Contains(t, out, `"aborted"`)
			assert.Empty(t, byRevision(f.records(t), 2))
			assert.Len(t, f.records(t), 2)
			files2, temps := published(t, f.root)
			assert.Empty(t, temps)
			assert.ElementsMatch(t, files, files2, "only revision 1's files")
			assert.NoFileExists(t, list[0].Path)
			assert.NoFileExists(t, filepath.Join(filepath.Dir(list[0].Path), ".r0002"+publish.ClaimSuffix))
			assert.Empty(t, f.unfinished(t))

			// A third one crashed at the same point, then the same command
			// run again (a farm manager's retry): it finishes that publish,
			// at its revision, rather than publishing another.
			retry := append(args, "--new-revision")
			_, errOut, code = f.publish(t, crash, retry...)
			require.Equal(t, -1, code, errOut)
			list = f.unfinished(t)
			require.Len(t, list, 1)
			require.Equal(t, 2, list[0].Revision)
			placed, _ := published(t, f.root)
			before = fileIDs(t, placed)
			got, errOut := f.publishJSON(t, retry...)
			assert.EqualValues(t, 2, got["revision"], errOut)
			assert.Equal(t, list[0].Path, got["resumed"])
			assert.Equal(t, map[string]int{"exr": 1, "abc": 1}, byRevision(f.records(t), 2))
			assert.Len(t, f.records(t), 4)
			files, temps = published(t, f.root)
			assert.Empty(t, temps)
			assert.Len(t, files, 18)
			after = fileIDs(t, files)
			for p, ino := range before {
				assert.Equal(t, ino, after[p], "%s was not replaced", p)
			}
			assert.Empty(t, f.unfinished(t))
		})
	}
}

// freePort finds a free loopback port.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// zouServer is a Zou of scripts/kitsu-dev serve: the dev server's
// database on a port of its own, to be stopped and started again.
type zouServer struct {
	port int
	cmd  *exec.Cmd
	log  bytes.Buffer
}

func startZou(t *testing.T, port int) *zouServer {
	t.Helper()
	script, err := filepath.Abs("../../scripts/kitsu-dev")
	require.NoError(t, err)
	z := &zouServer{port: port}
	z.cmd = exec.Command(script, "serve", "--port", strconv.Itoa(port), "--workers", "1")
	z.cmd.Stdout, z.cmd.Stderr = &z.log, &z.log
	// The shared server's run folder is named after its port: the one of
	// KITSU_HOST.
	host, _, _ := kitsutest.Env(t)
	if u, err := url.Parse(host); err == nil && u.Port() != "" {
		z.cmd.Env = append(os.Environ(), "KITSU_PORT="+u.Port())
	}
	z.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, z.cmd.Start())
	t.Cleanup(z.stop)
	api := fmt.Sprintf("http://127.0.0.1:%d/api/", port)
	for deadline := time.Now().Add(180 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if z.cmd.ProcessState != nil {
			break
		}
		c, err := kitsu.NewClient(api)
		require.NoError(t, err)
		if _, err := c.GetAPIVersion(kitsutest.Context(t)); err == nil {
			return z
		}
	}
	t.Fatalf("kitsu-dev serve --port %d did not answer: %s", port, z.log.String())
	return nil
}

// stop sends SIGTERM to the server's process group and waits for it.
func (z *zouServer) stop() {
	if z.cmd.Process == nil || z.cmd.ProcessState != nil {
		return
	}
	_ = syscall.Kill(-z.cmd.Process.Pid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = z.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-z.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// TestPublishOutputKitsuDown publishes through a Zou of its own (scripts/
// kitsu-dev serve) that is stopped for 20 s between the copy and the
// registration (KPUBLISH_TEST_HOLD holds the publisher there): the
// publish exits 6 and prints the --resume command, which finishes it
// once Zou is back, with one record per representation.
func TestPublishOutputKitsuDown(t *testing.T) {
	t.Parallel()
	start := time.Now()
	f := newOutFix(t)
	port := freePort(t)
	z := startZou(t, port)
	t.Logf("Zou up at %s", time.Since(start).Round(time.Millisecond))
	_, user, password := kitsutest.Env(t)
	env := []string{"KITSU_HOST=" + fmt.Sprintf("http://127.0.0.1:%d/api", port), "KITSU_USER=" + user, "KITSU_PASSWORD=" + password}
	pattern := f.frames(t, "beauty", "beauty", 1001, 1040, 256<<10)
	hold := filepath.Join(t.TempDir(), "hold")

	cmd := exec.Command(binary, "publish", "output", pattern, "--task", f.at.Task.ID, "--output-type", f.ot.Name)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KPUBLISH_TEST_HOLD=" + hold}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for {
		if _, err := os.Stat(hold); err == nil {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the publish ended before its copy was done: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	list := f.unfinished(t)
	require.Len(t, list, 1)
	assert.Contains(t, []string{publish.StateClaimed, publish.StateCopied}, list[0].State, "copied, not registered")
	assert.True(t, list[0].Running)

	stopped := time.Now()
	t.Logf("copied at %s", time.Since(start).Round(time.Millisecond))
	z.stop()
	t.Logf("Zou stopped in %s", time.Since(stopped).Round(time.Millisecond))
	require.NoError(t, os.Remove(hold))
	var err error
	select {
	case err = <-exited:
	case <-time.After(5 * time.Minute):
		t.Fatal("the publish did not end with Kitsu down")
	}
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, stderr.String())
	assert.Equal(t, 6, ee.ExitCode(), stderr.String())
	t.Logf("exit 6 %s after Zou stopped", time.Since(stopped).Round(time.Millisecond))
	manifest := list[0].Path
	assert.Contains(t, stderr.String(), "finish it with: kpublish publish --resume "+manifest)
	assert.Empty(t, f.records(t), "nothing registered")
	// Kitsu stays down 20 s in all.
	time.Sleep(time.Until(stopped.Add(20 * time.Second)))

	// Resuming with Kitsu still down fails the same way, and changes
	// nothing.
	_, errOut, code := kp(t, env, "publish", "--resume", manifest)
	assert.Contains(t, []int{4, 6}, code, errOut)
	assert.Empty(t, f.records(t))
	t.Logf("resume with Zou down: exit %d at %s", code, time.Since(stopped).Round(time.Millisecond))

	startZou(t, port)
	t.Logf("Zou back at %s", time.Since(stopped).Round(time.Millisecond))
	out, errOut, code := kp(t, env, "publish", "--resume", manifest)
	require.Equal(t, 0, code, errOut)
	t.Logf("resumed at %s", time.Since(stopped).Round(time.Millisecond))
	assert.Contains(t, out, "published revision 1:")
	assert.Contains(t, out, "frames 1001-1040 (40 files)")
	assert.Equal(t, map[string]int{"exr": 1}, byRevision(f.records(t), 1))
	assert.Len(t, f.records(t), 1)
	files, temps := published(t, f.root)
	assert.Len(t, files, 40)
	assert.Empty(t, temps)
	assert.Empty(t, f.unfinished(t))
}

// TestPublishOutputMoved: a file already at revision 1's path (written by
// a gazu script, say) is left alone; the publish moves to revision 2 and
// says so.
func TestPublishOutputMoved(t *testing.T) {
	t.Parallel()
	f := newOutFix(t)
	src := f.write(t, "cache.abc", 700)
	dry, _ := f.publishJSON(t, src, "--dry-run")
	assert.Equal(t, true, dry["dry_run"])
	dest := strs(jsonFiles(t, dry)[0]["paths"])[0]
	require.NoError(t, os.MkdirAll(filepath.Dir(dest), 0o755))
	require.NoError(t, os.WriteFile(dest, []byte("written by someone else"), 0o644))

	out, errOut, code := f.publish(t, nil, src, "--task", f.at.Task.ID, "--output-type", f.ot.Name)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "published revision 2:\n")
	assert.Contains(t, out, "\nmoved from revision 1 (taken by another publisher)\n")
	assert.Contains(t, errOut, "revision 1")
	b, err := os.ReadFile(dest)
	require.NoError(t, err)
	assert.Equal(t, "written by someone else", string(b), "never replaced")
	assert.Equal(t, map[string]int{"abc": 1}, byRevision(f.records(t), 2))
	assert.Len(t, f.records(t), 1)
}

// TestPublishOutputInterrupted: a SIGTERM (a farm manager cancelling the
// job) after the copy stops the publish before it registers: exit 6, the
// --resume command printed, and --resume finishes it.
func TestPublishOutputInterrupted(t *testing.T) {
	t.Parallel()
	f := newOutFix(t)
	pattern := f.frames(t, "beauty", "beauty", 1, 12, 10<<10)
	hold := filepath.Join(t.TempDir(), "hold")
	cmd := exec.Command(binary, "publish", "output", pattern, "--task", f.at.Task.ID, "--output-type", f.ot.Name)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KPUBLISH_TEST_HOLD=" + hold}, f.env...)
	var stdout, stderr lockedBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for {
		if _, err := os.Stat(hold); err == nil {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the publish ended before its copy was done: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	// A publish still running is not resumed: it is skipped.
	out, errOut, code := kp(t, f.env, "publish", "--resume", "--root", f.root, "--json")
	require.Equal(t, 0, code, errOut)
	var all struct{ Resumed, Skipped, Failed []map[string]any }
	require.NoError(t, json.Unmarshal([]byte(out), &all), out)
	assert.Empty(t, all.Resumed)
	assert.Empty(t, all.Failed)
	require.Len(t, all.Skipped, 1, out)
	assert.Contains(t, all.Skipped[0]["reason"], "still running")

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	// The signal is seen before the hold is let go.
	for !strings.Contains(stderr.String(), "interrupted") {
		select {
		case err := <-exited:
			t.Fatalf("the publish ended at the signal: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	require.NoError(t, os.Remove(hold))
	err := <-exited
	var ee *exec.ExitError
	require.ErrorAs(t, err, &ee, stderr.String())
	assert.Equal(t, 6, ee.ExitCode(), stderr.String())
	list := f.unfinished(t)
	require.Len(t, list, 1)
	assert.Contains(t, stderr.String(), "finish it with: kpublish publish --resume "+list[0].Path)
	assert.Empty(t, f.records(t))

	out, errOut, code = kp(t, f.env, "publish", "--resume", list[0].Path)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "frames 1-12 (12 files)")
	assert.Equal(t, map[string]int{"exr": 1}, byRevision(f.records(t), 1))
	files, temps := published(t, f.root)
	assert.Len(t, files, 12)
	assert.Empty(t, temps)
}

// TestPublishOutputTargetFromPath: with no target flag, a cache exported
// beside the task's working file names the task.
func TestPublishOutputTargetFromPath(t *testing.T) {
	t.Parallel()
	f := newOutFix(t)
	sw := kitsutest.NewSoftware(t, f.c)
	out, errOut, code := kp(t, f.env, "publish", "working", "--task", f.at.Task.ID, "--software", sw.Name, "--print-path", "--dry-run", "--json")
	require.Equal(t, 0, code, errOut)
	var claim map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &claim), out)
	scene := claim["path"].(string)
	src := strings.TrimSuffix(scene, filepath.Ext(scene)) + ".abc"
	require.NoError(t, os.MkdirAll(filepath.Dir(src), 0o755))
	require.NoError(t, os.WriteFile(src, []byte("exported beside the scene"), 0o644))
	out, errOut, code = f.publish(t, nil, src, "--output-type", f.ot.Name)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "published revision 1:")
	recs := f.records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, f.at.Task.TaskTypeID, recs[0].TaskTypeID)

	_, errOut, code = f.publish(t, nil, f.write(t, "elsewhere.abc", 10), "--output-type", f.ot.Name)
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, "no file of a task's working tree")
}
