package config

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	"github.com/gofrs/flock"
)

// TokensFile is the token cache's name in Dir; its lock is TokensFile
// plus ".lock".
const TokensFile = "tokens.json"

// ErrUnsafe is matched by the error of a token cache (file or folder)
// that another user could read or change: it is refused, never used.
var ErrUnsafe = errors.New("the token cache is not private to this user")

// lockWait bounds how long a writer waits for another kpublish process
// to finish writing the token cache.
const lockWait = 30 * time.Second

// Entry is what the token cache holds for one host. Printing an Entry
// with fmt or log/slog shows whether each token is set, never the token.
type Entry struct {
	// Email is the user logged in (for a bot, its email).
	Email string
	// Bot says the access token is a bot's API token (no refresh token).
	Bot bool
	// AccessToken and RefreshToken are the credentials themselves.
	AccessToken  string
	RefreshToken string
	// Saved is when the entry was last written.
	Saved time.Time
}

// String hides the tokens.
func (e Entry) String() string {
	return fmt.Sprintf("Entry{Email: %q, Bot: %t, AccessToken: %s, RefreshToken: %s}", e.Email, e.Bot, setOrNot(e.AccessToken), setOrNot(e.RefreshToken))
}

// Format hides the tokens from every fmt verb.
func (e Entry) Format(f fmt.State, verb rune) {
	s := e.String()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// LogValue hides the tokens from log/slog.
func (e Entry) LogValue() slog.Value { return slog.StringValue(e.String()) }

func setOrNot(s string) string {
	if s == "" {
		return "unset"
	}
	return "set"
}

// tokenFile is tokens.json: one entry per host, keyed by the host as
// kitsu.Client.GetHost normalises it.
type tokenFile struct {
	Version int                  `json:"version"`
	Hosts   map[string]fileEntry `json:"hosts"`
}

type fileEntry struct {
	Email        string    `json:"email"`
	Bot          bool      `json:"bot,omitempty"`
	AccessToken  string    `json:"access_token"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Saved        time.Time `json:"saved"`
}

// Store is the token cache: tokens.json, mode 0600, in a folder of mode
// 0700, both owned by the user. Readers read it with no lock: it is only
// ever replaced whole, by a rename. Writers read, change and replace it
// holding an exclusive lock on tokens.json.lock (flock), so concurrent
// kpublish processes never lose each other's entries.
type Store struct {
	dir string
}

// OpenStore returns the token cache in dir ("" is Dir()). Nothing is
// read or created until it is used: the first write creates the folder
// with mode 0700. Every use refuses, with an error matching ErrUnsafe, a
// folder that is a symbolic link, not owned by the user or open to its
// group or others, and the same of tokens.json (which must be 0600).
func OpenStore(dir string) (*Store, error) {
	if dir == "" {
		d, err := Dir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	return &Store{dir: dir}, nil
}

// checkDir refuses a folder that is not private; a missing one is made
// when create says so, else reported as missing (false).
func (s *Store) checkDir(create bool) (bool, error) {
	if create {
		if err := os.MkdirAll(filepath.Dir(s.dir), 0o700); err != nil {
			return false, fmt.Errorf("token cache folder %s: %w", s.dir, err)
		}
		if err := os.Mkdir(s.dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
			return false, fmt.Errorf("token cache folder %s: %w", s.dir, err)
		}
	}
	fi, err := os.Lstat(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("token cache folder %s: %w", s.dir, err)
	}
	if !fi.IsDir() {
		return false, fmt.Errorf("%w: %s is not a folder (%s)", ErrUnsafe, s.dir, fi.Mode().Type())
	}
	return true, private(s.dir, fi)
}

// File returns the path of tokens.json.
func (s *Store) File() string { return filepath.Join(s.dir, TokensFile) }

// private refuses what another user could read or change.
func private(path string, fi fs.FileInfo) error {
	uid, owner, ok := ownerOf(fi)
	if !ok {
		return nil // no owner nor Unix modes on this platform
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("%w: %s has mode %04o, want 0600 for the file and 0700 for its folder (chmod go-rwx %s, or remove it and log in again)", ErrUnsafe, path, perm, path)
	}
	if owner != uid {
		return fmt.Errorf("%w: %s is owned by uid %d, not by this user (uid %d)", ErrUnsafe, path, owner, uid)
	}
	return nil
}

// read returns the cache's entries; a missing file is none.
func (s *Store) read() (map[string]fileEntry, error) {
	if ok, err := s.checkDir(false); err != nil || !ok {
		return map[string]fileEntry{}, err
	}
	name := s.File()
	f, err := os.OpenFile(name, os.O_RDONLY|syscallNoFollow, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]fileEntry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("token cache %s: %w", name, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("token cache %s: %w", name, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", ErrUnsafe, name)
	}
	if err := private(name, fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("token cache %s: %w", name, err)
	}
	if len(data) > maxFile {
		return nil, fmt.Errorf("token cache %s: larger than %d bytes", name, maxFile)
	}
	var tf tokenFile
	if err := json.Unmarshal(data, &tf); err != nil {
		// The decoder's message may quote the file: it holds tokens.
		return nil, fmt.Errorf("token cache %s is not valid JSON: remove it and log in again", name)
	}
	if tf.Version != 1 {
		return nil, fmt.Errorf("token cache %s: version %d, want 1 (remove it and log in again)", name, tf.Version)
	}
	if tf.Hosts == nil {
		tf.Hosts = map[string]fileEntry{}
	}
	return tf.Hosts, nil
}

// Get returns the entry of host (as kitsu.Client.GetHost gives it), and
// whether there is one.
func (s *Store) Get(host string) (Entry, bool, error) {
	hosts, err := s.read()
	if err != nil {
		return Entry{}, false, err
	}
	fe, ok := hosts[host]
	if !ok {
		return Entry{}, false, nil
	}
	return Entry(fe), true, nil
}

// Hosts returns the hosts that have an entry, sorted.
func (s *Store) Hosts() ([]string, error) {
	hosts, err := s.read()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(hosts))
	for h := range hosts {
		out = append(out, h)
	}
	sort.Strings(out)
	return out, nil
}

// Put writes the entry of host, replacing any; Saved is set to now.
func (s *Store) Put(host string, e Entry) error {
	return s.modify(func(hosts map[string]fileEntry) bool {
		e.Saved = time.Now().UTC()
		hosts[host] = fileEntry(e)
		return true
	})
}

// Remove deletes the entry of host and reports whether there was one.
func (s *Store) Remove(host string) (bool, error) {
	var had bool
	err := s.modify(func(hosts map[string]fileEntry) bool {
		_, had = hosts[host]
		delete(hosts, host)
		return had
	})
	return had, err
}

// Refreshed writes back the tokens a client renewed from the entry of
// host, if that entry still holds the refresh token it started from: an
// entry removed (logout) or replaced (a new login) meanwhile is left as
// it is. It reports whether it wrote.
func (s *Store) Refreshed(host, fromRefresh, access, refresh string) (bool, error) {
	var wrote bool
	err := s.modify(func(hosts map[string]fileEntry) bool {
		fe, ok := hosts[host]
		if !ok || fe.RefreshToken == "" || fe.RefreshToken != fromRefresh {
			return false
		}
		if fe.AccessToken == access && fe.RefreshToken == refresh {
			return false
		}
		fe.AccessToken, fe.RefreshToken, fe.Saved = access, refresh, time.Now().UTC()
		hosts[host] = fe
		wrote = true
		return true
	})
	return wrote, err
}

// modify reads the entries, lets change alter them and, when it says so,
// replaces the file: all under the exclusive lock.
func (s *Store) modify(change func(map[string]fileEntry) bool) (err error) {
	if _, err := s.checkDir(true); err != nil {
		return err
	}
	lock := flock.New(s.File()+".lock", flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), lockWait)
	defer cancel()
	ok, err := lock.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil || !ok {
		if err == nil {
			err = ctx.Err()
		}
		return fmt.Errorf("token cache %s: locking %s: %w", s.File(), lock.Path(), err)
	}
	defer func() {
		if uerr := lock.Unlock(); uerr != nil && err == nil {
			err = fmt.Errorf("token cache %s: unlocking: %w", s.File(), uerr)
		}
	}()
	hosts, err := s.read()
	if err != nil {
		return err
	}
	if !change(hosts) {
		return nil
	}
	return s.write(hosts)
}

// write replaces tokens.json with a file of mode 0600 written beside it
// and renamed over it, so that a reader sees the old file or the new one.
func (s *Store) write(hosts map[string]fileEntry) error {
	data, err := json.MarshalIndent(tokenFile{Version: 1, Hosts: hosts}, "", "  ")
	if err != nil {
		return fmt.Errorf("token cache %s: %w", s.File(), err)
	}
	tmp, err := os.CreateTemp(s.dir, ".tokens-*.tmp")
	if err != nil {
		return fmt.Errorf("token cache %s: %w", s.File(), err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("token cache %s: %w", s.File(), err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("token cache %s: %w", s.File(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("token cache %s: %w", s.File(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("token cache %s: %w", s.File(), err)
	}
	if err := os.Rename(tmp.Name(), s.File()); err != nil {
		return fmt.Errorf("token cache %s: %w", s.File(), err)
	}
	return nil
}
