package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kpublish/kpublish/filetree/kitsutree"
	"github.com/kpublish/kpublish/internal/config"
	"github.com/kpublish/kpublish/kitsu"
	"github.com/kpublish/kpublish/watch"
)

const watchHelp = `Watch folders and register in Kitsu every new working file and output
file that the projects' file trees describe.

Each ROOT is watched recursively (inotify; network mounts such as NFS and
SMB are polled every 30s instead, since the kernel does not see other
hosts' writes: --poll 1m polls every root, --poll -1s never polls). A file
is handled once its size and time have not changed for --settle (2s)
after its last write; an image sequence once none of its frames changed
for that long. Temporaries renamed over the final name (Blender's
"name@", Qt's and Maya's) count as the final file only.

Each complete file is read with the tree of each open project whose
mountpoint holds it (--project limits them):
  - a working file is registered as the revision its path shows, of the
    task its path names;
  - an output file or sequence as an output revision where it lies,
    without being copied;
  - a file no tree describes is counted as ignored.
A path that reads several ways, or a revision Kitsu holds with other
content, is reported as failed with the reasons.

Every file is written to the journal (--journal, default
~/.local/state/kpublish/watch.db) before it is registered, and marked done
once Kitsu confirmed it. While Kitsu is down the queue waits and is
retried with backoff; after a crash or a restart the folders are scanned
again and the queue resumes. Two watchers of one shared folder register
each file once. Output publishes left half-done by kpublish publish output
are finished too.

Ignored by default: hidden files and folders (.*), *@, *.blend1 to
*.blend32, *~, *.autosave*, *.bak, *.tmp, *.part, backup/, autosave/,
incrementalSave/. --exclude adds globs (doublestar, matched like
.gitignore lines: "*.exr" at any depth, "cache/" a folder, "shots/*/tmp/**"
from the root), --include keeps only the files matching one, and
config.json's "watch" object adds its own ("include", "exclude",
"settle", "poll").

It runs in the foreground and logs to stderr (text, or JSON lines with
--log-json); SIGINT or SIGTERM stops it cleanly. kpublish watch status
shows the queue; kpublish watch retry retries now.`

type watchFlags struct {
	include, exclude  []string
	noDefaultExcludes bool
	settle, poll      time.Duration
	seqSettle, rescan time.Duration
	journal           string
	projects          []string
	roots             string
	workers           int
	maxAttempts       int
	logJSON           bool
	comment           string
	outputSettle      time.Duration
}

func newWatchCmd() *cobra.Command {
	f := &watchFlags{}
	cmd := &cobra.Command{
		Use:   "watch ROOT...",
		Short: "Watch folders and register new working and output files in Kitsu",
		Long:  watchHelp,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWatch(cmd, f, args)
		},
	}
	cmd.SetFlagErrorFunc(flagErr)
	fl := cmd.Flags()
	fl.StringArrayVar(&f.include, "include", nil, "keep only files matching this glob (repeat)")
	fl.StringArrayVar(&f.exclude, "exclude", nil, "leave out files and folders matching this glob (repeat)")
	fl.BoolVar(&f.noDefaultExcludes, "no-default-excludes", false, "do not leave out DCC temporaries, backups, autosaves and hidden files")
	fl.DurationVar(&f.settle, "settle", watch.DefaultSettle, "how long a file must stay unchanged before it is registered")
	fl.DurationVar(&f.seqSettle, "sequence-settle", 0, "how long no frame of a sequence may change (default: --settle)")
	fl.DurationVar(&f.poll, "poll", 0, "poll every root at this interval (0: only network mounts, every 30s; <0: never)")
	fl.DurationVar(&f.rescan, "rescan", watch.DefaultRescan, "full rescans of inotify-watched roots (<0: none)")
	fl.StringVar(&f.journal, "journal", "", "the journal file (default ~/.local/state/kpublish/watch.db)")
	fl.StringArrayVar(&f.projects, "project", nil, "read paths with this project's tree only (id; repeat)")
	fl.StringVar(&f.roots, "roots", "", "roots file mapping tree mountpoints to this host's mounts (default: config.json's roots)")
	fl.IntVar(&f.workers, "workers", 8, "registrations at once")
	fl.IntVar(&f.maxAttempts, "max-attempts", 0, "mark a file failed after this many failed tries (0: retry until it works)")
	fl.BoolVar(&f.logJSON, "log-json", false, "log JSON lines instead of text")
	fl.StringVar(&f.comment, "comment", watch.DefaultComment, "comment of the records created")
	fl.DurationVar(&f.outputSettle, "output-settle", 0, "wait after creating an output's record before checking its revision (default 250ms)")
	cmd.AddCommand(newWatchStatusCmd(), newWatchRetryCmd())
	return cmd
}

// journalPath is --journal, else the default.
func journalPath(flag string) (string, error) {
	if flag != "" {
		abs, err := filepath.Abs(flag)
		if err != nil {
			return "", inputErrf("--journal %q: %v", flag, err)
		}
		return abs, nil
	}
	p, err := watch.DefaultJournalPath()
	if err != nil {
		return "", inputErr(err)
	}
	return p, nil
}

// statusPath is the status file a watcher of journal keeps beside it.
func statusPath(journal string) string { return journal + ".status.json" }

func runWatch(cmd *cobra.Command, f *watchFlags, roots []string) error {
	if len(roots) == 0 {
		return usageErr("watch: want one or more folders to watch (kpublish watch ROOT...)")
	}
	switch {
	case f.settle <= 0 || f.settle > 10*time.Minute:
		return inputErrf("--settle %s: want above 0 and at most 10m", f.settle)
	case f.seqSettle < 0 || f.seqSettle > 10*time.Minute:
		return inputErrf("--sequence-settle %s: want 0 to 10m", f.seqSettle)
	case f.workers < 1 || f.workers > 64:
		return inputErrf("--workers %d: want 1 to 64", f.workers)
	case f.maxAttempts < 0:
		return inputErrf("--max-attempts %d: want 0 or more", f.maxAttempts)
	case f.outputSettle > time.Minute:
		return inputErrf("--output-settle %s: want at most 1m", f.outputSettle)
	}
	for _, p := range f.projects {
		if !kitsutree.LooksLikeID(p) {
			return inputErrf("--project %q: want a project id", p)
		}
	}
	cfg, err := config.Load()
	if err != nil {
		return inputErr(err)
	}
	fl := cmd.Flags()
	opts := &watch.Options{
		Include:           append(append([]string{}, cfg.Watch.Include...), f.include...),
		Exclude:           append(append([]string{}, cfg.Watch.Exclude...), f.exclude...),
		NoDefaultExcludes: f.noDefaultExcludes, Settle: f.settle, SequenceSettle: f.seqSettle,
		Poll: f.poll, Rescan: f.rescan, Workers: f.workers, MaxAttempts: f.maxAttempts,
	}
	if !fl.Changed("settle") && cfg.Watch.Settle > 0 {
		opts.Settle = cfg.Watch.Settle
	}
	if !fl.Changed("poll") && cfg.Watch.PollSet {
		opts.Poll = cfg.Watch.Poll
	}
	jpath, err := journalPath(f.journal)
	if err != nil {
		return err
	}
	if err := watch.CheckJournalPath(jpath, roots); err != nil {
		return inputErr(err)
	}
	hostRoots, err := loadRoots(f.roots)
	if err != nil {
		return err
	}
	log := newWatchLogger(cmd.ErrOrStderr(), f.logJSON)
	opts.Logger = log
	opts.StatusFile = statusPath(jpath)

	j, err := watch.OpenJournal(jpath, nil)
	if err != nil {
		if errors.Is(err, watch.ErrJournalLocked) {
			return inputErrf("%v: another kpublish watch uses it: give each watcher its own --journal", err)
		}
		return inputErr(err)
	}
	defer j.Close()

	reg := &lazyPublisher{ctx: cmd.Context(), log: log, opts: watch.PublisherOptions{
		Roots: hostRoots, ProjectIDs: f.projects, Comment: f.comment, Settle: f.outputSettle, Logger: log,
	}}
	if dir, err := kitsutree.DefaultCacheDir(); err == nil {
		reg.opts.CacheDir = dir
	}
	if err := reg.connect(); err != nil && !unreachable(err) {
		return err
	}
	w, err := watch.New(roots, j, reg, opts)
	if err != nil {
		return inputErr(err)
	}

	ctx, cancel := context.WithCancel(cmd.Context())
	defer cancel()
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sig)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case s := <-sig:
				switch s {
				case syscall.SIGUSR1, syscall.SIGUSR2:
					n, err := w.Retry(&watch.RetryOptions{Failed: s == syscall.SIGUSR2})
					log.Info("retry asked", "failed_too", s == syscall.SIGUSR2, "entries", n, "err", err)
				default:
					log.Info("stopping", "signal", s.String())
					cancel()
					return
				}
			}
		}
	}()
	go func() {
		defer wg.Done()
		resumeLoop(ctx, reg, roots, log)
	}()
	err = w.Run(ctx)
	cancel()
	wg.Wait()
	if err != nil {
		if errors.Is(err, watch.ErrRoot) || errors.Is(err, watch.ErrWatchLimit) {
			return inputErr(err)
		}
		return &exitError{exitServer, err}
	}
	return nil
}

// newWatchLogger logs text to a terminal and to anything else unless
// JSON is asked.
func newWatchLogger(w io.Writer, jsonLines bool) *slog.Logger {
	if jsonLines {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// unreachable reports whether err says Kitsu could not be reached (the
// watcher starts anyway and logs in once it can), rather than that the
// login was refused.
func unreachable(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &oe) || errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, kitsu.ErrServer)
}

// lazyPublisher is the watcher's Registrar: a watch.Publisher, made at
// the first registration that can reach Kitsu (a watcher started while
// Kitsu is down journals files and waits).
type lazyPublisher struct {
	ctx  context.Context
	log  *slog.Logger
	opts watch.PublisherOptions

	mu     sync.Mutex
	pub    *watch.Publisher
	warned bool // "Kitsu unreachable" said, not yet followed by a login
}

func (l *lazyPublisher) connect() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pub != nil {
		return nil
	}
	c, err := onlineClient(l.ctx)
	if err != nil {
		if unreachable(err) && !l.warned {
			// Once: each file's retry logs its own line.
			l.warned = true
			l.log.Warn("Kitsu unreachable: files are journaled and registered once it answers", "err", err)
		}
		return err
	}
	if l.warned {
		l.log.Info("Kitsu answers: logged in")
	}
	if l.pub, err = watch.NewPublisher(c, &l.opts); err != nil {
		return err
	}
	return nil
}

func (l *lazyPublisher) publisher() (*watch.Publisher, error) {
	if err := l.connect(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pub, nil
}

func (l *lazyPublisher) Register(ctx context.Context, f watch.File) (watch.Outcome, error) {
	p, err := l.publisher()
	if err != nil {
		return watch.Outcome{}, err
	}
	return p.Register(ctx, f)
}

// resumeLoop finishes, at start and every 10 minutes, the output
// publishes left unfinished under the output stores the roots are in.
func resumeLoop(ctx context.Context, reg *lazyPublisher, roots []string, log *slog.Logger) {
	stores := storesOf(roots)
	if len(stores) == 0 {
		return
	}
	for {
		if p, err := reg.publisher(); err == nil {
			if n, err := p.ResumeUnfinished(ctx, stores); n > 0 || err != nil {
				log.Info("unfinished publishes", "finished", n, "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Minute):
		}
	}
}

// storesOf finds the output stores (folders holding .kpublish/outputs)
// the roots are, are in, or hold one level down.
func storesOf(roots []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(dir string) {
		if fi, err := os.Stat(filepath.Join(dir, ".kpublish", "outputs")); err == nil && fi.IsDir() && !seen[dir] {
			seen[dir] = true
			out = append(out, dir)
		}
	}
	for _, r := range roots {
		abs, err := filepath.Abs(r)
		if err != nil {
			continue
		}
		for d := abs; ; d = filepath.Dir(d) {
			add(d)
			if filepath.Dir(d) == d {
				break
			}
		}
		if entries, err := os.ReadDir(abs); err == nil {
			for _, e := range entries {
				if e.IsDir() {
					add(filepath.Join(abs, e.Name()))
				}
			}
		}
	}
	return out
}

// ---------------------------------------------------------------- status

type watchStatusFlags struct {
	journal string
	jsonOut bool
}

func newWatchStatusCmd() *cobra.Command {
	f := &watchStatusFlags{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show a watcher's queue: pending, failed, registered and ignored files per root, and the last errors",
		Long: `Show a watcher's queue, per root: files pending (waiting for Kitsu, or
retrying), registered, failed (refused for good: see the errors, then
kpublish watch retry --failed) and ignored (no tree describes them), and
the last errors. While a watcher runs, its status file (written every 5s
beside the journal) is read; otherwise the journal itself.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runWatchStatus(cmd, f) },
	}
	cmd.SetFlagErrorFunc(flagErr)
	cmd.Flags().StringVar(&f.journal, "journal", "", "the journal file (default ~/.local/state/kpublish/watch.db)")
	cmd.Flags().BoolVar(&f.jsonOut, "json", false, "print one JSON object")
	return cmd
}

// watchReport is what watch status prints.
type watchReport struct {
	Journal  string             `json:"journal"`
	Running  bool               `json:"running"`
	PID      int                `json:"pid,omitempty"`
	Written  time.Time          `json:"written,omitzero"` // the status file's time, when running
	Roots    []watch.RootStatus `json:"roots"`
	Totals   watch.Counts       `json:"totals"`
	Watcher  *watch.Status      `json:"watcher,omitempty"`
	Problems []watch.Entry      `json:"problems"`
}

func runWatchStatus(cmd *cobra.Command, f *watchStatusFlags) error {
	jpath, err := journalPath(f.journal)
	if err != nil {
		return err
	}
	rep := &watchReport{Journal: jpath, Roots: []watch.RootStatus{}, Problems: []watch.Entry{}}
	if _, err := os.Stat(jpath); errors.Is(err, os.ErrNotExist) {
		return inputErrf("watch status: no journal at %s: no watcher has run with it (give --journal)", jpath)
	}
	j, err := watch.OpenJournal(jpath, &watch.JournalOptions{ReadOnly: true, Timeout: 200 * time.Millisecond})
	switch {
	case errors.Is(err, watch.ErrJournalLocked):
		snap, serr := watch.ReadStatusFile(statusPath(jpath))
		if serr != nil {
			return inputErrf("watch status: the journal %s is in use and its status file cannot be read: %v", jpath, serr)
		}
		rep.Running, rep.PID, rep.Written = !snap.Stopped, snap.PID, snap.Written
		st := snap.Status
		rep.Roots, rep.Watcher = st.Roots, &st
		rep.Problems = snap.Problems
	case err != nil:
		return inputErr(err)
	default:
		defer j.Close()
		counts, err := j.Status()
		if err != nil {
			return inputErr(err)
		}
		names := make([]string, 0, len(counts))
		for r := range counts {
			names = append(names, r)
		}
		sort.Strings(names)
		for _, r := range names {
			rep.Roots = append(rep.Roots, watch.RootStatus{Root: r, Counts: counts[r]})
		}
		if rep.Problems, err = j.Problems(watch.StatusProblems); err != nil {
			return inputErr(err)
		}
	}
	for _, r := range rep.Roots {
		rep.Totals.Pending += r.Pending
		rep.Totals.Registered += r.Registered
		rep.Totals.Failed += r.Failed
		rep.Totals.Ignored += r.Ignored
	}
	if rep.Roots == nil {
		rep.Roots = []watch.RootStatus{}
	}
	if rep.Problems == nil {
		rep.Problems = []watch.Entry{}
	}
	out := cmd.OutOrStdout()
	if f.jsonOut {
		return writeJSON(out, rep)
	}
	writeWatchStatus(out, rep)
	return nil
}

func writeWatchStatus(w io.Writer, r *watchReport) {
	state := "no watcher running"
	if r.Running {
		state = fmt.Sprintf("watcher running, pid %d, status of %s", r.PID, r.Written.Local().Format(time.TimeOnly))
	}
	fmt.Fprintf(w, "journal %s (%s)\n", printable(r.Journal), state)
	for _, rs := range r.Roots {
		mode := ""
		if r.Watcher != nil {
			mode = " (inotify)"
			if rs.Poll > 0 {
				mode = fmt.Sprintf(" (polled every %s)", rs.Poll)
			}
		}
		fmt.Fprintf(w, "%s%s\n  pending %d  registered %d  failed %d  ignored %d\n", printable(rs.Root), mode, rs.Pending, rs.Registered, rs.Failed, rs.Ignored)
	}
	t := r.Totals
	fmt.Fprintf(w, "total: pending %d  registered %d  failed %d  ignored %d\n", t.Pending, t.Registered, t.Failed, t.Ignored)
	if st := r.Watcher; st != nil {
		fmt.Fprintf(w, "settling %d  in flight %d  registered since start %d  watched folders %d  overflows %d  scans %d\n",
			st.Settling, st.InFlight, st.Registered, st.WatchedDirs, st.Overflows, st.Scans)
	}
	if len(r.Problems) > 0 {
		fmt.Fprintln(w, "last errors:")
		for _, e := range r.Problems {
			next := ""
			if e.State == watch.StatePending && !e.NextTry.IsZero() {
				next = ", next try " + e.NextTry.Local().Format(time.TimeOnly)
			}
			fmt.Fprintf(w, "  %s %s (%s, attempt %d%s)\n    %s\n", e.State, printable(e.Path), e.Updated.Local().Format(time.DateTime), e.Attempts, next, printable(strings.ReplaceAll(e.LastError, "\n", " ")))
		}
	}
}

// ---------------------------------------------------------------- retry

type watchRetryFlags struct {
	journal string
	failed  bool
}

func newWatchRetryCmd() *cobra.Command {
	f := &watchRetryFlags{}
	cmd := &cobra.Command{
		Use:   "retry",
		Short: "Retry now the files waiting out their backoff (--failed: and the failed ones)",
		Long: `Retry now the files whose registration failed and that wait out their
backoff; with --failed also the files refused for good (after fixing the
cause: a task created, a tree corrected). A running watcher of the journal
is told with a signal (SIGUSR1, SIGUSR2 with --failed); otherwise the
journal is changed and the next kpublish watch picks them up.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runWatchRetry(cmd, f) },
	}
	cmd.SetFlagErrorFunc(flagErr)
	cmd.Flags().StringVar(&f.journal, "journal", "", "the journal file (default ~/.local/state/kpublish/watch.db)")
	cmd.Flags().BoolVar(&f.failed, "failed", false, "also retry the files refused for good")
	return cmd
}

func runWatchRetry(cmd *cobra.Command, f *watchRetryFlags) error {
	jpath, err := journalPath(f.journal)
	if err != nil {
		return err
	}
	if _, err := os.Stat(jpath); errors.Is(err, os.ErrNotExist) {
		return inputErrf("watch retry: no journal at %s (give --journal)", jpath)
	}
	j, err := watch.OpenJournal(jpath, &watch.JournalOptions{Timeout: 200 * time.Millisecond})
	if errors.Is(err, watch.ErrJournalLocked) {
		snap, serr := watch.ReadStatusFile(statusPath(jpath))
		if serr != nil || snap.Stopped || snap.PID <= 0 {
			return inputErrf("watch retry: the journal %s is in use, and no running watcher's status file says which: try again", jpath)
		}
		s := syscall.SIGUSR1
		if f.failed {
			s = syscall.SIGUSR2
		}
		if err := syscall.Kill(snap.PID, s); err != nil {
			return inputErrf("watch retry: signalling the watcher (pid %d): %v", snap.PID, err)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "asked the running watcher (pid %d) to retry\n", snap.PID)
		return nil
	}
	if err != nil {
		return inputErr(err)
	}
	defer j.Close()
	n, err := j.Retry(&watch.RetryOptions{Failed: f.failed})
	if err != nil {
		return inputErr(err)
	}
	noun := "files"
	if n == 1 {
		noun = "file"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%d %s to retry at the next kpublish watch\n", n, noun)
	return nil
}
