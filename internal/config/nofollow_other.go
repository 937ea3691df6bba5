//go:build !unix

package config

// syscallNoFollow: no O_NOFOLLOW here.
const syscallNoFollow = 0
