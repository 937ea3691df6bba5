// Command kpublish is the command line of the kpublish toolkit: called from
// DCC save hooks, run as a folder watcher, used in farm publish scripts.
//
//	kpublish path working|output ...   render a path from the file tree
//	kpublish parse PATH                 read a path back into its values
//	kpublish version                    print the version
//
// Exit codes: 0 ok, 2 usage, 3 bad tree or input, 4 server or auth error.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/kitsu"
)

// Exit codes, as documented in the README and `kpublish --help`.
const (
	exitOK     = 0
	exitUsage  = 2
	exitInput  = 3
	exitServer = 4
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// exitError carries the exit code of a failure.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, a...)}
}

func inputErr(err error) error { return &exitError{exitInput, err} }

// classify gives an error its exit code: server and auth failures are 4,
// bad trees and inputs 3.
func classify(err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	var kerr *kitsu.Error
	switch {
	case errors.As(err, &kerr), errors.Is(err, kitsu.ErrAuthFailed), errors.Is(err, kitsu.ErrNotAuthenticated):
		return &exitError{exitServer, err}
	}
	return inputErr(err)
}

func run(args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	code := exitUsage
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	fmt.Fprintf(stderr, "kpublish: %v\n", oneLine(err))
	return code
}

// oneLine keeps an error message on one line for stderr, except the
// candidate lists of ambiguous paths.
func oneLine(err error) string {
	var amb *filetree.AmbiguousError
	if errors.As(err, &amb) {
		return err.Error()
	}
	s := err.Error()
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '\n' {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}

const rootHelp = `kpublish puts every file exactly where the production's Kitsu file tree says.

Paths are computed locally, byte for byte as the Kitsu server would, from a
tree file, kpublish's default tree, or (with --task / --entity) the project's
tree read from Kitsu.

Online commands read KITSU_HOST and either KITSU_TOKEN (an API token) or
KITSU_USER and KITSU_PASSWORD.

Exit codes: 0 ok, 2 usage, 3 bad tree or input, 4 server or auth error.`

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "kpublish",
		Short:         "Put every file where the production's Kitsu file tree says",
		Long:          rootHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
	root.AddCommand(newPathCmd(), newParseCmd(), newVersionCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, and the Zou version at KITSU_HOST if set",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "kpublish %s\n", kitsu.Version)
			host := os.Getenv("KITSU_HOST")
			if host == "" {
				return nil
			}
			c, err := kitsu.NewClient(host)
			if err != nil {
				return usageErr("KITSU_HOST: %v", err)
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Second)
			defer cancel()
			v, err := c.GetAPIVersion(ctx)
			if err != nil {
				return &exitError{exitServer, err}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "zou %s at %s\n", v, c.GetHost())
			return nil
		},
	}
}

// onlineClient builds a logged-in client from the environment.
func onlineClient(ctx context.Context) (*kitsu.Client, error) {
	host := os.Getenv("KITSU_HOST")
	if host == "" {
		return nil, usageErr("KITSU_HOST is not set: online commands need the Kitsu host, and KITSU_TOKEN or KITSU_USER and KITSU_PASSWORD")
	}
	c, err := kitsu.NewClient(host)
	if err != nil {
		return nil, usageErr("KITSU_HOST: %v", err)
	}
	if token := os.Getenv("KITSU_TOKEN"); token != "" {
		c.SetTokens(kitsu.Tokens{AccessToken: token})
		return c, nil
	}
	user, password := os.Getenv("KITSU_USER"), os.Getenv("KITSU_PASSWORD")
	if user == "" || password == "" {
		return nil, usageErr("set KITSU_TOKEN, or KITSU_USER and KITSU_PASSWORD, to use Kitsu")
	}
	if _, err := c.LogIn(ctx, user, password); err != nil {
		return nil, &exitError{exitServer, err}
	}
	return c, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
