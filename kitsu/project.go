package kitsu

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"
)

// This file holds gazu's project module: productions, their statuses, and
// the metadata descriptors that declare their custom fields.

// AllProjects returns every project the user may see (all of them for an
// admin, the ones they belong to otherwise), open or closed, sorted by
// name.
//
// It calls GET /data/projects and mirrors gazu.project.all_projects.
func (s *ProjectService) AllProjects(ctx context.Context) ([]Project, error) {
	projects, err := list[Project](ctx, (*service)(s), "data/projects", nil)
	if err != nil {
		return nil, err
	}
	sortByName(projects, func(p *Project) string { return p.Name })
	return projects, nil
}

// AllOpenProjects returns the open projects the user may see, sorted by
// name.
//
// It calls GET /data/projects/open and mirrors gazu.project.all_open_projects.
func (s *ProjectService) AllOpenProjects(ctx context.Context) ([]Project, error) {
	projects, err := list[Project](ctx, (*service)(s), "data/projects/open", nil)
	if err != nil {
		return nil, err
	}
	sortByName(projects, func(p *Project) string { return p.Name })
	return projects, nil
}

// AllProjectStatus returns the project statuses (Zou has Open and Closed),
// sorted by name.
//
// It calls GET /data/project-status and mirrors gazu.project.all_project_status.
func (s *ProjectService) AllProjectStatus(ctx context.Context) ([]ProjectStatus, error) {
	statuses, err := list[ProjectStatus](ctx, (*service)(s), "data/project-status", nil)
	if err != nil {
		return nil, err
	}
	sortByName(statuses, func(p *ProjectStatus) string { return p.Name })
	return statuses, nil
}

// GetProject returns the project with the given id. Zou adds to it
// ProjectStatusName and, in Extra, its descriptors and task type and
// status links. An unknown id matches ErrNotFound.
//
// It calls GET /data/projects/{project_id} and mirrors gazu.project.get_project.
func (s *ProjectService) GetProject(ctx context.Context, projectID string) (*Project, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	return one[Project](ctx, (*service)(s), pathOf("data/projects", projectID), nil)
}

// GetProjectByName returns the project with the given name, or an error
// matching ErrNotFound.
//
// It calls GET /data/projects?name= and mirrors gazu.project.get_project_by_name.
// Unlike gazu, which sends the name as an ILIKE pattern (where "_" and "%"
// are wildcards) and takes the first row, it matches the name literally,
// preferring the project whose name is exactly the one given over one
// whose name differs only by case.
func (s *ProjectService) GetProjectByName(ctx context.Context, projectName string) (*Project, error) {
	if err := checkName("project name", projectName); err != nil {
		return nil, err
	}
	return firstWithName(ctx, (*service)(s), "data/projects", nil, projectName,
		func(p *Project) string { return p.Name }, fmt.Sprintf("no project named %q", projectName))
}

// GetProjectStatusByName returns the project status with the given name
// ("Open", "Closed"; case is ignored), or an error matching ErrNotFound.
//
// It calls GET /data/project-status?name= and mirrors
// gazu.project.get_project_status_by_name. As GetProjectByName, it
// matches the name literally, not as an ILIKE pattern.
func (s *ProjectService) GetProjectStatusByName(ctx context.Context, projectStatusName string) (*ProjectStatus, error) {
	if err := checkName("project status name", projectStatusName); err != nil {
		return nil, err
	}
	return firstWithName(ctx, (*service)(s), "data/project-status", nil, projectStatusName,
		func(p *ProjectStatus) string { return p.Name }, fmt.Sprintf("no project status named %q", projectStatusName))
}

// ProjectURLOptions are the optional parts of GetProjectURL. The zero
// value gives the assets page, as gazu's section="assets".
type ProjectURLOptions struct {
	// Section is the page of the production in the Kitsu web application
	// ("assets", "shots", "sequences", "episodes", "playlists",
	// "schedule"...); several segments may be joined with "/". Empty means
	// "assets".
	Section string
}

// GetProjectURL returns the address of a production's page in the Kitsu
// web application: {site}/productions/{project_id}/{section}/, where site
// is the API host without its /api suffix. No request is sent.
//
// It mirrors gazu.project.get_project_url.
func (s *ProjectService) GetProjectURL(projectID string, opts *ProjectURLOptions) (string, error) {
	if err := checkID("project id", projectID); err != nil {
		return "", err
	}
	section := "assets"
	if opts != nil && strings.Trim(opts.Section, "/ ") != "" {
		section = strings.Trim(opts.Section, "/ ")
	}
	segments := append([]string{"productions", projectID}, strings.Split(section, "/")...)
	for _, seg := range segments[2:] {
		if seg == "" || seg == "." || seg == ".." {
			return "", invalidArg("section", section, `a page of the production such as "assets" or "shots"`)
		}
	}
	return s.c.webURL(segments...) + "/", nil
}

// NewProjectOptions are the optional parts of NewProject. The zero value
// gives gazu's defaults: a "short" in the "2d3d" style, with no team,
// asset types, task statuses or task types, and no template.
type NewProjectOptions struct {
	// ProductionType is "short" (when empty), "featurefilm", "tvshow"...
	// Zou gives a "tvshow" a first episode, E01.
	ProductionType string
	// ProductionStyle is "2d3d" when empty; Zou refuses unknown styles.
	ProductionStyle string
	// Team holds the ids of the persons in the project.
	Team []string
	// AssetTypes, TaskStatuses and TaskTypes hold the ids of the asset
	// types, task statuses and task types the project uses.
	AssetTypes   []string
	TaskStatuses []string
	TaskTypes    []string
	// ProjectTemplateID, when set, is a project template whose settings
	// Zou applies to the new project (the fields given here win).
	ProjectTemplateID string
}

// NewProject returns the project with the given name, creating it first
// when there is none (get-or-create, as gazu does: an existing project is
// returned as it is, whatever opts say). Zou makes a new project Open.
//
// It calls GET /data/projects?name= then, only when nothing was found,
// POST /data/projects, and mirrors gazu.project.new_project.
func (s *ProjectService) NewProject(ctx context.Context, name string, opts *NewProjectOptions) (*Project, error) {
	if err := checkName("project name", name); err != nil {
		return nil, err
	}
	var o NewProjectOptions
	if opts != nil {
		o = *opts
	}
	if o.ProductionType == "" {
		o.ProductionType = "short"
	}
	if o.ProductionStyle == "" {
		o.ProductionStyle = "2d3d"
	}
	lists := []struct {
		what string
		ids  []string
	}{{"team member id", o.Team}, {"asset type id", o.AssetTypes}, {"task status id", o.TaskStatuses}, {"task type id", o.TaskTypes}}
	for _, l := range lists {
		for _, id := range l.ids {
			if err := checkID(l.what, id); err != nil {
				return nil, err
			}
		}
	}
	if o.ProjectTemplateID != "" {
		if err := checkID("project template id", o.ProjectTemplateID); err != nil {
			return nil, err
		}
	}

	existing, err := s.GetProjectByName(ctx, name)
	if err == nil {
		return existing, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	body := map[string]any{
		"name":             name,
		"production_type":  o.ProductionType,
		"production_style": o.ProductionStyle,
		"team":             idList(o.Team),
		"asset_types":      idList(o.AssetTypes),
		"task_statuses":    idList(o.TaskStatuses),
		"task_types":       idList(o.TaskTypes),
	}
	if o.ProjectTemplateID != "" {
		body["project_template_id"] = o.ProjectTemplateID
	}
	var p Project
	if err := (*service)(s).post(ctx, "data/projects", body, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// UpdateProject changes the fields of a project that changes sets,
// leaving every other field as stored, and returns the project as Zou
// stored it. Empty changes are refused (ErrInvalidArgument) before
// anything is sent. Changes.Data replaces the whole data dict, as Zou
// does; UpdateProjectData sets keys and keeps the others.
//
// It calls PUT /data/projects/{project_id} and mirrors
// gazu.project.update_project. Gazu sends the dict it is given; this
// method sends the fields changes sets. An unknown project matches
// ErrNotFound.
func (s *ProjectService) UpdateProject(ctx context.Context, projectID string, changes ProjectChanges) (*Project, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	body, err := changes.body()
	if err != nil {
		return nil, err
	}
	var p Project
	if err := (*service)(s).put(ctx, pathOf("data/projects", projectID), body, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// UpdateProjectData sets the given keys of the project's free-form Data,
// keeping the other keys, and returns the updated project.
//
// It calls GET /data/projects/{project_id} then PUT
// /data/projects/{project_id} and mirrors gazu.project.update_project_data.
// Unlike gazu, which sends the whole project back, it sends only the
// merged data, so fields changed meanwhile by others are not overwritten.
func (s *ProjectService) UpdateProjectData(ctx context.Context, projectID string, data map[string]any) (*Project, error) {
	p, err := s.GetProject(ctx, projectID)
	if err != nil {
		return nil, err
	}
	var updated Project
	if err := (*service)(s).put(ctx, pathOf("data/projects", projectID), map[string]any{"data": mergeData(p.Data, data)}, &updated); err != nil {
		return nil, err
	}
	return &updated, nil
}

// closedStatus returns the project status named "closed", whatever its
// case.
func (s *ProjectService) closedStatus(ctx context.Context) (*ProjectStatus, error) {
	statuses, err := s.AllProjectStatus(ctx)
	if err != nil {
		return nil, err
	}
	for i := range statuses {
		if strings.EqualFold(statuses[i].Name, "closed") {
			return &statuses[i], nil
		}
	}
	return nil, fmt.Errorf("%w: no project status named Closed on the server", ErrNotFound)
}

// CloseProject gives the project the Closed status and returns it as Zou
// stored it.
//
// It calls GET /data/project-status then PUT /data/projects/{project_id}
// and mirrors gazu.project.close_project. Unlike gazu, it sends only the
// status (gazu sends back the dict it was given) and returns the server's
// reply (gazu returns its local dict).
func (s *ProjectService) CloseProject(ctx context.Context, projectID string) (*Project, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	closed, err := s.closedStatus(ctx)
	if err != nil {
		return nil, err
	}
	var p Project
	if err := (*service)(s).put(ctx, pathOf("data/projects", projectID), map[string]any{"project_status_id": closed.ID}, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// RemoveProjectOptions are the optional parts of RemoveProject. The zero
// value deletes only the project record, as gazu's force=False.
type RemoveProjectOptions struct {
	// Force deletes everything in the project too (assets, shots, tasks,
	// previews...). Without it, Zou refuses a project that still holds
	// data.
	Force bool
}

// RemoveProject deletes a project. Zou deletes only closed projects, so an
// open project is closed first; if the deletion then fails, its former
// status is put back.
//
// It calls GET /data/projects/{project_id}, GET /data/project-status and
// PUT /data/projects/{project_id} (for an open project), then DELETE
// /data/projects/{project_id}[?force=true], and mirrors
// gazu.project.remove_project, which sends the DELETE alone and so fails
// on an open project.
func (s *ProjectService) RemoveProject(ctx context.Context, projectID string, opts *RemoveProjectOptions) error {
	p, err := s.GetProject(ctx, projectID)
	if err != nil {
		return err
	}
	closed, err := s.closedStatus(ctx)
	if err != nil {
		return err
	}
	reopen := ""
	if p.ProjectStatusID != closed.ID {
		if _, err := s.CloseProject(ctx, projectID); err != nil {
			return fmt.Errorf("closing project %s before deleting it: %w", projectID, err)
		}
		reopen = p.ProjectStatusID
	}
	var query url.Values
	if opts != nil && opts.Force {
		query = q("force", "true")
	}
	err = (*service)(s).delete(ctx, pathOf("data/projects", projectID), query)
	if err != nil && reopen != "" {
		if rerr := (*service)(s).put(ctx, pathOf("data/projects", projectID), map[string]any{"project_status_id": reopen}, nil); rerr != nil {
			return errors.Join(err, fmt.Errorf("putting back the status of project %s: %w", projectID, rerr))
		}
	}
	return err
}

// descriptorEntityTypes are the kinds of entity Zou accepts metadata
// descriptors for.
var descriptorEntityTypes = []string{"Asset", "Shot", "Edit", "Episode", "Sequence", "Project", "Task"}

// descriptorEntityType spells an entity type as Zou wants it ("asset"
// gives "Asset").
func descriptorEntityType(entityType string) (string, error) {
	for _, t := range descriptorEntityTypes {
		if strings.EqualFold(strings.TrimSpace(entityType), t) {
			return t, nil
		}
	}
	return "", invalidArg("entity type", entityType, "one of "+strings.Join(descriptorEntityTypes, ", "))
}

// AddMetadataDescriptorOptions are the optional parts of
// AddMetadataDescriptor. The zero value gives gazu's defaults: a free
// "string" field, hidden from clients, open to every department.
type AddMetadataDescriptorOptions struct {
	// DataType is "string" when empty; Zou also knows "number", "list",
	// "taglist", "boolean", "checklist", "date", "url", "textarea" and
	// "person".
	DataType string
	// Choices are the values a list field may take; none means free values.
	Choices []string
	// ForClient shows the field to client accounts.
	ForClient bool
	// Departments are the ids of the departments the field belongs to;
	// none means all.
	Departments []string
	// TaskTypeID is the task type of a "Task" descriptor, which Zou
	// requires for that kind only (gazu 1.1.12 cannot send it).
	TaskTypeID string
}

// AddMetadataDescriptor declares a custom field named name on the
// project's entities of the given type, and returns it. Zou derives the
// FieldName under which values are stored in the entities' Data from the
// name. The entity type is one of Asset, Shot, Edit, Episode, Sequence,
// Project or Task, in any case ("asset" is sent as "Asset", which is what
// Zou accepts, though gazu's documentation says "asset").
//
// It calls POST /data/projects/{project_id}/metadata-descriptors and
// mirrors gazu.project.add_metadata_descriptor.
func (s *ProjectService) AddMetadataDescriptor(ctx context.Context, projectID, name, entityType string, opts *AddMetadataDescriptorOptions) (*MetadataDescriptor, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	if err := checkName("metadata descriptor name", name); err != nil {
		return nil, err
	}
	kind, err := descriptorEntityType(entityType)
	if err != nil {
		return nil, err
	}
	var o AddMetadataDescriptorOptions
	if opts != nil {
		o = *opts
	}
	if o.DataType == "" {
		o.DataType = "string"
	}
	for _, id := range o.Departments {
		if err := checkID("department id", id); err != nil {
			return nil, err
		}
	}
	body := map[string]any{
		"name":        name,
		"entity_type": kind,
		"data_type":   o.DataType,
		"choices":     idList(o.Choices),
		"for_client":  o.ForClient,
		"departments": idList(o.Departments),
	}
	if o.TaskTypeID != "" {
		if err := checkID("task type id", o.TaskTypeID); err != nil {
			return nil, err
		}
		body["task_type_id"] = o.TaskTypeID
	}
	var d MetadataDescriptor
	if err := (*service)(s).post(ctx, pathOf("data/projects", projectID, "metadata-descriptors"), body, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// AllMetadataDescriptorsOptions are the optional parts of
// AllMetadataDescriptors. The zero value returns the descriptors of every
// entity type.
type AllMetadataDescriptorsOptions struct {
	// EntityType keeps only the descriptors of that kind of entity
	// ("Asset", "Shot"...; case is ignored).
	EntityType string
}

// AllMetadataDescriptors returns the metadata descriptors of a project
// that the user may see, in Zou's order (their position, then name). Zou
// answers an empty list for an unknown project.
//
// It calls GET /data/projects/{project_id}/metadata-descriptors and
// mirrors gazu.project.all_metadata_descriptors (whose entity_type filter
// is also applied on the client side).
func (s *ProjectService) AllMetadataDescriptors(ctx context.Context, projectID string, opts *AllMetadataDescriptorsOptions) ([]MetadataDescriptor, error) {
	if err := checkID("project id", projectID); err != nil {
		return nil, err
	}
	kind := ""
	if opts != nil && opts.EntityType != "" {
		var err error
		if kind, err = descriptorEntityType(opts.EntityType); err != nil {
			return nil, err
		}
	}
	descriptors, err := list[MetadataDescriptor](ctx, (*service)(s), pathOf("data/projects", projectID, "metadata-descriptors"), nil)
	if err != nil || kind == "" {
		return descriptors, err
	}
	kept := descriptors[:0]
	for _, d := range descriptors {
		if d.EntityType == kind {
			kept = append(kept, d)
		}
	}
	return kept, nil
}

// GetMetadataDescriptor returns a metadata descriptor of a project. An
// unknown id, or the id of another project's descriptor, matches
// ErrNotFound.
//
// It calls GET /data/projects/{project_id}/metadata-descriptors/{descriptor_id}
// and mirrors gazu.project.get_metadata_descriptor.
func (s *ProjectService) GetMetadataDescriptor(ctx context.Context, projectID, metadataDescriptorID string) (*MetadataDescriptor, error) {
	if err := checkIDs("project id", projectID, "metadata descriptor id", metadataDescriptorID); err != nil {
		return nil, err
	}
	return one[MetadataDescriptor](ctx, (*service)(s), pathOf("data/projects", projectID, "metadata-descriptors", metadataDescriptorID), nil)
}

// UpdateMetadataDescriptor changes the fields of a project's metadata
// descriptor that changes sets, leaving every other field as stored, and
// returns the descriptor as Zou stored it. Empty changes are refused
// (ErrInvalidArgument) before anything is sent. Renaming also moves the
// values stored in the entities' Data to the new FieldName. A descriptor
// of another project matches ErrNotFound.
//
// It calls GET /data/projects/{project_id}/metadata-descriptors/{descriptor_id},
// then PUT on the same route, and mirrors
// gazu.project.update_metadata_descriptor. Zou resets each field but the
// name that a PUT leaves out (data_type to "string", for_client to false,
// the lists to empty), so the method sends the stored value of every
// field changes does not set; gazu sends the dict it is given.
func (s *ProjectService) UpdateMetadataDescriptor(ctx context.Context, projectID, metadataDescriptorID string, changes MetadataDescriptorChanges) (*MetadataDescriptor, error) {
	if err := checkIDs("project id", projectID, "metadata descriptor id", metadataDescriptorID); err != nil {
		return nil, err
	}
	set, err := changes.body()
	if err != nil {
		return nil, err
	}
	stored, err := s.GetMetadataDescriptor(ctx, projectID, metadataDescriptorID)
	if err != nil {
		return nil, err
	}
	// A name left out keeps the stored one (and moves no data).
	body := map[string]any{
		"data_type":   cmp.Or(stored.DataType, "string"),
		"choices":     idList(stored.Choices),
		"for_client":  stored.ForClient,
		"departments": idList(stored.Departments),
	}
	maps.Copy(body, set)
	var d MetadataDescriptor
	if err := (*service)(s).put(ctx, pathOf("data/projects", projectID, "metadata-descriptors", metadataDescriptorID), body, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// RemoveMetadataDescriptor deletes a metadata descriptor of a project;
// Zou also removes the values stored under its field in the entities'
// Data.
//
// It calls DELETE /data/projects/{project_id}/metadata-descriptors/{descriptor_id}
// and mirrors gazu.project.remove_metadata_descriptor. Gazu's force
// argument is not offered: Zou ignores it.
func (s *ProjectService) RemoveMetadataDescriptor(ctx context.Context, projectID, metadataDescriptorID string) error {
	if err := checkIDs("project id", projectID, "metadata descriptor id", metadataDescriptorID); err != nil {
		return err
	}
	return (*service)(s).delete(ctx, pathOf("data/projects", projectID, "metadata-descriptors", metadataDescriptorID), nil)
}
