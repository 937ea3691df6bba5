package publish

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
)

// CopyJob is one copy of CopyAll: Src to Dst, as CopyNoReplace takes
// them.
type CopyJob struct {
	Src, Dst string
}

// CopyAllOptions are CopyAll's optional settings; the zero value copies
// four files at a time with CopyNoReplace's defaults.
type CopyAllOptions struct {
	// CopyOptions apply to every copy. Their Progress may be called from
	// several goroutines at once.
	CopyOptions
	// Workers is the number of copies run at once; 0 means 4.
	Workers int
	// FileDone, when set, is called once after each file is published;
	// it may be called from several goroutines at once.
	FileDone func()
}

// DefaultCopyWorkers is CopyAll's number of parallel copies when
// CopyAllOptions.Workers is 0.
const DefaultCopyWorkers = 4

// CopyAll publishes every job with CopyNoReplace, at most opts.Workers at
// a time, in the order given. It returns one Result per job, at the
// job's index.
//
// On the first failure the copies still running are cancelled (their
// temporary files removed) and no new one starts; CopyAll returns the
// first error, with the results of the jobs published before it: a job
// that was not published has a zero Result (empty Path). The caller
// knows from them which files it placed. Two jobs with the same Dst are
// refused before anything is copied.
func (s *Store) CopyAll(ctx context.Context, jobs []CopyJob, opts *CopyAllOptions) ([]Result, error) {
	var o CopyAllOptions
	if opts != nil {
		o = *opts
	}
	if o.Workers < 0 {
		return nil, fmt.Errorf("publish: CopyAll: %d workers: want 1 or more, or 0 for %d", o.Workers, DefaultCopyWorkers)
	}
	workers := min(cmp.Or(o.Workers, DefaultCopyWorkers), max(len(jobs), 1))
	seen := make(map[string]int, len(jobs))
	for i, j := range jobs {
		abs, err := s.target(j.Dst, false)
		if err != nil {
			return nil, err
		}
		if k, ok := seen[abs]; ok {
			return nil, fmt.Errorf("publish: CopyAll: jobs %d and %d both copy to %q: want one job a target", k, i, abs)
		}
		seen[abs] = i
	}
	results := make([]Result, len(jobs))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if ctx.Err() != nil {
					continue // stopped: no folder made, no copy begun
				}
				res, err := s.CopyNoReplace(ctx, jobs[i].Src, jobs[i].Dst, &o.CopyOptions)
				if err != nil {
					mu.Lock()
					// A copy cancelled because another failed does not
					// hide the failure.
					if firstErr == nil || errors.Is(firstErr, context.Canceled) && !errors.Is(err, context.Canceled) {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					continue
				}
				results[i] = res
				if o.FileDone != nil {
					o.FileDone()
				}
			}
		}()
	}
feed:
	for i := range jobs {
		if ctx.Err() != nil {
			break // select picks at random when both are ready
		}
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return results, firstErr
	}
	done := 0
	for i := range results {
		if results[i].Path != "" {
			done++
		}
	}
	if done < len(jobs) {
		// The caller's context ended before every job started.
		return results, fmt.Errorf("publish: CopyAll: %d of %d files copied: %w", done, len(jobs), context.Cause(ctx))
	}
	return results, nil
}
