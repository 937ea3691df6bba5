package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
	"github.com/kpublish/kpublish/watch"
)

// watchFix is a project whose working and output mountpoint is a
// folder of the test (the watched root), with an asset task, a software
// and an output type, and a journal of its own.
type watchFix struct {
	c       *kitsu.Client
	env     []string
	at      *kitsutest.AssetTask
	sw      *kitsu.Software
	ot      *kitsu.OutputType
	root    string
	journal string
	// workDir renders a working file's folder and name for a name and
	// revision; outFile an output file's for a representation, revision
	// and extension.
	workBase, outBase string // with NAME, REV, REP as placeholders
}

func newWatchFix(t *testing.T) *watchFix {
	t.Helper()
	c := kitsutest.Client(t)
	host, user, password := kitsutest.Env(t)
	f := &watchFix{c: c, env: []string{"KITSU_HOST=" + host, "KITSU_USER=" + user, "KITSU_PASSWORD=" + password}}
	f.sw = kitsutest.NewSoftware(t, c)
	f.ot = kitsutest.NewOutputType(t, c)
	f.at = kitsutest.NewAssetTask(t, c)
	f.root = t.TempDir()
	f.journal = filepath.Join(t.TempDir(), "watch.db")
	ctx := kitsutest.Context(t)
	require.NoError(t, c.Update(ctx, "projects", f.at.Project.ID, map[string]any{"file_tree": kitsutest.WatchTree(f.root)}, nil))
	var at kitsu.AssetType
	require.NoError(t, c.FetchOne(ctx, "entity-types", f.at.Asset.EntityTypeID, &at, nil))
	slug := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "_")) }
	proj, typ, asset := slug(f.at.Project.Name), slug(at.Name), slug(f.at.Asset.Name)
	f.workBase = filepath.Join(f.root, "work", proj, "assets", typ, asset, "modeling", slug(f.sw.Name), "NAME", asset+"_modeling_NAME_vREV"+f.sw.FileExtension)
	f.outBase = filepath.Join(f.root, "out", proj, "assets", typ, asset, "modeling", slug(f.ot.Name), "REP", asset+"_"+slug(f.ot.Name)+"_NAME_vREV")
	t.Cleanup(func() {
		_ = filepath.Walk(f.root, func(p string, fi os.FileInfo, err error) error {
			if err == nil {
				_ = os.Chmod(p, fi.Mode().Perm()|0o200)
			}
			return nil
		})
	})
	return f
}

// workPath is the path of revision rev of the working file name.
func (f *watchFix) workPath(name string, rev int) string {
	return strings.NewReplacer("NAME", name, "REV", fmt.Sprintf("%03d", rev)).Replace(f.workBase)
}

// outPath is the path of revision rev of output name in representation
// rep, with ext (".abc", or ".1001.exr" for a frame).
func (f *watchFix) outPath(name, rep string, rev int, ext string) string {
	return strings.NewReplacer("NAME", name, "REV", fmt.Sprintf("%03d", rev), "REP", rep).Replace(f.outBase) + ext
}

// writeFile writes content to path, making its folders.
func writeFile(t testing.TB, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

// watcher is a running kpublish watch.
type watcher struct {
	cmd *exec.Cmd
	log *lockedBuffer
}

// startWatch starts kpublish watch on the fixture's root with its
// journal, for its project only, and the arguments given.
func (f *watchFix) startWatch(t *testing.T, env []string, args ...string) *watcher {
	t.Helper()
	all := append([]string{"watch", f.root, "--journal", f.journal, "--project", f.at.Project.ID}, args...)
	cmd := exec.Command(binary, all...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, append(slices.Clone(f.env), env...)...)
	w := &watcher{cmd: cmd, log: &lockedBuffer{}}
	cmd.Stdout, cmd.Stderr = w.log, w.log
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { w.kill() })
	return w
}

// stop sends SIGTERM and waits for a clean exit.
func (w *watcher) stop(t *testing.T) {
	t.Helper()
	if w.cmd.ProcessState != nil {
		return
	}
	require.NoError(t, w.cmd.Process.Signal(syscall.SIGTERM))
	done := make(chan error, 1)
	go func() { done <- w.cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "kpublish watch did not stop cleanly:\n%s", w.log.String())
	case <-time.After(60 * time.Second):
		w.kill()
		t.Fatalf("kpublish watch did not stop within 60s of SIGTERM:\n%s", w.log.String())
	}
}

// kill kills the watcher at once (SIGKILL) and reaps it.
func (w *watcher) kill() {
	if w.cmd.Process == nil || w.cmd.ProcessState != nil {
		return
	}
	_ = w.cmd.Process.Kill()
	_ = w.cmd.Wait()
}

// workingRecords are the task's working-file records.
func (f *watchFix) workingRecords(t testing.TB) []kitsu.WorkingFile {
	t.Helper()
	wfs, err := f.c.Files.GetWorkingFilesForTask(kitsutest.Context(t), f.at.Task.ID)
	require.NoError(t, err)
	return wfs
}

// outputRecords are the asset's output records.
func (f *watchFix) outputRecords(t testing.TB) []kitsu.OutputFile {
	t.Helper()
	recs, err := f.c.Files.AllOutputFilesForEntity(kitsutest.Context(t), f.at.Asset.ID, &kitsu.OutputFilesOptions{OutputTypeID: f.ot.ID})
	require.NoError(t, err)
	return recs
}

// waitRecords waits until the task has working working-file records and
// the asset outputs outputs, all complete (size and hash set), or the
// timeout passes, and returns them.
func (f *watchFix) waitRecords(t *testing.T, w *watcher, working, outputs int, timeout time.Duration) ([]kitsu.WorkingFile, []kitsu.OutputFile) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		wfs, ofs := f.workingRecords(t), f.outputRecords(t)
		done := len(wfs) >= working && len(ofs) >= outputs
		for _, r := range wfs {
			done = done && r.Data["sha"] != nil // its size and hash set
		}
		for _, r := range ofs {
			done = done && r.Data["sha"] != nil
		}
		if done || time.Now().After(deadline) {
			if len(wfs) < working || len(ofs) < outputs {
				t.Fatalf("after %s: %d working records (want %d), %d outputs (want %d); watcher log:\n%s", timeout, len(wfs), working, len(ofs), outputs, tail(w.log.String(), 60))
			}
			return wfs, ofs
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// status runs kpublish watch status --json on the fixture's journal.
func (f *watchFix) status(t *testing.T) watchReport {
	t.Helper()
	out, errOut, code := kp(t, nil, "watch", "status", "--journal", f.journal, "--json")
	require.Equal(t, 0, code, errOut)
	var r watchReport
	require.NoError(t, json.Unmarshal([]byte(out), &r), out)
	return r
}

// uniqueWorking checks that the working records are exactly one per
// path in want.
func uniqueWorking(t *testing.T, f *watchFix, wfs []kitsu.WorkingFile, want []string) {
	t.Helper()
	seen := map[string]int{}
	for _, wf := range wfs {
		seen[wf.Path]++
	}
	for _, p := range want {
		tp := strings.TrimSuffix(p, f.sw.FileExtension)
		assert.Equal(t, 1, seen[tp], "records of %s", tp)
		delete(seen, tp)
	}
	assert.Empty(t, seen, "records of no file written")
}

// TestWatch runs the real binary on a folder of a fresh project: a
// working file, an output file and a three-frame sequence written in
// place are each registered once, with their revisions and sizes; a
// file no tree describes and the DCC temporaries are not; status shows
// it all, and SIGTERM stops the watcher cleanly. A restart registers
// nothing twice; a revision saved again updates its record.
func TestWatch(t *testing.T) {
	t.Parallel()
	f := newWatchFix(t)
	w := f.startWatch(t, nil, "--settle", "300ms")

	wf := f.workPath("main", 3)
	writeFile(t, wf, "blend data")
	abc := f.outPath("main", "abc", 2, ".abc")
	writeFile(t, abc, "alembic cache")
	for _, fr := range []int{1001, 1002, 1003} {
		writeFile(t, f.outPath("main", "exr", 1, fmt.Sprintf(".%d.exr", fr)), fmt.Sprintf("frame %d", fr))
	}
	writeFile(t, filepath.Join(f.root, "out", "notes.txt"), "not for Kitsu")
	writeFile(t, wf+"1", "a backup of another software: no tree describes it")
	writeFile(t, filepath.Join(filepath.Dir(wf), "x.blend@"), "blender temporary")
	writeFile(t, filepath.Join(filepath.Dir(wf), "x.blend1"), "blender backup")
	writeFile(t, filepath.Join(filepath.Dir(wf), "autosave", "x.blend"), "autosave")

	wfs, ofs := f.waitRecords(t, w, 1, 2, 60*time.Second)
	require.Len(t, wfs, 1)
	assert.Equal(t, 3, wfs[0].Revision)
	assert.Equal(t, strings.TrimSuffix(wf, f.sw.FileExtension), wfs[0].Path)
	assert.Equal(t, int64(len("blend data")), wfs[0].Size)
	assert.Equal(t, "main", wfs[0].Name)
	assert.Equal(t, f.sw.ID, wfs[0].SoftwareID)
	require.Len(t, ofs, 2)
	byRep := map[string]kitsu.OutputFile{}
	for _, o := range ofs {
		byRep[o.Representation] = o
	}
	assert.Equal(t, 2, byRep["abc"].Revision)
	assert.Equal(t, abc, byRep["abc"].Path)
	assert.Equal(t, 1, byRep["exr"].Revision)
	assert.Equal(t, 3, byRep["exr"].NbElements)
	exr, err := f.c.Files.GetOutputFile(kitsutest.Context(t), byRep["exr"].ID)
	require.NoError(t, err)
	assert.Equal(t, "1001-1003", exr.Data["frames"])

	// Settled and journaled: the text file and the other backup ignored,
	// the temporaries, backups and autosaves not even journaled.
	deadline := time.Now().Add(30 * time.Second)
	var st watchReport
	for {
		st = f.status(t)
		if st.Totals.Registered == 3 && st.Totals.Ignored == 2 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	assert.True(t, st.Running)
	assert.Equal(t, watch.Counts{Registered: 3, Ignored: 2}, st.Totals, "%+v\n%s", st, tail(w.log.String(), 40))
	w.stop(t)
	assert.Contains(t, w.log.String(), "stopped")

	st = f.status(t)
	assert.False(t, st.Running)
	assert.Equal(t, 3, st.Totals.Registered)
	out, errOut, code := kp(t, nil, "watch", "status", "--journal", f.journal)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "registered 3")
	assert.Contains(t, out, "no watcher running")

	// A restart rescans: nothing new, nothing twice.
	w2 := f.startWatch(t, nil, "--settle", "300ms")
	writeFile(t, f.workPath("main", 4), "blend data, saved again")
	wfs, _ = f.waitRecords(t, w2, 2, 2, 60*time.Second)

	// Saved again at the same revision once registered (an artist's
	// second Ctrl+S): the same record follows the file.
	again := "blend data, saved a third time, at the same revision"
	writeFile(t, f.workPath("main", 4), again)
	deadline = time.Now().Add(60 * time.Second)
	for {
		var size int64
		for _, r := range f.workingRecords(t) {
			if r.Revision == 4 {
				size = r.Size
			}
		}
		if size == int64(len(again)) {
			break
		}
		require.True(t, time.Now().Before(deadline), "the record of revision 4 has %d bytes, want %d:\n%s", size, len(again), tail(w2.log.String(), 30))
		time.Sleep(250 * time.Millisecond)
	}
	w2.stop(t)
	wfs = f.workingRecords(t)
	assert.Len(t, wfs, 2)
	assert.Len(t, f.outputRecords(t), 2)
	assert.NotContains(t, w.log.String()+w2.log.String(), f.env[2][len("KITSU_PASSWORD="):], "no password in the log")
}

// Bad values given to kpublish watch stop it before it watches or logs
// in, with exit 3 and a message naming the value; a file given as the
// journal is left as it was.
func TestWatchBadInput(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	require.NoError(t, os.MkdirAll(root, 0o755))
	notes := filepath.Join(dir, "notes.txt")
	require.NoError(t, os.WriteFile(notes, []byte("not a journal\n"), 0o644))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(root, link))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--settle", "0s"}, "--settle 0s: want above 0"},
		{[]string{"--sequence-settle", "11m"}, "--sequence-settle 11m0s: want 0 to 10m"},
		{[]string{"--workers", "0"}, "--workers 0: want 1 to 64"},
		{[]string{"--max-attempts", "-1"}, "--max-attempts -1: want 0 or more"},
		{[]string{"--project", "../x"}, `--project "../x": want a project id`},
		{[]string{"--journal", dir}, "is a folder: want the path of a journal file"},
		{[]string{"--journal", notes}, "bad journal: " + notes},
		{[]string{"--journal", filepath.Join(notes, "x.db")}, "not a directory"},
		{[]string{"--journal", filepath.Join(root, "watch.db")}, "is inside the watched folder " + strconv.Quote(root)},
		{[]string{"--journal", filepath.Join(root, "sub", "..", "w.db")}, "is inside the watched folder"},
		{[]string{"--journal", filepath.Join(link, "w.db")}, "is inside the watched folder"},
	} {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			args := append([]string{"watch", root}, c.args...)
			if !slices.Contains(c.args, "--journal") {
				args = append(args, "--journal", filepath.Join(dir, "j", "watch.db"))
			}
			_, stderr, code := kp(t, nil, args...)
			assert.Equal(t, 3, code, stderr)
			assert.Contains(t, stderr, c.want)
			assert.NotContains(t, stderr, "panic")
		})
	}
	b, err := os.ReadFile(notes)
	require.NoError(t, err)
	assert.Equal(t, "not a journal\n", string(b))
	_, err = os.Stat(filepath.Join(root, "watch.db"))
	assert.ErrorIs(t, err, os.ErrNotExist, "a refused journal is not made")
	_, err = os.Stat(filepath.Join(dir, "w.db"))
	assert.ErrorIs(t, err, os.ErrNotExist)
}
