package kitsu

import (
	"bytes"

	"fmt"
	"github.com/go-json-experiment/json/jsontext"
	"strings"
	"time"
)

// Base holds what every Kitsu record has: its id, its type name, its
// timestamps, and every field Zou sent that the model does not name
// (Extra), so nothing the server says is lost.
type Base struct {
	ID        string `json:"id,omitempty"`
	Type      string `json:"type,omitempty"`
	CreatedAt Time   `json:"created_at,omitzero"`
	UpdatedAt Time   `json:"updated_at,omitzero"`
	// Extra holds the fields of the reply that the model has no field for,
	// decoded as JSON values (string, float64, bool, nil, []any,
	// map[string]any). They are written back when the model is encoded.
	Extra map[string]any `json:"-"`
}

// Time is a Zou timestamp. Zou writes them in UTC without a zone
// ("2026-11-29T02:14:24"); Time reads that form, with or without fraction
// and zone, and writes it back the same way.
type Time struct{ time.Time }

const zouTimeLayout = "2006-01-02T15:04:05"

// MarshalJSON writes the time as Zou does, in UTC without zone.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.UTC().Format(zouTimeLayout) + `"`), nil
}

// UnmarshalJSON reads Zou's timestamps; null and "" give the zero Time.
func (t *Time) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.Time = time.Time{}
		return nil
	}
	s := strings.Trim(string(b), `"`)
	if s == "" {
		t.Time = time.Time{}
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02"} {
		if v, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			t.Time = v.UTC()
			return nil
		}
	}
	return fmt.Errorf("kitsu: timestamp %q: want the form 2006-01-02T15:04:05", s)
}

// Person is a member of the studio, or a bot.
type Person struct {
	Base
	FirstName     string         `json:"first_name,omitempty"`
	LastName      string         `json:"last_name,omitempty"`
	FullName      string         `json:"full_name,omitempty"`
	Email         string         `json:"email,omitempty"`
	Phone         string         `json:"phone,omitempty"`
	DesktopLogin  string         `json:"desktop_login,omitempty"`
	Role          string         `json:"role,omitempty"`
	Active        bool           `json:"active"`
	Archived      bool           `json:"archived"`
	IsBot         bool           `json:"is_bot"`
	Timezone      string         `json:"timezone,omitempty"`
	Locale        string         `json:"locale,omitempty"`
	StudioID      string         `json:"studio_id,omitempty"`
	Departments   []string       `json:"departments,omitempty"`
	Position      string         `json:"position,omitempty"`
	Seniority     string         `json:"seniority,omitempty"`
	HasAvatar     bool           `json:"has_avatar"`
	LastPresence  string         `json:"last_presence,omitempty"`
	Data          map[string]any `json:"data,omitempty"`
	ExpirationDay string         `json:"expiration_date,omitempty"`
}

// UnmarshalJSONFrom decodes a person, keeping unnamed fields in Extra.
func (m *Person) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return decodeModel(dec, m) }

// MarshalJSONTo encodes a person with its Extra fields.
func (m Person) MarshalJSONTo(enc *jsontext.Encoder) error {
	type plain Person
	return encodeModel(enc, (*plain)(&m), m.Extra)
}
