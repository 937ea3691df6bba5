package kitsu

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Tokens are the credentials the client sends: an access token, and the
// refresh token a login gives. A bot's API token is an AccessToken with no
// RefreshToken.
//
// Printing Tokens with fmt (any verb) or log/slog shows only whether each
// is set, and so does encoding them to JSON, so that a struct holding
// Tokens can be logged by slog's JSON handler: json.Marshal writes
// "REDACTED" for a token that is set, and decoding such a value back is
// an error. To cache tokens between runs, write the two fields yourself
// (in a file of mode 0600: they are credentials).
type Tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// redacted replaces a secret wherever a value holding one is printed or
// encoded.
const redacted = "REDACTED"

// String hides the tokens themselves.
func (t Tokens) String() string {
	return fmt.Sprintf("Tokens{AccessToken: %s, RefreshToken: %s}", setOrNot(t.AccessToken), setOrNot(t.RefreshToken))
}

// GoString hides the tokens from %#v.
func (t Tokens) GoString() string { return "kitsu." + t.String() }

// Format hides the tokens from every fmt verb.
func (t Tokens) Format(f fmt.State, verb rune) { formatSafe(f, verb, t.String(), t.GoString()) }

// LogValue hides the tokens from log/slog.
func (t Tokens) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("access_token", setOrNot(t.AccessToken)),
		slog.String("refresh_token", setOrNot(t.RefreshToken)),
	)
}

// MarshalJSON hides the tokens from JSON: each one set is written as
// "REDACTED".
func (t Tokens) MarshalJSON() ([]byte, error) {
	hide := func(s string) string {
		if s == "" {
			return ""
		}
		return redacted
	}
	return json.Marshal(struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token,omitempty"`
	}{hide(t.AccessToken), hide(t.RefreshToken)})
}

// UnmarshalJSON reads {"access_token": ..., "refresh_token": ...} and
// refuses tokens written by MarshalJSON, which hold no token.
func (t *Tokens) UnmarshalJSON(b []byte) error {
	var v struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v.AccessToken == redacted || v.RefreshToken == redacted {
		return invalidArg("tokens", redacted, "the tokens themselves: JSON encoding of kitsu.Tokens hides them, write the AccessToken and RefreshToken fields yourself")
	}
	*t = Tokens(v)
	return nil
}

func setOrNot(s string) string {
	if s == "" {
		return "unset"
	}
	return "set"
}

// formatSafe writes s (goS for %#v) for every fmt verb, quoted for %q, so
// that no verb falls back to printing the fields of a value holding a
// secret.
func formatSafe(f fmt.State, verb rune, s, goS string) {
	switch {
	case verb == 'v' && f.Flag('#'):
		s = goS
	case verb == 'q':
		s = strconv.Quote(s)
	}
	_, _ = io.WriteString(f, s)
}

// loginBody is what LogIn sends; it prints without the password.
type loginBody struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

func (b loginBody) String() string {
	return fmt.Sprintf("login{email: %q, password: %s}", b.Email, setOrNot(b.Password))
}

// Format hides the password from every fmt verb.
func (b loginBody) Format(f fmt.State, verb rune) {
	formatSafe(f, verb, b.String(), "kitsu."+b.String())
}

// LogValue hides the password from log/slog.
func (b loginBody) LogValue() slog.Value {
	return slog.GroupValue(slog.String("email", b.Email), slog.String("password", setOrNot(b.Password)))
}

// expiredMessage is Zou's reply body message for an expired JWT.
const expiredMessage = "Signature has expired"

// refreshSkew: an access token this close to its expiry is refreshed
// before use rather than sent to be refused.
const refreshSkew = 2 * time.Second

// tokenStore holds the tokens and makes concurrent callers share one
// refresh: whoever finds the access token expired asks for a refresh of
// the token it used; if that token was replaced meanwhile, or a refresh is
// under way, it waits for that one instead of starting another.
type tokenStore struct {
	mu       sync.Mutex
	t        Tokens
	expiry   time.Time // from the access token's "exp" claim; zero if unknown
	inflight *refreshCall
	now      func() time.Time
}

func (s *tokenStore) String() string { return "tokenStore{" + s.get().String() + "}" }

// Format hides the tokens from every fmt verb.
func (s *tokenStore) Format(f fmt.State, verb rune) {
	formatSafe(f, verb, s.String(), "&kitsu."+s.String())
}

type refreshCall struct {
	done chan struct{}
	err  error
}

func (s *tokenStore) set(t Tokens) {
	s.mu.Lock()
	s.t = t
	s.expiry = jwtExpiry(t.AccessToken)
	s.mu.Unlock()
}

func (s *tokenStore) get() Tokens {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.t
}

func (s *tokenStore) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// current returns the access token to send, and whether it is known to be
// expired (or about to be) while a refresh token could renew it.
func (s *tokenStore) current() (access string, stale bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stale = s.t.RefreshToken != "" && !s.expiry.IsZero() && !s.clock().Before(s.expiry.Add(-refreshSkew))
	return s.t.AccessToken, stale
}

// jwtExpiry reads the "exp" claim of a JWT without checking its signature
// (the server does that); zero when the token is not a JWT or has no exp.
func jwtExpiry(token string) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return time.Time{}
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return time.Time{}
	}
	var claims struct {
		Exp float64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Exp <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(claims.Exp), 0)
}

// refresh renews the access token if it is still the one given as used,
// sharing one request among every caller that saw the same token expire.
// It returns nil when the token was renewed, by this call or another.
func (c *Client) refresh(ctx context.Context, used string) error {
	s := c.tokens
	s.mu.Lock()
	if s.t.AccessToken != used && s.inflight == nil {
		s.mu.Unlock()
		return nil
	}
	if call := s.inflight; call != nil {
		s.mu.Unlock()
		select {
		case <-call.done:
			return call.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	refreshToken := s.t.RefreshToken
	if refreshToken == "" {
		s.mu.Unlock()
		return errNoRefreshToken
	}
	call := &refreshCall{done: make(chan struct{})}
	s.inflight = call
	s.mu.Unlock()

	// The refresh serves every waiting caller: do not let the first
	// caller's cancellation fail it for the others.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), max(c.timeout, 30*time.Second))
	access, err := c.requestRefresh(rctx, refreshToken)
	cancel()

	s.mu.Lock()
	if err == nil && s.t.RefreshToken == refreshToken {
		s.t.AccessToken = access
		s.expiry = jwtExpiry(access)
	}
	s.inflight = nil
	call.err = err
	close(call.done)
	s.mu.Unlock()
	if err == nil {
		c.logger.Info("kitsu: access token refreshed", "host", redactURL(c.GetHost()))
	}
	return err
}

var errNoRefreshToken = errors.New("kitsu: access token expired and no refresh token to renew it (log in again)")

func (c *Client) requestRefresh(ctx context.Context, refreshToken string) (string, error) {
	var reply struct {
		AccessToken string `json:"access_token"`
	}
	req := &request{method: http.MethodGet, path: "auth/refresh-token", bearer: refreshToken, noAuthRetry: true}
	if err := c.do(ctx, req, &reply); err != nil {
		return "", fmt.Errorf("kitsu: refreshing the access token: %w", err)
	}
	if reply.AccessToken == "" {
		return "", fmt.Errorf("kitsu: refreshing the access token: %w", &Error{Method: http.MethodGet, URL: redactURL(c.GetFullURL("auth/refresh-token")), StatusCode: http.StatusOK, Message: "reply without access_token", Err: ErrNotAuthenticated})
	}
	return reply.AccessToken, nil
}

// LogIn authenticates with an email (or desktop login) and password, keeps
// the tokens for later calls and returns the logged-in user.
//
// It calls POST /auth/login and mirrors gazu.log_in. A refused login
// matches ErrAuthFailed. Unlike gazu, the client then renews the access
// token whenever it expires, for as long as the refresh token is valid.
func (c *Client) LogIn(ctx context.Context, email, password string) (*Person, error) {
	if strings.TrimSpace(email) == "" {
		return nil, invalidArg("email", email, "a user's email or desktop login")
	}
	if password == "" {
		return nil, invalidArg("password", "", "a non-empty password")
	}
	var reply struct {
		User         Person `json:"user"`
		Login        bool   `json:"login"`
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	req := &request{method: http.MethodPost, path: "auth/login", body: loginBody{Email: email, Password: password}, anonymous: true, idempotent: true}
	if err := c.do(ctx, req, &reply); err != nil {
		var kerr *Error
		if errors.As(err, &kerr) && (kerr.StatusCode == http.StatusBadRequest || kerr.StatusCode == http.StatusUnauthorized) {
			return nil, fmt.Errorf("%w for %s: %w", ErrAuthFailed, email, err)
		}
		return nil, err
	}
	if !reply.Login || reply.AccessToken == "" {
		return nil, fmt.Errorf("%w for %s: the server answered without tokens", ErrAuthFailed, email)
	}
	c.tokens.set(Tokens{AccessToken: reply.AccessToken, RefreshToken: reply.RefreshToken})
	return &reply.User, nil
}

// LogOut revokes the tokens on the server and forgets them. A client with
// no token returns nil at once.
//
// It calls GET /auth/logout and mirrors gazu.log_out; like gazu it ignores a
// 400 reply, and it forgets the tokens even when the call fails.
func (c *Client) LogOut(ctx context.Context) error {
	if c.tokens.get().AccessToken == "" {
		return nil
	}
	err := c.do(ctx, &request{method: http.MethodGet, path: "auth/logout"}, nil)
	c.tokens.set(Tokens{})
	if errors.Is(err, ErrParameter) {
		return nil
	}
	return err
}

// IsAuthenticated reports whether the server accepts the client's token
// (after a refresh if it had expired). It returns false with a nil error
// when the server says no, and an error when the server could not be asked.
//
// It calls GET /auth/authenticated.
func (c *Client) IsAuthenticated(ctx context.Context) (bool, error) {
	if c.tokens.get().AccessToken == "" {
		return false, nil
	}
	var reply struct {
		Authenticated bool `json:"authenticated"`
	}
	err := c.do(ctx, &request{method: http.MethodGet, path: "auth/authenticated"}, &reply)
	if errors.Is(err, ErrNotAuthenticated) || errors.Is(err, ErrValidation) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return reply.Authenticated, nil
}

// Tokens returns the tokens the client currently sends, for example to
// cache them between runs (in a file of mode 0600: they are credentials;
// see Tokens for why json.Marshal will not write them).
func (c *Client) Tokens() Tokens { return c.tokens.get() }

// SetTokens replaces the tokens (from a cache, or a bot's API token as
// AccessToken) and returns them.
//
// It mirrors gazu.client.set_tokens.
func (c *Client) SetTokens(t Tokens) Tokens {
	c.tokens.set(t)
	return t
}
