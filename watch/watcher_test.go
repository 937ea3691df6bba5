package watch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/stretchr/testify/require"
)

// TestBurst creates files in many folders as fast as possible while the
// watcher runs: every file is handed over exactly once.
func TestBurst(t *testing.T) {
	t.Parallel()
	dirs, per := 100, 10
	if slowTests() {
		dirs = 1000
	}
	root := t.TempDir()
	rec := newRecorder()
	opts := fastOptions(t)
	r := start(t, []string{root}, rec, opts)

	var want []string
	wrote := map[string]time.Time{}
	begin := time.Now()
	for d := range dirs {
		dir := filepath.Join(root, fmt.Sprintf("shot%04d", d), "anim")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for f := range per {
			p := filepath.Join(dir, fmt.Sprintf("take_v%03d.ma", f))
			if err := os.WriteFile(p, []byte(p), 0o644); err != nil {
				t.Fatal(err)
			}
			wrote[p] = time.Now()
			want = append(want, p)
		}
	}
	written := time.Since(begin)
	waitFor(t, 5*time.Minute, "every file registered", func() bool { return rec.count() >= len(want) })
	last := time.Since(begin)
	quiet(opts)
	requireExactlyOnce(t, rec, want)
	st, err := r.w.Status()
	require.NoError(t, err)
	require.Equal(t, len(want), st.Roots[0].Registered)
	require.Zero(t, st.Roots[0].Pending)
	var lat []time.Duration
	rec.mu.Lock()
	for p, w := range wrote {
		lat = append(lat, rec.at[p].Sub(w))
	}
	rec.mu.Unlock()
	slices.Sort(lat)
	t.Logf("%d files in %d folders: written in %v, last registered %v after the first write (%.0f files/s); "+
		"from a file's write to its registration p50 %v, p95 %v, max %v (settle %v); %d journal commits; %d overflows; peak RSS of the test process %.0f MB; race detector %v",
		len(want), dirs, written.Round(time.Millisecond), last.Round(time.Millisecond), float64(len(want))/last.Seconds(),
		lat[len(lat)/2].Round(time.Millisecond), lat[len(lat)*95/100].Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond),
		opts.Settle, r.j.commits.Load(), st.Overflows, float64(peakRSSKB())/1e3, raceEnabled)
}

// TestFilesBeforeWatch: files land in folders made a moment earlier, or
// in a folder tree moved in whole (its files older than any watch).
func TestFilesBeforeWatch(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	outside := t.TempDir()
	rec := newRecorder()
	opts := fastOptions(t)
	start(t, []string{root}, rec, opts)

	var want []string
	for i := range 20 {
		deep := filepath.Join(root, fmt.Sprintf("new%02d", i), "a", "b", "c")
		require.NoError(t, os.MkdirAll(deep, 0o755))
		p := filepath.Join(deep, "file.abc")
		writeFile(t, p, "x")
		want = append(want, p)
	}
	tree := filepath.Join(outside, "moved")
	for i := range 5 {
		writeFile(t, filepath.Join(tree, fmt.Sprintf("d%d", i), "e", "f.ma"), "y")
	}
	require.NoError(t, os.Rename(tree, filepath.Join(root, "moved")))
	for i := range 5 {
		want = append(want, filepath.Join(root, "moved", fmt.Sprintf("d%d", i), "e", "f.ma"))
	}
	waitFor(t, time.Minute, "files registered", func() bool { return rec.count() >= len(want) })
	quiet(opts)
	requireExactlyOnce(t, rec, want)
}

// TestAtomicSaves: Blender's "name@" then rename, and Qt's
// "name.XXXXXX" then rename, fold into one registration of the final
// name per save.
func TestAtomicSaves(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	opts := fastOptions(t)
	start(t, []string{root}, rec, opts)

	blend := filepath.Join(root, "sh010", "anim_v001.blend")
	qt := filepath.Join(root, "sh010", "notes.txt")
	maya := filepath.Join(root, "sh010", "layout_v001.ma")
	elsewhere := t.TempDir() // Maya writes its temporaries in TMPDIR, then moves them in
	require.NoError(t, os.MkdirAll(filepath.Dir(blend), 0o755))
	for save := range 3 {
		writeFile(t, blend+"@", strings.Repeat("b", 1000*(save+1)))
		require.NoError(t, os.Rename(blend+"@", blend))
		tmp := qt + ".Ab12Cd"
		writeFile(t, tmp, strings.Repeat("q", 100*(save+1)))
		require.NoError(t, os.Rename(tmp, qt))
		mtmp := filepath.Join(elsewhere, "layout_v001.ma")
		writeFile(t, mtmp, strings.Repeat("m", 10*(save+1)))
		require.NoError(t, os.Rename(mtmp, maya))
		waitFor(t, time.Minute, "save registered", func() bool {
			return rec.file(blend).Size == int64(1000*(save+1)) && rec.file(qt).Size == int64(100*(save+1)) &&
				rec.file(maya).Size == int64(10*(save+1))
		})
	}
	quiet(opts)
	got := rec.snapshot()
	require.Equal(t, map[string]int{blend: 3, qt: 3, maya: 3}, got, "one registration per save, none of a temporary")
}

// TestChunkedWrite: a file written in chunks over more than the settle
// window is handed over once, after the last chunk, whole.
func TestChunkedWrite(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	opts := fastOptions(t)
	opts.Settle = 500 * time.Millisecond // well above the gaps, even on a loaded machine
	start(t, []string{root}, rec, opts)

	p := filepath.Join(root, "render", "cache.abc")
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
	f, err := os.Create(p)
	require.NoError(t, err)
	chunk := strings.Repeat("c", 4096)
	for range 20 { // over 2 s, four times the window
		_, err := f.WriteString(chunk)
		require.NoError(t, err)
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(t, f.Close())
	waitFor(t, time.Minute, "file registered", func() bool { return rec.count() == 1 })
	quiet(opts)
	requireExactlyOnce(t, rec, []string{p})
	require.Equal(t, int64(20*4096), rec.file(p).Size)
}

// TestEmptyFileWaits: an empty file is not handed over until it has
// content.
func TestEmptyFileWaits(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	opts := fastOptions(t)
	start(t, []string{root}, rec, opts)

	p := filepath.Join(root, "empty.ma")
	writeFile(t, p, "")
	marker := filepath.Join(root, "marker.ma")
	time.Sleep(opts.Settle)
	writeFile(t, marker, "m")
	waitFor(t, time.Minute, "marker registered", func() bool { return rec.count() == 1 })
	require.Zero(t, rec.snapshot()[p], "an empty file was handed over")
	writeFile(t, p, "now full")
	waitFor(t, time.Minute, "file registered", func() bool { return rec.count() == 2 })
	quiet(opts)
	requireExactlyOnce(t, rec, []string{p, marker})
}

// TestSequence: frames written over time become one item once no frame
// changed for the window.
func TestSequence(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	opts := fastOptions(t)
	opts.Settle = 500 * time.Millisecond // well above the gaps, even on a loaded machine
	start(t, []string{root}, rec, opts)

	dir := filepath.Join(root, "sh010", "render")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	frames := 40
	for f := 1001; f < 1001+frames; f++ { // over 2 s, four times the window
		writeFile(t, filepath.Join(dir, fmt.Sprintf("beauty.%04d.exr", f)), strings.Repeat("e", 100))
		time.Sleep(50 * time.Millisecond)
	}
	key := filepath.Join(dir, "beauty.#.exr") // publish.PadHash: "#" is 4 digits
	waitFor(t, time.Minute, "sequence registered", func() bool { return rec.count() == 1 })
	quiet(opts)
	requireExactlyOnce(t, rec, []string{key})
	got := rec.file(key)
	require.NotNil(t, got.Sequence)
	require.Equal(t, frames, got.Sequence.Len())
	require.Equal(t, "1001-1040", got.Sequence.FrameRange())
	require.Equal(t, filepath.Join(dir, "beauty.1001-1040#.exr"), got.Path)
	require.Equal(t, int64(frames*100), got.Size)
}

// TestIgnore: the default excludes, user excludes and includes.
func TestIgnore(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	opts := fastOptions(t)
	opts.Exclude = []string{"*.log", "scratch/"}
	opts.Include = []string{"*.blend", "*.ma", "sh*/keep/**"}
	start(t, []string{root}, rec, opts)

	ignored := []string{
		"sh010/anim.blend@", "sh010/anim.blend1", "sh010/anim.blend32", "sh010/anim.ma~",
		"sh010/anim.ma.autosave", "sh010/anim.autosave.ma", "sh010/anim.bak", "sh010/anim.tmp", "sh010/anim.part",
		"sh010/.hidden.ma", "sh010/.anim.ma.kpublish-claim", "sh010/.anim.ma.kpublish-tmp-0123456789abcdef",
		".kpublish/outputs/x.ma", "sh010/backup/anim.ma", "sh010/autosave/anim.ma", "sh010/incrementalSave/anim.ma/anim.0001.ma",
		"sh010/scratch/anim.ma", "sh010/anim.log", "sh010/anim.txt",
	}
	wanted := []string{"sh010/anim.blend", "sh010/anim.ma", "sh010/anim.blend33", "sh020/keep/notes.txt"}
	for _, p := range append(append([]string{}, ignored...), wanted...) {
		writeFile(t, filepath.Join(root, p), "x")
	}
	var want []string
	for _, p := range wanted {
		if strings.HasSuffix(p, ".blend33") {
			continue // not a backup, but not included either
		}
		want = append(want, filepath.Join(root, p))
	}
	waitFor(t, time.Minute, "files registered", func() bool { return rec.count() >= len(want) })
	quiet(opts)
	requireExactlyOnce(t, rec, want)
}

func TestMalformedGlob(t *testing.T) {
	t.Parallel()
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.db"), nil)
	require.NoError(t, err)
	defer j.Close()
	_, err = New([]string{t.TempDir()}, j, newRecorder(), &Options{Exclude: []string{"*.ma", "shots/[a-"}})
	require.ErrorIs(t, err, ErrGlob)
	require.ErrorContains(t, err, `exclude glob "shots/[a-"`)
	_, err = New([]string{t.TempDir()}, j, newRecorder(), &Options{Include: []string{"{a,b"}})
	require.ErrorIs(t, err, ErrGlob)
	require.ErrorContains(t, err, `include glob "{a,b"`)
}

func TestBadRoots(t *testing.T) {
	t.Parallel()
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.db"), nil)
	require.NoError(t, err)
	defer j.Close()
	root := t.TempDir()
	_, err = New(nil, j, newRecorder(), nil)
	require.ErrorIs(t, err, ErrRoot)
	_, err = New([]string{filepath.Join(root, "missing")}, j, newRecorder(), nil)
	require.ErrorIs(t, err, ErrRoot)
	require.ErrorContains(t, err, "missing")
	writeFile(t, filepath.Join(root, "f"), "x")
	_, err = New([]string{filepath.Join(root, "f")}, j, newRecorder(), nil)
	require.ErrorContains(t, err, "is not a folder")
	require.NoError(t, os.Mkdir(filepath.Join(root, "sub"), 0o755))
	_, err = New([]string{root, filepath.Join(root, "sub")}, j, newRecorder(), nil)
	require.ErrorContains(t, err, "do not overlap")
}

// A journal or status file inside a root is refused, by New and, before
// the journal is made, by CheckJournalPath; symbolic links are followed.
func TestJournalInsideRoot(t *testing.T) {
	t.Parallel()
	root, other := t.TempDir(), t.TempDir()
	link := filepath.Join(other, "link")
	require.NoError(t, os.Symlink(root, link))

	inside, err := OpenJournal(filepath.Join(root, "j.db"), nil)
	require.NoError(t, err)
	defer inside.Close()
	_, err = New([]string{root}, inside, newRecorder(), nil)
	require.ErrorIs(t, err, ErrJournal)
	require.ErrorContains(t, err, "is inside the watched folder")

	j, err := OpenJournal(filepath.Join(other, "j.db"), nil)
	require.NoError(t, err)
	defer j.Close()
	_, err = New([]string{root}, j, newRecorder(), &Options{StatusFile: filepath.Join(link, "status.json")})
	require.ErrorIs(t, err, ErrJournal)
	w, err := New([]string{root}, j, newRecorder(), &Options{StatusFile: filepath.Join(other, "status.json")})
	require.NoError(t, err)
	require.NotNil(t, w)

	for _, bad := range []string{filepath.Join(root, "w.db"), filepath.Join(root, "sub", "..", "w.db"), filepath.Join(link, "w.db"), root} {
		err := CheckJournalPath(bad, []string{other + "/../" + filepath.Base(other), root})
		require.ErrorIs(t, err, ErrJournal, bad)
	}
	require.NoError(t, CheckJournalPath(filepath.Join(other, "w.db"), []string{root}))
	require.NoError(t, CheckJournalPath(root+"-not-inside.db", []string{root}))
	require.ErrorIs(t, CheckJournalPath(filepath.Join(other, "w.db"), []string{filepath.Join(root, "missing")}), ErrRoot)
}

// TestPoll: polling mode has no inotify at all and still sees new,
// chunked and renamed files.
func TestPoll(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	opts := fastOptions(t)
	opts.Poll = 100 * time.Millisecond
	opts.Settle = 500 * time.Millisecond // well above the chunks' gaps
	r := start(t, []string{root}, rec, opts)
	require.Nil(t, r.w.t.fsw, "polling mode opened an inotify watcher")

	var want []string
	for i := range 50 {
		p := filepath.Join(root, fmt.Sprintf("d%d", i%5), fmt.Sprintf("f%02d.ma", i))
		writeFile(t, p, "x")
		want = append(want, p)
	}
	chunked := filepath.Join(root, "chunked.abc")
	f, err := os.Create(chunked)
	require.NoError(t, err)
	for range 8 {
		_, err := f.WriteString(strings.Repeat("c", 1000))
		require.NoError(t, err)
		time.Sleep(100 * time.Millisecond)
	}
	require.NoError(t, f.Close())
	want = append(want, chunked)
	blend := filepath.Join(root, "scene.blend")
	writeFile(t, blend+"@", "blend")
	require.NoError(t, os.Rename(blend+"@", blend))
	want = append(want, blend)

	waitFor(t, time.Minute, "files registered", func() bool { return rec.count() >= len(want) })
	quiet(opts)
	requireExactlyOnce(t, rec, want)
	require.Equal(t, int64(8000), rec.file(chunked).Size)
}

// TestRegistrarRecovers: the registrar fails for a while (Kitsu down),
// then recovers: nothing lost, nothing twice.
func TestRegistrarRecovers(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	var down atomic.Bool
	down.Store(true)
	rec.fail = func(File) error {
		if down.Load() {
			return errors.New("kitsu: 502 Bad Gateway")
		}
		return nil
	}
	opts := fastOptions(t)
	r := start(t, []string{root}, rec, opts)

	var want []string
	for i := range 200 {
		p := filepath.Join(root, fmt.Sprintf("d%d", i%10), fmt.Sprintf("f%03d.ma", i))
		writeFile(t, p, "x")
		want = append(want, p)
	}
	waitFor(t, time.Minute, "retries", func() bool {
		ps, err := r.j.Problems(1000)
		return err == nil && len(ps) == len(want) && ps[0].Attempts >= 2
	})
	st, err := r.w.Status()
	require.NoError(t, err)
	require.Equal(t, len(want), st.Roots[0].Pending)
	require.Zero(t, rec.count())
	down.Store(false)
	waitFor(t, time.Minute, "files registered", func() bool { return rec.count() >= len(want) })
	quiet(opts)
	requireExactlyOnce(t, rec, want)
	st, err = r.w.Status()
	require.NoError(t, err)
	require.Equal(t, Counts{Registered: len(want)}, st.Roots[0].Counts)
	ps, err := r.j.Problems(10)
	require.NoError(t, err)
	require.Empty(t, ps, "registered entries keep no error")
}

// TestPermanentAndRetry: a refusal for good is failed at once; Retry
// with Failed puts it back.
func TestPermanentAndRetry(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	var refuse atomic.Bool
	refuse.Store(true)
	bad := filepath.Join(root, "ambiguous.ma")
	rec.fail = func(f File) error {
		if f.Path == bad && refuse.Load() {
			return Permanent(errors.New("path has two readings"))
		}
		return nil
	}
	opts := fastOptions(t)
	r := start(t, []string{root}, rec, opts)
	good := filepath.Join(root, "fine.ma")
	writeFile(t, bad, "x")
	writeFile(t, good, "y")
	waitFor(t, time.Minute, "failed", func() bool {
		e, ok, err := r.j.Get(bad)
		return err == nil && ok && e.State == StateFailed
	})
	e, _, _ := r.j.Get(bad)
	require.Equal(t, 1, e.Attempts)
	require.Contains(t, e.LastError, "two readings")
	waitFor(t, time.Minute, "good registered", func() bool { return rec.count() == 1 })

	refuse.Store(false)
	n, err := r.w.Retry(&RetryOptions{Failed: true})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	waitFor(t, time.Minute, "retried", func() bool { return rec.count() == 2 })
	quiet(opts)
	requireExactlyOnce(t, rec, []string{bad, good})
}

// TestRestartResumes: files journaled while the registrar fails are
// registered by the next run from the journal.
func TestRestartResumes(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	jpath := filepath.Join(t.TempDir(), "journal.db")
	rec := newRecorder()
	rec.fail = func(File) error { return errors.New("kitsu unreachable") }
	opts := fastOptions(t)
	r := startWith(t, jpath, []string{root}, rec, opts)
	var want []string
	for i := range 100 {
		p := filepath.Join(root, fmt.Sprintf("f%03d.ma", i))
		writeFile(t, p, "x")
		want = append(want, p)
	}
	waitFor(t, time.Minute, "journaled", func() bool {
		st, err := r.w.Status()
		return err == nil && st.Roots[0].Pending == len(want)
	})
	r.stop(t)

	j, err := OpenJournal(jpath, nil)
	require.NoError(t, err)
	counts, err := j.Status()
	require.NoError(t, err)
	require.Equal(t, len(want), counts[r.w.roots[0].path].Pending)
	require.NoError(t, j.Close())

	rec2 := newRecorder()
	startWith(t, jpath, []string{root}, rec2, opts)
	waitFor(t, time.Minute, "resumed", func() bool { return rec2.count() >= len(want) })
	quiet(opts)
	requireExactlyOnce(t, rec2, want)
}

// TestOverflowRescans: events lost (the kernel's queue overflowed) are
// made up by the rescan that follows.
func TestOverflowRescans(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	opts := fastOptions(t)
	opts.Rescan = -1
	sub := filepath.Join(root, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	r := start(t, []string{root}, rec, opts)
	// Lose the events of sub: its watch goes, the watcher still thinks
	// it is watched.
	require.NoError(t, r.w.t.fsw.Remove(sub))
	p := filepath.Join(sub, "lost.ma")
	writeFile(t, p, "x")
	time.Sleep(2 * opts.Settle)
	require.Zero(t, rec.count())
	r.w.t.fsw.Errors <- fsnotify.ErrEventOverflow
	waitFor(t, time.Minute, "found by the rescan", func() bool { return rec.count() == 1 })
	quiet(opts)
	requireExactlyOnce(t, rec, []string{p})
	st, err := r.w.Status()
	require.NoError(t, err)
	require.Equal(t, 1, st.Overflows)
}

// TestMovedFolder: a folder moved within the root keeps being watched
// under its new name.
func TestMovedFolder(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	opts := fastOptions(t)
	require.NoError(t, os.MkdirAll(filepath.Join(root, "a", "b"), 0o755))
	start(t, []string{root}, rec, opts)
	require.NoError(t, os.Rename(filepath.Join(root, "a"), filepath.Join(root, "c")))
	time.Sleep(opts.Settle)
	p := filepath.Join(root, "c", "b", "later.ma")
	writeFile(t, p, "x")
	waitFor(t, time.Minute, "registered", func() bool { return rec.count() == 1 })
	quiet(opts)
	requireExactlyOnce(t, rec, []string{p})
}

// TestExistingFiles: files already on disk at start are handed over once,
// and not again at the next start.
func TestExistingFiles(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	jpath := filepath.Join(t.TempDir(), "journal.db")
	var want []string
	for i := range 30 {
		p := filepath.Join(root, fmt.Sprintf("d%d", i%3), fmt.Sprintf("f%02d.ma", i))
		writeFile(t, p, "x")
		want = append(want, p)
	}
	seq := filepath.Join(root, "seq")
	for f := 1; f <= 10; f++ {
		writeFile(t, filepath.Join(seq, fmt.Sprintf("img.%04d.exr", f)), "e")
	}
	want = append(want, filepath.Join(seq, "img.#.exr"))
	old := time.Now().Add(-time.Hour)
	require.NoError(t, filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			return os.Chtimes(p, old, old)
		}
		return err
	}))
	rec := newRecorder()
	opts := fastOptions(t)
	r := startWith(t, jpath, []string{root}, rec, opts)
	waitFor(t, time.Minute, "registered", func() bool { return rec.count() >= len(want) })
	quiet(opts)
	requireExactlyOnce(t, rec, want)
	r.stop(t)

	rec2 := newRecorder()
	startWith(t, jpath, []string{root}, rec2, opts)
	quiet(opts)
	require.Zero(t, rec2.count(), "registered again at restart")
}

// TestWatchLimit: too many folders for the inotify limit is a clear
// error at start, saying how to raise it.
func TestWatchLimit(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	for i := range 20 {
		require.NoError(t, os.MkdirAll(filepath.Join(root, fmt.Sprintf("d%02d", i)), 0o755))
	}
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.db"), nil)
	require.NoError(t, err)
	defer j.Close()
	opts := fastOptions(t)
	opts.watchLimit = 10
	w, err := New([]string{root}, j, newRecorder(), opts)
	require.NoError(t, err)
	err = w.Run(t.Context())
	require.ErrorIs(t, err, ErrWatchLimit)
	require.ErrorContains(t, err, "fs.inotify.max_user_watches is 10")
	require.ErrorContains(t, err, "sudo sysctl fs.inotify.max_user_watches=")

	opts.watchLimit = 100
	w, err = New([]string{root}, j, newRecorder(), opts)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
	defer cancel()
	require.NoError(t, w.Run(ctx))
}

// TestRefusedSequenceAndIgnored: frames publish would refuse are
// journaled as failed with the reason; a file the Registrar ignores is
// journaled as ignored; MaxAttempts fails a file that keeps failing.
func TestRefusedSequenceAndIgnored(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	skip := filepath.Join(root, "notes.txt")
	flaky := filepath.Join(root, "flaky.ma")
	rec.fail = func(f File) error {
		if f.Path == flaky {
			return errors.New("timeout")
		}
		return nil
	}
	reg := RegistrarFunc(func(ctx context.Context, f File) (Outcome, error) {
		if f.Path == skip {
			return Outcome{Ignored: true, Detail: "not in the tree"}, nil
		}
		return rec.Register(ctx, f)
	})
	opts := fastOptions(t)
	opts.MaxAttempts = 3
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.db"), nil)
	require.NoError(t, err)
	defer j.Close()
	w, err := New([]string{root}, j, reg, opts)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error)
	go func() { done <- w.Run(ctx) }()

	dir := filepath.Join(root, "render")
	writeFile(t, filepath.Join(dir, "bad.0001.exr"), "a")
	writeFile(t, filepath.Join(dir, "bad.001.exr"), "b")
	writeFile(t, skip, "n")
	writeFile(t, flaky, "f")
	waitFor(t, time.Minute, "journaled", func() bool {
		st, err := w.Status()
		return err == nil && st.Roots[0].Failed == 2 && st.Roots[0].Ignored == 1
	})
	cancel()
	require.NoError(t, <-done)
	bad, ok, err := j.Get(filepath.Join(dir, "bad.*.exr"))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, StateFailed, bad.State)
	require.Contains(t, bad.LastError, "both frame 1")
	e, _, _ := j.Get(flaky)
	require.Equal(t, StateFailed, e.State)
	require.Equal(t, 3, e.Attempts)
	require.Contains(t, e.LastError, "after 3 attempts")
	e, _, _ = j.Get(skip)
	require.Equal(t, StateIgnored, e.State)
	require.Equal(t, "not in the tree", e.Detail)
	require.Zero(t, rec.count())
}

// TestChangedAfterJournal: a file written again after it was journaled,
// with its events lost, is not handed over as it was journaled: it
// settles again and its new version is registered, once.
func TestChangedAfterJournal(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	sub := filepath.Join(root, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	p := filepath.Join(sub, "scene.ma")
	rec := newRecorder()
	var tries atomic.Int32
	rec.fail = func(f File) error {
		if tries.Add(1) == 1 {
			return errors.New("kitsu: 503")
		}
		return nil
	}
	opts := fastOptions(t)
	opts.Rescan = -1
	opts.MinBackoff, opts.MaxBackoff = time.Second, time.Second
	r := start(t, []string{root}, rec, opts)
	writeFile(t, p, "first")
	waitFor(t, time.Minute, "first try failed", func() bool { return tries.Load() >= 1 })
	require.NoError(t, r.w.t.fsw.Remove(sub)) // its events are lost from now on
	require.NoError(t, os.WriteFile(p, []byte("second, longer"), 0o644))
	waitFor(t, time.Minute, "registered", func() bool { return rec.count() == 1 })
	quiet(opts)
	requireExactlyOnce(t, rec, []string{p})
	require.Equal(t, int64(len("second, longer")), rec.file(p).Size)
}

// TestStatusFile: a running watcher keeps a status file that another
// process can read while the journal is locked.
func TestStatusFile(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	sf := filepath.Join(t.TempDir(), "status.json")
	rec := newRecorder()
	opts := fastOptions(t)
	opts.StatusFile, opts.StatusEvery = sf, 50*time.Millisecond
	r := start(t, []string{root}, rec, opts)
	writeFile(t, filepath.Join(root, "a.ma"), "x")
	waitFor(t, time.Minute, "status written", func() bool {
		s, err := ReadStatusFile(sf)
		return err == nil && len(s.Roots) == 1 && s.Roots[0].Registered == 1
	})
	_, err := OpenJournal(r.j.Path(), &JournalOptions{Timeout: 50 * time.Millisecond, ReadOnly: true})
	require.ErrorIs(t, err, ErrJournalLocked, "the journal is held while the watcher runs")
	r.stop(t)
	s, err := ReadStatusFile(sf)
	require.NoError(t, err)
	require.True(t, s.Stopped)
	require.Equal(t, os.Getpid(), s.PID)
	require.Equal(t, r.j.Path(), s.Journal)
	fi, err := os.Stat(sf)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

// TestRegistrarPanics: a registrar that panics fails that file for good;
// the watcher goes on.
func TestRegistrarPanics(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	boom := filepath.Join(root, "boom.ma")
	rec.fail = func(f File) error {
		if f.Path == boom {
			panic("nil map")
		}
		return nil
	}
	opts := fastOptions(t)
	r := start(t, []string{root}, rec, opts)
	writeFile(t, boom, "x")
	fine := filepath.Join(root, "fine.ma")
	writeFile(t, fine, "y")
	waitFor(t, time.Minute, "failed", func() bool {
		e, ok, err := r.j.Get(boom)
		return err == nil && ok && e.State == StateFailed
	})
	e, _, _ := r.j.Get(boom)
	require.Contains(t, e.LastError, "panicked")
	waitFor(t, time.Minute, "fine registered", func() bool { return rec.count() == 1 })
	requireExactlyOnce(t, rec, []string{fine})
}

// TestJournalLost: when the journal can no longer be read, Run stops
// with the error instead of watching on without a queue.
func TestJournalLost(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.db"), nil)
	require.NoError(t, err)
	opts := fastOptions(t)
	w, err := New([]string{root}, j, newRecorder(), opts)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- w.Run(t.Context()) }()
	waitFor(t, time.Minute, "first scan", func() bool { st, err := w.Status(); return err == nil && st.Scans >= 1 })
	require.NoError(t, j.Close())
	writeFile(t, filepath.Join(root, "a.ma"), "x")
	select {
	case err := <-done:
		require.Error(t, err)
	case <-time.After(time.Minute):
		t.Fatal("Run went on without its journal")
	}
}

// TestPeriodicRescan: the periodic rescan finds what events missed.
func TestPeriodicRescan(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	sub := filepath.Join(root, "sub")
	require.NoError(t, os.Mkdir(sub, 0o755))
	rec := newRecorder()
	opts := fastOptions(t)
	opts.Rescan = 500 * time.Millisecond
	r := start(t, []string{root}, rec, opts)
	require.NoError(t, r.w.t.fsw.Remove(sub)) // events of sub lost
	p := filepath.Join(sub, "missed.ma")
	writeFile(t, p, "x")
	waitFor(t, time.Minute, "found by a periodic rescan", func() bool { return rec.count() == 1 })
	// And the rescan watches sub again: a later file comes by its events.
	waitFor(t, time.Minute, "sub watched again", func() bool { return slices.Contains(r.w.t.fsw.WatchList(), sub) })
	later := filepath.Join(sub, "later.ma")
	writeFile(t, later, "y")
	waitFor(t, time.Minute, "later registered", func() bool { return rec.count() == 2 })
	quiet(opts)
	requireExactlyOnce(t, rec, []string{p, later})
	st, err := r.w.Status()
	require.NoError(t, err)
	require.GreaterOrEqual(t, st.Scans, 2)
	require.Zero(t, st.Overflows)
}
