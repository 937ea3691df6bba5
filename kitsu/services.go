package kitsu

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// service is what every API area hung on the Client shares: the client
// that sends its requests.
type service struct {
	c *Client
}

// One service per gazu module; each is documented in its own file.
type (
	// ProjectService covers gazu's project module.
	ProjectService service
	// AssetService covers gazu's asset module.
	AssetService service
	// ShotService covers gazu's shot module.
	ShotService service
	// EntityService covers gazu's entity module.
	EntityService service
	// CastingService covers gazu's casting module.
	CastingService service
	// PersonService covers gazu's person module.
	PersonService service
	// PlaylistService covers gazu's playlist module.
	PlaylistService service
	// TaskService covers gazu's task module.
	TaskService service
	// UserService covers gazu's user module: what the logged-in user sees.
	UserService service
	// FilesService covers gazu's files module.
	FilesService service
	// SyncService covers gazu's sync module.
	SyncService service
)

// initServices hangs one service per gazu module on the client.
func (c *Client) initServices() {
	c.common.c = c
	c.Project = (*ProjectService)(&c.common)
	c.Asset = (*AssetService)(&c.common)
	c.Shot = (*ShotService)(&c.common)
	c.Entity = (*EntityService)(&c.common)
	c.Casting = (*CastingService)(&c.common)
	c.Person = (*PersonService)(&c.common)
	c.Playlist = (*PlaylistService)(&c.common)
	c.Task = (*TaskService)(&c.common)
	c.User = (*UserService)(&c.common)
	c.Files = (*FilesService)(&c.common)
	c.Sync = (*SyncService)(&c.common)
}

// pathOf joins path segments with "/", escaping each so that an id or a
// name can never change the route.
func pathOf(segments ...string) string {
	esc := make([]string, len(segments))
	for i, s := range segments {
		if strings.Contains(s, "/") && i == 0 {
			esc[i] = s // a route prefix such as "data/projects"
			continue
		}
		esc[i] = url.PathEscape(s)
	}
	return strings.Join(esc, "/")
}

// checkIDs checks name/value pairs of ids: checkIDs("project id", p,
// "asset id", a).
func checkIDs(pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := checkID(pairs[i], pairs[i+1]); err != nil {
			return err
		}
	}
	return nil
}

// checkName refuses an empty or blank name.
func checkName(what, name string) error {
	if strings.TrimSpace(name) == "" {
		return invalidArg(what, name, "a non-empty name")
	}
	return nil
}

func (s *service) get(ctx context.Context, path string, query url.Values, out any) error {
	return s.c.do(ctx, &request{method: http.MethodGet, path: path, query: query}, out)
}

func (s *service) post(ctx context.Context, path string, body, out any) error {
	return s.c.do(ctx, &request{method: http.MethodPost, path: path, body: jsonBody(body)}, out)
}

func (s *service) put(ctx context.Context, path string, body, out any) error {
	return s.c.do(ctx, &request{method: http.MethodPut, path: path, body: jsonBody(body)}, out)
}

func (s *service) delete(ctx context.Context, path string, query url.Values) error {
	return s.c.do(ctx, &request{method: http.MethodDelete, path: path, query: query}, nil)
}

// first asks a list route and returns its first element, or an error
// matching ErrNotFound that says what was looked for.
func first[T any](ctx context.Context, s *service, path string, query url.Values, what string) (*T, error) {
	var list []T
	if err := s.get(ctx, path, query, &list); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	return &list[0], nil
}

// list asks a list route and decodes it once, streaming, into a slice.
func list[T any](ctx context.Context, s *service, path string, query url.Values) ([]T, error) {
	var out []T
	if err := s.get(ctx, path, query, &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = []T{}
	}
	return out, nil
}

// one asks a route that returns one record.
func one[T any](ctx context.Context, s *service, path string, query url.Values) (*T, error) {
	var out T
	if err := s.get(ctx, path, query, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// sortByName sorts records by name without regard to case, as gazu does;
// records with the same name keep their order.
func sortByName[T any](items []T, name func(*T) string) {
	slices.SortStableFunc(items, func(a, b T) int {
		return cmp.Compare(strings.ToLower(name(&a)), strings.ToLower(name(&b)))
	})
}

// mergeData returns old with the keys of update laid over it (a shallow
// merge, as gazu's update_*_data do).
func mergeData(old, update map[string]any) map[string]any {
	out := make(map[string]any, len(old)+len(update))
	maps.Copy(out, old)
	maps.Copy(out, update)
	return out
}

// q builds query parameters from key/value pairs, skipping empty values.
func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			v.Set(kv[i], kv[i+1])
		}
	}
	return v
}

// webURL builds a URL of the Kitsu web application from path segments.
func (c *Client) webURL(segments ...string) string {
	return c.GetAPIURLFromHost() + "/" + pathOf(segments...)
}

// firstWithName asks a list route for the records named name and returns
// one of them, or an error matching ErrNotFound that says what was looked
// for. Zou matches the name filter with SQL ILIKE, where "_" and "%" are
// wildcards and case is ignored: the wildcards are escaped so that only
// the name itself matches, and among the matches a record with exactly
// that name wins over one that differs only by case.
func firstWithName[T any](ctx context.Context, s *service, path string, query url.Values, name string, nameOf func(*T) string, what string) (*T, error) {
	if query == nil {
		query = url.Values{}
	}
	query.Set("name", strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(name))
	items, err := list[T](ctx, s, path, query)
	if err != nil {
		return nil, err
	}
	if found := namedIn(items, name, nameOf); found != nil {
		return found, nil
	}
	return nil, fmt.Errorf("%w: %s", ErrNotFound, what)
}

// namedIn returns the item named exactly name, else one whose name
// differs only by case, else nil.
func namedIn[T any](items []T, name string, nameOf func(*T) string) *T {
	for i := range items {
		if nameOf(&items[i]) == name {
			return &items[i]
		}
	}
	for i := range items {
		if strings.EqualFold(nameOf(&items[i]), name) {
			return &items[i]
		}
	}
	return nil
}

// groupedList asks a route that answers an object of lists (an id mapped
// to the records grouped under it) and decodes it once. The map is never
// nil.
func groupedList[T any](ctx context.Context, s *service, path string) (map[string][]T, error) {
	var out map[string][]T
	if err := s.get(ctx, path, nil, &out); err != nil {
		return nil, err
	}
	if out == nil {
		out = map[string][]T{}
	}
	return out, nil
}

// idList sends a list of ids as a JSON array, never null.
func idList(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// updateEntity sends the fields changes sets to PUT /data/entities/{id}
// and decodes the saved entity into out; kind names the entity in errors
// ("shot" checks the "shot id" and names the "shot changes").
func updateEntity(ctx context.Context, s *service, kind, id string, changes EntityChanges, out any) error {
	if err := checkID(kind+" id", id); err != nil {
		return err
	}
	body, err := changes.body(kind + " changes")
	if err != nil {
		return err
	}
	return s.put(ctx, pathOf("data/entities", id), body, out)
}
