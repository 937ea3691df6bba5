package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
)

// copyBuffer is the size of a copy's reads and writes: small enough that
// a buffer read from the source is still in the CPU's cache when it is
// hashed and written (4 MiB buffers cost twice the kernel time of these
// on 8 MB frames), large enough for few system calls. The kernel's
// read-ahead keeps the disk's reads large.
const copyBuffer = 256 << 10

// copyDepth is the number of buffers in flight between the reading (and
// hashing) goroutine and the writing one.
const copyDepth = 4

// writebackEvery is how many bytes a copy writes before it asks the
// kernel to start writing them to the disk (startWriteback), so that the
// disk works while the copy goes on instead of all at the final fsync.
const writebackEvery = 8 << 20

// buffers holds copy buffers between copies, so that a sequence's frames
// reuse them instead of each allocating (and the kernel zeroing) its own.
var buffers = sync.Pool{New: func() any { b := make([]byte, copyBuffer); return &b }}

func getBuffer() *[]byte  { return buffers.Get().(*[]byte) }
func putBuffer(b *[]byte) { buffers.Put(b) }

// CopyOptions are CopyNoReplace's optional settings; the zero value
// copies with mode 0644, checks the size only and checks no Zou limit.
type CopyOptions struct {
	// Verify re-reads the copy before it is moved into place and checks
	// its hash against the one computed while copying.
	Verify bool
	// ReadOnly publishes the file with mode 0444 (Perm without its write
	// bits).
	ReadOnly bool
	// Perm is the published file's mode; 0 means 0644.
	Perm os.FileMode
	// Record, when not NoRecord, checks the source's size and the
	// target's path against Zou's limits for that record (CheckLimits)
	// before anything is written.
	Record Kind
	// Progress, when set, is called with the number of bytes written
	// after each write of the copy (not of a Verify re-read). It may be
	// called from several goroutines when copies run in parallel.
	Progress func(n int64)
}

// Result is a published file.
type Result struct {
	Path     string // the published file
	Sum             // its size and hash, computed while copying
	Verified bool   // whether it was re-read and hashed again (CopyOptions.Verify)
}

// CopyNoReplace publishes a copy of src (a regular file of the store's
// filesystem, anywhere) as dst (under the root), never replacing a file
// of that name: if dst exists, before or at the last moment, it returns
// an *ExistsError (ErrExists) and dst is untouched.
//
// The copy is written to a temporary file beside dst (TempInfix), hashed
// while it is copied (the source is read once), synced, checked (its
// size; its hash again with Verify), then moved into place with a
// no-replace primitive: on Linux renameat2(RENAME_NOREPLACE); where the
// filesystem lacks it a hard link then removal of the temporary file
// (link fails on an existing name); where links are refused too an
// exclusive create of dst filled from the temporary file (the one case
// in which a reader can see dst before it is complete). The folder is
// then synced. On filesystems other than the real disk the move is a
// rename under the store's mutex after a check that dst is absent.
//
// On any failure, and when ctx is done, nothing is left under dst's name
// and the temporary file is removed. Missing folders of dst are created.
func (s *Store) CopyNoReplace(ctx context.Context, src, dst string, opts *CopyOptions) (Result, error) {
	if opts == nil {
		opts = &CopyOptions{}
	}
	abs, err := s.target(dst, false)
	if err != nil {
		return Result{}, err
	}
	if IsClaimFile(abs) || IsTempFile(abs) {
		return Result{}, &PathError{Path: dst, Root: s.root, Problem: "is a claim or temporary file's name"}
	}
	if p := badChars(src); p != "" {
		return Result{}, fmt.Errorf("publish: copy source %q %s", src, p)
	}
	perm := opts.Perm & fs.ModePerm
	if perm == 0 {
		perm = 0o644
	}
	if opts.ReadOnly {
		perm &^= 0o222
	}
	in, err := s.fs.Open(src)
	if err != nil {
		return Result{}, fmt.Errorf("publish: copy %q: %w", src, err)
	}
	defer in.Close()
	fi, err := in.Stat()
	if err != nil {
		return Result{}, fmt.Errorf("publish: copy %q: %w", src, err)
	}
	if !fi.Mode().IsRegular() {
		return Result{}, fmt.Errorf("publish: copy %q: not a regular file (%v): want a file", src, fi.Mode().Type())
	}
	size := fi.Size()
	if err := CheckLimits(opts.Record, Fields{Path: abs, Size: size}); err != nil {
		return Result{}, err
	}
	if ok, err := s.exists(abs); err != nil {
		return Result{}, fmt.Errorf("publish: copy to %q: %w", dst, err)
	} else if ok {
		return Result{}, &ExistsError{Path: abs, Op: "copy"}
	}
	if err := s.mkParent(dst, abs); err != nil {
		return Result{}, err
	}

	tmp := tempPath(abs)
	out, err := s.createExcl(tmp, 0o600)
	if err != nil {
		return Result{}, fmt.Errorf("publish: copy to %q: creating %q: %w", dst, tmp, err)
	}
	done := false
	defer func() {
		if !done {
			_ = out.Close()
			_ = s.fs.Remove(tmp)
		}
	}()
	fail := func(what string, err error) (Result, error) {
		return Result{}, fmt.Errorf("publish: copy %q to %q: %s: %w", src, dst, what, err)
	}

	h := newHasher()
	n, cerr := copyHashing(ctx, out, in, h, opts.Progress)
	if cerr != nil {
		return fail(cerr.what, cerr.err)
	}
	sum := h.sum(n)
	if n != size {
		return fail("checking", fmt.Errorf("%w: read %d bytes, the source was %d bytes when opened (it changed during the copy)", ErrVerify, n, size))
	}
	if err := out.Sync(); err != nil {
		return fail("syncing "+tmp, err)
	}
	if err := out.Close(); err != nil {
		return fail("closing "+tmp, err)
	}
	if tfi, err := s.fs.Stat(tmp); err != nil {
		return fail("checking", err)
	} else if tfi.Size() != n {
		return fail("checking", fmt.Errorf("%w: the copy has %d bytes, want %d", ErrVerify, tfi.Size(), n))
	}
	res := Result{Path: abs, Sum: sum}
	if opts.Verify {
		again, err := HashFile(s.fs, tmp)
		if err != nil {
			return fail("verifying", err)
		}
		if again != sum {
			return fail("verifying", fmt.Errorf("%w: re-read hash %s, copied %s", ErrVerify, again.Hex, sum.Hex))
		}
		res.Verified = true
	}
	if err := s.fs.Chmod(tmp, perm); err != nil {
		return fail("setting the mode of "+tmp, err)
	}
	if err := ctx.Err(); err != nil {
		return fail("cancelled", err)
	}
	if err := s.moveNoReplace(tmp, abs, perm); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return Result{}, &ExistsError{Path: abs, Op: "copy"}
		}
		return fail("moving into place", err)
	}
	done = true
	if s.real {
		if err := syncDir(filepath.Dir(abs)); err != nil {
			return res, fmt.Errorf("publish: %q is published but syncing its folder failed: %w", abs, err)
		}
	}
	return res, nil
}

// moveNoReplace moves tmp to dst unless dst exists (an error matching
// fs.ErrExist). tmp is gone afterwards unless an error is returned.
func (s *Store) moveNoReplace(tmp, dst string, perm os.FileMode) error {
	if !s.real {
		emulated.Lock()
		defer emulated.Unlock()
		if _, err := lstat(s.fs, dst); err == nil {
			return &os.LinkError{Op: "rename", Old: tmp, New: dst, Err: fs.ErrExist}
		}
		return s.fs.Rename(tmp, dst)
	}
	err := renameNoReplace(tmp, dst)
	if !errors.Is(err, errUnsupported) {
		return err
	}
	if err = linkNoReplace(tmp, dst); !errors.Is(err, errUnsupported) {
		return err
	}
	return createNoReplace(tmp, dst, perm)
}

// errUnsupported says a primitive is not available on this filesystem.
var errUnsupported = errors.New("not supported by this filesystem")

// linkNoReplace hard-links tmp as dst, then removes tmp.
func linkNoReplace(tmp, dst string) error {
	if err := os.Link(tmp, dst); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		if linkUnsupported(err) {
			return fmt.Errorf("%w: %v", errUnsupported, err)
		}
		return err
	}
	_ = os.Remove(tmp) // a leftover carries TempInfix, for a sweep
	return nil
}

// createNoReplace creates dst exclusively and fills it from tmp, then
// removes tmp; dst is removed again if filling it fails.
func createNoReplace(tmp, dst string, perm os.FileMode) (err error) {
	in, err := os.Open(tmp)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm|0o200)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = out.Close()
			_ = os.Remove(dst)
		}
	}()
	if _, err = io.CopyBuffer(out, in, make([]byte, copyBuffer)); err != nil {
		return err
	}
	if err = out.Sync(); err != nil {
		return err
	}
	if err = out.Close(); err != nil {
		return err
	}
	if err = os.Chmod(dst, perm); err != nil {
		return err
	}
	_ = os.Remove(tmp)
	return nil
}

// syncDir flushes a folder's entries to disk. Windows cannot sync a
// folder (its moves are durable once done).
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errSyncDirUnsupported) {
		return err
	}
	return nil
}

// copyError is a failed copy step: "reading", "writing <temp>",
// "cancelled".
type copyError struct {
	what string
	err  error
}

// copyHashing copies in to out and hashes what it reads, reading the
// next buffer (in a goroutine) while the last one is written, so that
// reads, hashing and writes overlap. Every writebackEvery bytes it asks
// the kernel to start writing out what it wrote (the caller's fsync
// still waits for all of it: this only starts the disk earlier).
func copyHashing(ctx context.Context, out io.Writer, in io.Reader, h hasher, progress func(int64)) (int64, *copyError) {
	type chunk struct {
		buf []byte
		n   int
		err error
	}
	free := make(chan []byte, copyDepth)
	full := make(chan chunk, copyDepth)
	var bufs [copyDepth]*[]byte
	for i := range bufs {
		bufs[i] = getBuffer()
		free <- *bufs[i]
	}
	stop := make(chan struct{})
	go func() {
		defer close(full)
		for {
			var buf []byte
			select {
			case buf = <-free:
			case <-stop:
				return
			}
			k, err := io.ReadFull(in, buf)
			if err == io.ErrUnexpectedEOF {
				err = io.EOF
			}
			if k > 0 {
				h.Write(buf[:k])
			}
			full <- chunk{buf, k, err}
			if err != nil {
				return
			}
		}
	}()
	defer func() {
		close(stop)
		for range full { // let the reader finish before in is closed
		}
		for _, b := range bufs {
			putBuffer(b)
		}
	}()
	var n, started int64
	for c := range full {
		if err := ctx.Err(); err != nil {
			return n, &copyError{"cancelled", err}
		}
		if c.n > 0 {
			if _, err := out.Write(c.buf[:c.n]); err != nil {
				return n, &copyError{"writing " + nameOf(out), err}
			}
			n += int64(c.n)
			if progress != nil {
				progress(int64(c.n))
			}
			if n-started >= writebackEvery {
				startWriteback(out, started, n-started)
				started = n
			}
		}
		if c.err == io.EOF {
			return n, nil
		}
		if c.err != nil {
			return n, &copyError{"reading", c.err}
		}
		free <- c.buf
	}
	return n, nil
}

func nameOf(w io.Writer) string {
	if f, ok := w.(interface{ Name() string }); ok {
		return f.Name()
	}
	return "the copy"
}
