//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
	"github.com/kpublish/kpublish/publish"
	"github.com/kpublish/kpublish/watch"
)

// The tests of this file are the saves of real programs as kpublish watch
// sees them: temporaries renamed over the final name, files written for
// seconds, sequences rendered frame by frame, folders made and filled at
// once, ignore globs, polling, and a real Blender. Each ends with every
// file expected registered exactly once in Kitsu, and nothing else.

// wsQuiet waits until a status file written after since shows nothing
// settling or in flight and the totals want, and returns that status.
// It fails at once when a final count (registered, failed, ignored) is
// above want: those never go down.
func wsQuiet(t *testing.T, f *watchFix, w *watcher, want watch.Counts, since time.Time, timeout time.Duration) watchReport {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if _, err := os.Stat(statusPath(f.journal)); errors.Is(err, os.ErrNotExist) && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond) // the watcher is starting
			continue
		}
		st := f.status(t)
		got := st.Totals
		if got.Registered > want.Registered || got.Failed > want.Failed || got.Ignored > want.Ignored {
			t.Fatalf("status totals %+v, want %+v; problems %+v; watcher log:\n%s", got, want, st.Problems, tail(w.log.String(), 60))
		}
		quiet := st.Running && st.Watcher != nil && st.Watcher.Settling == 0 && st.Watcher.InFlight == 0 && st.Written.After(since)
		if quiet && got == want {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: status totals %+v (want %+v), watcher %+v; problems %+v; watcher log:\n%s", timeout, got, want, st.Watcher, st.Problems, tail(w.log.String(), 60))
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// wsStopped stops the watcher and checks that the journal, read without
// it, holds the counts want.
func wsStopped(t *testing.T, f *watchFix, w *watcher, want watch.Counts) {
	t.Helper()
	w.stop(t)
	st := f.status(t)
	assert.False(t, st.Running)
	assert.Equal(t, want, st.Totals, "journal after stop")
}

// wsWaitLog waits until the watcher's log holds s.
func wsWaitLog(t *testing.T, w *watcher, s string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(w.log.String(), s) {
		if time.Now().After(deadline) {
			t.Fatalf("after %s the watcher log has no %q:\n%s", timeout, s, tail(w.log.String(), 40))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wsContent is n bytes that tell saves apart.
func wsContent(tag string, n int) []byte {
	line := []byte(tag + "\n")
	return bytes.Repeat(line, n/len(line)+1)[:n]
}

// wsHash is the hash publish stores for the file at path.
func wsHash(t *testing.T, path string) publish.Sum {
	t.Helper()
	sum, err := publish.HashFile(afero.NewOsFs(), path)
	require.NoError(t, err)
	return sum
}

// wsWriteChunks writes data to path in chunks of size bytes, one every
// gap, from a file kept open (a program exporting for seconds).
func wsWriteChunks(path string, data []byte, size int, gap time.Duration) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	for off := 0; off < len(data); off += size {
		if off > 0 {
			time.Sleep(gap)
		}
		if _, err := fh.Write(data[off:min(off+size, len(data))]); err != nil {
			fh.Close()
			return err
		}
	}
	return fh.Close()
}

// wsBlenderSave saves data to path as Blender does (strace of Blender
// 3.4: open "path@" O_CREAT|O_TRUNC, write, rename "path@" over path):
// the whole file written to the temporary, in chunks, then renamed.
func wsBlenderSave(t *testing.T, path string, data []byte) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	tmp := path + "@"
	fh, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
	require.NoError(t, err)
	for off := 0; off < len(data); off += 16 << 10 {
		_, err := fh.Write(data[off:min(off+16<<10, len(data))])
		require.NoError(t, err)
	}
	require.NoError(t, fh.Close())
	require.NoError(t, os.Rename(tmp, path))
}

// wsQtTemp is a name Qt's QTemporaryFileName makes of path: path plus
// ".XXXXXX", the six X replaced by random letters (A-Z, a-z).
func wsQtTemp(path string) string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 6)
	for i := range b {
		b[i] = letters[rand.N(len(letters))]
	}
	return path + "." + string(b)
}

// wsQtSave saves data to path as Qt's QSaveFile does on Linux (Qt 5.10
// and later, qtemporaryfile.cpp; seen with strace of Qt 5.15): open()
// makes an unnamed file in path's folder (O_TMPFILE), commit() links it
// as path (linkat of /proc/self/fd/N); when path exists the link fails
// with EEXIST and the file is linked as "path.XXXXXX" then renamed over
// path. Without O_TMPFILE (named, or a file system without it) open()
// makes "path.XXXXXX" (O_CREAT|O_EXCL) and commit() renames it over
// path. The data is written in two halves, a moment apart, so that the
// watcher sees a named temporary while it is written.
func wsQtSave(t *testing.T, path string, data []byte, named bool) {
	t.Helper()
	dir := filepath.Dir(path)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	var fh *os.File
	var err error
	if !named {
		fh, err = os.OpenFile(dir, unix.O_TMPFILE|os.O_RDWR, 0o666)
		if errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.EISDIR) {
			named, err = true, nil // as Qt does: a named temporary instead
		}
		require.NoError(t, err)
	}
	tmp := ""
	if named {
		for range 16 {
			tmp = wsQtTemp(path)
			if fh, err = os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666); !errors.Is(err, os.ErrExist) {
				break
			}
		}
		require.NoError(t, err)
	}
	half := len(data) / 2
	_, err = fh.Write(data[:half])
	require.NoError(t, err)
	time.Sleep(100 * time.Millisecond)
	_, err = fh.Write(data[half:])
	require.NoError(t, err)
	require.NoError(t, fh.Sync())
	if !named {
		link := func(dst string) error {
			return unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(int(fh.Fd())), unix.AT_FDCWD, dst, unix.AT_SYMLINK_FOLLOW)
		}
		err = link(path)
		if errors.Is(err, unix.EEXIST) {
			for range 16 {
				tmp = wsQtTemp(path)
				if err = link(tmp); !errors.Is(err, unix.EEXIST) {
					break
				}
			}
		}
		require.NoError(t, err)
	}
	require.NoError(t, fh.Close())
	if tmp != "" {
		require.NoError(t, os.Rename(tmp, path))
	}
}

// wsOnlyFinal checks that the folder of path holds no file whose name
// starts with path's but the final one and those listed in also.
func wsOnlyFinal(t *testing.T, path string, also ...string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	for _, e := range entries {
		p := filepath.Join(filepath.Dir(path), e.Name())
		if strings.HasPrefix(p, path) && p != path {
			assert.Contains(t, also, p, "a temporary left on disk")
		}
	}
}

// TestWatchBlenderStyleSave saves revisions 1 to 3 of a working file as
// Blender does (the whole file written to "name@", renamed over the
// final name), and revision 3 a second time before it settled: each
// revision is registered once, revision 3 with the second save's size
// and hash, and the temporary is neither registered nor journaled.
func TestWatchBlenderStyleSave(t *testing.T) {
	t.Parallel()
	f := newWatchFix(t)
	w := f.startWatch(t, nil, "--settle", "1s")

	paths := []string{f.workPath("main", 1), f.workPath("main", 2), f.workPath("main", 3)}
	for i, p := range paths {
		wsBlenderSave(t, p, wsContent(fmt.Sprintf("revision %d", i+1), 100<<10+i))
	}
	resaved := wsContent("revision 3, saved again", 120<<10)
	wsBlenderSave(t, paths[2], resaved)
	since := time.Now().Add(time.Second)

	wsThreeSaves(t, f, w, paths, resaved, since)
}

// TestWatchQtStyleSave saves working files as Qt's QSaveFile does on
// Linux: revision 1 through an unnamed file linked as the final name,
// revision 2 through a named temporary "name.XXXXXX" renamed over it,
// and revision 3 twice before it settled, the second time over the file
// of the first (an unnamed file linked as "name.XXXXXX", renamed over
// the final name). Each final name is registered once, with its last
// content; no temporary is registered or journaled.
func TestWatchQtStyleSave(t *testing.T) {
	t.Parallel()
	f := newWatchFix(t)
	w := f.startWatch(t, nil, "--settle", "1s")

	paths := []string{f.workPath("main", 1), f.workPath("main", 2), f.workPath("main", 3)}
	wsQtSave(t, paths[0], wsContent("revision 1", 64<<10), false)
	wsQtSave(t, paths[1], wsContent("revision 2", 64<<10+1), true)
	wsQtSave(t, paths[2], wsContent("revision 3", 64<<10+2), true)
	resaved := wsContent("revision 3, saved again", 80<<10)
	wsQtSave(t, paths[2], resaved, false)
	since := time.Now().Add(time.Second)

	wsThreeSaves(t, f, w, paths, resaved, since)
}

// wsThreeSaves checks the end of an atomic-save test: revisions 1 to 3
// of paths registered once each, revision 3 with its second save
// (resaved), no temporary name in Kitsu or left on disk, no output, and
// the watcher quiet since since and stopped cleanly.
func wsThreeSaves(t *testing.T, f *watchFix, w *watcher, paths []string, resaved []byte, since time.Time) {
	t.Helper()
	f.waitRecords(t, w, 3, 0, 60*time.Second)
	want := watch.Counts{Registered: 3}
	wsQuiet(t, f, w, want, since, 60*time.Second)
	wfs := f.workingRecords(t)
	uniqueWorking(t, f, wfs, paths)
	for _, wf := range wfs {
		assert.NotContains(t, wf.Path, "@")
		if wf.Revision == 3 {
			assert.Equal(t, int64(len(resaved)), wf.Size)
			assert.Equal(t, wsHash(t, paths[2]).Hex, wf.Data["sha"], "revision 3 is the second save")
		}
	}
	assert.Empty(t, f.outputRecords(t))
	for _, p := range paths {
		wsOnlyFinal(t, p)
	}
	wsStopped(t, f, w, want)
}

// TestWatchChunkedWrite writes a working file and an output file in
// chunks, one every 500ms for 10s (a slow export), with a settle window
// of 2s: each is registered once, when complete, with its final size and
// hash.
func TestWatchChunkedWrite(t *testing.T) {
	t.Parallel()
	f := newWatchFix(t)
	w := f.startWatch(t, nil, "--settle", "2s")

	const chunks, size = 21, 32 << 10 // 20 gaps of 500ms
	files := map[string][]byte{
		f.workPath("main", 1):               wsContent("working file", chunks*size),
		f.outPath("main", "abc", 1, ".abc"): wsContent("alembic cache", chunks*size-7),
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(files))
	for p, data := range files {
		wg.Go(func() { errs <- wsWriteChunks(p, data, size, 500*time.Millisecond) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	since := time.Now().Add(time.Second)

	f.waitRecords(t, w, 1, 1, 60*time.Second)
	want := watch.Counts{Registered: 2}
	wsQuiet(t, f, w, want, since, 60*time.Second)
	wfs, ofs := f.workingRecords(t), f.outputRecords(t)
	require.Len(t, wfs, 1)
	require.Len(t, ofs, 1)
	wp, op := f.workPath("main", 1), f.outPath("main", "abc", 1, ".abc")
	assert.Equal(t, strings.TrimSuffix(wp, f.sw.FileExtension), wfs[0].Path)
	assert.Equal(t, int64(len(files[wp])), wfs[0].Size)
	assert.Equal(t, wsHash(t, wp).Hex, wfs[0].Data["sha"])
	assert.Equal(t, op, ofs[0].Path)
	assert.Equal(t, int64(len(files[op])), ofs[0].Size)
	assert.Equal(t, wsHash(t, op).Hex, ofs[0].Data["sha"])
	wsStopped(t, f, w, want)
}

// TestWatchSlowSequence renders a 100-frame image sequence one frame
// every 200ms (20s): with --settle 1s and --sequence-settle 3s the gaps
// between frames never split it, and it is registered as one output
// record of 100 elements, frames 1001-1100, of the frames' total size.
func TestWatchSlowSequence(t *testing.T) {
	t.Parallel()
	f := newWatchFix(t)
	w := f.startWatch(t, nil, "--settle", "1s", "--sequence-settle", "3s")

	var total int64
	for i := 1; i <= 100; i++ {
		if i > 1 {
			time.Sleep(200 * time.Millisecond)
		}
		data := wsContent(fmt.Sprintf("frame %d", 1000+i), 4<<10+i)
		total += int64(len(data))
		writeFile(t, f.outPath("main", "exr", 1, fmt.Sprintf(".%d.exr", 1000+i)), string(data))
	}
	since := time.Now().Add(time.Second)

	f.waitRecords(t, w, 0, 1, 60*time.Second)
	want := watch.Counts{Registered: 1}
	wsQuiet(t, f, w, want, since, 60*time.Second)
	ofs := f.outputRecords(t)
	require.Len(t, ofs, 1, "one record for the whole sequence")
	assert.Equal(t, "exr", ofs[0].Representation)
	assert.Equal(t, 1, ofs[0].Revision)
	assert.Equal(t, 100, ofs[0].NbElements)
	assert.Equal(t, total, ofs[0].Size)
	rec, err := f.c.Files.GetOutputFile(kitsutest.Context(t), ofs[0].ID)
	require.NoError(t, err)
	assert.Equal(t, "1001-1100", rec.Data["frames"])
	assert.Empty(t, f.workingRecords(t))
	wsStopped(t, f, w, want)
}

// TestWatchNewDirectory makes, once the watcher runs, whole folder
// chains at once (mkdir -p of the deepest, then files written at once
// in it: four working-file names, three output representations and an
// image sequence) and moves in a folder filled elsewhere: every file is
// registered, once.
func TestWatchNewDirectory(t *testing.T) {
	t.Parallel()
	f := newWatchFix(t)
	w := f.startWatch(t, nil, "--settle", "500ms")

	// The watcher runs and watches the root: the probe, which no tree
	// describes, is journaled as ignored.
	writeFile(t, filepath.Join(f.root, "probe.txt"), "the watcher is up")
	wsQuiet(t, f, w, watch.Counts{Ignored: 1}, time.Now(), 60*time.Second)
	_, err := os.Stat(filepath.Join(f.root, "work"))
	require.ErrorIs(t, err, os.ErrNotExist, "no folder of the tree exists yet")

	var working []string
	var outputs []string
	var jobs [][]string // the files of one folder, written at once
	for i := range 4 {
		job := []string{f.workPath(fmt.Sprintf("part%d", i), 1), f.workPath(fmt.Sprintf("part%d", i), 2)}
		working = append(working, job...)
		jobs = append(jobs, job)
	}
	for i := range 3 {
		p := f.outPath("main", fmt.Sprintf("rep%d", i), 1, ".abc")
		outputs = append(outputs, p)
		jobs = append(jobs, []string{p})
	}
	var frames []string
	for fr := 1001; fr <= 1005; fr++ {
		frames = append(frames, f.outPath("main", "exr", 1, fmt.Sprintf(".%d.exr", fr)))
	}
	jobs = append(jobs, frames)

	var wg sync.WaitGroup
	errs := make(chan error, len(jobs))
	for _, job := range jobs {
		wg.Go(func() {
			if err := os.MkdirAll(filepath.Dir(job[0]), 0o755); err != nil {
				errs <- err
				return
			}
			for _, p := range job {
				if err := os.WriteFile(p, []byte("content of "+filepath.Base(p)), 0o644); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	// A folder filled outside the root, then moved in.
	moved := []string{f.workPath("moved", 1), f.workPath("moved", 2)}
	outside := filepath.Join(t.TempDir(), "moved")
	for _, p := range moved {
		writeFile(t, filepath.Join(outside, filepath.Base(p)), "moved in: "+filepath.Base(p))
	}
	require.NoError(t, os.Rename(outside, filepath.Dir(moved[0])))
	working = append(working, moved...)
	since := time.Now().Add(time.Second)

	f.waitRecords(t, w, len(working), len(outputs)+1, 60*time.Second)
	want := watch.Counts{Registered: len(working) + len(outputs) + 1, Ignored: 1}
	wsQuiet(t, f, w, want, since, 60*time.Second)
	uniqueWorking(t, f, f.workingRecords(t), working)
	ofs := f.outputRecords(t)
	require.Len(t, ofs, len(outputs)+1)
	byPath := map[string]kitsu.OutputFile{}
	for _, o := range ofs {
		byPath[o.Path] = o
	}
	for _, p := range outputs {
		assert.Contains(t, byPath, p)
	}
	for _, o := range ofs {
		if o.Representation == "exr" {
			assert.Equal(t, 5, o.NbElements)
		}
	}
	wsStopped(t, f, w, want)
}

// TestWatchIgnorePatterns writes, in the watched folders, files each
// glob leaves out: --exclude "wip/" (a working-file name folder),
// config.json's "watch" exclude "*_v009.sft", the includes "work/**"
// (command line) and "out/**/abc/**" (config.json) that leave out an
// image sequence and the files outside them, and the default excludes
// (Blender's "@" temporaries and backups, "~" backups, hidden files and
// folders, backup/, autosave/, incrementalSave/, *.tmp, *.part,
// *.autosave*, *.bak). Only the expected files are registered, and only
// the two files that pass every glob and that no tree describes are
// journaled as ignored: the files left out are not journaled at all.
func TestWatchIgnorePatterns(t *testing.T) {
	t.Parallel()
	f := newWatchFix(t)
	cfg := t.TempDir() // private: the token cache is kept there too
	require.NoError(t, os.Chmod(cfg, 0o700))
	writeFile(t, filepath.Join(cfg, "config.json"), `{"watch": {"include": ["out/**/abc/**"], "exclude": ["*_v009.sft"]}}`)
	w := f.startWatch(t, []string{"KPUBLISH_CONFIG_DIR=" + cfg}, "--settle", "500ms", "--include", "work/**", "--exclude", "wip/")

	work := []string{f.workPath("main", 1), f.workPath("main", 2)}
	abc := f.outPath("main", "abc", 1, ".abc")
	dir := filepath.Dir(work[0])
	ignored := []string{filepath.Join(f.root, "work", "notes.txt"), filepath.Join(dir, "readme.md")}
	left := []string{
		// --exclude wip/, and config.json's exclude.
		f.workPath("wip", 1), f.workPath("main", 9),
		// Matching no include.
		f.outPath("main", "exr", 1, ".1001.exr"), f.outPath("main", "exr", 1, ".1002.exr"),
		filepath.Join(f.root, "out", "notes.txt"), filepath.Join(f.root, "top.txt"),
		// The default excludes.
		f.workPath("main", 3) + "@",
		filepath.Join(dir, "x.blend1"), filepath.Join(dir, "x.blend12"),
		f.workPath("main", 4) + "~",
		filepath.Join(dir, ".hidden"), filepath.Join(dir, ".git", "HEAD"),
		filepath.Join(dir, "backup", filepath.Base(f.workPath("main", 5))),
		filepath.Join(dir, "autosave", filepath.Base(f.workPath("main", 6))),
		filepath.Join(dir, "incrementalSave", filepath.Base(f.workPath("main", 7)), "scene.0001.sft"),
		f.workPath("main", 8) + ".tmp", f.workPath("main", 8) + ".part",
		f.workPath("main", 8) + ".autosave", f.workPath("main", 8) + ".bak",
		f.outPath("main", "abc", 2, ".abc.tmp"), filepath.Join(filepath.Dir(abc), "autosave", filepath.Base(abc)),
	}
	for _, p := range slices.Concat(work, []string{abc}, ignored, left) {
		writeFile(t, p, "content of "+filepath.Base(p))
	}
	since := time.Now().Add(time.Second)

	f.waitRecords(t, w, 2, 1, 60*time.Second)
	want := watch.Counts{Registered: 3, Ignored: 2}
	st := wsQuiet(t, f, w, want, since, 60*time.Second)
	uniqueWorking(t, f, f.workingRecords(t), work)
	ofs := f.outputRecords(t)
	require.Len(t, ofs, 1)
	assert.Equal(t, abc, ofs[0].Path)
	assert.Empty(t, st.Problems)
	wsStopped(t, f, w, want)
}

// TestWatchPoll watches with --poll 1s, no inotify at all: a working
// file, an output file, an image sequence, a file in a folder made
// after the start and a file written in chunks across several polls are
// each registered once, the last with its final size; the log and the
// status say the root is polled every second and no folder has an
// inotify watch.
func TestWatchPoll(t *testing.T) {
	t.Parallel()
	f := newWatchFix(t)
	w := f.startWatch(t, nil, "--poll", "1s", "--settle", "1s")
	wsWaitLog(t, w, `mode="poll every 1s"`, 30*time.Second)

	work := []string{f.workPath("main", 1), f.workPath("other", 1)}
	writeFile(t, work[0], "polled working file")
	abc := f.outPath("main", "abc", 1, ".abc")
	writeFile(t, abc, "polled alembic")
	for fr := 1001; fr <= 1003; fr++ {
		writeFile(t, f.outPath("main", "exr", 1, fmt.Sprintf(".%d.exr", fr)), fmt.Sprintf("frame %d", fr))
	}
	time.Sleep(1500 * time.Millisecond) // at least one poll in between
	writeFile(t, work[1], "in a folder made after the first polls")
	slow := f.workPath("main", 2)
	data := wsContent("written across polls", 6*(8<<10))
	require.NoError(t, wsWriteChunks(slow, data, 8<<10, 300*time.Millisecond))
	work = append(work, slow)
	since := time.Now().Add(2 * time.Second)

	f.waitRecords(t, w, 3, 2, 60*time.Second)
	want := watch.Counts{Registered: 5}
	st := wsQuiet(t, f, w, want, since, 60*time.Second)
	require.Len(t, st.Roots, 1)
	assert.Equal(t, time.Second, st.Roots[0].Poll)
	assert.Zero(t, st.Watcher.WatchedDirs, "no inotify watch")
	wfs := f.workingRecords(t)
	uniqueWorking(t, f, wfs, work)
	for _, wf := range wfs {
		if wf.Path == strings.TrimSuffix(slow, f.sw.FileExtension) {
			assert.Equal(t, int64(len(data)), wf.Size)
			assert.Equal(t, wsHash(t, slow).Hex, wf.Data["sha"])
		}
	}
	ofs := f.outputRecords(t)
	require.Len(t, ofs, 2)
	for _, o := range ofs {
		if o.Representation == "exr" {
			assert.Equal(t, 3, o.NbElements)
		} else {
			assert.Equal(t, abc, o.Path)
		}
	}
	wsStopped(t, f, w, want)
}

// wsBlenderScript adds a cube to the scene and saves it, for each path
// given after "--", with bpy.ops.wm.save_as_mainfile.
const wsBlenderScript = `import sys, bpy
paths = sys.argv[sys.argv.index("--") + 1:]
for i, p in enumerate(paths):
    bpy.ops.mesh.primitive_cube_add(location=(2 * i, 0, 0))
    bpy.ops.wm.save_as_mainfile(filepath=p)
print("kpublish watch test: saved", len(paths))
`

// wsBlenderFix is the watch fixture with a software of its own whose
// extension is ".blend", so that Blender's files are working files.
func wsBlenderFix(t *testing.T) *watchFix {
	t.Helper()
	f := newWatchFix(t)
	var sw kitsu.Software
	require.NoError(t, f.c.Create(kitsutest.Context(t), "softwares", map[string]any{
		"name": kitsutest.Unique("Blender"), "short_name": "bl", "file_extension": ".blend"}, &sw))
	kitsutest.DeleteOnCleanup(t, f.c, "data/softwares/"+sw.ID, nil)
	// Cleanups run last first: the project and its records go before the
	// software.
	t.Cleanup(func() { kitsutest.RemoveProject(t, f.c, f.at.Project.ID) })
	slug := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "_")) }
	old := string(filepath.Separator) + slug(f.sw.Name) + string(filepath.Separator)
	require.Contains(t, f.workBase, old)
	f.workBase = strings.TrimSuffix(strings.Replace(f.workBase, old, string(filepath.Separator)+slug(sw.Name)+string(filepath.Separator), 1), f.sw.FileExtension) + sw.FileExtension
	f.sw = &sw
	return f
}

// TestWatchBlender runs a real headless Blender that saves the watched
// task's working file as revisions 1, 2 and 3, then revision 3 again
// (Blender writes "name.blend@" and renames it over the file, and on
// the second save of revision 3 first renames the file to the backup
// "name.blend1"): three working-file revisions are registered, revision
// 3 with the file's last content, and neither the temporaries nor the
// backup are registered or journaled.
func TestWatchBlender(t *testing.T) {
	t.Parallel()
	blender, err := exec.LookPath("blender")
	if err != nil {
		if kitsutest.Required() || os.Getenv("CI") != "" {
			t.Fatal("blender is not installed (the Debian package blender) and KITSU_REQUIRE_SERVER or CI is set: install it")
		}
		t.Skip("blender is not installed (the Debian package blender)")
	}
	f := wsBlenderFix(t)
	// Blender saves revision 3 twice within a few hundred milliseconds:
	// the window leaves room for a busy machine.
	w := f.startWatch(t, nil, "--settle", "2s")

	paths := []string{f.workPath("main", 1), f.workPath("main", 2), f.workPath("main", 3)}
	require.NoError(t, os.MkdirAll(filepath.Dir(paths[0]), 0o755))
	cmd := exec.Command(blender, append([]string{"-b", "--factory-startup", "--python-exit-code", "1", "--python-expr", wsBlenderScript, "--"}, append(paths, paths[2])...)...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	require.Contains(t, string(out), "kpublish watch test: saved 4", "%s", out)
	backup := paths[2] + "1"
	require.FileExists(t, backup, "Blender keeps the file it saved over as name.blend1")
	since := time.Now().Add(time.Second)

	f.waitRecords(t, w, 3, 0, 60*time.Second)
	want := watch.Counts{Registered: 3}
	wsQuiet(t, f, w, want, since, 60*time.Second)
	wfs := f.workingRecords(t)
	uniqueWorking(t, f, wfs, paths)
	for _, wf := range wfs {
		assert.Equal(t, f.sw.ID, wf.SoftwareID)
		if wf.Revision == 3 {
			fi, err := os.Stat(paths[2])
			require.NoError(t, err)
			assert.Equal(t, fi.Size(), wf.Size)
			assert.Equal(t, wsHash(t, paths[2]).Hex, wf.Data["sha"], "revision 3 is the last save")
		}
	}
	for _, p := range paths {
		wsOnlyFinal(t, p, backup)
	}
	wsStopped(t, f, w, want)
}
