package publish

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// helperClient logs in to the dev server as the test's admin.
func helperClient(ctx context.Context) (*kitsu.Client, error) {
	c, err := kitsu.NewClient(os.Getenv("KITSU_HOST"))
	if err != nil {
		return nil, err
	}
	if _, err := c.LogIn(ctx, os.Getenv("KITSU_USER"), os.Getenv("KITSU_PASSWORD")); err != nil {
		return nil, err
	}
	return c, nil
}

// waitStart waits for the start file of a multi-process test.
func waitStart(dir string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(filepath.Join(dir, "go")); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no start file in %s", dir)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// helperOutputPublish publishes PUBLISH_COUNT files of its own, one
// after the other, as the output PUBLISH_NAME of task PUBLISH_TASK, and
// prints each revision with the file's path.
func helperOutputPublish() int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := helperClient(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	src := os.Getenv("PUBLISH_SRC")
	n, _ := strconv.Atoi(os.Getenv("PUBLISH_COUNT"))
	o := &Output{Client: c, Logf: func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }}
	if err := waitStart(src); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	for i := range n {
		p := filepath.Join(src, fmt.Sprintf("p%d-n%d.bin", os.Getpid(), i))
		if err := os.WriteFile(p, []byte(fmt.Sprintf("pid %d publish %d\n", os.Getpid(), i)), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		res, err := o.Publish(ctx, &OutputRequest{
			Target:  OutputTarget{TaskID: os.Getenv("PUBLISH_TASK"), OutputType: os.Getenv("PUBLISH_OT"), Name: os.Getenv("PUBLISH_NAME")},
			Sources: []OutputSource{{Path: p}},
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("%d\t%s\t%s\t%d\n", res.Revision, res.Files[0].Paths[0], res.Files[0].OutputFile.ID, len(res.MovedFrom))
	}
	return 0
}

// helperOutputRaw creates PUBLISH_COUNT records of the output through
// raw NewEntityOutputFile calls (Zou picks the revision), as a gazu
// script does.
func helperOutputRaw() int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	c, err := helperClient(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	n, _ := strconv.Atoi(os.Getenv("PUBLISH_COUNT"))
	if err := waitStart(os.Getenv("PUBLISH_SRC")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	for range n {
		rec, err := c.Files.NewEntityOutputFile(ctx, os.Getenv("PUBLISH_ENTITY"), os.Getenv("PUBLISH_OT"), os.Getenv("PUBLISH_TT"), "raw", &kitsu.NewOutputFileOptions{Name: os.Getenv("PUBLISH_NAME")})
		if err != nil {
			// Zou refuses some creations made at the same moment.
			fmt.Fprintln(os.Stderr, "raw creation:", err)
			continue
		}
		fmt.Println(rec.ID)
		time.Sleep(20 * time.Millisecond)
	}
	return 0
}

// TestOutputRace runs 16 OS processes publishing 20 files each as the
// same output (one key) against the real Zou: 320 distinct revisions,
// 320 files on disk, each holding what its publisher wrote, exactly one
// Kitsu record per revision. Then again with 8 more processes creating
// records of the same key through raw NewEntityOutputFile calls at the
// same time: kpublish may be pushed to later revisions, but never shares
// one with a raw record.
func TestOutputRace(t *testing.T) {
	if testing.Short() {
		t.Skip("16 processes × 20 publishes")
	}
	f := newOutFixture(t, nil)
	for _, raw := range []int{0, 8} {
		t.Run(fmt.Sprintf("raw=%d", raw), func(t *testing.T) {
			name := fmt.Sprintf("race-%d", raw)
			src := t.TempDir()
			exe, err := os.Executable()
			require.NoError(t, err)
			env := append(os.Environ(), "PUBLISH_SRC="+src, "PUBLISH_COUNT=20", "PUBLISH_NAME="+name,
				"PUBLISH_TASK="+f.at.Task.ID, "PUBLISH_OT="+f.ot.ID, "PUBLISH_ENTITY="+f.at.Asset.ID, "PUBLISH_TT="+f.at.Task.TaskTypeID)
			type proc struct {
				cmd            *exec.Cmd
				stdout, stderr bytes.Buffer
			}
			var procs []*proc
			start := func(helper string) {
				p := &proc{cmd: exec.Command(exe, "-test.run=^$")}
				p.cmd.Env = append(env, "PUBLISH_HELPER="+helper)
				p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
				require.NoError(t, p.cmd.Start())
				procs = append(procs, p)
			}
			for range 16 {
				start("output-publish")
			}
			for range raw {
				start("output-raw")
			}
			began := time.Now()
			require.NoError(t, os.WriteFile(filepath.Join(src, "go"), nil, 0o644))
			type published struct {
				rev        int
				path, id   string
				pid, moves int
			}
			var all []published
			moves := 0
			rawIDs := map[string]bool{}
			for i, p := range procs {
				err := p.cmd.Wait()
				require.NoError(t, err, "process %d: %s", i, p.stderr.String())
				sc := bufio.NewScanner(&p.stdout)
				if i >= 16 {
					for sc.Scan() {
						rawIDs[sc.Text()] = true
					}
					continue
				}
				for sc.Scan() {
					parts := strings.Split(sc.Text(), "\t")
					require.Len(t, parts, 4, sc.Text())
					rev, _ := strconv.Atoi(parts[0])
					mv, _ := strconv.Atoi(parts[3])
					moves += mv
					all = append(all, published{rev: rev, path: parts[1], id: parts[2], pid: p.cmd.Process.Pid, moves: mv})
				}
			}
			elapsed := time.Since(began)
			t.Logf("16 processes × 20 publishes with %d raw creators: %v (%.1f publishes/s), %d moves to a later revision", raw, elapsed.Round(time.Millisecond), 320/elapsed.Seconds(), moves)

			require.Len(t, all, 320)
			revs := map[int]published{}
			for _, p := range all {
				_, dup := revs[p.rev]
				require.False(t, dup, "revision %d published twice", p.rev)
				revs[p.rev] = p
				content := read(t, afero.NewOsFs(), p.path)
				require.True(t, strings.HasPrefix(content, fmt.Sprintf("pid %d publish ", p.pid)), "%s holds %q, not what process %d wrote", p.path, content, p.pid)
			}
			var onDisk []string
			require.NoError(t, filepath.Walk(filepath.Join(f.root, "out"), func(p string, fi os.FileInfo, err error) error {
				if err == nil && !fi.IsDir() && strings.Contains(p, "_"+strings.ReplaceAll(name, "-", "_")+"_v") {
					onDisk = append(onDisk, p)
				}
				return err
			}))
			assert.Len(t, onDisk, 320, "320 files on disk, no temporary file")

			recs, err := f.c.Files.AllOutputFilesForEntity(kitsutest.Context(t), f.at.Asset.ID, &kitsu.OutputFilesOptions{OutputTypeID: f.ot.ID, Name: name})
			require.NoError(t, err)
			byRev := map[int][]string{}
			rawKept := 0
			for _, r := range recs {
				byRev[r.Revision] = append(byRev[r.Revision], r.ID)
				if rawIDs[r.ID] {
					rawKept++
				}
			}
			for rev, p := range revs {
				require.Equal(t, []string{p.id}, byRev[rev], "revision %d: exactly one record, kpublish's", rev)
			}
			t.Logf("%d raw creations succeeded", len(rawIDs))
			require.Equal(t, len(rawIDs), rawKept, "every raw record stays")
			require.Equal(t, 320+len(rawIDs), len(recs), "kpublish's records and the raw ones, nothing else")
		})
	}
}
