//go:build !linux

package watch

// mountTable returns no mounts off Linux: network roots are not
// detected there, set Options.Poll for them.
func mountTable() ([]mount, error) { return nil, nil }

// inotifyWatchLimit returns 0 (no limit known) off Linux.
func inotifyWatchLimit() (int, error) { return 0, nil }
