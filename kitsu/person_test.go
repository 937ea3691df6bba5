package kitsu_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// personTestNew creates a uniquely named person through NewPerson and
// deletes them when the test ends.
func personTestNew(t *testing.T, c *kitsu.Client, opts *kitsu.NewPersonOptions) *kitsu.Person {
	t.Helper()
	p, err := c.Person.NewPerson(kitsutest.Context(t), "Kp"+strings.Fields(kitsutest.Unique("x"))[1], "Tester", kitsutest.UniqueEmail("kpublish person"), opts)
	require.NoError(t, err)
	kitsutest.RemovePersonOnCleanup(t, c, p.ID)
	return p
}

func personTestDepartment(t *testing.T, c *kitsu.Client) kitsu.Department {
	t.Helper()
	deps, err := c.Person.AllDepartments(kitsutest.Context(t))
	require.NoError(t, err)
	require.NotEmpty(t, deps, "Zou comes with departments")
	return deps[0]
}

func TestPersonNewPerson(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	dep := personTestDepartment(t, c)
	email := kitsutest.UniqueEmail("kpublish new person")
	login := strings.ReplaceAll(kitsutest.Unique("jdoe"), " ", "")

	p, err := c.Person.NewPerson(ctx, "Jane", "Doe", email, &kitsu.NewPersonOptions{
		Phone: "+33 1 23 45 67 89", Role: "supervisor", DesktopLogin: login,
		Departments: []string{dep.ID}, ContractType: "freelance", Password: "a long secret 42!",
	})
	require.NoError(t, err)
	kitsutest.RemovePersonOnCleanup(t, c, p.ID)
	assert.Len(t, p.ID, 36)
	assert.Equal(t, "Person", p.Type)
	assert.Equal(t, "Jane", p.FirstName)
	assert.Equal(t, "Doe", p.LastName)
	assert.Equal(t, "Jane Doe", p.FullName)
	assert.Equal(t, email, p.Email)
	assert.Equal(t, "+33 1 23 45 67 89", p.Phone)
	assert.Equal(t, "supervisor", p.Role)
	assert.Equal(t, login, p.DesktopLogin)
	assert.Equal(t, []string{dep.ID}, p.Departments)
	assert.Equal(t, "freelance", p.ContractType)
	assert.True(t, p.Active)
	assert.False(t, p.IsBot)
	assert.NotContains(t, p.Extra, "password", "Zou never sends the password back")

	// Get-or-create: the same email gives the same person, unchanged.
	again, err := c.Person.NewPerson(ctx, "John", "Smith", email, nil)
	require.NoError(t, err)
	assert.Equal(t, p.ID, again.ID)
	assert.Equal(t, "Jane", again.FirstName)

	// gazu's defaults.
	d := personTestNew(t, c, nil)
	assert.Equal(t, "user", d.Role)
	assert.Equal(t, "open-ended", d.ContractType)
	assert.True(t, d.Active)
	assert.Empty(t, d.Departments)
	assert.Empty(t, d.Phone)

	inactive := personTestNew(t, c, &kitsu.NewPersonOptions{Inactive: true})
	assert.False(t, inactive.Active)

	_, err = c.Person.NewPerson(ctx, "Jane", "Doe", "jane.example.com", nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Contains(t, err.Error(), "email")
	_, err = c.Person.NewPerson(ctx, "", "Doe", kitsutest.UniqueEmail("kpublish new person"), nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Person.NewPerson(ctx, "Jane", "Doe", kitsutest.UniqueEmail("kpublish new person"), &kitsu.NewPersonOptions{Departments: []string{"Modeling"}})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	// Zou checks the role.
	_, err = c.Person.NewPerson(ctx, "Jane", "Doe", kitsutest.UniqueEmail("kpublish new person"), &kitsu.NewPersonOptions{Role: "overlord"})
	require.ErrorIs(t, err, kitsu.ErrParameter)
}

func TestPersonGetPerson(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	dep := personTestDepartment(t, c)
	p := personTestNew(t, c, &kitsu.NewPersonOptions{Departments: []string{dep.ID}})

	got, err := c.Person.GetPerson(ctx, p.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, p.ID, got.ID)
	assert.Equal(t, p.Email, got.Email)
	assert.Equal(t, p.FullName, got.FullName)
	assert.Empty(t, got.Departments, "relations are left out by default")

	got, err = c.Person.GetPerson(ctx, p.ID, &kitsu.GetPersonOptions{Relations: true})
	require.NoError(t, err)
	assert.Equal(t, p.ID, got.ID)
	assert.Equal(t, []string{dep.ID}, got.Departments)

	_, err = c.Person.GetPerson(ctx, projectTestUnknownID, nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), projectTestUnknownID)
	_, err = c.Person.GetPerson(ctx, p.Email, nil)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestPersonGetPersonByEmail(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := personTestNew(t, c, nil)

	got, err := c.Person.GetPersonByEmail(ctx, p.Email)
	require.NoError(t, err)
	assert.Equal(t, p.ID, got.ID)
	assert.Equal(t, p.Email, got.Email)

	missing := kitsutest.UniqueEmail("kpublish nobody")
	_, err = c.Person.GetPersonByEmail(ctx, missing)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), missing)
	_, err = c.Person.GetPersonByEmail(ctx, "")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Person.GetPersonByEmail(ctx, "nobody@")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestPersonGetPersonByDesktopLogin(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	login := strings.ReplaceAll(kitsutest.Unique("kp.login"), " ", "")
	p := personTestNew(t, c, &kitsu.NewPersonOptions{DesktopLogin: login})

	got, err := c.Person.GetPersonByDesktopLogin(ctx, login)
	require.NoError(t, err)
	assert.Equal(t, p.ID, got.ID)
	assert.Equal(t, login, got.DesktopLogin)

	_, err = c.Person.GetPersonByDesktopLogin(ctx, strings.ToUpper(login))
	require.ErrorIs(t, err, kitsu.ErrNotFound, "the match is exact")
	_, err = c.Person.GetPersonByDesktopLogin(ctx, login+"x")
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), login+"x")
	_, err = c.Person.GetPersonByDesktopLogin(ctx, "")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestPersonGetPersonByFullName(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := personTestNew(t, c, nil)
	require.Equal(t, p.FirstName+" "+p.LastName, p.FullName)

	got, err := c.Person.GetPersonByFullName(ctx, p.FullName, nil)
	require.NoError(t, err)
	assert.Equal(t, p.ID, got.ID)

	got, err = c.Person.GetPersonByFullName(ctx, "", &kitsu.GetPersonByFullNameOptions{FirstName: p.FirstName, LastName: p.LastName})
	require.NoError(t, err)
	assert.Equal(t, p.ID, got.ID)

	// Zou matches the full name exactly.
	_, err = c.Person.GetPersonByFullName(ctx, strings.ToLower(p.FullName), nil)
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	assert.Contains(t, err.Error(), strings.ToLower(p.FullName))
	_, err = c.Person.GetPersonByFullName(ctx, "", &kitsu.GetPersonByFullNameOptions{FirstName: p.FirstName, LastName: "Nobody"})
	require.ErrorIs(t, err, kitsu.ErrNotFound)
	// Only one part of the name: the full name is needed.
	_, err = c.Person.GetPersonByFullName(ctx, "", &kitsu.GetPersonByFullNameOptions{FirstName: p.FirstName})
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestPersonAllPersons(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	a := personTestNew(t, c, nil)
	b := personTestNew(t, c, &kitsu.NewPersonOptions{Inactive: true})

	all, err := c.Person.AllPersons(kitsutest.Context(t))
	require.NoError(t, err)
	ids := kitsutest.IDs(all, func(p *kitsu.Person) string { return p.ID })
	assert.Contains(t, ids, a.ID)
	assert.Contains(t, ids, b.ID, "inactive persons are listed too")
	emails := kitsutest.IDs(all, func(p *kitsu.Person) string { return p.Email })
	assert.Contains(t, emails, a.Email, "an admin sees the emails")
	assertSortedByName(t, all, func(p *kitsu.Person) string { return p.FullName })
}

func TestPersonAllDepartments(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	var dep kitsu.Department
	require.NoError(t, c.Create(ctx, "departments", map[string]any{"name": kitsutest.Unique("Kp Layout"), "color": "#123456"}, &dep))
	t.Cleanup(func() { _, _ = c.Delete(context.Background(), "data/departments/"+dep.ID, nil) })

	all, err := c.Person.AllDepartments(ctx)
	require.NoError(t, err)
	var found *kitsu.Department
	for i := range all {
		if all[i].ID == dep.ID {
			found = &all[i]
		}
	}
	require.NotNil(t, found, "the new department is listed")
	assert.Equal(t, dep.Name, found.Name)
	assert.Equal(t, "#123456", found.Color)
	assert.Contains(t, kitsutest.IDs(all, func(d *kitsu.Department) string { return d.Name }), "Modeling")
	assertSortedByName(t, all, func(d *kitsu.Department) string { return d.Name })
}

func TestPersonAllOrganisations(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	all, err := c.Person.AllOrganisations(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, all)
	mine, err := c.Person.GetOrganisation(ctx)
	require.NoError(t, err)
	assert.Contains(t, kitsutest.IDs(all, func(o *kitsu.Organisation) string { return o.ID }), mine.ID)
	for _, o := range all {
		assert.Equal(t, "Organisation", o.Type)
		assert.NotEmpty(t, o.Name)
	}
	assertSortedByName(t, all, func(o *kitsu.Organisation) string { return o.Name })
}

func TestPersonGetOrganisation(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	o, err := c.Person.GetOrganisation(kitsutest.Context(t))
	require.NoError(t, err)
	assert.Len(t, o.ID, 36)
	assert.Equal(t, "Organisation", o.Type)
	assert.NotEmpty(t, o.Name)
	assert.Greater(t, o.HoursByDay, 0.0)

	// A client logged out is refused.
	out, err := kitsu.NewClient(c.GetHost())
	require.NoError(t, err)
	_, err = out.Person.GetOrganisation(kitsutest.Context(t))
	require.ErrorIs(t, err, kitsu.ErrNotAuthenticated)
}

func TestPersonGetPersonURL(t *testing.T) {
	t.Parallel()
	c, err := kitsu.NewClient("https://kitsu.example.com/api")
	require.NoError(t, err)
	id := "5f1ad35b-2f63-4b8e-a4b4-2b1f0cbb0d1e"

	u, err := c.Person.GetPersonURL(id)
	require.NoError(t, err)
	assert.Equal(t, "https://kitsu.example.com/people/"+id+"/", u)

	_, err = c.Person.GetPersonURL("jane@example.com")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Person.GetPersonURL("")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}

func TestPersonGetPresenceLog(t *testing.T) {
	t.Parallel()
	c := kitsutest.Client(t)
	ctx := kitsutest.Context(t)
	p := personTestNew(t, c, nil)
	// February 2024 has 29 days; the person logs in on the 3rd and the 29th.
	for _, date := range []string{"2024-02-03T09:00:00", "2024-02-29T18:30:00", "2024-03-01T08:00:00"} {
		require.NoError(t, c.Post(ctx, "data/persons/"+p.ID+"/desktop-login-logs", map[string]any{"date": date}, nil, nil))
	}

	log, err := c.Person.GetPresenceLog(ctx, 2024, time.February)
	require.NoError(t, err)
	assert.Equal(t, 2024, log.Year)
	assert.Equal(t, time.February, log.Month)
	header, _, _ := strings.Cut(log.CSV, "\n")
	assert.Equal(t, "2024;1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18;19;20;21;22;23;24;25;26;27;28;29", strings.TrimSpace(header))
	var row *kitsu.PresenceRow
	for i := range log.Rows {
		if log.Rows[i].FullName == p.FullName {
			row = &log.Rows[i]
		}
	}
	require.NotNil(t, row, "every active person has a row")
	assert.Equal(t, []int{3, 29}, row.Days, "a login of March is not on February's sheet")

	// A month with no login gives an empty row, not a missing one.
	log, err = c.Person.GetPresenceLog(ctx, 2023, 7)
	require.NoError(t, err)
	found := false
	for _, r := range log.Rows {
		if r.FullName == p.FullName {
			found = true
			assert.Empty(t, r.Days)
		}
	}
	assert.True(t, found)

	_, err = c.Person.GetPresenceLog(ctx, 2024, 13)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Person.GetPresenceLog(ctx, 2024, 0)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = c.Person.GetPresenceLog(ctx, -1, time.May)
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
}
