package watch

import (
	"os"
)

// mountTable returns the mount table of this process.
func mountTable() ([]mount, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseMountInfo(f)
}

// inotifyWatchLimit returns fs.inotify.max_user_watches, 0 when unknown.
func inotifyWatchLimit() (int, error) {
	b, err := os.ReadFile("/proc/sys/fs/inotify/max_user_watches")
	if err != nil {
		return 0, err
	}
	return readLimit(string(b))
}
