package main

import (
	"bufio"
	"context"
	"crypto/rand"
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
	"syscall"
	"time"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
	"github.com/kpublish/kpublish/watch"
)

// watchProject is what the burst benchmark makes in Kitsu: a fresh
// project with kitsutest.WatchTree, an asset type, assets with a Modeling task
// each, and a software of its own.
type watchProject struct {
	project             kitsu.Project
	assetType, software string // ids
	swSlug, ext         string
	typeSlug, projSlug  string
	assets              []kitsu.Asset
	tasks               []kitsu.Task
}

// slug is the tree's lowercase style for the plain names kbench makes.
func slug(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "_")) }

// newWatchProject makes the burst's project under root.
func newWatchProject(ctx context.Context, c *kitsu.Client, root string, assets int) (*watchProject, error) {
	stamp := strconv.FormatInt(time.Now().UnixNano()%1e12, 36)
	p := &watchProject{ext: ".kbw"}
	if err := c.Create(ctx, "projects", map[string]any{"name": "kpublish bench watch " + stamp, "production_type": "featurefilm", "file_tree": kitsutest.WatchTree(root)}, &p.project); err != nil {
		return p, err
	}
	p.projSlug = slug(p.project.Name)
	var at kitsu.AssetType
	if err := c.Create(ctx, "entity-types", map[string]any{"name": "Props " + stamp}, &at); err != nil {
		return p, err
	}
	p.assetType, p.typeSlug = at.ID, slug(at.Name)
	var sw kitsu.Software
	if err := c.Create(ctx, "softwares", map[string]any{"name": "Kbench " + stamp, "short_name": "kbw", "file_extension": p.ext}, &sw); err != nil {
		return p, err
	}
	p.software, p.swSlug = sw.ID, slug(sw.Name)
	var tt kitsu.TaskType
	if err := c.FetchFirst(ctx, "task-types", &tt, &kitsu.RequestOptions{Params: url.Values{"name": {"Modeling"}}}); err != nil {
		return p, err
	}
	var todo kitsu.TaskStatus
	if err := c.FetchFirst(ctx, "task-status", &todo, &kitsu.RequestOptions{Params: url.Values{"short_name": {"todo"}}}); err != nil {
		return p, err
	}
	p.assets, p.tasks = make([]kitsu.Asset, assets), make([]kitsu.Task, assets)
	err := parallel(assets, 4, func(i int) error {
		body := map[string]any{"name": fmt.Sprintf("a%03d", i), "data": map[string]any{}, "is_shared": false}
		if err := c.Post(ctx, "data/projects/"+p.project.ID+"/asset-types/"+at.ID+"/assets/new", body, &p.assets[i], nil); err != nil {
			return err
		}
		return c.Create(ctx, "tasks", map[string]any{"name": "main", "project_id": p.project.ID, "entity_id": p.assets[i].ID,
			"task_type_id": tt.ID, "task_status_id": todo.ID}, &p.tasks[i])
	})
	return p, err
}

// workPath is where the tree puts revision rev of working file name of
// asset i.
func (p *watchProject) workPath(root string, i int, name string, rev int) string {
	a := p.assets[i].Name
	return filepath.Join(root, "work", p.projSlug, "assets", p.typeSlug, a, "modeling", p.swSlug, name,
		fmt.Sprintf("%s_modeling_%s_v%03d%s", a, name, rev, p.ext))
}

// remove deletes the tasks (with their working files), closes and
// deletes the project, then the asset type and the software. The tasks
// go first, one at a time: Zou deletes a project in one request, which
// with 10,000 working files outlasts gunicorn's 120 s worker timeout
// here (the worker is killed, nothing is deleted).
func (p *watchProject) remove(c *kitsu.Client) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	var errs []error
	for _, t := range p.tasks {
		if t.ID != "" {
			_, err := c.Delete(ctx, "data/tasks/"+t.ID, &kitsu.RequestOptions{Params: url.Values{"force": {"true"}}})
			errs = append(errs, err)
		}
	}
	if p.project.ID != "" {
		var closed kitsu.ProjectStatus
		err := c.FetchFirst(ctx, "project-status", &closed, &kitsu.RequestOptions{Params: url.Values{"name": {"Closed"}}})
		if err == nil {
			err = c.Update(ctx, "projects", p.project.ID, map[string]any{"project_status_id": closed.ID}, nil)
		}
		if err == nil {
			_, err = c.Delete(ctx, "data/projects/"+p.project.ID, &kitsu.RequestOptions{Params: url.Values{"force": {"true"}}})
		}
		errs = append(errs, err)
	}
	if p.assetType != "" {
		_, err := c.Delete(ctx, "data/entity-types/"+p.assetType, nil)
		errs = append(errs, err)
	}
	if p.software != "" {
		_, err := c.Delete(ctx, "data/softwares/"+p.software, nil)
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// watchProc is a running kpublish watch.
type watchProc struct {
	cmd     *exec.Cmd
	journal string
	started time.Time
	done    chan error

	mu    sync.Mutex
	lines []logLine // the "registered" lines
	last  []string  // the last lines of the log
	fails int       // "registration failed" lines
}

// logLine is one JSON line of kpublish watch --log-json.
type logLine struct {
	Time    time.Time `json:"time"`
	Level   string    `json:"level"`
	Msg     string    `json:"msg"`
	Path    string    `json:"path"`
	Ignored bool      `json:"ignored"`
	Detail  string    `json:"detail"`
}

// startWatch starts bin kpublish watch root --log-json with args, in an
// environment of its own (HOME and the config folder new, the Kitsu
// credentials of this process).
func startWatch(bin, root, tmp string, args ...string) (*watchProc, error) {
	journal := filepath.Join(tmp, "watch.db")
	all := append([]string{"watch", root, "--journal", journal, "--log-json"}, args...)
	cmd := exec.Command(bin, all...)
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + filepath.Join(tmp, "home"), "KPUBLISH_CONFIG_DIR=" + filepath.Join(tmp, "config")}
	for _, k := range []string{"KITSU_HOST", "KITSU_TOKEN", "KITSU_USER", "KITSU_PASSWORD"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	w := &watchProc{cmd: cmd, journal: journal, done: make(chan error, 1)}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	w.started = time.Now()
	go w.read(stderr)
	return w, nil
}

func (w *watchProc) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l logLine
		_ = json.Unmarshal(sc.Bytes(), &l)
		w.mu.Lock()
		if strings.HasPrefix(l.Msg, "registration failed") {
			w.fails++
		}
		if l.Msg == "registered" {
			w.lines = append(w.lines, l)
		}
		w.last = append(w.last, sc.Text())
		if len(w.last) > 40 {
			w.last = w.last[1:]
		}
		w.mu.Unlock()
	}
	w.done <- w.cmd.Wait()
}

// registered returns the "registered" lines so far.
func (w *watchProc) registered() []logLine {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.lines)
}

func (w *watchProc) tail() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.last, "\n")
}

// status reads the watcher's status file, nil until it is written.
func (w *watchProc) status() *watch.StatusSnapshot {
	s, err := watch.ReadStatusFile(w.journal + ".status.json")
	if err != nil || s.PID != w.cmd.Process.Pid {
		return nil
	}
	return s
}

// exited reports whether the watcher is gone, with its error.
func (w *watchProc) exited() (bool, error) {
	select {
	case err := <-w.done:
		w.done <- err
		return true, err
	default:
		return false, nil
	}
}

// stop sends SIGTERM and waits for the exit.
func (w *watchProc) stop() error {
	if gone, err := w.exited(); gone {
		return err
	}
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-w.done:
		return err
	case <-time.After(60 * time.Second):
		_ = w.cmd.Process.Kill()
		return errors.New("kpublish watch still running 60s after SIGTERM: killed")
	}
}

// procStatus reads fields (VmRSS, VmHWM) of /proc/PID/status, in KiB.
func procStatus(pid int) (map[string]int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	out := map[string]int64{}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || !strings.HasPrefix(k, "Vm") {
			continue
		}
		f := strings.Fields(v)
		if len(f) > 0 {
			n, _ := strconv.ParseInt(f[0], 10, 64)
			out[k] = n
		}
	}
	return out, nil
}

// procCPU reads the user and system CPU time of PID from /proc/PID/stat.
func procCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name is in parentheses and may hold spaces: fields
	// count from after the last ")". utime and stime are fields 14 and
	// 15 of the line, 12 and 13 after it.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: %q", pid, s)
	}
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	const hz = 100 // USER_HZ, 100 on every Linux
	return time.Duration(ut+st) * time.Second / hz, nil
}

// loadavg is the first three fields of /proc/loadavg.
func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// percentile is the p-th percentile (0..100) of sorted xs, nearest rank.
func percentile(xs []time.Duration, p float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	i := int(float64(len(xs))*p/100+0.5) - 1
	return xs[min(max(i, 0), len(xs)-1)]
}

// burstResult is what watchburst prints.
type burstResult struct {
	Files, Dirs, Assets int
	Settle              string
	Writers             int
	LoadBefore          string `json:"load_before"`
	LoadAfter           string `json:"load_after"`
	WriteSeconds        float64
	FirstRegSeconds     float64 // from the burst's start to the first registration
	LastRegSeconds      float64 // from the burst's start to the last registration
	AfterLastWrite      float64 // from the last write to the last registration
	P50, P95, P99, Max  float64 // seconds from a file's last write (its mtime) to its registration line
	RegsPerSec          float64 // registrations over the time from the first to the last
	RegsPerSecOverall   float64 // registrations over the time from the burst's start to the last
	PeakRSSMiB          float64 // VmHWM of the watcher
	RSSMiB              float64 // VmRSS at the end
	CPUSeconds          float64 // the watcher's user + system time, start to end
	KitsuRecords        int     // working files in Kitsu afterwards
	KitsuComplete       int     // of which with size and hash set
	KitsuSpanSeconds    float64 // first to last created_at in Kitsu (1 s resolution)
	Errors              int     // "registration failed" lines (each retried)
}

// watchBurst writes -files working files into -dirs folders of a fresh
// project's watched folder, as fast as it can, and measures how the
// watcher registers them.
func watchBurst(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("watchburst", flag.ExitOnError)
	bin := fs.String("kpublish", "bin/kpublish", "the kpublish binary")
	files := fs.Int("files", 1000, "working files to write")
	dirs := fs.Int("dirs", 100, "folders to spread them in (working-file names)")
	assets := fs.Int("assets", 10, "assets (each with a task) the folders are spread over")
	writers := fs.Int("writers", 4, "goroutines writing the files")
	size := fs.Int("size", 4096, "bytes per file (random)")
	settle := fs.Duration("settle", watch.DefaultSettle, "the watcher's --settle")
	timeout := fs.Duration("timeout", time.Hour, "give up waiting for the registrations after this")
	keep := fs.Bool("keep", false, "keep the project and the files")
	extra := fs.String("watch-args", "", "more arguments for kpublish watch (space separated)")
	_ = fs.Parse(args)
	if *dirs < *assets || *dirs%*assets != 0 || *files%*dirs != 0 {
		return fmt.Errorf("-files %d -dirs %d -assets %d: want dirs a multiple of assets and files of dirs", *files, *dirs, *assets)
	}
	c, err := client(ctx)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "kbench-watch-")
	if err != nil {
		return err
	}
	root := filepath.Join(tmp, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		return err
	}
	p, err := newWatchProject(ctx, c, root, *assets)
	defer func() {
		if *keep {
			fmt.Fprintf(os.Stderr, "kbench: kept project %q and %s\n", p.project.Name, tmp)
			return
		}
		if err := p.remove(c); err != nil {
			fmt.Fprintln(os.Stderr, "kbench: removing the project:", err)
		}
		_ = os.RemoveAll(tmp)
	}()
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "kbench: project %q, %d assets with a task each\n", p.project.Name, *assets)

	// The files' paths and contents, made before the clock starts.
	perDir := *files / *dirs
	dirsPerAsset := *dirs / *assets
	paths := make([]string, 0, *files)
	for d := range *dirs {
		for r := 1; r <= perDir; r++ {
			paths = append(paths, p.workPath(root, d/dirsPerAsset, fmt.Sprintf("n%04d", d%dirsPerAsset), r))
		}
	}
	content := make([]byte, *size+*files)
	_, _ = rand.Read(content)

	wargs := []string{"--project", p.project.ID, "--settle", settle.String()}
	if *extra != "" {
		wargs = append(wargs, strings.Fields(*extra)...)
	}
	w, err := startWatch(*bin, root, tmp, wargs...)
	if err != nil {
		return err
	}
	defer func() { _ = w.stop() }()
	// Started once the first scan of the (empty) root is done.
	for st := w.status(); st == nil || st.Scans < 1; st = w.status() {
		if gone, err := w.exited(); gone {
			return fmt.Errorf("kpublish watch exited (%v):\n%s", err, w.tail())
		}
		time.Sleep(100 * time.Millisecond)
	}
	cpu0, _ := procCPU(w.cmd.Process.Pid)
	res := burstResult{Files: *files, Dirs: *dirs, Assets: *assets, Settle: settle.String(), Writers: *writers, LoadBefore: loadavg()}
	fmt.Fprintf(os.Stderr, "kbench: writing %d files in %d folders (%d writers), load average %s\n", *files, *dirs, *writers, res.LoadBefore)

	mtimes := make(map[string]time.Time, *files)
	var mu sync.Mutex
	start := time.Now()
	err = parallel(len(paths), *writers, func(i int) error {
		path := paths[i]
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content[i:i+*size], 0o644); err != nil {
			return err
		}
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		mu.Lock()
		mtimes[path] = fi.ModTime()
		mu.Unlock()
		return nil
	})
	wrote := time.Now()
	if err != nil {
		return err
	}
	res.WriteSeconds = wrote.Sub(start).Seconds()
	fmt.Fprintf(os.Stderr, "kbench: written in %.2fs; waiting for the registrations\n", res.WriteSeconds)

	deadline := time.Now().Add(*timeout)
	lastCount, lastLog := 0, time.Now()
	var regs []logLine
	for {
		regs = w.registered()
		if len(regs) >= *files {
			break
		}
		if gone, err := w.exited(); gone {
			return fmt.Errorf("kpublish watch exited (%v) after %d registrations:\n%s", err, len(regs), w.tail())
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of %d registered after %s:\n%s", len(regs), *files, *timeout, w.tail())
		}
		if time.Since(lastLog) > 15*time.Second {
			fmt.Fprintf(os.Stderr, "kbench: %d registered (+%d), load average %s\n", len(regs), len(regs)-lastCount, loadavg())
			lastCount, lastLog = len(regs), time.Now()
		}
		time.Sleep(50 * time.Millisecond)
	}
	pid := w.cmd.Process.Pid
	mem, err := procStatus(pid)
	if err != nil {
		return err
	}
	cpu1, _ := procCPU(pid)
	res.LoadAfter = loadavg()
	res.PeakRSSMiB, res.RSSMiB = float64(mem["VmHWM"])/1024, float64(mem["VmRSS"])/1024
	res.CPUSeconds = (cpu1 - cpu0).Seconds()

	var lat []time.Duration
	var first, last time.Time
	for _, l := range regs {
		if l.Ignored || !strings.HasPrefix(l.Detail, "working file: ") {
			return fmt.Errorf("not a working file registered: %+v", l)
		}
		mt, ok := mtimes[l.Path]
		if !ok {
			return fmt.Errorf("a registration of a file not written: %s", l.Path)
		}
		delete(mtimes, l.Path)
		lat = append(lat, l.Time.Sub(mt))
		if first.IsZero() || l.Time.Before(first) {
			first = l.Time
		}
		if l.Time.After(last) {
			last = l.Time
		}
	}
	if len(mtimes) != 0 {
		return fmt.Errorf("%d files registered twice, %d not", *files-len(lat)+len(mtimes), len(mtimes))
	}
	slices.Sort(lat)
	res.FirstRegSeconds, res.LastRegSeconds = first.Sub(start).Seconds(), last.Sub(start).Seconds()
	res.AfterLastWrite = last.Sub(wrote).Seconds()
	res.P50, res.P95, res.P99, res.Max = percentile(lat, 50).Seconds(), percentile(lat, 95).Seconds(), percentile(lat, 99).Seconds(), lat[len(lat)-1].Seconds()
	res.RegsPerSec = float64(len(lat)-1) / last.Sub(first).Seconds()
	res.RegsPerSecOverall = float64(len(lat)) / last.Sub(start).Seconds()
	w.mu.Lock()
	res.Errors = w.fails
	w.mu.Unlock()
	if err := w.stop(); err != nil {
		return fmt.Errorf("kpublish watch did not stop cleanly: %v\n%s", err, w.tail())
	}

	// What Kitsu holds: one complete record per file.
	var minC, maxC time.Time
	for _, t := range p.tasks {
		wfs, err := c.Files.GetWorkingFilesForTask(ctx, t.ID)
		if err != nil {
			return err
		}
		for _, wf := range wfs {
			res.KitsuRecords++
			if wf.Data["sha"] != nil {
				res.KitsuComplete++
			}
			ca := wf.CreatedAt.Time
			if minC.IsZero() || ca.Before(minC) {
				minC = ca
			}
			if ca.After(maxC) {
				maxC = ca
			}
		}
	}
	res.KitsuSpanSeconds = maxC.Sub(minC).Seconds()

	fmt.Printf("## kpublish watch: a burst of %d working files in %d folders (%d assets), settle %s, load average %s before, %s after\n",
		res.Files, res.Dirs, res.Assets, res.Settle, res.LoadBefore, res.LoadAfter)
	fmt.Printf("written in %.2fs (%d writers); first registration %.2fs, last %.2fs after the first write (%.2fs after the last write)\n",
		res.WriteSeconds, res.Writers, res.FirstRegSeconds, res.LastRegSeconds, res.AfterLastWrite)
	fmt.Printf("latency from a file's last write to its registration: p50 %.2fs, p95 %.2fs, p99 %.2fs, max %.2fs\n", res.P50, res.P95, res.P99, res.Max)
	fmt.Printf("%.1f registrations/s from the first to the last (%.1f/s over the whole burst); watcher peak RSS %.1f MiB (VmHWM), %.1f MiB at the end, CPU %.1fs\n",
		res.RegsPerSec, res.RegsPerSecOverall, res.PeakRSSMiB, res.RSSMiB, res.CPUSeconds)
	fmt.Printf("Kitsu holds %d working files (%d with size and hash), created over %.0fs\n", res.KitsuRecords, res.KitsuComplete, res.KitsuSpanSeconds)
	if res.KitsuRecords != res.Files || res.KitsuComplete != res.Files {
		return fmt.Errorf("Kitsu holds %d records (%d complete), want %d", res.KitsuRecords, res.KitsuComplete, res.Files)
	}
	return printJSON(res)
}

// idleResult is what watchidle prints.
type idleResult struct {
	Dirs, WatchedDirs int
	MakeSeconds       float64
	ScanSeconds       float64 // from the start to the end of the first scan
	IdleSeconds       float64
	CPUSeconds        float64 // user + system over IdleSeconds
	CPUPercent        float64 // of one core
	RSSMiB            float64 // VmRSS after the idle time
	PeakRSSMiB        float64 // VmHWM
	Load              string
	InotifyLimit      int
}

// watchIdle makes -dirs empty folders, watches them and measures the
// watcher's CPU and memory while nothing happens.
func watchIdle(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("watchidle", flag.ExitOnError)
	bin := fs.String("kpublish", "bin/kpublish", "the kpublish binary")
	dirs := fs.Int("dirs", 100000, "folders to watch (in folders of 1,000)")
	idle := fs.Duration("idle", time.Minute, "how long to measure after the first scan")
	_ = fs.Parse(args)
	tmp, err := os.MkdirTemp("", "kbench-watchidle-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	root := filepath.Join(tmp, "root")
	res := idleResult{Dirs: *dirs}
	if b, err := os.ReadFile("/proc/sys/fs/inotify/max_user_watches"); err == nil {
		res.InotifyLimit, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	t0 := time.Now()
	const fan = 1000
	for i := range *dirs {
		if err := os.MkdirAll(filepath.Join(root, fmt.Sprintf("g%03d", i/fan), fmt.Sprintf("d%04d", i%fan)), 0o755); err != nil {
			return err
		}
	}
	res.MakeSeconds = time.Since(t0).Seconds()
	fmt.Fprintf(os.Stderr, "kbench: %d folders made in %.1fs; starting kpublish watch\n", *dirs, res.MakeSeconds)

	w, err := startWatch(*bin, root, tmp)
	if err != nil {
		return err
	}
	defer func() { _ = w.stop() }()
	var st *watch.StatusSnapshot
	for st = w.status(); st == nil || st.Scans < 1; st = w.status() {
		if gone, err := w.exited(); gone {
			return fmt.Errorf("kpublish watch exited (%v):\n%s", err, w.tail())
		}
		time.Sleep(200 * time.Millisecond)
	}
	res.ScanSeconds = st.LastScan.Sub(w.started).Seconds()
	res.WatchedDirs = st.WatchedDirs
	pid := w.cmd.Process.Pid
	cpu0, err := procCPU(pid)
	if err != nil {
		return err
	}
	m0 := time.Now()
	fmt.Fprintf(os.Stderr, "kbench: first scan done in %.1fs, %d folders watched; measuring %s\n", res.ScanSeconds, res.WatchedDirs, *idle)
	time.Sleep(*idle)
	cpu1, err := procCPU(pid)
	if err != nil {
		return err
	}
	res.IdleSeconds = time.Since(m0).Seconds()
	mem, err := procStatus(pid)
	if err != nil {
		return err
	}
	res.Load = loadavg()
	res.CPUSeconds = (cpu1 - cpu0).Seconds()
	res.CPUPercent = 100 * res.CPUSeconds / res.IdleSeconds
	res.RSSMiB, res.PeakRSSMiB = float64(mem["VmRSS"])/1024, float64(mem["VmHWM"])/1024
	if err := w.stop(); err != nil {
		return fmt.Errorf("kpublish watch did not stop cleanly: %v\n%s", err, w.tail())
	}
	fmt.Printf("## kpublish watch idle on %d folders (%d watched with inotify; max_user_watches %d), load average %s\n",
		res.Dirs, res.WatchedDirs, res.InotifyLimit, res.Load)
	fmt.Printf("first scan %.1fs; over %.0fs idle: CPU %.2fs (%.2f%% of a core); RSS %.1f MiB (peak %.1f MiB)\n",
		res.ScanSeconds, res.IdleSeconds, res.CPUSeconds, res.CPUPercent, res.RSSMiB, res.PeakRSSMiB)
	return printJSON(res)
}
