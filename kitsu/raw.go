package kitsu

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// This file holds gazu's generic `client` module: raw calls on any route,
// for what the typed services do not cover.
//
// Where a method takes `out any`, the reply is stored there: decoded JSON
// for a pointer to a struct, map, slice or any; the bytes themselves for a
// *[]byte; the text for a *string (gazu's json_response=False); nothing
// when out is nil.

// RequestOptions are the optional parts of a raw call. The zero value sends
// no query parameters and never replays a POST.
type RequestOptions struct {
	// Params are sent as the query string.
	Params url.Values
	// Idempotent marks a POST as safe to send again after a connection
	// error or a 502/503/504. GET, PUT, DELETE and HEAD always are.
	Idempotent bool
}

func (o *RequestOptions) params() url.Values {
	if o == nil {
		return nil
	}
	return o.Params
}

func (o *RequestOptions) idempotent() bool { return o != nil && o.Idempotent }

// checkPath refuses API paths that are empty or absolute URLs, so that a
// token is never sent to another host by mistake.
func checkPath(path string) error {
	p := strings.TrimSpace(path)
	if strings.Trim(p, "/") == "" {
		return invalidArg("path", path, `an API path such as "data/projects"`)
	}
	if strings.Contains(p, "://") {
		return invalidArg("path", redactURL(path), "a path relative to the API host, not a full URL")
	}
	return nil
}

// Get sends GET {host}/{path} and stores the reply in out.
//
// It mirrors gazu.client.get (json_response=False: pass a *string).
func (c *Client) Get(ctx context.Context, path string, out any, opts *RequestOptions) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodGet, path: path, query: opts.params()}, out)
}

// Post sends body as JSON with POST {host}/{path} and stores the reply in
// out.
//
// It mirrors gazu.client.post.
func (c *Client) Post(ctx context.Context, path string, body, out any, opts *RequestOptions) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodPost, path: path, query: opts.params(), body: jsonBody(body), idempotent: opts.idempotent()}, out)
}

// Put sends body as JSON with PUT {host}/{path} and stores the reply in
// out.
//
// It mirrors gazu.client.put.
func (c *Client) Put(ctx context.Context, path string, body, out any, opts *RequestOptions) error {
	if err := checkPath(path); err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodPut, path: path, query: opts.params(), body: jsonBody(body)}, out)
}

// Delete sends DELETE {host}/{path} and returns the reply's text (empty
// for Zou's usual 204).
//
// It mirrors gazu.client.delete.
func (c *Client) Delete(ctx context.Context, path string, opts *RequestOptions) (string, error) {
	if err := checkPath(path); err != nil {
		return "", err
	}
	var text string
	err := c.do(ctx, &request{method: http.MethodDelete, path: path, query: opts.params()}, &text)
	return text, err
}

// jsonBody sends an empty object rather than null when no body is given,
// as Zou's routes expect a JSON object.
func jsonBody(body any) any {
	if body == nil {
		return map[string]any{}
	}
	return body
}

// Create creates a record of a model through Zou's generic routes and
// stores the created record in out.
//
// It calls POST /data/{model_name} and mirrors gazu.client.create.
func (c *Client) Create(ctx context.Context, modelName string, data, out any) error {
	if err := checkModel(modelName); err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodPost, path: "data/" + modelName, body: jsonBody(data)}, out)
}

// Update changes the fields given in data of one record and stores the
// updated record in out. Zou ignores unknown keys and never changes id,
// created_at and updated_at this way.
//
// It calls PUT /data/{model_name}/{model_id} and mirrors gazu.client.update.
func (c *Client) Update(ctx context.Context, modelName, modelID string, data, out any) error {
	if err := checkModel(modelName); err != nil {
		return err
	}
	if err := checkID("model id", modelID); err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodPut, path: "data/" + modelName + "/" + modelID, body: jsonBody(data)}, out)
}

// ImportData sends records (normally a list of them, as Kitsu exports
// them) to Zou's Kitsu import route for a model, and stores the imported
// records in out.
//
// It calls POST /import/kitsu/{model_name} and mirrors gazu.client.import_data.
func (c *Client) ImportData(ctx context.Context, modelName string, data, out any) error {
	if err := checkModel(modelName); err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodPost, path: "import/kitsu/" + modelName, body: jsonBody(data)}, out)
}

// FetchOptions are the optional parts of FetchAll and FetchEach. The zero
// value asks FetchAll for the whole list in one reply, as gazu does by
// default, and FetchEach for pages of Zou's default size, four at a time.
type FetchOptions struct {
	// Params are filters (column=value; a name is matched without regard
	// to case; a value "[a,b]" matches any of a list) and other query
	// parameters.
	Params url.Values
	// Paginated asks the list page by page, Limit records at a time.
	Paginated bool
	// Limit is the page size when paging (Zou's default, 100, when 0).
	// Some routes keep their own page size whatever is asked: pages are
	// then counted as the server answers them.
	Limit int
	// Prefetch is how many page requests may be in flight at once while
	// pages are read: Zou answers several at a time, so the next pages
	// are on their way while one is used. 0 means 4; 1 asks one page at
	// a time.
	Prefetch int
}

// defaultPrefetch is the number of pages asked at once when FetchOptions
// say nothing: as many as the dev server's Zou workers.
const defaultPrefetch = 4

// FetchAll stores in out (normally a pointer to a slice) the records of
// the list at GET {host}/data/{path}. With Paginated, it asks every page
// (Prefetch at a time) and concatenates them in the server's order.
//
// It mirrors gazu.client.fetch_all. To walk a large list without holding
// it all, use FetchEach.
func (c *Client) FetchAll(ctx context.Context, path string, out any, opts *FetchOptions) error {
	if err := checkPath(path); err != nil {
		return err
	}
	if opts == nil || !opts.Paginated {
		var params url.Values
		if opts != nil {
			params = opts.Params
		}
		return c.do(ctx, &request{method: http.MethodGet, path: dataPath(path), query: params}, out)
	}
	var all []jsontext.Value
	for rec, err := range FetchEach[jsontext.Value](ctx, c, path, opts) {
		if err != nil {
			return err
		}
		all = append(all, rec)
	}
	if all == nil {
		all = []jsontext.Value{}
	}
	// Records were kept raw, so they are decoded once, into out.
	b, err := json.Marshal(all)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out, decodeOptions)
}

// FetchEach walks the list at GET {host}/data/{path} page by page (page
// and limit query parameters) and yields each record decoded as T, in the
// server's order. It stops at the first error, which it yields.
//
// The first page says how many there are; the next ones are then asked
// Prefetch at a time and yielded in order, so at most Prefetch pages
// besides the one being yielded are in memory. Stopping the loop early
// cancels the requests still in flight and waits for them to end.
//
// Zou's generic routes (data/{model}) order pages by last update, newest
// first, then by creation and id: the order is total, so a list that does
// not change during the walk is yielded whole, each record once. They take
// no order parameter. A record updated during the walk moves to the first
// page, and may be missed or yielded twice; other routes may order by a
// column that is not unique, where equal values can straddle two pages.
//
// Paginated of opts is ignored: pages are always asked.
func FetchEach[T any](ctx context.Context, c *Client, path string, opts *FetchOptions) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := checkPath(path); err != nil {
			yield(zero, err)
			return
		}
		for p, err := range eachPage[T](ctx, c, dataPath(path), opts, nil, false) {
			if err != nil {
				yield(zero, err)
				return
			}
			for _, rec := range p.Data {
				if !yield(rec, nil) {
					return
				}
			}
		}
	}
}

// maxPagePrealloc bounds the room made for a page before it is read, in
// records, whatever page size the server claims.
const maxPagePrealloc = 10000

// page is one page of a paged Zou listing.
type page[T any] struct {
	Data    []T `json:"data"`
	Total   int `json:"total"`
	NbPages int `json:"nb_pages"`
	Limit   int `json:"limit"`
	Page    int `json:"page"`
}

// pageResult is a page asked ahead, or the error asking it.
type pageResult[T any] struct {
	page *page[T]
	err  error
}

// eachPage yields the pages of the paged listing at GET {host}/{path} in
// order. It asks page 1 first, then the following ones, opts.Prefetch at
// a time, reading how many there are from the replies. It stops at the
// first error (yielded) or at the first empty page. Every request it
// started has ended when it returns.
//
// Page n, asked once page 1 (or the probe below) told the total and page
// size, is decoded by appending to into(n, first), where first is page 1
// (without its records, after a probe), when into is given and returns a
// slice with room: a caller that knows the total can have each page land
// in place in one array. Otherwise each page gets its own slice.
//
// With probe (and a page size), a first request of one record (page=1,
// limit=1) tells how many there are; then pages 1 to opts.Prefetch are
// asked at once, each decoded in place: a large list loses no time on
// page 1 alone, for the price of one short request.
func eachPage[T any](ctx context.Context, c *Client, path string, opts *FetchOptions, into func(n int, first *page[T]) []T, probe bool) iter.Seq2[*page[T], error] {
	return func(yield func(*page[T], error) bool) {
		limit, prefetch := 0, defaultPrefetch
		params := url.Values{}
		if opts != nil {
			limit = opts.Limit
			if opts.Prefetch != 0 {
				prefetch = opts.Prefetch
			}
			for k, v := range opts.Params {
				params[k] = v
			}
		}
		if limit < 0 {
			yield(nil, invalidArg("limit", limit, "0 (the server's default) or more"))
			return
		}
		if prefetch < 0 {
			yield(nil, invalidArg("prefetch", prefetch, "0 (the default, 4) or more"))
			return
		}
		if limit > 0 {
			params.Set("limit", strconv.Itoa(limit))
		}

		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer func() {
			cancel()
			wg.Wait()
		}()
		get := func(n int, data []T) (*page[T], error) {
			query := maps.Clone(params)
			query.Set("page", strconv.Itoa(n))
			p := &page[T]{Data: data}
			if err := c.do(ctx, &request{method: http.MethodGet, path: path, query: query}, p); err != nil {
				return nil, err
			}
			return p, nil
		}

		// queue holds the pages asked, in page order.
		var queue []chan pageResult[T]
		var first *page[T]
		next, last := 1, 1
		if probe && limit > 0 {
			query := maps.Clone(params)
			query.Set("page", "1")
			query.Set("limit", "1")
			var head page[jsontext.Value]
			if err := c.do(ctx, &request{method: http.MethodGet, path: path, query: query}, &head); err != nil {
				yield(nil, err)
				return
			}
			if head.Total <= 0 {
				return
			}
			// Page 1 as it will come: the pages can all be placed.
			first = &page[T]{Total: head.Total, Limit: limit, NbPages: (head.Total + limit - 1) / limit}
			last = first.NbPages
		}
		fill := func() {
			for len(queue) < prefetch && next <= last {
				// The slice page n is decoded into: in place when into
				// gives room, else its own, of the server's page size.
				var data []T
				if first != nil && into != nil {
					data = into(next, first)
				}
				if cap(data) == 0 {
					size := limit // the page size asked, until page 1 says
					if first != nil {
						size = first.Limit
					}
					data = make([]T, 0, min(max(size, 0), maxPagePrealloc))
				}
				ch := make(chan pageResult[T], 1)
				queue = append(queue, ch)
				wg.Add(1)
				go func(n int, data []T) {
					defer wg.Done()
					p, err := get(n, data)
					ch <- pageResult[T]{p, err}
				}(next, data)
				next++
			}
		}
		fill()
		for len(queue) > 0 {
			r := <-queue[0]
			queue[0] = nil
			queue = queue[1:]
			if r.err != nil {
				yield(nil, r.err)
				return
			}
			p := r.page
			if first == nil {
				first = p
			}
			if len(p.Data) == 0 {
				return
			}
			last = max(last, p.NbPages)
			fill()
			if !yield(p, nil) {
				return
			}
		}
	}
}

// FetchFirst stores in out the first record of the list at
// GET {host}/data/{path}. An empty list gives an error matching
// ErrNotFound (gazu returns None).
//
// It mirrors gazu.client.fetch_first.
func (c *Client) FetchFirst(ctx context.Context, path string, out any, opts *RequestOptions) error {
	if err := checkPath(path); err != nil {
		return err
	}
	var list []jsontext.Value
	if err := c.do(ctx, &request{method: http.MethodGet, path: dataPath(path), query: opts.params()}, &list); err != nil {
		return err
	}
	if len(list) == 0 {
		return fmt.Errorf("%w: nothing at %s matches %s", ErrNotFound, dataPath(path), describeParams(opts.params()))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(list[0], out, decodeOptions)
}

func describeParams(p url.Values) string {
	if len(p) == 0 {
		return "(no filter)"
	}
	return p.Encode()
}

// FetchOne stores in out the record of a model with the given id.
//
// It calls GET /data/{model_name}/{id} and mirrors gazu.client.fetch_one.
// An unknown id matches ErrNotFound.
func (c *Client) FetchOne(ctx context.Context, modelName, id string, out any, opts *RequestOptions) error {
	if err := checkModel(modelName); err != nil {
		return err
	}
	if err := checkID(modelName+" id", id); err != nil {
		return err
	}
	return c.do(ctx, &request{method: http.MethodGet, path: "data/" + modelName + "/" + id, query: opts.params()}, out)
}

func dataPath(path string) string { return "data/" + strings.TrimLeft(path, "/") }

// checkModel accepts Zou model route names: lower case letters, digits,
// dashes and underscores.
func checkModel(name string) error {
	if name == "" {
		return invalidArg("model name", name, `a model route name such as "projects" or "task-types"`)
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return invalidArg("model name", name, `a model route name such as "projects" or "task-types"`)
		}
	}
	return nil
}

// checkID accepts a Zou id: a UUID in its usual text form.
func checkID(what, id string) error {
	if !isUUID(id) {
		return invalidArg(what, id, "a UUID such as 5f1ad35b-2f63-4b8e-a4b4-2b1f0cbb0d1e")
	}
	return nil
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}

// CheckStatus returns nil for a reply whose status is not an error, and
// otherwise the *Error matching its status (the sentinels say which),
// carrying the server's message. It reads and closes the body of an error
// reply.
//
// It mirrors gazu.client.check_status. Token refresh and retries, which
// gazu does there, happen inside every call of this client; CheckStatus is
// for replies to requests made outside it (with MakeAuthHeader).
func (c *Client) CheckStatus(resp *http.Response) error {
	if resp == nil {
		return invalidArg("response", "nil", "an *http.Response")
	}
	if resp.StatusCode < 400 {
		return nil
	}
	method, target := http.MethodGet, ""
	if resp.Request != nil {
		method = resp.Request.Method
		if resp.Request.URL != nil {
			target = resp.Request.URL.String()
		}
	}
	return c.errorFromReply(&request{method: method}, target, resp)
}

// GetAPIVersion returns the version of the Zou server, such as "1.0.97".
//
// It calls GET / (the API root) and mirrors gazu.client.get_api_version.
func (c *Client) GetAPIVersion(ctx context.Context) (string, error) {
	var reply struct {
		API     string `json:"api"`
		Version string `json:"version"`
	}
	if err := c.do(ctx, &request{method: http.MethodGet, path: "", anonymous: true}, &reply); err != nil {
		return "", err
	}
	if reply.Version == "" {
		return "", &Error{StatusCode: http.StatusOK, Method: http.MethodGet, URL: redactURL(c.GetHost() + "/"), Message: "the reply names no version: is this a Kitsu API?", Err: ErrServer}
	}
	return reply.Version, nil
}

// GetCurrentUser returns the person the client is logged in as.
//
// It calls GET /auth/authenticated and mirrors gazu.client.get_current_user.
func (c *Client) GetCurrentUser(ctx context.Context) (*Person, error) {
	var reply struct {
		User Person `json:"user"`
	}
	if err := c.do(ctx, &request{method: http.MethodGet, path: "auth/authenticated"}, &reply); err != nil {
		return nil, err
	}
	return &reply.User, nil
}

// HostIsUp reports whether the API host answers 200 to HEAD {host}, with
// no credentials and without following redirects. Any failure gives false.
//
// It mirrors gazu.client.host_is_up.
func (c *Client) HostIsUp(ctx context.Context) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, c.GetHost(), nil)
	if err != nil {
		return false
	}
	req.Header.Set("User-Agent", c.userAgent)
	hc := *c.hc
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if c.timeout > 0 && hc.Timeout == 0 {
		hc.Timeout = c.timeout
	}
	resp, err := hc.Do(req)
	if err != nil {
		return false
	}
	drainClose(resp.Body)
	return resp.StatusCode == http.StatusOK
}

// HostIsValid reports whether the host is up and is a Kitsu API: it sends
// a login with an empty email, which Kitsu refuses with 400 or 401.
//
// It calls HEAD {host} then POST /auth/login and mirrors
// gazu.client.host_is_valid.
func (c *Client) HostIsValid(ctx context.Context) bool {
	if !c.HostIsUp(ctx) {
		return false
	}
	err := c.do(ctx, &request{method: http.MethodPost, path: "auth/login", body: loginBody{}, anonymous: true, noAuthRetry: true}, nil)
	return err == nil || errors.Is(err, ErrParameter) || errors.Is(err, ErrNotAuthenticated)
}
