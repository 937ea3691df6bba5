package watch

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The journal is a bbolt file (one writer, transactions fsynced on
// commit, readable after a SIGKILL at any point): kept because it is a
// single pure-Go file with no server, crash-safe by design, and fast
// enough that one commit per batch of files costs one fsync.
//
// Buckets:
//
//	entries  key → Entry (JSON)
//	due      next try (8 bytes, big-endian Unix ns) + key → nothing, for
//	         every pending entry: the registration queue, in order
//	counts   root + "\x00" + state → count (8 bytes)
//	meta     "version" → "1"
var (
	bucketEntries = []byte("entries")
	bucketDue     = []byte("due")
	bucketCounts  = []byte("counts")
	bucketMeta    = []byte("meta")
)

const journalVersion = "1"

// State is where a journaled file is in its registration.
type State string

// The states of a journal entry.
const (
	// StatePending: complete on disk, waiting for (or retrying) its
	// registration.
	StatePending State = "pending"
	// StateRegistered: the Registrar confirmed it.
	StateRegistered State = "registered"
	// StateFailed: the Registrar refused it for good, or it failed
	// Options.MaxAttempts times; Retry puts it back in the queue.
	StateFailed State = "failed"
	// StateIgnored: the Registrar said it is not for Kitsu (for example
	// the project's tree does not describe it).
	StateIgnored State = "ignored"
)

var allStates = []State{StatePending, StateRegistered, StateFailed, StateIgnored}

// Kind says whether an entry is one file or an image sequence.
type Kind string

// The kinds of entries.
const (
	KindFile     Kind = "file"
	KindSequence Kind = "sequence"
)

// Entry is one journaled file or image sequence.
type Entry struct {
	// Key identifies the entry: the file's path, or the sequence's
	// template "dir/name.#.exr" (publish.Sequence.Template with
	// PadHash: "#" is 4 digits, "@@@" 3).
	Key  string `json:"key"`
	Root string `json:"root"` // the watched root it was found under
	Kind Kind   `json:"kind"`
	// Path is the file, or the sequence's canonical form
	// "dir/name.1001-1100#.exr" (publish.Sequence.String), which
	// publish.FindSequence reads back.
	Path      string    `json:"path"`
	Frames    string    `json:"frames,omitempty"` // the sequence's frame range
	Size      int64     `json:"size"`             // bytes; a sequence's total
	ModTime   time.Time `json:"mtime"`            // a sequence's latest
	State     State     `json:"state"`
	Attempts  int       `json:"attempts"`             // registrations tried for this version
	LastError string    `json:"last_error,omitempty"` // of the last failed try
	NextTry   time.Time `json:"next_try,omitzero"`    // pending only
	Detail    string    `json:"detail,omitempty"`     // what the Registrar said it did
	Seen      time.Time `json:"seen"`                 // when this version was journaled
	Updated   time.Time `json:"updated"`
}

// sameVersion reports whether e records the file as it is in it.
func (e *Entry) sameVersion(it *item) bool {
	return e.Root == it.root && e.Size == it.size && e.ModTime.Equal(it.mtime) && e.Frames == it.frames && e.Path == it.path
}

// Counts are the entries of one root in each state.
type Counts struct {
	Pending    int `json:"pending"`
	Registered int `json:"registered"`
	Failed     int `json:"failed"`
	Ignored    int `json:"ignored"`
}

func (c *Counts) add(s State, n int) {
	switch s {
	case StatePending:
		c.Pending += n
	case StateRegistered:
		c.Registered += n
	case StateFailed:
		c.Failed += n
	case StateIgnored:
		c.Ignored += n
	}
}

// Journal is the durable queue of files to register. One process at a
// time opens it (a second OpenJournal waits JournalOptions.Timeout, then
// fails with ErrJournalLocked).
type Journal struct {
	db      *bolt.DB
	path    string
	commits atomic.Int64 // write transactions committed (each one fsync)
}

// JournalOptions are the optional settings of OpenJournal.
type JournalOptions struct {
	// Timeout is how long to wait for another process to release the
	// journal; 0 means 1 s.
	Timeout time.Duration
	// ReadOnly opens the journal for reading (status) only.
	ReadOnly bool
}

// DefaultJournalPath returns where a user's journal lives by default:
// $XDG_STATE_HOME/kpublish/watch.db (~/.local/state/kpublish/watch.db)
// on Linux and the BSDs, the user's cache folder elsewhere
// (~/Library/Caches/kpublish/watch.db, %LocalAppData%\kpublish\watch.db).
func DefaultJournalPath() (string, error) {
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "android", "plan9":
	default:
		if d := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(d) {
			return filepath.Join(d, "kpublish", "watch.db"), nil
		}
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "state", "kpublish", "watch.db"), nil
		}
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("watch: no default journal path: %w", err)
	}
	return filepath.Join(d, "kpublish", "watch.db"), nil
}

// ErrJournalLocked matches the error of a journal held by another
// process.
var ErrJournalLocked = errors.New("watch: journal in use by another process")

// ErrJournal matches every error about a journal file that is not one.
var ErrJournal = errors.New("watch: bad journal")

// OpenJournal opens the journal at path, creating it (and its folder,
// private to the user) when missing.
func OpenJournal(path string, opts *JournalOptions) (*Journal, error) {
	if opts == nil {
		opts = &JournalOptions{}
	}
	if path == "" {
		return nil, fmt.Errorf("%w: empty path: want a file path", ErrJournal)
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is a folder: want the path of a journal file (watch.db)", ErrJournal, path)
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = time.Second
	}
	if !opts.ReadOnly {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("watch: journal folder: %w", err)
		}
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: opts.ReadOnly})
	if err != nil {
		if errors.Is(err, bolt.ErrTimeout) {
			return nil, fmt.Errorf("%w: %s (another watcher, or a status or retry, holds it)", ErrJournalLocked, path)
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrJournal, path, err)
	}
	j := &Journal{db: db, path: path}
	if opts.ReadOnly {
		err = db.View(func(tx *bolt.Tx) error { return checkVersion(tx, path) })
	} else {
		err = db.Update(func(tx *bolt.Tx) error {
			for _, b := range [][]byte{bucketEntries, bucketDue, bucketCounts} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			meta, err := tx.CreateBucketIfNotExists(bucketMeta)
			if err != nil {
				return err
			}
			if meta.Get([]byte("version")) == nil {
				return meta.Put([]byte("version"), []byte(journalVersion))
			}
			return checkVersion(tx, path)
		})
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return j, nil
}

func checkVersion(tx *bolt.Tx, path string) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil || tx.Bucket(bucketEntries) == nil || tx.Bucket(bucketDue) == nil || tx.Bucket(bucketCounts) == nil {
		return fmt.Errorf("%w: %s: not a kpublish watch journal (buckets missing)", ErrJournal, path)
	}
	if v := string(meta.Get([]byte("version"))); v != journalVersion {
		return fmt.Errorf("%w: %s: version %q: want %q", ErrJournal, path, v, journalVersion)
	}
	return nil
}

// Path returns the journal's file.
func (j *Journal) Path() string { return j.path }

// Close closes the journal; every committed change is on disk.
func (j *Journal) Close() error { return j.db.Close() }

func dueKey(t time.Time, key string) []byte {
	b := make([]byte, 8+len(key))
	ns := t.UnixNano()
	if ns < 0 {
		ns = 0
	}
	binary.BigEndian.PutUint64(b, uint64(ns))
	copy(b[8:], key)
	return b
}

func countKey(root string, s State) []byte {
	return append(append([]byte(root), 0), s...)
}

func bump(tx *bolt.Tx, root string, s State, n int) error {
	b := tx.Bucket(bucketCounts)
	k := countKey(root, s)
	var v int64
	if old := b.Get(k); len(old) == 8 {
		v = int64(binary.BigEndian.Uint64(old))
	}
	v += int64(n)
	if v <= 0 {
		return b.Delete(k)
	}
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], uint64(v))
	return b.Put(k, buf[:])
}

func getEntry(tx *bolt.Tx, key string) (*Entry, error) {
	v := tx.Bucket(bucketEntries).Get([]byte(key))
	if v == nil {
		return nil, nil
	}
	var e Entry
	if err := json.Unmarshal(v, &e); err != nil {
		return nil, fmt.Errorf("%w: entry %q: %w", ErrJournal, key, err)
	}
	e.Key = key
	return &e, nil
}

// putEntry writes e, keeping the due index and the counts in step with
// old (the entry it replaces, nil when new).
func putEntry(tx *bolt.Tx, old, e *Entry) error {
	due := tx.Bucket(bucketDue)
	if old != nil {
		if old.State == StatePending {
			if err := due.Delete(dueKey(old.NextTry, old.Key)); err != nil {
				return err
			}
		}
		if err := bump(tx, old.Root, old.State, -1); err != nil {
			return err
		}
	}
	if e == nil {
		return tx.Bucket(bucketEntries).Delete([]byte(old.Key))
	}
	if e.State == StatePending {
		if err := due.Put(dueKey(e.NextTry, e.Key), nil); err != nil {
			return err
		}
	} else {
		e.NextTry = time.Time{}
	}
	if err := bump(tx, e.Root, e.State, 1); err != nil {
		return err
	}
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketEntries).Put([]byte(e.Key), v)
}

// item is a complete file or sequence, as the settle step hands it over.
type item struct {
	root, key, path, frames string
	kind                    Kind
	size                    int64
	mtime                   time.Time
	problem                 string // set: journaled as failed at once (a refused sequence)
}

// add journals complete files in one transaction (one fsync): a file
// already journaled as it is now is left alone, whatever its state; a
// new one, or a new version of one, becomes pending, due at once. It
// returns how many became pending.
func (j *Journal) add(items []item, now time.Time) (int, error) {
	n := 0
	j.commits.Add(1)
	err := j.db.Update(func(tx *bolt.Tx) error {
		n = 0
		for i := range items {
			it := &items[i]
			old, err := getEntry(tx, it.key)
			if err != nil {
				return err
			}
			if old != nil && old.sameVersion(it) && (it.problem == "" || old.State == StateFailed) {
				continue
			}
			e := &Entry{Key: it.key, Root: it.root, Kind: it.kind, Path: it.path, Frames: it.frames,
				Size: it.size, ModTime: it.mtime, State: StatePending, NextTry: now, Seen: now, Updated: now}
			if it.problem != "" {
				e.State, e.LastError = StateFailed, it.problem
			} else {
				n++
			}
			if err := putEntry(tx, old, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("watch: journal %s: %w", j.path, err)
	}
	j.commits.Add(1)
	return n, nil
}

// known reports, for each item, whether the journal holds it as it is
// (same root, path, size, time and frames) in any state.
func (j *Journal) known(items []item) ([]bool, error) {
	out := make([]bool, len(items))
	err := j.db.View(func(tx *bolt.Tx) error {
		for i := range items {
			e, err := getEntry(tx, items[i].key)
			if err != nil {
				return err
			}
			out[i] = e != nil && e.sameVersion(&items[i])
		}
		return nil
	})
	return out, err
}

// Get returns the entry of key (a file's path or a sequence's template).
func (j *Journal) Get(key string) (Entry, bool, error) {
	var e *Entry
	err := j.db.View(func(tx *bolt.Tx) error {
		var err error
		e, err = getEntry(tx, key)
		return err
	})
	if err != nil || e == nil {
		return Entry{}, false, err
	}
	return *e, true, nil
}

// due returns up to limit pending entries whose next try is not after
// now, soonest first, leaving out the keys in skip; and the time of the
// next one after now (zero when none).
func (j *Journal) due(now time.Time, limit int, skip func(string) bool) ([]Entry, time.Time, error) {
	var out []Entry
	var next time.Time
	err := j.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDue).Cursor()
		end := uint64(now.UnixNano())
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if len(k) < 8 {
				continue
			}
			if t := binary.BigEndian.Uint64(k[:8]); t > end {
				next = time.Unix(0, int64(t))
				return nil
			}
			key := string(k[8:])
			if skip != nil && skip(key) {
				continue
			}
			if len(out) == limit {
				next = now
				return nil
			}
			e, err := getEntry(tx, key)
			if err != nil {
				return err
			}
			if e == nil || e.State != StatePending {
				continue
			}
			out = append(out, *e)
		}
		return nil
	})
	return out, next, err
}

// result is what came of one registration try.
type result struct {
	entry   Entry // as it was handed to the Registrar
	outcome Outcome
	err     error
	// Set when the file was not handed over: gone (deleted since it was
	// journaled), or changed (written again: it settles anew).
	gone, changed bool
	// retryAt is when a failed try is tried again; failed: no more tries.
	retryAt time.Time
	failed  bool
	// abandoned: cut short by a stop; the entry is left as it was.
	abandoned bool
}

// finish records results in one transaction. A result for an entry that
// was replaced meanwhile by a newer version of the file is dropped: the
// newer version stays pending.
func (j *Journal) finish(results []result, now time.Time) error {
	j.commits.Add(1)
	err := j.db.Update(func(tx *bolt.Tx) error {
		for i := range results {
			r := &results[i]
			old, err := getEntry(tx, r.entry.Key)
			if err != nil {
				return err
			}
			if old == nil || old.State != StatePending || !old.ModTime.Equal(r.entry.ModTime) ||
				old.Size != r.entry.Size || old.Frames != r.entry.Frames || old.Path != r.entry.Path {
				continue
			}
			e := *old
			e.Updated = now
			switch {
			case r.gone:
				if err := putEntry(tx, old, nil); err != nil {
					return err
				}
				continue
			case r.changed:
				e.NextTry = r.retryAt
			case r.err == nil:
				e.Attempts++
				e.State, e.Detail, e.LastError = StateRegistered, r.outcome.Detail, ""
				if r.outcome.Ignored {
					e.State = StateIgnored
				}
			default:
				e.Attempts++
				e.LastError = r.err.Error()
				if r.failed {
					e.State = StateFailed
				} else {
					e.NextTry = r.retryAt
				}
			}
			if err := putEntry(tx, old, &e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("watch: journal %s: %w", j.path, err)
	}
	return nil
}

// Status returns the entries of each root in each state, from the
// journal's counters (no scan).
func (j *Journal) Status() (map[string]Counts, error) {
	out := map[string]Counts{}
	err := j.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCounts).ForEach(func(k, v []byte) error {
			i := bytes.LastIndexByte(k, 0)
			if i < 0 || len(v) != 8 {
				return nil
			}
			root := string(k[:i])
			c := out[root]
			c.add(State(k[i+1:]), int(binary.BigEndian.Uint64(v)))
			out[root] = c
			return nil
		})
	})
	return out, err
}

// Problems returns up to limit entries holding an error (failed, or
// pending after a failed try), the most recently updated first. It reads
// every entry.
func (j *Journal) Problems(limit int) ([]Entry, error) {
	var out []Entry
	err := j.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEntries).ForEach(func(k, v []byte) error {
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("%w: entry %q: %w", ErrJournal, k, err)
			}
			if e.LastError == "" {
				return nil
			}
			e.Key = string(k)
			out = append(out, e)
			return nil
		})
	})
	sort.Slice(out, func(a, b int) bool { return out[a].Updated.After(out[b].Updated) })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, err
}

// Entries returns the entries in state s (every state when s is ""),
// by key. It reads every entry.
func (j *Journal) Entries(s State) ([]Entry, error) {
	var out []Entry
	err := j.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketEntries).ForEach(func(k, v []byte) error {
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("%w: entry %q: %w", ErrJournal, k, err)
			}
			if s == "" || e.State == s {
				e.Key = string(k)
				out = append(out, e)
			}
			return nil
		})
	})
	return out, err
}

// RetryOptions are the optional settings of Retry.
type RetryOptions struct {
	// Failed also puts the failed entries back in the queue, their
	// attempts counted from zero again.
	Failed bool
}

// Retry makes every pending entry waiting out its backoff due now, and
// with opts.Failed the failed ones pending again. It returns how many
// entries it changed. A running Watcher picks them up at its next look
// at the queue (Watcher.Retry wakes it at once).
func (j *Journal) Retry(opts *RetryOptions) (int, error) {
	if opts == nil {
		opts = &RetryOptions{}
	}
	now := time.Now()
	n := 0
	err := j.db.Update(func(tx *bolt.Tx) error {
		n = 0
		var keys []string
		c := tx.Bucket(bucketDue).Cursor()
		end := uint64(now.UnixNano())
		for k, _ := c.Seek(dueKey(now, "")); k != nil; k, _ = c.Next() {
			if len(k) >= 8 && binary.BigEndian.Uint64(k[:8]) > end {
				keys = append(keys, string(k[8:]))
			}
		}
		if opts.Failed {
			err := tx.Bucket(bucketEntries).ForEach(func(k, v []byte) error {
				var e Entry
				if err := json.Unmarshal(v, &e); err != nil {
					return fmt.Errorf("%w: entry %q: %w", ErrJournal, k, err)
				}
				if e.State == StateFailed {
					keys = append(keys, string(k))
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		for _, key := range keys {
			old, err := getEntry(tx, key)
			if err != nil {
				return err
			}
			if old == nil || (old.State != StatePending && old.State != StateFailed) {
				continue
			}
			e := *old
			if e.State == StateFailed {
				e.Attempts = 0
			}
			e.State, e.NextTry, e.Updated = StatePending, now, now
			if err := putEntry(tx, old, &e); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("watch: journal %s: %w", j.path, err)
	}
	j.commits.Add(1)
	return n, nil
}
