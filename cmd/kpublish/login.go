package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/kpublish/kpublish/internal/config"
	"github.com/kpublish/kpublish/kitsu"
)

// cliState is what one run of the command line shares between its
// commands and run: the --host flag, and the clients built from the
// token cache, whose renewed tokens are written back when the command
// ends.
type cliState struct {
	host     string
	sessions []*session
}

type stateKey struct{}

func stateOf(ctx context.Context) *cliState {
	st, _ := ctx.Value(stateKey{}).(*cliState)
	return st
}

// session is a client built by onlineClient.
type session struct {
	c      *kitsu.Client
	host   string // as c.GetHost gives it: the token cache's key
	source string // "KITSU_TOKEN", "KITSU_USER", or "cache"
	store  *config.Store
	from   config.Entry // the cache entry used (source "cache")
}

// finish writes back the tokens the clients built from the cache renewed,
// and turns an authentication failure of such a client into the advice to
// log in again. A failed write-back is a warning: the command itself
// succeeded.
func (st *cliState) finish(err error, stderr io.Writer) error {
	if st == nil {
		return err
	}
	for _, s := range st.sessions {
		if s.source != "cache" {
			continue
		}
		if err != nil && errors.Is(err, kitsu.ErrNotAuthenticated) {
			err = &exitError{exitServer, fmt.Errorf("the saved login for %s no longer works (both tokens refused): run `kpublish login %s`: %w", s.host, s.host, err)}
			continue
		}
		now := s.c.Tokens()
		if now.AccessToken == s.from.AccessToken && now.RefreshToken == s.from.RefreshToken || now.AccessToken == "" {
			continue
		}
		if _, werr := s.store.Refreshed(s.host, s.from.RefreshToken, now.AccessToken, now.RefreshToken); werr != nil {
			fmt.Fprintf(stderr, "kpublish: warning: the renewed token was not saved: %s\n", oneLine(werr))
		}
	}
	return err
}

// loginHint is what to do when no credentials are found for host.
func loginHint(host string) string {
	return fmt.Sprintf("run `kpublish login %s` (or set KITSU_TOKEN, or KITSU_USER and KITSU_PASSWORD)", host)
}

// resolveHost returns the Kitsu host: the given argument, else --host,
// else KITSU_HOST, else config.json's "host", else, when cached is set,
// the one host the token cache holds. It names where the host came from.
func resolveHost(ctx context.Context, arg string, cfg *config.Config, store *config.Store, cached bool) (host, from string, err error) {
	switch st := stateOf(ctx); {
	case arg != "":
		return arg, "HOST", nil
	case st != nil && st.host != "":
		return st.host, "--host", nil
	case os.Getenv("KITSU_HOST") != "":
		return os.Getenv("KITSU_HOST"), "KITSU_HOST", nil
	case cfg.Host != "":
		return cfg.Host, fmt.Sprintf("%q in %s", "host", cfg.File), nil
	}
	if cached {
		hosts, err := store.Hosts()
		if err != nil {
			return "", "", inputErr(err)
		}
		if len(hosts) == 1 {
			return hosts[0], "the token cache", nil
		}
		if len(hosts) > 1 {
			return "", "", usageErr("KITSU_HOST is not set and the token cache holds %d hosts (%s): give --host or set KITSU_HOST", len(hosts), strings.Join(hosts, ", "))
		}
	}
	return "", "", usageErr("KITSU_HOST is not set: online commands need the Kitsu host (--host, KITSU_HOST, %q in %s, or `kpublish login HOST` first)", "host", cfg.File)
}

// newClientFor builds a client of host, an error naming where the host
// came from when it is not one.
func newClientFor(host, from string) (*kitsu.Client, error) {
	c, err := kitsu.NewClient(host)
	if err != nil {
		return nil, usageErr("%s: %v", from, err)
	}
	return c, nil
}

// onlineClient builds a logged-in client. The host is --host, else
// KITSU_HOST, else config.json's "host", else the only host in the token
// cache. The credentials are, in this order: KITSU_TOKEN; the token cache's
// entry for the host (when KITSU_USER is unset or names the same user);
// KITSU_USER and KITSU_PASSWORD, a login that is not cached. A cached
// token is used with no request beforehand (unless KITSU_PASSWORD is set:
// then one request checks it, and the password logs in only if the server
// refuses it): a client renews an expired access token with the refresh
// token, and the command writes the renewed tokens back when it ends
// (cliState.finish). No password is sent while the cached tokens work.
func onlineClient(ctx context.Context) (*kitsu.Client, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, inputErr(err)
	}
	store, err := config.OpenStore("")
	if err != nil {
		return nil, inputErr(err)
	}
	host, from, err := resolveHost(ctx, "", cfg, store, true)
	if err != nil {
		return nil, err
	}
	c, err := newClientFor(host, from)
	if err != nil {
		return nil, err
	}
	s := &session{c: c, host: c.GetHost(), store: store}
	if token := os.Getenv("KITSU_TOKEN"); token != "" {
		c.SetTokens(kitsu.Tokens{AccessToken: token})
		s.source = "KITSU_TOKEN"
		return remember(ctx, s), nil
	}
	user, password := os.Getenv("KITSU_USER"), os.Getenv("KITSU_PASSWORD")
	e, ok, err := store.Get(s.host)
	if err != nil {
		return nil, inputErr(err)
	}
	if ok && (user == "" || strings.EqualFold(user, e.Email)) {
		dead := e.RefreshToken != "" && expired(e.RefreshToken) && expired(e.AccessToken)
		switch {
		case !dead && password == "":
			c.SetTokens(kitsu.Tokens{AccessToken: e.AccessToken, RefreshToken: e.RefreshToken})
			s.source, s.from = "cache", e
			return remember(ctx, s), nil
		case !dead:
			// KITSU_PASSWORD could log in if the saved tokens were
			// refused: ask the server first (one request, which also
			// renews an expired access token).
			c.SetTokens(kitsu.Tokens{AccessToken: e.AccessToken, RefreshToken: e.RefreshToken})
			if ok, err := c.IsAuthenticated(ctx); err != nil {
				return nil, &exitError{exitServer, err}
			} else if ok {
				s.source, s.from = "cache", e
				return remember(ctx, s), nil
			}
			c.SetTokens(kitsu.Tokens{})
		case password == "":
			return nil, &exitError{exitServer, fmt.Errorf("the saved login of %s at %s has expired: run `kpublish login %s`", e.Email, s.host, s.host)}
		}
	}
	if user == "" || password == "" {
		if user != "" {
			return nil, &exitError{exitServer, fmt.Errorf("KITSU_USER is set without KITSU_PASSWORD and the token cache has no login of %s at %s: %s", printable(user), s.host, loginHint(s.host))}
		}
		return nil, &exitError{exitServer, fmt.Errorf("not logged in to %s: %s", s.host, loginHint(s.host))}
	}
	if _, err := c.LogIn(ctx, user, password); err != nil {
		return nil, &exitError{exitServer, err}
	}
	s.source = "KITSU_USER"
	return remember(ctx, s), nil
}

func remember(ctx context.Context, s *session) *kitsu.Client {
	if st := stateOf(ctx); st != nil {
		st.sessions = append(st.sessions, s)
	}
	return s.c
}

// expired reports whether a JWT's "exp" claim is past. The signature is
// not checked (the server does that); a token that is not a JWT, or has
// no exp, is not known to be expired.
func expired(token string) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return false
	}
	var claims struct {
		Exp float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp <= 0 {
		return false
	}
	return !time.Now().Before(time.Unix(int64(claims.Exp), 0))
}

const loginHelp = `Log in to Kitsu and keep the tokens for the next commands.

The host is HOST, else --host, KITSU_HOST, or config.json's "host".

A person logs in with an email (--email, KITSU_USER, or asked on the
terminal) and a password, asked on the terminal without echo, or read from
the first line of stdin with --password-stdin. A bot logs in with its API
token: --token-stdin reads it from stdin (--token TOKEN works too, but
other users of the machine may see a command line).

The tokens are saved in the token cache, tokens.json in the config folder
(os.UserConfigDir()/kpublish, or $KPUBLISH_CONFIG_DIR), one entry per host,
mode 0600 in a folder of mode 0700. Later commands use them with no
password, renew the access token when it expires, and save the renewed
one. The password itself is never saved.`

type loginFlags struct {
	email         string
	passwordStdin bool
	token         string
	tokenStdin    bool
	json          bool
}

func newLoginCmd() *cobra.Command {
	var f loginFlags
	cmd := &cobra.Command{
		Use:   "login [HOST]",
		Short: "Log in to Kitsu and save the tokens for the next commands",
		Long:  loginHelp,
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var arg string
			if len(args) == 1 {
				arg = args[0]
			}
			return runLogin(cmd, arg, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.email, "email", "", "the user's email or desktop login (default KITSU_USER, else asked)")
	fl.BoolVar(&f.passwordStdin, "password-stdin", false, "read the password from the first line of stdin")
	fl.StringVar(&f.token, "token", "", "log in with a bot's API token (prefer --token-stdin)")
	fl.BoolVar(&f.tokenStdin, "token-stdin", false, "read a bot's API token from the first line of stdin")
	fl.BoolVar(&f.json, "json", false, "print the user as a JSON object")
	return cmd
}

func runLogin(cmd *cobra.Command, arg string, f *loginFlags) error {
	n := 0
	for _, set := range []bool{f.passwordStdin, f.token != "", f.tokenStdin} {
		if set {
			n++
		}
	}
	if n > 1 {
		return usageErr("--password-stdin, --token and --token-stdin: give one")
	}
	if f.email != "" && (f.token != "" || f.tokenStdin) {
		return usageErr("--email and a token go together: a token names its own user")
	}
	if cmd.Flags().Changed("token") && f.token == "" {
		return inputErrf("--token: want a bot's API token, got an empty one")
	}
	store, c, err := hostClient(cmd, arg, false)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
	defer cancel()
	in := cmd.InOrStdin()
	var me *kitsu.Person
	if f.token != "" || f.tokenStdin {
		token := f.token
		if f.tokenStdin {
			if token, err = firstLine(in, "--token-stdin", "an API token"); err != nil {
				return err
			}
		}
		c.SetTokens(kitsu.Tokens{AccessToken: token})
		if me, err = c.GetCurrentUser(ctx); err != nil {
			return &exitError{exitServer, fmt.Errorf("logging in to %s with the token: %w", c.GetHost(), err)}
		}
	} else {
		email := f.email
		if email == "" {
			email = os.Getenv("KITSU_USER")
		}
		var password string
		if f.passwordStdin {
			if email == "" {
				return usageErr("--password-stdin needs --email or KITSU_USER")
			}
			if password, err = firstLine(in, "--password-stdin", "a password"); err != nil {
				return err
			}
		} else {
			tty, ok := in.(*os.File)
			if !ok || !term.IsTerminal(int(tty.Fd())) {
				return usageErr("no terminal to ask the password on: use --password-stdin (with --email), or --token-stdin for a bot")
			}
			w := cmd.ErrOrStderr()
			if email == "" {
				fmt.Fprintf(w, "Email for %s: ", c.GetHost())
				line, err := bufio.NewReader(tty).ReadString('\n')
				if err != nil && line == "" {
					return usageErr("reading the email: %v", err)
				}
				email = strings.TrimSpace(line)
			}
			fmt.Fprintf(w, "Password for %s at %s: ", printable(email), c.GetHost())
			pw, err := term.ReadPassword(int(tty.Fd()))
			fmt.Fprintln(w)
			if err != nil {
				return usageErr("reading the password: %v", err)
			}
			password = string(pw)
		}
		if strings.TrimSpace(email) == "" {
			return inputErrf("email: want a user's email or desktop login, got an empty one")
		}
		if password == "" {
			return inputErrf("password: want a non-empty password")
		}
		if me, err = c.LogIn(ctx, email, password); err != nil {
			return &exitError{exitServer, err}
		}
	}
	t := c.Tokens()
	entry := config.Entry{Email: me.Email, Bot: t.RefreshToken == "", AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}
	if err := store.Put(c.GetHost(), entry); err != nil {
		return inputErr(err)
	}
	if f.json {
		return writeJSON(cmd.OutOrStdout(), userJSON(me, c.GetHost(), "cache", store.File()))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Logged in to %s as %s; tokens saved in %s\n", c.GetHost(), describe(me), store.File())
	return nil
}

// firstLine reads the first line of r (a secret: it never appears in an
// error), without its line ending.
func firstLine(r io.Reader, flag, what string) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, 64<<10)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", usageErr("%s: reading stdin: %v", flag, err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", inputErrf("%s: want %s on the first line of stdin, got an empty line", flag, what)
	}
	return line, nil
}

func describe(p *kitsu.Person) string {
	s := printable(p.FullName)
	if p.Email != "" {
		s += " <" + printable(p.Email) + ">"
	}
	if p.IsBot {
		s += ", a bot"
	}
	if p.Role != "" {
		s += ", role " + printable(p.Role)
	}
	return s
}

// whoamiJSON is what whoami --json and login --json print: never a token.
type whoamiJSON struct {
	ID         string `json:"id"`
	FullName   string `json:"full_name"`
	Email      string `json:"email"`
	Role       string `json:"role"`
	IsBot      bool   `json:"is_bot"`
	Host       string `json:"host"`
	Source     string `json:"source"`
	TokensFile string `json:"tokens_file,omitempty"`
}

func userJSON(p *kitsu.Person, host, source, file string) whoamiJSON {
	return whoamiJSON{ID: p.ID, FullName: p.FullName, Email: p.Email, Role: p.Role, IsBot: p.IsBot, Host: host, Source: source, TokensFile: file}
}

func newLogoutCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "logout [HOST]",
		Short: "Log out of Kitsu and remove the host's saved tokens",
		Long: `Log out of Kitsu: the server revokes the saved tokens, and the host's
entry leaves the token cache. The host is HOST, else --host, KITSU_HOST,
config.json's "host", or the only host in the cache.

A bot's API token is not revoked (that would disable the bot everywhere):
only its entry is removed. When the server cannot be reached, the entry is
removed all the same, with a warning.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var arg string
			if len(args) == 1 {
				arg = args[0]
			}
			store, c, err := hostClient(cmd, arg, true)
			if err != nil {
				return err
			}
			e, ok, err := store.Get(c.GetHost())
			if err != nil {
				return inputErr(err)
			}
			if !ok {
				fmt.Fprintf(cmd.OutOrStdout(), "Not logged in to %s\n", c.GetHost())
				return nil
			}
			if !e.Bot {
				ctx, cancel := context.WithTimeout(cmd.Context(), 30*time.Second)
				defer cancel()
				c.SetTokens(kitsu.Tokens{AccessToken: e.AccessToken, RefreshToken: e.RefreshToken})
				if err := c.LogOut(ctx); err != nil && !errors.Is(err, kitsu.ErrNotAuthenticated) {
					fmt.Fprintf(cmd.ErrOrStderr(), "kpublish: warning: %s did not revoke the tokens: %s\n", c.GetHost(), oneLine(err))
				}
			}
			if _, err := store.Remove(c.GetHost()); err != nil {
				return inputErr(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Logged out of %s\n", c.GetHost())
			return nil
		},
	}
}

func newWhoamiCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "whoami",
		Short: "Print the Kitsu user the online commands act as",
		Long: `Print the Kitsu user the online commands act as: name, email, role and
host, and where the credentials came from (the token cache, KITSU_TOKEN or
KITSU_USER). With --json, an object with the keys id, full_name, email,
role, is_bot, host and source.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := onlineClient(cmd.Context())
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(cmd.Context(), time.Minute)
			defer cancel()
			me, err := c.GetCurrentUser(ctx)
			if err != nil {
				return &exitError{exitServer, err}
			}
			source := "cache"
			if st := stateOf(cmd.Context()); st != nil && len(st.sessions) > 0 {
				source = st.sessions[len(st.sessions)-1].source
			}
			if asJSON {
				return writeJSON(cmd.OutOrStdout(), userJSON(me, c.GetHost(), source, ""))
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s\nhost: %s (credentials from %s)\n", describe(me), c.GetHost(), source)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the user as a JSON object")
	return cmd
}

// hostClient opens the config and the token cache and gives a client of
// the host login or logout works on (see resolveHost; cached says whether
// the only host in the cache counts).
func hostClient(cmd *cobra.Command, arg string, cached bool) (*config.Store, *kitsu.Client, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, nil, inputErr(err)
	}
	store, err := config.OpenStore("")
	if err != nil {
		return nil, nil, inputErr(err)
	}
	host, from, err := resolveHost(cmd.Context(), arg, cfg, store, cached)
	if err != nil {
		return nil, nil, err
	}
	c, err := newClientFor(host, from)
	if err != nil {
		return nil, nil, err
	}
	return store, c, nil
}
