package publish

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/spf13/afero"
)

// benchSize is the file size of the benchmarks: 64 MiB unless
// PUBLISH_BENCH_MB says otherwise (2048 for the 2 GB figures).
func benchSize(b *testing.B) int64 {
	if s := os.Getenv("PUBLISH_BENCH_MB"); s != "" {
		mb, err := strconv.Atoi(s)
		if err != nil || mb <= 0 {
			b.Fatalf("PUBLISH_BENCH_MB %q: want a positive number of MiB", s)
		}
		return int64(mb) << 20
	}
	return 64 << 20
}

// benchSource writes a random file of size bytes under dir
// (PUBLISH_BENCH_DIR, or a temporary folder).
func benchSource(b *testing.B, size int64) (string, string) {
	b.Helper()
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
	src := filepath.Join(dir, "src.bin")
	f, err := os.Create(src)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 8<<20)
	for left := size; left > 0; left -= int64(len(buf)) {
		rand.Read(buf)
		n := min(left, int64(len(buf)))
		if _, err := f.Write(buf[:n]); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return dir, src
}

func BenchmarkCopyNoReplace(b *testing.B) {
	size := benchSize(b)
	dir, src := benchSource(b, size)
	s, err := NewStore(afero.NewOsFs(), dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		dst := filepath.Join(dir, "pub", fmt.Sprintf("v%03d.bin", i))
		if _, err := s.CopyNoReplace(context.Background(), src, dst, nil); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		os.Remove(dst)
		b.StartTimer()
	}
}

func BenchmarkHash(b *testing.B) {
	size := benchSize(b)
	_, src := benchSource(b, size)
	fsys := afero.NewOsFs()
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		if _, err := HashFile(fsys, src); err != nil {
			b.Fatal(err)
		}
	}
}
