package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/filetree/kitsutree"
	"github.com/kpublish/kpublish/internal/config"
	"github.com/kpublish/kpublish/publish"
)

type outputFlags struct {
	task, entity, taskType, assetInstance, temporalEntity, outputType string
	name, comment, workingFile, status, preview, roots, goos, root    string
	representations                                                   []string
	revision, workers                                                 int
	settle                                                            time.Duration
	newRevision, writable, dryRun, jsonOut, noProgress, unfinished    bool
}

// resumeFlags are the flags of publish --resume and --abort.
type resumeFlags struct {
	resume, abort, jsonOut bool
	root, roots            string
}

const outputHelp = `Publish output files — a cache, a movie, rendered frames — under one
revision claimed on the storage, copied into place and registered in Kitsu,
all or nothing:

  kpublish publish output cache.abc --task TASK_ID --output-type Cache
  kpublish publish output cache.abc cache.usd --representation abc \
      --representation usd --entity ASSET_ID --task-type FX --output-type Cache
  kpublish publish output render/beauty.####.exr --task TASK_ID \
      --output-type Render --status wfa --preview render/preview.mp4

The target is one of --task ID, --entity ID --task-type TT, or
--asset-instance ID --temporal-entity SHOT_OR_SCENE_ID --task-type TT; with
none, the first SRC must lie among a task's working files (its path read
with the project's working tree names the task). --output-type names the
output type (id or name). Several SRCs share one
revision, one Kitsu record each; --representation, repeated, names them in
order (default: each source's extension).

A SRC is a file, or an image sequence: a pattern (beauty.####.exr,
beauty.%04d.exr, beauty.$F4.exr, beauty.1001-1100#.exr), a folder of
frames, or one frame of it (its siblings are found). Frames keep their
numbers and padding; gaps are listed in the record.

The revision is the next one above Kitsu's and the storage's (--revision N:
exactly N, else exit 5); publishers racing on other hosts each get their
own, and one that lost a revision says so and moves on. Identical content
already published returns that revision (--new-revision publishes again).
Published files are read-only unless --writable. After the publish,
--status S comments on the task with that status (id, short name or name)
and --preview FILE uploads a picture or movie to that comment.

A publish that stops part way leaves a manifest: kpublish publish --resume
MANIFEST finishes it, --abort MANIFEST rolls it back; --unfinished lists
them (under --root, default the roots file's store roots).

A progress bar is drawn on stderr when it is a terminal and the copy moves
over 100 MB or 100 files; never with --json, --no-progress or no terminal.
On a farm, log in with KITSU_TOKEN (a bot's token): kpublish never prompts.

` + publishExitCodes

// The bounds of --workers (each copy holds files open and buffers) and
// --settle (a short wait, not a schedule).
const (
	maxCopyWorkers = 64
	maxSettle      = time.Minute
)

func newPublishOutputCmd() *cobra.Command {
	f := &outputFlags{}
	cmd := &cobra.Command{
		Use:   "output SRC... (--task ID | --entity ID --task-type TT | --asset-instance ID --temporal-entity ID --task-type TT) --output-type OT",
		Short: "Publish output files and image sequences under one revision",
		Long:  outputHelp,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPublishOutput(cmd, f, args)
		},
	}
	cmd.SetFlagErrorFunc(flagErr)
	fl := cmd.Flags()
	fl.StringVar(&f.task, "task", "", "task id: its entity and task type")
	fl.StringVar(&f.entity, "entity", "", "entity id (asset, shot, sequence...), with --task-type")
	fl.StringVar(&f.taskType, "task-type", "", "task type id or name, with --entity or --asset-instance")
	fl.StringVar(&f.assetInstance, "asset-instance", "", "asset instance id, with --temporal-entity and --task-type")
	fl.StringVar(&f.temporalEntity, "temporal-entity", "", "the shot or scene id the asset instance is in")
	fl.StringVar(&f.outputType, "output-type", "", "output type id or name (required)")
	fl.StringArrayVar(&f.representations, "representation", nil, "representation of the SRC in the same place (repeat; default: its extension)")
	fl.StringVar(&f.name, "name", "", `output name (default "main", "master" for an asset instance)`)
	fl.StringVar(&f.comment, "comment", "", "comment of the revision (and of the status comment)")
	fl.StringVar(&f.workingFile, "working-file", "", "the working file the output was made from: id, or the path of one registered in Kitsu")
	fl.Var(revisionValue{&f.revision}, "revision", `revision: "next" (the default) or 1 or more`)
	fl.BoolVar(&f.newRevision, "new-revision", false, "publish even when identical content is published already")
	fl.StringVar(&f.status, "status", "", "after the publish, comment on the task with this status (id, short name or name)")
	fl.StringVar(&f.preview, "preview", "", "after the publish, upload this picture or movie as the task's preview")
	fl.StringVar(&f.roots, "roots", "", "roots file mapping tree mountpoints to this host's mounts (default: config.json's roots)")
	fl.StringVar(&f.goos, "os", "", "also refuse names this platform cannot hold (linux, darwin, windows)")
	fl.BoolVar(&f.writable, "writable", false, "leave the published files writable (default: read-only)")
	fl.IntVar(&f.workers, "workers", 0, "files of a sequence copied at once (default 4)")
	fl.DurationVar(&f.settle, "settle", 0, "wait after registering before checking the revision holds only this publish's records (default 250ms; <0: none)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print the revision and paths; write nothing")
	fl.BoolVar(&f.jsonOut, "json", false, "print one JSON object")
	fl.BoolVar(&f.noProgress, "no-progress", false, "draw no progress bar")
	fl.BoolVar(&f.unfinished, "unfinished", false, "list the unfinished output publishes (manifests) under --root")
	fl.StringVar(&f.root, "root", "", "with --unfinished: the store root to look under (default: the roots file's roots)")
	return cmd
}

// target checks the target flags: one form at most, each complete.
func (f *outputFlags) target() (publish.OutputTarget, error) {
	t := publish.OutputTarget{TaskID: f.task, EntityID: f.entity, TaskTypeID: f.taskType,
		AssetInstanceID: f.assetInstance, TemporalEntityID: f.temporalEntity, OutputType: f.outputType, Name: f.name}
	forms := 0
	for _, set := range []bool{f.task != "", f.entity != "", f.assetInstance != "" || f.temporalEntity != ""} {
		if set {
			forms++
		}
	}
	const want = "give one of --task ID, --entity ID --task-type TT, or --asset-instance ID --temporal-entity ID --task-type TT"
	switch {
	case forms > 1:
		return t, usageErr("publish output: two target forms: %s", want)
	case f.task != "" && f.taskType != "":
		return t, usageErr("--task-type goes with --entity or --asset-instance: --task gives the task type")
	case f.entity != "" && f.taskType == "":
		return t, usageErr("--entity needs --task-type TT")
	case (f.assetInstance != "" || f.temporalEntity != "") && (f.assetInstance == "" || f.temporalEntity == "" || f.taskType == ""):
		return t, usageErr("--asset-instance needs --temporal-entity ID and --task-type TT")
	case forms == 0 && f.taskType != "":
		return t, usageErr("--task-type goes with --entity or --asset-instance: %s", want)
	case f.outputType == "":
		return t, usageErr("publish output: --output-type OT is required (an output type id or name)")
	}
	return t, nil
}

func runPublishOutput(cmd *cobra.Command, f *outputFlags, args []string) error {
	if f.unfinished {
		if other := otherFlag(cmd, "unfinished", "root", "json", "roots", "host"); len(args) > 0 || other != "" {
			return usageErr("--unfinished goes with --root, --roots and --json only (no SRC, no other flag)")
		}
		return runUnfinished(cmd, f.root, f.roots, f.jsonOut)
	}
	if f.root != "" {
		return usageErr("--root goes with --unfinished")
	}
	if len(args) == 0 {
		return usageErr("publish output: give one or more SRC (a file, a sequence pattern, a folder of frames)")
	}
	target, err := f.target()
	if err != nil {
		return err
	}
	if len(f.representations) > len(args) {
		return usageErr("--representation given %d times for %d SRC: one per SRC at most, in order", len(f.representations), len(args))
	}
	if f.revision < 0 {
		return inputErrf("--revision %d: want 1 or more, or \"next\"", f.revision)
	}
	if f.workers < 0 || f.workers > maxCopyWorkers {
		return inputErrf("--workers %d: want 1 to %d (0: the default, 4)", f.workers, maxCopyWorkers)
	}
	if f.settle > maxSettle {
		return inputErrf("--settle %v: want at most %v (the wait before checking Kitsu, 250ms by default)", f.settle, maxSettle)
	}
	if err := checkOS(f.goos); err != nil {
		return err
	}
	if f.preview != "" {
		if err := publish.CheckPreview(f.preview); err != nil {
			return inputErr(fmt.Errorf("--preview: %w", err))
		}
	}
	sources := make([]publish.OutputSource, len(args))
	for i, a := range args {
		sources[i].Path = a
		if i < len(f.representations) {
			sources[i].Representation = f.representations[i]
		}
	}
	o, err := newOutput(cmd, f.roots)
	if err != nil {
		return err
	}
	o.CheckOS, o.Writable, o.Workers, o.Settle = f.goos, f.writable, f.workers, f.settle
	ctx, stop := interruptible(cmd)
	defer stop()
	if f.status != "" {
		if _, err := publish.ResolveTaskStatus(ctx, o.Client, f.status); err != nil {
			return publishErr(fmt.Errorf("--status: %w", err))
		}
	}
	req := &publish.OutputRequest{
		Target: target, Sources: sources, Revision: f.revision, Comment: f.comment, WorkingFile: f.workingFile,
		NewRevision: f.newRevision, Status: f.status, Preview: f.preview, DryRun: f.dryRun,
		Progress: withTestHold(newProgress(cmd.ErrOrStderr(), f.jsonOut, f.noProgress)),
	}
	res, err := o.Publish(ctx, req)
	return outputDone(cmd, res, err, f.jsonOut, f.roots)
}

// interruptible returns the command's context, cancelled by the first
// SIGINT or SIGTERM (a farm manager cancelling the job): the publish
// stops where it is, says what is left (exit 6 and the --resume command
// once anything was written) and exits. A second signal kills at once.
func interruptible(cmd *cobra.Command) (context.Context, func()) {
	ctx, cancel := context.WithCancel(cmd.Context())
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	stderr := cmd.ErrOrStderr()
	go func() {
		select {
		case <-sig:
			signal.Stop(sig) // the next signal kills
			fmt.Fprintln(stderr, "kpublish: interrupted: stopping (again to kill)")
			cancel()
		case <-done:
		}
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sig)
			close(done)
			cancel()
		})
	}
}

// otherFlag names a flag given that is not one of names ("" when none).
func otherFlag(cmd *cobra.Command, names ...string) string {
	other := ""
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		if other == "" && !slices.Contains(names, fl.Name) {
			other = fl.Name
		}
	})
	return other
}

func checkOS(goos string) error {
	switch goos {
	case "", filetree.Linux, filetree.Darwin, filetree.Windows:
		return nil
	}
	return inputErrf("--os %q: want linux, darwin or windows", goos)
}

// loadRoots reads the roots file of --roots, else config.json's; nil
// when there is none.
func loadRoots(rootsFile string) (filetree.Roots, error) {
	if rootsFile == "" {
		cfg, err := config.Load()
		if err != nil {
			return nil, inputErr(err)
		}
		rootsFile = cfg.Roots
	}
	if rootsFile == "" {
		return nil, nil
	}
	r, err := filetree.LoadRoots(rootsFile)
	if err != nil {
		return nil, inputErr(err)
	}
	return r, nil
}

// newOutput builds the output publisher: the client, a source with the
// disk cache, the roots, notices on stderr. Its claims are held for this
// process: a farm job runs kpublish itself.
func newOutput(cmd *cobra.Command, rootsFile string) (*publish.Output, error) {
	roots, err := loadRoots(rootsFile)
	if err != nil {
		return nil, err
	}
	c, err := onlineClient(cmd.Context())
	if err != nil {
		return nil, err
	}
	stderr := cmd.ErrOrStderr()
	src := kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{
		Warn: func(msg string) { fmt.Fprintf(stderr, "kpublish: warning: %s\n", escapeControls(msg)) },
	})
	return &publish.Output{
		Client: c, Source: src, Roots: roots, PID: os.Getpid(),
		Logf: func(format string, a ...any) {
			fmt.Fprintf(stderr, "kpublish: %s\n", escapeControls(fmt.Sprintf(format, a...)))
		},
	}, nil
}

// outputJSON is an OutputResult as --json prints it.
func outputJSON(r *publish.OutputResult) map[string]any {
	files := make([]map[string]any, 0, len(r.Files))
	for _, fr := range r.Files {
		paths := fr.Paths
		if paths == nil {
			paths = []string{}
		}
		files = append(files, map[string]any{
			"representation": fr.Representation, "paths": paths, "tree_pattern": fr.TreePattern, "frames": fr.Frames,
			"size": fr.Sum.Size, "sha": fr.Sum.Hex,
			"output_file": map[string]any{
				"id": fr.OutputFile.ID, "path": fr.OutputFile.Path, "revision": fr.OutputFile.Revision,
				"representation": fr.OutputFile.Representation, "nb_elements": fr.OutputFile.NbElements,
			},
		})
	}
	moved := r.MovedFrom
	if moved == nil {
		moved = []int{}
	}
	return map[string]any{
		"revision": r.Revision, "files": files, "manifest": r.Manifest, "already_published": r.AlreadyPublished,
		"moved_from": moved, "dry_run": r.DryRun, "comment_id": r.CommentID, "preview_id": r.PreviewID,
		"resumed": r.Resumed,
	}
}

// shownPath is what a person is shown of a published file or sequence:
// the local file, or the local pattern and the frames.
func shownPath(fr publish.OutputFileResult) string {
	if fr.Frames == "" && len(fr.Paths) == 1 {
		return printable(fr.Paths[0])
	}
	if len(fr.Paths) == 0 {
		return printable(fr.TreePattern)
	}
	pattern := filepath.Join(filepath.Dir(fr.Paths[0]), path.Base(strings.ReplaceAll(fr.TreePattern, `\`, "/")))
	return fmt.Sprintf("%s frames %s (%d files)", printable(pattern), fr.Frames, len(fr.Paths))
}

// writeOutputText prints a result in a few lines.
func writeOutputText(w io.Writer, r *publish.OutputResult) {
	switch {
	case r.DryRun && r.Resumed != "":
		fmt.Fprintf(w, "would finish the unfinished publish of revision %d (%s):\n", r.Revision, printable(r.Resumed))
	case r.DryRun:
		fmt.Fprintf(w, "would publish revision %d:\n", r.Revision)
	case r.Resumed != "":
		fmt.Fprintf(w, "finished the unfinished publish of revision %d (%s):\n", r.Revision, printable(r.Resumed))
	case r.AlreadyPublished:
		fmt.Fprintf(w, "already published: revision %d, the same content:\n", r.Revision)
	default:
		fmt.Fprintf(w, "published revision %d:\n", r.Revision)
	}
	for _, fr := range r.Files {
		fmt.Fprintf(w, "  %s  %s\n", printable(fr.Representation), shownPath(fr))
	}
	if len(r.MovedFrom) > 0 {
		revs := make([]string, len(r.MovedFrom))
		for i, n := range r.MovedFrom {
			revs[i] = strconv.Itoa(n)
		}
		fmt.Fprintf(w, "moved from revision %s (taken by another publisher)\n", strings.Join(revs, ", "))
	}
	if r.CommentID != "" {
		fmt.Fprintf(w, "status comment %s", r.CommentID)
		if r.PreviewID != "" {
			fmt.Fprintf(w, ", preview %s", r.PreviewID)
		}
		fmt.Fprintln(w)
	}
}

// resumeCommand is the command that finishes a partly done publish.
func resumeCommand(manifest, rootsFile string) string {
	s := "kpublish publish --resume"
	if manifest != "" {
		s += " " + shellQuote(manifest)
	}
	if rootsFile != "" {
		s += " --roots " + shellQuote(rootsFile)
	}
	return s
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+=:,@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// outputDone prints a publish's or resume's result, or gives its error
// its exit code; on a partial publish (exit 6) it prints, on a line of
// its own, the command that finishes it.
func outputDone(cmd *cobra.Command, res *publish.OutputResult, err error, jsonOut bool, rootsFile string) error {
	if err != nil {
		err = publishErr(err)
		var ee *exitError
		if errors.As(err, &ee) && ee.code == exitPartial {
			manifest := ""
			if res != nil {
				manifest = res.Manifest
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "kpublish: partly done; finish it with: %s\n", escapeControls(resumeCommand(manifest, rootsFile)))
		}
		return err
	}
	if jsonOut {
		return writeJSON(cmd.OutOrStdout(), outputJSON(res))
	}
	writeOutputText(cmd.OutOrStdout(), res)
	return nil
}

// storeRoots are the folders --resume and --unfinished look under: root
// when given, else every local root of the roots file for this host.
func storeRoots(root, rootsFile string) ([]string, error) {
	if root != "" {
		abs, err := filepath.Abs(root)
		if err != nil {
			return nil, inputErrf("--root %q: %v", root, err)
		}
		return []string{abs}, nil
	}
	roots, err := loadRoots(rootsFile)
	if err != nil {
		return nil, err
	}
	var dirs []string
	for mp, byOS := range roots {
		dir := mp
		if local, ok := byOS[runtime.GOOS]; ok {
			dir = local
		}
		if filepath.IsAbs(dir) {
			dirs = append(dirs, dir)
		}
	}
	if len(dirs) == 0 {
		return nil, usageErr("give a MANIFEST or DIR, or --root DIR: no roots file (--roots, config.json's roots) names the store roots")
	}
	return dirs, nil
}

func runUnfinished(cmd *cobra.Command, root, rootsFile string, jsonOut bool) error {
	dirs, err := storeRoots(root, rootsFile)
	if err != nil {
		return err
	}
	o := &publish.Output{}
	list := []publish.ManifestInfo{}
	for _, d := range dirs {
		l, err := o.Unfinished(d)
		if err != nil {
			return publishErr(err)
		}
		list = append(list, l...)
	}
	out := cmd.OutOrStdout()
	if jsonOut {
		return writeJSON(out, map[string]any{"unfinished": list})
	}
	for _, m := range list {
		running := ""
		if m.Running {
			running = "  (running)"
		}
		fmt.Fprintf(out, "%s  %s  revision %d  %s@%s pid %d  %s%s\n", printable(m.Path), m.State, m.Revision,
			printable(m.User), printable(m.Host), m.PID, m.Updated.UTC().Format(time.RFC3339), running)
	}
	return nil
}

func runResume(cmd *cobra.Command, rf *resumeFlags, args []string) error {
	switch {
	case rf.resume && rf.abort:
		return usageErr("--resume and --abort: give one")
	case len(args) > 1:
		return usageErr("give one MANIFEST or DIR")
	case rf.abort && len(args) == 0:
		return usageErr("--abort needs the MANIFEST of the publish to roll back")
	case rf.abort && rf.root != "":
		return usageErr("--root goes with --resume")
	case len(args) == 1 && rf.root != "":
		return usageErr("--root and a MANIFEST or DIR: give one")
	}
	var target string
	if len(args) == 1 {
		abs, err := filepath.Abs(args[0])
		if err != nil {
			return inputErrf("%q: %v", args[0], err)
		}
		target = abs
	}
	isFile := false
	if target != "" {
		fi, err := os.Stat(target)
		if err != nil {
			return inputErrf("%v", err)
		}
		isFile = fi.Mode().IsRegular()
		if rf.abort && !isFile {
			return inputErrf("--abort %s: want a manifest file (rNNNN%s), not a folder", printable(target), publish.ManifestSuffix)
		}
	}
	o, err := newOutput(cmd, rf.roots)
	if err != nil {
		return err
	}
	ctx, stop := interruptible(cmd)
	defer stop()
	cmd.SetContext(ctx)
	out := cmd.OutOrStdout()
	if rf.abort {
		if err := o.Abort(ctx, target); err != nil {
			return publishErr(err)
		}
		if rf.jsonOut {
			return writeJSON(out, map[string]any{"aborted": target})
		}
		fmt.Fprintf(out, "rolled back %s\n", printable(target))
		return nil
	}
	if isFile {
		res, err := o.Resume(ctx, target)
		return outputDone(cmd, res, err, rf.jsonOut, rf.roots)
	}
	return resumeAll(cmd, o, rf, target)
}

// resumeAll resumes every unfinished publish of this host under dir (or
// the store roots), skipping those still running and those of other
// hosts. It goes on after a failure and exits with the first one's code.
func resumeAll(cmd *cobra.Command, o *publish.Output, rf *resumeFlags, dir string) error {
	dirs := []string{dir}
	if dir == "" {
		var err error
		if dirs, err = storeRoots(rf.root, rf.roots); err != nil {
			return err
		}
	}
	host, _ := os.Hostname()
	ctx := cmd.Context()
	out, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	resumed := []map[string]any{}
	skipped := []map[string]any{}
	failed := []map[string]any{}
	var first error
	for _, d := range dirs {
		list, err := o.Unfinished(d)
		if err != nil {
			return publishErr(err)
		}
		for _, m := range list {
			reason := ""
			switch {
			case m.Host != host:
				reason = "published from host " + m.Host
			case m.Running:
				reason = fmt.Sprintf("still running (pid %d)", m.PID)
			}
			if reason != "" {
				skipped = append(skipped, map[string]any{"manifest": m.Path, "reason": reason})
				if !rf.jsonOut {
					fmt.Fprintf(stderr, "kpublish: skipped %s: %s\n", printable(m.Path), escapeControls(reason))
				}
				continue
			}
			res, err := o.Resume(ctx, m.Path)
			if err != nil {
				err = outputDone(cmd, res, err, false, rf.roots)
				if first == nil {
					first = err
				}
				failed = append(failed, map[string]any{"manifest": m.Path, "error": err.Error()})
				if !rf.jsonOut {
					fmt.Fprintf(stderr, "kpublish: %s: %s\n", printable(m.Path), oneLine(err))
				}
				continue
			}
			resumed = append(resumed, outputJSON(res))
			if !rf.jsonOut {
				fmt.Fprintf(out, "%s:\n", printable(m.Path))
				writeOutputText(out, res)
			}
		}
	}
	if rf.jsonOut {
		if err := writeJSON(out, map[string]any{"resumed": resumed, "skipped": skipped, "failed": failed}); err != nil {
			return err
		}
	} else if len(resumed)+len(skipped)+len(failed) == 0 {
		fmt.Fprintln(out, "no unfinished publish")
	}
	if first != nil {
		return &exitError{codeOf(first), fmt.Errorf("%d of %d publishes not finished; first: %w", len(failed), len(failed)+len(resumed), first)}
	}
	return nil
}

func codeOf(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return exitInput
}
