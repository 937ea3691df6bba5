package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
)

func TestClaimIsExclusive(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			target := filepath.Join(f.root, "shots", "sh010", "anim_v001.ma")
			c, err := f.s.Claim(target)
			require.NoError(t, err)
			require.Equal(t, target, c.Target)
			require.Equal(t, filepath.Join(f.root, "shots", "sh010", ".anim_v001.ma.kpublish-claim"), c.Path)

			// The claim file is the documented JSON.
			var cf map[string]any
			require.NoError(t, json.Unmarshal([]byte(read(t, f.fs, c.Path)), &cf))
			require.Equal(t, float64(1), cf["version"])
			require.Equal(t, target, cf["target"])
			require.Equal(t, float64(os.Getpid()), cf["pid"])
			host, _ := os.Hostname()
			require.Equal(t, host, cf["host"])
			require.Len(t, cf["token"], 32)
			require.NotContains(t, fmt.Sprintf("%v %+v %#v %s", c, c, c, c), cf["token"], "the token is never printed")

			_, err = f.s.Claim(target)
			require.ErrorIs(t, err, ErrClaimed)
			var ce *ClaimedError
			require.ErrorAs(t, err, &ce)
			require.Equal(t, os.Getpid(), ce.Holder.PID)
			require.Equal(t, host, ce.Holder.Host)
			require.Contains(t, err.Error(), "pid "+strconv.Itoa(os.Getpid()))
			require.NotContains(t, err.Error(), cf["token"])

			require.NoError(t, c.Release())
			require.ErrorIs(t, c.Release(), ErrClaimLost)
			c2, err := f.s.Claim(target)
			require.NoError(t, err, "a released target can be claimed again")
			require.NoError(t, c2.Release())
			require.Empty(t, slices.DeleteFunc(files(t, f.fs, f.root), func(s string) bool { return !IsClaimFile(s) }))
		})
	}
}

func TestClaimRefusesPublishedTarget(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			target := filepath.Join(f.root, "anim_v001.ma")
			write(t, f.fs, target, "published")
			_, err := f.s.Claim(target)
			require.ErrorIs(t, err, ErrExists)
			require.Equal(t, []string{"anim_v001.ma"}, files(t, f.fs, f.root), "no claim file is left")
			require.Equal(t, "published", read(t, f.fs, target))
		})
	}
}

func TestReleaseLeavesAnotherClaim(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			target := filepath.Join(f.root, "anim_v001.ma")
			c, err := f.s.Claim(target)
			require.NoError(t, err)
			// Another claimer took over the file (after a stale release).
			require.NoError(t, f.fs.Remove(c.Path))
			other, err := f.s.Claim(target)
			require.NoError(t, err)
			require.ErrorIs(t, c.Release(), ErrClaimLost)
			_, err = f.fs.Stat(other.Path)
			require.NoError(t, err, "the other claim is untouched")
			require.NoError(t, other.Release())
		})
	}
}

// TestClaimNextSixteenProcesses starts 16 OS processes that claim the
// next revision of one target at once and publish their own file there.
func TestClaimNextSixteenProcesses(t *testing.T) {
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "src"), 0o755))
	fsys := afero.NewOsFs()
	s, err := NewStore(fsys, root, nil)
	require.NoError(t, err)
	next := animPath(root)
	v1, _ := next(1)
	write(t, fsys, v1, "published before")
	v2, _ := next(2)
	held, err := s.Claim(v2) // being published by this process
	require.NoError(t, err)

	const n = 16
	cmds := make([]*exec.Cmd, n)
	outs := make([]*bytes.Buffer, n)
	errs := make([]*bytes.Buffer, n)
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "PUBLISH_HELPER=claim-next", "PUBLISH_ROOT="+root)
		outs[i], errs[i] = &bytes.Buffer{}, &bytes.Buffer{}
		cmd.Stdout, cmd.Stderr = outs[i], errs[i]
		require.NoError(t, cmd.Start())
		cmds[i] = cmd
	}
	write(t, fsys, filepath.Join(root, "go"), "")
	revs := map[int]int{} // revision → pid
	for i, cmd := range cmds {
		require.NoError(t, cmd.Wait(), "helper %d: %s", i, errs[i])
		rev, err := strconv.Atoi(strings.TrimSpace(outs[i].String()))
		require.NoError(t, err)
		_, dup := revs[rev]
		require.False(t, dup, "revision %d was given twice", rev)
		revs[rev] = cmd.Process.Pid
	}
	require.Len(t, revs, n)
	for rev := 3; rev < 3+n; rev++ {
		pid, ok := revs[rev]
		require.True(t, ok, "revision %d was not given (got %v)", rev, revs)
		target, _ := next(rev)
		require.Equal(t, fmt.Sprintf("from pid %d\n", pid), read(t, fsys, target), "revision %d holds its publisher's file", rev)
		info, _, err := readClaim(fsys, ClaimPath(target))
		require.NoError(t, err)
		require.Equal(t, pid, info.PID)
		require.Equal(t, rev, info.Revision)
	}
	var claims, temps []string
	for _, p := range files(t, fsys, filepath.Join(root, "shots", "sh010")) {
		if IsClaimFile(p) {
			claims = append(claims, p)
		}
		if IsTempFile(p) {
			temps = append(temps, p)
		}
	}
	require.Len(t, claims, n+1, "16 claims and this process's")
	require.Empty(t, temps)
	require.Equal(t, "published before", read(t, fsys, v1), "nothing replaced")
	ok, _ := s.exists(v2)
	require.False(t, ok, "the held revision was passed over")
	require.NoError(t, held.Release())
}

func TestClaimNextGoroutines(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			const n = 16
			var wg sync.WaitGroup
			got := make([]int, n)
			errs := make([]error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, err := f.s.ClaimNext(animPath(f.root), 1)
					if err == nil {
						got[i] = c.Revision
					}
					errs[i] = err
				}()
			}
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}
			slices.Sort(got)
			want := make([]int, n)
			for i := range want {
				want[i] = i + 1
			}
			require.Equal(t, want, got)
		})
	}
}

func TestClaimNextArguments(t *testing.T) {
	f := fixtures(t)[1]
	_, err := f.s.ClaimNext(nil, 1)
	require.ErrorContains(t, err, "nil pathFor")
	_, err = f.s.ClaimNext(animPath(f.root), -1)
	require.ErrorContains(t, err, "from revision -1: want 0 or more")
	boom := errors.New("no such shot")
	_, err = f.s.ClaimNext(func(int) (string, error) { return "", boom }, 1)
	require.ErrorIs(t, err, boom)
	_, err = f.s.ClaimNext(func(int) (string, error) { return "/elsewhere/x.ma", nil }, 1)
	require.ErrorIs(t, err, ErrUnsafePath)
}

// deadClaim makes a claim of target from a process that has exited.
func deadClaim(t *testing.T, root, target string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PUBLISH_HELPER=claim-one", "PUBLISH_ROOT="+root, "PUBLISH_TARGET="+target)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
}

func TestStaleClaimsOfDeadProcess(t *testing.T) {
	root := t.TempDir()
	fsys := afero.NewOsFs()
	s, err := NewStore(fsys, root, nil)
	require.NoError(t, err)
	dead := filepath.Join(root, "a", "dead_v001.ma")
	deadClaim(t, root, dead)
	live, err := s.Claim(filepath.Join(root, "b", "live_v001.ma"))
	require.NoError(t, err)

	stale, err := s.StaleClaims(root, time.Hour)
	require.NoError(t, err)
	require.Len(t, stale, 1)
	require.Equal(t, ClaimPath(dead), stale[0].Path)
	require.Equal(t, dead, stale[0].Info.Target)
	require.Contains(t, stale[0].Reason, "is gone")

	_, err = s.Claim(dead)
	require.ErrorIs(t, err, ErrClaimed, "a stale claim still holds until released")
	released, err := s.ReleaseStale(root, time.Hour)
	require.NoError(t, err)
	require.Len(t, released, 1)
	_, err = fsys.Stat(ClaimPath(dead))
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = fsys.Stat(live.Path)
	require.NoError(t, err, "the live claim is kept")
	c, err := s.Claim(dead)
	require.NoError(t, err, "a released stale target can be claimed")
	require.NoError(t, c.Release())
	require.NoError(t, live.Release())
}

func TestStaleClaimsByAge(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
			clock := func() time.Time { return now }
			s, err := NewStore(f.fs, f.root, &StoreOptions{Now: clock})
			require.NoError(t, err)
			old, err := s.Claim(filepath.Join(f.root, "old_v001.ma"))
			require.NoError(t, err)
			now = now.Add(50 * time.Minute)
			fresh, err := s.Claim(filepath.Join(f.root, "fresh_v001.ma"))
			require.NoError(t, err)
			// An unreadable (empty) claim file last written long ago.
			empty := filepath.Join(f.root, "sub", ".empty_v001.ma"+ClaimSuffix)
			write(t, f.fs, empty, "")
			require.NoError(t, f.fs.Chtimes(empty, now.Add(-2*time.Hour), now.Add(-2*time.Hour)))
			now = now.Add(20 * time.Minute)

			stale, err := s.StaleClaims(f.root, time.Hour)
			require.NoError(t, err)
			var paths []string
			for _, sc := range stale {
				paths = append(paths, sc.Path)
			}
			require.ElementsMatch(t, []string{old.Path, empty}, paths)

			released, err := s.ReleaseStale(f.root, time.Hour)
			require.NoError(t, err)
			require.Len(t, released, 2)
			require.ErrorIs(t, old.Release(), ErrClaimLost)
			require.NoError(t, fresh.Release())

			_, err = s.StaleClaims(f.root, 0)
			require.ErrorContains(t, err, "want a positive duration")
			_, err = s.StaleClaims(filepath.Join(f.root, ".."), time.Hour)
			require.ErrorIs(t, err, ErrUnsafePath)
		})
	}
}

var _ = context.Background

func TestSweepTemps(t *testing.T) {
	for _, f := range fixtures(t) {
		t.Run(f.name, func(t *testing.T) {
			now := time.Now()
			s, err := NewStore(f.fs, f.root, &StoreOptions{Now: func() time.Time { return now }})
			require.NoError(t, err)
			old := filepath.Join(f.root, "a", ".x_v001.ma"+TempInfix+"0123456789abcdef")
			recent := filepath.Join(f.root, "b", ".y_v001.ma"+TempInfix+"fedcba9876543210")
			published := filepath.Join(f.root, "a", "x_v002.ma")
			for _, p := range []string{old, recent, published} {
				write(t, f.fs, p, "x")
			}
			require.NoError(t, f.fs.Chtimes(old, now.Add(-48*time.Hour), now.Add(-48*time.Hour)))
			require.NoError(t, f.fs.Chtimes(published, now.Add(-48*time.Hour), now.Add(-48*time.Hour)))
			removed, err := s.SweepTemps(f.root, 24*time.Hour)
			require.NoError(t, err)
			require.Equal(t, []string{old}, removed)
			require.Equal(t, []string{"a", "a/x_v002.ma", "b", "b/" + filepath.Base(recent)}, files(t, f.fs, f.root))
			_, err = s.SweepTemps(f.root, 0)
			require.ErrorContains(t, err, "want a positive duration")
		})
	}
}

func TestStaleClaimHidesToken(t *testing.T) {
	f := fixtures(t)[1]
	now := time.Now()
	s, err := NewStore(f.fs, f.root, &StoreOptions{Now: func() time.Time { return now }})
	require.NoError(t, err)
	c, err := s.Claim(filepath.Join(f.root, "x_v001.ma"))
	require.NoError(t, err)
	now = now.Add(2 * time.Hour)
	stale, err := s.StaleClaims(f.root, time.Hour)
	require.NoError(t, err)
	require.Len(t, stale, 1)
	printed := fmt.Sprintf("%v %+v %#v %s", stale, stale[0], stale[0], stale)
	require.NotContains(t, printed, c.token)
	require.Contains(t, printed, "over the timeout 1h0m0s")
}
