package watch

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkJournalAdd journals files one commit per file and in batches
// of 256 (what the settle step does in a burst), to show what batching
// saves: each commit is an fsync.
func BenchmarkJournalAdd(b *testing.B) {
	for _, batch := range []int{1, 256} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			j, err := OpenJournal(filepath.Join(b.TempDir(), "j.db"), nil)
			if err != nil {
				b.Fatal(err)
			}
			defer j.Close()
			now := time.Now()
			items := make([]item, 0, batch)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				p := fmt.Sprintf("/r/d%04d/f%06d.ma", i%1000, i)
				items = append(items, item{root: "/r", kind: KindFile, key: p, path: p, size: 1, mtime: now})
				if len(items) == batch || i == b.N-1 {
					if _, err := j.add(items, now); err != nil {
						b.Fatal(err)
					}
					items = items[:0]
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "files/s")
		})
	}
}
