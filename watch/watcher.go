package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults of Options.
const (
	DefaultSettle     = 2 * time.Second
	DefaultPoll       = 30 * time.Second // network roots, when Options.Poll is 0
	DefaultRescan     = time.Hour
	DefaultWorkers    = 4
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = 5 * time.Minute
	DefaultStopGrace  = 10 * time.Second
)

// Options are the optional settings of New; the zero value watches with
// the defaults.
type Options struct {
	// Include, when not empty, keeps only the files matching one of
	// these globs; Exclude leaves out the files and folders matching
	// one, besides DefaultExcludes (unless NoDefaultExcludes). Globs are
	// doublestar's, matched like .gitignore lines against the path
	// relative to the root: "*.exr" matches at any depth, "renders/"
	// any folder of that name and all below it, "shots/*/tmp/**" from
	// the root.
	Include, Exclude  []string
	NoDefaultExcludes bool

	// Settle is how long a file's size and time must stay the same after
	// its last change before it is handed over: 0 means DefaultSettle.
	Settle time.Duration
	// SequenceSettle is how long no frame of an image sequence may change
	// before the sequence is handed over: 0 means Settle.
	SequenceSettle time.Duration
	// SequenceExtensions are the extensions whose numbered files are
	// frames: nil means DefaultSequenceExtensions.
	SequenceExtensions []string

	// Poll > 0 polls every root at that interval, with no inotify at
	// all; 0 watches with inotify, except roots on network file systems
	// (NFS, SMB/CIFS, sshfs... from /proc/self/mountinfo), polled every
	// DefaultPoll because the kernel does not report other hosts'
	// writes; < 0 watches every root with inotify.
	Poll time.Duration
	// Rescan is the interval of full rescans of watched roots (with ±10 %
	// jitter): 0 means DefaultRescan; < 0 none (a rescan still follows
	// an event-queue overflow or a watcher error).
	Rescan time.Duration

	// Workers is how many registrations run at once: 0 means
	// DefaultWorkers.
	Workers int
	// MaxAttempts > 0 journals a file as failed after that many failed
	// tries; 0 retries until the Registrar succeeds (Kitsu down for a
	// day is no reason to give up).
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the exponential wait between tries:
	// 0 means DefaultMinBackoff and DefaultMaxBackoff.
	MinBackoff, MaxBackoff time.Duration
	// StopGrace is how long Run waits at stop for registrations in
	// flight before cancelling them: 0 means DefaultStopGrace.
	StopGrace time.Duration

	// Logger receives the watcher's log; nil means none.
	Logger *slog.Logger

	// StatusFile, when set, is rewritten every StatusEvery (0 means
	// DefaultStatusEvery) and at stop with a StatusSnapshot, for status
	// commands run while the watcher holds the journal.
	StatusFile  string
	StatusEvery time.Duration

	// watchLimit replaces fs.inotify.max_user_watches (tests).
	watchLimit int
}

// root is one watched root.
type root struct {
	path   string // absolute, clean, symlinks resolved
	prefix string // path + separator
	poll   time.Duration
	fstype string
}

func (r *root) polled() bool { return r.poll > 0 }

// rel returns path relative to the root, slash-separated; ok is false
// outside it.
func (r *root) rel(path string) (string, bool) {
	if path == r.path {
		return "", true
	}
	if !strings.HasPrefix(path, r.prefix) {
		return "", false
	}
	return filepath.ToSlash(path[len(r.prefix):]), true
}

// Watcher watches roots and registers every complete file through a
// Registrar, journaling each before its registration.
type Watcher struct {
	roots  []*root
	j      *Journal
	q      *queue
	s      *settler
	f      *filter
	t      *tree
	log    *slog.Logger
	rescan time.Duration
	window time.Duration
	limit  int

	statusFile  string
	statusEvery time.Duration
	problems    []Entry // the status file's, as of journal commit problemsAt
	problemsAt  int64

	running  atomic.Bool
	started  atomic.Bool
	fatal    chan error // a journal failure: Run stops with it
	mu       sync.Mutex
	lastScan time.Time
	scans    int
}

// ErrRoot matches every error about a root that cannot be watched.
var ErrRoot = errors.New("watch: bad root")

// New returns a watcher of roots (folders) that journals complete files
// in j and registers them through reg. Nothing is watched before Run.
func New(roots []string, j *Journal, reg Registrar, opts *Options) (*Watcher, error) {
	if opts == nil {
		opts = &Options{}
	}
	if len(roots) == 0 {
		return nil, fmt.Errorf("%w: no root: want at least one folder", ErrRoot)
	}
	if j == nil || reg == nil {
		return nil, fmt.Errorf("watch: New needs a journal and a registrar")
	}
	f, err := newFilter(opts.Include, opts.Exclude, !opts.NoDefaultExcludes)
	if err != nil {
		return nil, err
	}
	mounts, err := mountTable()
	if err != nil {
		return nil, err
	}
	w := &Watcher{j: j, f: f, log: opts.Logger, rescan: opts.Rescan, limit: opts.watchLimit, fatal: make(chan error, 1),
		statusFile: opts.StatusFile, statusEvery: positive(opts.StatusEvery, DefaultStatusEvery)}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.rescan == 0 {
		w.rescan = DefaultRescan
	}
	for _, p := range roots {
		r, err := newRoot(p, mounts, opts.Poll)
		if err != nil {
			return nil, err
		}
		for _, o := range w.roots {
			if _, in := o.rel(r.path); in {
				return nil, fmt.Errorf("%w: %s is inside root %s: want roots that do not overlap", ErrRoot, strconv.Quote(p), strconv.Quote(o.path))
			}
			if _, in := r.rel(o.path); in {
				return nil, fmt.Errorf("%w: root %s is inside %s: want roots that do not overlap", ErrRoot, strconv.Quote(o.path), strconv.Quote(p))
			}
		}
		w.roots = append(w.roots, r)
	}
	for _, f := range []string{j.Path(), opts.StatusFile} {
		if err := outsideRoots(f, w.roots); err != nil {
			return nil, err
		}
	}
	sort.Slice(w.roots, func(a, b int) bool { return w.roots[a].path < w.roots[b].path })

	w.window = positive(opts.Settle, DefaultSettle)
	seqWindow := positive(opts.SequenceSettle, w.window)
	exts := map[string]bool{}
	list := opts.SequenceExtensions
	if list == nil {
		list = DefaultSequenceExtensions
	}
	for _, e := range list {
		if !strings.HasPrefix(e, ".") {
			e = "." + e
		}
		exts[strings.ToLower(e)] = true
	}
	w.q = &queue{j: j, reg: reg, workers: int(positive(time.Duration(opts.Workers), DefaultWorkers)),
		maxAttempts: opts.MaxAttempts,
		minBackoff:  positive(opts.MinBackoff, DefaultMinBackoff), maxBackoff: positive(opts.MaxBackoff, DefaultMaxBackoff),
		changedDelay: 2 * w.window, stopGrace: positive(opts.StopGrace, DefaultStopGrace),
		log: w.log, wake: make(chan struct{}, 1), inflight: map[string]bool{}}
	if w.q.maxBackoff < w.q.minBackoff {
		w.q.maxBackoff = w.q.minBackoff
	}
	w.s = newSettler(w.window, seqWindow, exts, w.journal, func(msg string, args ...any) { w.log.Warn(msg, args...) })
	w.q.resettle, w.q.fail = w.resettle, w.fail
	return w, nil
}

// resettle hands path, found changed since it was journaled under root,
// back to the settle step as if an event had come.
func (w *Watcher) resettle(rootPath, path string) {
	for _, r := range w.roots {
		if r.path != rootPath {
			continue
		}
		if _, in := r.rel(path); !in {
			return
		}
		if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
			w.s.touch(r, path, fi, true)
		}
	}
}

// CheckJournalPath refuses a journal path that lies inside one of roots
// (with symbolic links resolved): the watcher would see its own journal
// and status file change at every commit and journal them again and
// again. Call it before OpenJournal makes the file; New checks again.
func CheckJournalPath(journal string, roots []string) error {
	mounts, err := mountTable()
	if err != nil {
		return err
	}
	var rs []*root
	for _, p := range roots {
		r, err := newRoot(p, mounts, 0)
		if err != nil {
			return err
		}
		rs = append(rs, r)
	}
	return outsideRoots(journal, rs)
}

// outsideRoots refuses a file of the watcher's own (its journal, its
// status file) inside a root. A file not made yet is placed by its
// folder; "" (no file) passes.
func outsideRoots(file string, roots []*root) error {
	if file == "" {
		return nil
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrJournal, strconv.Quote(file), err)
	}
	real := abs
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		real = r
	} else if d, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		real = filepath.Join(d, filepath.Base(abs))
	}
	for _, r := range roots {
		if _, in := r.rel(real); in {
			return fmt.Errorf("%w: %s is inside the watched folder %s: the watcher would watch its own journal; put it outside every watched folder (the default is in the user's state folder)", ErrJournal, strconv.Quote(file), strconv.Quote(r.path))
		}
	}
	return nil
}

func positive[T ~int64 | ~int](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

func newRoot(p string, mounts []mount, poll time.Duration) (*root, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrRoot, strconv.Quote(p), err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrRoot, strconv.Quote(p), err)
	}
	fi, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrRoot, strconv.Quote(p), err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a folder: want a folder to watch", ErrRoot, strconv.Quote(p))
	}
	r := &root{path: real, prefix: strings.TrimSuffix(real, string(filepath.Separator)) + string(filepath.Separator)}
	r.fstype = fsTypeOf(mounts, real)
	switch {
	case poll > 0:
		r.poll = poll
	case poll == 0 && isNetworkFS(r.fstype):
		r.poll = DefaultPoll
	}
	return r, nil
}

// journal is the settle step's hand-over: one commit for the batch,
// then the queue is woken.
func (w *Watcher) journal(items []item) {
	n, err := w.j.add(items, time.Now())
	if err != nil {
		// The files stay on disk: the rescan at the next start journals
		// them. Going on without a journal would lose them.
		w.log.Error("journal write failed: stopping", "files", len(items), "err", err)
		w.fail(err)
		return
	}
	if n > 0 {
		w.q.signal()
	}
}

// fail makes Run stop with err (the first one counts).
func (w *Watcher) fail(err error) {
	select {
	case w.fatal <- err:
	default:
	}
}

// Run watches until ctx is done, then stops cleanly: the registrations
// in flight finish (see Options.StopGrace) and every result is
// journaled. Files still settling are not journaled yet; the rescan at
// the next start finds them. Run returns an error when a root cannot be
// watched at start (ErrWatchLimit, for one), and stops with one when the
// journal can no longer be read or written (a full disk): going on would
// lose files, a restart rescans.
func (w *Watcher) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return errors.New("watch: Run called twice")
	}
	defer w.running.Store(false)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	t, err := newTree(w)
	if err != nil {
		return err
	}
	w.t = t
	defer t.close()
	for _, r := range w.roots {
		mode := "inotify"
		if r.polled() {
			mode = "poll every " + r.poll.String()
		}
		w.log.Info("watching", "root", r.path, "fs", r.fstype, "mode", mode)
	}
	if err := t.checkLimit(ctx); err != nil {
		return err
	}

	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() { defer wg.Done(); w.s.run(stop) }()
	qerr := make(chan error, 1)
	go func() { qerr <- w.q.run(ctx) }()

	errs := make(chan error, 1+len(w.roots))
	if t.fsw != nil {
		wg.Add(2)
		go func() { defer wg.Done(); t.events(ctx) }()
		go func() { defer wg.Done(); errs <- t.scanLoop(ctx) }()
	}
	for _, r := range w.roots {
		if r.polled() {
			wg.Add(1)
			go func() { defer wg.Done(); w.pollLoop(ctx, r) }()
		}
	}
	w.started.Store(true)
	if w.statusFile != "" {
		wg.Add(1)
		go func() { defer wg.Done(); w.statusLoop(ctx) }()
	}

	var runErr error
	queueDone := false
	select {
	case <-ctx.Done():
	case runErr = <-errs:
	case runErr = <-w.fatal:
	case runErr = <-qerr:
		// The queue stops early only when the journal cannot be read.
		queueDone = true
		if runErr != nil {
			w.log.Error("registration queue stopped: stopping", "err", runErr)
		}
	}
	cancel()
	close(stop)
	t.close()
	wg.Wait()
	if !queueDone {
		if err := <-qerr; runErr == nil {
			runErr = err
		}
	}
	if w.statusFile != "" {
		if err := w.writeStatus(true); err != nil {
			w.log.Warn("status file not written", "path", w.statusFile, "err", err)
		}
	}
	w.log.Info("stopped", "registered", w.q.doneCount())
	return runErr
}

func (q *queue) doneCount() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.done
}

// pollLoop walks a polled root at its interval.
func (w *Watcher) pollLoop(ctx context.Context, r *root) {
	for {
		w.t.walk(ctx, r, r.path, false, false)
		w.scanned()
		select {
		case <-ctx.Done():
			return
		case <-time.After(r.poll):
		}
	}
}

func (w *Watcher) scanned() {
	w.mu.Lock()
	w.lastScan = time.Now()
	w.scans++
	w.mu.Unlock()
}

// jitter returns d ± 10 %.
func jitter(d time.Duration) time.Duration {
	return d - d/10 + rand.N(d/5+1)
}

// RootStatus is the state of one root.
type RootStatus struct {
	Root   string        `json:"root"`
	FSType string        `json:"fs_type,omitempty"`
	Poll   time.Duration `json:"poll,omitempty"` // 0: watched with inotify
	Counts
}

// Status is a running watcher's state.
type Status struct {
	Roots       []RootStatus `json:"roots"`
	Settling    int          `json:"settling"`     // files waiting for the settle window
	InFlight    int          `json:"in_flight"`    // registrations handed out, not journaled yet
	Registered  int          `json:"registered"`   // confirmed by the Registrar since Run
	WatchedDirs int          `json:"watched_dirs"` // folders with an inotify watch
	Overflows   int          `json:"overflows"`    // event-queue overflows (each followed by a rescan)
	Scans       int          `json:"scans"`        // full walks of a root done
	LastScan    time.Time    `json:"last_scan,omitzero"`
}

// Status returns the watcher's state, with the journal's counts of each
// root.
func (w *Watcher) Status() (*Status, error) {
	counts, err := w.j.Status()
	if err != nil {
		return nil, err
	}
	st := &Status{Settling: w.s.pending(), InFlight: w.q.inflightCount(), Registered: w.q.doneCount()}
	for _, r := range w.roots {
		st.Roots = append(st.Roots, RootStatus{Root: r.path, FSType: r.fstype, Poll: r.poll, Counts: counts[r.path]})
	}
	if w.started.Load() {
		st.WatchedDirs, st.Overflows = w.t.stats()
	}
	w.mu.Lock()
	st.Scans, st.LastScan = w.scans, w.lastScan
	w.mu.Unlock()
	return st, nil
}

// Retry is Journal.Retry, waking the queue at once.
func (w *Watcher) Retry(opts *RetryOptions) (int, error) {
	n, err := w.j.Retry(opts)
	w.q.signal()
	return n, err
}
