package kitsutree

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/kitsu"
)

// memo keeps the listings Resolve and its callers read (a project's
// assets or shots, the task types, an entity's tasks, the open
// projects, the softwares) for a while, so that a watcher reading
// thousands of paths of the same few entities asks Kitsu once per
// entity rather than once per path. It is off (ttl 0) unless
// SetListTTL turned it on.
type memo struct {
	mu      sync.Mutex
	ttl     time.Duration
	entries map[string]memoEntry
	// flight makes callers that miss the same key at once share one
	// request: a watcher's workers starting on files of one new task
	// would otherwise each read it.
	flight singleflight.Group
}

type memoEntry struct {
	at  time.Time
	val any
}

// SetListTTL keeps the listings read by Resolve, OpenProjects and
// Softwares for ttl (0, the default, reads them on every call). A path
// naming a record the kept listings lack (an entity or a task created
// since) reads them again once before it is reported as not found. Call
// it before the Source is used.
func (s *Source) SetListTTL(ttl time.Duration) {
	s.lists.mu.Lock()
	s.lists.ttl = max(ttl, 0)
	s.lists.mu.Unlock()
}

// forgetLists drops every kept listing.
func (s *Source) forgetLists() {
	s.lists.mu.Lock()
	s.lists.entries = nil
	s.lists.mu.Unlock()
}

func (s *Source) listsOn() bool {
	s.lists.mu.Lock()
	defer s.lists.mu.Unlock()
	return s.lists.ttl > 0
}

// remember returns the value kept under key when younger than the TTL,
// else the value of fetch (kept when the TTL is on).
func remember[T any](s *Source, key string, fetch func() (T, error)) (T, error) {
	m := &s.lists
	m.mu.Lock()
	ttl := m.ttl
	if ttl > 0 {
		if e, ok := m.entries[key]; ok && s.now().Sub(e.at) < ttl {
			m.mu.Unlock()
			return e.val.(T), nil
		}
	}
	m.mu.Unlock()
	if ttl <= 0 {
		return fetch()
	}
	mine := false
	got, err, _ := m.flight.Do(key, func() (any, error) { mine = true; return fetch() })
	if err != nil && !mine && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		// The caller whose request was shared gave up: its end is not
		// this caller's, which asks for itself.
		return fetch()
	}
	v, _ := got.(T)
	if err != nil {
		return v, err
	}
	m.mu.Lock()
	if m.entries == nil {
		m.entries = map[string]memoEntry{}
	}
	m.entries[key] = memoEntry{at: s.now(), val: v}
	m.mu.Unlock()
	return v, nil
}

// getList is Client.Get of a listing through the memo.
func getList[T any](ctx context.Context, s *Source, route string, params url.Values) ([]T, error) {
	return remember(s, "get\x00"+route+"\x00"+params.Encode(), func() ([]T, error) {
		var list []T
		err := s.c.Get(ctx, route, &list, &kitsu.RequestOptions{Params: params})
		return list, err
	})
}

// fetchAll is Client.FetchAll of a model through the memo.
func fetchAll[T any](ctx context.Context, s *Source, model string, params url.Values) ([]T, error) {
	return remember(s, "all\x00"+model+"\x00"+params.Encode(), func() ([]T, error) {
		var list []T
		var opts *kitsu.FetchOptions
		if params != nil {
			opts = &kitsu.FetchOptions{Params: params}
		}
		err := s.c.FetchAll(ctx, model, &list, opts)
		return list, err
	})
}

// OpenProjects returns Kitsu's open projects (with their trees), kept
// for the list TTL (see SetListTTL).
func (s *Source) OpenProjects(ctx context.Context) ([]kitsu.Project, error) {
	return remember(s, "open-projects", func() ([]kitsu.Project, error) { return s.c.Project.AllOpenProjects(ctx) })
}

// Softwares returns every software, kept for the list TTL (see
// SetListTTL).
func (s *Source) Softwares(ctx context.Context) ([]kitsu.Software, error) {
	return remember(s, "softwares", func() ([]kitsu.Software, error) { return s.c.Files.AllSoftwares(ctx) })
}

// OutputTypes returns every output type, kept for the list TTL (see
// SetListTTL).
func (s *Source) OutputTypes(ctx context.Context) ([]kitsu.OutputType, error) {
	return remember(s, "output-types", func() ([]kitsu.OutputType, error) { return s.c.Files.AllOutputTypes(ctx) })
}

// entityByID is GetEntity through the memo.
func (s *Source) entityByID(ctx context.Context, id string) (*kitsu.Entity, error) {
	return remember(s, "entity\x00"+id, func() (*kitsu.Entity, error) { return s.c.Entity.GetEntity(ctx, id) })
}

// Resolve turns the values of a parsed path into Kitsu records, matching
// each record's name by its slug (the form paths show): the project, then
// the entity (an asset of its type, or a shot of its sequence, or a
// sequence, scene or episode), its task type and task. A value that
// matches nothing is an error matching kitsu.ErrNotFound; one that
// matches several is ErrAmbiguous. With a list TTL (SetListTTL), a value
// that matches nothing in the kept listings is looked up again in fresh
// ones before it is reported.
func (s *Source) Resolve(ctx context.Context, p *filetree.Parsed) (*Resolved, error) {
	r, err := s.resolve(ctx, p)
	if err != nil && errors.Is(err, kitsu.ErrNotFound) && s.listsOn() {
		s.forgetLists()
		r, err = s.resolve(ctx, p)
	}
	return r, err
}
