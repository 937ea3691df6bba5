//go:build unix

package filetree

import "syscall"

const oNonblock = syscall.O_NONBLOCK
