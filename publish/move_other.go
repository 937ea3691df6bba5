//go:build !linux

package publish

import (
	"errors"
	"syscall"
)

// renameNoReplace has no portable form outside Linux: the link
// fallback is used.
func renameNoReplace(tmp, dst string) error { return errUnsupported }

// linkUnsupported reports a link refused by the filesystem, not for
// this file.
func linkUnsupported(err error) bool {
	return errors.Is(err, errors.ErrUnsupported) || errors.Is(err, syscall.EPERM)
}

// errSyncDirUnsupported is what fsync of a folder gives where it is
// not supported.
var errSyncDirUnsupported = errors.ErrUnsupported
