package kitsu_test

import (
	"cmp"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// unknownID is a well-formed id that no record has.
const projectTestUnknownID = "00000000-0000-4000-8000-000000000000"

func projectIDs(ps []kitsu.Project) []string {
	return kitsutest.IDs(ps, func(p *kitsu.Project) string { return p.ID })
}

// projectTestNew creates a project through NewProject and removes it when
// the test ends.
func projectTestNew(t *testing.T, c *kitsu.Client, name string, opts *kitsu.NewProjectOptions) *kitsu.Project {
	t.Helper()
	p, err := c.Project.NewProject(kitsutest.Context(t), name, opts)
	require.NoError(t, err)
	t.Cleanup(func() { kitsutest.RemoveProject(t, c, p.ID) })
	return p
}

// assertSortedByName checks the case-insensitive order gazu's sort_by_name
// gives.
func assertSortedByName[T any](t *testing.T, items []T, name func(*T) string) {
	t.Helper()
	assert.True(t, slices.IsSortedFunc(items, func(a, b T) int {
		return cmp.Compare(strings.ToLower(name(&a)), strings.ToLower(name(&b)))
	}), "not sorted by name")
}

func TestProjectNewProject(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)

	name := kitsutest.Unique("kpublish new project")
	p := projectTestNew(t, c, name, &kitsu.NewProjectOptions{ProductionType: "tvshow", AssetTypes: []string{at.ID}})
	assert.Len(t, p.ID, 36)
	assert.Equal(t, name, p.Name)
	assert.Equal(t, "tvshow", p.ProductionType)
	assert.Equal(t, "2d3d", p.ProductionStyle)
	assert.Equal(t, []string{at.ID}, p.AssetTypes)
	assert.Len(t, p.FirstEpisodeID, 36, "Zou gives a tvshow its first episode")
	open, err := c.Project.GetProjectStatusByName(ctx, "Open")
	require.NoError(t, err)
	assert.Equal(t, open.ID, p.ProjectStatusID)

	// Get-or-create: the same name gives the same project, unchanged.
	again, err := c.Project.NewProject(ctx, name, &kitsu.NewProjectOptions{ProductionType: "featurefilm"})
	require.NoError(t, err)
	assert.Equal(t, p.ID, again.ID)
	assert.Equal(t, "tvshow", again.ProductionType)

	// gazu's defaults.
	short := projectTestNew(t, c, kitsutest.Unique("kpublish new project"), nil)
	assert.Equal(t, "short", short.ProductionType)
	assert.Equal(t, "2d3d", short.ProductionStyle)
	assert.Empty(t, short.AssetTypes)
	assert.NotEqual(t, p.ID, short.ID)

	_, err = c.Project.NewProject(ctx, " ", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Project.NewProject(ctx, kitsutest.Unique("kpublish new project"), &kitsu.NewProjectOptions{Team: []string{"bob"}})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "team member id")
	// Zou refuses an unknown style.
	_, err = c.Project.NewProject(ctx, kitsutest.Unique("kpublish new project"), &kitsu.NewProjectOptions{ProductionStyle: "claymation-on-mars"})
	require.ErrorIs(t, err, kitsu.ErrParameter)
}

func TestProjectGetProject(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)

	got, err := c.Project.GetProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, p.ID, got.ID)
	assert.Equal(t, p.Name, got.Name)
	assert.Equal(t, "featurefilm", got.ProductionType)
	assert.Equal(t, "Open", got.ProjectStatusName)
	assert.Equal(t, "Project", got.Type)
	assert.Contains(t, got.Extra, "descriptors", "fields the model does not name are kept")

	_, err = c.Project.GetProject(ctx, projectTestUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Project.GetProject(ctx, "not-an-id")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "project id")
}

func TestProjectGetProjectByName(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)

	got, err := c.Project.GetProjectByName(ctx, p.Name)
	require.NoError(t, err)
	assert.Equal(t, p.ID, got.ID)

	// Case is ignored, as by Zou.
	got, err = c.Project.GetProjectByName(ctx, strings.ToUpper(p.Name))
	require.NoError(t, err)
	assert.Equal(t, p.ID, got.ID)

	// Zou's ILIKE takes "_" as a wildcard; such a match is not the project
	// asked for.
	_, err = c.Project.GetProjectByName(ctx, strings.ReplaceAll(p.Name, " ", "_"))
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	missing := kitsutest.Unique("kpublish no such project")
	_, err = c.Project.GetProjectByName(ctx, missing)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), missing)
	_, err = c.Project.GetProjectByName(ctx, "")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestProjectAllProjects(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	a := kitsutest.NewProject(t, c, false)
	b := kitsutest.NewProject(t, c, true)
	_, err := c.Project.CloseProject(ctx, b.ID)
	require.NoError(t, err)

	all, err := c.Project.AllProjects(ctx)
	require.NoError(t, err)
	ids := projectIDs(all)
	assert.Contains(t, ids, a.ID)
	assert.Contains(t, ids, b.ID, "closed projects are listed too")
	assertSortedByName(t, all, func(p *kitsu.Project) string { return p.Name })
}

func TestProjectAllOpenProjects(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	open := kitsutest.NewProject(t, c, false)
	closed := kitsutest.NewProject(t, c, false)
	_, err := c.Project.CloseProject(ctx, closed.ID)
	require.NoError(t, err)

	openStatus, err := c.Project.GetProjectStatusByName(ctx, "Open")
	require.NoError(t, err)

	all, err := c.Project.AllOpenProjects(ctx)
	require.NoError(t, err)
	ids := projectIDs(all)
	assert.Contains(t, ids, open.ID)
	assert.NotContains(t, ids, closed.ID)
	for _, p := range all {
		assert.Equal(t, openStatus.ID, p.ProjectStatusID, p.Name)
	}
	assertSortedByName(t, all, func(p *kitsu.Project) string { return p.Name })
}

func TestProjectAllProjectStatus(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	statuses, err := c.Project.AllProjectStatus(kitsutest.Context(t))
	require.NoError(t, err)
	names := kitsutest.IDs(statuses, func(s *kitsu.ProjectStatus) string { return s.Name })
	assert.Contains(t, names, "Open")
	assert.Contains(t, names, "Closed")
	for _, s := range statuses {
		assert.Len(t, s.ID, 36)
		assert.Equal(t, "ProjectStatus", s.Type)
	}
	assertSortedByName(t, statuses, func(s *kitsu.ProjectStatus) string { return s.Name })
}

func TestProjectGetProjectStatusByName(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)

	closed, err := c.Project.GetProjectStatusByName(ctx, "Closed")
	require.NoError(t, err)
	assert.Equal(t, "Closed", closed.Name)
	lower, err := c.Project.GetProjectStatusByName(ctx, "closed")
	require.NoError(t, err)
	assert.Equal(t, closed.ID, lower.ID)
	open, err := c.Project.GetProjectStatusByName(ctx, "Open")
	require.NoError(t, err)
	assert.NotEqual(t, closed.ID, open.ID)

	// "Clos_d" matches "Closed" in SQL ILIKE, not here.
	_, err = c.Project.GetProjectStatusByName(ctx, "Clos_d")
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Project.GetProjectStatusByName(ctx, "Paused")
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), "Paused")
	_, err = c.Project.GetProjectStatusByName(ctx, "")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestProjectGetProjectURL(t *testing.T) {
	t.Parallel()
	c, err := kitsu.NewClient("https://kitsu.example.com")
	require.NoError(t, err)
	id := "5f1ad35b-2f63-4b8e-a4b4-2b1f0cbb0d1e"

	u, err := c.Project.GetProjectURL(id, nil)
	require.NoError(t, err)
	assert.Equal(t, "https://kitsu.example.com/productions/"+id+"/assets/", u)
	u, err = c.Project.GetProjectURL(id, &kitsu.ProjectURLOptions{Section: "shots"})
	require.NoError(t, err)
	assert.Equal(t, "https://kitsu.example.com/productions/"+id+"/shots/", u)
	u, err = c.Project.GetProjectURL(id, &kitsu.ProjectURLOptions{Section: "/episodes/all/"})
	require.NoError(t, err)
	assert.Equal(t, "https://kitsu.example.com/productions/"+id+"/episodes/all/", u)

	_, err = c.Project.GetProjectURL("42", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Project.GetProjectURL(id, &kitsu.ProjectURLOptions{Section: "../people"})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)

	// A host given with a sub-path keeps it.
	sub, err := kitsu.NewClient("https://example.com/kitsu/api")
	require.NoError(t, err)
	u, err = sub.Project.GetProjectURL(id, nil)
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/kitsu/productions/"+id+"/assets/", u)
}

func TestProjectCloseProject(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	closed, err := c.Project.GetProjectStatusByName(ctx, "Closed")
	require.NoError(t, err)

	got, err := c.Project.CloseProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, p.ID, got.ID)
	assert.Equal(t, closed.ID, got.ProjectStatusID)
	again, err := c.Project.GetProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, "Closed", again.ProjectStatusName)
	assert.Equal(t, p.Name, again.Name, "closing changes nothing else")

	_, err = c.Project.CloseProject(ctx, projectTestUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Project.CloseProject(ctx, "")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestProjectRemoveProject(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)

	// An open, empty project is closed then deleted.
	empty := projectTestNew(t, c, kitsutest.Unique("kpublish remove project"), &kitsu.NewProjectOptions{ProductionType: "featurefilm"})
	require.NoError(t, c.Project.RemoveProject(ctx, empty.ID, nil))
	_, err := c.Project.GetProject(ctx, empty.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	// A project with data is refused without force, and stays open.
	full := projectTestNew(t, c, kitsutest.Unique("kpublish remove project"), &kitsu.NewProjectOptions{ProductionType: "tvshow"})
	seq := kitsutest.NewSequence(t, c, full.ID, full.FirstEpisodeID, "SQ01")
	kitsutest.NewShot(t, c, full.ID, seq.ID, "SH010")
	err = c.Project.RemoveProject(ctx, full.ID, nil)
	require.Error(t, err)
	still, err := c.Project.GetProject(ctx, full.ID)
	require.NoError(t, err)
	assert.Equal(t, "Open", still.ProjectStatusName, "the status is put back when the deletion fails")

	// Force deletes the project and all it holds.
	require.NoError(t, c.Project.RemoveProject(ctx, full.ID, &kitsu.RemoveProjectOptions{Force: true}))
	_, err = c.Project.GetProject(ctx, full.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Entity.GetEntity(ctx, seq.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)

	require.ErrorIs(t, c.Project.RemoveProject(ctx, projectTestUnknownID, nil), kitsu.ErrNotFound)
	require.ErrorIs(t, c.Project.RemoveProject(ctx, "x", nil), kitsu.ErrInvalidArgument)
}

func TestProjectUpdateProject(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)

	got, err := c.Project.GetProject(ctx, p.ID)
	require.NoError(t, err)
	updated, err := c.Project.UpdateProject(ctx, p.ID, kitsu.ProjectChanges{
		Description: kitsu.Ptr("made by project_test"),
		FPS:         kitsu.Ptr("24"),
		MaxRetakes:  kitsu.Ptr(3),
		Data:        map[string]any{"budget": "small"},
	})
	require.NoError(t, err)
	assert.Equal(t, p.ID, updated.ID)
	assert.Equal(t, "made by project_test", updated.Description)
	assert.Equal(t, "24", updated.FPS)
	assert.Equal(t, 3, updated.MaxRetakes)
	assert.Equal(t, map[string]any{"budget": "small"}, updated.Data)

	again, err := c.Project.GetProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, "made by project_test", again.Description)
	assert.Equal(t, "24", again.FPS)
	assert.Equal(t, 3, again.MaxRetakes)
	assert.Equal(t, p.Name, again.Name)
	assert.Equal(t, "Open", again.ProjectStatusName)
	assert.Equal(t, got.Extra["is_client_stats_visible"], again.Extra["is_client_stats_visible"], "fields kept in Extra are not changed")

	// Data replaces the whole dict, as Zou does for projects.
	_, err = c.Project.UpdateProject(ctx, p.ID, kitsu.ProjectChanges{Data: map[string]any{"other": "x"}})
	require.NoError(t, err)
	again, err = c.Project.GetProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"other": "x"}, again.Data)

	_, err = c.Project.UpdateProject(ctx, "", kitsu.ProjectChanges{FPS: kitsu.Ptr("24")})
	kitsutest.RequireInvalid(t, err, "project id")
	_, err = c.Project.UpdateProject(ctx, p.ID, kitsu.ProjectChanges{})
	kitsutest.RequireInvalid(t, err, "project changes")
	_, err = c.Project.UpdateProject(ctx, p.ID, kitsu.ProjectChanges{Name: kitsu.Ptr("")})
	kitsutest.RequireInvalid(t, err, "project changes Name")
	_, err = c.Project.UpdateProject(ctx, p.ID, kitsu.ProjectChanges{TaskTypes: []string{"Animation"}})
	kitsutest.RequireInvalid(t, err, "project changes TaskTypes")
	_, err = c.Project.UpdateProject(ctx, projectTestUnknownID, kitsu.ProjectChanges{FPS: kitsu.Ptr("24")})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
}

// TestProjectUpdateProjectChangesOnlyWhatIsSet: a project with every
// field set (fps, ratio, resolution, production type and style, dates,
// counters, lists, data) keeps them all when one field changes.
func TestProjectUpdateProjectChangesOnlyWhatIsSet(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)
	anim := kitsutest.TaskTypeNamed(t, c, "Animation")
	wip := kitsutest.TaskStatusNamed(t, c, "wip")

	_, err := c.Project.UpdateProject(ctx, p.ID, kitsu.ProjectChanges{
		Code:            kitsu.Ptr("KPT"),
		Description:     kitsu.Ptr("every field set"),
		ProductionType:  kitsu.Ptr("tvshow"),
		ProductionStyle: kitsu.Ptr("2d"),
		FPS:             kitsu.Ptr("24"),
		Ratio:           kitsu.Ptr("2.39:1"),
		Resolution:      kitsu.Ptr("2048x858"),
		StartDate:       kitsu.Ptr("2030-01-02"),
		EndDate:         kitsu.Ptr("2030-12-31"),
		Homepage:        kitsu.Ptr("shots"),
		MaxRetakes:      kitsu.Ptr(3),
		NbEpisodes:      kitsu.Ptr(10),
		EpisodeSpan:     kitsu.Ptr(20),
		AssetTypes:      []string{at.ID},
		TaskTypes:       []string{anim.ID},
		TaskStatuses:    []string{wip.ID},
		Data:            map[string]any{"budget": "small"},
	})
	require.NoError(t, err)
	before, err := c.Project.GetProject(ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, "KPT", before.Code)
	require.Equal(t, "every field set", before.Description)
	require.Equal(t, "tvshow", before.ProductionType)
	require.Equal(t, "2d", before.ProductionStyle)
	require.Equal(t, "24", before.FPS)
	require.Equal(t, "2.39:1", before.Ratio)
	require.Equal(t, "2048x858", before.Resolution)
	require.Equal(t, "2030-01-02", before.StartDate)
	require.Equal(t, "2030-12-31", before.EndDate)
	require.Equal(t, "shots", before.Homepage)
	require.Equal(t, 3, before.MaxRetakes)
	require.Equal(t, 10, before.NbEpisodes)
	require.Equal(t, 20, before.EpisodeSpan)
	require.Equal(t, []string{at.ID}, before.AssetTypes)
	require.Equal(t, []string{anim.ID}, before.TaskTypes)
	require.Equal(t, []string{wip.ID}, before.TaskStatuses)
	require.Equal(t, map[string]any{"budget": "small"}, before.Data)

	_, err = c.Project.UpdateProject(ctx, p.ID, kitsu.ProjectChanges{Description: kitsu.Ptr("only this")})
	require.NoError(t, err)
	after, err := c.Project.GetProject(ctx, p.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, before, after, projectBase, func(p *kitsu.Project) { p.Description = "only this" })

	// A zero value that is set is sent.
	_, err = c.Project.UpdateProject(ctx, p.ID, kitsu.ProjectChanges{MaxRetakes: kitsu.Ptr(0)})
	require.NoError(t, err)
	again, err := c.Project.GetProject(ctx, p.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, after, again, projectBase, func(p *kitsu.Project) { p.MaxRetakes = 0 })

	// An empty date clears it.
	_, err = c.Project.UpdateProject(ctx, p.ID, kitsu.ProjectChanges{EndDate: kitsu.Ptr("")})
	require.NoError(t, err)
	cleared, err := c.Project.GetProject(ctx, p.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, again, cleared, projectBase, func(p *kitsu.Project) { p.EndDate = "" })
}

func projectBase(p *kitsu.Project) *kitsu.Base { return &p.Base }

func TestProjectUpdateProjectData(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)

	got, err := c.Project.UpdateProjectData(ctx, p.ID, map[string]any{"client": "ACME", "seasons": 2})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"client": "ACME", "seasons": float64(2)}, got.Data)

	// Keys not given are kept, keys given are replaced.
	got, err = c.Project.UpdateProjectData(ctx, p.ID, map[string]any{"seasons": 3, "ratio": "2.39"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"client": "ACME", "seasons": float64(3), "ratio": "2.39"}, got.Data)
	again, err := c.Project.GetProject(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, got.Data, again.Data)
	assert.Equal(t, p.Name, again.Name)

	_, err = c.Project.UpdateProjectData(ctx, projectTestUnknownID, map[string]any{"a": 1})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Project.UpdateProjectData(ctx, "nope", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestProjectAddMetadataDescriptor(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	departments, err := c.Person.AllDepartments(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, departments)
	dep := departments[0]

	// gazu documents lower case entity types; Zou wants "Asset".
	d, err := c.Project.AddMetadataDescriptor(ctx, p.ID, "Difficulty Level", "asset", &kitsu.AddMetadataDescriptorOptions{
		DataType: "list", Choices: []string{"easy", "hard"}, ForClient: true, Departments: []string{dep.ID},
	})
	require.NoError(t, err)
	assert.Len(t, d.ID, 36)
	assert.Equal(t, p.ID, d.ProjectID)
	assert.Equal(t, "Difficulty Level", d.Name)
	assert.Equal(t, "difficulty_level", d.FieldName)
	assert.Equal(t, "Asset", d.EntityType)
	assert.Equal(t, "list", d.DataType)
	assert.Equal(t, []string{"easy", "hard"}, d.Choices)
	assert.True(t, d.ForClient)
	assert.Equal(t, []string{dep.ID}, d.Departments)

	// gazu's defaults: a free string, hidden from clients.
	s, err := c.Project.AddMetadataDescriptor(ctx, p.ID, "Camera", "Shot", nil)
	require.NoError(t, err)
	assert.Equal(t, "Shot", s.EntityType)
	assert.Equal(t, "string", s.DataType)
	assert.Empty(t, s.Choices)
	assert.False(t, s.ForClient)
	assert.Empty(t, s.Departments)

	_, err = c.Project.AddMetadataDescriptor(ctx, p.ID, "Set", "scene", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "Asset, Shot")
	_, err = c.Project.AddMetadataDescriptor(ctx, p.ID, "", "Asset", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Project.AddMetadataDescriptor(ctx, "p", "X", "Asset", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Project.AddMetadataDescriptor(ctx, p.ID, "X", "Asset", &kitsu.AddMetadataDescriptorOptions{Departments: []string{"Modeling"}})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	// Zou checks the data type and the task type of Task descriptors.
	_, err = c.Project.AddMetadataDescriptor(ctx, p.ID, "X", "Asset", &kitsu.AddMetadataDescriptorOptions{DataType: "colour"})
	require.ErrorIs(t, err, kitsu.ErrParameter)
	_, err = c.Project.AddMetadataDescriptor(ctx, p.ID, "X", "Task", nil)
	require.ErrorIs(t, err, kitsu.ErrParameter)
	_, err = c.Project.AddMetadataDescriptor(ctx, projectTestUnknownID, "X", "Asset", nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
}

func TestProjectAllMetadataDescriptors(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)

	none, err := c.Project.AllMetadataDescriptors(ctx, p.ID, nil)
	require.NoError(t, err)
	assert.NotNil(t, none)
	assert.Empty(t, none)

	a, err := c.Project.AddMetadataDescriptor(ctx, p.ID, "Difficulty", "Asset", nil)
	require.NoError(t, err)
	s, err := c.Project.AddMetadataDescriptor(ctx, p.ID, "Lens", "Shot", nil)
	require.NoError(t, err)

	all, err := c.Project.AllMetadataDescriptors(ctx, p.ID, nil)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{a.ID, s.ID}, kitsutest.IDs(all, func(d *kitsu.MetadataDescriptor) string { return d.ID }))

	shots, err := c.Project.AllMetadataDescriptors(ctx, p.ID, &kitsu.AllMetadataDescriptorsOptions{EntityType: "shot"})
	require.NoError(t, err)
	require.Len(t, shots, 1)
	assert.Equal(t, s.ID, shots[0].ID)
	assert.Equal(t, "lens", shots[0].FieldName)
	eps, err := c.Project.AllMetadataDescriptors(ctx, p.ID, &kitsu.AllMetadataDescriptorsOptions{EntityType: "Episode"})
	require.NoError(t, err)
	assert.NotNil(t, eps)
	assert.Empty(t, eps)

	_, err = c.Project.AllMetadataDescriptors(ctx, p.ID, &kitsu.AllMetadataDescriptorsOptions{EntityType: "Planet"})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Project.AllMetadataDescriptors(ctx, "", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	// Zou does not check that the project exists.
	unknown, err := c.Project.AllMetadataDescriptors(ctx, projectTestUnknownID, nil)
	require.NoError(t, err)
	assert.Empty(t, unknown)
}

func TestProjectGetMetadataDescriptor(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	other := kitsutest.NewProject(t, c, false)

	d, err := c.Project.AddMetadataDescriptor(ctx, p.ID, "Rig Version", "Asset", &kitsu.AddMetadataDescriptorOptions{DataType: "number"})
	require.NoError(t, err)
	got, err := c.Project.GetMetadataDescriptor(ctx, p.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, d.ID, got.ID)
	assert.Equal(t, "Rig Version", got.Name)
	assert.Equal(t, "rig_version", got.FieldName)
	assert.Equal(t, "number", got.DataType)
	assert.Equal(t, p.ID, got.ProjectID)

	// Through another project, the descriptor is not found.
	_, err = c.Project.GetMetadataDescriptor(ctx, other.ID, d.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Project.GetMetadataDescriptor(ctx, p.ID, projectTestUnknownID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Project.GetMetadataDescriptor(ctx, p.ID, "rig_version")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "metadata descriptor id")
}

func TestProjectUpdateMetadataDescriptor(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	at := kitsutest.NewAssetType(t, c)
	p := kitsutest.NewProject(t, c, false)

	d, err := c.Project.AddMetadataDescriptor(ctx, p.ID, "Difficulty", "Asset", &kitsu.AddMetadataDescriptorOptions{DataType: "list", Choices: []string{"easy", "hard"}})
	require.NoError(t, err)
	asset := kitsutest.NewAsset(t, c, p.ID, at.ID, "", "Tree")
	require.NoError(t, c.Put(ctx, "data/entities/"+asset.ID, map[string]any{"data": map[string]any{"difficulty": "hard"}}, nil, nil))

	updated, err := c.Project.UpdateMetadataDescriptor(ctx, p.ID, d.ID, kitsu.MetadataDescriptorChanges{
		Name:      kitsu.Ptr("Complexity"),
		Choices:   []string{"easy", "medium", "hard"},
		ForClient: kitsu.Ptr(true),
	})
	require.NoError(t, err)
	assert.Equal(t, d.ID, updated.ID)
	assert.Equal(t, "Complexity", updated.Name)
	assert.Equal(t, "complexity", updated.FieldName)
	assert.Equal(t, "list", updated.DataType)
	assert.Equal(t, []string{"easy", "medium", "hard"}, updated.Choices)
	assert.True(t, updated.ForClient)

	got, err := c.Project.GetMetadataDescriptor(ctx, p.ID, d.ID)
	require.NoError(t, err)
	assert.Equal(t, "Complexity", got.Name)
	// Zou moved the stored values to the new field name.
	e, err := c.Entity.GetEntity(ctx, asset.ID)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"complexity": "hard"}, e.Data)

	_, err = c.Project.UpdateMetadataDescriptor(ctx, p.ID, "", kitsu.MetadataDescriptorChanges{Name: kitsu.Ptr("No id")})
	kitsutest.RequireInvalid(t, err, "metadata descriptor id")
	_, err = c.Project.UpdateMetadataDescriptor(ctx, p.ID, d.ID, kitsu.MetadataDescriptorChanges{})
	kitsutest.RequireInvalid(t, err, "metadata descriptor changes")
	_, err = c.Project.UpdateMetadataDescriptor(ctx, p.ID, d.ID, kitsu.MetadataDescriptorChanges{Name: kitsu.Ptr("")})
	kitsutest.RequireInvalid(t, err, "metadata descriptor changes Name")
	_, err = c.Project.UpdateMetadataDescriptor(ctx, p.ID, d.ID, kitsu.MetadataDescriptorChanges{Departments: []string{"Modeling"}})
	kitsutest.RequireInvalid(t, err, "metadata descriptor changes Departments")
	_, err = c.Project.UpdateMetadataDescriptor(ctx, p.ID, projectTestUnknownID, kitsu.MetadataDescriptorChanges{Name: kitsu.Ptr("x")})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	_, err = c.Project.UpdateMetadataDescriptor(ctx, p.ID, d.ID, kitsu.MetadataDescriptorChanges{DataType: kitsu.Ptr("colour")})
	require.ErrorIs(t, err, kitsu.ErrParameter)
}

// TestProjectUpdateMetadataDescriptorChangesOnlyWhatIsSet: Zou resets
// each field a PUT leaves out; a descriptor with every field set keeps
// them all when one field changes.
func TestProjectUpdateMetadataDescriptorChangesOnlyWhatIsSet(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)
	departments, err := c.Person.AllDepartments(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, departments, "Zou's init data has departments")

	d, err := c.Project.AddMetadataDescriptor(ctx, p.ID, "Difficulty", "Asset", &kitsu.AddMetadataDescriptorOptions{DataType: "list", Choices: []string{"easy", "hard"}})
	require.NoError(t, err)
	_, err = c.Project.UpdateMetadataDescriptor(ctx, p.ID, d.ID, kitsu.MetadataDescriptorChanges{
		ForClient:   kitsu.Ptr(true),
		Departments: []string{departments[0].ID},
	})
	require.NoError(t, err)
	before, err := c.Project.GetMetadataDescriptor(ctx, p.ID, d.ID)
	require.NoError(t, err)
	require.Equal(t, "list", before.DataType)
	require.Equal(t, []string{"easy", "hard"}, before.Choices)
	require.True(t, before.ForClient)
	require.Equal(t, []string{departments[0].ID}, before.Departments)

	_, err = c.Project.UpdateMetadataDescriptor(ctx, p.ID, d.ID, kitsu.MetadataDescriptorChanges{Choices: []string{"easy", "medium", "hard"}})
	require.NoError(t, err)
	after, err := c.Project.GetMetadataDescriptor(ctx, p.ID, d.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, before, after, descriptorBase, func(d *kitsu.MetadataDescriptor) { d.Choices = []string{"easy", "medium", "hard"} })

	_, err = c.Project.UpdateMetadataDescriptor(ctx, p.ID, d.ID, kitsu.MetadataDescriptorChanges{Name: kitsu.Ptr("Complexity")})
	require.NoError(t, err)
	renamed, err := c.Project.GetMetadataDescriptor(ctx, p.ID, d.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, after, renamed, descriptorBase, func(d *kitsu.MetadataDescriptor) {
		d.Name, d.FieldName = "Complexity", "complexity"
	})

	_, err = c.Project.UpdateMetadataDescriptor(ctx, p.ID, d.ID, kitsu.MetadataDescriptorChanges{ForClient: kitsu.Ptr(false)})
	require.NoError(t, err)
	again, err := c.Project.GetMetadataDescriptor(ctx, p.ID, d.ID)
	require.NoError(t, err)
	requireOnlyChanged(t, renamed, again, descriptorBase, func(d *kitsu.MetadataDescriptor) { d.ForClient = false })
}

func descriptorBase(d *kitsu.MetadataDescriptor) *kitsu.Base { return &d.Base }

func TestProjectRemoveMetadataDescriptor(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := kitsutest.NewProject(t, c, false)

	keep, err := c.Project.AddMetadataDescriptor(ctx, p.ID, "Keep", "Asset", nil)
	require.NoError(t, err)
	gone, err := c.Project.AddMetadataDescriptor(ctx, p.ID, "Gone", "Asset", nil)
	require.NoError(t, err)

	require.NoError(t, c.Project.RemoveMetadataDescriptor(ctx, p.ID, gone.ID))
	_, err = c.Project.GetMetadataDescriptor(ctx, p.ID, gone.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	left, err := c.Project.AllMetadataDescriptors(ctx, p.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{keep.ID}, kitsutest.IDs(left, func(d *kitsu.MetadataDescriptor) string { return d.ID }))

	err = c.Project.RemoveMetadataDescriptor(ctx, p.ID, gone.ID)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	require.ErrorIs(t, c.Project.RemoveMetadataDescriptor(ctx, p.ID, ""), kitsu.ErrInvalidArgument)
	require.True(t, errors.Is(c.Project.RemoveMetadataDescriptor(ctx, "p", keep.ID), kitsu.ErrInvalidArgument))
}
