package kitsu

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// This file holds gazu's person module: the studio's people, departments
// and organisation, and the presence log.

// PresenceLog is the presence table of one month: for each active person,
// the days on which a desktop login was recorded.
type PresenceLog struct {
	Year  int
	Month time.Month
	// Rows has one row per active person, in Zou's order.
	Rows []PresenceRow
	// CSV is the table as Zou sends it (semicolon-separated: a header of
	// the year and the day numbers, then one line per person with "X" on
	// the days present), which is what gazu returns.
	CSV string
}

// PresenceRow is one person's line of a PresenceLog.
type PresenceRow struct {
	// FullName is the person's full name, the only key Zou gives.
	FullName string
	// Days are the days of the month (1 to 31) the person was present.
	Days []int
}

// AllDepartments returns the studio's departments, sorted by name.
//
// It calls GET /data/departments and mirrors gazu.person.all_departments.
func (s *PersonService) AllDepartments(ctx context.Context) ([]Department, error) {
	departments, err := list[Department](ctx, (*service)(s), "data/departments", nil)
	if err != nil {
		return nil, err
	}
	sortByName(departments, func(d *Department) string { return d.Name })
	return departments, nil
}

// AllOrganisations returns the organisation records (Zou keeps one),
// sorted by name.
//
// It calls GET /data/organisations and mirrors gazu.person.all_organisations.
func (s *PersonService) AllOrganisations(ctx context.Context) ([]Organisation, error) {
	organisations, err := list[Organisation](ctx, (*service)(s), "data/organisations", nil)
	if err != nil {
		return nil, err
	}
	sortByName(organisations, func(o *Organisation) string { return o.Name })
	return organisations, nil
}

// AllPersons returns the studio's people and bots, sorted by full name.
// Zou gives non-admins only a few fields of each (no email, no phone).
//
// It calls GET /data/persons and mirrors gazu.person.all_persons. Gazu
// sorts on a "name" key persons do not have, which leaves Zou's order;
// this sorts on FullName as intended.
func (s *PersonService) AllPersons(ctx context.Context) ([]Person, error) {
	persons, err := list[Person](ctx, (*service)(s), "data/persons", nil)
	if err != nil {
		return nil, err
	}
	sortByName(persons, func(p *Person) string { return p.FullName })
	return persons, nil
}

// GetOrganisation returns the organisation of the logged-in user: the
// studio's name and settings.
//
// It calls GET /auth/authenticated and mirrors gazu.person.get_organisation.
func (s *PersonService) GetOrganisation(ctx context.Context) (*Organisation, error) {
	var reply struct {
		Organisation *Organisation `json:"organisation"`
	}
	if err := (*service)(s).get(ctx, "auth/authenticated", nil, &reply); err != nil {
		return nil, err
	}
	if reply.Organisation == nil {
		return nil, fmt.Errorf("%w: the server names no organisation for the logged-in user", ErrNotFound)
	}
	return reply.Organisation, nil
}

// GetPersonOptions are the optional parts of GetPerson. The zero value
// leaves relations out, as gazu's relations=False.
type GetPersonOptions struct {
	// Relations adds the ids of the person's departments (Departments).
	Relations bool
}

// GetPerson returns the person with the given id, or an error matching
// ErrNotFound.
//
// It calls GET /data/persons?id=[&relations=true] and mirrors
// gazu.person.get_person: like gazu 1.1.12 it asks the list route (which
// gives non-admins the same few fields as AllPersons), where older gazu
// asked GET /data/persons/{id}.
func (s *PersonService) GetPerson(ctx context.Context, personID string, opts *GetPersonOptions) (*Person, error) {
	if err := checkID("person id", personID); err != nil {
		return nil, err
	}
	query := q("id", personID)
	if opts != nil && opts.Relations {
		query.Set("relations", "true")
	}
	return first[Person](ctx, (*service)(s), "data/persons", query, "no person with id "+personID)
}

// GetPersonByDesktopLogin returns the person (not a bot) whose desktop
// login (the account name on their workstation) is the one given, or an
// error matching ErrNotFound. The match is exact.
//
// It calls GET /data/persons?desktop_login=&is_bot=false and mirrors
// gazu.person.get_person_by_desktop_login.
func (s *PersonService) GetPersonByDesktopLogin(ctx context.Context, desktopLogin string) (*Person, error) {
	if err := checkName("desktop login", desktopLogin); err != nil {
		return nil, err
	}
	return first[Person](ctx, (*service)(s), "data/persons", q("desktop_login", desktopLogin, "is_bot", "false"),
		fmt.Sprintf("no person with desktop login %q", desktopLogin))
}

// GetPersonByEmail returns the person (not a bot) with the given email
// address, or an error matching ErrNotFound. The match is exact.
//
// It calls GET /data/persons?email=&is_bot=false and mirrors
// gazu.person.get_person_by_email.
func (s *PersonService) GetPersonByEmail(ctx context.Context, email string) (*Person, error) {
	if err := checkEmail(email); err != nil {
		return nil, err
	}
	return first[Person](ctx, (*service)(s), "data/persons", q("email", email, "is_bot", "false"),
		fmt.Sprintf("no person with email %q", email))
}

// checkEmail refuses what cannot be an email address.
func checkEmail(email string) error {
	at := strings.LastIndex(email, "@")
	if strings.TrimSpace(email) != email || at < 1 || at == len(email)-1 {
		return invalidArg("email", email, "an email address such as jane@example.com")
	}
	return nil
}

// GetPersonByFullNameOptions are the optional parts of GetPersonByFullName.
// The zero value matches on the full name, as gazu's first_name=None,
// last_name=None.
type GetPersonByFullNameOptions struct {
	// FirstName and LastName, when both are set, are matched instead of
	// the full name (fullName may then be empty).
	FirstName string
	LastName  string
}

// GetPersonByFullName returns the person (not a bot) whose full name
// ("First Last") is the one given, or an error matching ErrNotFound. Zou
// matches exactly, case included.
//
// It calls GET /data/persons?full_name=&is_bot=false (or
// ?first_name=&last_name=&is_bot=false) and mirrors
// gazu.person.get_person_by_full_name as of gazu 1.1.12; the gazu of the
// seed documentation listed every person and compared names on the
// client, without regard to case.
func (s *PersonService) GetPersonByFullName(ctx context.Context, fullName string, opts *GetPersonByFullNameOptions) (*Person, error) {
	if opts != nil && opts.FirstName != "" && opts.LastName != "" {
		return first[Person](ctx, (*service)(s), "data/persons",
			q("first_name", opts.FirstName, "last_name", opts.LastName, "is_bot", "false"),
			fmt.Sprintf("no person with first name %q and last name %q", opts.FirstName, opts.LastName))
	}
	if err := checkName("full name", fullName); err != nil {
		return nil, err
	}
	return first[Person](ctx, (*service)(s), "data/persons", q("full_name", fullName, "is_bot", "false"),
		fmt.Sprintf("no person with full name %q", fullName))
}

// GetPersonURL returns the address of a person's page in the Kitsu web
// application: {site}/people/{person_id}/, where site is the API host
// without its /api suffix. No request is sent.
//
// It mirrors gazu.person.get_person_url.
func (s *PersonService) GetPersonURL(personID string) (string, error) {
	if err := checkID("person id", personID); err != nil {
		return "", err
	}
	return s.c.webURL("people", personID) + "/", nil
}

// GetPresenceLog returns the presence table of a month: for each active
// person, the days a desktop login was recorded for them. Zou serves it to
// admins only.
//
// It calls GET /data/persons/presence-logs/{YYYY}-{MM} and mirrors
// gazu.person.get_presence_log, which returns the CSV text (kept here in
// PresenceLog.CSV).
func (s *PersonService) GetPresenceLog(ctx context.Context, year int, month time.Month) (*PresenceLog, error) {
	if year < 1 || year > 9999 {
		return nil, invalidArg("year", year, "a year from 1 to 9999")
	}
	if month < time.January || month > time.December {
		return nil, invalidArg("month", int(month), "a month from 1 to 12")
	}
	path := pathOf("data/persons/presence-logs", fmt.Sprintf("%04d-%02d", year, int(month)))
	var text string
	if err := (*service)(s).get(ctx, path, nil, &text); err != nil {
		return nil, err
	}
	log := &PresenceLog{Year: year, Month: month, Rows: []PresenceRow{}, CSV: text}
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = ';'
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return nil, &Error{StatusCode: http.StatusOK, Method: http.MethodGet, URL: s.c.GetFullURL(path),
			Message: "the presence log is not the CSV expected: " + err.Error(), Err: ErrServer}
	}
	for i, rec := range records {
		if i == 0 || len(rec) == 0 {
			continue // the header: the year, then the day numbers
		}
		row := PresenceRow{FullName: rec[0], Days: []int{}}
		for day := 1; day < len(rec); day++ {
			if strings.TrimSpace(rec[day]) != "" {
				row.Days = append(row.Days, day)
			}
		}
		log.Rows = append(log.Rows, row)
	}
	return log, nil
}

// NewPersonOptions are the optional parts of NewPerson. The zero value
// gives gazu's defaults: an active "user" (artist) with an open-ended
// contract, no phone, desktop login, departments or password.
type NewPersonOptions struct {
	Phone string
	// Role is "user" when empty; Zou also knows "admin", "supervisor",
	// "manager", "client" and "vendor".
	Role         string
	DesktopLogin string
	// Departments are the ids of the person's departments.
	Departments []string
	// Password is the person's password; empty sends none (null), and
	// the person must then set one through Kitsu's password reset.
	Password string
	// Inactive creates the person inactive (gazu's active=False): they
	// cannot log in, and Zou does not count them against the licence's
	// user limit.
	Inactive bool
	// ContractType is "open-ended" when empty; Zou also knows
	// "fixed-term", "short-term", "freelance", "apprentice" and
	// "internship".
	ContractType string
}

// NewPerson returns the person (not a bot) with the given email, creating
// them first when there is none (get-or-create, as gazu does: an existing
// person is returned as they are, whatever the other arguments say).
// Zou refuses new active persons with ErrParameter ("User limit reached")
// when the licence is full.
//
// It calls GET /data/persons?email=&is_bot=false then, only when nothing
// was found, POST /data/persons, and mirrors gazu.person.new_person. The
// gazu of the seed documentation posted to /data/persons/new, which Zou
// no longer serves (405).
func (s *PersonService) NewPerson(ctx context.Context, firstName, lastName, email string, opts *NewPersonOptions) (*Person, error) {
	if err := checkName("first name", firstName); err != nil {
		return nil, err
	}
	if err := checkEmail(email); err != nil {
		return nil, err
	}
	var o NewPersonOptions
	if opts != nil {
		o = *opts
	}
	if o.Role == "" {
		o.Role = "user"
	}
	if o.ContractType == "" {
		o.ContractType = "open-ended"
	}
	for _, id := range o.Departments {
		if err := checkID("department id", id); err != nil {
			return nil, err
		}
	}
	existing, err := s.GetPersonByEmail(ctx, email)
	if err == nil {
		return existing, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	body := map[string]any{
		"first_name":    firstName,
		"last_name":     lastName,
		"email":         email,
		"phone":         o.Phone,
		"role":          o.Role,
		"desktop_login": o.DesktopLogin,
		"departments":   idList(o.Departments),
		"password":      nil,
		"active":        !o.Inactive,
		"contract_type": o.ContractType,
	}
	if o.Password != "" {
		body["password"] = o.Password
	}
	var p Person
	if err := (*service)(s).post(ctx, "data/persons", body, &p); err != nil {
		return nil, err
	}
	return &p, nil
}
