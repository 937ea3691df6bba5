package watch

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestManyFolders watches many folders (20,000 with
// KPUBLISH_SLOW=1; KPUBLISH_WATCH_DIRS=100000 for the figure of
// the issue, which takes a couple of minutes, mostly making and removing
// the folders) and logs the memory they take and the CPU used while
// idle. The state per folder is one map
// entry here and fsnotify's two; the goal is well under 150 MB.
func TestManyFolders(t *testing.T) {
	n := 0
	if slowTests() {
		n = 20000
	}
	if s := os.Getenv("KPUBLISH_WATCH_DIRS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	if n == 0 {
		t.Skip("set KPUBLISH_SLOW=1 (20,000 folders) or KPUBLISH_WATCH_DIRS=N")
	}
	limit, err := inotifyWatchLimit()
	if err == nil && limit > 0 && limit < n+1000 {
		t.Skipf("fs.inotify.max_user_watches is %d: want more than %d", limit, n+1000)
	}
	root := t.TempDir()
	made := time.Now()
	per := 1000
	for i := 0; i < n; i++ {
		d := filepath.Join(root, fmt.Sprintf("seq%03d", i/per), fmt.Sprintf("shot%04d", i%per))
		require.NoError(t, os.MkdirAll(d, 0o755))
	}
	t.Logf("%d folders made in %v", n, time.Since(made).Round(time.Millisecond))

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	rssBefore := rssKB(t)
	rec := newRecorder()
	opts := fastOptions(t)
	began := time.Now()
	r := start(t, []string{root}, rec, opts)
	scan := time.Since(began)
	st, err := r.w.Status()
	require.NoError(t, err)
	require.GreaterOrEqual(t, st.WatchedDirs, n)

	// Idle: no file changes for a while (after the runtime gave back
	// what the first scan freed).
	debug.FreeOSMemory()
	time.Sleep(time.Second)
	cpu0, wall0 := cpuTime(t), time.Now()
	time.Sleep(5 * time.Second)
	idle := float64(cpuTime(t)-cpu0) / float64(time.Since(wall0)) * 100

	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapInuse) - int64(before.HeapInuse)
	rss := rssKB(t) - rssBefore
	t.Logf("%d folders watched (first scan %v): Go heap +%.1f MB (%d B a folder), RSS +%.1f MB (race detector on: %v), idle CPU %.2f %% of one core",
		st.WatchedDirs, scan.Round(time.Millisecond), float64(heap)/1e6, heap/int64(st.WatchedDirs), float64(rss)/1e3, raceEnabled, idle)
	require.Less(t, heap, int64(150e6), "memory for the watched folders")

	// Still watching: a file in the last folder is seen.
	p := filepath.Join(root, fmt.Sprintf("seq%03d", (n-1)/per), fmt.Sprintf("shot%04d", (n-1)%per), "late.ma")
	writeFile(t, p, "x")
	waitFor(t, time.Minute, "registered", func() bool { return rec.count() == 1 })
	stopped := time.Now()
	r.stop(t)
	t.Logf("stopped in %v", time.Since(stopped).Round(time.Millisecond))
}

// rssKB reads this process's resident set size.
func rssKB(t *testing.T) int64 { return statusKB("VmRSS:") }

// peakRSSKB reads this process's peak resident set size.
func peakRSSKB() int64 { return statusKB("VmHWM:") }

func statusKB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, field) {
			f := strings.Fields(l)
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// cpuTime reads the CPU time (user + system) this process used.
func cpuTime(t *testing.T) time.Duration {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100) // USER_HZ is 100 on Linux
}
