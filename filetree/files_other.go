//go:build !unix

package filetree

const oNonblock = 0
