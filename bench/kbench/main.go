// Command kbench prepares and runs the benchmarks of bench/run against the
// dev server: it seeds a large project once, lists it the ways the client
// can, and times commands side by side.
//
//	kbench seed -tasks 50000           create (or find) the bench project; prints JSON ids
//	kbench list -project ID -how all   list its tasks: all | fetcheach | each
//	kbench compare -n 15 NAME CMD...   run each shell command n times, interleaved
//	kbench outshot                     make a new shot in the output benchmark's project; prints JSON ids
//	kbench outputs -procs 16 -n 5 -runs 5 NAME CMD...
//	                                   run each command in procs concurrent processes, interleaved runs, each run
//	                                   on a new shot; prints publishes per second and the records Kitsu holds
//	kbench copy SRC DIR                publish SRC into DIR as publish does (hash, fsync, no-replace move), then remove it
//	kbench copyseq -workers 4 SRC DIR  publish every file of the folder SRC into the new folder DIR/seq-PID with parallel
//	                                   CopyNoReplace (verify on, read-only), as an output publish copies a sequence
//	kbench watchburst -files 10000 -dirs 1000 [-assets 10] [-settle 2s]
//	                                   write that many working files of a fresh project into a folder kpublish watch
//	                                   watches, as fast as possible; prints the time to the last registration, the
//	                                   latency from each file's last write to its registration (p50, p95), the
//	                                   watcher's peak RSS and registrations per second, and checks Kitsu's records
//	kbench watchidle -dirs 100000 -idle 1m
//	                                   watch that many empty folders; prints the first scan's time, the CPU time
//	                                   and RSS of the idle watcher
//
// compare prints, per command, the median wall time and peak RSS of its
// runs and the ratio to the first command's median.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/afero"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/kitsu"
	"github.com/kpublish/kpublish/publish"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "seed":
		err = seed(ctx, os.Args[2:])
	case "list":
		err = list(ctx, os.Args[2:])
	case "compare":
		err = compare(os.Args[2:])
	case "copy":
		err = copyOnce(ctx, os.Args[2:])
	case "copyseq":
		err = copySeq(ctx, os.Args[2:])
	case "outputs":
		err = outputs(ctx, os.Args[2:])
	case "outshot":
		err = outShot(ctx)
	case "watchburst":
		err = watchBurst(ctx, os.Args[2:])
	case "watchidle":
		err = watchIdle(ctx, os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kbench:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: kbench seed|list|compare ... (see bench/README.md)")
	os.Exit(2)
}

// client logs in from KITSU_HOST and KITSU_TOKEN, or KITSU_USER and
// KITSU_PASSWORD, as kpublish does.
func client(ctx context.Context) (*kitsu.Client, error) {
	host := os.Getenv("KITSU_HOST")
	if host == "" {
		return nil, errors.New("KITSU_HOST is not set (eval \"$(scripts/kitsu-dev env)\")")
	}
	c, err := kitsu.NewClient(host, kitsu.WithTimeout(10*time.Minute))
	if err != nil {
		return nil, err
	}
	if tok := os.Getenv("KITSU_TOKEN"); tok != "" {
		c.SetTokens(kitsu.Tokens{AccessToken: tok})
		return c, nil
	}
	if _, err := c.LogIn(ctx, os.Getenv("KITSU_USER"), os.Getenv("KITSU_PASSWORD")); err != nil {
		return nil, err
	}
	return c, nil
}

// seeded is what seed prints.
type seeded struct {
	ProjectID string `json:"project_id"`
	TaskID    string `json:"task_id"`
	TaskID2   string `json:"task_id2"`
	Tasks     int    `json:"tasks"`
}

// seed makes a project of n shot tasks (Zou's seven shot task types on
// ceil(n/7) shots), with Zou's default file tree, unless one of that name
// with n tasks exists already.
func seed(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	n := fs.Int("tasks", 50000, "number of tasks")
	_ = fs.Parse(args)
	if *n < 7 {
		return fmt.Errorf("-tasks %d: want at least 7", *n)
	}
	c, err := client(ctx)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("kpublish bench %d tasks", *n)
	p, err := c.Project.GetProjectByName(ctx, name)
	if err == nil {
		var page struct {
			Total int `json:"total"`
			Data  []struct {
				ID string `json:"id"`
			} `json:"data"`
		}
		q := url.Values{"project_id": {p.ID}, "page": {"1"}, "limit": {"2"}}
		if err := c.Get(ctx, "data/tasks", &page, &kitsu.RequestOptions{Params: q}); err != nil {
			return err
		}
		if page.Total == *n && len(page.Data) == 2 {
			return printJSON(seeded{p.ID, page.Data[0].ID, page.Data[1].ID, page.Total})
		}
		return fmt.Errorf("project %q exists with %d tasks, not %d: remove it or purge the dev server", name, page.Total, *n)
	}
	if !errors.Is(err, kitsu.ErrNotFound) {
		return err
	}
	proj, err := newDefaultTreeProject(ctx, c, name)
	if err != nil {
		return err
	}
	seq, err := c.Shot.NewSequence(ctx, proj.ID, "SQ01", nil)
	if err != nil {
		return err
	}
	types := []string{"Storyboard", "Layout", "Animation", "Lighting", "FX", "Rendering", "Compositing"}
	nShots := (*n + len(types) - 1) / len(types)
	shotIDs := make([]string, nShots)
	if err := parallel(nShots, 4, func(i int) error {
		s, err := c.Shot.NewShot(ctx, proj.ID, seq.ID, fmt.Sprintf("SH%05d", i+1), nil)
		if err == nil {
			shotIDs[i] = s.ID
		}
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "kbench: %d shots made\n", nShots)
	left := *n
	for _, tn := range types {
		tt, err := c.Task.GetTaskTypeByName(ctx, tn, &kitsu.GetTaskTypeByNameOptions{ForEntity: "Shot"})
		if err != nil {
			return err
		}
		ids := shotIDs[:min(left, nShots)]
		left -= len(ids)
		const chunk = 250
		if err := parallel((len(ids)+chunk-1)/chunk, 4, func(i int) error {
			part := ids[i*chunk : min((i+1)*chunk, len(ids))]
			return c.Post(ctx, "actions/projects/"+proj.ID+"/task-types/"+tt.ID+"/shots/create-tasks", part, nil, nil)
		}); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "kbench: %s tasks made\n", tn)
	}
	return seed(ctx, args) // read back what was made
}

// newDefaultTreeProject makes a feature film project with Zou's default
// file tree.
func newDefaultTreeProject(ctx context.Context, c *kitsu.Client, name string) (*kitsu.Project, error) {
	var tree map[string]any
	if err := json.Unmarshal(filetree.DefaultTreeJSON(), &tree); err != nil {
		return nil, err
	}
	var proj kitsu.Project
	if err := c.Create(ctx, "projects", map[string]any{"name": name, "production_type": "featurefilm", "file_tree": tree}, &proj); err != nil {
		return nil, err
	}
	return &proj, nil
}

// parallel runs f(0..n-1) on workers goroutines and returns the first error.
func parallel(n, workers int, f func(int) error) error {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int
		err  error
	)
	for range workers {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				stop := err != nil
				mu.Unlock()
				if stop || i >= n {
					return
				}
				if e := f(i); e != nil {
					mu.Lock()
					err = cmpErr(err, e)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return err
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// list walks the project's tasks one way and prints how many came back.
func list(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("list", flag.ExitOnError)
	project := fs.String("project", "", "project id")
	how := fs.String("how", "all", "all | fetcheach | each")
	pageSize := fs.Int("page", 5000, "page size for fetcheach")
	_ = fs.Parse(args)
	c, err := client(ctx)
	if err != nil {
		return err
	}
	count := 0
	switch *how {
	case "all":
		tasks, err := c.Task.AllTasksForProject(ctx, *project, nil)
		if err != nil {
			return err
		}
		count = len(tasks)
	case "fetcheach":
		opts := &kitsu.FetchOptions{Params: url.Values{"project_id": {*project}}, Limit: *pageSize}
		for _, err := range kitsu.FetchEach[kitsu.Task](ctx, c, "tasks", opts) {
			if err != nil {
				return err
			}
			count++
		}
	case "each":
		for _, err := range c.Task.EachTaskForProject(ctx, *project, nil) {
			if err != nil {
				return err
			}
			count++
		}
	default:
		return fmt.Errorf("-how %q: want all, fetcheach or each", *how)
	}
	fmt.Println(count)
	return nil
}

// copyOnce copies src into dir with publish's CopyNoReplace (hashing as
// it copies, fsync of the file and the folder, a no-replace move) and
// removes the copy, so that it can be timed beside cp.
func copyOnce(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return errors.New("copy wants SRC DIR")
	}
	store, err := publish.NewStore(afero.NewOsFs(), args[1], nil)
	if err != nil {
		return err
	}
	dst := filepath.Join(args[1], fmt.Sprintf("copy-%d", os.Getpid()))
	res, err := store.CopyNoReplace(ctx, args[0], dst, nil)
	if err != nil {
		return err
	}
	fmt.Println(res.Sum.Hex)
	return os.Remove(dst)
}

// copySeq publishes the files of a folder into a new folder with
// parallel CopyNoReplace, as the output publish of a sequence copies its
// frames (verify on, read-only), and prints the folder.
func copySeq(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("copyseq", flag.ExitOnError)
	workers := fs.Int("workers", 4, "parallel copies")
	_ = fs.Parse(args)
	if fs.NArg() != 2 || *workers < 1 {
		return errors.New("copyseq wants [-workers N] SRC DIR")
	}
	src := fs.Arg(0)
	dir, err := filepath.Abs(fs.Arg(1))
	if err != nil {
		return err
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	store, err := publish.NewStore(afero.NewOsFs(), dir, nil)
	if err != nil {
		return err
	}
	out := filepath.Join(dir, fmt.Sprintf("seq-%d", os.Getpid()))
	opts := &publish.CopyOptions{Verify: true, ReadOnly: true}
	err = parallel(len(ents), *workers, func(i int) error {
		_, err := store.CopyNoReplace(ctx, filepath.Join(src, ents[i].Name()), filepath.Join(out, ents[i].Name()), opts)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Println(out)
	return nil
}

// compare runs NAME CMD pairs n times each, interleaved, and prints the
// median wall time and peak RSS of each.
func compare(args []string) error {
	fs := flag.NewFlagSet("compare", flag.ExitOnError)
	n := fs.Int("n", 15, "runs of each command")
	warm := fs.Int("warmup", 1, "untimed runs of each command first")
	before := fs.String("before", "", "shell command run, untimed, before each run of each command (clean up, drop caches)")
	_ = fs.Parse(args)
	rest := fs.Args()
	if len(rest) == 0 || len(rest)%2 != 0 {
		return errors.New("compare wants NAME CMD pairs")
	}
	type bench struct {
		name, cmd string
		wall      []time.Duration
		rss       []int64 // KiB
	}
	var bs []*bench
	for i := 0; i < len(rest); i += 2 {
		bs = append(bs, &bench{name: rest[i], cmd: rest[i+1]})
	}
	for run := -*warm; run < *n; run++ {
		for _, b := range bs {
			if *before != "" {
				if out, err := exec.Command("/bin/sh", "-c", *before).CombinedOutput(); err != nil {
					return fmt.Errorf("-before: %v: %s", err, out)
				}
			}
			d, rss, err := runOnce(b.cmd)
			if err != nil {
				return fmt.Errorf("%s: %w", b.name, err)
			}
			if run >= 0 {
				b.wall = append(b.wall, d)
				b.rss = append(b.rss, rss)
			}
		}
	}
	base := median(bs[0].wall)
	fmt.Printf("%-34s %12s %12s %12s %10s\n", "command", "median", "min", "peak RSS", "vs first")
	for _, b := range bs {
		m := median(b.wall)
		fmt.Printf("%-34s %12s %12s %9.1f MiB %9.2fx\n", b.name, m.Round(100*time.Microsecond),
			slices.Min(b.wall).Round(100*time.Microsecond), float64(medianInt(b.rss))/1024, float64(base)/float64(m))
	}
	return nil
}

// runOnce runs cmd with sh under GNU time and returns its wall time and
// peak RSS (KiB). GNU time forks the command from its own small process:
// the peak RSS a Go parent reads from wait4 would start at its own size.
func runOnce(cmd string) (time.Duration, int64, error) {
	f, err := os.CreateTemp("", "kbench-rss-")
	if err != nil {
		return 0, 0, err
	}
	f.Close()
	defer os.Remove(f.Name())
	c := exec.Command("/usr/bin/time", "-f", "%M", "-o", f.Name(), "/bin/sh", "-c", "exec "+cmd)
	var stderr strings.Builder
	c.Stdout = io.Discard
	c.Stderr = &stderr
	start := time.Now()
	err = c.Run()
	d := time.Since(start)
	if err != nil {
		return 0, 0, fmt.Errorf("%v: %s", err, strings.TrimSpace(stderr.String()))
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return 0, 0, err
	}
	rss, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		return 0, 0, fmt.Errorf("GNU time wrote %q: %w", b, err)
	}
	return d, rss, nil
}

func median(xs []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}

func medianInt(xs []int64) int64 {
	s := slices.Sorted(slices.Values(xs))
	return s[len(s)/2]
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	return enc.Encode(v)
}
