package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// The burst tests of kpublish watch: thousands of working files written
// as fast as the test can, through a Kitsu that goes away, a watcher
// killed again and again, and two watchers of one folder, each ending
// with every file registered exactly once in Kitsu. Working files cost
// two Kitsu requests each (the record, then its size and hash), the
// cheapest registration.

// slowBurst reports whether the big sizes are asked (scripts/test sets
// KPUBLISH_SLOW=1).
func slowBurst() bool { return os.Getenv("KPUBLISH_SLOW") == "1" }

// burstPaths are the working files of a burst: revisions 1 to revs of
// dirs names, each name a folder of its own.
func burstPaths(f *watchFix, dirs, revs int) []string {
	paths := make([]string, 0, dirs*revs)
	for d := range dirs {
		for r := 1; r <= revs; r++ {
			paths = append(paths, f.workPath(fmt.Sprintf("n%04d", d), r))
		}
	}
	return paths
}

// writeBurst writes paths from eight goroutines as fast as they go,
// making the folders as it goes, each file with a content of its own.
func writeBurst(t *testing.T, paths []string) {
	t.Helper()
	const writers = 8
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(paths) {
					return
				}
				p := paths[i]
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					errs <- err
					return
				}
				if err := os.WriteFile(p, []byte("burst "+p+"\n"), 0o644); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

// startWatchJournal is f.startWatch with a journal of its own: kpublish
// watch on the fixture's root for its project, journaling in journal.
func startWatchJournal(t *testing.T, f *watchFix, journal string, env []string, args ...string) *watcher {
	t.Helper()
	all := append([]string{"watch", f.root, "--journal", journal, "--project", f.at.Project.ID}, args...)
	cmd := exec.Command(binary, all...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, append(slices.Clone(f.env), env...)...)
	w := &watcher{cmd: cmd, log: &lockedBuffer{}}
	cmd.Stdout, cmd.Stderr = w.log, w.log
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { w.kill() })
	return w
}

// journalStatus runs kpublish watch status --json on journal.
func journalStatus(t *testing.T, journal string) watchReport {
	t.Helper()
	f := &watchFix{journal: journal}
	return f.status(t)
}

// waitRunning waits until the watcher of journal has written its status
// file (it watches its roots).
func waitRunning(t *testing.T, journal string, w *watcher) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat(statusPath(journal)); err == nil && journalStatus(t, journal).Running {
			return
		}
		if w.cmd.ProcessState != nil {
			break
		}
	}
	t.Fatalf("kpublish watch did not start:\n%s", tail(w.log.String(), 40))
}

// waitJournal waits until journal holds n registered files and nothing
// pending (the status file of a running watcher lags up to 5s), failing
// at the first failed file or after timeout; logs gives the watchers'
// logs for the failure message.
func waitJournal(t *testing.T, journal string, n int, timeout time.Duration, logs func() string) watchReport {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st := journalStatus(t, journal)
		if st.Totals.Failed > 0 {
			t.Fatalf("%d files failed: %+v\nlog:\n%s", st.Totals.Failed, st.Problems, tail(logs(), 60))
		}
		if st.Totals.Registered >= n && st.Totals.Pending == 0 {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %+v (want %d registered)\nlog:\n%s", timeout, st.Totals, n, tail(logs(), 60))
		}
		time.Sleep(time.Second)
	}
}

// checkBurst checks that Kitsu holds one complete record (size and hash
// set) per path of the burst and nothing else.
func checkBurst(t *testing.T, f *watchFix, paths []string) {
	t.Helper()
	wfs := f.workingRecords(t)
	incomplete := 0
	for _, r := range wfs {
		if r.Data["sha"] == nil {
			incomplete++
		}
	}
	assert.Zero(t, incomplete, "records without size and hash")
	assert.Len(t, wfs, len(paths), "working records")
	uniqueWorking(t, f, wfs, paths)
}

// registrations returns the times of the first and last "registered"
// lines of a watcher's log (text lines), and how many there are.
func registrations(log string) (first, last time.Time, n int) {
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, " msg=registered ") || !strings.HasPrefix(line, "time=") {
			continue
		}
		ts, _, _ := strings.Cut(strings.TrimPrefix(line, "time="), " ")
		at, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			continue
		}
		if n == 0 || at.Before(first) {
			first = at
		}
		if at.After(last) {
			last = at
		}
		n++
	}
	return first, last, n
}

// deleteWorkingOnCleanup deletes the task's working-file records when
// the test ends, before its project goes, one request each (four at a
// time), when there are more than 1,000: Zou 1.0.97 deletes a project's
// working files in the one request that deletes the project, in a time
// that grows faster than their number (10,000 take more than the dev
// server's 120 s worker timeout, and the project stays), whereas one
// DELETE of a record takes some 25 ms.
func deleteWorkingOnCleanup(t *testing.T, f *watchFix) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
		defer cancel()
		wfs, err := f.c.Files.GetWorkingFilesForTask(ctx, f.at.Task.ID)
		if err != nil {
			t.Errorf("cleanup: listing the working files: %v", err)
			return
		}
		if len(wfs) <= 1000 {
			return
		}
		start := time.Now()
		ids := make(chan string)
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []error
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for id := range ids {
					if _, err := f.c.Delete(ctx, "data/working-files/"+id, nil); err != nil && !errors.Is(err, kitsu.ErrNotFound) {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
				}
			}()
		}
		for _, wf := range wfs {
			ids <- wf.ID
		}
		close(ids)
		wg.Wait()
		if len(errs) > 0 {
			t.Errorf("cleanup: %d working files not deleted, the first: %v", len(errs), errs[0])
		}
		t.Logf("cleanup: %d working-file records deleted in %s", len(wfs)-len(errs), time.Since(start).Round(time.Millisecond))
	})
}

// noPassword checks that no log holds the password.
func noPassword(t *testing.T, f *watchFix, logs ...string) {
	t.Helper()
	pw := strings.TrimPrefix(f.env[2], "KITSU_PASSWORD=")
	for _, l := range logs {
		if pw != "" && strings.Contains(l, pw) {
			t.Error("a watcher log holds the password")
		}
	}
}

// TestWatchBurst writes a burst of working files as fast as the test can
// (1,000 files in 100 folders; 10,000 in 1,000 folders with
// KPUBLISH_SLOW=1), each folder made as it is written, under a running
// watcher: every file is registered exactly once, none fails, and Kitsu
// holds nothing else. It logs the time to the last registration and the
// registrations per second (figures, not assertions; the timeouts only
// bound a hung run).
func TestWatchBurst(t *testing.T) {
	t.Parallel()
	dirs, timeout := 100, 5*time.Minute
	if slowBurst() {
		dirs, timeout = 1000, 40*time.Minute
	}
	f := newWatchFix(t)
	deleteWorkingOnCleanup(t, f)
	paths := burstPaths(f, dirs, 10)
	w := f.startWatch(t, nil, "--settle", "1s")
	waitRunning(t, f.journal, w)

	start := time.Now()
	writeBurst(t, paths)
	written := time.Since(start)
	st := waitJournal(t, f.journal, len(paths), timeout, w.log.String)
	w.stop(t)
	assert.Equal(t, len(paths), st.Totals.Registered)
	checkBurst(t, f, paths)

	first, last, n := registrations(w.log.String())
	assert.Equal(t, len(paths), n, "registrations logged")
	t.Logf("burst of %d files in %d folders: written in %s; first registration %s after the start, last %s; %.1f registrations/s from the first to the last, %.1f/s from the start",
		len(paths), dirs, written.Round(time.Millisecond), first.Sub(start).Round(time.Millisecond), last.Sub(start).Round(time.Millisecond),
		float64(n)/last.Sub(first).Seconds(), float64(n)/last.Sub(start).Seconds())
	noPassword(t, f, w.log.String())
}

// TestWatchKitsuDown runs a watcher against a Zou of its own, stopped
// for 60 s in the middle of a burst of 500 working files: the first 150
// are written, Zou is stopped once some are registered (others are in
// flight), the other 350 are written while it is down, and watch status
// shows files pending and none failed; a new Zou on the same port then
// gets every file registered exactly once, with nothing failed.
func TestWatchKitsuDown(t *testing.T) {
	t.Parallel()
	f := newWatchFix(t)
	port := freePort(t)
	z := startZou(t, port)
	_, user, password := kitsutest.Env(t)
	env := []string{fmt.Sprintf("KITSU_HOST=http://127.0.0.1:%d/api", port), "KITSU_USER=" + user, "KITSU_PASSWORD=" + password}
	paths := burstPaths(f, 50, 10)
	first := len(paths) * 3 / 10
	w := f.startWatch(t, env, "--settle", "1s")
	waitRunning(t, f.journal, w)

	start := time.Now()
	writeBurst(t, paths[:first])
	for deadline := time.Now().Add(3 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if _, _, n := registrations(w.log.String()); n >= 30 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no registrations within 3 minutes:\n%s", tail(w.log.String(), 40))
		}
	}
	_, _, before := registrations(w.log.String())
	z.stop()
	down := time.Now()
	t.Logf("Zou stopped %s after the start, %d files registered", down.Sub(start).Round(time.Millisecond), before)
	writeBurst(t, paths[first:])

	// Journaled while Kitsu is away: pending, none failed.
	var st watchReport
	for {
		st = f.status(t)
		if st.Totals.Pending > 0 && st.Totals.Registered+st.Totals.Pending >= len(paths)/2 || time.Since(down) > 50*time.Second {
			break
		}
		time.Sleep(time.Second)
	}
	assert.Positive(t, st.Totals.Pending, "pending while Kitsu is down: %+v", st.Totals)
	assert.Zero(t, st.Totals.Failed, "failed while Kitsu is down: %+v", st.Problems)
	assert.Less(t, st.Totals.Registered, len(paths))
	t.Logf("status while Zou is down: %+v", st.Totals)

	time.Sleep(time.Until(down.Add(60 * time.Second)))
	startZou(t, port)
	up := time.Now()
	t.Logf("Zou answering again after %s down", up.Sub(down).Round(time.Millisecond))
	st = waitJournal(t, f.journal, len(paths), 5*time.Minute, w.log.String)
	w.stop(t)
	assert.Equal(t, len(paths), st.Totals.Registered)
	checkBurst(t, f, paths)

	_, last, n := registrations(w.log.String())
	assert.Equal(t, len(paths), n, "registrations logged")
	t.Logf("last registration %s after Zou answered again (%d registered after it came back)", last.Sub(up).Round(time.Millisecond), n-before)
	noPassword(t, f, w.log.String())
}

// TestWatchKilled writes a burst of 500 working files in ten waves
// while the watcher is killed (SIGKILL) after each wave and started
// again at once with the same journal: every other kill comes one to
// two seconds after the wave (the run starting, scanning, settling),
// the others once the run has registered a file (registrations in
// flight, some records created without their size and hash). The final
// run registers every file exactly once (a record a killed run left
// without its size and hash is finished, not made again), with nothing
// failed.
func TestWatchKilled(t *testing.T) {
	t.Parallel()
	f := newWatchFix(t)
	paths := burstPaths(f, 50, 10)
	var runs []*watcher
	logs := func() string {
		var b strings.Builder
		for i, w := range runs {
			fmt.Fprintf(&b, "--- run %d\n%s", i+1, w.log.String())
		}
		return b.String()
	}
	w := f.startWatch(t, nil, "--settle", "1s")
	runs = append(runs, w)
	waitRunning(t, f.journal, w)

	start := time.Now()
	const kills = 10
	wave := len(paths) / kills
	var perRun, unfinished []int
	for k := range kills {
		writeBurst(t, paths[k*wave:(k+1)*wave])
		if k%2 == 0 {
			time.Sleep(time.Second + rand.N(time.Second))
		} else {
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
				if _, _, n := registrations(w.log.String()); n > 0 {
					break
				}
			}
			time.Sleep(rand.N(500 * time.Millisecond))
		}
		w.kill()
		_, _, n := registrations(w.log.String())
		perRun = append(perRun, n)
		open := 0
		for _, r := range f.workingRecords(t) {
			if r.Data["sha"] == nil {
				open++
			}
		}
		unfinished = append(unfinished, open)
		w = f.startWatch(t, nil, "--settle", "1s")
		runs = append(runs, w)
	}
	t.Logf("killed %d times in %s; registrations logged by each killed run: %v; records without size and hash after each kill: %v",
		kills, time.Since(start).Round(time.Millisecond), perRun, unfinished)

	st := waitJournal(t, f.journal, len(paths), 5*time.Minute, logs)
	w.stop(t)
	assert.Equal(t, len(paths), st.Totals.Registered)
	checkBurst(t, f, paths)
	_, last, n := registrations(w.log.String())
	t.Logf("final run: %d registrations logged, the last %s after the start", n, last.Sub(start).Round(time.Millisecond))
	noPassword(t, f, logs())
}

// TestWatchTwoWatchers runs two watchers on the same folder, each with
// its own journal, under one burst of 400 working files: each journal
// ends with every file registered, and Kitsu with exactly one record per
// file (the second watcher to get to a file finds it registered, or
// finishes a record the other created).
func TestWatchTwoWatchers(t *testing.T) {
	t.Parallel()
	f := newWatchFix(t)
	paths := burstPaths(f, 40, 10)
	journal2 := filepath.Join(t.TempDir(), "watch2.db")
	w1 := f.startWatch(t, nil, "--settle", "1s")
	w2 := startWatchJournal(t, f, journal2, nil, "--settle", "1s")
	waitRunning(t, f.journal, w1)
	waitRunning(t, journal2, w2)
	logs := func() string { return "--- watcher 1\n" + w1.log.String() + "--- watcher 2\n" + w2.log.String() }

	start := time.Now()
	writeBurst(t, paths)
	st1 := waitJournal(t, f.journal, len(paths), 5*time.Minute, logs)
	st2 := waitJournal(t, journal2, len(paths), 5*time.Minute, logs)
	w1.stop(t)
	w2.stop(t)
	assert.Equal(t, len(paths), st1.Totals.Registered)
	assert.Equal(t, len(paths), st2.Totals.Registered)
	checkBurst(t, f, paths)

	_, last1, n1 := registrations(w1.log.String())
	_, last2, n2 := registrations(w2.log.String())
	if last2.After(last1) {
		last1 = last2
	}
	found := strings.Count(logs(), "working file: found registered")
	t.Logf("two watchers: %d and %d registrations logged, %d of them found registered by the other; last %s after the start",
		n1, n2, found, last1.Sub(start).Round(time.Millisecond))
	noPassword(t, f, w1.log.String(), w2.log.String())
}
