package watch

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func openTestJournal(t *testing.T) *Journal {
	t.Helper()
	j, err := OpenJournal(filepath.Join(t.TempDir(), "state", "journal.db"), nil)
	require.NoError(t, err)
	t.Cleanup(func() { j.Close() })
	return j
}

func fileItem(path string, size int64, mtime time.Time) item {
	return item{root: "/r", kind: KindFile, key: path, path: path, size: size, mtime: mtime}
}

func TestJournalVersions(t *testing.T) {
	t.Parallel()
	j := openTestJournal(t)
	now := time.Now()
	mt := now.Add(-time.Minute)
	n, err := j.add([]item{fileItem("/r/a.ma", 10, mt), fileItem("/r/b.ma", 20, mt)}, now)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	// The same again: nothing new.
	n, err = j.add([]item{fileItem("/r/a.ma", 10, mt)}, now)
	require.NoError(t, err)
	require.Zero(t, n)

	due, _, err := j.due(now, 10, nil)
	require.NoError(t, err)
	require.Len(t, due, 2)
	require.NoError(t, j.finish([]result{{entry: due[0], outcome: Outcome{Detail: "rev 1"}}}, now))
	e, ok, err := j.Get("/r/a.ma")
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, StateRegistered, e.State)
	require.Equal(t, "rev 1", e.Detail)
	require.Equal(t, 1, e.Attempts)

	// Registered and seen again as it is: left alone.
	n, err = j.add([]item{fileItem("/r/a.ma", 10, mt)}, now)
	require.NoError(t, err)
	require.Zero(t, n)
	// A new version: pending again.
	n, err = j.add([]item{fileItem("/r/a.ma", 11, now)}, now)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	// A result for the old version does not mark the new one.
	require.NoError(t, j.finish([]result{{entry: due[0]}}, now))
	e, _, _ = j.Get("/r/a.ma")
	require.Equal(t, StatePending, e.State)
	require.Zero(t, e.Attempts)

	st, err := j.Status()
	require.NoError(t, err)
	require.Equal(t, map[string]Counts{"/r": {Pending: 2}}, st)
}

func TestJournalRetriesAndFailures(t *testing.T) {
	t.Parallel()
	j := openTestJournal(t)
	now := time.Now()
	_, err := j.add([]item{fileItem("/r/a.ma", 1, now), fileItem("/r/b.ma", 1, now)}, now)
	require.NoError(t, err)
	due, _, err := j.due(now, 10, nil)
	require.NoError(t, err)
	later := now.Add(time.Hour)
	require.NoError(t, j.finish([]result{
		{entry: due[0], err: errors.New("502"), retryAt: later},
		{entry: due[1], err: errors.New("refused"), failed: true},
	}, now))
	got, next, err := j.due(now, 10, nil)
	require.NoError(t, err)
	require.Empty(t, got, "backing off")
	require.WithinDuration(t, later, next, time.Microsecond)
	st, _ := j.Status()
	require.Equal(t, Counts{Pending: 1, Failed: 1}, st["/r"])
	ps, err := j.Problems(10)
	require.NoError(t, err)
	require.Len(t, ps, 2)

	n, err := j.Retry(nil)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	got, _, err = j.due(time.Now(), 10, nil)
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, 1, got[0].Attempts)
	require.Equal(t, "502", got[0].LastError)

	n, err = j.Retry(&RetryOptions{Failed: true})
	require.NoError(t, err)
	require.Equal(t, 1, n)
	st, _ = j.Status()
	require.Equal(t, Counts{Pending: 2}, st["/r"])
	e, _, _ := j.Get(due[1].Key)
	require.Zero(t, e.Attempts)

	// Gone before its registration: forgotten.
	got, _, _ = j.due(time.Now(), 10, nil)
	require.NoError(t, j.finish([]result{{entry: got[0], gone: true}}, time.Now()))
	_, ok, _ := j.Get(got[0].Key)
	require.False(t, ok)
	st, _ = j.Status()
	require.Equal(t, Counts{Pending: 1}, st["/r"])
}

func TestJournalDueSkipsAndOrders(t *testing.T) {
	t.Parallel()
	j := openTestJournal(t)
	now := time.Now()
	var items []item
	for _, p := range []string{"/r/c", "/r/a", "/r/b"} {
		items = append(items, fileItem(p, 1, now))
	}
	_, err := j.add(items, now)
	require.NoError(t, err)
	got, _, err := j.due(now, 2, func(k string) bool { return k == "/r/a" })
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, "/r/b", got[0].Key)
	require.Equal(t, "/r/c", got[1].Key)
}

func TestJournalLockedAndBad(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := OpenJournal(path, nil)
	require.NoError(t, err)
	defer j.Close()
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	_, err = OpenJournal(path, &JournalOptions{Timeout: 100 * time.Millisecond})
	require.ErrorIs(t, err, ErrJournalLocked)
	require.ErrorContains(t, err, path)

	bad := filepath.Join(t.TempDir(), "not.db")
	require.NoError(t, os.WriteFile(bad, []byte("not a bolt file at all, no"), 0o600))
	_, err = OpenJournal(bad, nil)
	require.ErrorIs(t, err, ErrJournal)
	require.ErrorContains(t, err, bad)
	_, err = OpenJournal("", nil)
	require.ErrorIs(t, err, ErrJournal)
}

// TestJournalBatches: a burst is journaled in far fewer commits (each an
// fsync) than files.
func TestJournalBatches(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	rec := newRecorder()
	opts := fastOptions(t)
	r := start(t, []string{root}, rec, opts)
	before := r.j.commits.Load()
	var want []string
	for i := range 1000 {
		p := filepath.Join(root, "d", "f"+string(rune('a'+i%26))+itoa(i)+".ma")
		want = append(want, p)
	}
	for _, p := range want {
		writeFile(t, p, "x")
	}
	waitFor(t, time.Minute, "registered", func() bool { return rec.count() >= len(want) })
	quiet(opts)
	requireExactlyOnce(t, rec, want)
	commits := r.j.commits.Load() - before
	t.Logf("%d files journaled and marked registered in %d commits", len(want), commits)
	require.Less(t, commits, int64(len(want)), "one commit per file or more")
}

func itoa(i int) string {
	b := []byte{}
	for {
		b = append([]byte{byte('0' + i%10)}, b...)
		i /= 10
		if i == 0 {
			return string(b)
		}
	}
}

func TestDefaultJournalPath(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/state")
	p, err := DefaultJournalPath()
	require.NoError(t, err)
	if runtime.GOOS == "linux" {
		require.Equal(t, "/state/kpublish/watch.db", p)
	}
	t.Setenv("XDG_STATE_HOME", "relative")
	p, err = DefaultJournalPath()
	require.NoError(t, err)
	require.True(t, filepath.IsAbs(p), p)
}
