package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/kitsu"
)

const treeHelp = `Check a file tree, or export a project's tree from Kitsu to use offline.

  kpublish tree get --project "Big Buck Bunny" > tree.json
  kpublish tree check tree.json
  kpublish path working --tree tree.json --project "Big Buck Bunny" ...

A --tree FILE is read as Zou reads templates (lenient): an unknown token
(Zou's own default tree has <OuputType>) keeps its template, which fails
only when a path needs it, as in Zou; an unknown field (<Project.nope>)
reads the name, as Zou does; a key Zou never reads (an unknown kind or
mode key) is skipped. Each such token or key is a warning on stderr.
--strict refuses the tree for any of them (exit 3). Either way a tree is
refused when its JSON is malformed (or over 16 MiB, or not a regular
file), a mode misses its mountpoint, root or a section, or a template,
mountpoint or root would make unsafe paths.`

const treeCheckHelp = `List every problem of a tree file, each with its place (file:line:column,
mode.section.kind and token), what it is, and what loading does about it.

Each problem is an error when the load chosen refuses the tree for it, a
warning otherwise:
  - without --strict, as --tree FILE loads it: malformed JSON, a missing
    or unsafe mountpoint or root, a missing section, an unsafe template
    are errors; unknown tokens, fields and keys are warnings;
  - with --strict, as --tree FILE --strict loads it: unknown tokens,
    fields and keys are errors too.
Templates that can never render (<Project.short_name>, <AssetType> in a
shot template, a folder always empty, a kind with a folder template and
no file name template) and unknown styles are warnings in both.

Exit 0 when there is no error (warnings are listed), 3 when there is one.
Malformed JSON stops the reading: it is then the one problem listed.

--json prints a list of {mode, section, kind, token, line, column,
message, severity, effect, action}: severity is error or warning; effect
is refused, kept, repaired, ignored or noted.`

const treeGetHelp = `Print a project's file tree from Kitsu as indented JSON, for --tree FILE
(KITSU_HOST and KITSU_TOKEN, or KITSU_USER and KITSU_PASSWORD).

  kpublish tree get --project "Big Buck Bunny" > tree.json
  kpublish tree get --project 8b6d4a4e-... > tree.json

--project is the project's id or its exact name. A project without a file
tree is an error (exit 3). The tree's problems, if any, are warnings on
stderr, placed in the printed JSON (line:column), as tree check lists them.`

// addTreeCommands adds the tree command group to root, and --strict to
// each command that reads --tree FILE (path, parse), so that the rules of
// tree loading live in this one file.
func addTreeCommands(root *cobra.Command) {
	for _, c := range root.Commands() {
		if c.Flags().Lookup("tree") != nil {
			c.Flags().Bool("strict", false, "with --tree FILE: refuse a tree with an unknown token, field or key (exit 3) instead of reading it as Zou does")
		}
	}
	root.AddCommand(newTreeCmd())
}

func newTreeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tree",
		Short: "Check a file tree, or export a project's tree from Kitsu",
		Long:  treeHelp,
		Args:  cobra.NoArgs, // an unknown subcommand is a usage error
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newTreeCheckCmd(), newTreeGetCmd())
	return cmd
}

func newTreeCheckCmd() *cobra.Command {
	var strict, jsonOut bool
	cmd := &cobra.Command{
		Use:   "check FILE",
		Short: "List every problem of a tree file, with its place",
		Long:  treeCheckHelp,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			file := args[0]
			issues, err := filetree.CheckFile(file)
			if err != nil {
				return inputErr(err)
			}
			errs := 0
			for _, i := range issues {
				if i.RefusedBy(strict) {
					errs++
				}
			}
			w := cmd.OutOrStdout()
			if jsonOut {
				list := make([]map[string]any, len(issues))
				for n, i := range issues {
					list[n] = issueJSON(i, strict)
				}
				if err := writeJSON(w, list); err != nil {
					return err
				}
			} else {
				for _, i := range issues {
					fmt.Fprintln(w, issueLine(file, i, severity(i, strict)))
				}
				if len(issues) == 0 {
					fmt.Fprintf(w, "%s: no problem found\n", escapeControls(file))
				}
			}
			if errs > 0 {
				load := "a lenient load (--tree FILE)"
				if strict {
					load = "a strict load (--strict)"
				}
				return inputErrf("%s: %s, %d of them refused by %s", file, count(len(issues), "problem"), errs, load)
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(flagErr)
	cmd.Flags().BoolVar(&strict, "strict", false, "check as --tree FILE --strict loads: unknown tokens, fields and keys are errors")
	cmd.Flags().BoolVar(&jsonOut, "json", false, "print a JSON list of the problems")
	return cmd
}

func newTreeGetCmd() *cobra.Command {
	var project string
	cmd := &cobra.Command{
		Use:   "get --project ID|NAME",
		Short: "Print a project's file tree from Kitsu as JSON",
		Long:  treeGetHelp,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if project == "" {
				return usageErr("tree get needs --project (a project id or name)")
			}
			c, err := onlineClient(cmd.Context())
			if err != nil {
				return err
			}
			var p *kitsu.Project
			if looksLikeID(project) {
				p, err = c.Project.GetProject(cmd.Context(), project)
			} else {
				p, err = c.Project.GetProjectByName(cmd.Context(), project)
			}
			switch {
			case errors.Is(err, kitsu.ErrNotFound):
				return inputErrf("--project %q: no such project in Kitsu (want a project id or its exact name): %w", project, err)
			case err != nil:
				return classify(err)
			case len(p.FileTree) == 0:
				return inputErrf("project %q has no file tree: set one in Kitsu first (the project's settings, File tree)", p.Name)
			}
			var buf bytes.Buffer
			if err := writeJSON(&buf, p.FileTree); err != nil {
				return inputErrf("project %q: its file tree cannot be written as JSON: %w", p.Name, err)
			}
			if _, err := cmd.OutOrStdout().Write(buf.Bytes()); err != nil {
				return err
			}
			for _, i := range filetree.Check(buf.Bytes()) {
				fmt.Fprintln(cmd.ErrOrStderr(), "kpublish: "+issueLine("tree of "+p.Name, i, "warning"))
			}
			return nil
		},
	}
	cmd.SetFlagErrorFunc(flagErr)
	cmd.Flags().StringVar(&project, "project", "", "the project: its id, or its exact name")
	return cmd
}

// printWarnings writes one line per issue, escaped.
func printWarnings(w io.Writer, source string, issues []filetree.Issue) {
	for _, i := range issues {
		fmt.Fprintln(w, "kpublish: "+issueLine(source, i, "warning"))
	}
}

// count writes n things: 1 problem, 2 problems.
func count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

func severity(i filetree.Issue, strict bool) string {
	if i.RefusedBy(strict) {
		return "error"
	}
	return "warning"
}

// issueLine is one problem on one line, its control characters escaped:
// FILE:LINE:COLUMN: SEVERITY: WHERE: TOKEN: PROBLEM; ACTION.
func issueLine(source string, i filetree.Issue, severity string) string {
	place := source
	if i.Line > 0 {
		place += fmt.Sprintf(":%d:%d", i.Line, i.Column)
	}
	parts := []string{place, severity}
	if where := i.Where(); where != "" && !strings.HasPrefix(where, "line ") {
		parts = append(parts, where)
	}
	if i.Token != "" {
		parts = append(parts, i.Token)
	}
	return escapeControls(strings.Join(parts, ": ") + ": " + i.Problem + "; " + i.Action)
}

func issueJSON(i filetree.Issue, strict bool) map[string]any {
	return map[string]any{
		"mode": i.Mode, "section": i.Section, "kind": i.Kind, "token": i.Token,
		"line": i.Line, "column": i.Column, "message": i.Problem,
		"severity": severity(i, strict), "effect": i.Effect, "action": i.Action,
	}
}
