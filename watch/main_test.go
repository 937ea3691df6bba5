package watch

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain runs the child processes of the crash tests when asked to
// by KPUBLISH_WATCH_CHILD.
func TestMain(m *testing.M) {
	switch os.Getenv("KPUBLISH_WATCH_CHILD") {
	case "journal":
		os.Exit(journalChild())
	case "watcher":
		os.Exit(watcherChild())
	}
	os.Exit(m.Run())
}

// journalChild journals KPUBLISH_WATCH_N items in batches of 100 into
// the journal KPUBLISH_WATCH_JOURNAL, printing "committed N" after each
// commit, until killed.
func journalChild() int {
	j, err := OpenJournal(os.Getenv("KPUBLISH_WATCH_JOURNAL"), &JournalOptions{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	n, _ := strconv.Atoi(os.Getenv("KPUBLISH_WATCH_N"))
	out := bufio.NewWriter(os.Stdout)
	now := time.Now()
	for i := 0; i < n; i += 100 {
		var items []item
		for k := i; k < i+100 && k < n; k++ {
			p := fmt.Sprintf("/root/f%06d.ma", k)
			items = append(items, item{root: "/root", kind: KindFile, key: p, path: p, size: int64(k + 1), mtime: now})
		}
		if _, err := j.add(items, now); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Fprintf(out, "committed %d\n", i+len(items))
		out.Flush()
	}
	return 0
}

// watcherChild watches KPUBLISH_WATCH_ROOT with the journal
// KPUBLISH_WATCH_JOURNAL; its registrar appends each key to
// KPUBLISH_WATCH_LOG (standing for Kitsu, which keeps what it was told).
// It stops cleanly on SIGTERM.
func watcherChild() int {
	j, err := OpenJournal(os.Getenv("KPUBLISH_WATCH_JOURNAL"), &JournalOptions{Timeout: 10 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer j.Close()
	logf, err := os.OpenFile(os.Getenv("KPUBLISH_WATCH_LOG"), os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var mu sync.Mutex
	reg := RegistrarFunc(func(ctx context.Context, f File) (Outcome, error) {
		time.Sleep(5 * time.Millisecond) // a registration takes a while
		mu.Lock()
		defer mu.Unlock()
		_, err := logf.WriteString(f.Key + "\n")
		return Outcome{}, err
	})
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	w, err := New([]string{os.Getenv("KPUBLISH_WATCH_ROOT")}, j, reg, &Options{Settle: 100 * time.Millisecond, Logger: log})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := w.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// child starts this test binary as a child of the given kind.
func child(t *testing.T, kind string, env ...string) *childProc {
	t.Helper()
	return startChild(t, kind, env)
}
