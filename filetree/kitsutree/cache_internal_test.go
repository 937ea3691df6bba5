package kitsutree

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCacheEntries: entries round-trip, answer only for their own key,
// and many writers of one key leave one whole entry.
func TestCacheEntries(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	c, err := OpenCache(dir)
	require.NoError(t, err)
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	require.NoError(t, c.put("h\x00software\x00Maya", &record{ID: "x", Name: "Maya"}, now))
	var r record
	written, ok, err := c.get("h\x00software\x00Maya", &r)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, record{ID: "x", Name: "Maya"}, r)
	assert.True(t, now.Equal(written))
	_, ok, err = c.get("other\x00software\x00Maya", &r)
	require.NoError(t, err)
	assert.False(t, ok, "another host's key")

	// An entry moved under another key's name does not answer for it.
	require.NoError(t, os.Rename(c.file("h\x00software\x00Maya"), c.file("h\x00software\x00Blender")))
	_, ok, err = c.get("h\x00software\x00Blender", &r)
	require.NoError(t, err)
	assert.False(t, ok)

	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			assert.NoError(t, c.put("h\x00k\x00same", &record{ID: fmt.Sprint(i), Name: fmt.Sprintf("writer %d", i)}, now))
			var r record
			_, _, err := c.get("h\x00k\x00same", &r)
			assert.NoError(t, err)
		})
	}
	wg.Wait()
	data, err := os.ReadFile(c.file("h\x00k\x00same"))
	require.NoError(t, err)
	var e entry
	require.NoError(t, json.Unmarshal(data, &e), "one whole entry")
	_, ok, err = c.get("h\x00k\x00same", &r)
	require.NoError(t, err)
	assert.True(t, ok)
	left, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	assert.Empty(t, left)
}

// TestCacheFolderRefused: an existing folder open to others is refused,
// and so is a file in place of the folder.
func TestCacheFolderRefused(t *testing.T) {
	_, err := OpenCache(t.TempDir()) // 0755
	require.ErrorIs(t, err, ErrUnsafeCache)
	assert.ErrorContains(t, err, "want no access for group and others")
	f := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(f, nil, 0o600))
	_, err = OpenCache(f)
	require.ErrorIs(t, err, ErrUnsafeCache)
	assert.ErrorContains(t, err, "is not a folder")
	t.Setenv(CacheDirEnv, "/somewhere/else")
	d, err := DefaultCacheDir()
	require.NoError(t, err)
	assert.Equal(t, "/somewhere/else", d)
}
