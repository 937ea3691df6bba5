package watch

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// tree watches the folders of the inotify roots, and walks roots for
// rescans and polls. Seeing is kept apart from doing: events only feed
// the settle step, and a rescan answers any doubt (an overflow of the
// kernel's queue, a watcher error).
type tree struct {
	w   *Watcher
	fsw *fsnotify.Watcher // nil when every root is polled

	mu        sync.Mutex
	dirs      map[string]uint32 // watched folder → generation of the scan that saw it last
	gen       uint32
	queue     []string // new folders to list, after their watch landed
	full      bool     // a full rescan is wanted
	wake      chan struct{}
	overflows int
	closeOnce sync.Once
	limitLog  time.Time
}

// maxQueue is the most new folders queued for listing; past it one full
// rescan does the work (a burst of folders never grows memory without
// bound).
const maxQueue = 10000

func newTree(w *Watcher) (*tree, error) {
	t := &tree{w: w, dirs: map[string]uint32{}, wake: make(chan struct{}, 1), full: true}
	for _, r := range w.roots {
		if !r.polled() {
			fsw, err := fsnotify.NewBufferedWatcher(4096)
			if err != nil {
				return nil, err
			}
			t.fsw = fsw
			break
		}
	}
	return t, nil
}

func (t *tree) close() {
	t.closeOnce.Do(func() {
		if t.fsw != nil {
			t.fsw.Close()
		}
	})
}

func (t *tree) stats() (int, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.dirs), t.overflows
}

func (t *tree) signal() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// requestFull asks the scan loop for a full rescan of the watched roots.
func (t *tree) requestFull() {
	t.mu.Lock()
	t.full, t.queue = true, nil
	t.mu.Unlock()
	t.signal()
}

// enqueue asks the scan loop to list a new folder (and below).
func (t *tree) enqueue(dir string) {
	t.mu.Lock()
	if !t.full {
		if len(t.queue) >= maxQueue {
			t.full, t.queue = true, nil
		} else {
			t.queue = append(t.queue, dir)
		}
	}
	t.mu.Unlock()
	t.signal()
}

// checkLimit counts the folders of the watched roots against
// fs.inotify.max_user_watches, before watching any.
func (t *tree) checkLimit(ctx context.Context) error {
	if t.fsw == nil {
		return nil
	}
	limit := t.w.limit
	if limit == 0 {
		var err error
		if limit, err = inotifyWatchLimit(); err != nil || limit == 0 {
			return nil // unknown: Add's ENOSPC says it if we hit it
		}
	}
	n := 0
	for _, r := range t.w.roots {
		if r.polled() {
			continue
		}
		stack := []string{r.path}
		for len(stack) > 0 && n <= limit {
			if ctx.Err() != nil {
				return nil
			}
			d := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n++
			entries, err := os.ReadDir(d)
			if err != nil {
				continue
			}
			for _, e := range entries {
				if e.IsDir() {
					p := filepath.Join(d, e.Name())
					if rel, _ := r.rel(p); !t.w.f.excluded(rel, true) {
						stack = append(stack, p)
					}
				}
			}
		}
	}
	if n > limit {
		return watchLimitError(n, limit)
	}
	return nil
}

// rootOf returns the root holding path, nil when none.
func (t *tree) rootOf(path string) (*root, string) {
	for _, r := range t.w.roots {
		if rel, ok := r.rel(path); ok {
			return r, rel
		}
	}
	return nil, ""
}

// addWatch watches dir (once; again with renew, which full rescans set:
// a watch the kernel dropped unseen comes back, at one cheap syscall a
// folder); it returns false when dir cannot be watched.
func (t *tree) addWatch(dir string, renew bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.dirs[dir]; ok && !renew {
		t.dirs[dir] = t.gen
		return true
	}
	if err := t.fsw.Add(dir); err != nil {
		switch {
		case errors.Is(err, syscall.ENOSPC):
			if time.Since(t.limitLog) > time.Minute {
				t.limitLog = time.Now()
				limit, _ := inotifyWatchLimit()
				t.w.log.Error("folder not watched: inotify watch limit reached", "dir", dir,
					"err", watchLimitError(len(t.dirs)+1, limit))
			}
		case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		default:
			t.w.log.Warn("folder not watched", "dir", dir, "err", err)
		}
		return false
	}
	t.dirs[dir] = t.gen
	return true
}

// forget drops the watch of dir, and with subtree those of every folder
// below it: a folder moved away, whose folders inotify would keep
// watching under their old names. A removed folder's watch is gone with
// it (and the folders below it went first, each with its own event).
func (t *tree) forget(dir string, subtree bool) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.dirs[dir]; !ok {
		return false
	}
	delete(t.dirs, dir)
	_ = t.fsw.Remove(dir)
	if subtree {
		p := dir + string(filepath.Separator)
		for d := range t.dirs {
			if strings.HasPrefix(d, p) {
				delete(t.dirs, d)
				_ = t.fsw.Remove(d)
			}
		}
	}
	return true
}

// events reads fsnotify until it is closed. It never blocks on work: a
// stat per event, and new folders are watched here and listed by the
// scan loop.
func (t *tree) events(ctx context.Context) {
	for {
		select {
		case ev, ok := <-t.fsw.Events:
			if !ok {
				return
			}
			t.handle(ev)
		case err, ok := <-t.fsw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				t.mu.Lock()
				t.overflows++
				t.mu.Unlock()
				t.w.log.Warn("inotify event queue overflowed: rescanning")
			} else {
				t.w.log.Warn("watcher error: rescanning", "err", err)
			}
			t.requestFull()
		case <-ctx.Done():
			return
		}
	}
}

func (t *tree) handle(ev fsnotify.Event) {
	r, rel := t.rootOf(ev.Name)
	if r == nil || r.polled() {
		return
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		dir := t.forget(ev.Name, ev.Has(fsnotify.Rename))
		t.w.s.drop(ev.Name, dir && ev.Has(fsnotify.Rename))
		if !ev.Has(fsnotify.Create) {
			return
		}
	}
	if !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Chmod) {
		return
	}
	fi, err := os.Lstat(ev.Name)
	if err != nil {
		t.w.s.drop(ev.Name, false)
		return
	}
	switch {
	case fi.IsDir():
		if ev.Has(fsnotify.Create) && rel != "" && !t.w.f.excluded(rel, true) {
			// Watch first, then list: files made before the watch
			// landed are found by the listing.
			if t.addWatch(ev.Name, false) {
				t.enqueue(ev.Name)
			}
		}
	case fi.Mode().IsRegular():
		if t.w.f.wants(rel) {
			t.w.s.touch(r, ev.Name, fi, true)
		}
	}
}

// scanLoop lists new folders and runs full rescans of the watched roots:
// at start, when asked (overflow, error) and every Options.Rescan.
func (t *tree) scanLoop(ctx context.Context) error {
	var rescan <-chan time.Time
	var timer *time.Timer
	if t.w.rescan > 0 {
		timer = time.NewTimer(jitter(t.w.rescan))
		defer timer.Stop()
		rescan = timer.C
	}
	t.signal()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-rescan:
			timer.Reset(jitter(t.w.rescan))
			t.requestFull()
			continue
		case <-t.wake:
		}
		t.mu.Lock()
		full, queue := t.full, t.queue
		t.full, t.queue = false, nil
		if full {
			t.gen++
		}
		gen := t.gen
		t.mu.Unlock()
		if full {
			for _, r := range t.w.roots {
				if !r.polled() {
					t.walk(ctx, r, r.path, true, true)
				}
			}
			if ctx.Err() != nil {
				return nil
			}
			t.prune(gen)
			t.w.scanned()
			continue
		}
		for _, d := range queue {
			if r, _ := t.rootOf(d); r != nil {
				t.walk(ctx, r, d, true, false)
			}
		}
	}
}

// prune forgets the watched folders a full rescan did not see.
func (t *tree) prune(gen uint32) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for d, g := range t.dirs {
		if g != gen {
			delete(t.dirs, d)
			_ = t.fsw.Remove(d)
		}
	}
}

// walk lists start and every folder below it that is not excluded,
// watching each first when watch is set (again when renew is set), and
// feeds their files to the settle step (or straight to the journal, see
// observe).
func (t *tree) walk(ctx context.Context, r *root, start string, watch, renew bool) {
	var direct []item
	flush := func() {
		if len(direct) > 0 {
			t.w.journal(direct)
			direct = direct[:0]
		}
	}
	stack := []string{start}
	for len(stack) > 0 {
		if ctx.Err() != nil {
			return
		}
		d := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if watch && !t.addWatch(d, renew) {
			if _, err := os.Lstat(d); err != nil {
				continue
			}
		}
		f, err := os.Open(d)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				t.w.log.Warn("folder not listed", "dir", d, "err", err)
			}
			continue
		}
		entries, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			t.w.log.Warn("folder not listed", "dir", d, "err", err)
		}
		var files []fileSeen
		for _, e := range entries {
			p := filepath.Join(d, e.Name())
			rel, _ := r.rel(p)
			switch {
			case e.IsDir():
				if !t.w.f.excluded(rel, true) {
					stack = append(stack, p)
				}
			case e.Type().IsRegular():
				if !t.w.f.wants(rel) {
					continue
				}
				fi, err := e.Info()
				if err != nil {
					continue
				}
				files = append(files, fileSeen{p, fi})
			}
		}
		direct = t.observe(r, d, files, direct)
		if len(direct) >= 512 {
			flush()
		}
	}
	flush()
}

type fileSeen struct {
	path string
	fi   fs.FileInfo
}

// observe handles the files of one folder found by a walk: those the
// journal holds as they are now are done; on a watched (local) root a
// file untouched for longer than the settle window is complete at once;
// others settle. Frames are handled by sequence.
func (t *tree) observe(r *root, dir string, files []fileSeen, direct []item) []item {
	s := t.w.s
	now := time.Now()
	old := func(fi fs.FileInfo) bool { return !r.polled() && now.Sub(fi.ModTime()) > t.w.window }

	var singles []item
	var singleSeen []fileSeen
	type group struct {
		pattern string
		frames  []fileSeen
	}
	groups := map[string]*group{}
	var order []string
	for _, f := range files {
		name := filepath.Base(f.path)
		if base, ext, ok := frameSplit(name, s.exts); ok {
			k := groupKey(dir+string(filepath.Separator), base, ext)
			g := groups[k]
			if g == nil {
				g = &group{pattern: filepath.Join(dir, base+"*"+ext)}
				groups[k] = g
				order = append(order, k)
			}
			g.frames = append(g.frames, f)
			continue
		}
		singles = append(singles, item{root: r.path, kind: KindFile, key: f.path, path: f.path, size: f.fi.Size(), mtime: f.fi.ModTime()})
		singleSeen = append(singleSeen, f)
	}
	if len(singles) > 0 {
		known, err := t.w.j.known(singles)
		if err != nil {
			t.w.log.Error("journal read failed", "err", err)
			return direct
		}
		for i, it := range singles {
			switch fi := singleSeen[i].fi; {
			case known[i]:
			case fi.Size() > 0 && old(fi) && !s.has(it.path):
				direct = append(direct, it)
			default:
				s.touch(r, it.path, fi, false)
			}
		}
	}
	for _, k := range order {
		g := groups[k]
		if !s.hasGroup(k) {
			it, ok := sequenceItem(r, g.frames[0].path, g.pattern, func(string, ...any) {})
			if ok {
				known, err := t.w.j.known([]item{it})
				if err != nil {
					t.w.log.Error("journal read failed", "err", err)
					return direct
				}
				if known[0] {
					continue
				}
				all := true
				for _, f := range g.frames {
					all = all && old(f.fi) && f.fi.Size() > 0
				}
				if all {
					direct = append(direct, it)
					continue
				}
			}
		}
		for _, f := range g.frames {
			s.touch(r, f.path, f.fi, false)
		}
	}
	return direct
}
