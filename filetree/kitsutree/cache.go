package kitsutree

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// CacheDirEnv names the environment variable that moves the on-disk
// cache (see DefaultCacheDir).
const CacheDirEnv = "KPUBLISH_CACHE_DIR"

// ErrUnsafeCache is matched by the error of OpenCache, and given to
// CacheOptions.Warn, when the cache's folder or one of its files is not
// the user's own or may be read or written by others.
var ErrUnsafeCache = errors.New("kitsutree: the cache is not private to this user")

// DefaultCacheDir returns where the on-disk cache lives: $KPUBLISH_CACHE_DIR
// when set, else kpublish/kitsu in the user's cache folder
// (os.UserCacheDir: ~/.cache on Linux, ~/Library/Caches on macOS,
// %LocalAppData% on Windows).
func DefaultCacheDir() (string, error) {
	if d := os.Getenv(CacheDirEnv); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("kitsutree: no user cache folder (set %s): %w", CacheDirEnv, err)
	}
	return filepath.Join(d, "kpublish", "kitsu"), nil
}

// Cache is the on-disk cache of the records render contexts need, shared
// by every process of the user. Entries are keyed by the Kitsu host and
// the record's kind and id (or name), each in a file of its own (mode
// 0600, in a folder of mode 0700) written to a temporary file in the same
// folder and renamed into place, so a reader never sees half an entry
// and several processes may write at once without a lock. An entry that
// does not decode (torn, corrupt, from another version) is a miss, and is
// rewritten. Entries hold records, never tokens.
//
// A Cache is safe for concurrent use.
type Cache struct {
	dir string
}

// OpenCache opens (creating it, mode 0700, if missing) the cache folder
// dir, or DefaultCacheDir when dir is "". It refuses, with an error
// matching ErrUnsafeCache, a folder that is a symbolic link, is not owned
// by the user, or may be read or written by the group or others.
func OpenCache(dir string) (*Cache, error) {
	if dir == "" {
		d, err := DefaultCacheDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return nil, fmt.Errorf("kitsutree: cache folder %s: %w", dir, err)
	}
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("kitsutree: cache folder %s: %w", dir, err)
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, fmt.Errorf("kitsutree: cache folder %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("%w: %s is not a folder (%s)", ErrUnsafeCache, dir, fi.Mode().Type())
	}
	if err := private(dir, fi); err != nil {
		return nil, err
	}
	return &Cache{dir: dir}, nil
}

// Dir returns the cache's folder.
func (c *Cache) Dir() string { return c.dir }

// private refuses what another user could read or change: a file or
// folder not owned by the user, or open to its group or others.
func private(path string, fi fs.FileInfo) error {
	uid, owner, ok := ownerOf(fi)
	if !ok {
		return nil // no owner nor Unix modes on this platform
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o, want no access for group and others (chmod go-rwx)", ErrUnsafeCache, path, perm)
	}
	if owner != uid {
		return fmt.Errorf("%w: %s is owned by uid %d, not by this user (uid %d)", ErrUnsafeCache, path, owner, uid)
	}
	return nil
}

// entry is what a cache file holds: the key (checked on read, so that a
// file never answers for another key), when it was written, and the data.
type entry struct {
	Key     string          `json:"key"`
	Written time.Time       `json:"written"`
	Data    json.RawMessage `json:"data"`
}

func (c *Cache) file(key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(c.dir, hex.EncodeToString(sum[:16])+".json")
}

// get decodes the entry of key into v and returns when it was written. A
// missing or undecodable entry is a miss (false, nil); a file that is not
// private is an error matching ErrUnsafeCache.
func (c *Cache) get(key string, v any) (time.Time, bool, error) {
	name := c.file(key)
	f, err := os.Open(name)
	if err != nil {
		return time.Time{}, false, nil
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return time.Time{}, false, nil
	}
	if err := private(name, fi); err != nil {
		return time.Time{}, false, err
	}
	var e entry
	if err := json.NewDecoder(f).Decode(&e); err != nil || e.Key != key {
		return time.Time{}, false, nil
	}
	if err := json.Unmarshal(e.Data, v); err != nil {
		return time.Time{}, false, nil
	}
	return e.Written, true, nil
}

// put writes v as the entry of key: a temporary file of mode 0600 in the
// cache folder, renamed over the entry.
func (c *Cache) put(key string, v any, now time.Time) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	body, err := json.Marshal(entry{Key: key, Written: now.UTC(), Data: data})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.dir, ".tmp-*")
	if err != nil {
		return err
	}
	// CreateTemp makes the file 0600 already; Chmod keeps it so whatever
	// the platform does.
	if err := tmp.Chmod(0o600); err == nil {
		_, err = tmp.Write(body)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), c.file(key))
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("kitsutree: writing the cache in %s: %w", c.dir, err)
	}
	return nil
}
