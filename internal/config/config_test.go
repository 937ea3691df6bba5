package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDir(t *testing.T) {
	t.Setenv(DirEnv, "/somewhere/kp")
	d, err := Dir()
	require.NoError(t, err)
	assert.Equal(t, "/somewhere/kp", d)

	t.Setenv(DirEnv, "")
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	d, err = Dir()
	require.NoError(t, err)
	base, err := os.UserConfigDir()
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(base, "kpublish"), d)
}

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, FileName)

	// No file: no key, the default softwares.
	cfg, err := LoadFile(file)
	require.NoError(t, err)
	assert.Equal(t, file, cfg.File)
	assert.Empty(t, cfg.Host)
	assert.Zero(t, cfg.CacheTTL)
	sw, err := cfg.SoftwareFor("Maya")
	require.NoError(t, err)
	assert.Equal(t, "Maya", sw)

	require.NoError(t, os.WriteFile(file, []byte(`{
	  "host": "https://kitsu.example.com/api",
	  "roots": "roots.json",
	  "software": {"Maya": "Maya 2025", "katana": "Katana"},
	  "cache_ttl": "90m"
	}`), 0o644))
	cfg, err = LoadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "https://kitsu.example.com/api", cfg.Host)
	assert.Equal(t, filepath.Join(dir, "roots.json"), cfg.Roots, "relative to the config folder")
	assert.Equal(t, 90*time.Minute, cfg.CacheTTL)
	for dcc, want := range map[string]string{"maya": "Maya 2025", "MAYA": "Maya 2025", "katana": "Katana", "blender": "Blender", "houdini": "Houdini", "nuke": "Nuke"} {
		got, err := cfg.SoftwareFor(dcc)
		require.NoError(t, err, dcc)
		assert.Equal(t, want, got, dcc)
	}
	_, err = cfg.SoftwareFor("zbrush")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `DCC "zbrush": no software for it in the defaults and `+file+` (known: blender, houdini, katana, maya, nuke)`)
	assert.Equal(t, "Maya", DefaultSoftware["maya"], "the defaults are not changed by a file")

	require.NoError(t, os.WriteFile(file, []byte(`{"roots": "/abs/roots.json"}`), 0o644))
	cfg, err = LoadFile(file)
	require.NoError(t, err)
	assert.Equal(t, "/abs/roots.json", cfg.Roots)

	var zero Config
	got, err := zero.SoftwareFor("houdini")
	require.NoError(t, err)
	assert.Equal(t, "Houdini", got)
}

func TestLoadFileRefuses(t *testing.T) {
	file := filepath.Join(t.TempDir(), FileName)
	for _, tc := range []struct{ body, want string }{
		{`{"hots": "x"}`, `unknown key "hots" (known: host, roots, software, cache_ttl, watch)`},
		{`{"host": ""}`, `key "host": want a Kitsu host as a string`},
		{`{"host": null}`, `key "host": want a Kitsu host`},
		{`{"roots": 1}`, `key "roots": want the path of a roots file as a string, got 1`},
		{`{"software": {"maya": ""}}`, `key "software": DCC "maya": want a non-empty DCC and software name`},
		{`{"software": {"maya": 3}}`, `key "software": want an object of DCC to software name`},
		{`{"cache_ttl": "-1m"}`, `key "cache_ttl": want a duration of 0 or more as a string ("10m", "1h"), got "-1m"`},
		{`{"cache_ttl": 60}`, `key "cache_ttl": want a duration as a string`},
		{`{"watch": []}`, `key "watch": want an object`},
		{`{"watch": {"exclude": "x"}}`, `key "watch": "exclude": want a list of globs`},
		{`{"watch": {"include": [" "]}}`, `key "watch": "include": an empty glob`},
		{`{"watch": {"settle": "0s"}}`, `key "watch": "settle": want a duration`},
		{`{"watch": {"poll": "often"}}`, `key "watch": "poll": want a duration`},
		{`{"watch": {"sette": "2s"}}`, `key "watch": unknown key "sette" (known: include, exclude, settle, poll)`},
		{`null`, `want a JSON object of settings, not null`},
		{`{"host": "a"} {}`, `want one JSON object, found more after it`},
		{`{"host": `, `want a JSON object of settings`},
	} {
		require.NoError(t, os.WriteFile(file, []byte(tc.body), 0o644))
		_, err := LoadFile(file)
		require.Error(t, err, tc.body)
		assert.Contains(t, err.Error(), "config "+file+": ", tc.body)
		assert.Contains(t, err.Error(), tc.want, tc.body)
	}
	require.NoError(t, os.Remove(file))
	require.NoError(t, os.Mkdir(file, 0o700))
	_, err := LoadFile(file)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a regular file")
}

func TestLoadUsesDirEnv(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(DirEnv, dir)
	require.NoError(t, os.WriteFile(filepath.Join(dir, FileName), []byte(`{"host": "http://h/api"}`), 0o600))
	cfg, err := Load()
	require.NoError(t, err)
	assert.Equal(t, "http://h/api", cfg.Host)
	assert.Equal(t, filepath.Join(dir, FileName), cfg.File)
}

func TestStore(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "kpublish")
	s, err := OpenStore(dir)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, TokensFile), s.File())

	// Nothing is created by reading.
	_, ok, err := s.Get("http://h1/api")
	require.NoError(t, err)
	assert.False(t, ok)
	_, err = os.Stat(dir)
	assert.True(t, os.IsNotExist(err))

	require.NoError(t, s.Put("http://h1/api", Entry{Email: "a@x", AccessToken: "acc1", RefreshToken: "ref1"}))
	require.NoError(t, s.Put("http://h2/api", Entry{Email: "bot@x", Bot: true, AccessToken: "bot"}))
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	fi, err = os.Stat(s.File())
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	hosts, err := s.Hosts()
	require.NoError(t, err)
	assert.Equal(t, []string{"http://h1/api", "http://h2/api"}, hosts)
	e, ok, err := s.Get("http://h1/api")
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, "acc1", e.AccessToken)
	assert.Equal(t, "ref1", e.RefreshToken)
	assert.Equal(t, "a@x", e.Email)
	assert.WithinDuration(t, time.Now(), e.Saved, time.Minute)

	// Refreshed writes back only over the refresh token it started from.
	wrote, err := s.Refreshed("http://h1/api", "ref1", "acc2", "ref1")
	require.NoError(t, err)
	assert.True(t, wrote)
	e, _, _ = s.Get("http://h1/api")
	assert.Equal(t, "acc2", e.AccessToken)
	wrote, err = s.Refreshed("http://h1/api", "ref-old", "acc3", "ref-old")
	require.NoError(t, err)
	assert.False(t, wrote, "a newer login is not overwritten")
	wrote, err = s.Refreshed("http://h2/api", "", "x", "")
	require.NoError(t, err)
	assert.False(t, wrote, "a bot's token is never replaced")
	wrote, err = s.Refreshed("http://gone/api", "ref1", "x", "ref1")
	require.NoError(t, err)
	assert.False(t, wrote, "a removed entry is not brought back")

	had, err := s.Remove("http://h1/api")
	require.NoError(t, err)
	assert.True(t, had)
	had, err = s.Remove("http://h1/api")
	require.NoError(t, err)
	assert.False(t, had)
	hosts, err = s.Hosts()
	require.NoError(t, err)
	assert.Equal(t, []string{"http://h2/api"}, hosts)

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, de := range entries {
		assert.False(t, strings.HasSuffix(de.Name(), ".tmp"), de.Name())
	}
}

func TestStoreConcurrentWriters(t *testing.T) {
	s, err := OpenStore(filepath.Join(t.TempDir(), "kp"))
	require.NoError(t, err)
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			host := fmt.Sprintf("http://h%02d/api", i)
			if err := s.Put(host, Entry{Email: "e", AccessToken: "a", RefreshToken: "r"}); err != nil {
				t.Error(err)
				return
			}
			if _, err := s.Refreshed(host, "r", "a2", "r"); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	hosts, err := s.Hosts()
	require.NoError(t, err)
	assert.Len(t, hosts, n, "no writer lost another's entry")
	for _, h := range hosts {
		e, _, err := s.Get(h)
		require.NoError(t, err)
		assert.Equal(t, "a2", e.AccessToken)
	}
}

func TestStoreRefusesUnsafe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "kp")
	s, err := OpenStore(dir)
	require.NoError(t, err)
	require.NoError(t, s.Put("http://h/api", Entry{AccessToken: "secret-acc", RefreshToken: "secret-ref"}))

	require.NoError(t, os.Chmod(s.File(), 0o644))
	_, _, err = s.Get("http://h/api")
	require.ErrorIs(t, err, ErrUnsafe)
	assert.Contains(t, err.Error(), s.File()+" has mode 0644")
	require.ErrorIs(t, s.Put("http://h/api", Entry{}), ErrUnsafe, "never written over either")
	require.NoError(t, os.Chmod(s.File(), 0o600))

	require.NoError(t, os.Chmod(dir, 0o750))
	_, err = s.Hosts()
	require.ErrorIs(t, err, ErrUnsafe)
	assert.Contains(t, err.Error(), dir+" has mode 0750")
	require.NoError(t, os.Chmod(dir, 0o700))

	if os.Geteuid() == 0 {
		require.NoError(t, os.Chown(s.File(), 65534, 65534))
		_, _, err = s.Get("http://h/api")
		require.ErrorIs(t, err, ErrUnsafe)
		assert.Contains(t, err.Error(), "owned by uid 65534")
		require.NoError(t, os.Chown(s.File(), 0, 0))
	}

	// A symbolic link in place of the file, or of the folder.
	other := filepath.Join(t.TempDir(), "other.json")
	require.NoError(t, os.Rename(s.File(), other))
	require.NoError(t, os.Symlink(other, s.File()))
	_, _, err = s.Get("http://h/api")
	require.Error(t, err)
	require.NoError(t, os.Remove(s.File()))
	link := filepath.Join(t.TempDir(), "link")
	require.NoError(t, os.Symlink(dir, link))
	ls, err := OpenStore(link)
	require.NoError(t, err)
	_, err = ls.Hosts()
	require.ErrorIs(t, err, ErrUnsafe)
	assert.Contains(t, err.Error(), "is not a folder")

	// A damaged file: an error that quotes none of it.
	require.NoError(t, os.WriteFile(s.File(), []byte(`{"version": 1, "hosts": {"h": {"access_token": "secret-acc"`), 0o600))
	_, _, err = s.Get("h")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not valid JSON: remove it and log in again")
	assert.NotContains(t, err.Error(), "secret")
	require.NoError(t, os.WriteFile(s.File(), []byte(`{"version": 7, "hosts": {}}`), 0o600))
	_, _, err = s.Get("h")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "version 7, want 1")
	assert.False(t, errors.Is(err, ErrUnsafe))
}

func TestEntryHidesTokens(t *testing.T) {
	e := Entry{Email: "a@x", AccessToken: "secret-acc", RefreshToken: "secret-ref"}
	var b strings.Builder
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		fmt.Fprintf(&b, verb+"\n", e)
	}
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "entry", e)
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "entry", e)
	assert.NotContains(t, b.String(), "secret")
	assert.Contains(t, b.String(), "AccessToken: set")
}

// TestLoadWatch reads config.json's watch object.
func TestLoadWatch(t *testing.T) {
	file := filepath.Join(t.TempDir(), FileName)
	require.NoError(t, os.WriteFile(file, []byte(`{"watch": {"include": ["work/**"], "exclude": ["cache/", "*.tmp.exr"], "settle": "5s", "poll": "-1s"}}`), 0o644))
	cfg, err := LoadFile(file)
	require.NoError(t, err)
	assert.Equal(t, []string{"work/**"}, cfg.Watch.Include)
	assert.Equal(t, []string{"cache/", "*.tmp.exr"}, cfg.Watch.Exclude)
	assert.Equal(t, 5*time.Second, cfg.Watch.Settle)
	assert.Equal(t, -time.Second, cfg.Watch.Poll)
	assert.True(t, cfg.Watch.PollSet)

	require.NoError(t, os.WriteFile(file, []byte(`{"watch": {"settle": "1s"}}`), 0o644))
	cfg, err = LoadFile(file)
	require.NoError(t, err)
	assert.False(t, cfg.Watch.PollSet, "poll not given")
}
