package watch

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type childProc struct {
	cmd    *exec.Cmd
	stdout *bufio.Scanner
}

func startChild(t *testing.T, kind string, env []string) *childProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(append(os.Environ(), "KPUBLISH_WATCH_CHILD="+kind), env...)
	cmd.Stderr = tbWriter{t}
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return &childProc{cmd: cmd, stdout: bufio.NewScanner(out)}
}

func (c *childProc) kill(t *testing.T) {
	t.Helper()
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGKILL))
	_ = c.cmd.Wait()
}

// TestJournalSurvivesSIGKILL: a process journaling batches is killed
// mid-way; every batch it saw committed is in the journal afterwards.
func TestJournalSurvivesSIGKILL(t *testing.T) {
	jpath := filepath.Join(t.TempDir(), "journal.db")
	c := child(t, "journal", "KPUBLISH_WATCH_JOURNAL="+jpath, "KPUBLISH_WATCH_N=1000000")
	committed := 0
	for c.stdout.Scan() {
		n, err := strconv.Atoi(strings.TrimPrefix(c.stdout.Text(), "committed "))
		require.NoError(t, err)
		committed = n
		if committed >= 3000 {
			break
		}
	}
	c.kill(t)
	require.GreaterOrEqual(t, committed, 3000)

	j, err := OpenJournal(jpath, nil)
	require.NoError(t, err)
	defer j.Close()
	counts, err := j.Status()
	require.NoError(t, err)
	require.GreaterOrEqual(t, counts["/root"].Pending, committed)
	for k := range committed {
		e, ok, err := j.Get(fmt.Sprintf("/root/f%06d.ma", k))
		require.NoError(t, err)
		require.True(t, ok, "entry %d lost", k)
		require.Equal(t, int64(k+1), e.Size)
	}
	due, _, err := j.due(time.Now().Add(time.Hour), 1<<30, nil)
	require.NoError(t, err)
	require.Equal(t, counts["/root"].Pending, len(due), "due index and counts agree")
}

// TestWatcherSIGKILL: the watcher is killed with SIGKILL several times
// during a burst and restarted each time: every file ends up registered,
// twice only when a kill fell between a registration and its journaling.
func TestWatcherSIGKILL(t *testing.T) {
	root := t.TempDir()
	tmp := t.TempDir()
	jpath := filepath.Join(tmp, "journal.db")
	logPath := filepath.Join(tmp, "registered.log")
	env := []string{"KPUBLISH_WATCH_ROOT=" + root, "KPUBLISH_WATCH_JOURNAL=" + jpath, "KPUBLISH_WATCH_LOG=" + logPath}
	registered := func() map[string]int {
		b, err := os.ReadFile(logPath)
		if err != nil {
			return map[string]int{}
		}
		out := map[string]int{}
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if l != "" {
				out[l]++
			}
		}
		return out
	}
	total := func(m map[string]int) int {
		n := 0
		for _, v := range m {
			n += v
		}
		return n
	}

	files := 2000
	if slowTests() {
		files = 10000
	}
	kills := 5
	var want []string
	c := child(t, "watcher", env...)
	made := 0
	for k := range kills {
		// Write a slice of the burst, kill once some of it is registered
		// (registrations take 5 ms each: the kill lands mid-slice).
		before := total(registered())
		for ; made < files*(k+1)/(kills+1); made++ {
			p := filepath.Join(root, fmt.Sprintf("d%03d", made%100), fmt.Sprintf("f%05d.ma", made))
			writeFile(t, p, p)
			want = append(want, p)
		}
		waitFor(t, time.Minute, "some registrations", func() bool { return total(registered()) > before+50 })
		c.kill(t)
		c = child(t, "watcher", env...)
	}
	for ; made < files; made++ {
		p := filepath.Join(root, fmt.Sprintf("d%03d", made%100), fmt.Sprintf("f%05d.ma", made))
		writeFile(t, p, p)
		want = append(want, p)
	}
	waitFor(t, 5*time.Minute, "every file registered", func() bool { return len(registered()) >= len(want) })
	time.Sleep(time.Second)
	require.NoError(t, c.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, c.cmd.Wait(), "clean stop on SIGTERM")

	got := registered()
	dups := 0
	for _, p := range want {
		require.NotZero(t, got[p], "lost: %s", p)
		dups += got[p] - 1
	}
	require.Len(t, got, len(want), "registered files that were not written")
	// A kill loses at most the results not yet journaled: those in
	// flight and one commit batch.
	require.LessOrEqual(t, dups, kills*(commitBatch+DefaultWorkers))
	j, err := OpenJournal(jpath, nil)
	require.NoError(t, err)
	defer j.Close()
	counts, err := j.Status()
	require.NoError(t, err)
	var c0 Counts
	for _, v := range counts {
		c0 = v
	}
	require.Equal(t, Counts{Registered: len(want)}, c0)
	t.Logf("%d files, %d SIGKILLs, %d registered twice (killed between the registration and its journaling)", len(want), kills, dups)
}
