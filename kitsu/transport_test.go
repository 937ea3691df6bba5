package kitsu_test

// Faults a real Zou cannot produce on demand: gateway errors, slow
// replies, HTML error pages from a proxy, connections cut mid-body.

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/kitsu"
)

var fastRetries = kitsu.WithRetryPolicy(kitsu.RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond})

// faultServer serves handler under /api, as Kitsu's proxy does, so a path
// built without the prefix shows up as a 404.
func faultServer(t *testing.T, handler http.HandlerFunc) *kitsu.Client {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/api/", http.StripPrefix("/api", handler))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside /api: %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := kitsu.NewClient(srv.URL, fastRetries, kitsu.WithTokens(kitsu.Tokens{AccessToken: "secret-access-token"}))
	require.NoError(t, err)
	return c
}

func TestRetryGETOn502(t *testing.T) {
	var calls atomic.Int32
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		_, _ = w.Write([]byte(`{"name": "ok"}`))
	})
	var out struct{ Name string }
	require.NoError(t, c.Get(context.Background(), "data/projects", &out, nil))
	assert.Equal(t, "ok", out.Name)
	assert.Equal(t, int32(2), calls.Load())
}

func TestNoRetryPOSTOn502(t *testing.T) {
	var calls atomic.Int32
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusBadGateway)
	})
	err := c.Post(context.Background(), "data/projects", map[string]string{"name": "x"}, nil, nil)
	require.ErrorIs(t, err, kitsu.ErrServer)
	assert.Equal(t, int32(1), calls.Load(), "a POST must not be replayed")

	// Unless the caller marks it safe.
	calls.Store(0)
	err = c.Post(context.Background(), "data/projects", nil, nil, &kitsu.RequestOptions{Idempotent: true})
	require.ErrorIs(t, err, kitsu.ErrServer)
	assert.Equal(t, int32(3), calls.Load())
}

func TestRetryGivesUpAndHonoursContext(t *testing.T) {
	var calls atomic.Int32
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	err := c.Get(context.Background(), "data/projects", nil, nil)
	var kerr *kitsu.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, http.StatusServiceUnavailable, kerr.StatusCode)
	assert.Equal(t, int32(3), calls.Load())

	// A wait that would outlast the call's deadline is not started: the
	// reply that asked for it is the error, at once.
	policy := kitsu.WithRetryPolicy(kitsu.RetryPolicy{MaxAttempts: 10, BaseDelay: time.Hour, MaxDelay: time.Hour})
	slow, err := kitsu.NewClient(c.GetHost(), policy)
	require.NoError(t, err)
	calls.Store(0)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = slow.Get(ctx, "data/projects", nil, nil)
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, http.StatusServiceUnavailable, kerr.StatusCode)
	assert.Equal(t, int32(1), calls.Load())

	// A wait with no deadline ends when the context does.
	unbounded, err := kitsu.NewClient(c.GetHost(), policy, kitsu.WithTimeout(0))
	require.NoError(t, err)
	ctx, cancel = context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	err = unbounded.Get(ctx, "data/projects", nil, nil)
	require.ErrorIs(t, err, context.Canceled)
}

func TestRetryOnConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	c, err := kitsu.NewClient("http://"+addr, fastRetries)
	require.NoError(t, err)
	err = c.Get(context.Background(), "data/projects", nil, nil)
	var kerr *kitsu.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, 0, kerr.StatusCode)
	var opErr *net.OpError
	assert.ErrorAs(t, err, &opErr)
}

func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	short, err := kitsu.NewClient(c.GetHost(), kitsu.WithTimeout(50*time.Millisecond), kitsu.WithRetryPolicy(kitsu.RetryPolicy{MaxAttempts: 1}))
	require.NoError(t, err)
	start := time.Now()
	err = short.Get(context.Background(), "data/projects", nil, nil)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "timeout"), "got %v", err)
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestHTML413(t *testing.T) {
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_, _ = w.Write([]byte("<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"))
	})
	f := filepath.Join(t.TempDir(), "big.mov")
	require.NoError(t, os.WriteFile(f, []byte("movie"), 0o644))
	err := c.Upload(context.Background(), "pictures/preview-files/x", f, nil, nil)
	require.ErrorIs(t, err, kitsu.ErrTooBigFile)
	var kerr *kitsu.Error
	require.ErrorAs(t, err, &kerr)
	assert.Equal(t, "413 Request Entity Too Large", kerr.Body)
	assert.Contains(t, err.Error(), "larger than the server or its proxy accepts")
	assert.NotContains(t, err.Error(), "<html>")
}

func TestUploadFailedMessage(t *testing.T) {
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"message": "Wrong file format"}`))
	})
	f := filepath.Join(t.TempDir(), "x.bin")
	require.NoError(t, os.WriteFile(f, []byte("x"), 0o644))
	err := c.Upload(context.Background(), "pictures/thumbnails/x", f, nil, nil)
	require.ErrorIs(t, err, kitsu.ErrUploadFailed)
	assert.Contains(t, err.Error(), "Wrong file format")
}

func TestDownloadCutMidBody(t *testing.T) {
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(make([]byte, 1000))
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	dir := t.TempDir()
	dst := filepath.Join(dir, "plate.exr")
	require.NoError(t, os.WriteFile(dst, []byte("previous version"), 0o644))
	var seen int64
	err := c.Download(context.Background(), "data/preview-files/x/file", dst, &kitsu.DownloadOptions{Progress: func(d, _ int64) { seen = d }})
	require.ErrorIs(t, err, kitsu.ErrDownloadFailed)
	assert.Equal(t, int64(1000), seen)
	got, err := os.ReadFile(dst)
	require.NoError(t, err)
	assert.Equal(t, "previous version", string(got), "the old file must survive a failed download")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no partial file may be left")

	missing := filepath.Join(dir, "new.exr")
	require.Error(t, c.Download(context.Background(), "data/preview-files/x/file", missing, nil))
	_, err = os.Stat(missing)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestHTMLErrorBodyAnd200NonJSON(t *testing.T) {
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/data/html" {
			w.Header().Set("Content-Type", "text/html")
			_, _ = w.Write([]byte("<!doctype html><html><body>maintenance</body></html>"))
			return
		}
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<html><body><h1>Internal Server Error</h1><p>boom</p></body></html>"))
	})
	var out map[string]any
	err := c.Get(context.Background(), "data/boom", &out, nil)
	require.ErrorIs(t, err, kitsu.ErrServer)
	assert.Contains(t, err.Error(), "Internal Server Error")

	err = c.Get(context.Background(), "data/html", &out, nil)
	require.ErrorIs(t, err, kitsu.ErrServer)
	assert.Contains(t, err.Error(), "not the JSON expected")
}

func TestTokenNotSentToOtherHosts(t *testing.T) {
	var auth atomic.Value
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		_, _ = w.Write([]byte("image"))
	}))
	defer other.Close()
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {})
	data, err := c.GetFileDataFromURL(context.Background(), other.URL+"/thumb.png", &kitsu.FileDataOptions{Full: true})
	require.NoError(t, err)
	assert.Equal(t, "image", string(data))
	assert.Equal(t, "", auth.Load())
}

func TestDownloadRefuses202(t *testing.T) {
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "*/*", r.Header.Get("Accept"))
		w.WriteHeader(http.StatusAccepted)
		_, _ = w.Write([]byte(`{"status": "processing"}`))
	})
	dst := filepath.Join(t.TempDir(), "preview.png")
	err := c.Download(context.Background(), "pictures/originals/preview-files/x.png", dst, nil)
	require.ErrorIs(t, err, kitsu.ErrDownloadFailed)
	assert.Contains(t, err.Error(), "no file to give yet")
	_, err = os.Stat(dst)
	assert.ErrorIs(t, err, os.ErrNotExist)
}
