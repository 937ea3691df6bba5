package watch

import (
	"container/heap"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/spf13/afero"

	"github.com/kpublish/kpublish/publish"
)

// DefaultSequenceExtensions are the extensions (lower case, with the
// dot) whose numbered files are frames of an image sequence, handed over
// as one item once no frame changed for the settle window. Numbered
// files of other extensions ("shot_v003.blend") are single files.
var DefaultSequenceExtensions = []string{
	".exr", ".dpx", ".cin", ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".tga", ".hdr",
	".bmp", ".sgi", ".rgb", ".rgba", ".iff", ".jp2", ".webp", ".psd", ".tx", ".vdb",
}

// frameSplit splits a file name around its frame number as
// publish/sequence.go reads it (the last run of digits before the
// extension; a "-" before it is a sign unless a letter or digit precedes
// it), returning the sequence's base and extension; ok is false when
// the name has no frame or its extension is not in exts.
func frameSplit(name string, exts map[string]bool) (base, ext string, ok bool) {
	stem := name
	if i := strings.LastIndexByte(name, '.'); i >= 0 && !allDigits(name[i+1:]) {
		stem, ext = name[:i], name[i:]
	}
	if !exts[strings.ToLower(ext)] {
		return "", "", false
	}
	j := len(stem)
	for j > 0 && stem[j-1] >= '0' && stem[j-1] <= '9' {
		j--
	}
	if j == len(stem) {
		return "", "", false
	}
	base = stem[:j]
	if j > 0 && stem[j-1] == '-' && (j == 1 || !isAlnum(stem[j-2])) {
		base = stem[:j-1]
	}
	return base, ext, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// groupKey names the sequence a frame belongs to while it settles.
func groupKey(dir, base, ext string) string { return dir + "\x00" + base + "\x00" + ext }

// pendingFile is a file seen changing, not yet stable for the window.
type pendingFile struct {
	root      *root
	size      int64
	mtime     time.Time
	changed   time.Time // last event or change seen (monotonic)
	scheduled bool      // one deadline in the heap at most
	group     *pendingGroup
}

// pendingGroup is an image sequence some of whose frames are settling.
type pendingGroup struct {
	key        string
	root       *root
	sample     string // a frame's path, for FindSequence
	pattern    string // dir/base*ext, naming a refused sequence
	pending    int    // frames still settling
	lastChange time.Time
	scheduled  bool
}

type deadline struct {
	at    time.Time
	key   string // a file's path, or a group's key
	group bool
}

type deadlines []deadline

func (h deadlines) Len() int           { return len(h) }
func (h deadlines) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h deadlines) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *deadlines) Push(x any)        { *h = append(*h, x.(deadline)) }
func (h *deadlines) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// settler holds the files whose last change is younger than the settle
// window and hands each over once it has been stable for the window:
// same size and modification time when looked at again, no event in
// between. Files are only stat'ed, never read. Temporaries renamed over
// the final name (Blender's "name@", Qt's "name.XXXXXX") leave it when
// they go, so only the final name is handed over.
type settler struct {
	window, seqWindow time.Duration
	exts              map[string]bool
	done              func([]item) // journals completed items (one commit per call)
	log               func(msg string, args ...any)

	mu     sync.Mutex
	files  map[string]*pendingFile
	groups map[string]*pendingGroup
	heap   deadlines
	wake   chan struct{}
	empty  int // files that settled empty: dropped until they change
}

func newSettler(window, seqWindow time.Duration, exts map[string]bool, done func([]item), log func(string, ...any)) *settler {
	return &settler{window: window, seqWindow: seqWindow, exts: exts, done: done, log: log,
		files: map[string]*pendingFile{}, groups: map[string]*pendingGroup{}, wake: make(chan struct{}, 1)}
}

func (s *settler) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// touch records a file seen at fi. fromEvent says an event reported a
// change: the window starts again even if size and time look the same;
// a scan's observation restarts it only when they differ.
func (s *settler) touch(r *root, path string, fi fs.FileInfo, fromEvent bool) {
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	pf := s.files[path]
	if pf == nil {
		pf = &pendingFile{root: r, size: fi.Size(), mtime: fi.ModTime(), changed: now}
		s.files[path] = pf
		dir, name := filepath.Split(path)
		if base, ext, ok := frameSplit(name, s.exts); ok {
			k := groupKey(dir, base, ext)
			g := s.groups[k]
			if g == nil {
				g = &pendingGroup{key: k, root: r, sample: path, pattern: filepath.Join(dir, base+"*"+ext)}
				s.groups[k] = g
			}
			g.pending++
			g.lastChange = now
			g.sample = path // the newest frame: the likeliest to still be there
			pf.group = g
		}
		s.schedule(deadline{at: now.Add(s.window), key: path})
		pf.scheduled = true
		return
	}
	if !fromEvent && pf.size == fi.Size() && pf.mtime.Equal(fi.ModTime()) {
		return
	}
	pf.size, pf.mtime, pf.changed = fi.Size(), fi.ModTime(), now
	if pf.group != nil {
		pf.group.lastChange = now
	}
}

// schedule pushes a deadline, waking the loop when it is the earliest.
func (s *settler) schedule(d deadline) {
	heap.Push(&s.heap, d)
	if s.heap[0].key == d.key && s.heap[0].at.Equal(d.at) {
		s.signal()
	}
}

// drop forgets path, and with prefix every file below it (a folder
// removed or moved away).
func (s *settler) drop(path string, prefix bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropLocked(path)
	if prefix {
		p := path + string(filepath.Separator)
		for k := range s.files {
			if strings.HasPrefix(k, p) {
				s.dropLocked(k)
			}
		}
	}
}

func (s *settler) dropLocked(path string) {
	pf := s.files[path]
	if pf == nil {
		return
	}
	delete(s.files, path)
	s.leaveGroup(pf, time.Now())
}

// leaveGroup takes a frame out of its group's count; the group is
// checked once its last frame settled.
func (s *settler) leaveGroup(pf *pendingFile, now time.Time) {
	g := pf.group
	if g == nil {
		return
	}
	g.pending--
	if g.pending == 0 && !g.scheduled {
		g.scheduled = true
		s.schedule(deadline{at: maxTime(now, g.lastChange.Add(s.seqWindow)), key: g.key, group: true})
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// pending returns how many files are settling.
func (s *settler) pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.files)
}

// minBatch is the shortest time between two looks at the deadlines, so
// that files settling together are journaled in one commit.
const minBatch = 20 * time.Millisecond

// run checks deadlines until ctx is done.
func (s *settler) run(done <-chan struct{}) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		s.mu.Lock()
		wait := time.Hour
		if len(s.heap) > 0 {
			wait = time.Until(s.heap[0].at)
		}
		s.mu.Unlock()
		if wait > 0 {
			timer.Reset(max(wait, minBatch))
			select {
			case <-done:
				return
			case <-s.wake:
				if !timer.Stop() {
					<-timer.C
				}
				continue
			case <-timer.C:
			}
		}
		s.step(time.Now())
		select {
		case <-done:
			return
		default:
		}
	}
}

type check struct {
	path    string
	changed time.Time
	fresh   bool // on a polled (network) root: see freshStat
}

// freshStat stats path through an open file: on NFS (and SMB) opening a
// file revalidates its cached attributes (close-to-open consistency),
// where a plain stat may return a size cached for up to a minute while
// another host is still writing.
func freshStat(path string) (fs.FileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Stat()
}

// step handles every deadline due at now: files looked at again, groups
// of frames whose last frame settled turned into one sequence item.
func (s *settler) step(now time.Time) {
	var files []check
	var groups []*pendingGroup
	s.mu.Lock()
	for len(s.heap) > 0 && !s.heap[0].at.After(now) {
		d := heap.Pop(&s.heap).(deadline)
		if d.group {
			g := s.groups[d.key]
			if g == nil {
				continue
			}
			g.scheduled = false
			if g.pending > 0 {
				continue
			}
			if at := g.lastChange.Add(s.seqWindow); at.After(now) {
				g.scheduled = true
				heap.Push(&s.heap, deadline{at: at, key: g.key, group: true})
				continue
			}
			delete(s.groups, d.key)
			groups = append(groups, g)
			continue
		}
		pf := s.files[d.key]
		if pf == nil {
			continue
		}
		if at := pf.changed.Add(s.window); at.After(now) {
			heap.Push(&s.heap, deadline{at: at, key: d.key})
			continue
		}
		pf.scheduled = false
		files = append(files, check{d.key, pf.changed, pf.root.polled()})
	}
	s.mu.Unlock()

	// Look at the files again, outside the lock: events keep flowing.
	type seen struct {
		fi  fs.FileInfo
		err error
	}
	stats := make([]seen, len(files))
	for i, c := range files {
		if c.fresh {
			stats[i].fi, stats[i].err = freshStat(c.path)
		} else {
			stats[i].fi, stats[i].err = os.Lstat(c.path)
		}
	}
	var items []item
	s.mu.Lock()
	for i, c := range files {
		pf := s.files[c.path]
		if pf == nil || pf.scheduled {
			continue
		}
		fi, err := stats[i].fi, stats[i].err
		switch {
		case !pf.changed.Equal(c.changed):
			// Touched while we looked: wait for the window again.
		case err != nil || !fi.Mode().IsRegular():
			delete(s.files, c.path) // gone (renamed away: a temporary), or no longer a file
			s.leaveGroup(pf, now)
			continue
		case fi.Size() != pf.size || !fi.ModTime().Equal(pf.mtime):
			// Changed without an event (a write from another host, a lost
			// event): stable for the window from now.
			pf.size, pf.mtime, pf.changed = fi.Size(), fi.ModTime(), now
			if pf.group != nil {
				pf.group.lastChange = now
			}
		case fi.Size() == 0:
			// Empty files wait: its next write brings it back.
			delete(s.files, c.path)
			s.empty++
			s.leaveGroup(pf, now)
			continue
		default:
			delete(s.files, c.path)
			if pf.group != nil {
				s.leaveGroup(pf, now)
				continue
			}
			items = append(items, item{root: pf.root.path, kind: KindFile, key: c.path, path: c.path,
				size: pf.size, mtime: pf.mtime})
			continue
		}
		pf.scheduled = true
		heap.Push(&s.heap, deadline{at: pf.changed.Add(s.window), key: c.path})
	}
	s.mu.Unlock()

	for _, g := range groups {
		if it, ok := sequenceItem(g.root, g.sample, g.pattern, s.log); ok {
			items = append(items, it)
		}
	}
	if len(items) > 0 {
		s.done(items)
	}
}

// osFs is the disk, for publish.FindSequence.
var osFs = afero.NewOsFs()

// sequenceItem finds the sequence of one of its frames on disk and
// makes its item: every frame present, their total size and latest
// time. A sequence publish refuses (two files of one frame, paddings
// that differ) becomes a failed item naming the problem.
func sequenceItem(r *root, sample, pattern string, log func(string, ...any)) (item, bool) {
	seq, err := publish.FindSequence(osFs, sample)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return item{}, false
		}
		log("image sequence refused", "frames", pattern, "err", err)
		return item{root: r.path, kind: KindSequence, key: pattern, path: pattern, problem: err.Error()}, true
	}
	it := item{root: r.path, kind: KindSequence, key: seq.Template(publish.PadHash), path: seq.String(), frames: seq.FrameRange()}
	for _, p := range seq.Paths() {
		fi, err := os.Lstat(p)
		if err != nil {
			return item{}, false // changing under us: its events bring it back
		}
		it.size += fi.Size()
		if fi.ModTime().After(it.mtime) {
			it.mtime = fi.ModTime()
		}
	}
	return it, true
}

// has reports whether path is settling.
func (s *settler) has(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files[path] != nil
}

// hasGroup reports whether frames of the group key are settling.
func (s *settler) hasGroup(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.groups[key] != nil
}
