package publish

import (
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
)

// TestOutputBeyond32Bits publishes a 3 GiB file (sparse at the source,
// so the test needs no 3 GiB of writes to make it; the published copy is
// complete) against the real Zou: its record's size, a 32-bit column, is
// 0 and the exact size is in the data. Publishing it again finds it by
// that exact size and hash. It logs the time it takes.
func TestOutputBeyond32Bits(t *testing.T) {
	if testing.Short() {
		t.Skip("copies 3 GiB")
	}
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	src := f.write(t, "big.vdb", "head")
	const size = 3 << 30
	fh, err := os.OpenFile(src, os.O_RDWR, 0)
	require.NoError(t, err)
	require.NoError(t, fh.Truncate(size))
	_, err = fh.WriteAt([]byte("tail"), size-4)
	require.NoError(t, err)
	require.NoError(t, fh.Close())

	start := time.Now()
	res, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}})
	require.NoError(t, err)
	t.Logf("3 GiB published in %v", time.Since(start).Round(time.Millisecond))
	got := res.Files[0]
	fi, err := os.Stat(got.Paths[0])
	require.NoError(t, err)
	assert.Equal(t, int64(size), fi.Size(), "the published file is complete")
	assert.Equal(t, int64(size), got.Sum.Size)
	assert.Equal(t, int64(0), got.OutputFile.Size, "Zou's 32-bit size column holds 0")
	assert.Equal(t, float64(size), got.OutputFile.Data["size"], "the exact size is in the data")
	assert.Equal(t, got.Sum.Hex, got.OutputFile.Checksum)
	assert.Equal(t, got.Sum.Hex, got.OutputFile.Data["sha"])

	start = time.Now()
	again, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}})
	require.NoError(t, err)
	t.Logf("found published again in %v", time.Since(start).Round(time.Millisecond))
	assert.True(t, again.AlreadyPublished)
	assert.Equal(t, res.Revision, again.Revision)
}
