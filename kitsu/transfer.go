package kitsu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/go-json-experiment/json"
)

// Progress is told how many bytes of a transfer are done, and how many
// there are in all (-1 when the server did not say).
type Progress func(done, total int64)

// UploadFile is one file part of an upload read from a reader.
type UploadFile struct {
	// Field is the form field name; "file" for the main file.
	Field string
	// Name is the file name sent to the server.
	Name string
	// Reader gives the content; it is read once, while the request is sent.
	Reader io.Reader
	// Size is the exact number of bytes Reader gives.
	Size int64
}

// UploadOptions are the optional parts of Upload. The zero value sends the
// file alone.
type UploadOptions struct {
	// Fields are sent as form fields before the files.
	Fields map[string]string
	// ExtraFiles are paths of more files, sent as file-1 ... file-N.
	ExtraFiles []string
	// Files are more parts read from readers, sent after the others.
	Files []UploadFile
	// Progress, if set, is told how many bytes of file content are sent.
	Progress Progress
}

// Upload sends filePath (and the extra files of opts) as a multipart form
// with POST {host}/{path}, and stores the JSON reply in out. Files are
// streamed from disk, never held in memory. filePath may be empty when
// opts.Files holds the main file.
//
// It mirrors gazu.client.upload. A reply carrying an error message matches
// ErrUploadFailed; a 413 matches ErrTooBigFile. Uploads are never retried,
// and a redirect, which would need the body sent again, is an error
// matching ErrRedirectRefused.
func (c *Client) Upload(ctx context.Context, path, filePath string, out any, opts *UploadOptions) error {
	if err := checkPath(path); err != nil {
		return err
	}
	if opts == nil {
		opts = &UploadOptions{}
	}
	var parts []UploadFile
	var closers []io.Closer
	defer func() {
		for _, cl := range closers {
			_ = cl.Close()
		}
	}()
	addFile := func(field, p string) error {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("kitsu: upload to %s: %w", path, err)
		}
		closers = append(closers, f)
		st, err := f.Stat()
		if err != nil {
			return fmt.Errorf("kitsu: upload to %s: %w", path, err)
		}
		if !st.Mode().IsRegular() {
			return invalidArg("upload file", p, "a regular file")
		}
		parts = append(parts, UploadFile{Field: field, Name: filepath.Base(p), Reader: f, Size: st.Size()})
		return nil
	}
	if filePath != "" {
		if err := addFile("file", filePath); err != nil {
			return err
		}
	}
	for i, p := range opts.ExtraFiles {
		if err := addFile(fmt.Sprintf("file-%d", i+1), p); err != nil {
			return err
		}
	}
	for _, f := range opts.Files {
		if f.Reader == nil || f.Field == "" || f.Size < 0 {
			return invalidArg("upload part", f.Field, "a field name, a reader and a size of 0 or more")
		}
		parts = append(parts, f)
	}
	if len(parts) == 0 {
		return invalidArg("file path", filePath, "a file to upload")
	}

	body, contentType, length, err := multipartBody(opts.Fields, parts, opts.Progress)
	if err != nil {
		return err
	}
	req := &request{method: http.MethodPost, path: path, rawBody: body, contentType: contentType, contentLength: length, transfer: true}
	var raw []byte
	if err := c.do(ctx, req, &raw); err != nil {
		return err
	}
	if msg := uploadErrorMessage(raw); msg != "" {
		return &Error{StatusCode: http.StatusOK, Method: http.MethodPost, URL: redactURL(c.GetFullURL(path)), Message: msg, Err: ErrUploadFailed}
	}
	if out == nil || len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := json.Unmarshal(raw, out, decodeOptions); err != nil {
		return &Error{StatusCode: http.StatusOK, Method: http.MethodPost, URL: redactURL(c.GetFullURL(path)), Message: "the reply is not the JSON expected: " + err.Error(), Err: ErrServer}
	}
	return nil
}

// uploadErrorMessage returns the "message" or "error" string of an upload
// reply, as gazu checks it.
func uploadErrorMessage(raw []byte) string {
	var reply map[string]any
	if json.Unmarshal(raw, &reply) != nil {
		return ""
	}
	for _, k := range []string{"message", "error"} {
		if s, ok := reply[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// multipartBody lays out a multipart form whose length is known before it
// is sent: the small header pieces are built in memory and the file
// contents are read from their readers as the request goes out.
func multipartBody(fields map[string]string, files []UploadFile, progress Progress) (io.Reader, string, int64, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	var readers []io.Reader
	var length, total int64
	flush := func() {
		if buf.Len() > 0 {
			chunk := bytes.Clone(buf.Bytes())
			readers = append(readers, bytes.NewReader(chunk))
			length += int64(len(chunk))
			buf.Reset()
		}
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if err := w.WriteField(k, fields[k]); err != nil {
			return nil, "", 0, err
		}
	}
	for _, f := range files {
		total += f.Size
	}
	counter := &progressCounter{total: total, fn: progress}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, quoteEscaper.Replace(f.Field), quoteEscaper.Replace(f.Name)))
		h.Set("Content-Type", "application/octet-stream")
		if _, err := w.CreatePart(h); err != nil {
			return nil, "", 0, err
		}
		flush()
		readers = append(readers, &exactReader{r: f.Reader, left: f.Size, name: f.Name, counter: counter})
		length += f.Size
	}
	if err := w.Close(); err != nil {
		return nil, "", 0, err
	}
	flush()
	return io.MultiReader(readers...), w.FormDataContentType(), length, nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

// exactReader gives exactly the announced number of bytes of a part, or
// an error: a file that shrank or grew while being sent must not produce
// a corrupt upload.
type exactReader struct {
	r       io.Reader
	left    int64
	name    string
	counter *progressCounter
}

func (e *exactReader) Read(p []byte) (int, error) {
	if e.left <= 0 {
		// Make sure the file did not grow.
		var one [1]byte
		if n, _ := e.r.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("kitsu: upload of %s: the file grew while it was sent", e.name)
		}
		return 0, io.EOF
	}
	if int64(len(p)) > e.left {
		p = p[:e.left]
	}
	n, err := e.r.Read(p)
	e.left -= int64(n)
	e.counter.add(int64(n))
	if err == io.EOF {
		if e.left > 0 {
			return n, fmt.Errorf("kitsu: upload of %s: the file shrank while it was sent (%d bytes missing)", e.name, e.left)
		}
		err = nil
	}
	return n, err
}

type progressCounter struct {
	done  atomic.Int64
	total int64
	fn    Progress
}

func (p *progressCounter) add(n int64) {
	if p == nil || n == 0 {
		return
	}
	d := p.done.Add(n)
	if p.fn != nil {
		p.fn(d, p.total)
	}
}

// DownloadOptions are the optional parts of Download and DownloadTo. The
// zero value sends no query parameters and reports no progress.
type DownloadOptions struct {
	// Params are sent as the query string.
	Params url.Values
	// Progress, if set, is told how many bytes are received.
	Progress Progress
}

// Download saves the reply of GET {host}/{path} to filePath. The content
// goes to a temporary file beside it, renamed into place only once it is
// complete: a failure leaves no partial file and keeps any file that was
// there before. An error status is an error (gazu writes the error page
// into the file).
//
// It mirrors gazu.client.download. Failures match ErrDownloadFailed, and
// also the sentinel of an error status.
func (c *Client) Download(ctx context.Context, path, filePath string, opts *DownloadOptions) error {
	if strings.TrimSpace(filePath) == "" {
		return invalidArg("file path", filePath, "the path of the file to write")
	}
	dir := filepath.Dir(filePath)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(filePath)+".part-*")
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrDownloadFailed, filePath, err)
	}
	ok := false
	defer func() {
		if !ok {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := c.DownloadTo(ctx, path, tmp, opts); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrDownloadFailed, filePath, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrDownloadFailed, filePath, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrDownloadFailed, filePath, err)
	}
	if err := os.Rename(tmp.Name(), filePath); err != nil {
		return fmt.Errorf("%w: %s: %w", ErrDownloadFailed, filePath, err)
	}
	ok = true
	return nil
}

// DownloadTo writes the reply of GET {host}/{path} to w and returns the
// number of bytes written. An error status, or a body shorter than the
// server announced, is an error matching ErrDownloadFailed; w may then
// have received part of the body.
func (c *Client) DownloadTo(ctx context.Context, path string, w io.Writer, opts *DownloadOptions) (int64, error) {
	if err := checkPath(path); err != nil {
		return 0, err
	}
	if w == nil {
		return 0, invalidArg("writer", "nil", "an io.Writer")
	}
	var o DownloadOptions
	if opts != nil {
		o = *opts
	}
	return c.downloadTo(ctx, &request{method: http.MethodGet, path: path, query: o.Params, transfer: true}, w, o.Progress, 0)
}

// downloadTo writes the reply of req to w; limit, when above 0, caps the
// body as the client's reply cap does.
func (c *Client) downloadTo(ctx context.Context, req *request, w io.Writer, progress Progress, limit int64) (int64, error) {
	resp, cancel, err := c.send(ctx, req)
	if err != nil {
		return 0, downloadFailed(err)
	}
	defer cancel()
	defer drainClose(resp.Body)
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusPartialContent {
		// 202 is Zou saying a preview is still being processed: there is
		// no file to save yet.
		return 0, downloadFailed(&Error{StatusCode: resp.StatusCode, Method: req.method, URL: redactURL(resp.Request.URL.String()),
			Message: "the server has no file to give yet (" + http.StatusText(resp.StatusCode) + ")", Err: ErrNotFound})
	}
	var body io.Reader = resp.Body
	if limit > 0 {
		if resp.ContentLength > limit {
			return 0, downloadFailed(c.tooLarge(req, resp))
		}
		body = &cappedReader{r: body, left: limit}
	}
	counter := &progressCounter{total: resp.ContentLength, fn: progress}
	n, err := io.Copy(w, &countingReader{r: body, counter: counter})
	if err == nil && resp.ContentLength >= 0 && n != resp.ContentLength {
		err = io.ErrUnexpectedEOF
	}
	if errors.Is(err, errReplyTooLarge) {
		return n, downloadFailed(c.tooLarge(req, resp))
	}
	if err != nil {
		return n, downloadFailed(c.transportError(req, resp.Request.URL.String(), fmt.Errorf("after %d bytes: %w", n, err)))
	}
	return n, nil
}

// downloadFailed makes err match ErrDownloadFailed as well.
func downloadFailed(err error) error {
	if errors.Is(err, ErrDownloadFailed) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrDownloadFailed, err)
}

type countingReader struct {
	r       io.Reader
	counter *progressCounter
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.counter.add(int64(n))
	return n, err
}

// FileDataOptions are the optional parts of GetFileDataFromURL. The zero
// value reads a path relative to the API host.
type FileDataOptions struct {
	// Full says the URL is absolute. The client's token is sent only when
	// it points at the API host's origin (same scheme, host and port).
	Full bool
}

// GetFileDataFromURL returns the whole body of GET {host}/{url}, or of the
// absolute url with Full set. A body larger than the client's reply cap
// (WithMaxReplySize) is an error matching ErrReplyTooLarge.
//
// It mirrors gazu.client.get_file_data_from_url. Unlike gazu, a relative
// url uses this client's host, and the token is never sent to another
// host.
func (c *Client) GetFileDataFromURL(ctx context.Context, rawURL string, opts *FileDataOptions) ([]byte, error) {
	req := &request{method: http.MethodGet, transfer: true}
	if opts != nil && opts.Full {
		u, err := url.Parse(rawURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, invalidArg("url", redactURL(rawURL), "an absolute http or https URL")
		}
		host, _ := url.Parse(c.GetHost())
		req.absURL = u.String()
		req.anonymous = origin(u) != origin(host)
	} else {
		if err := checkPath(rawURL); err != nil {
			return nil, err
		}
		req.path = rawURL
	}
	var buf bytes.Buffer
	if _, err := c.downloadTo(ctx, req, &buf, nil, c.maxReply); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
