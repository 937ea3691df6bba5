package kitsu_test

// Zou's path routes create a default software on the fly, and parallel
// requests on an empty database race doing so: the losers get a 500. The
// path builders send such a request once more; creations never are.

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/kitsu"
)

const (
	faultTaskID   = "0b9b1a38-0f8e-4a52-9d3f-6e2a3f1c0a01"
	faultEntityID = "0b9b1a38-0f8e-4a52-9d3f-6e2a3f1c0a02"
	faultTypeID   = "0b9b1a38-0f8e-4a52-9d3f-6e2a3f1c0a03"
	faultTTypeID  = "0b9b1a38-0f8e-4a52-9d3f-6e2a3f1c0a04"
	faultInstID   = "0b9b1a38-0f8e-4a52-9d3f-6e2a3f1c0a05"
)

// uniqueViolation is what Zou answers the loser of the race.
func uniqueViolation(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusInternalServerError)
	_, _ = w.Write([]byte(`{"message": "duplicate key value violates unique constraint \"software_name_key\""}`))
}

// pathServer answers the path routes with fails 500s first, then a path;
// it counts the requests of each route.
func pathServer(t *testing.T, fails int32) (*kitsu.Client, map[string]*atomic.Int32) {
	counts := map[string]*atomic.Int32{"working": {}, "output": {}, "next": {}, "create": {}}
	c := faultServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(strings.ToUpper(r.URL.EscapedPath()), "%2F") {
			t.Errorf("a route's own slash was escaped: %s", r.URL.EscapedPath())
		}
		var n int32
		switch {
		case strings.HasSuffix(r.URL.Path, "/working-file-path"):
			n = counts["working"].Add(1)
		case strings.HasSuffix(r.URL.Path, "/output-file-path"):
			n = counts["output"].Add(1)
		case strings.HasSuffix(r.URL.Path, "/next-revision"):
			counts["next"].Add(1)
			_, _ = w.Write([]byte(`{"next_revision": 3}`))
			return
		case strings.HasSuffix(r.URL.Path, "/working-files/new"):
			counts["create"].Add(1)
			uniqueViolation(w)
			return
		default:
			t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
			http.NotFound(w, r)
			return
		}
		if n <= fails {
			uniqueViolation(w)
			return
		}
		_, _ = w.Write([]byte(`{"path": "/prod/p/work", "name": "p_v003", "folder_path": "/prod/p/out", "file_name": "p_v003"}`))
	})
	return c, counts
}

func TestPathRoutesRetryOnceOn500(t *testing.T) {
	ctx := context.Background()
	c, counts := pathServer(t, 1)

	got, err := c.Files.BuildWorkingFilePath(ctx, faultTaskID, nil)
	require.NoError(t, err)
	assert.Equal(t, "/prod/p/work/p_v003", got)
	assert.Equal(t, int32(2), counts["working"].Load(), "one 500, then the retry")

	counts["output"].Store(0)
	got, err = c.Files.BuildEntityOutputFilePath(ctx, faultEntityID, faultTypeID, faultTTypeID, &kitsu.OutputFilePathOptions{Revision: 3})
	require.NoError(t, err)
	assert.Equal(t, "/prod/p/out/p_v003", got)
	assert.Equal(t, int32(2), counts["output"].Load())

	counts["output"].Store(0)
	_, err = c.Files.BuildAssetInstanceOutputFilePath(ctx, faultInstID, faultEntityID, faultTypeID, faultTTypeID, nil)
	require.NoError(t, err)
	assert.Equal(t, int32(2), counts["output"].Load())
	assert.Equal(t, int32(1), counts["next"].Load(), "revision 0 asks the next revision once")
}

func TestPathRoutesRetryOnlyOnce(t *testing.T) {
	c, counts := pathServer(t, 100)
	_, err := c.Files.BuildWorkingFilePath(context.Background(), faultTaskID, nil)
	require.Error(t, err)
	var kerr *kitsu.Error
	require.True(t, errors.As(err, &kerr))
	assert.Equal(t, http.StatusInternalServerError, kerr.StatusCode)
	assert.ErrorIs(t, err, kitsu.ErrServer)
	assert.Equal(t, int32(2), counts["working"].Load(), "a 500 is retried once, not more")
}

func TestCreationsAreNotRetriedOn500(t *testing.T) {
	c, counts := pathServer(t, 0)
	_, err := c.Files.NewWorkingFile(context.Background(), faultTaskID, nil)
	require.Error(t, err)
	assert.Equal(t, int32(1), counts["create"].Load(), "a creation may have stored something: never sent twice")
}
