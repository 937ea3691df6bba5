//go:build linux

package publish

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing the n bytes at off of
// f to the disk without waiting for them (sync_file_range with
// SYNC_FILE_RANGE_WRITE). It is a hint for speed, not durability: the
// copy's fsync is what makes the file durable. Files other than the real
// disk's, and errors, are ignored.
func startWriteback(f any, off, n int64) {
	if osf, ok := f.(*os.File); ok {
		_ = unix.SyncFileRange(int(osf.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
	}
}
