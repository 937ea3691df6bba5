package kitsu

// Hostile-server tests: what a misbehaving or malicious server on the
// path tries against the client (redirects that fish for credentials,
// endless replies, stalls, bad certificates), and secrets in printed
// values. Each server is local (127.0.0.1), as the faults are ones a real
// Zou does not produce. The test is internal to reach the unexported
// types that hold secrets.

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var quickRetries = WithRetryPolicy(RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})

// fakeJWT returns a token shaped as Zou's (HS256 JWT with exp, jti, sub),
// unique per call, so that a leak of any part of it can be searched for.
func fakeJWT(t *testing.T, kind string, exp time.Time) string {
	t.Helper()
	enc := base64.RawURLEncoding
	header := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	claims, err := json.Marshal(map[string]any{
		"fresh": false, "iat": time.Now().Unix(), "jti": fmt.Sprintf("%s-%d", kind, time.Now().UnixNano()),
		"type": kind, "sub": "6a1f7d2e-3b4c-4d5e-8f90-a1b2c3d4e5f6", "exp": exp.Unix(),
	})
	require.NoError(t, err)
	sig := enc.EncodeToString([]byte("signature-of-" + kind + "-" + strconv.FormatInt(time.Now().UnixNano(), 36)))
	return header + "." + enc.EncodeToString(claims) + "." + sig
}

// seen is what a server received.
type seen struct {
	Method, Path, Authorization, Cookie string
	Body                                string
}

// recorder is a server that records every request it gets and answers
// with reply.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []seen
}

func newRecorder(t *testing.T, reply string) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seen{r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("Cookie"), string(body)})
		rec.mu.Unlock()
		_, _ = io.WriteString(w, reply)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *recorder) got() []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seen(nil), rec.reqs...)
}

// apiServer serves handler under /api, as Kitsu's proxy does.
func apiServer(t *testing.T, handler http.HandlerFunc) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", handler))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func redirectTo(target string, code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Location", target)
		w.WriteHeader(code)
	}
}

// otherHost names a recorder by "localhost" rather than 127.0.0.1: the
// same machine under another host name.
func otherHost(rec *recorder) string {
	return strings.Replace(rec.URL, "127.0.0.1", "localhost", 1)
}

// Row 1: a login answered with a redirect to another host or port must
// not send the email and password there.
func TestLoginNotRedirectedToOtherOrigin(t *testing.T) {
	const password = "hunter2-Zou-password"
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect, http.StatusFound, http.StatusSeeOther} {
		for name, where := range map[string]func(*recorder) string{
			"other port": func(r *recorder) string { return r.URL },
			"other host": otherHost,
		} {
			t.Run(fmt.Sprintf("%d to %s", code, name), func(t *testing.T) {
				evil := newRecorder(t, `{"login": true, "access_token": "evil", "refresh_token": "evil", "user": {}}`)
				api := apiServer(t, redirectTo(where(evil)+"/api/auth/login", code))
				c, err := NewClient(api.URL, quickRetries)
				require.NoError(t, err)

				_, err = c.LogIn(context.Background(), "artist@example.com", password)
				require.ErrorIs(t, err, ErrRedirectRefused)
				assert.Empty(t, evil.got(), "the other server must receive nothing")
				assert.NotContains(t, err.Error(), password)
				assert.Empty(t, c.Tokens().AccessToken, "no token may come from another origin")
			})
		}
	}
}

// Row 1, the other side: a login redirected within the API host still
// works, body and all.
func TestLoginRedirectedWithinOrigin(t *testing.T) {
	access := fakeJWT(t, "access", time.Now().Add(time.Hour))
	api := apiServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/auth/login":
			redirectTo("/api/auth/login-v2", http.StatusTemporaryRedirect)(w, r)
		case "/auth/login-v2":
			var body map[string]string
			assert.NoError(t, json.NewDecoder(r.Body).Decode(&body))
			assert.Equal(t, map[string]string{"email": "artist@example.com", "password": "pw"}, body)
			_, _ = fmt.Fprintf(w, `{"login": true, "access_token": %q, "refresh_token": "r", "user": {"email": "artist@example.com"}}`, access)
		default:
			http.NotFound(w, r)
		}
	})
	c, err := NewClient(api.URL)
	require.NoError(t, err)
	me, err := c.LogIn(context.Background(), "artist@example.com", "pw")
	require.NoError(t, err)
	assert.Equal(t, "artist@example.com", me.Email)
	assert.Equal(t, access, c.Tokens().AccessToken)
}

// Row 2: the access token (and any request body) never follows a
// redirect to another scheme, host or port; same-origin redirects keep
// it.
func TestTokenNotForwardedOnRedirect(t *testing.T) {
	access := fakeJWT(t, "access", time.Now().Add(time.Hour))
	refresh := fakeJWT(t, "refresh", time.Now().Add(24*time.Hour))
	ctx := context.Background()

	newPair := func(t *testing.T, code int) (*Client, *recorder) {
		t.Helper()
		evil := newRecorder(t, `{"access_token": "evil"}`)
		api := apiServer(t, func(w http.ResponseWriter, r *http.Request) {
			redirectTo(evil.URL+"/api"+r.URL.Path, code)(w, r)
		})
		c, err := NewClient(api.URL, quickRetries, WithTokens(Tokens{AccessToken: access, RefreshToken: refresh}))
		require.NoError(t, err)
		return c, evil
	}
	noCredentials := func(t *testing.T, evil *recorder) {
		t.Helper()
		for _, r := range evil.got() {
			assert.Empty(t, r.Authorization, "%s %s got an Authorization header", r.Method, r.Path)
			assert.Empty(t, r.Body, "%s %s got a body", r.Method, r.Path)
		}
	}

	for _, code := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run("GET "+strconv.Itoa(code), func(t *testing.T) {
			c, evil := newPair(t, code)
			var out map[string]any
			require.NoError(t, c.Get(ctx, "data/projects", &out, nil), "a GET goes on, without the token")
			require.Len(t, evil.got(), 1)
			noCredentials(t, evil)
		})
		t.Run("download "+strconv.Itoa(code), func(t *testing.T) {
			c, evil := newPair(t, code)
			var buf bytes.Buffer
			_, err := c.DownloadTo(ctx, "pictures/originals/preview-files/x.png", &buf, nil)
			require.NoError(t, err)
			data, err := c.GetFileDataFromURL(ctx, "pictures/thumbnails/x.png", nil)
			require.NoError(t, err)
			assert.NotEmpty(t, data)
			require.Len(t, evil.got(), 2)
			noCredentials(t, evil)
		})
	}
	for _, code := range []int{http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		for _, method := range []string{http.MethodPost, http.MethodPut} {
			t.Run(method+" "+strconv.Itoa(code), func(t *testing.T) {
				c, evil := newPair(t, code)
				body := map[string]string{"name": "secret plan"}
				var err error
				if method == http.MethodPost {
					err = c.Post(ctx, "data/projects", body, nil, &RequestOptions{Idempotent: true})
				} else {
					err = c.Put(ctx, "data/projects/x", body, nil, nil)
				}
				require.ErrorIs(t, err, ErrRedirectRefused)
				var kerr *Error
				require.ErrorAs(t, err, &kerr)
				assert.Equal(t, code, kerr.StatusCode)
				assert.Empty(t, evil.got(), "a body must not be replayed to another origin")
			})
		}
		t.Run("upload "+strconv.Itoa(code), func(t *testing.T) {
			c, evil := newPair(t, code)
			f := filepath.Join(t.TempDir(), "plate.exr")
			require.NoError(t, os.WriteFile(f, []byte("pixels"), 0o644))
			err := c.Upload(ctx, "pictures/preview-files/x", f, nil, nil)
			require.ErrorIs(t, err, ErrRedirectRefused, "an upload cannot be sent twice: the redirect is an error, not a success")
			assert.Empty(t, evil.got())
		})
	}
	t.Run("token refresh", func(t *testing.T) {
		c, evil := newPair(t, http.StatusFound)
		c.SetTokens(Tokens{AccessToken: fakeJWT(t, "access", time.Now().Add(-time.Hour)), RefreshToken: refresh})
		_, err := c.GetCurrentUser(ctx)
		require.ErrorIs(t, err, ErrRedirectRefused)
		assert.Empty(t, evil.got(), "the refresh token must stay with the API host")
		assert.NotContains(t, err.Error(), refresh)
	})
	t.Run("within the origin", func(t *testing.T) {
		var auth atomic.Value
		api := apiServer(t, func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/data/old" {
				redirectTo("/api/data/new", http.StatusTemporaryRedirect)(w, r)
				return
			}
			auth.Store(r.Header.Get("Authorization"))
			body, _ := io.ReadAll(r.Body)
			_, _ = w.Write(body)
		})
		var userRedirects atomic.Int32
		caller := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
			userRedirects.Add(1)
			return nil
		}}
		c, err := NewClient(api.URL, WithTokens(Tokens{AccessToken: access}), WithHTTPClient(caller))
		require.NoError(t, err)
		var out map[string]string
		require.NoError(t, c.Post(ctx, "data/old", map[string]string{"a": "b"}, &out, nil))
		assert.Equal(t, map[string]string{"a": "b"}, out, "a same-origin 307 keeps the body")
		assert.Equal(t, "Bearer "+access, auth.Load(), "and the token")
		assert.Equal(t, int32(1), userRedirects.Load(), "the caller's CheckRedirect still runs")
	})
}

// Row 2: from https, a redirect to plain http is refused outright, the
// token and the request never sent in clear text.
func TestHTTPSToHTTPRedirectRefused(t *testing.T) {
	access := fakeJWT(t, "access", time.Now().Add(time.Hour))
	plain := newRecorder(t, `{}`)
	mux := http.NewServeMux()
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		redirectTo(plain.URL+r.URL.Path, http.StatusFound)(w, r)
	})
	tlsSrv := httptest.NewTLSServer(mux)
	defer tlsSrv.Close()
	caller := tlsSrv.Client()
	c, err := NewClient(tlsSrv.URL, quickRetries, WithTokens(Tokens{AccessToken: access}), WithHTTPClient(caller))
	require.NoError(t, err)
	ctx := context.Background()

	err = c.Get(ctx, "data/projects", nil, nil)
	require.ErrorIs(t, err, ErrRedirectRefused)
	assert.Contains(t, err.Error(), "plain http")
	_, err = c.DownloadTo(ctx, "pictures/originals/x.png", io.Discard, nil)
	require.ErrorIs(t, err, ErrRedirectRefused)
	_, err = c.GetFileDataFromURL(ctx, tlsSrv.URL+"/api/pictures/x.png", &FileDataOptions{Full: true})
	require.ErrorIs(t, err, ErrRedirectRefused)
	assert.Empty(t, plain.got(), "nothing may reach the plain http server")
	assert.Nil(t, caller.CheckRedirect, "the caller's http.Client is not changed")
	assert.NotContains(t, err.Error(), access)
}

// endless answers 200 with a JSON value that never ends, until the
// client goes away.
func endless(prefix, unit string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if _, err := io.WriteString(w, prefix); err != nil {
			return
		}
		chunk := []byte(strings.Repeat(unit, 64<<10/len(unit)))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}
}

// Row 3: replies read into memory are capped.
func TestRepliesAreCapped(t *testing.T) {
	ctx := context.Background()
	limit := WithMaxReplySize(1 << 20)
	tooLarge := func(t *testing.T, err error) {
		t.Helper()
		require.ErrorIs(t, err, ErrReplyTooLarge)
		assert.Contains(t, err.Error(), "1 MiB")
		assert.Contains(t, err.Error(), "WithMaxReplySize")
	}
	t.Run("huge array", func(t *testing.T) {
		c, err := NewClient(apiServer(t, endless("[", "1,")).URL, limit)
		require.NoError(t, err)
		var out []any
		tooLarge(t, c.Get(ctx, "data/tasks", &out, nil))
		var page []int
		tooLarge(t, c.FetchAll(ctx, "tasks", &page, nil))
	})
	t.Run("huge string", func(t *testing.T) {
		c, err := NewClient(apiServer(t, endless(`{"name": "`, "a")).URL, limit)
		require.NoError(t, err)
		var out struct{ Name string }
		tooLarge(t, c.Get(ctx, "data/projects/x", &out, nil))
		var text string
		tooLarge(t, c.Get(ctx, "data/projects/x", &text, nil))
		var raw []byte
		tooLarge(t, c.Get(ctx, "data/projects/x", &raw, nil))
		_, err = c.GetFileDataFromURL(ctx, "pictures/x.png", nil)
		tooLarge(t, err)
		assert.ErrorIs(t, err, ErrDownloadFailed)
		n, err := c.DownloadTo(ctx, "pictures/x.png", &limitedWriter{left: 3 << 20}, nil)
		require.Error(t, err, "a download to a writer has no cap: it runs until the writer stops it")
		assert.NotErrorIs(t, err, ErrReplyTooLarge)
		assert.Greater(t, n, int64(1<<20))
	})
	t.Run("announced length", func(t *testing.T) {
		c, err := NewClient(apiServer(t, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", strconv.Itoa(2<<20))
			_, _ = io.WriteString(w, "[1,2,3")
		}).URL, limit)
		require.NoError(t, err)
		var out []int
		err = c.Get(ctx, "data/tasks", &out, nil)
		tooLarge(t, err)
		assert.Contains(t, err.Error(), strconv.Itoa(2<<20)+" bytes")
	})
	t.Run("under the cap", func(t *testing.T) {
		c, err := NewClient(apiServer(t, func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write(bytes.Repeat([]byte("x"), 1<<20))
		}).URL, limit)
		require.NoError(t, err)
		var raw []byte
		require.NoError(t, c.Get(ctx, "data/x", &raw, nil))
		assert.Len(t, raw, 1<<20, "exactly the cap is allowed")
	})
	t.Run("option", func(t *testing.T) {
		for _, n := range []int64{0, -1} {
			_, err := NewClient("https://k.example.com", WithMaxReplySize(n))
			require.ErrorIs(t, err, ErrInvalidArgument)
			assert.Contains(t, err.Error(), "max reply size")
		}
		c, err := NewClient("https://k.example.com")
		require.NoError(t, err)
		assert.Equal(t, DefaultMaxReplySize, c.maxReply)
		assert.Equal(t, int64(1<<30), DefaultMaxReplySize)
	})
}

// limitedWriter accepts left bytes, then fails.
type limitedWriter struct{ left int }

func (w *limitedWriter) Write(p []byte) (int, error) {
	if len(p) > w.left {
		return 0, errors.New("disk full")
	}
	w.left -= len(p)
	return len(p), nil
}

// stallServer accepts connections, reads what it is sent and never
// answers. It returns its URL and the count of connections accepted.
func stallServer(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var conns atomic.Int32
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		_ = l.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			wg.Go(func() {
				defer conn.Close()
				go func() { _, _ = io.Copy(io.Discard, conn) }()
				<-done
			})
		}
	})
	return "http://" + l.Addr().String(), &conns
}

// countingTLSServer is an https server that counts the connections it
// accepts.
func countingTLSServer(t *testing.T, cfg *tls.Config) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{}`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the handshake errors are the point
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	if cfg != nil {
		srv.TLS = cfg
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// Row 8: one deadline covers a call and its tries; a stall is retried
// once at most; TLS failures are not retried.
func TestStallsAndTLSFailuresAreNotRetried(t *testing.T) {
	ctx := context.Background()
	t.Run("stall within the call's deadline", func(t *testing.T) {
		url, conns := stallServer(t)
		c, err := NewClient(url, quickRetries, WithTimeout(300*time.Millisecond))
		require.NoError(t, err)
		err = c.Get(ctx, "data/projects", nil, nil)
		// Whichever ends the try first, the call's deadline or the wait for
		// headers (both 300ms), the error is a deadline.
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "timeout")
		assert.LessOrEqual(t, conns.Load(), int32(2))
	})
	t.Run("stall retried once", func(t *testing.T) {
		url, conns := stallServer(t)
		hc := &http.Client{Transport: &http.Transport{ResponseHeaderTimeout: 100 * time.Millisecond}}
		c, err := NewClient(url, quickRetries, WithTimeout(0), WithHTTPClient(hc))
		require.NoError(t, err)
		err = c.Get(ctx, "data/projects", nil, nil)
		require.Error(t, err)
		assert.True(t, isTimeout(err), "got %v", err)
		assert.Equal(t, int32(2), conns.Load(), "a stall is tried twice, not MaxAttempts times")
	})
	t.Run("stalled download retried once", func(t *testing.T) {
		url, conns := stallServer(t)
		c, err := NewClient(url, quickRetries, WithTimeout(100*time.Millisecond))
		require.NoError(t, err)
		_, err = c.DownloadTo(ctx, "pictures/x.png", io.Discard, nil)
		require.ErrorIs(t, err, ErrDownloadFailed)
		assert.Equal(t, int32(2), conns.Load())
	})

	tlsCases := map[string]func(t *testing.T) (*Client, *atomic.Int32){
		"unknown authority": func(t *testing.T) (*Client, *atomic.Int32) {
			srv, conns := countingTLSServer(t, nil)
			c, err := NewClient(srv.URL, quickRetries)
			require.NoError(t, err)
			return c, conns
		},
		"hostname mismatch": func(t *testing.T) (*Client, *atomic.Int32) {
			srv, conns := countingTLSServer(t, nil)
			pemFile := filepath.Join(t.TempDir(), "ca.pem")
			require.NoError(t, os.WriteFile(pemFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644))
			// The test certificate names 127.0.0.1 and example.com, not localhost.
			c, err := NewClient(strings.Replace(srv.URL, "127.0.0.1", "localhost", 1), quickRetries, WithCACertFile(pemFile))
			require.NoError(t, err)
			return c, conns
		},
		"handshake failure": func(t *testing.T) (*Client, *atomic.Int32) {
			srv, conns := countingTLSServer(t, &tls.Config{MinVersion: tls.VersionTLS13})
			pool := x509.NewCertPool()
			pool.AddCert(srv.Certificate())
			hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS12}}}
			c, err := NewClient(srv.URL, quickRetries, WithHTTPClient(hc))
			require.NoError(t, err)
			return c, conns
		},
	}
	for name, setup := range tlsCases {
		t.Run(name, func(t *testing.T) {
			c, conns := setup(t)
			err := c.Get(ctx, "data/projects", nil, nil)
			require.Error(t, err)
			assert.True(t, isPermanent(err), "got %v", err)
			assert.Equal(t, int32(1), conns.Load(), "exactly one connection attempt")
		})
	}
	t.Run("https URL answered in plain http", func(t *testing.T) {
		var conns atomic.Int32
		srv := httptest.NewUnstartedServer(http.NotFoundHandler())
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
		srv.Start()
		defer srv.Close()
		c, err := NewClient(strings.Replace(srv.URL, "http:", "https:", 1), quickRetries)
		require.NoError(t, err)
		err = c.Get(ctx, "data/projects", nil, nil)
		require.ErrorIs(t, err, http.ErrSchemeMismatch)
		assert.Equal(t, int32(1), conns.Load())
	})
}

// Row 5: a connection error names the URL without its secret query
// values, as an error reply does.
func TestTransportErrorsRedactURL(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	var logs bytes.Buffer
	c, err := NewClient("http://"+addr, quickRetries, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	secret := fakeJWT(t, "access", time.Now().Add(time.Hour))
	err = c.Get(context.Background(), "data/files", nil, &RequestOptions{Params: map[string][]string{"token": {secret}}})
	require.Error(t, err)
	var opErr *net.OpError
	require.ErrorAs(t, err, &opErr, "still the connection error")
	assert.Contains(t, err.Error(), "token=REDACTED")
	assert.NotContains(t, err.Error()+logs.String(), secret)
	assert.Contains(t, logs.String(), "retrying")
}

// Row 5: no value that holds a token or a password prints it, with any
// fmt verb or slog handler, alone or nested in a struct.
func TestSecretsNeverPrinted(t *testing.T) {
	access := fakeJWT(t, "access", time.Now().Add(time.Hour))
	refresh := fakeJWT(t, "refresh", time.Now().Add(24*time.Hour))
	const password = "correct-horse-battery-staple"
	secrets := []string{access, refresh, password}
	// Any third of a token would be a leak too.
	for _, s := range []string{access, refresh} {
		parts := strings.Split(s, ".")
		secrets = append(secrets, parts[1], parts[2])
	}

	tokens := Tokens{AccessToken: access, RefreshToken: refresh}
	c, err := NewClient("https://kitsu.example.com", WithTokens(tokens))
	require.NoError(t, err)
	var cfg clientConfig
	require.NoError(t, WithTokens(tokens)(&cfg))
	store := &tokenStore{}
	store.set(tokens)
	type nested struct {
		Client *Client
		Tokens Tokens
		Ptr    *Tokens
		Any    any
	}
	values := map[string]any{
		"Tokens":              tokens,
		"*Tokens":             &tokens,
		"*Client":             c,
		"clientConfig":        cfg,
		"*clientConfig":       &cfg,
		"loginBody":           loginBody{Email: "artist@example.com", Password: password},
		"*request":            &request{method: http.MethodGet, path: "auth/refresh-token", bearer: refresh},
		"*request with login": &request{method: http.MethodPost, path: "auth/login", body: loginBody{Email: "a@example.com", Password: password}},
		"*tokenStore":         store,
		"nested":              nested{Client: c, Tokens: tokens, Ptr: &tokens, Any: tokens},
		"*nested":             &nested{Client: c, Tokens: tokens, Ptr: &tokens, Any: &tokens},
		"[]Tokens":            []Tokens{tokens},
		"map":                 map[string]any{"client": c, "tokens": tokens},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%10.3v"}
	for name, v := range values {
		t.Run(name, func(t *testing.T) {
			var out strings.Builder
			for _, verb := range verbs {
				fmt.Fprintf(&out, verb+"\n", v)
			}
			fmt.Fprintln(&out, v)
			fmt.Fprint(&out, v)
			var text, js bytes.Buffer
			slog.New(slog.NewTextHandler(&text, nil)).Info("value", "v", v)
			slog.New(slog.NewJSONHandler(&js, nil)).Info("value", "v", v)
			slog.New(slog.NewTextHandler(&text, nil)).Info("group", slog.Group("g", "v", v))
			slog.New(slog.NewJSONHandler(&js, nil)).Info("group", slog.Group("g", "v", v))
			slog.New(slog.NewJSONHandler(&js, nil)).With("v", v).Info("with")
			printed := out.String() + text.String() + js.String()
			for _, s := range secrets {
				if strings.Contains(printed, s) {
					t.Fatalf("a secret was printed for %s", name)
				}
			}
			assert.NotContains(t, js.String(), "!ERROR", "the JSON handler must still log the value")
		})
	}

	// What is printed still says something useful.
	assert.Equal(t, "kitsu.Client{host: https://kitsu.example.com/api, Tokens{AccessToken: set, RefreshToken: set}}", fmt.Sprint(c))
	b, err := json.Marshal(tokens)
	require.NoError(t, err)
	assert.JSONEq(t, `{"access_token": "REDACTED", "refresh_token": "REDACTED"}`, string(b))
	var back Tokens
	err = json.Unmarshal(b, &back)
	require.ErrorIs(t, err, ErrInvalidArgument, "redacted tokens must not be read back as tokens")
	require.NoError(t, json.Unmarshal([]byte(`{"access_token": "`+access+`", "refresh_token": "`+refresh+`"}`), &back))
	assert.Equal(t, tokens, back, "tokens still decode from JSON")
}
