//go:build linux

package publish

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"

	"github.com/spf13/afero"
)

// The sequence benchmark publishes a folder of frames (a render's
// output) with parallel CopyNoReplace workers, as an output publish of a
// sequence does. Its size comes from the environment:
//
//	PUBLISH_BENCH_FRAMES    frames (64; 1000 for the 8 GB figure)
//	PUBLISH_BENCH_FRAME_MB  MiB per frame (8)
//	PUBLISH_BENCH_WORKERS   parallel copies (4, Output's default)
//	PUBLISH_BENCH_SRC       an existing folder of frames to reuse between
//	                        runs (made there when missing)
//	PUBLISH_BENCH_DIR       where the copies go (a temporary folder)
//	PUBLISH_BENCH_DROP=1    drop the page cache before each run (root)
//	PUBLISH_BENCH_VERIFY=0  copy without re-reading (Verify is on otherwise,
//	                        as the output publish copies)
func benchEnvInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("%s %q: want a positive number", name, s)
	}
	return n
}

// benchFrames makes (or finds) n frames of size bytes in dir.
func benchFrames(b *testing.B, dir string, n int, size int64) []string {
	b.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, size)
	names := make([]string, n)
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("frame.%04d.exr", 1001+i))
		names[i] = p
		if fi, err := os.Stat(p); err == nil && fi.Size() == size {
			continue
		}
		rand.Read(buf)
		if err := os.WriteFile(p, buf, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return names
}

// dropCaches writes the dirty pages out and empties the page cache, so
// that a run reads its source from the disk; it needs root.
func dropCaches(b *testing.B) {
	b.Helper()
	syscall.Sync()
	if err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3\n"), 0); err != nil {
		b.Fatalf("PUBLISH_BENCH_DROP: %v (it needs root)", err)
	}
}

func BenchmarkCopySequence(b *testing.B) {
	frames := benchEnvInt(b, "PUBLISH_BENCH_FRAMES", 64)
	size := int64(benchEnvInt(b, "PUBLISH_BENCH_FRAME_MB", 8)) << 20
	workers := benchEnvInt(b, "PUBLISH_BENCH_WORKERS", 4)
	verify := os.Getenv("PUBLISH_BENCH_VERIFY") != "0"
	drop := os.Getenv("PUBLISH_BENCH_DROP") == "1"
	srcDir := os.Getenv("PUBLISH_BENCH_SRC")
	dir := os.Getenv("PUBLISH_BENCH_DIR")
	if dir == "" {
		dir = b.TempDir()
	} else {
		var err error
		if dir, err = os.MkdirTemp(dir, "kpublish-bench-"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
	}
	if srcDir == "" {
		srcDir = filepath.Join(dir, "src")
	}
	srcs := benchFrames(b, srcDir, frames, size)
	s, err := NewStore(afero.NewOsFs(), dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	opts := &CopyOptions{Verify: verify, ReadOnly: true}
	b.SetBytes(int64(frames) * size)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(dir, "pub", fmt.Sprintf("v%03d", i))
		if drop {
			b.StopTimer()
			dropCaches(b)
			b.StartTimer()
		}
		if err := copyFrames(s, srcs, out, workers, opts); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := os.RemoveAll(out); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// copyFrames copies srcs into out with workers parallel CopyNoReplace.
func copyFrames(s *Store, srcs []string, out string, workers int, opts *CopyOptions) error {
	jobs := make(chan string)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for src := range jobs {
				if _, err := s.CopyNoReplace(context.Background(), src, filepath.Join(out, filepath.Base(src)), opts); err != nil {
					errs <- err
					for range jobs {
					}
					return
				}
			}
		})
	}
	for _, src := range srcs {
		jobs <- src
	}
	close(jobs)
	wg.Wait()
	close(errs)
	return <-errs
}
