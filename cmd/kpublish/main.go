// Command kpublish is the command line of the kpublish toolkit: called from
// DCC save hooks, run as a folder watcher, used in farm publish scripts.
//
//	kpublish path working|output ...   render a path from the file tree
//	kpublish parse PATH                 read a path back into its values
//	kpublish tree check FILE            list every problem of a tree file
//	kpublish tree get --project P       export a project's tree from Kitsu
//	kpublish login [HOST]               log in, save the tokens
//	kpublish logout [HOST]              log out, remove the saved tokens
//	kpublish whoami                     print the user online commands act as
//	kpublish publish working|output ... publish a working or output file
//	kpublish watch ROOT...              register new files saved into folders
//	kpublish watch status|retry         a watcher's queue; retry it now
//	kpublish version                    print the version
//
// Exit codes: 0 ok, 2 usage, 3 bad tree or input, 4 server or auth error,
// 5 revision conflict, 6 partly done (run the same command again). 2 means
// the command line itself is malformed (an unknown command, flag, token or
// field, a missing argument, flags that go together); 3 means a
// value is wrong, whichever flag carries it (--revision -1 and
// --set Revision=-1 are both 3, as are numbers that do not parse).
//
// Whatever comes from the user or a path is printed with its control
// characters escaped, so output cannot move the cursor or fake a line.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

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
	// exitConflict: a revision conflict not resolved (--revision N held
	// by someone else, on disk or in Kitsu already).
	exitConflict = 5
	// exitPartial: partly done (a file copied into place that Kitsu did
	// not register); the same command run again finishes it.
	exitPartial = 6
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

func inputErrf(format string, a ...any) error { return inputErr(fmt.Errorf(format, a...)) }

// flagErr gives a flag parsing error its exit code: a value that does not
// parse (--revision abc) is a wrong value, 3, as when a later check
// refuses it; anything else (an unknown flag, a missing value) is usage.
func flagErr(_ *cobra.Command, err error) error {
	var invalid interface{ GetValue() string }
	if errors.As(err, &invalid) {
		return inputErr(err)
	}
	return usageErr("%w", err)
}

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
	err := stateOf(root.Context()).finish(root.Execute(), stderr)
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
// candidate lists of ambiguous paths, with every control character
// escaped: errors echo user values.
func oneLine(err error) string {
	var amb *filetree.AmbiguousError
	if errors.As(err, &amb) {
		lines := strings.Split(err.Error(), "\n")
		for i, l := range lines {
			lines[i] = escapeControls(l)
		}
		return strings.Join(lines, "\n")
	}
	// errors.Join puts its errors on lines of their own: they go on one
	// line, split by "; ".
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		var msgs, parts []string
		for _, e := range joined.Unwrap() {
			msgs = append(msgs, e.Error())
			parts = append(parts, oneLine(e))
		}
		if strings.Join(msgs, "\n") == err.Error() {
			return strings.Join(parts, "; ")
		}
	}
	return escapeControls(err.Error())
}

// unsafeRune reports whether a rune may not be printed as it is: control
// characters (C0, DEL, C1), format characters such as bidi overrides,
// line and paragraph separators, and bytes that are not UTF-8.
func unsafeRune(r rune, size int) bool {
	if r == utf8.RuneError && size <= 1 {
		return true
	}
	return r != ' ' && !strconv.IsGraphic(r) || unicode.Is(unicode.Cf, r)
}

// escapeControls writes every unsafe rune of s as Go escapes it (\r, \n,
// \x1b, \u202e) and leaves the rest, backslashes of Windows paths
// included, as it is.
func escapeControls(s string) string {
	if !needsEscape(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size) {
			if r == utf8.RuneError && size <= 1 {
				fmt.Fprintf(&b, "\\x%02x", s[i])
			} else {
				q := strconv.QuoteRune(r)
				b.WriteString(q[1 : len(q)-1])
			}
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, size) {
			return true
		}
		i += size
	}
	return false
}

// printable returns s as it is, or quoted with Go's escapes when it holds
// an unsafe rune, so a value shown to a person is never ambiguous.
func printable(s string) string {
	if !needsEscape(s) {
		return s
	}
	return strconv.Quote(s)
}

const rootHelp = `kpublish puts every file exactly where the production's Kitsu file tree says.

Paths are computed locally, byte for byte as the Kitsu server would, from a
tree file, kpublish's default tree, or (with --task / --entity) the project's
tree read from Kitsu.

Online commands talk to the host given by --host, else KITSU_HOST, else
config.json's "host", else the only host logged in. They use KITSU_TOKEN (an
API token) if set, else the tokens ` + "`kpublish login`" + ` saved for the host,
else KITSU_USER and KITSU_PASSWORD. The config folder is
os.UserConfigDir()/kpublish, or $KPUBLISH_CONFIG_DIR.

Exit codes: 0 ok, 2 usage, 3 bad tree or input, 4 server or auth error.
  2  the command line itself is malformed: an unknown command, flag, --set
     token or field, a missing argument, flags that go together
  3  a value is wrong, whichever flag carries it: a negative or unparsable
     number (--revision -1 and --set Revision=-1 alike), --revision 0
     offline, a name with nothing to show, a tree that does not load, a
     path that matches no template, a config.json key or value, a token
     cache that others may read or that another user owns
  4  Kitsu refused or could not be reached; a login refused, or a saved
     login that no longer works (run kpublish login HOST)
  5  a revision conflict not resolved (publish --revision N held by someone
     else, on disk or in Kitsu already)
  6  partly done: run the same command again to finish (publish: a file
     copied into place that Kitsu did not register)
Control characters in what is printed are escaped (\x1b, \r, \n).`

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
	root.SetFlagErrorFunc(flagErr)
	st := &cliState{}
	root.SetContext(context.WithValue(context.Background(), stateKey{}, st))
	root.PersistentFlags().StringVar(&st.host, "host", "", "the Kitsu host (default KITSU_HOST, then config.json's \"host\", then the only host logged in)")
	root.AddCommand(newPathCmd(), newParseCmd(), newVersionCmd(), newLoginCmd(), newLogoutCmd(), newWhoamiCmd(),
		newPublishCmd(), newRevisionsCmd(), newWatchCmd())
	addTreeCommands(root)
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

// writeJSON prints v as indented JSON with no raw control character:
// encoding/json escapes C0 but leaves DEL, C1 and format characters raw,
// so those are written as \u escapes too (they only occur in strings).
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	out := buf.Bytes()
	var b bytes.Buffer
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRune(out[i:])
		if r != '\n' && unsafeRune(r, size) {
			for _, u := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, "\\u%04x", u)
			}
		} else {
			b.Write(out[i : i+size])
		}
		i += size
	}
	_, err := w.Write(b.Bytes())
	return err
}
