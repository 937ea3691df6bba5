package kitsu

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Models decode in one pass over the reply: each member whose name the
// model declares is decoded straight into its field, every other member
// into the model's Extra map. Models opt in with two short methods:
//
//	func (m *Asset) UnmarshalJSONFrom(dec *jsontext.Decoder) error { return decodeModel(dec, m) }
//	func (m Asset) MarshalJSONTo(enc *jsontext.Encoder) error {
//		type plain Asset
//		return encodeModel(enc, (*plain)(&m), m.Extra)
//	}

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

// encodeModel writes plain (a pointer to a method-less copy of a model
// type) followed by the extra members its type does not name.
func encodeModel(enc *jsontext.Encoder, plain any, extra map[string]any) error {
	b, err := json.Marshal(plain)
	if err != nil {
		return err
	}
	if len(extra) == 0 {
		return enc.WriteValue(b)
	}
	info := infoOf(reflect.TypeOf(plain).Elem())
	var buf bytes.Buffer
	buf.Write(bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}")))
	first := bytes.Equal(bytes.TrimSpace(b), []byte("{}"))
	for name, value := range extra {
		if _, named := info.fields[name]; named {
			continue // the field wins over a stale extra
		}
		k, err := json.Marshal(name)
		if err != nil {
			return err
		}
		val, err := json.Marshal(value)
		if err != nil {
			return fmt.Errorf("kitsu: extra field %q: %w", name, err)
		}
		if !first {
			buf.WriteByte(',')
		}
		first = false
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(val)
	}
	buf.WriteByte('}')
	return enc.WriteValue(buf.Bytes())
}
