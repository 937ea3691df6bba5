package kitsutree

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/kitsu"
)

// Source reads from Kitsu what render contexts need, in as few requests as
// it can: a task's context comes from one GET /data/tasks/{id}/full, which
// holds the task with its entity, entity type, sequence, episode, task
// type and project (file tree included). The records many paths share
// (projects and their trees, entity types, task types, departments,
// softwares, output types) are kept for the life of the Source. It is safe
// for concurrent use.
//
// A Source made by NewCachedSource also keeps records on disk, shared by
// every process of the user; see CacheOptions for what is fresh.
type Source struct {
	c    *kitsu.Client
	host string

	disk   atomic.Pointer[Cache] // nil: no disk cache, or refused
	ttl    time.Duration
	refAge time.Duration
	warn   func(string)
	warned atomic.Bool
	now    func() time.Time

	lists memo // listings kept for a while (SetListTTL)

	mu          sync.Mutex
	projects    map[string]*project
	trees       map[string]*filetree.Tree // by project id and tree
	entityTypes map[string]*record
	taskTypes   map[string]*record
	departments map[string]*record
	softwares   map[string]*record
	outputTypes map[string]*record
}

// record is the part of a Kitsu record a context needs; it is what the
// disk cache holds.
type record struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	ShortName    string `json:"short_name,omitempty"`
	ParentID     string `json:"parent_id,omitempty"`
	EntityTypeID string `json:"entity_type_id,omitempty"`
	ProjectID    string `json:"project_id,omitempty"`
	DepartmentID string `json:"department_id,omitempty"`
	// FileExtension is a software's main extension (".blend").
	FileExtension string `json:"file_extension,omitempty"`
	UpdatedAt     string `json:"updated_at,omitempty"`
}

// project is a project with its file tree, as Kitsu sends it.
type project struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	UpdatedAt string          `json:"updated_at,omitempty"`
	FileTree  json.RawMessage `json:"file_tree,omitempty"`
}

// fullTask is the reply of GET /data/tasks/{id}/full: Zou adds the
// sequence of a shot, scene or sequence (the sequence itself), and its
// episode, when they have one.
type fullTask struct {
	ID         string  `json:"id"`
	Name       string  `json:"name"`
	Entity     record  `json:"entity"`
	EntityType record  `json:"entity_type"`
	Project    project `json:"project"`
	TaskType   record  `json:"task_type"`
	Sequence   *record `json:"sequence,omitempty"`
	Episode    *record `json:"episode,omitempty"`
}

// NewSource returns a Source reading through c, with no disk cache.
func NewSource(c *kitsu.Client) *Source {
	return &Source{
		c:           c,
		host:        c.GetHost(),
		now:         time.Now,
		refAge:      DefaultReferenceAge,
		projects:    map[string]*project{},
		trees:       map[string]*filetree.Tree{},
		entityTypes: map[string]*record{},
		taskTypes:   map[string]*record{},
		departments: map[string]*record{},
		softwares:   map[string]*record{},
		outputTypes: map[string]*record{},
	}
}

// DefaultReferenceAge is how long the disk cache trusts a studio-wide
// record (a software, an output type, a task type, a department, an entity
// type) without asking Kitsu again, unless CacheOptions.TTL is longer.
const DefaultReferenceAge = time.Hour

// CacheOptions set up the disk cache of a Source. The zero value is the
// cache in DefaultCacheDir, checked with Kitsu on every context.
//
// What is fresh:
//   - A task's context (the task, its entity, entity type, sequence,
//     episode, task type and the project with its file tree) is read with
//     one GET /data/tasks/{id}/full on every call: that request is the
//     freshness check, and costs what the plain task GET does. A tree, a
//     task or an entity changed in Kitsu shows on the next call.
//   - An entity's context (outputs by entity id) reads the entity, its
//     parents and its project on every call.
//   - Studio-wide records (softwares and output types by name or id, task
//     types, departments, entity types) are taken from the cache for
//     DefaultReferenceAge (an hour) or the TTL if longer, then read again:
//     a software renamed in Kitsu shows within the hour, at once with no
//     cache.
//   - With a TTL, everything written less than TTL ago is used with no
//     request at all: a tree or a name changed in Kitsu within the TTL is
//     not seen until it ends.
//   - The next revision (revision 0) and an asset instance are always
//     asked of Kitsu.
//
// Zou writes updated_at to the second, so the cache never takes an
// unchanged updated_at for an unchanged record: the tree that comes with
// the task is the one used.
type CacheOptions struct {
	// Dir is the cache folder; "" is DefaultCacheDir.
	Dir string
	// TTL is how long entries are used without asking Kitsu; 0 asks
	// every time (one request for a task's context).
	TTL time.Duration
	// Warn, if set, is told in one line why the cache is not used (a
	// folder or file not private to the user, see ErrUnsafeCache) or could
	// not be written, once per Source. The Source then goes on without it.
	Warn func(msg string)
}

// NewCachedSource returns a Source reading through c and keeping what it
// reads in the disk cache of opts (nil: the defaults). A cache that cannot
// be opened, or is refused, is left out: the Source reads everything from
// Kitsu and tells opts.Warn.
func NewCachedSource(c *kitsu.Client, opts *CacheOptions) *Source {
	s := NewSource(c)
	var o CacheOptions
	if opts != nil {
		o = *opts
	}
	s.ttl, s.warn = max(o.TTL, 0), o.Warn
	s.refAge = max(DefaultReferenceAge, s.ttl)
	disk, err := OpenCache(o.Dir)
	if err != nil {
		s.warnf("%v; going on without it", err)
		return s
	}
	s.disk.Store(disk)
	return s
}

func (s *Source) warnf(format string, a ...any) {
	if s.warn != nil && s.warned.CompareAndSwap(false, true) {
		s.warn(fmt.Sprintf(format, a...))
	}
}

// diskKey is the key of a record in the disk cache: the Kitsu host, the
// kind of record and its id (or name).
func (s *Source) diskKey(kind, id string) string { return s.host + "\x00" + kind + "\x00" + id }

// fromDisk decodes the disk entry of kind and id into v when it was
// written less than maxAge ago. A refused file turns the disk cache off.
func (s *Source) fromDisk(kind, id string, maxAge time.Duration, v any) bool {
	d := s.disk.Load()
	if d == nil || maxAge <= 0 {
		return false
	}
	written, ok, err := d.get(s.diskKey(kind, id), v)
	if err != nil {
		s.disk.Store(nil)
		s.warnf("%v; going on without the cache", err)
		return false
	}
	age := s.now().Sub(written)
	return ok && age >= 0 && age < maxAge
}

// toDisk writes v as the disk entry of kind and id.
func (s *Source) toDisk(kind, id string, v any) {
	d := s.disk.Load()
	if d == nil {
		return
	}
	if err := d.put(s.diskKey(kind, id), v, s.now()); err != nil {
		s.warnf("%v", err)
	}
}

// load returns a record: from memory when m holds it, else from the disk
// cache when written less than maxAge ago, else from fetch (then kept in
// both). A nil m keeps nothing in memory.
func load[T any](s *Source, m map[string]*T, kind, id string, maxAge time.Duration, fetch func() (*T, error)) (*T, error) {
	if m != nil {
		s.mu.Lock()
		v, ok := m[id]
		s.mu.Unlock()
		if ok {
			return v, nil
		}
	}
	v := new(T)
	if !s.fromDisk(kind, id, maxAge, v) {
		var err error
		if v, err = fetch(); err != nil {
			return nil, err
		}
		s.toDisk(kind, id, v)
	}
	if m != nil {
		s.mu.Lock()
		m[id] = v
		s.mu.Unlock()
	}
	return v, nil
}

// columnsOnly asks Zou's record routes for the record's own columns:
// by default they add its relations (a project's team, task types and
// statuses; an entity's links and casting), which no context reads and
// which cost Zou a third of the request.
var columnsOnly = &kitsu.RequestOptions{Params: url.Values{"relations": {"false"}}}

// fetchRecord reads one record of a model by id, its columns only.
func fetchRecord[T any](ctx context.Context, s *Source, model, id string) func() (*T, error) {
	return func() (*T, error) {
		v := new(T)
		if err := s.c.FetchOne(ctx, model, id, v, columnsOnly); err != nil {
			return nil, err
		}
		return v, nil
	}
}

func (s *Source) project(ctx context.Context, id string) (*project, error) {
	return load(s, s.projects, "project", id, s.ttl, fetchRecord[project](ctx, s, "projects", id))
}

// Tree returns the file tree of a project, read leniently as Zou uses it.
// The tree of a project whose context was just built is the one that came
// with it: no request is made.
func (s *Source) Tree(ctx context.Context, projectID string) (*filetree.Tree, error) {
	p, err := s.project(ctx, projectID)
	if err != nil {
		return nil, err
	}
	return s.treeOf(p)
}

// treeOf parses (once per project and tree) the tree of p. The memory is
// keyed by the tree itself, not by the project's updated_at: Zou writes
// that to the second, so two changes in one second would share it.
func (s *Source) treeOf(p *project) (*filetree.Tree, error) {
	sum := sha256.Sum256(p.FileTree)
	key := p.ID + "\x00" + string(sum[:])
	s.mu.Lock()
	t, ok := s.trees[key]
	s.mu.Unlock()
	if ok {
		return t, nil
	}
	var m map[string]any
	if len(p.FileTree) > 0 {
		if err := json.Unmarshal(p.FileTree, &m); err != nil {
			return nil, fmt.Errorf("project %q: file tree: %w", p.Name, err)
		}
	}
	t, err := filetree.FromMap(m)
	if err != nil {
		return nil, fmt.Errorf("project %q: %w", p.Name, err)
	}
	s.mu.Lock()
	s.trees[key] = t
	s.mu.Unlock()
	return t, nil
}

func (s *Source) entityType(ctx context.Context, id string) (*record, error) {
	return load(s, s.entityTypes, "entity-type", id, s.refAge, fetchRecord[record](ctx, s, "entity-types", id))
}

func (s *Source) taskType(ctx context.Context, id string) (*record, error) {
	return load(s, s.taskTypes, "task-type", id, s.refAge, fetchRecord[record](ctx, s, "task-types", id))
}

func (s *Source) department(ctx context.Context, id string) (*record, error) {
	return load(s, s.departments, "department", id, s.refAge, fetchRecord[record](ctx, s, "departments", id))
}

func (s *Source) software(ctx context.Context, id string) (*record, error) {
	return load(s, s.softwares, "software", id, s.refAge, fetchRecord[record](ctx, s, "softwares", id))
}

func (s *Source) outputType(ctx context.Context, id string) (*record, error) {
	return load(s, s.outputTypes, "output-type", id, s.refAge, fetchRecord[record](ctx, s, "output-types", id))
}

// entity reads an entity, fresh unless the TTL allows the disk cache.
func (s *Source) entity(ctx context.Context, id string) (*record, error) {
	return load(s, nil, "entity", id, s.ttl, fetchRecord[record](ctx, s, "entities", id))
}

// fullTask reads a task with its entity, project, task type, sequence and
// episode in one request, fresh unless the TTL allows the disk cache.
func (s *Source) fullTask(ctx context.Context, id string) (*fullTask, error) {
	if !LooksLikeID(id) {
		return nil, fmt.Errorf("%w: task id %q: want a UUID", kitsu.ErrInvalidArgument, id)
	}
	// With a list TTL (SetListTTL), the task read less than the TTL ago
	// is used again: a watcher registering the files of many names of
	// one task reads it once.
	ft, err := remember(s, "task-full\x00"+id, func() (*fullTask, error) {
		return load(s, nil, "task-full", id, s.ttl, func() (*fullTask, error) {
			var ft fullTask
			if err := s.c.Get(ctx, "data/tasks/"+id+"/full", &ft, nil); err != nil {
				return nil, err
			}
			return &ft, nil
		})
	})
	if err != nil {
		return nil, err
	}
	// What came with the task is the freshest copy: later lookups (the
	// tree, the task type) use it.
	s.mu.Lock()
	s.projects[ft.Project.ID] = &ft.Project
	if ft.EntityType.ID != "" {
		s.entityTypes[ft.EntityType.ID] = &ft.EntityType
	}
	s.taskTypes[ft.TaskType.ID] = &ft.TaskType
	s.mu.Unlock()
	return ft, nil
}

// KindOf maps an entity type name to the template kind Zou uses for it:
// Shot, Sequence, Scene and Episode have their own; every other type
// (asset types, Edit, Concept...) uses the asset templates.
func KindOf(entityTypeName string) filetree.Kind {
	switch entityTypeName {
	case "Shot":
		return filetree.KindShot
	case "Sequence":
		return filetree.KindSequence
	case "Scene":
		return filetree.KindScene
	case "Episode":
		return filetree.KindEpisode
	}
	return filetree.KindAsset
}

func named(id, name, short string) filetree.Named {
	return filetree.Named{ID: id, Name: name, ShortName: short}
}

// fillEntity fills the entity part of a context: the project, the entity,
// its type and kind, and for a shot or scene its sequence and episode, for
// a sequence its episode.
func fillEntity(c *filetree.Context, p *project, e, et, seq, ep *record) {
	kind := KindOf(et.Name)
	c.Kind, c.EntityKind = kind, kind
	c.Project = named(p.ID, p.Name, "")
	c.Entity = named(e.ID, e.Name, "")
	c.EntityType = named(et.ID, et.Name, et.ShortName)
	switch kind {
	case filetree.KindShot, filetree.KindScene:
		if seq != nil {
			c.Sequence = named(seq.ID, seq.Name, "")
		}
		if ep != nil {
			c.Episode = named(ep.ID, ep.Name, "")
		}
	case filetree.KindSequence:
		if ep != nil {
			c.Episode = named(ep.ID, ep.Name, "")
		}
	}
}

// entityContext fills the entity part of a context from the entity's
// records: the entity, its type, its project, and its parents.
func (s *Source) entityContext(ctx context.Context, entityID string, c *filetree.Context) (*record, *project, error) {
	e, err := s.entity(ctx, entityID)
	if err != nil {
		return nil, nil, err
	}
	et, err := s.entityType(ctx, e.EntityTypeID)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.project(ctx, e.ProjectID)
	if err != nil {
		return nil, nil, err
	}
	var seq, ep *record
	switch KindOf(et.Name) {
	case filetree.KindShot, filetree.KindScene:
		if e.ParentID != "" {
			if seq, err = s.entity(ctx, e.ParentID); err != nil {
				return nil, nil, err
			}
			if seq.ParentID != "" {
				if ep, err = s.entity(ctx, seq.ParentID); err != nil {
					return nil, nil, err
				}
			}
		}
	case filetree.KindSequence:
		if e.ParentID != "" {
			if ep, err = s.entity(ctx, e.ParentID); err != nil {
				return nil, nil, err
			}
		}
	}
	fillEntity(c, p, e, et, seq, ep)
	return e, p, nil
}

// showsDepartment reports whether a tree shows <Department> anywhere. A
// nil tree (one that did not load) counts as showing it.
func showsDepartment(t *filetree.Tree) bool {
	if t == nil {
		return true
	}
	for _, m := range t.Modes {
		for _, sec := range []filetree.Section{m.FolderPath, m.FileName} {
			for _, tpl := range sec.Templates {
				if tpl != nil && strings.Contains(tpl.Text, "<"+string(filetree.TokDepartment)) {
					return true
				}
			}
		}
	}
	return false
}

// taskTypeContext fills the task type and its department. The department
// is read only when the tree the context is for shows it; otherwise the
// context holds its id alone.
func (s *Source) taskTypeContext(ctx context.Context, tt *record, tree *filetree.Tree, c *filetree.Context) error {
	c.TaskType = named(tt.ID, tt.Name, tt.ShortName)
	if tt.DepartmentID == "" {
		return nil
	}
	if !showsDepartment(tree) {
		c.Department = filetree.Named{ID: tt.DepartmentID}
		return nil
	}
	d, err := s.department(ctx, tt.DepartmentID)
	if err != nil {
		return err
	}
	c.Department = named(d.ID, d.Name, "")
	return nil
}

// treeFor returns the tree a context will be rendered with: the one the
// caller gives, else the project's (nil if it does not load: the caller
// then reads everything a tree could show).
func (s *Source) treeFor(given *filetree.Tree, p *project) *filetree.Tree {
	if given != nil {
		return given
	}
	t, _ := s.treeOf(p)
	return t
}

// WorkingOptions are the optional parts of a working-file context. The
// zero value gives Zou's defaults: software "3ds Max", name "main", and
// revision 0, the next revision of the task's working files of that name,
// asked from Kitsu as Zou's working-file-path route does.
type WorkingOptions struct {
	SoftwareID string
	// Software is the software by id or name, looked up (as SoftwareID
	// does) while the task is read, when SoftwareID is not set.
	Software string
	Name     string
	Revision int
	// Tree is the tree the context will be rendered with, if not the
	// project's own: the department is read only when that tree shows
	// <Department>.
	Tree *filetree.Tree
}

// WorkingContext builds the context of a task's working file from Kitsu:
// one GET /data/tasks/{id}/full, plus the software (one request the first
// time, see SoftwareID) and the task type's department when the tree
// shows it. Revision 0 adds the request for the last working files.
func (s *Source) WorkingContext(ctx context.Context, taskID string, opts *WorkingOptions) (*filetree.Context, error) {
	var o WorkingOptions
	if opts != nil {
		o = *opts
	}
	if o.Revision < 0 {
		return nil, fmt.Errorf("kitsutree: revision %d: want 1 or more, or 0 for the next one", o.Revision)
	}
	swID, key := o.SoftwareID, o.Software
	if swID != "" {
		key = ""
	}
	ft, sw, err := s.taskAnd(ctx, taskID, s.softwares, "softwares", key, "software")
	if err != nil {
		return nil, err
	}
	if sw != nil {
		swID = sw.ID
	}
	c := &filetree.Context{Name: o.Name, Revision: o.Revision}
	fillEntity(c, &ft.Project, &ft.Entity, &ft.EntityType, ft.Sequence, ft.Episode)
	if c.Revision == 0 {
		last, err := s.c.Files.GetLastWorkingFiles(ctx, ft.ID)
		if err != nil {
			return nil, err
		}
		c.Revision = last[cmp.Or(o.Name, "main")].Revision + 1
	}
	c.Task = named(ft.ID, ft.Name, "")
	if err := s.taskTypeContext(ctx, &ft.TaskType, s.treeFor(o.Tree, &ft.Project), c); err != nil {
		return nil, err
	}
	if swID != "" {
		sw, err := s.software(ctx, swID)
		if err != nil {
			return nil, err
		}
		c.Software = named(sw.ID, sw.Name, sw.ShortName)
	}
	return c, nil
}

// OutputOptions are the optional parts of an output-file context. The
// zero value gives Zou's defaults: name "main", no representation, and
// revision 0, the next revision of the outputs of that entity (or asset
// instance), output type, task type and name, asked from Kitsu. (Zou's
// output-file-path route would show revision 0 in the folder and the next
// one in the file name; the context holds the next one for both.)
type OutputOptions struct {
	Name           string
	Representation string
	Revision       int
	// Tree is the tree the context will be rendered with, if not the
	// project's own: the department is read only when that tree shows
	// <Department>.
	Tree *filetree.Tree
}

func (o *OutputOptions) check() (OutputOptions, error) {
	var v OutputOptions
	if o != nil {
		v = *o
	}
	if v.Revision < 0 {
		return v, fmt.Errorf("kitsutree: revision %d: want 1 or more, or 0 for the next one", v.Revision)
	}
	return v, nil
}

// TaskOutputContext builds the context of an output file of a task's
// entity, made by the task's type, of an output type given by id or name:
// one GET /data/tasks/{id}/full, and while it is read the output type
// (one request the first time, see OutputTypeID), then the department
// when the tree shows it. Revision 0 adds the request for the next
// revision.
func (s *Source) TaskOutputContext(ctx context.Context, taskID, outputType string, opts *OutputOptions) (*filetree.Context, error) {
	o, err := opts.check()
	if err != nil {
		return nil, err
	}
	if outputType == "" {
		return nil, fmt.Errorf("%w: output type: want a name or an id, got nothing", kitsu.ErrInvalidArgument)
	}
	ft, ot, err := s.taskAnd(ctx, taskID, s.outputTypes, "output-types", outputType, "output type")
	if err != nil {
		return nil, err
	}
	outputTypeID := ot.ID
	c := &filetree.Context{Name: o.Name, Representation: o.Representation, Revision: o.Revision}
	fillEntity(c, &ft.Project, &ft.Entity, &ft.EntityType, ft.Sequence, ft.Episode)
	if err := s.taskTypeContext(ctx, &ft.TaskType, s.treeFor(o.Tree, &ft.Project), c); err != nil {
		return nil, err
	}
	if err := s.outputTypeContext(ctx, outputTypeID, c); err != nil {
		return nil, err
	}
	if c.Revision == 0 {
		if c.Revision, err = s.c.Files.GetNextEntityOutputRevision(ctx, ft.Entity.ID, outputTypeID, ft.TaskType.ID, &kitsu.OutputRevisionOptions{Name: cmp.Or(c.Name, "main")}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// taskAnd reads a task (fullTask) and, at the same time, the record of
// model given by key (byKey), unless key is "".
func (s *Source) taskAnd(ctx context.Context, taskID string, m map[string]*record, model, key, what string) (*fullTask, *record, error) {
	type found struct {
		r   *record
		err error
	}
	byKey := make(chan found, 1)
	if key != "" {
		go func() {
			r, err := s.byKey(ctx, m, model, key, what)
			byKey <- found{r, err}
		}()
	} else {
		byKey <- found{}
	}
	ft, err := s.fullTask(ctx, taskID)
	k := <-byKey
	if err := errors.Join(err, k.err); err != nil {
		return nil, nil, err
	}
	return ft, k.r, nil
}

func (s *Source) outputTypeContext(ctx context.Context, outputTypeID string, c *filetree.Context) error {
	ot, err := s.outputType(ctx, outputTypeID)
	if err != nil {
		return err
	}
	c.OutputType = named(ot.ID, ot.Name, ot.ShortName)
	return nil
}

// OutputContext builds the context of an entity's output file of an
// output type, made by a task type. It reads the entity, its parents and
// its project; TaskOutputContext, from a task, needs one request.
func (s *Source) OutputContext(ctx context.Context, entityID, outputTypeID, taskTypeID string, opts *OutputOptions) (*filetree.Context, error) {
	c, err := s.outputContext(ctx, entityID, outputTypeID, taskTypeID, opts)
	if err != nil {
		return nil, err
	}
	if c.Revision == 0 {
		if c.Revision, err = s.c.Files.GetNextEntityOutputRevision(ctx, entityID, outputTypeID, taskTypeID, &kitsu.OutputRevisionOptions{Name: cmp.Or(c.Name, "main")}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// outputContext is OutputContext without the next revision.
func (s *Source) outputContext(ctx context.Context, entityID, outputTypeID, taskTypeID string, opts *OutputOptions) (*filetree.Context, error) {
	o, err := opts.check()
	if err != nil {
		return nil, err
	}
	c := &filetree.Context{Name: o.Name, Representation: o.Representation, Revision: o.Revision}
	_, p, err := s.entityContext(ctx, entityID, c)
	if err != nil {
		return nil, err
	}
	tt, err := s.taskType(ctx, taskTypeID)
	if err != nil {
		return nil, err
	}
	if err := s.taskTypeContext(ctx, tt, s.treeFor(o.Tree, p), c); err != nil {
		return nil, err
	}
	if err := s.outputTypeContext(ctx, outputTypeID, c); err != nil {
		return nil, err
	}
	return c, nil
}

// InstanceOutputContext builds the context of an asset instance's output
// file, in the entity the instance is in: a shot or a scene, or for an
// instance placed in an asset (Zou's instance_asset templates), that
// asset. An instance whose name is set empty in Kitsu gets
// Instance.EmptyName, which templates showing <Instance> refuse.
func (s *Source) InstanceOutputContext(ctx context.Context, assetInstanceID, temporalEntityID, outputTypeID, taskTypeID string, opts *OutputOptions) (*filetree.Context, error) {
	c, err := s.outputContext(ctx, temporalEntityID, outputTypeID, taskTypeID, opts)
	if err != nil {
		return nil, err
	}
	// The name is read as sent: null (the number is shown) and "" (Zou
	// shows nothing) differ.
	var inst struct {
		ID            string  `json:"id"`
		AssetID       string  `json:"asset_id"`
		Name          *string `json:"name"`
		Number        int     `json:"number"`
		TargetAssetID string  `json:"target_asset_id"`
	}
	if err := s.c.FetchOne(ctx, "asset-instances", assetInstanceID, &inst, nil); err != nil {
		return nil, err
	}
	if c.Revision == 0 {
		if c.Revision, err = s.c.Files.GetNextAssetInstanceOutputRevision(ctx, assetInstanceID, temporalEntityID, outputTypeID, taskTypeID, &kitsu.OutputRevisionOptions{Name: cmp.Or(c.Name, "main")}); err != nil {
			return nil, err
		}
	}
	asset, err := s.entity(ctx, inst.AssetID)
	if err != nil {
		return nil, err
	}
	at, err := s.entityType(ctx, asset.EntityTypeID)
	if err != nil {
		return nil, err
	}
	c.Kind = filetree.KindInstance
	if inst.TargetAssetID != "" {
		c.Kind = filetree.KindInstanceAsset
	}
	c.Asset = named(asset.ID, asset.Name, "")
	c.AssetType = named(at.ID, at.Name, at.ShortName)
	c.Instance = filetree.Instance{ID: inst.ID, Number: inst.Number}
	if inst.Name != nil {
		c.Instance.Name, c.Instance.EmptyName = *inst.Name, *inst.Name == ""
	}
	return c, nil
}

// Resolved is what a parsed path names in Kitsu. Fields the path does not
// name are nil.
type Resolved struct {
	Project  *kitsu.Project
	Entity   *kitsu.Entity
	TaskType *kitsu.TaskType
	Task     *kitsu.Task
}

// ErrAmbiguous is returned when a parsed value matches several records.
var ErrAmbiguous = errors.New("kitsutree: the path names several records")

// resolve is Resolve without the second look.
func (s *Source) resolve(ctx context.Context, p *filetree.Parsed) (*Resolved, error) {
	out := &Resolved{}
	projectSlug, ok := p.Value("Project")
	if !ok {
		return nil, errors.New("kitsutree: the path holds no <Project>")
	}
	projects, err := remember(s, "projects", func() ([]kitsu.Project, error) { return s.c.Project.AllProjects(ctx) })
	if err != nil {
		return nil, err
	}
	out.Project, err = bySlug(projects, projectSlug, func(p *kitsu.Project) (string, string) { return p.ID, p.Name }, "project")
	if err != nil {
		return nil, err
	}
	pid := out.Project.ID

	entityName := ""
	var entities []kitsu.Entity
	switch p.Kind {
	case filetree.KindAsset:
		if v, ok := p.Value("Asset"); ok {
			entityName = v
		}
		list, err := getList[kitsu.Entity](ctx, s, "data/assets", url.Values{"project_id": {pid}})
		if err != nil {
			return nil, err
		}
		if at, ok := p.Value("AssetType"); ok {
			for _, a := range list {
				et, err := s.entityType(ctx, a.EntityTypeID)
				if err == nil && strings.EqualFold(filetree.Slug(et.Name), at) {
					entities = append(entities, a)
				}
			}
		} else {
			entities = list
		}
	case filetree.KindShot, filetree.KindScene:
		token := "Shot"
		if p.Kind == filetree.KindScene {
			token = "Scene"
		}
		entityName, _ = p.Value(token)
		route := "data/shots"
		if p.Kind == filetree.KindScene {
			route = "data/scenes"
		}
		list, err := getList[kitsu.Entity](ctx, s, route, url.Values{"project_id": {pid}})
		if err != nil {
			return nil, err
		}
		seqSlug, hasSeq := p.Value("Sequence")
		for _, e := range list {
			if hasSeq && e.ParentID != "" {
				seq, err := s.entityByID(ctx, e.ParentID)
				if err != nil || !strings.EqualFold(sequenceSlug(seq.Name), seqSlug) {
					continue
				}
			}
			entities = append(entities, e)
		}
	case filetree.KindSequence, filetree.KindEpisode:
		token, route := "Sequence", "data/sequences"
		if p.Kind == filetree.KindEpisode {
			token, route = "Episode", "data/episodes"
		}
		entityName, _ = p.Value(token)
		if entities, err = getList[kitsu.Entity](ctx, s, route, url.Values{"project_id": {pid}}); err != nil {
			return nil, err
		}
	default:
		return out, nil
	}
	if entityName != "" {
		nameOf := func(e *kitsu.Entity) (string, string) { return e.ID, e.Name }
		if p.Kind == filetree.KindSequence {
			nameOf = func(e *kitsu.Entity) (string, string) { return e.ID, sequenceName(e.Name) }
		}
		out.Entity, err = bySlug(entities, entityName, nameOf, string(p.Kind))
		if err != nil {
			return nil, err
		}
	}

	if ttSlug, ok := p.Value("TaskType"); ok && ttSlug != "" {
		types, err := fetchAll[kitsu.TaskType](ctx, s, "task-types", nil)
		if err != nil {
			return nil, err
		}
		out.TaskType, err = bySlug(types, ttSlug, func(t *kitsu.TaskType) (string, string) { return t.ID, t.Name }, "task type")
		if err != nil {
			return nil, err
		}
	}
	if out.Entity != nil && out.TaskType != nil {
		tasks, err := fetchAll[kitsu.Task](ctx, s, "tasks", url.Values{"entity_id": {out.Entity.ID}, "task_type_id": {out.TaskType.ID}})
		if err != nil {
			return nil, err
		}
		if taskSlug, ok := p.Value("Task"); ok {
			out.Task, err = bySlug(tasks, taskSlug, func(t *kitsu.Task) (string, string) { return t.ID, t.Name }, "task")
			if err != nil {
				return nil, err
			}
		} else if len(tasks) == 1 {
			out.Task = &tasks[0]
		} else if len(tasks) > 1 {
			return nil, fmt.Errorf("%w: %d %s tasks on %s and the path names none", ErrAmbiguous, len(tasks), out.TaskType.Name, out.Entity.Name)
		}
	}
	return out, nil
}

// sequenceName applies Zou's Seq rule to a sequence name, as paths show it.
func sequenceName(name string) string {
	if strings.Contains(name, "Seq") {
		rest := []rune(name)[3:]
		s := string(rest)
		for len([]rune(s)) < 3 {
			s = "0" + s
		}
		return "S" + s
	}
	return name
}

func sequenceSlug(name string) string { return filetree.Slug(sequenceName(name)) }

// bySlug finds the one item whose name slugifies to value (without regard
// to case); an id equal to value matches too.
func bySlug[T any](items []T, value string, nameOf func(*T) (id, name string), what string) (*T, error) {
	var found []*T
	for i := range items {
		id, name := nameOf(&items[i])
		if id == value || strings.EqualFold(filetree.Slug(name), value) {
			found = append(found, &items[i])
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: no %s named %q in Kitsu", kitsu.ErrNotFound, what, value)
	case 1:
		return found[0], nil
	}
	names := make([]string, len(found))
	for i, f := range found {
		id, name := nameOf(f)
		names[i] = fmt.Sprintf("%q (%s)", name, id)
	}
	return nil, fmt.Errorf("%w: %d records named %q for the %s: %s", ErrAmbiguous, len(found), value, what, strings.Join(names, ", "))
}

// idOrName returns the id of the record given by id or by name (exact,
// else without regard to case) among all.
func idOrName[T any](all []T, key string, nameOf func(*T) (id, name string), what string) (string, error) {
	for i := range all {
		if id, _ := nameOf(&all[i]); id == key {
			return id, nil
		}
	}
	for _, fold := range []bool{false, true} {
		for i := range all {
			id, name := nameOf(&all[i])
			if name == key || fold && strings.EqualFold(name, key) {
				return id, nil
			}
		}
	}
	return "", fmt.Errorf("%w: no %s %q in Kitsu", kitsu.ErrNotFound, what, key)
}

// byKey returns the record of a model given by id or by name: one
// request, GET /data/{model}/{id} for a UUID and GET /data/{model}?name=
// for a name (exact, else without regard to case), then kept in memory
// and on disk as the other studio-wide records. Only a key that matches
// nothing that way costs the full listing, for a name that differs in
// case beyond what the server folds.
func (s *Source) byKey(ctx context.Context, m map[string]*record, model, key, what string) (*record, error) {
	if key == "" {
		return nil, fmt.Errorf("%w: %s: want a name or an id, got nothing", kitsu.ErrInvalidArgument, what)
	}
	r, err := load(s, nil, model+"-key", key, s.refAge, func() (*record, error) {
		if LooksLikeID(key) {
			var r record
			err := s.c.FetchOne(ctx, model, key, &r, nil)
			if err == nil {
				return &r, nil
			}
			if !errors.Is(err, kitsu.ErrNotFound) {
				return nil, err
			}
		}
		var list []record
		if err := s.c.Get(ctx, "data/"+model, &list, &kitsu.RequestOptions{Params: url.Values{"name": {key}}}); err != nil {
			return nil, err
		}
		nameOf := func(x *record) (string, string) { return x.ID, x.Name }
		id, err := idOrName(list, key, nameOf, what)
		if errors.Is(err, kitsu.ErrNotFound) {
			list = nil
			if err := s.c.FetchAll(ctx, model, &list, nil); err != nil {
				return nil, err
			}
			id, err = idOrName(list, key, nameOf, what)
		}
		if err != nil {
			return nil, err
		}
		for i := range list {
			if list[i].ID == id {
				return &list[i], nil
			}
		}
		return nil, fmt.Errorf("%w: no %s %q in Kitsu", kitsu.ErrNotFound, what, key)
	})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	m[r.ID] = r
	s.mu.Unlock()
	return r, nil
}

// SoftwareID returns the id of a software given by id or name, in one
// request (none when the cache holds it); see CacheOptions.
func (s *Source) SoftwareID(ctx context.Context, key string) (string, error) {
	r, err := s.byKey(ctx, s.softwares, "softwares", key, "software")
	if err != nil {
		return "", err
	}
	return r.ID, nil
}

// SoftwareExtension returns the main file extension of the software with
// the given id, as Kitsu stores it (".blend"), from the same cache as the
// software's name: no request when a context was just built with it.
func (s *Source) SoftwareExtension(ctx context.Context, softwareID string) (string, error) {
	r, err := s.software(ctx, softwareID)
	if err != nil {
		return "", err
	}
	if r.FileExtension == "" {
		// A cache entry written before records kept the extension, or a
		// software without one: ask Kitsu.
		if r, err = fetchRecord[record](ctx, s, "softwares", softwareID)(); err != nil {
			return "", err
		}
	}
	return r.FileExtension, nil
}

// OutputTypeID returns the id of an output type given by id or name, in
// one request (none when the cache holds it).
func (s *Source) OutputTypeID(ctx context.Context, key string) (string, error) {
	r, err := s.byKey(ctx, s.outputTypes, "output-types", key, "output type")
	if err != nil {
		return "", err
	}
	return r.ID, nil
}

// TaskTypeID returns the id of a task type given by id or name, in one
// request (none when the cache holds it).
func (s *Source) TaskTypeID(ctx context.Context, key string) (string, error) {
	r, err := s.byKey(ctx, s.taskTypes, "task-types", key, "task type")
	if err != nil {
		return "", err
	}
	return r.ID, nil
}

// LooksLikeID reports whether s is written as a UUID, as Kitsu's ids are:
// a key that does is read as an id, any other as a name.
func LooksLikeID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if r != '-' {
				return false
			}
		} else if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}
