package kitsutree

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/kitsu"
)

// Source reads from Kitsu what render contexts need, caching the records
// many paths share (projects and their trees, entity types, task types,
// departments, softwares, output types) for the life of the Source. It is
// safe for concurrent use.
type Source struct {
	c *kitsu.Client

	mu          sync.Mutex
	projects    map[string]*kitsu.Project
	trees       map[string]*filetree.Tree
	entityTypes map[string]*kitsu.EntityType
	taskTypes   map[string]*kitsu.TaskType
	departments map[string]*kitsu.Department
	softwares   map[string]*kitsu.Software
	outputTypes map[string]*kitsu.OutputType
}

// NewSource returns a Source reading through c.
func NewSource(c *kitsu.Client) *Source {
	return &Source{
		c:           c,
		projects:    map[string]*kitsu.Project{},
		trees:       map[string]*filetree.Tree{},
		entityTypes: map[string]*kitsu.EntityType{},
		taskTypes:   map[string]*kitsu.TaskType{},
		departments: map[string]*kitsu.Department{},
		softwares:   map[string]*kitsu.Software{},
		outputTypes: map[string]*kitsu.OutputType{},
	}
}

// cached returns m[id], loading it with load on a miss.
func cached[T any](s *Source, m map[string]*T, id string, load func() (*T, error)) (*T, error) {
	s.mu.Lock()
	v, ok := m[id]
	s.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := load()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	m[id] = v
	s.mu.Unlock()
	return v, nil
}

func (s *Source) project(ctx context.Context, id string) (*kitsu.Project, error) {
	return cached(s, s.projects, id, func() (*kitsu.Project, error) { return s.c.Project.GetProject(ctx, id) })
}

// Tree returns the file tree of a project, read leniently as Zou uses it.
func (s *Source) Tree(ctx context.Context, projectID string) (*filetree.Tree, error) {
	return cached(s, s.trees, projectID, func() (*filetree.Tree, error) {
		p, err := s.project(ctx, projectID)
		if err != nil {
			return nil, err
		}
		t, err := filetree.FromMap(p.FileTree)
		if err != nil {
			return nil, fmt.Errorf("project %q: %w", p.Name, err)
		}
		return t, nil
	})
}

func (s *Source) entityType(ctx context.Context, id string) (*kitsu.EntityType, error) {
	return cached(s, s.entityTypes, id, func() (*kitsu.EntityType, error) { return s.c.Entity.GetEntityType(ctx, id) })
}

func (s *Source) taskType(ctx context.Context, id string) (*kitsu.TaskType, error) {
	return cached(s, s.taskTypes, id, func() (*kitsu.TaskType, error) {
		var tt kitsu.TaskType
		if err := s.c.FetchOne(ctx, "task-types", id, &tt, nil); err != nil {
			return nil, err
		}
		return &tt, nil
	})
}

func (s *Source) department(ctx context.Context, id string) (*kitsu.Department, error) {
	return cached(s, s.departments, id, func() (*kitsu.Department, error) {
		var d kitsu.Department
		if err := s.c.FetchOne(ctx, "departments", id, &d, nil); err != nil {
			return nil, err
		}
		return &d, nil
	})
}

func (s *Source) software(ctx context.Context, id string) (*kitsu.Software, error) {
	return cached(s, s.softwares, id, func() (*kitsu.Software, error) {
		var sw kitsu.Software
		if err := s.c.FetchOne(ctx, "softwares", id, &sw, nil); err != nil {
			return nil, err
		}
		return &sw, nil
	})
}

func (s *Source) outputType(ctx context.Context, id string) (*kitsu.OutputType, error) {
	return cached(s, s.outputTypes, id, func() (*kitsu.OutputType, error) {
		var ot kitsu.OutputType
		if err := s.c.FetchOne(ctx, "output-types", id, &ot, nil); err != nil {
			return nil, err
		}
		return &ot, nil
	})
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

// entityContext fills the entity part of a context: the entity, its type
// and kind, its sequence and episode.
func (s *Source) entityContext(ctx context.Context, entityID string, c *filetree.Context) (*kitsu.Entity, error) {
	e, err := s.c.Entity.GetEntity(ctx, entityID)
	if err != nil {
		return nil, err
	}
	et, err := s.entityType(ctx, e.EntityTypeID)
	if err != nil {
		return nil, err
	}
	p, err := s.project(ctx, e.ProjectID)
	if err != nil {
		return nil, err
	}
	kind := KindOf(et.Name)
	c.Kind, c.EntityKind = kind, kind
	c.Project = named(p.ID, p.Name, "")
	c.Entity = named(e.ID, e.Name, "")
	c.EntityType = named(et.ID, et.Name, et.ShortName)
	switch kind {
	case filetree.KindShot, filetree.KindScene:
		if e.ParentID != "" {
			seq, err := s.c.Entity.GetEntity(ctx, e.ParentID)
			if err != nil {
				return nil, err
			}
			c.Sequence = named(seq.ID, seq.Name, "")
			if seq.ParentID != "" {
				ep, err := s.c.Entity.GetEntity(ctx, seq.ParentID)
				if err != nil {
					return nil, err
				}
				c.Episode = named(ep.ID, ep.Name, "")
			}
		}
	case filetree.KindSequence:
		if e.ParentID != "" {
			ep, err := s.c.Entity.GetEntity(ctx, e.ParentID)
			if err != nil {
				return nil, err
			}
			c.Episode = named(ep.ID, ep.Name, "")
		}
	}
	return e, nil
}

func (s *Source) taskTypeContext(ctx context.Context, taskTypeID string, c *filetree.Context) error {
	tt, err := s.taskType(ctx, taskTypeID)
	if err != nil {
		return err
	}
	c.TaskType = named(tt.ID, tt.Name, tt.ShortName)
	if tt.DepartmentID != "" {
		d, err := s.department(ctx, tt.DepartmentID)
		if err != nil {
			return err
		}
		c.Department = named(d.ID, d.Name, "")
	}
	return nil
}

// WorkingOptions are the optional parts of a working-file context. The
// zero value gives Zou's defaults: software "3ds Max", name "main", and
// revision 0, the next revision of the task's working files of that name,
// asked from Kitsu as Zou's working-file-path route does.
type WorkingOptions struct {
	SoftwareID string
	Name       string
	Revision   int
}

// WorkingContext builds the context of a task's working file from Kitsu.
func (s *Source) WorkingContext(ctx context.Context, taskID string, opts *WorkingOptions) (*filetree.Context, error) {
	var o WorkingOptions
	if opts != nil {
		o = *opts
	}
	if o.Revision < 0 {
		return nil, fmt.Errorf("kitsutree: revision %d: want 1 or more, or 0 for the next one", o.Revision)
	}
	var task kitsu.Task
	if err := s.c.FetchOne(ctx, "tasks", taskID, &task, nil); err != nil {
		return nil, err
	}
	c := &filetree.Context{Name: o.Name, Revision: o.Revision}
	if _, err := s.entityContext(ctx, task.EntityID, c); err != nil {
		return nil, err
	}
	if c.Revision == 0 {
		last, err := s.c.Files.GetLastWorkingFiles(ctx, task.ID)
		if err != nil {
			return nil, err
		}
		c.Revision = last[cmp.Or(o.Name, "main")].Revision + 1
	}
	c.Task = named(task.ID, task.Name, "")
	if err := s.taskTypeContext(ctx, task.TaskTypeID, c); err != nil {
		return nil, err
	}
	if o.SoftwareID != "" {
		sw, err := s.software(ctx, o.SoftwareID)
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
}

// OutputContext builds the context of an entity's output file of an
// output type, made by a task type.
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
	var o OutputOptions
	if opts != nil {
		o = *opts
	}
	if o.Revision < 0 {
		return nil, fmt.Errorf("kitsutree: revision %d: want 1 or more, or 0 for the next one", o.Revision)
	}
	c := &filetree.Context{Name: o.Name, Representation: o.Representation, Revision: o.Revision}
	if _, err := s.entityContext(ctx, entityID, c); err != nil {
		return nil, err
	}
	if err := s.taskTypeContext(ctx, taskTypeID, c); err != nil {
		return nil, err
	}
	ot, err := s.outputType(ctx, outputTypeID)
	if err != nil {
		return nil, err
	}
	c.OutputType = named(ot.ID, ot.Name, ot.ShortName)
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
	asset, err := s.c.Entity.GetEntity(ctx, inst.AssetID)
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

// Resolve turns the values of a parsed path into Kitsu records, matching
// each record's name by its slug (the form paths show): the project, then
// the entity (an asset of its type, or a shot of its sequence, or a
// sequence, scene or episode), its task type and task. A value that
// matches nothing is an error matching kitsu.ErrNotFound; one that
// matches several is ErrAmbiguous.
func (s *Source) Resolve(ctx context.Context, p *filetree.Parsed) (*Resolved, error) {
	out := &Resolved{}
	projectSlug, ok := p.Value("Project")
	if !ok {
		return nil, errors.New("kitsutree: the path holds no <Project>")
	}
	projects, err := s.c.Project.AllProjects(ctx)
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
		var list []kitsu.Entity
		if err := s.c.Get(ctx, "data/assets", &list, &kitsu.RequestOptions{Params: url.Values{"project_id": {pid}}}); err != nil {
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
		var list []kitsu.Entity
		if err := s.c.Get(ctx, route, &list, &kitsu.RequestOptions{Params: url.Values{"project_id": {pid}}}); err != nil {
			return nil, err
		}
		seqSlug, hasSeq := p.Value("Sequence")
		for _, e := range list {
			if hasSeq && e.ParentID != "" {
				seq, err := s.c.Entity.GetEntity(ctx, e.ParentID)
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
		if err := s.c.Get(ctx, route, &entities, &kitsu.RequestOptions{Params: url.Values{"project_id": {pid}}}); err != nil {
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
		var types []kitsu.TaskType
		if err := s.c.FetchAll(ctx, "task-types", &types, nil); err != nil {
			return nil, err
		}
		out.TaskType, err = bySlug(types, ttSlug, func(t *kitsu.TaskType) (string, string) { return t.ID, t.Name }, "task type")
		if err != nil {
			return nil, err
		}
	}
	if out.Entity != nil && out.TaskType != nil {
		var tasks []kitsu.Task
		if err := s.c.FetchAll(ctx, "tasks", &tasks, &kitsu.FetchOptions{Params: url.Values{"entity_id": {out.Entity.ID}, "task_type_id": {out.TaskType.ID}}}); err != nil {
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

// SoftwareID returns the id of a software given by id or name.
func (s *Source) SoftwareID(ctx context.Context, key string) (string, error) {
	var all []kitsu.Software
	if err := s.c.FetchAll(ctx, "softwares", &all, nil); err != nil {
		return "", err
	}
	return idOrName(all, key, func(x *kitsu.Software) (string, string) { return x.ID, x.Name }, "software")
}

// OutputTypeID returns the id of an output type given by id or name.
func (s *Source) OutputTypeID(ctx context.Context, key string) (string, error) {
	var all []kitsu.OutputType
	if err := s.c.FetchAll(ctx, "output-types", &all, nil); err != nil {
		return "", err
	}
	return idOrName(all, key, func(x *kitsu.OutputType) (string, string) { return x.ID, x.Name }, "output type")
}

// TaskTypeID returns the id of a task type given by id or name.
func (s *Source) TaskTypeID(ctx context.Context, key string) (string, error) {
	var all []kitsu.TaskType
	if err := s.c.FetchAll(ctx, "task-types", &all, nil); err != nil {
		return "", err
	}
	return idOrName(all, key, func(x *kitsu.TaskType) (string, string) { return x.ID, x.Name }, "task type")
}
