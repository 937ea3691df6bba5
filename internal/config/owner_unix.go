//go:build unix

package config

import (
	"io/fs"
	"os"
	"syscall"
)

// ownerOf returns the user's uid and the owner of fi.
func ownerOf(fi fs.FileInfo) (uid, owner int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return os.Geteuid(), int(st.Uid), true
}
