package watch

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// DefaultStatusEvery is how often a running watcher rewrites its status
// file (Options.StatusFile).
const DefaultStatusEvery = 5 * time.Second

// StatusSnapshot is what a running watcher writes to Options.StatusFile,
// for a status command in another process: the journal itself is locked
// by the watcher while it runs.
type StatusSnapshot struct {
	PID     int       `json:"pid"`
	Journal string    `json:"journal"`
	Written time.Time `json:"written"`
	Stopped bool      `json:"stopped"` // written by a watcher that stopped cleanly
	Status
	// Problems are the entries holding an error, the latest first (at
	// most StatusProblems).
	Problems []Entry `json:"problems"`
}

// StatusProblems is how many entries with an error a status file lists.
const StatusProblems = 20

// ReadStatusFile reads a status file written by a running (or stopped)
// watcher.
func ReadStatusFile(path string) (*StatusSnapshot, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("watch: status file: %w", err)
	}
	var s StatusSnapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("watch: status file %s: %w", path, err)
	}
	return &s, nil
}

// writeStatus writes the status file atomically: a temporary file in
// the same folder, renamed over it.
func (w *Watcher) writeStatus(stopped bool) error {
	st, err := w.Status()
	if err != nil {
		return err
	}
	snap := StatusSnapshot{PID: os.Getpid(), Journal: w.j.Path(), Written: time.Now(), Stopped: stopped, Status: *st}
	// The problems are read again only once the journal changed: reading
	// them reads every entry.
	if n := w.j.commits.Load(); n != w.problemsAt || w.problems == nil {
		p, err := w.j.Problems(StatusProblems)
		if err != nil {
			return err
		}
		w.problems, w.problemsAt = p, n
	}
	snap.Problems = w.problems
	if snap.Problems == nil {
		snap.Problems = []Entry{}
	}
	b, err := json.MarshalIndent(&snap, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(w.statusFile), "."+filepath.Base(w.statusFile)+".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o600)
	}
	if err == nil {
		err = os.Rename(f.Name(), w.statusFile)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// statusLoop rewrites the status file until ctx is done.
func (w *Watcher) statusLoop(ctx context.Context) {
	t := time.NewTicker(w.statusEvery)
	defer t.Stop()
	for {
		if err := w.writeStatus(false); err != nil {
			w.log.Warn("status file not written", "path", w.statusFile, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
