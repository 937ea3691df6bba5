package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/config"
	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// kpIn runs the binary as kp does, with stdin.
func kpIn(t *testing.T, env []string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, env...)
	cmd.Stdin = strings.NewReader(stdin)
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

// cacheFile is tokens.json as the test reads it.
type cacheFile struct {
	Version int `json:"version"`
	Hosts   map[string]struct {
		Email        string `json:"email"`
		Bot          bool   `json:"bot"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	} `json:"hosts"`
}

func readCache(t *testing.T, dir string) cacheFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "tokens.json"))
	require.NoError(t, err)
	var cf cacheFile
	require.NoError(t, json.Unmarshal(data, &cf), "tokens.json must stay valid JSON")
	require.Equal(t, 1, cf.Version)
	return cf
}

// shortHost returns the dev server whose access tokens live a few seconds,
// and that lifetime.
func shortHost(t *testing.T) (string, time.Duration) {
	t.Helper()
	host := os.Getenv("KITSU_SHORT_TTL_HOST")
	if host == "" {
		if kitsutest.Required() {
			t.Fatal("KITSU_SHORT_TTL_HOST is not set: scripts/kitsu-dev env gives it")
		}
		t.Skip("KITSU_SHORT_TTL_HOST is not set: " + kitsutest.HowToRun)
	}
	ttl, _ := strconv.Atoi(os.Getenv("KITSU_SHORT_ACCESS_TTL"))
	if ttl <= 0 {
		ttl = 5
	}
	return host, time.Duration(ttl) * time.Second
}

// login logs in to host through the binary with --password-stdin, with a
// config folder of its own, and returns the env that points at it (and
// holds no credential).
func login(t *testing.T, dir, host string) []string {
	t.Helper()
	_, user, password := kitsutest.Env(t)
	env := []string{"KPUBLISH_CONFIG_DIR=" + dir}
	out, errOut, code := kpIn(t, env, password+"\n", "login", host, "--email", user, "--password-stdin")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "Logged in to ")
	assert.NotContains(t, out+errOut, password)
	return env
}

func noCredentials(t *testing.T, env []string) {
	t.Helper()
	for _, kv := range env {
		for _, name := range []string{"KITSU_PASSWORD=", "KITSU_USER=", "KITSU_TOKEN=", "KITSU_HOST="} {
			require.False(t, strings.HasPrefix(kv, name), "the env must hold no %s", name)
		}
	}
}

func TestLoginWhoamiLogout(t *testing.T) {
	host, user, password := kitsutest.Env(t)
	short, _ := shortHost(t)
	dir := filepath.Join(t.TempDir(), "cfg")
	env := login(t, dir, host)
	noCredentials(t, env)

	// A 0700 folder holding a 0600 file, one entry for the host.
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	fi, err = os.Stat(filepath.Join(dir, "tokens.json"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	cf := readCache(t, dir)
	c, err := kitsu.NewClient(host)
	require.NoError(t, err)
	mainKey := c.GetHost()
	require.Len(t, cf.Hosts, 1)
	require.Contains(t, cf.Hosts, mainKey)
	assert.Equal(t, user, cf.Hosts[mainKey].Email)
	assert.NotEmpty(t, cf.Hosts[mainKey].AccessToken)
	assert.NotEmpty(t, cf.Hosts[mainKey].RefreshToken)
	raw, err := os.ReadFile(filepath.Join(dir, "tokens.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(raw), password, "the password is never saved")

	// whoami with no password, no token, no host in the env: the cache's
	// only host.
	out, errOut, code := kp(t, env, "whoami", "--json")
	require.Equal(t, 0, code, errOut)
	var me map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &me))
	assert.Equal(t, user, me["email"])
	assert.Equal(t, "admin", me["role"])
	assert.Equal(t, mainKey, me["host"])
	assert.Equal(t, "cache", me["source"])
	assert.NotEmpty(t, me["full_name"])
	assert.NotContains(t, out, cf.Hosts[mainKey].AccessToken)
	assert.NotContains(t, out, cf.Hosts[mainKey].RefreshToken)
	out, errOut, code = kp(t, env, "whoami")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "<"+user+">, role admin\nhost: "+mainKey)

	// An online command other than whoami uses the cache too.
	out, errOut, code = kp(t, env, "version")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "kpublish ")

	// A second host: two entries.
	login(t, dir, short)
	cf = readCache(t, dir)
	require.Len(t, cf.Hosts, 2)
	cs, err := kitsu.NewClient(short)
	require.NoError(t, err)
	shortKey := cs.GetHost()
	require.Contains(t, cf.Hosts, shortKey)
	assert.NotEqual(t, cf.Hosts[mainKey].AccessToken, cf.Hosts[shortKey].AccessToken)

	// Two hosts: which one must be said.
	_, errOut, code = kp(t, env, "whoami")
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "the token cache holds 2 hosts")
	for _, h := range []string{mainKey, shortKey} {
		out, errOut, code = kp(t, env, "whoami", "--host", h, "--json")
		require.Equal(t, 0, code, errOut)
		require.NoError(t, json.Unmarshal([]byte(out), &me))
		assert.Equal(t, h, me["host"])
	}
	_, errOut, code = kp(t, append(env, "KITSU_HOST="+short), "whoami")
	require.Equal(t, 0, code, errOut)

	// logout removes one entry and revokes its tokens on the server.
	revoked := cf.Hosts[mainKey]
	out, errOut, code = kp(t, env, "logout", host)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Logged out of "+mainKey+"\n", out)
	cf = readCache(t, dir)
	require.Len(t, cf.Hosts, 1)
	assert.Contains(t, cf.Hosts, shortKey)
	c.SetTokens(kitsu.Tokens{AccessToken: revoked.AccessToken})
	ok, err := c.IsAuthenticated(kitsutest.Context(t))
	require.NoError(t, err)
	assert.False(t, ok, "logout revokes the access token")

	// The logged-out host asks for a login; the other still works alone.
	_, errOut, code = kp(t, env, "whoami", "--host", host)
	assert.Equal(t, 4, code, errOut)
	assert.Contains(t, errOut, "not logged in to "+mainKey+": run `kpublish login "+mainKey+"`")
	assert.Equal(t, 1, strings.Count(errOut, "\n"))
	out, errOut, code = kp(t, env, "whoami", "--json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &me))
	assert.Equal(t, shortKey, me["host"])
	out, errOut, code = kp(t, env, "logout", host)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Not logged in to "+mainKey+"\n", out)
}

// TestLoginRefreshWritesBack logs in to the server whose access tokens
// live a few seconds, waits past that, and checks whoami renewed the
// token with the refresh token and saved it: no password is anywhere in
// whoami's env, and the old access token is expired, so only a refresh
// can have let it in.
func TestLoginRefreshWritesBack(t *testing.T) {
	short, ttl := shortHost(t)
	dir := filepath.Join(t.TempDir(), "cfg")
	env := login(t, dir, short)
	noCredentials(t, env)
	before := readCache(t, dir)
	require.Len(t, before.Hosts, 1)
	var key string
	for k := range before.Hosts {
		key = k
	}
	time.Sleep(ttl + 1500*time.Millisecond)

	c, err := kitsu.NewClient(short)
	require.NoError(t, err)
	c.SetTokens(kitsu.Tokens{AccessToken: before.Hosts[key].AccessToken})
	ok, err := c.IsAuthenticated(kitsutest.Context(t))
	require.NoError(t, err)
	require.False(t, ok, "the saved access token has expired")

	out, errOut, code := kp(t, env, "whoami", "--json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"source": "cache"`)
	after := readCache(t, dir)
	require.Len(t, after.Hosts, 1)
	assert.NotEqual(t, before.Hosts[key].AccessToken, after.Hosts[key].AccessToken, "the renewed access token is written back")
	assert.Equal(t, before.Hosts[key].RefreshToken, after.Hosts[key].RefreshToken)
	c.SetTokens(kitsu.Tokens{AccessToken: after.Hosts[key].AccessToken})
	ok, err = c.IsAuthenticated(kitsutest.Context(t))
	require.NoError(t, err)
	assert.True(t, ok, "the saved token is the renewed one")
}

// TestLoginConcurrentRefresh runs whoami processes at once, all renewing
// the same expired token and writing it back: the cache stays valid and
// holds a working token.
func TestLoginConcurrentRefresh(t *testing.T) {
	short, ttl := shortHost(t)
	host, _, _ := kitsutest.Env(t)
	dir := filepath.Join(t.TempDir(), "cfg")
	env := login(t, dir, short)
	login(t, dir, host)
	before := readCache(t, dir)
	time.Sleep(ttl + 1500*time.Millisecond)

	const n = 6
	var wg sync.WaitGroup
	codes := make([]int, n)
	errs := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i], codes[i] = kp(t, env, "whoami", "--host", short)
		}()
	}
	wg.Wait()
	for i := range n {
		assert.Equal(t, 0, codes[i], errs[i])
		assert.Empty(t, errs[i])
	}
	after := readCache(t, dir)
	require.Len(t, after.Hosts, 2, "no entry lost")
	cs, err := kitsu.NewClient(short)
	require.NoError(t, err)
	key := cs.GetHost()
	assert.NotEqual(t, before.Hosts[key].AccessToken, after.Hosts[key].AccessToken)
	for k, e := range before.Hosts {
		if k != key {
			assert.Equal(t, e.AccessToken, after.Hosts[k].AccessToken, "the other host's entry is kept as it was")
		}
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		assert.False(t, strings.HasSuffix(e.Name(), ".tmp"), "no temporary file left: %s", e.Name())
	}
	_, errOut, code := kp(t, env, "whoami", "--host", short)
	require.Equal(t, 0, code, errOut)
}

func TestLoginWrongPassword(t *testing.T) {
	host, user, _ := kitsutest.Env(t)
	dir := filepath.Join(t.TempDir(), "cfg")
	env := []string{"KPUBLISH_CONFIG_DIR=" + dir}
	const wrong = "not-the-password-4711"
	out, errOut, code := kpIn(t, env, wrong+"\n", "login", host, "--email", user, "--password-stdin")
	assert.Equal(t, 4, code, errOut)
	assert.Contains(t, errOut, "authentication failed for "+user)
	assert.NotContains(t, out+errOut, wrong)
	assert.Equal(t, 1, strings.Count(errOut, "\n"))
	_, err := os.Stat(filepath.Join(dir, "tokens.json"))
	assert.True(t, os.IsNotExist(err), "a refused login saves nothing")

	// Usage errors of login.
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
		want  string
	}{
		{"", []string{"login", host, "--password-stdin"}, 2, "--password-stdin needs --email or KITSU_USER"},
		{"", []string{"login", host, "--email", user}, 2, "no terminal to ask the password on"},
		{"\n", []string{"login", host, "--email", user, "--password-stdin"}, 3, "--password-stdin: want a password on the first line of stdin"},
		{"x\n", []string{"login", host, "--token-stdin", "--password-stdin"}, 2, "give one"},
		{"", []string{"login", "--email", user, "--password-stdin"}, 2, "KITSU_HOST is not set"},
		{"", []string{"login", "ftp://nowhere", "--token", "x"}, 2, "HOST: "},
	} {
		_, errOut, code := kpIn(t, env, tc.stdin, tc.args...)
		assert.Equal(t, tc.code, code, "%v: %s", tc.args, errOut)
		assert.Contains(t, errOut, tc.want, tc.args)
	}
}

// TestLoginUnsafeCache: a token cache that others could read is refused,
// never used.
func TestLoginUnsafeCache(t *testing.T) {
	host, _, _ := kitsutest.Env(t)
	dir := filepath.Join(t.TempDir(), "cfg")
	env := login(t, dir, host)
	file := filepath.Join(dir, "tokens.json")

	require.NoError(t, os.Chmod(file, 0o640))
	out, errOut, code := kp(t, env, "whoami")
	assert.Equal(t, 3, code, errOut)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "the token cache is not private to this user: "+file+" has mode 0640")
	_, errOut, code = kp(t, env, "path", "working", "--task", "00000000-0000-4000-8000-000000000000")
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, "not private")
	require.NoError(t, os.Chmod(file, 0o600))

	require.NoError(t, os.Chmod(dir, 0o755))
	_, errOut, code = kp(t, env, "whoami")
	assert.Equal(t, 3, code, errOut)
	assert.Contains(t, errOut, dir+" has mode 0755")
	require.NoError(t, os.Chmod(dir, 0o700))

	if os.Geteuid() == 0 {
		require.NoError(t, os.Chown(file, 65534, 65534))
		_, errOut, code = kp(t, env, "whoami")
		assert.Equal(t, 3, code, errOut)
		assert.Contains(t, errOut, "is owned by uid 65534, not by this user")
		require.NoError(t, os.Chown(file, 0, 0))
	}
	_, errOut, code = kp(t, env, "whoami")
	require.Equal(t, 0, code, errOut)
}

// TestLoginSavedLoginRevoked: both saved tokens refused (revoked on the
// server) is exit 4 with the advice to log in again.
func TestLoginSavedLoginRevoked(t *testing.T) {
	host, user, password := kitsutest.Env(t)
	dir := filepath.Join(t.TempDir(), "cfg")
	env := login(t, dir, host)
	cf := readCache(t, dir)
	c, err := kitsu.NewClient(host)
	require.NoError(t, err)
	e := cf.Hosts[c.GetHost()]
	c.SetTokens(kitsu.Tokens{AccessToken: e.AccessToken, RefreshToken: e.RefreshToken})
	require.NoError(t, c.LogOut(kitsutest.Context(t)))

	_, errOut, code := kp(t, env, "whoami")
	assert.Equal(t, 4, code, errOut)
	assert.Contains(t, errOut, "the saved login for "+c.GetHost()+" no longer works")
	assert.Contains(t, errOut, "run `kpublish login "+c.GetHost()+"`")
	assert.NotContains(t, errOut, e.AccessToken)
	assert.Equal(t, 1, strings.Count(errOut, "\n"))

	// Revoked saved tokens, and KITSU_USER and KITSU_PASSWORD: the
	// password logs in (and is not saved).
	out, errOut, code := kp(t, append(env, "KITSU_USER="+user, "KITSU_PASSWORD="+password), "whoami", "--json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"source": "KITSU_USER"`)
	assert.Equal(t, e.AccessToken, readCache(t, dir).Hosts[c.GetHost()].AccessToken, "an env login is not cached")

	// KITSU_USER and a wrong KITSU_PASSWORD are not used while the saved
	// tokens of that user work.
	login(t, dir, host)
	out, errOut, code = kp(t, append(env, "KITSU_USER="+user, "KITSU_PASSWORD=not-the-password"), "whoami", "--json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"source": "cache"`)
	// Another user in KITSU_USER: the cache is not theirs.
	_, errOut, code = kp(t, append(env, "KITSU_USER="+kitsutest.UniqueEmail("other")), "whoami")
	assert.Equal(t, 4, code, errOut)
	assert.Contains(t, errOut, "KITSU_USER is set without KITSU_PASSWORD")
}

// TestLoginBotToken logs a bot in with its API token; logout forgets it
// without revoking it.
func TestLoginBotToken(t *testing.T) {
	admin := kitsutest.Client(t)
	host, _, _ := kitsutest.Env(t)
	ctx := kitsutest.Context(t)
	var bot struct {
		ID          string `json:"id"`
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, admin.Create(ctx, "persons", map[string]any{
		"first_name": kitsutest.Unique("bot"), "last_name": "Bot", "email": kitsutest.UniqueEmail("bot"), "role": "user", "is_bot": true,
	}, &bot))
	require.NotEmpty(t, bot.AccessToken)
	kitsutest.RemovePersonOnCleanup(t, admin, bot.ID)

	dir := filepath.Join(t.TempDir(), "cfg")
	env := []string{"KPUBLISH_CONFIG_DIR=" + dir}
	out, errOut, code := kpIn(t, env, bot.AccessToken+"\n", "login", host, "--token-stdin", "--json")
	require.Equal(t, 0, code, errOut)
	assert.NotContains(t, out+errOut, bot.AccessToken)
	var me map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &me))
	assert.Equal(t, bot.ID, me["id"])
	assert.Equal(t, true, me["is_bot"])
	cf := readCache(t, dir)
	require.Len(t, cf.Hosts, 1)
	for _, e := range cf.Hosts {
		assert.True(t, e.Bot)
		assert.Equal(t, bot.AccessToken, e.AccessToken)
		assert.Empty(t, e.RefreshToken)
	}

	out, errOut, code = kp(t, env, "whoami", "--json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &me))
	assert.Equal(t, bot.ID, me["id"])
	assert.NotContains(t, out, bot.AccessToken)

	_, errOut, code = kp(t, env, "logout")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, readCache(t, dir).Hosts)
	c, err := kitsu.NewClient(host, kitsu.WithTokens(kitsu.Tokens{AccessToken: bot.AccessToken}))
	require.NoError(t, err)
	p, err := c.GetCurrentUser(ctx)
	require.NoError(t, err, "logout does not revoke a bot's token")
	assert.Equal(t, bot.ID, p.ID)

	// A token the server refuses: exit 4, nothing saved, token not shown.
	const bad = "not-a-token-815"
	out, errOut, code = kpIn(t, env, bad+"\n", "login", host, "--token-stdin")
	assert.Equal(t, 4, code, errOut)
	assert.NotContains(t, out+errOut, bad)
	assert.Empty(t, readCache(t, dir).Hosts)
}

// TestConfigFile: config.json's host is used below the env and flags; an
// unknown key or a bad value is refused naming the key and the file.
func TestConfigFile(t *testing.T) {
	host, _, _ := kitsutest.Env(t)
	short, _ := shortHost(t)
	dir := filepath.Join(t.TempDir(), "cfg")
	env := login(t, dir, host)
	login(t, dir, short)
	file := filepath.Join(dir, "config.json")
	write := func(s string) { require.NoError(t, os.WriteFile(file, []byte(s), 0o644)) }
	c, err := kitsu.NewClient(host)
	require.NoError(t, err)
	cs, err := kitsu.NewClient(short)
	require.NoError(t, err)
	hostOf := func(env []string, args ...string) string {
		t.Helper()
		out, errOut, code := kp(t, env, append([]string{"whoami", "--json"}, args...)...)
		require.Equal(t, 0, code, errOut)
		var me map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &me))
		return fmt.Sprint(me["host"])
	}

	write(fmt.Sprintf(`{"host": %q, "software": {"Maya": "Maya 2025", "blender": "Blender"}, "cache_ttl": "10m", "roots": "roots.json"}`, short))
	assert.Equal(t, cs.GetHost(), hostOf(env), "config.json's host")
	assert.Equal(t, c.GetHost(), hostOf(append(env, "KITSU_HOST="+host)), "KITSU_HOST over config.json")
	assert.Equal(t, cs.GetHost(), hostOf(append(env, "KITSU_HOST="+host), "--host", short), "--host over KITSU_HOST")

	for _, tc := range []struct{ body, want string }{
		{`{"host": "x", "colour": "red"}`, `unknown key "colour" (known: host, roots, software, cache_ttl, watch)`},
		{`{"cache_ttl": "soon"}`, `key "cache_ttl": want a duration of 0 or more`},
		{`{"cache_ttl": 10}`, `key "cache_ttl": want a duration as a string`},
		{`{"host": 3}`, `key "host": want a Kitsu host as a string`},
		{`{"software": ["Maya"]}`, `key "software": want an object of DCC to software name`},
		{`{"roots": ""}`, `key "roots": want the path of a roots file`},
		{`[1]`, `want a JSON object of settings`},
	} {
		write(tc.body)
		_, errOut, code := kp(t, env, "whoami")
		assert.Equal(t, 3, code, "%s: %s", tc.body, errOut)
		assert.Contains(t, errOut, "config "+file+": ", tc.body)
		assert.Contains(t, errOut, tc.want, tc.body)
	}
}

// TestConfigPathDefaults: config.json's "roots" serves --os, and its
// "cache_ttl" the path cache, below the flags; the online path command
// runs on the saved login alone.
func TestConfigPathDefaults(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "roots.json"), []byte(`{"/prod": {"linux": "/mnt/prod", "windows": "P:\\"}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"roots": "roots.json", "cache_ttl": "10m"}`), 0o644))
	env := []string{"KPUBLISH_CONFIG_DIR=" + dir}
	out, errOut, code := kp(t, env, "path", "working", "--project", "X", "--asset", "Tree", "--asset-type", "Props", "--task-type", "Rig",
		"--software", "Blender", "--os", "windows")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, `P:\work\x\assets\props\tree\rig\blender\x_props_tree_rig_main_v001`+"\n", out)

	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	host, _, _ := kitsutest.Env(t)
	login(t, dir, host)
	p := kitsutest.NewProject(t, c, false)
	setTree := func(tree map[string]any) {
		require.NoError(t, c.Update(ctx, "projects", p.ID, map[string]any{"file_tree": tree}, nil))
	}
	setTree(kitsutest.ZouFileTree(t, "simple"))
	seq := kitsutest.NewSequence(t, c, p.ID, "", "Seq5")
	shot := kitsutest.NewShot(t, c, p.ID, seq.ID, "Plan 030")
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	task := kitsutest.NewTask(t, c, p.ID, shot.ID, anim.ID, "main")
	sw := kitsutest.NewSoftware(t, c)
	env = append(env, "KPUBLISH_CACHE_DIR="+filepath.Join(t.TempDir(), "cache"))
	noCredentials(t, env)
	work := []string{"working", "--task", task.ID, "--software", sw.Name, "--revision", "3"}
	zouWork := func() zouPath {
		return zouRoute(t, c, "data/tasks/"+task.ID+"/working-file-path", map[string]any{"software_id": sw.ID, "revision": 3})
	}
	path := func(label string, args ...string) zouPath {
		t.Helper()
		got, errOut, code := kpPath(t, env, args...)
		require.Equal(t, 0, code, "%s: %s", label, errOut)
		return got
	}
	simple := zouWork()
	assert.Equal(t, simple, path("cold, on the saved login", work...))
	setTree(altTree)
	alt := zouWork()
	require.NotEqual(t, simple, alt)
	assert.Equal(t, simple, path("within config.json's cache_ttl", work...))
	assert.Equal(t, alt, path("--cache-ttl 0 over config.json", append(work, "--cache-ttl", "0")...))
	assert.Equal(t, alt, path("--no-cache over config.json", append(work, "--no-cache")...))
}

// lockedBuffer collects a process's output while the test reads it.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLoginPrompt logs in on a terminal (script(1) gives the binary a
// pseudo-terminal): the email is asked, the password asked without echo.
func TestLoginPrompt(t *testing.T) {
	host, user, password := kitsutest.Env(t)
	scriptPath, err := exec.LookPath("script")
	if err != nil {
		t.Skip("no script(1) to give kpublish a terminal")
	}
	dir := filepath.Join(t.TempDir(), "cfg")
	cmd := exec.Command(scriptPath, "-qec", binary+" login "+host, "/dev/null")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "KPUBLISH_CONFIG_DIR=" + dir}
	stdin, err := cmd.StdinPipe()
	require.NoError(t, err)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	waitFor := func(s string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for !strings.Contains(out.String(), s) {
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				t.Fatalf("no %q in %q", s, out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("Email for ")
	_, err = fmt.Fprintln(stdin, user)
	require.NoError(t, err)
	waitFor("Password for " + user + " at ")
	// Let ReadPassword turn the echo off: the prompt is written just before.
	time.Sleep(300 * time.Millisecond)
	_, err = fmt.Fprintln(stdin, password)
	require.NoError(t, err)
	waitFor("Logged in to ")
	require.NoError(t, stdin.Close())
	require.NoError(t, cmd.Wait())
	assert.NotContains(t, out.String(), password, "the password is not echoed")
	assert.Contains(t, out.String(), "<"+user+">")
	require.Len(t, readCache(t, dir).Hosts, 1)
}

// TestLogoutUnreachable: a host that cannot be reached is logged out of
// all the same, its entry removed with a warning.
func TestLogoutUnreachable(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cfg")
	s, err := config.OpenStore(dir)
	require.NoError(t, err)
	const host = "http://127.0.0.1:1/api"
	require.NoError(t, s.Put(host, config.Entry{Email: "a@x", AccessToken: "secret-access", RefreshToken: "secret-refresh"}))
	out, errOut, code := kp(t, []string{"KPUBLISH_CONFIG_DIR=" + dir}, "logout")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "Logged out of "+host+"\n", out)
	assert.Contains(t, errOut, "kpublish: warning: "+host+" did not revoke the tokens")
	assert.NotContains(t, errOut, "secret")
	hosts, err := s.Hosts()
	require.NoError(t, err)
	assert.Empty(t, hosts)
}
