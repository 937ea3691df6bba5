package kitsu

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Sentinel errors, usable with errors.Is. Every error the client returns for
// an HTTP reply is a *Error that matches the sentinel of its status; the
// other sentinels mark failures found on the client side.
var (
	// ErrParameter matches a 400 reply (gazu's ParameterException).
	ErrParameter = errors.New("kitsu: bad parameter")
	// ErrNotAuthenticated matches a 401 reply, or a call made with no token
	// (gazu's NotAuthenticatedException).
	ErrNotAuthenticated = errors.New("kitsu: not authenticated")
	// ErrNotAllowed matches a 403 reply (gazu's NotAllowedException).
	ErrNotAllowed = errors.New("kitsu: not allowed")
	// ErrNotFound matches a 404 reply (gazu's RouteNotFoundException) and
	// every lookup that finds nothing, such as FetchFirst on an empty list.
	ErrNotFound = errors.New("kitsu: not found")
	// ErrMethodNotAllowed matches a 405 reply (gazu's MethodNotAllowedException).
	ErrMethodNotAllowed = errors.New("kitsu: method not allowed")
	// ErrConflict matches a 409 reply.
	ErrConflict = errors.New("kitsu: conflict")
	// ErrTooBigFile matches a 413 reply (gazu's TooBigFileException).
	ErrTooBigFile = errors.New("kitsu: file too big for the server or its proxy")
	// ErrValidation matches a 422 reply (gazu's ValidationException).
	ErrValidation = errors.New("kitsu: validation failed")
	// ErrServer matches any 5xx reply (gazu's ServerErrorException).
	ErrServer = errors.New("kitsu: server error")
	// ErrAuthFailed is returned by LogIn when the server refuses the
	// credentials (gazu's AuthFailedException).
	ErrAuthFailed = errors.New("kitsu: authentication failed")
	// ErrUploadFailed matches an upload the server answered with an error
	// message (gazu's UploadFailedException).
	ErrUploadFailed = errors.New("kitsu: upload failed")
	// ErrDownloadFailed matches a download that did not complete: an error
	// status, a body cut short, or a file that could not be written
	// (gazu's DownloadFileException).
	ErrDownloadFailed = errors.New("kitsu: download failed")
	// ErrInvalidArgument is returned before any request is sent when an
	// argument is malformed (an empty or non-UUID id, an empty name...).
	ErrInvalidArgument = errors.New("kitsu: invalid argument")
	// ErrReplyTooLarge matches a reply whose body is larger than the
	// client reads into memory (DefaultMaxReplySize, WithMaxReplySize).
	ErrReplyTooLarge = errors.New("kitsu: reply too large")
	// ErrRedirectRefused matches a redirect the client did not follow: one
	// from https to plain http, one that would send the request body to
	// another origin than the API host's, or one of an upload, whose body
	// cannot be sent twice.
	ErrRedirectRefused = errors.New("kitsu: redirect refused")
)

// Error describes a failed call: an HTTP reply with an error status, or a
// request that never got a reply (StatusCode 0; Err says why).
//
// It never holds a token or a request body: URLs are stripped of
// credentials and of query values whose names look secret.
type Error struct {
	// StatusCode is the HTTP status, 0 when no reply was received.
	StatusCode int
	// Method and URL of the request.
	Method string
	URL    string
	// Message is the server's own explanation (the JSON "message" or
	// "error" field, plus field details), or the page title of an HTML
	// error page.
	Message string
	// Body is the start of the reply body, whitespace folded, for replies
	// that carried no JSON message.
	Body string
	// Err is the sentinel this error matches, or the transport error for
	// requests that got no reply.
	Err error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("kitsu: ")
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.URL)
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, ": %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	switch {
	case e.Message != "":
		b.WriteString(": ")
		b.WriteString(e.Message)
	case e.Body != "":
		b.WriteString(": ")
		b.WriteString(e.Body)
	}
	if e.StatusCode == http.StatusRequestEntityTooLarge {
		b.WriteString(" (the upload is larger than the server or its proxy accepts)")
	}
	if e.StatusCode == 0 && e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel or transport error.
func (e *Error) Unwrap() error { return e.Err }

// sentinelFor maps an HTTP status to the sentinel it matches, nil for
// statuses that are not errors.
func sentinelFor(status int) error {
	switch {
	case status == http.StatusBadRequest:
		return ErrParameter
	case status == http.StatusUnauthorized:
		return ErrNotAuthenticated
	case status == http.StatusForbidden:
		return ErrNotAllowed
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusMethodNotAllowed:
		return ErrMethodNotAllowed
	case status == http.StatusConflict:
		return ErrConflict
	case status == http.StatusRequestEntityTooLarge:
		return ErrTooBigFile
	case status == http.StatusUnprocessableEntity:
		return ErrValidation
	case status >= 500:
		return ErrServer
	case status >= 400:
		return ErrParameter
	}
	return nil
}

// invalidArg builds the error returned for a bad argument, naming it and
// saying what was expected.
func invalidArg(name string, value any, want string) error {
	return fmt.Errorf("%w: %s %q: want %s", ErrInvalidArgument, name, fmt.Sprint(value), want)
}

var (
	htmlTitle = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)
	htmlH1    = regexp.MustCompile(`(?is)<h1[^>]*>(.*?)</h1>`)
	htmlTag   = regexp.MustCompile(`(?s)<[^>]*>`)
)

// bodySnippet folds a reply body into one short line. HTML pages (proxies
// answer 413 or 502 with them) are reduced to their title or heading.
func bodySnippet(body []byte) string {
	s := string(body)
	if strings.Contains(strings.ToLower(s[:min(len(s), 512)]), "<html") ||
		strings.HasPrefix(strings.TrimSpace(s), "<") {
		for _, re := range []*regexp.Regexp{htmlTitle, htmlH1} {
			if m := re.FindStringSubmatch(s); m != nil {
				if t := foldSpace(htmlTag.ReplaceAllString(m[1], " ")); t != "" {
					return truncate(t, 200)
				}
			}
		}
		s = htmlTag.ReplaceAllString(s, " ")
	}
	return truncate(foldSpace(s), 300)
}

func foldSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	// Cut on a rune boundary.
	for n > 0 && !isRuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
