package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/filetree/kitsutree"
)

const parseHelp = `Read a path back into its mode, entity kind and token values (the slugs the
path shows), whatever its separators and case.

  kpublish parse /prod/work/cosmos/shots/s01/p01/animation/maya/cosmos_s01_p01_animation_main_v003.ma
  kpublish parse 'P:\prod\...\file.ma' --tree studio-tree.json --json

With --roots FILE, a path under any platform's root (P:\\prod\\..., /mnt/prod/...)
is read as the tree's own form first.

A value holding a control character (CR, LF, ESC...) is printed quoted with
Go's escapes ("\x1b"); --json escapes it as JSON does.

A path that can be read more than one way is an error listing every reading:
kpublish never guesses. With --project-id (and KITSU_HOST and credentials),
the project's tree comes from Kitsu and the values are resolved to Kitsu
records (project, entity, task type, task).`

func newParseCmd() *cobra.Command {
	var treeSpec, projectID, rootsFile string
	var jsonOut bool
	cmd := &cobra.Command{
		Use:   "parse PATH",
		Short: "Read a path back into what it means",
		Long:  parseHelp,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var tree *filetree.Tree
			var src *kitsutree.Source
			var err error
			if projectID != "" {
				c, err := onlineClient(cmd.Context())
				if err != nil {
					return err
				}
				src = kitsutree.NewSource(c)
				if tree, err = src.Tree(cmd.Context(), projectID); err != nil {
					return classify(err)
				}
			}
			if treeSpec != "" || tree == nil {
				if tree, _, err = loadTree(cmd, treeSpec); err != nil {
					return err
				}
			}
			path := args[0]
			if rootsFile != "" {
				roots, err := filetree.LoadRoots(rootsFile)
				if err != nil {
					return inputErr(err)
				}
				if path, err = roots.ToTree(path); err != nil {
					return inputErr(err)
				}
			}
			p, err := tree.Parse(path)
			if err != nil {
				var amb *filetree.AmbiguousError
				if jsonOut && errors.As(err, &amb) {
					cands := make([]map[string]any, len(amb.Candidates))
					for i, c := range amb.Candidates {
						cands[i] = parsedJSON(args[0], c)
					}
					_ = writeJSON(cmd.OutOrStdout(), map[string]any{"path": args[0], "error": "ambiguous", "candidates": cands})
				}
				return inputErr(err)
			}
			out := parsedJSON(args[0], p)
			if src != nil {
				res, err := src.Resolve(cmd.Context(), p)
				if err != nil {
					return classify(err)
				}
				ids := map[string]string{"project_id": res.Project.ID}
				if res.Entity != nil {
					ids["entity_id"] = res.Entity.ID
				}
				if res.TaskType != nil {
					ids["task_type_id"] = res.TaskType.ID
				}
				if res.Task != nil {
					ids["task_id"] = res.Task.ID
				}
				out["kitsu"] = ids
			}
			if jsonOut {
				return writeJSON(cmd.OutOrStdout(), out)
			}
			// Every value is printed quoted, with Go's escapes, when it holds
			// a control character: a path may hold anything.
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "mode: %s\nkind: %s\n", printable(p.Mode), printable(string(p.Kind)))
			for _, k := range slices.Sorted(maps.Keys(p.Values)) {
				fmt.Fprintf(w, "%s: %s\n", printable(k), printable(p.Values[k]))
			}
			if p.Extension != "" {
				fmt.Fprintf(w, "extension: %s\n", printable(p.Extension))
			}
			if ids, ok := out["kitsu"].(map[string]string); ok {
				for _, k := range slices.Sorted(maps.Keys(ids)) {
					fmt.Fprintf(w, "%s: %s\n", k, printable(ids[k]))
				}
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(flagErr)
	cmd.Flags().StringVar(&treeSpec, "tree", "", `tree file, or "default"`)
	cmd.Flags().StringVar(&projectID, "project-id", "", "read the tree of this Kitsu project and resolve the values to records")
	cmd.Flags().StringVar(&rootsFile, "roots", "", "roots file: read a path under a platform root (P:\\..., /mnt/...) as the tree's")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print one JSON object")
	return cmd
}

func parsedJSON(path string, p *filetree.Parsed) map[string]any {
	return map[string]any{
		"path": path, "folder_path": p.Folder, "file_name": p.FileName, "extension": p.Extension,
		"mode": p.Mode, "kind": p.Kind, "values": p.Values, "revision": p.Revision,
	}
}
