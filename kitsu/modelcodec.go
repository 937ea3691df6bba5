package kitsu

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Models decode in one pass over the reply: each member whose name the
// model declares is decoded straight into its field, every other member
// into the model's Extra map. A model opts in with one method:
//
//	func (m *Asset) UnmarshalJSONFrom(d *jsontext.Decoder) error { return decodeModel(d, m) }
//
// Encoding is the plain struct encoding: Extra is not written.

// modelInfo maps the JSON member names of a model type to its fields.
type modelInfo struct {
	fields map[string][]int
	extra  []int // index of Base.Extra
}

var modelInfos sync.Map // reflect.Type -> *modelInfo

func infoOf(t reflect.Type) *modelInfo {
	if v, ok := modelInfos.Load(t); ok {
		return v.(*modelInfo)
	}
	info := &modelInfo{fields: map[string][]int{}}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := range t.NumField() {
			f := t.Field(i)
			index := append(append([]int(nil), prefix...), i)
			tag := f.Tag.Get("json")
			if f.Anonymous && tag == "" && f.Type.Kind() == reflect.Struct {
				walk(f.Type, index)
				continue
			}
			if f.Name == "Extra" && tag == "-" {
				info.extra = index
				continue
			}
			if !f.IsExported() || tag == "-" {
				continue
			}
			name, _, _ := strings.Cut(tag, ",")
			if name == "" {
				name = f.Name
			}
			if _, dup := info.fields[name]; !dup || len(index) < len(info.fields[name]) {
				info.fields[name] = index // the shallower field wins, as in encoding/json
			}
		}
	}
	walk(t, nil)
	v, _ := modelInfos.LoadOrStore(t, info)
	return v.(*modelInfo)
}

// decodeModel decodes one JSON object into the struct m points to.
func decodeModel(dec *jsontext.Decoder, m any) error {
	v := reflect.ValueOf(m).Elem()
	info := infoOf(v.Type())
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		return nil
	case '{':
	default:
		return fmt.Errorf("kitsu: %s: want a JSON object, got %s", v.Type().Name(), tok.Kind())
	}
	var extra map[string]any
	for dec.PeekKind() != '}' {
		nameTok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		name := nameTok.String()
		if index, ok := info.fields[name]; ok {
			if err := json.UnmarshalDecode(dec, v.FieldByIndex(index).Addr().Interface()); err != nil {
				return fmt.Errorf("kitsu: %s.%s: %w", v.Type().Name(), name, err)
			}
			continue
		}
		var value any
		if err := json.UnmarshalDecode(dec, &value); err != nil {
			return err
		}
		if info.extra == nil {
			continue
		}
		if extra == nil {
			extra = map[string]any{}
		}
		extra[name] = value
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	if info.extra != nil {
		v.FieldByIndex(info.extra).Set(reflect.ValueOf(extra))
	}
	return nil
}
