package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/spf13/afero"

	"github.com/kpublish/kpublish/filetree"
)

// Store is a folder that publishers write into: every target it claims,
// copies to, or scans must lie under its root. Its methods are safe for
// concurrent use, and the files they write are safe against other
// processes and hosts writing the same folder (exclusive creates and
// no-replace moves).
//
// On the real disk (afero.OsFs) the guarantees are the filesystem's own;
// on any other afero.Fs (afero.MemMapFs in tests) exclusive creates and
// no-replace moves are emulated under one mutex of the process, which
// holds for every writer that goes through this package.
type Store struct {
	fs       afero.Fs
	root     string
	realRoot string // root with its symbolic links resolved (real disk only)
	real     bool
	goos     string
	now      func() time.Time
}

// StoreOptions are NewStore's optional settings; the zero value checks
// no target OS's naming rules and uses the system clock.
type StoreOptions struct {
	// GOOS, when set (linux, darwin or windows), also refuses names the
	// OS cannot hold (Windows: CON, NUL, COM1, trailing dots, ...), with
	// filetree.CheckPath applied to the part of each path under the root.
	GOOS string
	// Now is the clock claims are stamped and judged stale with.
	Now func() time.Time
}

// realDisk is implemented by wrappers of the real disk that want its
// primitives (renameat2, link, fsync of folders).
type realDisk interface{ realDisk() bool }

// emulated serialises exclusive creates and no-replace moves on
// filesystems other than the real disk.
var emulated sync.Mutex

// NewStore returns a Store writing under root, an absolute path to an
// existing folder of fsys.
func NewStore(fsys afero.Fs, root string, opts *StoreOptions) (*Store, error) {
	if fsys == nil {
		return nil, errors.New("publish: NewStore: nil filesystem: want an afero.Fs such as afero.NewOsFs()")
	}
	if opts == nil {
		opts = &StoreOptions{}
	}
	if p := badChars(root); p != "" {
		return nil, &PathError{Path: root, Root: root, Problem: "root " + p}
	}
	if !filepath.IsAbs(root) {
		return nil, &PathError{Path: root, Root: root, Problem: "root is not absolute: want an absolute folder"}
	}
	switch opts.GOOS {
	case "", "linux", "darwin", "windows":
	default:
		return nil, fmt.Errorf("publish: NewStore: GOOS %q: want linux, darwin, windows or empty", opts.GOOS)
	}
	s := &Store{fs: fsys, root: filepath.Clean(root), goos: opts.GOOS, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	switch f := fsys.(type) {
	case *afero.OsFs:
		s.real = true
	case realDisk:
		s.real = f.realDisk()
	}
	fi, err := fsys.Stat(s.root)
	if err != nil {
		return nil, fmt.Errorf("publish: root %q: %w", root, err)
	}
	if !fi.IsDir() {
		return nil, &PathError{Path: root, Root: root, Problem: "root is not a folder"}
	}
	s.realRoot = s.root
	if s.real {
		if s.realRoot, err = filepath.EvalSymlinks(s.root); err != nil {
			return nil, fmt.Errorf("publish: root %q: %w", root, err)
		}
	}
	return s, nil
}

// Root returns the store's root folder.
func (s *Store) Root() string { return s.root }

// Fs returns the store's filesystem.
func (s *Store) Fs() afero.Fs { return s.fs }

// badChars names a NUL or control character of p, or returns "".
func badChars(p string) string {
	if p == "" {
		return "is empty"
	}
	for i, r := range p {
		if r == 0 {
			return fmt.Sprintf("has a NUL byte at byte %d", i)
		}
		if unicode.IsControl(r) {
			return fmt.Sprintf("has control character %U at byte %d", r, i)
		}
	}
	return ""
}

// hasDotDot reports whether a name of p is "..", with / or \ as
// separators (a \ is a separator on Windows shares).
func hasDotDot(p string) bool {
	for _, n := range strings.FieldsFunc(p, func(r rune) bool { return r == '/' || r == '\\' }) {
		if n == ".." {
			return true
		}
	}
	return false
}

// target checks a path to write: absolute, or relative to the root; it
// returns it cleaned and absolute. The root itself is refused unless
// folder is set.
func (s *Store) target(p string, folder bool) (string, error) {
	fail := func(problem string) (string, error) {
		return "", &PathError{Path: p, Root: s.root, Problem: problem}
	}
	if prob := badChars(p); prob != "" {
		return fail(prob)
	}
	if hasDotDot(p) {
		return fail(`has a ".." name: want a path without ".."`)
	}
	abs := p
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(s.root, abs)
	}
	abs = filepath.Clean(abs)
	rel, err := filepath.Rel(s.root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fail("is outside the root")
	}
	if rel == "." && !folder {
		return fail("is the root itself: want a file under it")
	}
	if s.goos != "" && rel != "." {
		if err := filetree.CheckPath(s.goos, osForm(s.goos, rel)); err != nil {
			return fail(err.Error())
		}
	}
	dir := filepath.Dir(abs)
	if folder {
		dir = abs
	}
	if err := s.checkLinks(p, dir); err != nil {
		return "", err
	}
	return abs, nil
}

// osForm is rel under a root of goos, for filetree.CheckPath.
func osForm(goos, rel string) string {
	rel = filepath.ToSlash(rel)
	if goos == "windows" {
		return `C:\` + strings.ReplaceAll(rel, "/", `\`)
	}
	return "/" + rel
}

// checkLinks refuses, on the real disk, a path p whose folder dir (or
// its nearest existing ancestor) resolves through symbolic links outside
// the root. A file's final name is not followed: it is never written
// through (exclusive creates and no-replace moves fail on any existing
// name, links included).
func (s *Store) checkLinks(p, dir string) error {
	if !s.real {
		return nil
	}
	for {
		resolved, err := filepath.EvalSymlinks(dir)
		if err == nil {
			rel, err := filepath.Rel(s.realRoot, resolved)
			if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return &PathError{Path: p, Root: s.root, Problem: fmt.Sprintf("folder %q leads through a symbolic link to %q, outside the root", dir, resolved)}
			}
			return nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("publish: path %q: resolving %q: %w", p, dir, err)
		}
		if len(dir) <= len(s.root) {
			return nil
		}
		dir = filepath.Dir(dir)
	}
}

// mkParent creates the folder of abs (a checked target) and checks the
// links again, now that the folders exist.
func (s *Store) mkParent(p, abs string) error {
	if err := s.fs.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return fmt.Errorf("publish: creating the folder of %q: %w", p, err)
	}
	return s.checkLinks(p, filepath.Dir(abs))
}

// createExcl creates name only if nothing of that name exists.
func (s *Store) createExcl(name string, perm os.FileMode) (afero.File, error) {
	if s.real {
		return s.fs.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
	}
	emulated.Lock()
	defer emulated.Unlock()
	if _, err := lstat(s.fs, name); err == nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: fs.ErrExist}
	}
	return s.fs.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
}

// lstat stats name without following a final symbolic link where fsys
// can.
func lstat(fsys afero.Fs, name string) (os.FileInfo, error) {
	if l, ok := fsys.(afero.Lstater); ok {
		fi, _, err := l.LstatIfPossible(name)
		return fi, err
	}
	return fsys.Stat(name)
}

// exists reports whether name exists (a dangling link counts).
func (s *Store) exists(name string) (bool, error) {
	_, err := lstat(s.fs, name)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, err
}
