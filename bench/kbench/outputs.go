package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kpublish/kpublish/kitsu"
)

// The project, sequence, task type and output type the output benchmark
// publishes into: made once, found by name afterwards. Each run of each
// command gets a new shot, so that no run sees another's revisions.
const (
	outputsProject    = "kpublish bench outputs"
	outputsTaskType   = "Compositing"
	outputsOutputType = "kpublish bench"
)

// outputs runs NAME CMD pairs, each in procs concurrent shell processes
// (all publishing to one new shot), runs times interleaved, and prints
// publishes per second (procs × n / wall time), with what Kitsu holds
// for the shot afterwards: records, and revisions held by more than one
// record (two publishers that took the same revision).
//
// Each process gets in its environment BENCH_ENTITY, BENCH_TASK,
// BENCH_TASK_TYPE, BENCH_OUTPUT_TYPE (ids), BENCH_N (publishes to make),
// BENCH_PROC (0..procs-1), BENCH_ROOT (a new folder standing for the
// tree's /prod), BENCH_ROOTS (a kpublish roots file mapping /prod to it)
// and BENCH_SRC, a folder of the files to publish, one for each publish
// (distinct random content of -size bytes: cache_PROC_I.abc for I in
// 0..N-1, with PROC and I in letters, a for 0, b for 1, ..., ba for 26,
// so that no name looks like a frame of a sequence), made before the
// clock starts.
func outputs(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("outputs", flag.ExitOnError)
	procs := fs.Int("procs", 16, "concurrent processes per run")
	n := fs.Int("n", 5, "publishes per process")
	runs := fs.Int("runs", 5, "runs of each command")
	dir := fs.String("dir", os.TempDir(), "folder for the runs' roots")
	size := fs.Int("size", 1<<20, "bytes of each published file")
	_ = fs.Parse(args)
	rest := fs.Args()
	if len(rest) == 0 || len(rest)%2 != 0 || *procs < 1 || *n < 1 || *runs < 1 {
		return errors.New("outputs wants [-procs P] [-n N] [-runs R] NAME CMD pairs")
	}
	c, err := client(ctx)
	if err != nil {
		return err
	}
	projectID, seqID, ttID, otID, err := outputsSetup(ctx, c)
	if err != nil {
		return err
	}
	type row struct {
		name, cmd string
		rate      []float64
		wall      []time.Duration
		records   []int
		shared    []int
	}
	var rows []*row
	for i := 0; i < len(rest); i += 2 {
		rows = append(rows, &row{name: rest[i], cmd: rest[i+1]})
	}
	load := func() string {
		b, _ := os.ReadFile("/proc/loadavg")
		f := strings.Fields(string(b))
		if len(f) < 3 {
			return "?"
		}
		return strings.Join(f[:3], " ")
	}
	loadStart := load()
	for run := range *runs {
		for i, r := range rows {
			shot, err := c.Shot.NewShot(ctx, projectID, seqID, fmt.Sprintf("B%d_%d_%d", run, i, time.Now().UnixNano()%1e9), nil)
			if err != nil {
				return err
			}
			task, err := c.Task.NewTask(ctx, shot.ID, ttID, nil)
			if err != nil {
				return err
			}
			root, err := os.MkdirTemp(*dir, "kbench-outputs-")
			if err != nil {
				return err
			}
			prod := filepath.Join(root, "prod")
			roots := filepath.Join(root, "roots.json")
			if err := os.Mkdir(prod, 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(roots, fmt.Appendf(nil, `{"/prod": {"linux": %q, "darwin": %q, "windows": "P:\\"}}`+"\n", prod, prod), 0o644); err != nil {
				return err
			}
			src := filepath.Join(root, "src")
			if err := os.Mkdir(src, 0o755); err != nil {
				return err
			}
			buf := make([]byte, *size)
			for p := range *procs {
				for k := range *n {
					rand.Read(buf)
					if err := os.WriteFile(filepath.Join(src, "cache_"+letters(p)+"_"+letters(k)+".abc"), buf, 0o644); err != nil {
						return err
					}
				}
			}
			env := append(os.Environ(), "BENCH_SRC="+src, "BENCH_ENTITY="+shot.ID, "BENCH_TASK="+task.ID, "BENCH_TASK_TYPE="+ttID,
				"BENCH_OUTPUT_TYPE="+otID, "BENCH_N="+strconv.Itoa(*n), "BENCH_ROOT="+prod, "BENCH_ROOTS="+roots)
			d, err := runConcurrent(r.cmd, *procs, env)
			if err != nil {
				return fmt.Errorf("%s (run %d): %w", r.name, run+1, err)
			}
			files, err := c.Files.AllOutputFilesForEntity(ctx, shot.ID, nil)
			if err != nil {
				return err
			}
			byRev := map[int]int{}
			for _, f := range files {
				byRev[f.Revision]++
			}
			shared := 0
			for _, k := range byRev {
				if k > 1 {
					shared += k
				}
			}
			r.wall = append(r.wall, d)
			r.rate = append(r.rate, float64(*procs**n)/d.Seconds())
			r.records = append(r.records, len(files))
			r.shared = append(r.shared, shared)
			fmt.Fprintf(os.Stderr, "kbench: %s, run %d: %.1f publishes/s (%s), %d records, %d sharing a revision, load %s\n",
				r.name, run+1, r.rate[len(r.rate)-1], d.Round(time.Millisecond), len(files), shared, load())
			if err := os.RemoveAll(root); err != nil {
				return err
			}
		}
	}
	fmt.Printf("%d processes × %d publishes per run, %d runs each, interleaved; load average %s at the start, %s at the end\n",
		*procs, *n, *runs, loadStart, load())
	fmt.Printf("%-44s %12s %14s %10s %9s %14s %9s\n", "command", "publishes/s", "(min–max)", "wall", "records", "rev. shared", "vs first")
	base := medianFloat(rows[0].rate)
	for _, r := range rows {
		m := medianFloat(r.rate)
		fmt.Printf("%-44s %12.1f %6.1f–%-7.1f %10s %9d %14d %8.2fx\n", r.name, m, slices.Min(r.rate), slices.Max(r.rate),
			median(r.wall).Round(time.Millisecond), medianInt64(r.records), medianInt64(r.shared), m/base)
	}
	return nil
}

// outShot makes a new shot (and its task) in the output benchmark's
// project and prints the ids a publish to it needs.
func outShot(ctx context.Context) error {
	c, err := client(ctx)
	if err != nil {
		return err
	}
	projectID, seqID, ttID, otID, err := outputsSetup(ctx, c)
	if err != nil {
		return err
	}
	shot, err := c.Shot.NewShot(ctx, projectID, seqID, fmt.Sprintf("S%d", time.Now().UnixNano()%1e12), nil)
	if err != nil {
		return err
	}
	task, err := c.Task.NewTask(ctx, shot.ID, ttID, nil)
	if err != nil {
		return err
	}
	return printJSON(map[string]string{"entity": shot.ID, "task": task.ID, "task_type": ttID, "output_type": otID})
}

// outputsSetup finds or makes the benchmark's project (Zou's default
// file tree), sequence and output type, and finds the task type.
func outputsSetup(ctx context.Context, c *kitsu.Client) (project, sequence, taskType, outputType string, err error) {
	p, err := c.Project.GetProjectByName(ctx, outputsProject)
	if errors.Is(err, kitsu.ErrNotFound) {
		p, err = newDefaultTreeProject(ctx, c, outputsProject)
	}
	if err != nil {
		return "", "", "", "", err
	}
	seq, err := c.Shot.GetSequenceByName(ctx, p.ID, "SQ01", nil)
	if errors.Is(err, kitsu.ErrNotFound) {
		seq, err = c.Shot.NewSequence(ctx, p.ID, "SQ01", nil)
	}
	if err != nil {
		return "", "", "", "", err
	}
	tt, err := c.Task.GetTaskTypeByName(ctx, outputsTaskType, &kitsu.GetTaskTypeByNameOptions{ForEntity: "Shot"})
	if err != nil {
		return "", "", "", "", err
	}
	ot, err := c.Files.GetOutputTypeByName(ctx, outputsOutputType)
	if errors.Is(err, kitsu.ErrNotFound) {
		ot, err = c.Files.NewOutputType(ctx, outputsOutputType, "kbench")
	}
	if err != nil {
		return "", "", "", "", err
	}
	return p.ID, seq.ID, tt.ID, ot.ID, nil
}

// runConcurrent starts procs shell processes running cmd and waits for
// all of them; the wall time is from the first start to the last exit.
func runConcurrent(cmd string, procs int, env []string) (time.Duration, error) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	cs := make([]*exec.Cmd, procs)
	outs := make([]*strings.Builder, procs)
	for i := range cs {
		cs[i] = exec.Command("/bin/sh", "-c", cmd)
		cs[i].Env = append(slices.Clip(env), "BENCH_PROC="+strconv.Itoa(i))
		outs[i] = &strings.Builder{}
		cs[i].Stderr = outs[i]
	}
	start := time.Now()
	for i, c := range cs {
		if err := c.Start(); err != nil {
			return 0, err
		}
		wg.Go(func() {
			if err := c.Wait(); err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("process %d: %v: %s", i, err, lastLines(outs[i].String(), 5)))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	d := time.Since(start)
	return d, errors.Join(errs...)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func medianFloat(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}

func medianInt64[T int | int64](xs []T) T {
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}

// letters writes n in base 26 with the digits a to z.
func letters(n int) string {
	s := string(rune('a' + n%26))
	for n /= 26; n > 0; n /= 26 {
		s = string(rune('a'+n%26)) + s
	}
	return s
}
