//go:build unix

package config

import "syscall"

// syscallNoFollow makes opening the token cache fail on a symbolic link.
const syscallNoFollow = syscall.O_NOFOLLOW
