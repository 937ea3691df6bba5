package kitsu

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// Version is the version of this client, sent in the User-Agent header.
const Version = "0.1.0"

// DefaultUserAgent is sent with every request unless WithUserAgent says
// otherwise.
const DefaultUserAgent = "kpublish/" + Version + " (Go)"

// DefaultTimeout bounds a JSON call from its start to the end of its
// reply, every try and every wait between tries included. Uploads and
// downloads are bounded only by their context and, on each try, by the
// time the server takes to start answering.
const DefaultTimeout = 60 * time.Second

// DefaultMaxReplySize caps the body of a reply the client reads into
// memory (JSON, *[]byte, *string, GetFileDataFromURL) unless
// WithMaxReplySize says otherwise. Downloads to a file or writer have no
// cap.
const DefaultMaxReplySize int64 = 1 << 30

// Client talks to one Kitsu API server. It is safe for concurrent use: the
// host and tokens may be changed while requests are in flight.
//
// Printing a Client with fmt or log/slog shows its host and whether it
// holds tokens, never the tokens themselves.
//
// Build one with NewClient; the zero value is not usable. Each gazu module
// is a service hung on the client (Client.Asset, Client.Files...); gazu's
// generic `client` module is the methods of Client itself.
type Client struct {
	hc        *http.Client
	logger    *slog.Logger
	userAgent string
	timeout   time.Duration
	retry     RetryPolicy
	maxReply  int64 // cap on a reply body read into memory

	mu        sync.RWMutex
	host      string // normalised API URL, ending in /api
	eventHost string

	// A pointer, so that fmt's reflection, which prints unexported fields
	// without their String methods, shows an address and not the tokens.
	tokens *tokenStore

	common service // shared by every service below

	// One service per gazu module.
	Project  *ProjectService
	Asset    *AssetService
	Shot     *ShotService
	Entity   *EntityService
	Casting  *CastingService
	Person   *PersonService
	Playlist *PlaylistService
	Task     *TaskService
	User     *UserService
	Files    *FilesService
	Sync     *SyncService
}

// Option configures a Client built by NewClient.
type Option func(*clientConfig) error

type clientConfig struct {
	hc        *http.Client
	logger    *slog.Logger
	userAgent string
	timeout   time.Duration
	retry     RetryPolicy
	maxReply  int64
	rootCAs   *x509.CertPool
	insecure  bool
	tokens    Tokens
	eventHost string
}

// WithHTTPClient makes the client send its requests through hc. Its
// Transport is used as is: WithCACertFile and WithInsecureSkipVerify do not
// apply to it. hc.Timeout, if set, also bounds uploads and downloads.
//
// hc itself is not changed: the client uses a copy whose CheckRedirect
// first applies the client's redirect rules (see NewClient), then hc's own
// CheckRedirect if it has one.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *clientConfig) error {
		if hc == nil {
			return invalidArg("http client", "nil", "a non-nil *http.Client")
		}
		c.hc = hc
		return nil
	}
}

// WithTimeout sets one deadline for the whole of each JSON call
// (DefaultTimeout when not given): from its start to the end of its reply,
// every retry and every wait between tries included. It also bounds, per
// try, how long an upload or download waits for the server to start
// answering. Zero turns the bound off; the call's context still applies.
func WithTimeout(d time.Duration) Option {
	return func(c *clientConfig) error {
		if d < 0 {
			return invalidArg("timeout", d, "a duration of zero or more")
		}
		c.timeout = d
		return nil
	}
}

// WithRetryPolicy replaces the default retry policy (DefaultRetryPolicy).
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *clientConfig) error {
		if p.MaxAttempts < 1 {
			return invalidArg("retry attempts", p.MaxAttempts, "1 or more (1 means no retry)")
		}
		c.retry = p
		return nil
	}
}

// WithMaxReplySize caps, at n bytes, the body of a reply the client reads
// into memory: JSON replies, *[]byte and *string reads, upload replies and
// GetFileDataFromURL (DefaultMaxReplySize when not given). A larger reply
// is an error matching ErrReplyTooLarge, found before it fills memory.
// Error replies are read up to 64 KiB whatever n is; Download and
// DownloadTo stream to their destination and have no cap.
func WithMaxReplySize(n int64) Option {
	return func(c *clientConfig) error {
		if n <= 0 {
			return invalidArg("max reply size", n, "a number of bytes greater than 0")
		}
		c.maxReply = n
		return nil
	}
}

// WithUserAgent sets the User-Agent header sent with every request.
func WithUserAgent(ua string) Option {
	return func(c *clientConfig) error {
		c.userAgent = ua
		return nil
	}
}

// WithLogger makes the client log each request (method, URL without
// secrets, status, duration) at debug level, and retries and token refreshes
// at info level. Tokens and bodies are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *clientConfig) error {
		c.logger = l
		return nil
	}
}

// WithCACertFile adds the PEM certificates of file to the system's trusted
// roots, for a Kitsu behind a studio's own certificate authority.
func WithCACertFile(file string) Option {
	return func(c *clientConfig) error {
		pem, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("kitsu: CA certificate file: %w", err)
		}
		if c.rootCAs == nil {
			pool, err := x509.SystemCertPool()
			if err != nil || pool == nil {
				pool = x509.NewCertPool()
			}
			c.rootCAs = pool
		}
		if !c.rootCAs.AppendCertsFromPEM(pem) {
			return invalidArg("CA certificate file", file, "a file holding PEM certificates")
		}
		return nil
	}
}

// WithInsecureSkipVerify turns TLS certificate verification off. Use it only
// against a test server: anyone on the path can then read the tokens.
func WithInsecureSkipVerify() Option {
	return func(c *clientConfig) error {
		c.insecure = true
		return nil
	}
}

// WithTokens starts the client with tokens from an earlier login, or with a
// bot's API token as AccessToken and no RefreshToken.
func WithTokens(t Tokens) Option {
	return func(c *clientConfig) error {
		c.tokens = t
		return nil
	}
}

// WithEventHost sets the host of the event stream (GetEventHost); it
// defaults to the API host.
func WithEventHost(host string) Option {
	return func(c *clientConfig) error {
		c.eventHost = host
		return nil
	}
}

// NewClient returns a client of the Kitsu API at host, such as
// "https://kitsu.example.com" or "https://kitsu.example.com/api": the
// "/api" suffix is added when missing.
//
// The client follows redirects within the API host's origin (scheme, host
// and port) as usual. A redirect elsewhere is followed without the
// Authorization header; one that would send the request body elsewhere
// (a 307 or 308 of a POST or PUT), one of a login or token refresh, and
// any redirect from https to plain http are refused. Refused redirects
// match ErrRedirectRefused.
func NewClient(host string, opts ...Option) (*Client, error) {
	apiURL, err := normaliseHost(host)
	if err != nil {
		return nil, err
	}
	cfg := clientConfig{
		userAgent: DefaultUserAgent,
		timeout:   DefaultTimeout,
		retry:     DefaultRetryPolicy,
		maxReply:  DefaultMaxReplySize,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	c := &Client{
		logger:    cfg.logger,
		userAgent: cfg.userAgent,
		timeout:   cfg.timeout,
		retry:     cfg.retry,
		maxReply:  cfg.maxReply,
		host:      apiURL,
		eventHost: cfg.eventHost,
		tokens:    &tokenStore{},
	}
	hc := cfg.hc
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 16
		tr.ResponseHeaderTimeout = max(cfg.timeout, 0)
		if cfg.rootCAs != nil || cfg.insecure {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: cfg.rootCAs, InsecureSkipVerify: cfg.insecure} //nolint:gosec // opt-in
		}
		hc = &http.Client{Transport: tr}
	}
	c.hc = c.guardRedirects(hc)
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.eventHost == "" {
		c.eventHost = apiURL
	}
	c.tokens.set(cfg.tokens)
	c.initServices()
	return c, nil
}

// normaliseHost checks host and returns it with one "/api" at the end and
// no trailing slash.
func normaliseHost(host string) (string, error) {
	h := strings.TrimSpace(host)
	u, err := url.Parse(h)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", invalidArg("host", host, `an http or https URL such as "https://kitsu.example.com/api"`)
	}
	if u.User != nil {
		return "", invalidArg("host", redactURL(h), "a URL without user name or password (log in with LogIn)")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", invalidArg("host", redactURL(h), "a URL without query or fragment")
	}
	p := strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(p, "/api") {
		p += "/api"
	}
	u.Path = p
	u.RawPath = ""
	return u.String(), nil
}

// GetHost returns the API URL requests are sent to, ending in "/api".
//
// It mirrors gazu.client.get_host.
func (c *Client) GetHost() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.host
}

// SetHost points the client at another Kitsu and returns the normalised API
// URL. Tokens are kept; the event host is not changed (as in gazu).
//
// It mirrors gazu.client.set_host.
func (c *Client) SetHost(host string) (string, error) {
	apiURL, err := normaliseHost(host)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.host = apiURL
	c.mu.Unlock()
	return apiURL, nil
}

// GetEventHost returns the host of the Kitsu event stream (Socket.IO,
// namespace /events): the one set by SetEventHost or WithEventHost, else the
// API host given to NewClient.
//
// It mirrors gazu.client.get_event_host.
func (c *Client) GetEventHost() string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.eventHost
}

// SetEventHost sets the host of the event stream and returns it.
//
// It mirrors gazu.client.set_event_host.
func (c *Client) SetEventHost(host string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(host))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", invalidArg("event host", host, "an http or https URL")
	}
	h := strings.TrimRight(u.String(), "/")
	c.mu.Lock()
	c.eventHost = h
	c.mu.Unlock()
	return h, nil
}

// GetAPIURLFromHost returns the host without its "/api" suffix: the URL of
// the Kitsu web application, on which the Get*URL helpers build.
//
// It mirrors gazu.client.get_api_url_from_host.
func (c *Client) GetAPIURLFromHost() string {
	return strings.TrimSuffix(c.GetHost(), "/api")
}

// GetFullURL returns the absolute URL of an API path: the host and the path
// joined by one slash, leading and trailing slashes of the path dropped.
//
// It mirrors gazu.client.get_full_url.
func (c *Client) GetFullURL(path string) string {
	return c.GetHost() + "/" + strings.Trim(path, "/")
}

// MakeAuthHeader returns the headers sent with every request: the
// User-Agent and, when a token is set, the Authorization header. The result
// holds the access token: do not log it.
//
// It mirrors gazu.client.make_auth_header.
func (c *Client) MakeAuthHeader() http.Header {
	h := http.Header{}
	h.Set("User-Agent", c.userAgent)
	if t := c.tokens.get(); t.AccessToken != "" {
		h.Set("Authorization", "Bearer "+t.AccessToken)
	}
	return h
}

// BuildPathWithParams returns path with params appended as a query string,
// after "&" when path already has a "?", after "?" otherwise. Empty params
// leave path unchanged.
//
// It mirrors gazu.client.build_path_with_params; unlike gazu, values are
// sent as given (gazu sends Python's "True" and "None").
func (c *Client) BuildPathWithParams(path string, params url.Values) string {
	if len(params) == 0 {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + params.Encode()
}

// redactURL removes user info and the values of query parameters whose
// names suggest a secret, so that a URL can go into logs and errors.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		changed := false
		for k := range q {
			lk := strings.ToLower(k)
			for _, s := range []string{"token", "password", "secret", "key", "jwt", "auth"} {
				if strings.Contains(lk, s) {
					q[k] = []string{"REDACTED"}
					changed = true
					break
				}
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	return u.String()
}

// drainClose reads a little of what is left of body so the connection can
// be reused, then closes it.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 64<<10)
	_ = body.Close()
}

// String describes the client without its tokens: its host and whether
// each token is set.
func (c *Client) String() string {
	if c == nil || c.tokens == nil {
		return "kitsu.Client(unusable: not built by NewClient)"
	}
	return fmt.Sprintf("kitsu.Client{host: %s, %s}", redactURL(c.GetHost()), c.tokens.get())
}

// GoString hides the tokens from %#v.
func (c *Client) GoString() string { return "&" + c.String() }

// Format hides the tokens from every fmt verb.
func (c *Client) Format(f fmt.State, verb rune) { formatSafe(f, verb, c.String(), c.GoString()) }

// LogValue hides the tokens from log/slog: it logs the host, the event
// host and whether each token is set.
func (c *Client) LogValue() slog.Value {
	if c == nil || c.tokens == nil {
		return slog.StringValue(c.String())
	}
	t := c.tokens.get()
	return slog.GroupValue(
		slog.String("host", redactURL(c.GetHost())),
		slog.String("event_host", redactURL(c.GetEventHost())),
		slog.String("access_token", setOrNot(t.AccessToken)),
		slog.String("refresh_token", setOrNot(t.RefreshToken)),
	)
}

func (c clientConfig) String() string {
	return fmt.Sprintf("clientConfig{user agent: %q, timeout: %s, %s}", c.userAgent, c.timeout, c.tokens)
}

// Format hides the tokens given by WithTokens from every fmt verb.
func (c clientConfig) Format(f fmt.State, verb rune) {
	formatSafe(f, verb, c.String(), "kitsu."+c.String())
}

// LogValue hides the tokens given by WithTokens from log/slog.
func (c clientConfig) LogValue() slog.Value { return slog.StringValue(c.String()) }
