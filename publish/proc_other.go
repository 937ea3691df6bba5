//go:build !unix

package publish

// processAlive cannot tell on this platform: every process is taken for
// alive, and its claims become stale by their timeout only.
func processAlive(pid int) bool { return true }
