package kitsu

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
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
// the request's context ends. A try that timed out (no connection, TLS
// handshake or reply headers in time) is retried once at most, and TLS or
// certificate failures are not retried. A JSON call's tries and waits all
// fit in its one deadline (WithTimeout): a wait that would outlast it is
// not started, and the error that asked for it is returned.
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
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		// A redirect that was not followed: an upload's body cannot be
		// sent twice, or the caller's CheckRedirect stopped it.
		return &Error{
			StatusCode: resp.StatusCode,
			Method:     req.method,
			URL:        redactURL(resp.Request.URL.String()),
			Message:    "redirect to " + redactURL(resp.Header.Get("Location")) + " not followed",
			Err:        ErrRedirectRefused,
		}
	}
	return c.decodeInto(resp, req, out)
}

// decodeInto stores a reply body in out: nothing when out is nil, the bytes
// themselves for *[]byte, the text for *string, and JSON otherwise. It
// reads at most the client's reply cap.
func (c *Client) decodeInto(resp *http.Response, req *request, out any) error {
	if out == nil {
		return nil
	}
	if resp.ContentLength > c.maxReply {
		return c.tooLarge(req, resp)
	}
	body := &cappedReader{r: resp.Body, left: c.maxReply}
	switch v := out.(type) {
	case *[]byte:
		b, err := io.ReadAll(body)
		if err != nil {
			return c.readError(req, resp, err)
		}
		*v = b
		return nil
	case *string:
		b, err := io.ReadAll(body)
		if err != nil {
			return c.readError(req, resp, err)
		}
		*v = string(b)
		return nil
	}
	if resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := json.UnmarshalRead(body, out, decodeOptions); err != nil {
		if errors.Is(err, errReplyTooLarge) || !isJSONError(err) {
			return c.readError(req, resp, err)
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
//
// A JSON call has one deadline, the client's timeout, for all its tries
// and for reading the reply (it ends with cancel). A try that timed out
// is retried once at most; TLS and certificate failures and refused
// redirects are never retried.
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

	callerCtx := ctx
	cancel := context.CancelFunc(func() {})
	if !req.transfer && c.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
	}
	fail := func(err error) (*http.Response, context.CancelFunc, error) {
		cancel()
		return nil, nil, err
	}

	authRetried := req.noAuthRetry
	retried500 := false
	stalls := 0
	for attempt := 1; ; attempt++ {
		access := ""
		if !req.anonymous && req.bearer == "" {
			var stale bool
			access, stale = c.tokens.current()
			if stale && !authRetried {
				if err := c.refresh(ctx, access); err != nil {
					return fail(err)
				}
				authRetried = true
				access, _ = c.tokens.current()
			}
		}

		hreq, err := c.newHTTPRequest(ctx, req, target, payload, access)
		if err != nil {
			return fail(err)
		}
		start := time.Now()
		resp, err := c.hc.Do(hreq)
		if err != nil {
			if ctx.Err() != nil {
				return fail(c.deadlineError(callerCtx, ctx, req, target))
			}
			var rerr *redirectError
			if errors.As(err, &rerr) {
				return fail(&Error{StatusCode: rerr.status, Method: req.method, URL: redactURL(target), Message: rerr.Error(), Err: ErrRedirectRefused})
			}
			terr := c.transportError(req, target, err)
			if isTimeout(err) {
				stalls++
			}
			if req.retryable() && attempt < c.retry.MaxAttempts && stalls < 2 && !isPermanent(err) {
				if werr := c.wait(ctx, req, target, attempt, 0, terr); werr != nil {
					return fail(werr)
				}
				continue
			}
			return fail(terr)
		}
		c.logger.Debug("kitsu: request", "method", req.method, "url", redactURL(target),
			"status", resp.StatusCode, "duration", time.Since(start))
		if resp.StatusCode < 400 {
			return resp, cancel, nil
		}

		kerr := c.errorFromReply(req, target, resp)
		if !authRetried && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusUnprocessableEntity) &&
			kerr.Message == expiredMessage && !req.anonymous && req.bearer == "" {
			authRetried = true
			if rerr := c.refresh(ctx, access); rerr != nil {
				return fail(fmt.Errorf("%w (%w)", kerr, rerr))
			}
			attempt-- // the replay after a refresh is not a retry
			continue
		}
		switch resp.StatusCode {
		case http.StatusInternalServerError:
			if req.retryOn500 && !retried500 {
				retried500 = true
				if werr := c.wait(ctx, req, target, attempt, 0, kerr); werr != nil {
					return fail(werr)
				}
				continue
			}
		case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			if req.retryable() && attempt < c.retry.MaxAttempts {
				if werr := c.wait(ctx, req, target, attempt, retryAfter(resp), kerr); werr != nil {
					return fail(werr)
				}
				continue
			}
		}
		return fail(kerr)
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

// wait sleeps before a retry, or returns the context's error. When the
// call's deadline would pass before the wait ends, it returns last, the
// error that made the retry needed, at once.
func (c *Client) wait(ctx context.Context, req *request, target string, attempt int, retryAfter time.Duration, last *Error) error {
	d := c.retry.delay(attempt, retryAfter)
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= d {
		if last.StatusCode == 0 && last.Message == "" {
			last.Message = "no time left before the call's deadline to try again"
		}
		return last
	}
	c.logger.Info("kitsu: retrying", "method", req.method, "url", redactURL(target),
		"attempt", attempt+1, "of", c.retry.MaxAttempts, "after", d, "because", last.Error())
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
	// net/http names the URL in its errors as it was sent: redact it as
	// well, so that no secret query value reaches an error message.
	var uerr *url.Error
	if errors.As(err, &uerr) {
		uerr.URL = redactURL(uerr.URL)
	}
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

// errReplyTooLarge is returned by a cappedReader past its limit.
var errReplyTooLarge = errors.New("reply larger than the client's limit")

// cappedReader reads at most left bytes of r, and fails with
// errReplyTooLarge as soon as r holds more.
type cappedReader struct {
	r    io.Reader
	left int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, errReplyTooLarge
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1] // one byte more than allowed shows a reply too large
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, errReplyTooLarge
	}
	return n, err
}

// tooLarge is the error for a reply larger than the client's cap.
func (c *Client) tooLarge(req *request, resp *http.Response) *Error {
	size := "the reply"
	if resp.ContentLength > 0 {
		size = fmt.Sprintf("the reply of %d bytes", resp.ContentLength)
	}
	return &Error{
		StatusCode: resp.StatusCode,
		Method:     req.method,
		URL:        redactURL(resp.Request.URL.String()),
		Message:    fmt.Sprintf("%s is larger than the client's limit of %s (WithMaxReplySize)", size, byteSize(c.maxReply)),
		Err:        ErrReplyTooLarge,
	}
}

// readError is the error for a reply body that could not be read whole.
func (c *Client) readError(req *request, resp *http.Response, err error) *Error {
	if errors.Is(err, errReplyTooLarge) {
		return c.tooLarge(req, resp)
	}
	return c.transportError(req, resp.Request.URL.String(), err)
}

func byteSize(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d %s", n/u.size, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// deadlineError is the error for a call whose context ended: it says so
// when the client's own timeout ended it rather than the caller.
func (c *Client) deadlineError(callerCtx, ctx context.Context, req *request, target string) *Error {
	e := c.transportError(req, target, ctx.Err())
	if callerCtx.Err() == nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		e.Message = fmt.Sprintf("no reply within the client's timeout of %s (WithTimeout), tries included", c.timeout)
	}
	return e
}

// isTimeout tells a try that stalled: no connection, TLS handshake or
// response headers in time.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// isPermanent tells connection errors that another try would only
// repeat: TLS and certificate failures, and an https URL answered in
// plain http.
func isPermanent(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		op       *net.OpError
	)
	switch {
	case errors.As(err, &verify), errors.As(err, &unknown), errors.As(err, &hostname),
		errors.As(err, &invalid), errors.As(err, &record), errors.As(err, &alert),
		errors.Is(err, http.ErrSchemeMismatch):
		return true
	case errors.As(err, &op):
		// crypto/tls reports the alerts it sends and receives so.
		return op.Op == "local error" || op.Op == "remote error"
	}
	return false
}

// redirectError is returned by the client's CheckRedirect for a redirect
// it will not follow.
type redirectError struct {
	status int
	to     string
	why    string
}

func (e *redirectError) Error() string {
	return "redirect to " + e.to + " refused: " + e.why
}

// guardRedirects returns a copy of hc whose CheckRedirect applies the
// client's redirect rules, then hc's own CheckRedirect (or the default
// limit of 10 redirects). hc is not changed.
func (c *Client) guardRedirects(hc *http.Client) *http.Client {
	guarded := *hc
	next := hc.CheckRedirect
	guarded.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if err := c.checkRedirect(req, via); err != nil {
			return err
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &guarded
}

// checkRedirect keeps credentials within the API host's origin: a hop
// from https to http is refused; a hop that leaves the origin (or follows
// one that did) goes without Authorization, cookies and proxy
// credentials, and is refused when it would carry the request body or
// when the request is to the auth routes (whose reply gives tokens).
func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	to := redactURL(req.URL.String())
	if !strings.EqualFold(req.URL.Scheme, "https") {
		for _, r := range via {
			if strings.EqualFold(r.URL.Scheme, "https") {
				return &redirectError{status: status, to: to, why: "it leaves https for plain http, where the request could be read"}
			}
		}
	}
	api, err := url.Parse(c.GetHost())
	if err != nil {
		return &redirectError{status: status, to: to, why: "the API host does not parse"}
	}
	trusted := origin(req.URL) == origin(api)
	for _, r := range via {
		trusted = trusted && origin(r.URL) == origin(api)
	}
	if trusted {
		return nil
	}
	if strings.HasPrefix(via[0].URL.Path, strings.TrimRight(api.Path, "/")+"/auth/") {
		return &redirectError{status: status, to: to, why: "a login or token refresh is answered by the API host " + origin(api) + " only"}
	}
	if req.GetBody != nil || (req.Body != nil && req.Body != http.NoBody) {
		return &redirectError{status: status, to: to, why: "it would send the request body to another origin than the API host " + origin(api)}
	}
	for _, h := range []string{"Authorization", "Cookie", "Proxy-Authorization"} {
		req.Header.Del(h)
	}
	return nil
}

// origin returns the scheme, host and port of u, lower-cased, with the
// scheme's default port written out.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// String describes the request without its token or body, either of
// which may be a secret (a refresh token, a login's password).
func (r *request) String() string {
	body := "none"
	if r.body != nil || r.rawBody != nil {
		body = "hidden"
	}
	return fmt.Sprintf("request{%s %s, bearer: %s, body: %s}", r.method, redactURL(r.path+r.absURL), setOrNot(r.bearer), body)
}

// Format hides the token and body from every fmt verb.
func (r *request) Format(f fmt.State, verb rune) {
	formatSafe(f, verb, r.String(), "&kitsu."+r.String())
}
