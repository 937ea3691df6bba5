package watch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/kpublish/kpublish/publish"
)

// File is a complete file, or a complete image sequence, handed to the
// Registrar.
type File struct {
	// Key is the journal's key: the file's path, or the sequence's
	// template "dir/name.#.exr".
	Key  string
	Root string // the watched root it was found under
	// Path is the file, or the sequence's canonical form
	// "dir/name.1001-1100#.exr" (publish.Sequence.String).
	Path    string
	Size    int64     // bytes; a sequence's total
	ModTime time.Time // a sequence's latest
	// Sequence holds the frames of an image sequence, found again on
	// disk just before the call; nil for a single file. A sequence may
	// hold one frame ("texture_v003.png" is frame 3 of "texture_v###"):
	// the Registrar decides from the project's tree what it is.
	Sequence *publish.Sequence
	// Attempt is 1 on the first try of this version of the file.
	Attempt int
}

// Outcome is what the Registrar did with a file.
type Outcome struct {
	// Ignored says the file is not for Kitsu (for example the project's
	// tree does not describe it): journaled as ignored, not retried.
	Ignored bool
	// Detail says what was done, for the journal and the log ("working
	// file revision 3 of task …").
	Detail string
}

// Registrar registers complete files in Kitsu. The watcher calls it at
// least once for every complete file (again after a crash between the
// registration and its journaling), so it must find what an earlier call
// already did and not do it twice: publish's claims and its check of
// what Kitsu holds for a path and revision do that.
//
// An error is retried with backoff, unless it matches ErrPermanent (see
// Permanent). Register is called from several goroutines at once
// (Options.Workers).
type Registrar interface {
	Register(ctx context.Context, f File) (Outcome, error)
}

// RegistrarFunc turns a function into a Registrar.
type RegistrarFunc func(ctx context.Context, f File) (Outcome, error)

// Register calls fn.
func (fn RegistrarFunc) Register(ctx context.Context, f File) (Outcome, error) { return fn(ctx, f) }

// ErrPermanent marks a registration error that retrying cannot cure (an
// ambiguous path, a value Kitsu refuses): the file is journaled as
// failed at once, until Retry with RetryOptions.Failed.
var ErrPermanent = errors.New("watch: refused for good")

// Permanent wraps err so that it matches ErrPermanent.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string        { return e.err.Error() }
func (e *permanentError) Unwrap() error        { return e.err }
func (e *permanentError) Is(target error) bool { return target == ErrPermanent }

// queue drains the journal's due entries through the Registrar: a
// dispatcher hands them to Workers goroutines, whose results a committer
// journals in batches (one commit per batch, not per file).
type queue struct {
	j                      *Journal
	reg                    Registrar
	workers                int
	maxAttempts            int
	minBackoff, maxBackoff time.Duration
	changedDelay           time.Duration // a file written again since it was journaled
	// resettle hands a file written again since it was journaled back to
	// the settle step (its events may have been lost), under its root.
	resettle func(root, path string)
	// fail stops the watcher: the journal cannot be written.
	fail      func(error)
	stopGrace time.Duration
	log       *slog.Logger

	wake     chan struct{}
	mu       sync.Mutex
	inflight map[string]bool
	done     int // registrations confirmed by the Registrar
}

func (q *queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

func (q *queue) isInflight(key string) bool { return q.inflight[key] }

func (q *queue) inflightCount() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.inflight)
}

// commitBatch is the most results journaled in one commit.
const commitBatch = 256

// run registers due entries until ctx is done, then lets the calls in
// flight finish (cancelling them after stopGrace) and journals their
// results.
func (q *queue) run(ctx context.Context) error {
	regCtx, cancelReg := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelReg()
	work := make(chan Entry)
	// Room for two batches, so that the workers go on while one commits
	// (an fsync can take tens of milliseconds on a busy disk).
	results := make(chan result, 2*commitBatch)
	var wg sync.WaitGroup
	for range q.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for e := range work {
				results <- q.try(regCtx, e)
			}
		}()
	}
	commitErr := make(chan error, 1)
	go func() { commitErr <- q.commit(results) }()

	err := q.dispatch(ctx, work)
	close(work)
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(q.stopGrace):
		q.log.Warn("registrations still running at stop: cancelling them", "grace", q.stopGrace)
		cancelReg()
		<-stopped
	}
	close(results)
	if cerr := <-commitErr; err == nil {
		err = cerr
	}
	return err
}

func (q *queue) dispatch(ctx context.Context, work chan<- Entry) error {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		if ctx.Err() != nil {
			return nil
		}
		q.mu.Lock()
		entries, next, err := q.j.due(time.Now(), 64, q.isInflight)
		for _, e := range entries {
			q.inflight[e.Key] = true
		}
		q.mu.Unlock()
		if err != nil {
			return err
		}
		for i, e := range entries {
			select {
			case work <- e:
			case <-ctx.Done():
				q.mu.Lock()
				for _, e := range entries[i:] {
					delete(q.inflight, e.Key)
				}
				q.mu.Unlock()
				return nil
			}
		}
		if len(entries) > 0 {
			continue
		}
		wait := time.Hour
		if !next.IsZero() {
			wait = max(time.Until(next), time.Millisecond)
		}
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-q.wake:
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// commit journals results in batches, then lets the dispatcher see
// their entries again.
func (q *queue) commit(results <-chan result) error {
	var batch []result
	var firstErr error
	flush := func() {
		if len(batch) == 0 {
			return
		}
		err := q.j.finish(batch, time.Now())
		if err != nil && firstErr == nil {
			firstErr = err
			q.log.Error("journal write failed: stopping", "err", err)
			if q.fail != nil {
				q.fail(err)
			}
		}
		q.mu.Lock()
		for _, r := range batch {
			delete(q.inflight, r.entry.Key)
			if err == nil && r.err == nil && !r.gone && !r.changed {
				q.done++
			}
		}
		q.mu.Unlock()
		batch = batch[:0]
		q.signal()
	}
	// Group commit: take every result already there (up to a batch),
	// journal them in one commit, repeat. While a commit's fsync runs the
	// next batch gathers, so a burst costs a commit per fsync time, not
	// per file, and a kill loses the results of about one fsync.
	for {
		r, ok := <-results
		for ok {
			if r.abandoned {
				q.mu.Lock()
				delete(q.inflight, r.entry.Key)
				q.mu.Unlock()
				q.signal()
			} else {
				batch = append(batch, r)
			}
			if len(batch) >= commitBatch {
				break
			}
			select {
			case r, ok = <-results:
				continue
			default:
			}
			break
		}
		flush()
		if !ok {
			return firstErr
		}
	}
}

// backoff returns the wait before try n+1 after n failed ones:
// exponential from minBackoff, capped at maxBackoff, with ±50 % jitter so
// that watchers do not retry in step.
func (q *queue) backoff(n int) time.Duration {
	d := q.minBackoff
	for i := 1; i < n && d < q.maxBackoff; i++ {
		d *= 2
	}
	d = min(d, q.maxBackoff)
	return d/2 + rand.N(d+1)
}

// try hands one entry to the Registrar, after checking that the file is
// still what was journaled.
func (q *queue) try(ctx context.Context, e Entry) result {
	r := result{entry: e}
	f := File{Key: e.Key, Root: e.Root, Path: e.Path, Size: e.Size, ModTime: e.ModTime, Attempt: e.Attempts + 1}
	size, mtime, seq, err := onDisk(e)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		q.log.Info("gone before its registration", "path", e.Path)
		r.gone = true
		return r
	case err == nil && (size != e.Size || !mtime.Equal(e.ModTime)):
		// Written again: the settle step journals the new version.
		r.changed, r.retryAt = true, time.Now().Add(q.changedDelay)
		p := e.Path
		if seq != nil && seq.Len() > 0 {
			p = seq.Path(seq.First())
		}
		if q.resettle != nil {
			q.resettle(e.Root, p)
		}
		return r
	case errors.Is(err, publish.ErrSequence), errors.Is(err, fs.ErrPermission):
		r.err = Permanent(err) // a refused sequence, an unreadable file
	case err != nil:
		r.err = err
	default:
		f.Sequence = seq
		r.outcome, r.err = q.call(ctx, f)
	}
	if r.err == nil {
		q.log.Info("registered", "path", e.Path, "ignored", r.outcome.Ignored, "detail", r.outcome.Detail)
		return r
	}
	if ctx.Err() != nil {
		r.abandoned = true // stopping: the entry stays as it was
		return r
	}
	switch {
	case errors.Is(r.err, ErrPermanent):
		r.failed = true
	case q.maxAttempts > 0 && f.Attempt >= q.maxAttempts:
		r.failed = true
		r.err = fmt.Errorf("%w (after %d attempts)", r.err, f.Attempt)
	}
	if r.failed {
		q.log.Error("registration failed", "path", e.Path, "attempt", f.Attempt, "err", r.err)
		return r
	}
	wait := q.backoff(f.Attempt)
	r.retryAt = time.Now().Add(wait)
	q.log.Warn("registration failed, retrying", "path", e.Path, "attempt", f.Attempt, "in", wait.Round(time.Millisecond), "err", r.err)
	return r
}

// onDisk returns what the entry's file (or frames) is now.
func onDisk(e Entry) (int64, time.Time, *publish.Sequence, error) {
	if e.Kind != KindSequence {
		if fi, err := os.Lstat(e.Path); err != nil {
			return 0, time.Time{}, nil, err
		} else if !fi.Mode().IsRegular() {
			return 0, time.Time{}, nil, fs.ErrNotExist // no longer a file
		}
		fi, err := freshStat(e.Path) // attributes revalidated on network mounts
		if err != nil {
			return 0, time.Time{}, nil, err
		}
		if !fi.Mode().IsRegular() {
			return 0, time.Time{}, nil, fs.ErrNotExist
		}
		return fi.Size(), fi.ModTime(), nil, nil
	}
	seq, err := publish.FindSequence(osFs, e.Path)
	if err != nil {
		return 0, time.Time{}, nil, err
	}
	var size int64
	var mtime time.Time
	for _, p := range seq.Paths() {
		fi, err := os.Lstat(p)
		if err != nil {
			return 0, time.Time{}, nil, err
		}
		size += fi.Size()
		if fi.ModTime().After(mtime) {
			mtime = fi.ModTime()
		}
	}
	return size, mtime, seq, nil
}

// call calls the Registrar, turning a panic into a permanent failure of
// this file: the watcher goes on, and a restart does not hit it again.
func (q *queue) call(ctx context.Context, f File) (out Outcome, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = Permanent(fmt.Errorf("watch: the registrar panicked on %s: %v", f.Path, p))
		}
	}()
	return q.reg.Register(ctx, f)
}
