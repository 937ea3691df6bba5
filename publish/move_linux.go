//go:build linux

package publish

import (
	"errors"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// renameNoReplace is renameat2(RENAME_NOREPLACE): atomic, and failing
// with EEXIST when dst exists. Filesystems without it (some NFS and FUSE
// mounts, older kernels) give errUnsupported.
func renameNoReplace(tmp, dst string) error {
	err := unix.Renameat2(unix.AT_FDCWD, tmp, unix.AT_FDCWD, dst, unix.RENAME_NOREPLACE)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENOSYS), errors.Is(err, unix.EOPNOTSUPP):
		return fmt.Errorf("%w: renameat2: %v", errUnsupported, err)
	}
	return &os.LinkError{Op: "renameat2", Old: tmp, New: dst, Err: err}
}

// linkUnsupported reports a link refused by the filesystem (FAT, some
// SMB mounts), not for this file.
func linkUnsupported(err error) bool {
	return errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.EMLINK) || errors.Is(err, syscall.ENOSYS)
}

// errSyncDirUnsupported is what fsync of a folder gives where the
// filesystem does not sync folders.
var errSyncDirUnsupported = syscall.EINVAL
