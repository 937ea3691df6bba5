package watch

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// slowTests says whether the long variants run (make test sets it).
func slowTests() bool { return os.Getenv("KPUBLISH_SLOW") == "1" }

// recorder is the Registrar of these tests: it stands for the publish
// layer (built later), recording every confirmed registration.
type recorder struct {
	mu    sync.Mutex
	calls map[string]int
	files map[string]File
	at    map[string]time.Time // first registration
	tries int
	// fail, when set, decides whether a call fails (after it is counted
	// as a try, before it is recorded).
	fail func(f File) error
}

func newRecorder() *recorder {
	return &recorder{calls: map[string]int{}, files: map[string]File{}, at: map[string]time.Time{}}
}

func (r *recorder) Register(ctx context.Context, f File) (Outcome, error) {
	r.mu.Lock()
	r.tries++
	fail := r.fail
	r.mu.Unlock()
	if fail != nil {
		if err := fail(f); err != nil {
			return Outcome{}, err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[f.Key]++
	r.files[f.Key] = f
	if _, ok := r.at[f.Key]; !ok {
		r.at[f.Key] = time.Now()
	}
	return Outcome{Detail: "recorded"}, nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.calls)
}

func (r *recorder) snapshot() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.calls))
	for k, v := range r.calls {
		out[k] = v
	}
	return out
}

func (r *recorder) file(key string) File {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.files[key]
}

// testLogger logs warnings and errors into the test's log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tbWriter{t}, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

type tbWriter struct{ t testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// fastOptions are short windows for tests.
func fastOptions(t testing.TB) *Options {
	return &Options{Settle: 200 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		Logger: testLogger(t)}
}

type running struct {
	w      *Watcher
	j      *Journal
	rec    *recorder
	cancel context.CancelFunc
	done   chan error
}

// start runs a watcher of roots with a fresh journal (or jpath) until
// the test ends, and waits for its first scan.
func start(t *testing.T, roots []string, rec *recorder, opts *Options) *running {
	t.Helper()
	jpath := filepath.Join(t.TempDir(), "journal.db")
	return startWith(t, jpath, roots, rec, opts)
}

func startWith(t *testing.T, jpath string, roots []string, rec *recorder, opts *Options) *running {
	t.Helper()
	j, err := OpenJournal(jpath, nil)
	require.NoError(t, err)
	w, err := New(roots, j, rec, opts)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{w: w, j: j, rec: rec, cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- w.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	waitFor(t, 30*time.Second, "first scan", func() bool {
		st, err := w.Status()
		return err == nil && st.Scans >= 1
	})
	return r
}

// stop stops the watcher (once) and closes its journal.
func (r *running) stop(t *testing.T) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("watcher did not stop")
	}
	require.NoError(t, r.j.Close())
}

// waitFor polls cond until it holds, failing the test after timeout (a
// guard against hanging, not a measure of speed).
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// quiet waits long enough for anything still to come (several settle
// windows and batch commits) to have come.
func quiet(opts *Options) {
	time.Sleep(4*opts.Settle + 300*time.Millisecond)
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

// requireExactlyOnce checks that the recorder saw exactly want, once
// each.
func requireExactlyOnce(t *testing.T, rec *recorder, want []string) {
	t.Helper()
	got := rec.snapshot()
	var extra, missing, twice []string
	wantSet := map[string]bool{}
	for _, k := range want {
		wantSet[k] = true
		switch n := got[k]; {
		case n == 0:
			missing = append(missing, k)
		case n > 1:
			twice = append(twice, fmt.Sprintf("%s×%d", k, n))
		}
	}
	for k := range got {
		if !wantSet[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	sort.Strings(missing)
	sort.Strings(twice)
	require.Empty(t, missing, "files never registered")
	require.Empty(t, twice, "files registered more than once")
	require.Empty(t, extra, "files registered that should not be")
}
