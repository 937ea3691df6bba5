package examples_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/watch"
)

// The service files of examples/services.
const (
	serviceUnit  = "services/kpublish-watch.service"
	servicePlist = "services/com.kpublish.watch.plist"
)

// unitFile is a systemd unit read as systemd reads it: sections of
// key=value lines, a key given twice keeping both values.
type unitFile map[string]map[string][]string

// parseUnit reads a unit file; it fails the test on a line that is
// neither a comment, a section header nor a key=value assignment.
func parseUnit(t *testing.T, path string) unitFile {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	u := unitFile{}
	section := ""
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			require.True(t, ok && section != "" && !strings.HasSuffix(line, `\`), "%s:%d: not a key=value line of a section: %q", path, n, line)
			u[section][strings.TrimSpace(k)] = append(u[section][strings.TrimSpace(k)], strings.TrimSpace(v))
		}
	}
	require.NoError(t, sc.Err())
	return u
}

// one returns the single value of key in section.
func (u unitFile) one(t *testing.T, section, key string) string {
	t.Helper()
	vs := u[section][key]
	require.Len(t, vs, 1, "[%s] %s", section, key)
	return vs[0]
}

// secretNames are the environment variables that carry credentials:
// none may be set by a service file.
var secretNames = []string{"KITSU_PASSWORD", "KITSU_TOKEN", "KITSU_USER", "KITSU_BOT_TOKEN", "KITSU_REFRESH"}

// noSecret fails when s sets a credential variable.
func noSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, name := range secretNames {
		assert.NotContains(t, s, name, "%s sets a credential", what)
	}
}

// TestServiceFiles checks the service files of examples/services as
// systemd and launchd read them, then runs their command lines. The
// systemd unit must pass `systemd-analyze verify --user` with no warning
// (an unknown key or a bad value is only a warning there) and run
// %h/.local/bin/kpublish watch ROOT... --log-json, restart on failure,
// stop with SIGTERM and a timeout above the watcher's stop grace, and set
// no credential (they come from the token cache or its EnvironmentFile).
// The launchd plist must load (plutil -lint on macOS, Python's plistlib
// elsewhere) and run the same command, at load, kept alive, logging to
// ~/Library/Logs/kpublish-watch.log. Then each command line, its roots
// replaced by temporary folders and its host by the dev server's, runs
// the built binary logged in only by `kpublish login`'s token cache: it
// watches, logs JSON lines only, reaches Kitsu (a file no tree describes
// is journaled as ignored, which needs the open projects' trees) and
// stops cleanly on SIGTERM.
func TestServiceFiles(t *testing.T) {
	host, user, password := kitsutest.Env(t)
	home := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(home, ".local", "bin"), 0o755))
	installed := filepath.Join(home, ".local", "bin", "kpublish")
	require.NoError(t, os.Symlink(binary, installed))

	u := parseUnit(t, serviceUnit)
	execStart := strings.Fields(u.one(t, "Service", "ExecStart"))
	require.GreaterOrEqual(t, len(execStart), 3)
	assert.Equal(t, []string{"%h/.local/bin/kpublish", "watch"}, execStart[:2])
	assert.Contains(t, execStart, "--log-json")
	assert.Equal(t, "on-failure", u.one(t, "Service", "Restart"))
	assert.Equal(t, "SIGTERM", u.one(t, "Service", "KillSignal"))
	stop, err := time.ParseDuration(u.one(t, "Service", "TimeoutStopSec"))
	require.NoError(t, err)
	assert.Greater(t, stop, watch.DefaultStopGrace+5*time.Second, "TimeoutStopSec must cover the watcher's stop grace and its last journal writes")
	assert.Equal(t, []string{"default.target"}, u["Install"]["WantedBy"])
	for _, env := range u["Service"]["Environment"] {
		noSecret(t, "Environment="+env, env)
	}
	assert.Equal(t, []string{"-%h/.config/kpublish/watch.env"}, u["Service"]["EnvironmentFile"])
	unitEnv := map[string]string{}
	for _, env := range u["Service"]["Environment"] {
		k, v, _ := strings.Cut(env, "=")
		unitEnv[k] = v
	}
	require.Contains(t, unitEnv, "KITSU_HOST")

	t.Run("systemd-analyze", func(t *testing.T) {
		sa := lookTool(t, "systemd-analyze", "systemd's unit checker: the Debian package systemd")
		runtime := filepath.Join(t.TempDir(), "run")
		require.NoError(t, os.Mkdir(runtime, 0o700))
		// --user resolves %h from HOME, where the binary is installed as
		// the README says: verify also checks that ExecStart's program
		// exists and is executable.
		cmd := exec.Command(sa, "verify", "--user", serviceUnit)
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_RUNTIME_DIR=" + runtime}
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		assert.Empty(t, strings.TrimSpace(string(out)), "systemd-analyze verify warned")
	})

	var plist struct {
		Label                string
		ProgramArguments     []string
		EnvironmentVariables map[string]string
		RunAtLoad            bool
		KeepAlive            map[string]bool
		ExitTimeOut          int
		StandardOutPath      string
		StandardErrorPath    string
	}
	if plutil, err := exec.LookPath("plutil"); err == nil {
		run(t, ".", nil, plutil, "-lint", servicePlist)
	}
	py := python(t)
	out, _ := run(t, ".", nil, py, "-c", `import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], "rb"))))`, servicePlist)
	require.NoError(t, json.Unmarshal([]byte(out), &plist), out)
	assert.Equal(t, "com.kpublish.watch", plist.Label)
	require.GreaterOrEqual(t, len(plist.ProgramArguments), 3)
	assert.Equal(t, []string{"/Users/YOU/.local/bin/kpublish", "watch"}, plist.ProgramArguments[:2])
	assert.Contains(t, plist.ProgramArguments, "--log-json")
	assert.True(t, plist.RunAtLoad)
	assert.Equal(t, map[string]bool{"SuccessfulExit": false}, plist.KeepAlive)
	assert.Greater(t, time.Duration(plist.ExitTimeOut)*time.Second, watch.DefaultStopGrace+5*time.Second)
	assert.Equal(t, "/Users/YOU/Library/Logs/kpublish-watch.log", plist.StandardOutPath)
	assert.Equal(t, plist.StandardOutPath, plist.StandardErrorPath)
	require.Contains(t, plist.EnvironmentVariables, "KITSU_HOST")
	for k, v := range plist.EnvironmentVariables {
		noSecret(t, "EnvironmentVariables", k+"="+v)
	}

	// Log in as the README says: the token cache in HOME is the only
	// credential the services get.
	login := exec.Command(binary, "login", host, "--email", user, "--password-stdin")
	login.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home}
	login.Stdin = strings.NewReader(password + "\n")
	lo, err := login.CombinedOutput()
	require.NoError(t, err, "%s", lo)

	// The unit's command: %h is HOME; a file no tree describes is there
	// before it starts, so the first scan hands it over.
	roots := t.TempDir()
	unitArgs := serviceArgs(t, strings.NewReplacer("%h", home).Replace(strings.Join(execStart, "\x00")), roots)
	require.NoError(t, os.WriteFile(filepath.Join(unitArgs[2], "notes.txt"), []byte("no tree describes this"), 0o644))
	log := runService(t, unitArgs, home, host, stop, `"ignored":true`)
	assert.NotContains(t, log, password)

	// The plist's command: /Users/YOU is HOME, as the README's sed makes
	// it; it polls.
	plistArgs := serviceArgs(t, strings.ReplaceAll(strings.Join(plist.ProgramArguments, "\x00"), "/Users/YOU", home), t.TempDir())
	log = runService(t, plistArgs, home, host, time.Duration(plist.ExitTimeOut)*time.Second, `"mode":"poll`)
	assert.NotContains(t, log, password)
}

// serviceArgs splits a service's NUL-joined command line and replaces its
// roots (the example's /prod/... and /Volumes/prod/... folders) with
// folders under dir.
func serviceArgs(t *testing.T, joined, dir string) []string {
	t.Helper()
	args := strings.Split(joined, "\x00")
	n := 0
	for i, a := range args {
		if strings.HasPrefix(a, "/prod/") || strings.HasPrefix(a, "/Volumes/prod/") {
			args[i] = filepath.Join(dir, filepath.Base(a))
			require.NoError(t, os.MkdirAll(args[i], 0o755))
			n++
		}
	}
	require.NotZero(t, n, "no root in %q", args)
	return args
}

// runService runs a service's command line as the service manager would
// (its whole environment HOME, PATH and KITSU_HOST), waits until its log
// shows a "watching" line per root and the line want, then sends SIGTERM
// and requires a clean exit within stopTimeout. Every line it logged must
// be a JSON object. It returns the log.
func runService(t *testing.T, args []string, home, host string, stopTimeout time.Duration, want string) string {
	t.Helper()
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "KITSU_HOST=" + host}
	var log lockedLog
	cmd.Stdout, cmd.Stderr = &log, &log
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-done
		}
	}()
	roots := 0
	for _, a := range args[2:] {
		if filepath.IsAbs(a) {
			roots++
		}
	}
	deadline := time.Now().Add(90 * time.Second)
	for strings.Count(log.String(), `"msg":"watching"`) < roots || !strings.Contains(log.String(), want) {
		select {
		case err := <-done:
			t.Fatalf("%q exited before watching (%v):\n%s", args, err, log.String())
		case <-time.After(100 * time.Millisecond):
		}
		require.True(t, time.Now().Before(deadline), "after 90s, no %d watching lines and %s:\n%s", roots, want, log.String())
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-done:
		require.NoError(t, err, "not a clean stop:\n%s", log.String())
	case <-time.After(stopTimeout):
		t.Fatalf("still running %s after SIGTERM:\n%s", stopTimeout, log.String())
	}
	out := log.String()
	assert.Contains(t, out, `"msg":"stopped"`)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var v map[string]any
		assert.NoError(t, json.Unmarshal([]byte(line), &v), "not a JSON line: %q", line)
	}
	return out
}

// lockedLog collects a process's output while the test reads it.
type lockedLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
