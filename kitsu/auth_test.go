package kitsu_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// countingTransport counts the requests sent to each path.
type countingTransport struct {
	mu     sync.Mutex
	counts map[string]int
	total  atomic.Int64
}

func (ct *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	ct.mu.Lock()
	if ct.counts == nil {
		ct.counts = map[string]int{}
	}
	ct.counts[r.URL.Path]++
	ct.mu.Unlock()
	ct.total.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

func (ct *countingTransport) count(path string) int {
	ct.mu.Lock()
	defer ct.mu.Unlock()
	return ct.counts[path]
}

func TestLogInLogOutIsAuthenticated(t *testing.T) {
	t.Parallel()
	host, user, password := kitsutest.Env(t)
	ctx := kitsutest.Context(t)
	c, err := kitsu.NewClient(host)
	require.NoError(t, err)

	ok, err := c.IsAuthenticated(ctx)
	require.NoError(t, err)
	assert.False(t, ok, "a client with no token is not authenticated")

	me, err := c.LogIn(ctx, user, password)
	require.NoError(t, err)
	assert.Equal(t, user, me.Email)
	tokens := c.Tokens()
	assert.NotEmpty(t, tokens.AccessToken)
	assert.NotEmpty(t, tokens.RefreshToken)

	ok, err = c.IsAuthenticated(ctx)
	require.NoError(t, err)
	assert.True(t, ok)

	// A second client holding the same tokens sees them revoked by the
	// logout.
	other, err := kitsu.NewClient(host, kitsu.WithTokens(tokens))
	require.NoError(t, err)
	require.NoError(t, c.LogOut(ctx))
	assert.Empty(t, c.Tokens().AccessToken)
	ok, err = other.IsAuthenticated(ctx)
	require.NoError(t, err)
	assert.False(t, ok, "a logged-out token must be refused")
	_, err = other.GetCurrentUser(ctx)
	require.ErrorIs(t, err, kitsu.ErrNotAuthenticated)
	require.NoError(t, c.LogOut(ctx), "logging out twice is harmless")

	// An unknown user (not the admin: five failures lock an account).
	_, err = c.LogIn(ctx, kitsutest.UniqueEmail("nobody"), "wrong-password")
	require.ErrorIs(t, err, kitsu.ErrAuthFailed)
	require.ErrorIs(t, err, kitsu.ErrParameter)
	assert.NotContains(t, err.Error(), "wrong-password")
	_, err = c.LogIn(ctx, "", "x")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestBotToken(t *testing.T) {
	t.Parallel()
	admin := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	var bot struct {
		ID          string `json:"id"`
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, admin.Create(ctx, "persons", map[string]any{
		"first_name": kitsutest.Unique("bot"), "last_name": "Bot", "email": kitsutest.UniqueEmail("bot"), "role": "admin", "is_bot": true,
	}, &bot))
	require.NotEmpty(t, bot.AccessToken)
	t.Cleanup(func() {
		_, _ = admin.Delete(kitsutest.Context(t), "data/persons/"+bot.ID, &kitsu.RequestOptions{Params: params("force", "true")})
	})

	c, err := kitsu.NewClient(admin.GetHost())
	require.NoError(t, err)
	c.SetTokens(kitsu.Tokens{AccessToken: bot.AccessToken})
	me, err := c.GetCurrentUser(ctx)
	require.NoError(t, err)
	assert.Equal(t, bot.ID, me.ID)
	assert.True(t, me.IsBot)
}

// shortTTLClient logs in to the dev server whose access tokens live a few
// seconds, through a transport that counts requests.
func shortTTLClient(t *testing.T) (*kitsu.Client, *countingTransport, time.Duration) {
	t.Helper()
	_, user, password := kitsutest.Env(t)
	host := os.Getenv("KITSU_SHORT_TTL_HOST")
	if host == "" {
		if kitsutest.Required() {
			t.Fatal("KITSU_SHORT_TTL_HOST is not set: scripts/kitsu-dev env gives it")
		}
		t.Skip("KITSU_SHORT_TTL_HOST is not set: " + kitsutest.HowToRun)
	}
	ttl, _ := strconv.Atoi(os.Getenv("KITSU_SHORT_ACCESS_TTL"))
	if ttl <= 0 {
		ttl = 5
	}
	ct := &countingTransport{}
	c, err := kitsu.NewClient(host, kitsu.WithHTTPClient(&http.Client{Transport: ct}))
	require.NoError(t, err)
	_, err = c.LogIn(kitsutest.Context(t), user, password)
	require.NoError(t, err)
	return c, ct, time.Duration(ttl) * time.Second
}

func callConcurrently(t *testing.T, c *kitsu.Client, n int) {
	t.Helper()
	ctx := kitsutest.Context(t)
	var wg sync.WaitGroup
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = c.GetCurrentUser(ctx)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "goroutine %d", i)
	}
}

// The client sees from the token's exp claim that it expired, and renews
// it once for all 20 callers.
func TestRefreshBeforeUse(t *testing.T) {
	t.Parallel()
	c, ct, ttl := shortTTLClient(t)
	before := c.Tokens()
	time.Sleep(ttl + time.Second)
	callConcurrently(t, c, 20)
	assert.Equal(t, 1, ct.count("/api/auth/refresh-token"), "exactly one refresh")
	after := c.Tokens()
	assert.NotEqual(t, before.AccessToken, after.AccessToken)
	assert.Equal(t, before.RefreshToken, after.RefreshToken)
}

// The client believes the token fresh (its clock is behind), sends it,
// and the server refuses it as expired: one refresh, then every call is
// replayed.
func TestRefreshOnExpiredReply(t *testing.T) {
	t.Parallel()
	c, ct, ttl := shortTTLClient(t)
	kitsu.SetClock(c, func() time.Time { return time.Now().Add(-time.Hour) })
	time.Sleep(ttl + time.Second)
	callConcurrently(t, c, 20)
	assert.Equal(t, 1, ct.count("/api/auth/refresh-token"), "exactly one refresh")
	assert.Equal(t, 40, ct.count("/api/auth/authenticated"), "20 refused calls, then 20 replays")
}

// After a logout the refresh token is revoked too: the call fails with a
// clear error instead of looping.
func TestRefreshRevoked(t *testing.T) {
	t.Parallel()
	c, ct, ttl := shortTTLClient(t)
	tokens := c.Tokens()
	ctx := kitsutest.Context(t)
	logout, err := kitsu.NewClient(c.GetHost(), kitsu.WithTokens(tokens))
	require.NoError(t, err)
	require.NoError(t, logout.LogOut(ctx))
	time.Sleep(ttl + time.Second)
	_, err = c.GetCurrentUser(ctx)
	require.ErrorIs(t, err, kitsu.ErrNotAuthenticated)
	assert.Equal(t, 1, ct.count("/api/auth/refresh-token"))
	assert.NotContains(t, err.Error(), tokens.RefreshToken)
	assert.NotContains(t, err.Error(), tokens.AccessToken)
}

// Tokens never reach logs, errors or formatted output.
func TestTokensStaySecret(t *testing.T) {
	t.Parallel()
	host, user, password := kitsutest.Env(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := kitsu.NewClient(host, kitsu.WithLogger(logger))
	require.NoError(t, err)
	ctx := kitsutest.Context(t)
	_, err = c.LogIn(ctx, user, password)
	require.NoError(t, err)
	tokens := c.Tokens()

	var out any
	errs := []error{
		c.Get(ctx, "data/projects/00000000-0000-4000-8000-000000000000", &out, nil),
		c.Get(ctx, "data/persons", &out, &kitsu.RequestOptions{Params: params("password", "x", "token", tokens.AccessToken)}),
	}
	logger.Info("tokens", "t", tokens)
	nested := struct {
		Client *kitsu.Client
		Tokens kitsu.Tokens
	}{c, tokens}
	var js bytes.Buffer
	slog.New(slog.NewJSONHandler(&js, nil)).Info("client", "c", c, "nested", nested, "t", tokens)
	logger.Info("client", "c", c, "nested", nested)
	printed := fmt.Sprintf("%v %+v %#v %s", tokens, tokens, tokens, tokens) +
		fmt.Sprintf("%v %+v %#v %s %v %+v %#v", c, c, c, c, nested, nested, nested) + js.String()
	for _, e := range errs {
		require.Error(t, e)
		printed += e.Error()
	}
	printed += logs.String()
	for _, secret := range []string{tokens.AccessToken, tokens.RefreshToken, password} {
		assert.False(t, strings.Contains(printed, secret), "a secret was printed")
	}
	assert.Contains(t, logs.String(), "status=404")
	assert.Contains(t, js.String(), `"access_token":"set"`)
}
