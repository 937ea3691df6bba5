package kitsu

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// RetryPolicy says how often and how patiently a request is tried again
// after a connection error or a 502, 503 or 504 reply. Only GET, PUT,
// DELETE and HEAD requests are retried, and POST requests marked safe to
// replay; waits grow exponentially with full jitter, and stop at once when
// the request's context ends.
type RetryPolicy struct {
	// MaxAttempts counts the first try: 1 means never retry.
	MaxAttempts int
	// BaseDelay is the longest first wait; each retry doubles it.
	BaseDelay time.Duration
	// MaxDelay caps one wait, including a server's Retry-After.
	MaxDelay time.Duration
}

// DefaultRetryPolicy tries a request four times over about two seconds.
var DefaultRetryPolicy = RetryPolicy{MaxAttempts: 4, BaseDelay: 250 * time.Millisecond, MaxDelay: 5 * time.Second}

func (p RetryPolicy) delay(attempt int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, p.MaxDelay)
	}
	ceiling := p.BaseDelay << min(attempt-1, 20)
	if ceiling <= 0 || ceiling > p.MaxDelay {
		ceiling = p.MaxDelay
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling) + 1
}

// request is one API call, before the client adds host, headers and
// tokens.
type request struct {
	method string
	path   string // relative to the API host
	absURL string // used instead of path when set
	query  url.Values
	body   any // sent as JSON when not nil

	// rawBody, when set, is sent as is; newBody recreates it for a retry
	// (nil: the request is never retried).
	rawBody       io.Reader
	contentType   string
	contentLength int64

	anonymous   bool   // send no Authorization header
	bearer      string // send this token instead of the access token
	idempotent  bool   // a POST that may be replayed
	noAuthRetry bool   // do not refresh the token and replay on expiry
	transfer    bool   // no JSON timeout: the body may take long to read

	// retryOn500 sends the request once more after a 500 reply: for routes
	// that store nothing but where Zou may create a default record on the
	// fly and lose a race doing so (see FilesService.postPath).
	retryOn500 bool
}

func (r *request) retryable() bool {
	if r.rawBody != nil {
		return false
	}
	switch r.method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete:
		return true
	}
	return r.idempotent
}

// do sends req and decodes the JSON reply into out (see decodeInto).
func (c *Client) do(ctx context.Context, req *request, out any) error {
	resp, cancel, err := c.send(ctx, req)
	if err != nil {
		return err
	}
	defer cancel()
	defer drainClose(resp.Body)
	return c.decodeInto(resp, req, out)
}

// decodeInto stores a reply body in out: nothing when out is nil, the bytes
// themselves for *[]byte, the text for *string, and JSON otherwise.
func (c *Client) decodeInto(resp *http.Response, req *request, out any) error {
	switch v := out.(type) {
	case nil:
		return nil
	case *[]byte:
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return c.transportError(req, resp.Request.URL.String(), err)
		}
		*v = b
		return nil
	case *string:
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return c.transportError(req, resp.Request.URL.String(), err)
		}
		*v = string(b)
		return nil
	}
	if resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.UnmarshalRead(resp.Body, out, decodeOptions); err != nil {
		if !isJSONError(err) {
			return c.transportError(req, resp.Request.URL.String(), err)
		}
		return &Error{
			StatusCode: resp.StatusCode,
			Method:     req.method,
			URL:        redactURL(resp.Request.URL.String()),
			Message:    "the reply is not the JSON expected: " + err.Error(),
			Err:        ErrServer,
		}
	}
	return nil
}

// decodeOptions match JSON member names to untagged or differently cased
// struct fields as encoding/json does, for the structs callers give to
// the raw helpers.
var decodeOptions = json.MatchCaseInsensitiveNames(true)

// isJSONError tells a reply that is not the JSON expected from one whose
// reading failed.
func isJSONError(err error) bool {
	var sem *json.SemanticError
	var syn *jsontext.SyntacticError
	return errors.As(err, &sem) || errors.As(err, &syn)
}

// send sends req, refreshing the access token and retrying as needed, and
// returns a reply with a 2xx or 3xx status whose body the caller must
// close, then call cancel. Error statuses come back as *Error.
func (c *Client) send(ctx context.Context, req *request) (*http.Response, context.CancelFunc, error) {
	target := req.absURL
	if target == "" {
		target = c.GetFullURL(req.path)
	}
	if len(req.query) > 0 {
		target = c.BuildPathWithParams(target, req.query)
	}
	var payload []byte
	if req.body != nil {
		b, err := json.Marshal(req.body)
		if err != nil {
			return nil, nil, fmt.Errorf("kitsu: %s %s: encoding the request body: %w", req.method, redactURL(target), err)
		}
		payload = b
	}

	authRetried := req.noAuthRetry
	retried500 := false
	for attempt := 1; ; attempt++ {
		access := ""
		if !req.anonymous && req.bearer == "" {
			var stale bool
			access, stale = c.tokens.current()
			if stale && !authRetried {
				if err := c.refresh(ctx, access); err != nil {
					return nil, nil, err
				}
				authRetried = true
				access, _ = c.tokens.current()
			}
		}

		actx, cancel := ctx, context.CancelFunc(func() {})
		if !req.transfer && c.timeout > 0 {
			actx, cancel = context.WithTimeout(ctx, c.timeout)
		}
		hreq, err := c.newHTTPRequest(actx, req, target, payload, access)
		if err != nil {
			cancel()
			return nil, nil, err
		}
		start := time.Now()
		resp, err := c.hc.Do(hreq)
		if err != nil {
			cancel()
			if ctx.Err() != nil {
				return nil, nil, c.transportError(req, target, ctx.Err())
			}
			if req.retryable() && attempt < c.retry.MaxAttempts {
				if werr := c.wait(ctx, req, target, attempt, 0, err.Error()); werr != nil {
					return nil, nil, werr
				}
				continue
			}
			return nil, nil, c.transportError(req, target, err)
		}
		c.logger.Debug("kitsu: request", "method", req.method, "url", redactURL(target),
			"status", resp.StatusCode, "duration", time.Since(start))
		if resp.StatusCode < 400 {
			return resp, cancel, nil
		}

		kerr := c.errorFromReply(req, target, resp)
		cancel()
		if !authRetried && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusUnprocessableEntity) &&
			kerr.Message == expiredMessage && !req.anonymous && req.bearer == "" {
			authRetried = true
			if rerr := c.refresh(ctx, access); rerr != nil {
				return nil, nil, fmt.Errorf("%w (%w)", kerr, rerr)
			}
			attempt-- // the replay after a refresh is not a retry
			continue
		}
		switch resp.StatusCode {
		case http.StatusInternalServerError:
			if req.retryOn500 && !retried500 {
				retried500 = true
				if werr := c.wait(ctx, req, target, attempt, 0, kerr.Error()); werr != nil {
					return nil, nil, werr
				}
				continue
			}
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			if req.retryable() && attempt < c.retry.MaxAttempts {
				if werr := c.wait(ctx, req, target, attempt, retryAfter(resp), kerr.Error()); werr != nil {
					return nil, nil, werr
				}
				continue
			}
		}
		return nil, nil, kerr
	}
}

func (c *Client) newHTTPRequest(ctx context.Context, req *request, target string, payload []byte, access string) (*http.Request, error) {
	var body io.Reader
	switch {
	case req.rawBody != nil:
		body = req.rawBody
	case payload != nil:
		body = bytes.NewReader(payload)
	}
	hreq, err := http.NewRequestWithContext(ctx, req.method, target, body)
	if err != nil {
		return nil, invalidArg("URL", redactURL(target), "a valid URL")
	}
	hreq.Header.Set("User-Agent", c.userAgent)
	if req.transfer && req.method == http.MethodGet {
		hreq.Header.Set("Accept", "*/*")
	} else {
		hreq.Header.Set("Accept", "application/json")
	}
	switch {
	case req.rawBody != nil:
		hreq.Header.Set("Content-Type", req.contentType)
		hreq.ContentLength = req.contentLength
	case payload != nil:
		hreq.Header.Set("Content-Type", "application/json")
	}
	switch {
	case req.bearer != "":
		hreq.Header.Set("Authorization", "Bearer "+req.bearer)
	case !req.anonymous && access != "":
		hreq.Header.Set("Authorization", "Bearer "+access)
	}
	return hreq, nil
}

// wait sleeps before a retry, or returns the context's error.
func (c *Client) wait(ctx context.Context, req *request, target string, attempt int, retryAfter time.Duration, why string) error {
	d := c.retry.delay(attempt, retryAfter)
	c.logger.Info("kitsu: retrying", "method", req.method, "url", redactURL(target),
		"attempt", attempt+1, "of", c.retry.MaxAttempts, "after", d, "because", why)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return c.transportError(req, target, ctx.Err())
	}
}

func retryAfter(resp *http.Response) time.Duration {
	if s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	return 0
}

func (c *Client) transportError(req *request, target string, err error) *Error {
	return &Error{Method: req.method, URL: redactURL(target), Err: err}
}

// errorFromReply reads an error reply and builds its *Error. It closes the
// body.
func (c *Client) errorFromReply(req *request, target string, resp *http.Response) *Error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	drainClose(resp.Body)
	e := &Error{
		StatusCode: resp.StatusCode,
		Method:     req.method,
		URL:        redactURL(target),
		Err:        sentinelFor(resp.StatusCode),
	}
	if msg, ok := serverMessage(body); ok {
		e.Message = msg
	} else {
		e.Body = bodySnippet(body)
	}
	return e
}

// serverMessage extracts the explanation from a Zou error body: "message"
// or "error" when it is a string, then the details of data.errors.
func serverMessage(body []byte) (string, bool) {
	var reply struct {
		Message any `json:"message"`
		Error   any `json:"error"`
		Data    any `json:"data"`
	}
	if len(bytes.TrimSpace(body)) == 0 || json.Unmarshal(body, &reply) != nil {
		return "", false
	}
	var parts []string
	for _, v := range []any{reply.Message, reply.Error} {
		if s, ok := v.(string); ok && s != "" {
			parts = append(parts, s)
			break
		}
	}
	if data, ok := reply.Data.(map[string]any); ok {
		errs, _ := data["errors"].([]any)
		for _, fe := range errs {
			if m, ok := fe.(map[string]any); ok {
				parts = append(parts, fmt.Sprint(m["field"])+": "+fmt.Sprint(m["message"]))
			}
		}
	}
	if len(parts) == 0 {
		// A JSON body with no message (such as {"login": false}): show it.
		return bodySnippet(body), true
	}
	return strings.Join(parts, "; "), true
}
