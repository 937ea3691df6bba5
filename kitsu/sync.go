package kitsu

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-json-experiment/json/jsontext"
)

// This file holds gazu's sync module: what a script needs to copy a
// production from one Kitsu to another (the event log, matching records
// across instances, importing entities with their ids).

// Event is one entry of Zou's event log: Name says what happened
// ("asset:new", "task:update", "preview-file:add-file"...), Data holds the
// ids involved.
type Event struct {
	Base
	Name      string         `json:"name,omitempty"`
	UserID    string         `json:"user_id,omitempty"`
	ProjectID string         `json:"project_id,omitempty"`
	Data      map[string]any `json:"data,omitempty"`
}

// UnmarshalJSONFrom decodes an event, keeping unnamed members in Extra.
func (m *Event) UnmarshalJSONFrom(d *jsontext.Decoder) error { return decodeModel(d, m) }

// Zou's limits on the event log route.
const (
	// syncDefaultEventLimit is gazu's default number of events.
	syncDefaultEventLimit = 20000
	// syncMaxEventsPerRequest is the most events Zou returns at once.
	syncMaxEventsPerRequest = 1000
)

// GetLastEventsOptions are the optional parts of GetLastEvents. The zero
// value (or nil) gives gazu's defaults: the last 20000 events of every
// project, of every kind.
type GetLastEventsOptions struct {
	// Limit is how many events to return at most; 0 means 20000, as gazu.
	Limit int
	// PerRequest is how many events each request asks for; 0 means 1000,
	// the most Zou gives at once (a larger value is lowered to it).
	PerRequest int
	// ProjectID keeps the events of that project only.
	ProjectID string
	// After and Before keep the events made strictly after or before a
	// time, written "2006-01-02" or "2006-01-02T15:04:05" in UTC, as Zou
	// stores them.
	After  string
	Before string
	// OnlyFiles keeps the events about files only: preview files added,
	// and avatars of persons, projects and the studio set.
	OnlyFiles bool
	// Name keeps the events with exactly that name ("asset:new").
	Name string
}

// syncEventTime reads an After or Before time in one of the two forms Zou
// accepts.
func syncEventTime(what, value string) (time.Time, error) {
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, value); err == nil {
			return t, nil
		}
	}
	return time.Time{}, invalidArg(what, value, `a date "2006-01-02" or a time "2006-01-02T15:04:05" (UTC)`)
}

// GetLastEvents returns the last events of Zou's event log that match
// opts, newest first, at most opts.Limit (20000 by default). Zou answers
// only managers and administrators (a manager sees the events of their
// projects only); anyone else gets an error matching ErrNotAllowed.
//
// It calls GET /data/events/last and mirrors gazu.sync.get_last_events,
// with these differences. Zou gives at most 1000 events per request
// (gazu asks for 20000 and silently gets 1000): this walks back through
// the log, each request asking for the events older than the last one
// received (cursor_event_id), until it has Limit events or the log ends.
// only_files is sent as "true", the only spelling Zou reads (gazu sends
// "True", which Zou ignores). After and Before are checked before any
// request is sent, and After must come before Before.
func (s *SyncService) GetLastEvents(ctx context.Context, opts *GetLastEventsOptions) ([]Event, error) {
	var o GetLastEventsOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit < 0 {
		return nil, invalidArg("limit", o.Limit, "0 (20000 events) or more")
	}
	if o.PerRequest < 0 {
		return nil, invalidArg("events per request", o.PerRequest, "0 (1000, Zou's most) or more")
	}
	limit := cmp.Or(o.Limit, syncDefaultEventLimit)
	per := min(cmp.Or(o.PerRequest, syncMaxEventsPerRequest), syncMaxEventsPerRequest)

	query := q("project_id", o.ProjectID, "name", o.Name)
	if o.ProjectID != "" {
		if err := checkID("project id", o.ProjectID); err != nil {
			return nil, err
		}
	}
	var after, before time.Time
	var err error
	if o.After != "" {
		if after, err = syncEventTime("after", o.After); err != nil {
			return nil, err
		}
		query.Set("after", o.After)
	}
	if o.Before != "" {
		if before, err = syncEventTime("before", o.Before); err != nil {
			return nil, err
		}
		query.Set("before", o.Before)
	}
	if o.After != "" && o.Before != "" && !after.Before(before) {
		return nil, invalidArg("after", o.After, "a time before "+o.Before+" (the before option)")
	}
	if o.OnlyFiles {
		query.Set("only_files", "true")
	}

	events := []Event{}
	for len(events) < limit {
		n := min(per, limit-len(events))
		query.Set("limit", strconv.Itoa(n))
		page, err := list[Event](ctx, (*service)(s), "data/events/last", query)
		if err != nil {
			return nil, err
		}
		events = append(events, page...)
		if len(page) < n {
			break
		}
		query.Set("cursor_event_id", page[len(page)-1].ID)
	}
	return events, nil
}

// ImportEntitiesOptions are the optional parts of ImportEntities. The zero
// value (or nil) imports as gazu does, with Zou emitting an event per
// entity.
type ImportEntitiesOptions struct {
	// Silent asks Zou not to emit an event per entity (faster for large
	// imports; connected web applications are not told). gazu cannot ask.
	Silent bool
}

// syncTypesNamedByZou are the entity kinds whose entity type Zou sets
// itself on import, from the entity's Type.
var syncTypesNamedByZou = []string{"Shot", "Sequence", "Episode", "Edit"}

// ImportEntities creates or updates entities (assets, shots, sequences...)
// keeping the ids and dates they are given, as when copying them from
// another Kitsu, and returns them as Zou stored them. An entity whose id
// exists is updated.
//
// Each entity needs an ID, a Name and a ProjectID. Type tells Zou its
// kind: for "Shot", "Sequence", "Episode" and "Edit", Zou sets EntityTypeID
// to its own entity type of that name (so ids copied from another Kitsu
// are fixed); for any other kind (assets) EntityTypeID is kept and is
// required. Zou treats an entity with no type as a Shot, overwriting its
// entity type: an empty Type is sent as "Entity" instead, which keeps
// EntityTypeID. A PreviewFileID unknown to Zou is dropped. Fields kept in
// Extra are not sent.
//
// It calls POST /import/kitsu/entities[?silent=true] and mirrors
// gazu.sync.import_entities. Zou imports only for administrators and
// silently skips every entity otherwise: when fewer entities come back
// than were sent, the ones imported are returned with an error matching
// ErrNotAllowed. An empty list sends nothing.
func (s *SyncService) ImportEntities(ctx context.Context, entities []Entity, opts *ImportEntitiesOptions) ([]Entity, error) {
	body := make([]Entity, len(entities))
	for i, e := range entities {
		at := fmt.Sprintf("entities[%d] ", i)
		if err := checkIDs(at+"id", e.ID, at+"project id", e.ProjectID); err != nil {
			return nil, err
		}
		if err := checkName(at+"name", e.Name); err != nil {
			return nil, err
		}
		if e.Type == "" {
			e.Type = "Entity"
		}
		if e.EntityTypeID != "" || !slices.Contains(syncTypesNamedByZou, e.Type) {
			if err := checkID(at+"entity type id", e.EntityTypeID); err != nil {
				return nil, err
			}
		}
		if e.ParentID != "" {
			if err := checkID(at+"parent id", e.ParentID); err != nil {
				return nil, err
			}
		}
		body[i] = e
	}
	if len(body) == 0 {
		return []Entity{}, nil
	}
	var query url.Values
	if opts != nil && opts.Silent {
		query = q("silent", "true")
	}
	var imported []Entity
	if err := s.c.do(ctx, &request{method: http.MethodPost, path: "import/kitsu/entities", query: query, body: body}, &imported); err != nil {
		return nil, err
	}
	if imported == nil {
		imported = []Entity{}
	}
	if len(imported) < len(body) {
		return imported, fmt.Errorf("%w: Zou imported %d of the %d entities sent (it imports for administrators only)", ErrNotAllowed, len(imported), len(body))
	}
	return imported, nil
}

// The pure helpers below read records by their JSON member names, as gazu
// reads its dicts: "id", "name", "entity_in_id"... A list may be a slice
// of any model of this package (Asset, TaskType...), of pointers to them,
// of other structs (members named by their json tags), or of
// map[string]any. For a model, a member it has no field for is looked up
// in its Extra. The members read must hold strings.

// GetIDMapByIDOptions are the optional parts of GetIDMapByID. The zero
// value (or nil) matches records by name, as gazu's field="name".
type GetIDMapByIDOptions struct {
	// Field is the JSON member that must be equal (ignoring case) for two
	// records to match; "name" when empty.
	Field string
}

// GetIDMapByID matches the records of two lists, typically the same kind
// of records read from two Kitsu instances, by a member compared without
// regard to case (the name by default), and returns a map from the id of
// each source record to the id of its match in target. Source records
// with no match are left out, and so are records whose member is empty.
// When several target records match, the last one wins, as in gazu.
//
// No request is sent. It mirrors gazu.sync.get_id_map_by_id. A list that
// is not a slice, or a record lacking the member or its id, is an error
// matching ErrInvalidArgument.
func (s *SyncService) GetIDMapByID(source, target any, opts *GetIDMapByIDOptions) (map[string]string, error) {
	field := "name"
	if opts != nil && opts.Field != "" {
		field = opts.Field
	}
	return syncIDMap(source, target, field, true)
}

// GetIDMapByName matches the records of two lists by name, compared
// without regard to case, and returns a map from the name of each source
// record (as written there) to the id of its match in target. Source
// records with no match, or no name, are left out; when several target
// records match, the last one wins, as in gazu.
//
// No request is sent. It mirrors gazu.sync.get_id_map_by_name; the lists
// are read as GetIDMapByID reads them.
func (s *SyncService) GetIDMapByName(source, target any) (map[string]string, error) {
	return syncIDMap(source, target, "name", false)
}

// syncIDMap maps source records to the ids of the target records whose
// field matches, keyed by source id (byID) or by the source's field.
func syncIDMap(source, target any, field string, byID bool) (map[string]string, error) {
	src, err := syncListOf("source", source)
	if err != nil {
		return nil, err
	}
	dst, err := syncListOf("target", target)
	if err != nil {
		return nil, err
	}
	targets := make(map[string]string, dst.len())
	for i := range dst.len() {
		key, err := dst.member(i, field)
		if err != nil {
			return nil, err
		}
		if key == "" {
			continue
		}
		id, err := dst.member(i, "id")
		if err != nil {
			return nil, err
		}
		targets[strings.ToLower(key)] = id
	}
	out := make(map[string]string)
	for i := range src.len() {
		key, err := src.member(i, field)
		if err != nil {
			return nil, err
		}
		targetID, ok := targets[strings.ToLower(key)]
		if key == "" || !ok {
			continue
		}
		if !byID {
			out[key] = targetID
			continue
		}
		id, err := src.member(i, "id")
		if err != nil {
			return nil, err
		}
		out[id] = targetID
	}
	return out, nil
}

// GetModelListDiffOptions are the optional parts of GetModelListDiff and
// ModelListDiff. The zero value (or nil) compares records by id, as
// gazu's id_field="id".
type GetModelListDiffOptions struct {
	// IDField is the JSON member that identifies a record; "id" when empty.
	IDField string
}

// GetModelListDiff compares two lists of records given as JSON objects (as
// Zou sends them, read with Client.FetchAll for instance) by their id,
// and returns the source records missing from target and the target
// records absent from source, each in its list's order. For lists of
// models, ModelListDiff does the same and keeps their type.
//
// No request is sent. It mirrors gazu.sync.get_model_list_diff. A record
// lacking the id member, or whose id is not a string, is an error
// matching ErrInvalidArgument.
func (s *SyncService) GetModelListDiff(source, target []map[string]any, opts *GetModelListDiffOptions) (missing, unexpected []map[string]any, err error) {
	return ModelListDiff(source, target, opts)
}

// ModelListDiff is GetModelListDiff for lists of any record type: models
// of this package (Asset, Task...), pointers to them, other structs or
// maps, read as GetIDMapByID reads them. It returns the source records
// whose id no target record has, and the target records whose id no
// source record has, each in its list's order; both are non-nil.
func ModelListDiff[T any](source, target []T, opts *GetModelListDiffOptions) (missing, unexpected []T, err error) {
	field := "id"
	if opts != nil && opts.IDField != "" {
		field = opts.IDField
	}
	keys := func(what string, items []T) ([]string, map[string]bool, error) {
		l, err := syncListOf(what, items)
		if err != nil {
			return nil, nil, err
		}
		list := make([]string, l.len())
		set := make(map[string]bool, l.len())
		for i := range list {
			if list[i], err = l.member(i, field); err != nil {
				return nil, nil, err
			}
			set[list[i]] = true
		}
		return list, set, nil
	}
	srcKeys, srcSet, err := keys("source", source)
	if err != nil {
		return nil, nil, err
	}
	dstKeys, dstSet, err := keys("target", target)
	if err != nil {
		return nil, nil, err
	}
	missing, unexpected = []T{}, []T{}
	for i, k := range srcKeys {
		if !dstSet[k] {
			missing = append(missing, source[i])
		}
	}
	for i, k := range dstKeys {
		if !srcSet[k] {
			unexpected = append(unexpected, target[i])
		}
	}
	return missing, unexpected, nil
}

// GetLinkListDiff compares two lists of casting links, identified by the
// entity they go in and the entity cast (EntityInID and EntityOutID), and
// returns the source links missing from target and the target links
// absent from source, each in its list's order; both are non-nil.
// Occurrences and labels are not compared.
//
// No request is sent. It mirrors gazu.sync.get_link_list_diff.
func (s *SyncService) GetLinkListDiff(source, target []EntityLink) (missing, unexpected []EntityLink) {
	key := func(l *EntityLink) string { return l.EntityInID + "-" + l.EntityOutID }
	inSource := make(map[string]bool, len(source))
	for i := range source {
		inSource[key(&source[i])] = true
	}
	inTarget := make(map[string]bool, len(target))
	for i := range target {
		inTarget[key(&target[i])] = true
	}
	missing, unexpected = []EntityLink{}, []EntityLink{}
	for i := range source {
		if !inTarget[key(&source[i])] {
			missing = append(missing, source[i])
		}
	}
	for i := range target {
		if !inSource[key(&target[i])] {
			unexpected = append(unexpected, target[i])
		}
	}
	return missing, unexpected
}

// syncList reads the records of a slice by JSON member name.
type syncList struct {
	what string
	v    reflect.Value
}

// syncListOf accepts a slice or an array (nil is an empty list).
func syncListOf(what string, items any) (syncList, error) {
	v := reflect.ValueOf(items)
	if !v.IsValid() {
		return syncList{what: what}, nil
	}
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Slice {
		v = v.Elem()
	}
	if v.Kind() != reflect.Slice && v.Kind() != reflect.Array {
		return syncList{}, invalidArg(what+" list", v.Type(), "a slice of records (models or map[string]any)")
	}
	return syncList{what: what, v: v}, nil
}

func (l syncList) len() int {
	if !l.v.IsValid() {
		return 0
	}
	return l.v.Len()
}

// member returns the string held by the record's member name.
func (l syncList) member(i int, name string) (string, error) {
	where := fmt.Sprintf("%s[%d]", l.what, i)
	missing := func() error {
		return invalidArg(where, name, fmt.Sprintf("a record with a %q member", name))
	}
	v := syncDeref(l.v.Index(i))
	var m reflect.Value
	switch {
	case !v.IsValid():
		return "", invalidArg(where, "nil", "a record")
	case v.Kind() == reflect.Map && v.Type().Key().Kind() == reflect.String:
		m = v.MapIndex(reflect.ValueOf(name).Convert(v.Type().Key()))
		if !m.IsValid() {
			return "", missing()
		}
	case v.Kind() == reflect.Struct:
		fields := infoOf(v.Type())
		if fi, ok := fields.fields[name]; ok {
			f, err := v.FieldByIndexErr(fi.index)
			if err != nil { // behind a nil embedded pointer
				return "", missing()
			}
			m = f
		} else if fields.extra != nil {
			extra, err := v.FieldByIndexErr(fields.extra)
			if err != nil || extra.IsNil() {
				return "", missing()
			}
			m = extra.MapIndex(reflect.ValueOf(name))
			if !m.IsValid() {
				return "", missing()
			}
		} else {
			return "", missing()
		}
	default:
		return "", invalidArg(where, v.Type(), "a record (a struct or a map with string keys)")
	}
	m = syncDeref(m)
	if !m.IsValid() {
		return "", invalidArg(where+"."+name, "null", "a string")
	}
	if m.Kind() != reflect.String {
		return "", invalidArg(where+"."+name, m.Type(), "a string")
	}
	return m.String(), nil
}

// syncDeref follows pointers and interfaces; it returns the zero Value for
// a nil one.
func syncDeref(v reflect.Value) reflect.Value {
	for v.IsValid() && (v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface) {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}
