package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/filetree/kitsutree"
	"github.com/kpublish/kpublish/kitsu"
	"github.com/kpublish/kpublish/publish"
)

type publishFlags struct {
	task, software, name, roots, goos, project, comment, root string
	revision                                                  int
	printPath, copy, stale, release, jsonOut, dryRun          bool
	olderThan                                                 time.Duration
}

const publishHelp = `Publish a working file: claim its revision on the storage, then register
it in Kitsu once it is saved.

A DCC's save hook calls it twice:

  kpublish publish working --task TASK_ID --software Blender --print-path
      claims the next revision (a claim file beside the target) and prints
      the path to save to, with the software's extension; a second caller
      at the same time gets the next revision
  kpublish publish working FILE [--comment C]
      registers FILE in Kitsu (task, revision and software from its claim,
      or from reading its path with the project's tree), sets its size and
      hash, and releases the claim; again on a registered file with the
      same hash it does nothing and prints the record

A file saved elsewhere is copied into place first (claim, copy that never
replaces a file, register):

  kpublish publish working FILE --copy --task TASK_ID --software Maya

Stale claims (their process gone, or older than --older-than):

  kpublish publish working --stale [--release] [--older-than 1h] [--root DIR]

--revision N asks for that revision: held by someone else, on disk or in
Kitsu already, it is refused with exit 5. --roots FILE maps the tree's
mountpoint to this host's mount (Kitsu always stores the tree's form);
--os windows also refuses names Windows cannot hold. --dry-run prints what
would be claimed, copied or registered and writes nothing.

Exit codes: 0 ok, 2 usage, 3 a wrong value (unknown task, a task without
tree, a path the tree does not describe, a hostile path, a Zou limit),
4 Kitsu refused or unreachable, 5 revision conflict, 6 partly done: run the
same command again to finish.`

func newPublishCmd() *cobra.Command {
	rf := &resumeFlags{}
	cmd := &cobra.Command{
		Use:   "publish working|output ... | publish --resume [MANIFEST|DIR] | publish --abort MANIFEST",
		Short: "Claim, copy and register working files and outputs; finish or roll back an output publish",
		Long:  publishTopHelp,
		Args:  cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !rf.resume && !rf.abort {
				if len(args) == 0 {
					return usageErr("publish: want publish working, publish output, --resume or --abort")
				}
				return usageErr("publish %q: want publish working, publish output, --resume or --abort", args[0])
			}
			return runResume(cmd, rf, args)
		},
	}
	cmd.SetFlagErrorFunc(flagErr)
	fl := cmd.Flags()
	fl.BoolVar(&rf.resume, "resume", false, "finish unfinished output publishes: a MANIFEST, every one of this host under DIR, or under the store roots (--root, the roots file)")
	fl.BoolVar(&rf.abort, "abort", false, "roll back the unfinished output publish of MANIFEST")
	fl.StringVar(&rf.root, "root", "", "with --resume: the store root to look under (default: the roots file's roots)")
	fl.StringVar(&rf.roots, "roots", "", "roots file mapping tree mountpoints to this host's mounts (default: config.json's roots)")
	fl.BoolVar(&rf.jsonOut, "json", false, "print one JSON object")
	fl.BoolVar(&rf.noProgress, "no-progress", false, "draw no progress bar")
	cmd.AddCommand(newPublishWorkingCmd(), newPublishOutputCmd())
	return cmd
}

const publishTopHelp = `Publish working files and outputs: claim a revision on the storage, copy
the files into place without ever replacing one, and register them in
Kitsu.

  kpublish publish working ...   a DCC's save hook (see publish working --help)
  kpublish publish output ...    rendered frames, caches, movies from a farm
                                 job or a workstation (see publish output --help)

An output publish keeps a manifest beside its claim; one that stopped
part way (exit 6, a crash, a killed job) is finished or rolled back with:

  kpublish publish --resume MANIFEST     finish it
  kpublish publish --resume [DIR]        finish every unfinished publish of
                                         this host under DIR (default: the
                                         store roots of --root or the roots
                                         file)
  kpublish publish --abort MANIFEST      remove what it published: its files,
                                         its Kitsu records, its claim

` + publishExitCodes

const publishExitCodes = `Exit codes: 0 ok, 2 usage, 3 a wrong value (unknown task, a task without
tree, a path the tree does not describe, a hostile path, a Zou limit, a bad
sequence or manifest), 4 Kitsu refused or unreachable before anything was
written, 5 revision conflict (--revision N taken), 6 partly done: files in
place that Kitsu did not register (working: run the same command again;
output: run the kpublish publish --resume MANIFEST printed).`

func newPublishWorkingCmd() *cobra.Command {
	f := &publishFlags{}
	cmd := &cobra.Command{
		Use:   "working [FILE]",
		Short: "Claim, copy and register working files",
		Long:  publishHelp,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPublish(cmd, f, args)
		},
	}
	cmd.SetFlagErrorFunc(flagErr)
	fl := cmd.Flags()
	fl.StringVar(&f.task, "task", "", "task id")
	fl.StringVar(&f.software, "software", "", "software name or id")
	fl.StringVar(&f.name, "name", "main", "working file name (<Name>)")
	fl.Var(revisionValue{&f.revision}, "revision", `revision to claim: "next" (the default) or 1 or more`)
	fl.BoolVar(&f.printPath, "print-path", false, "claim a revision and print the path to save to")
	fl.BoolVar(&f.copy, "copy", false, "copy FILE into place first (with --task and --software)")
	fl.StringVar(&f.comment, "comment", "", "comment of the revision")
	fl.StringVar(&f.project, "project", "", "project id whose tree reads FILE's path, when no claim is beside it")
	fl.StringVar(&f.roots, "roots", "", "roots file mapping tree mountpoints to this host's mounts")
	fl.StringVar(&f.goos, "os", "", "also refuse names this platform cannot hold (linux, darwin, windows)")
	fl.BoolVar(&f.stale, "stale", false, "list stale claims")
	fl.BoolVar(&f.release, "release", false, "with --stale: remove them")
	fl.DurationVar(&f.olderThan, "older-than", time.Hour, "with --stale: claims older than this are stale")
	fl.StringVar(&f.root, "root", "", "with --stale: folder to scan (default: the current folder)")
	fl.BoolVar(&f.jsonOut, "json", false, "print one JSON object")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print what would be done; write nothing")
	return cmd
}

// publishErr gives a publish error its exit code.
func publishErr(err error) error {
	var ee *exitError
	var kerr *kitsu.Error
	switch {
	case errors.As(err, &ee):
		return err
	case errors.Is(err, publish.ErrPartial):
		return &exitError{exitPartial, err}
	case errors.Is(err, publish.ErrRevisionConflict):
		return &exitError{exitConflict, err}
	case errors.Is(err, kitsu.ErrNotFound), errors.Is(err, kitsu.ErrInvalidArgument):
		return inputErr(err)
	case errors.As(err, &kerr), errors.Is(err, kitsu.ErrAuthFailed), errors.Is(err, kitsu.ErrNotAuthenticated):
		return &exitError{exitServer, err}
	}
	return inputErr(err)
}

func runPublish(cmd *cobra.Command, f *publishFlags, args []string) error {
	modes := 0
	for _, b := range []bool{f.printPath, f.stale, len(args) == 1} {
		if b {
			modes++
		}
	}
	if modes != 1 {
		return usageErr("publish working: give one of --print-path, --stale, or FILE")
	}
	if f.release && !f.stale || (f.root != "" || cmd.Flags().Changed("older-than")) && !f.stale {
		return usageErr("--release, --root and --older-than go with --stale")
	}
	if f.copy && len(args) == 0 {
		return usageErr("--copy goes with FILE")
	}
	if f.revision < 0 {
		return inputErrf("--revision %d: want 1 or more, or \"next\"", f.revision)
	}
	switch f.goos {
	case "", filetree.Linux, filetree.Darwin, filetree.Windows:
	default:
		return inputErrf("--os %q: want linux, darwin or windows", f.goos)
	}
	if f.stale {
		return runStale(cmd, f)
	}
	needTask := f.printPath || f.copy
	if needTask && (f.task == "" || f.software == "") {
		return usageErr("--print-path and --copy need --task TASK_ID and --software S")
	}
	if !needTask && (f.task != "" || cmd.Flags().Changed("revision")) {
		return usageErr("--task and --revision go with --print-path or --copy: a saved FILE's claim or path names them")
	}
	if f.printPath && f.comment != "" {
		return usageErr("--comment goes with FILE")
	}
	w, err := newWorking(cmd, f.roots)
	if err != nil {
		return err
	}
	w.CheckOS = f.goos
	ctx := cmd.Context()
	out := cmd.OutOrStdout()
	if f.printPath {
		t, err := w.Target(ctx, publish.TaskFile{TaskID: f.task, Software: f.software, Name: f.name})
		if err != nil {
			return publishErr(err)
		}
		cl, err := w.Claim(ctx, t, &publish.WorkingClaimOptions{Revision: f.revision, DryRun: f.dryRun})
		if err != nil {
			return publishErr(err)
		}
		if f.jsonOut {
			return writeJSON(out, map[string]any{
				"path": cl.Path, "revision": cl.Revision, "task_id": t.TaskID, "software": t.Software.Name,
				"name": t.Name, "claim": cl.Claim, "dry_run": cl.DryRun,
			})
		}
		fmt.Fprintln(out, printable(cl.Path))
		return nil
	}
	file := args[0]
	opts := &publish.RegisterOptions{Comment: f.comment, ProjectID: f.project, DryRun: f.dryRun}
	var r *publish.Registered
	if f.copy {
		t, err := w.Target(ctx, publish.TaskFile{TaskID: f.task, Software: f.software, Name: f.name})
		if err != nil {
			return publishErr(err)
		}
		r, err = w.Copy(ctx, file, t, &publish.WorkingClaimOptions{Revision: f.revision}, opts)
		if err != nil {
			return publishErr(err)
		}
	} else {
		opts.Software = f.software
		if r, err = w.Register(ctx, file, opts); err != nil {
			return publishErr(err)
		}
	}
	if f.jsonOut {
		return writeJSON(out, map[string]any{
			"path": r.Path, "revision": r.Revision,
			"working_file": map[string]any{"id": r.WorkingFile.ID, "path": r.WorkingFile.Path, "revision": r.WorkingFile.Revision, "size": r.WorkingFile.Size},
			"sha":          r.Sum.Hex, "already_registered": r.AlreadyRegistered, "dry_run": r.DryRun, "copied": r.Copied,
			"task_id": r.WorkingFile.TaskID,
		})
	}
	switch {
	case r.DryRun:
		fmt.Fprintf(out, "would register revision %d: %s as %s\n", r.Revision, printable(r.Path), printable(r.WorkingFile.Path))
	case r.AlreadyRegistered:
		fmt.Fprintf(out, "already registered: revision %d %s (working file %s)\n", r.Revision, printable(r.Path), r.WorkingFile.ID)
	default:
		fmt.Fprintf(out, "registered revision %d: %s (working file %s)\n", r.Revision, printable(r.Path), r.WorkingFile.ID)
	}
	return nil
}

// newWorking builds the publisher: the client, a source with the disk
// cache, the roots of --roots.
func newWorking(cmd *cobra.Command, rootsFile string) (*publish.Working, error) {
	var roots filetree.Roots
	if rootsFile != "" {
		r, err := filetree.LoadRoots(rootsFile)
		if err != nil {
			return nil, inputErr(err)
		}
		roots = r
	}
	c, err := onlineClient(cmd.Context())
	if err != nil {
		return nil, err
	}
	stderr := cmd.ErrOrStderr()
	src := kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{
		Warn: func(msg string) { fmt.Fprintf(stderr, "kpublish: warning: %s\n", escapeControls(msg)) },
	})
	// The claim is held for the caller (the DCC whose save hook runs
	// kpublish), which outlives this command.
	return &publish.Working{Client: c, Source: src, Roots: roots, PID: os.Getppid()}, nil
}

func runStale(cmd *cobra.Command, f *publishFlags) error {
	if f.olderThan <= 0 {
		return inputErrf("--older-than %s: want a positive duration", f.olderThan)
	}
	dir := f.root
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return inputErrf("--root %q: %v", dir, err)
	}
	s, err := publish.NewStore(afero.NewOsFs(), abs, nil)
	if err != nil {
		return inputErr(err)
	}
	var list []publish.StaleClaim
	released := 0
	switch {
	case f.dryRun || !f.release:
		list, err = s.StaleClaims(abs, f.olderThan)
	default:
		list, err = s.ReleaseStale(abs, f.olderThan)
		released = len(list)
	}
	if err != nil {
		return inputErr(err)
	}
	now := time.Now()
	items := make([]map[string]any, 0, len(list))
	for _, sc := range list {
		target := sc.Info.Target
		if target == "" {
			d, n := filepath.Split(sc.Path)
			target = filepath.Join(d, strings.TrimSuffix(strings.TrimPrefix(n, "."), publish.ClaimSuffix))
		}
		reason := "older than " + f.olderThan.String()
		switch {
		case sc.Info.Time.IsZero():
			reason = "unreadable, " + reason
		case now.Sub(sc.Info.Time) <= f.olderThan:
			reason = "dead process"
		}
		items = append(items, map[string]any{
			"path": target, "claim": sc.Path, "host": sc.Info.Host, "pid": sc.Info.PID, "user": sc.Info.User,
			"time": sc.Info.Time.UTC().Format(time.RFC3339), "reason": reason, "revision": sc.Info.Revision,
		})
	}
	out := cmd.OutOrStdout()
	if f.jsonOut {
		return writeJSON(out, map[string]any{"stale": items, "released": released, "dry_run": f.dryRun})
	}
	for _, it := range items {
		fmt.Fprintf(out, "%s  %s  %s@%s pid %d  %s\n", printable(it["path"].(string)), it["reason"], printable(it["user"].(string)), printable(it["host"].(string)), it["pid"], it["time"])
	}
	if f.release && !f.dryRun {
		fmt.Fprintf(out, "released %d stale claims\n", released)
	}
	return nil
}
