//go:build unix

package publish

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process of that pid runs on this host
// (one of another user counts: signalling it is merely not permitted).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
