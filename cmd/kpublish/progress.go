package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/kpublish/kpublish/publish"
)

// A copy shows a bar when it moves more than barMinBytes or more than
// barMinFiles files (issue 11: copies over 100 MB, sequences over 100
// frames); an upload (a preview) when it sends more than barMinUpload.
const (
	barMinBytes  = 100 << 20
	barMinFiles  = 100
	barMinUpload = 1 << 20
)

// barProgress draws a publish's stages (copying, uploading) as a progress
// bar on a terminal, with github.com/vbauerster/mpb/v8: the bar is drawn
// by mpb's own goroutine at a fixed rate, so the copy workers that call
// Add never wait for the terminal. Stages too small to be worth a bar
// (see barMinBytes) draw nothing.
type barProgress struct {
	out io.Writer

	mu    sync.Mutex
	p     *mpb.Progress
	bar   *mpb.Bar
	total int64
	files int
	done  atomic.Int64
}

// newProgress returns the progress the publish commands report to:
// a bar on stderr when it is a terminal, nil (silent) when it is not,
// with --json, or with --no-progress.
func newProgress(stderr io.Writer, jsonOut, noProgress bool) publish.Progress {
	if jsonOut || noProgress || !isTerminal(stderr) {
		return nil
	}
	return &barProgress{out: stderr}
}

// isTerminal reports whether w is a terminal with a size (a terminal of
// 0 rows, as script(1) makes, shows no bar).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false
	}
	cols, rows, err := term.GetSize(int(f.Fd()))
	return err == nil && cols > 0 && rows > 0
}

// Start begins a stage, drawing a bar when it is large enough.
func (b *barProgress) Start(label string, total int64, files int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stop()
	big := total > barMinBytes || files > barMinFiles
	if label == "uploading" {
		big = total > barMinUpload
	}
	if !big || total <= 0 {
		return
	}
	b.total, b.files = total, files
	b.done.Store(0)
	b.p = mpb.New(mpb.WithOutput(b.out), mpb.WithWidth(40), mpb.WithRefreshRate(150*time.Millisecond))
	counters := []decor.Decorator{
		decor.Name(label, decor.WC{C: decor.DindentRight | decor.DextraSpace}),
		decor.CountersKibiByte("% .1f / % .1f", decor.WC{C: decor.DextraSpace}),
	}
	if files > 1 {
		counters = append(counters, decor.Any(func(decor.Statistics) string {
			return fmt.Sprintf("%d/%d files", b.done.Load(), files)
		}, decor.WC{C: decor.DextraSpace}))
	}
	// Made with total 0, then given its total: the bar completes when
	// Finish says so, after the last FileDone, not at its last byte.
	b.bar = b.p.New(0, mpb.BarStyle().Lbound("[").Rbound("]"),
		mpb.PrependDecorators(counters...),
		mpb.AppendDecorators(
			decor.Percentage(decor.WC{W: 5}),
			decor.AverageSpeed(decor.SizeB1024(0), " % .1f", decor.WC{C: decor.DextraSpace}),
			decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WC{C: decor.DextraSpace}), " done"),
		))
	b.bar.SetTotal(total, false)
}

// Add moves the bar n bytes on.
func (b *barProgress) Add(n int64) {
	b.mu.Lock()
	bar := b.bar
	b.mu.Unlock()
	if bar != nil {
		bar.IncrInt64(n)
	}
}

// FileDone counts one more file.
func (b *barProgress) FileDone() { b.done.Add(1) }

// Finish ends the stage: a bar that reached its total is shown complete,
// one that did not (a failure) stays as it stopped.
func (b *barProgress) Finish() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stop()
}

func (b *barProgress) stop() {
	if b.bar == nil {
		return
	}
	if b.bar.Current() >= b.total {
		b.bar.SetTotal(-1, true)
	} else {
		b.bar.Abort(false)
	}
	b.p.Wait()
	b.p, b.bar = nil, nil
}

// holdProgress is a test-only hook (KPUBLISH_TEST_HOLD=FILE): when the
// first stage other than an upload finishes (the copy), it creates FILE
// and waits until FILE is removed (five minutes at most), so a test can
// stop Kitsu between a publish's copy and its registration. It passes
// everything on to next (which may be nil).
type holdProgress struct {
	next publish.Progress
	file string
	once sync.Once
	// stage is the label of the stage running.
	stage atomic.Value
}

// withTestHold wraps p with the KPUBLISH_TEST_HOLD hook when that
// variable is set; otherwise it returns p.
func withTestHold(p publish.Progress) publish.Progress {
	file := os.Getenv("KPUBLISH_TEST_HOLD")
	if file == "" {
		return p
	}
	return &holdProgress{next: p, file: file}
}

func (h *holdProgress) Start(label string, total int64, files int) {
	h.stage.Store(label)
	if h.next != nil {
		h.next.Start(label, total, files)
	}
}

func (h *holdProgress) Add(n int64) {
	if h.next != nil {
		h.next.Add(n)
	}
}

func (h *holdProgress) FileDone() {
	if h.next != nil {
		h.next.FileDone()
	}
}

func (h *holdProgress) Finish() {
	if h.next != nil {
		h.next.Finish()
	}
	label, _ := h.stage.Load().(string)
	if strings.HasPrefix(label, "upload") {
		return
	}
	h.once.Do(func() {
		if err := os.WriteFile(h.file, []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644); err != nil {
			return
		}
		deadline := time.Now().Add(5 * time.Minute)
		for time.Now().Before(deadline) {
			if _, err := os.Stat(h.file); os.IsNotExist(err) {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
