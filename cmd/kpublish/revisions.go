package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpublish/kpublish/publish"
)

type revisionsFlags struct {
	task, name, software, roots string
	jsonOut                     bool
}

const revisionsHelp = `Show the revisions of a task's working file in Kitsu and on disk, and the
next one: above both. When they disagree (a file on disk Kitsu does not
know, a record whose file is missing), it says how.

  kpublish revisions working --task TASK_ID [--name main] [--software Blender]

The disk is scanned where the project's tree puts the file (mapped with
--roots FILE), for files of any extension; claim and temporary files are
passed over. Without --software, a tree that shows <Software> is read with
Zou's default software.`

func newRevisionsCmd() *cobra.Command {
	f := &revisionsFlags{}
	cmd := &cobra.Command{
		Use:       "revisions working",
		Short:     "Show a working file's revisions in Kitsu and on disk, and the next one",
		Long:      revisionsHelp,
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		ValidArgs: []string{"working"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRevisions(cmd, f)
		},
	}
	cmd.SetFlagErrorFunc(flagErr)
	fl := cmd.Flags()
	fl.StringVar(&f.task, "task", "", "task id")
	fl.StringVar(&f.name, "name", "main", "working file name (<Name>)")
	fl.StringVar(&f.software, "software", "", "software name or id (for a tree that shows <Software>)")
	fl.StringVar(&f.roots, "roots", "", "roots file mapping tree mountpoints to this host's mounts")
	fl.BoolVar(&f.jsonOut, "json", false, "print one JSON object")
	return cmd
}

func runRevisions(cmd *cobra.Command, f *revisionsFlags) error {
	if f.task == "" {
		return usageErr("revisions working needs --task TASK_ID")
	}
	w, err := newWorking(cmd, f.roots)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	t, err := w.Target(ctx, publish.TaskFile{TaskID: f.task, Software: f.software, Name: f.name})
	if err != nil {
		return publishErr(err)
	}
	r, err := w.Revisions(ctx, t)
	if err != nil {
		return publishErr(err)
	}
	out := cmd.OutOrStdout()
	if f.jsonOut {
		return writeJSON(out, r)
	}
	line := fmt.Sprintf("kitsu last: %d  disk last: %d  next: %d", r.KitsuLast, r.DiskLast, r.Next)
	if r.Disagreement != "" {
		line += "  (disagree: " + shortDisagreement(r) + ")"
	}
	fmt.Fprintln(out, line)
	return nil
}

// shortDisagreement says in a few words which revisions one side lacks:
// "disk has v003, Kitsu does not".
func shortDisagreement(r *publish.RevisionReport) string {
	inKitsu, onDisk := map[int]bool{}, map[int]bool{}
	for _, k := range r.KitsuFiles {
		inKitsu[k.Revision] = true
	}
	for _, d := range r.DiskFiles {
		onDisk[d.Revision] = true
	}
	var diskOnly, kitsuOnly []string
	seen := map[int]bool{}
	for _, d := range r.DiskFiles {
		if !inKitsu[d.Revision] && !seen[d.Revision] {
			seen[d.Revision] = true
			diskOnly = append(diskOnly, fmt.Sprintf("v%03d", d.Revision))
		}
	}
	for _, k := range r.KitsuFiles {
		if !onDisk[k.Revision] {
			kitsuOnly = append(kitsuOnly, fmt.Sprintf("v%03d", k.Revision))
		}
	}
	var parts []string
	if len(diskOnly) > 0 {
		parts = append(parts, "disk has "+strings.Join(diskOnly, ", ")+", Kitsu does not")
	}
	if len(kitsuOnly) > 0 {
		parts = append(parts, "Kitsu has "+strings.Join(kitsuOnly, ", ")+", disk does not")
	}
	return strings.Join(parts, "; ")
}
