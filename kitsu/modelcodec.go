package kitsu

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"
	"unique"
	"unsafe"

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
//
// A large listing repeats the same few ids in every record (project_id,
// task_type_id, the assignees...): those strings are interned (unique.Make),
// so 50,000 tasks hold each once, and timestamps are parsed from the
// decoder's buffer without a copy.

// modelInfo maps the JSON member names of a model type to its fields.
type modelInfo struct {
	fields map[string]fieldInfo
	extra  []int // index of Base.Extra
}

// fieldInfo locates a field and says how to decode it: plain kinds are
// read straight from the token stream, others through the JSON package.
type fieldInfo struct {
	index []int
	kind  fieldKind
	// intern marks the strings that repeat across records (the ids of
	// other records, such as project_id, and type): equal values share
	// one copy, so a large listing holds each once.
	intern bool
}

type fieldKind int

const (
	kindOther fieldKind = iota
	kindString
	kindBool
	kindInt
	kindFloat
	kindTime
	kindStrings
)

var (
	modelInfos  sync.Map // reflect.Type -> *modelInfo
	timeType    = reflect.TypeFor[Time]()
	stringsType = reflect.TypeFor[[]string]()
)

func kindOf(t reflect.Type) fieldKind {
	switch {
	case t == timeType:
		return kindTime
	case t == stringsType:
		return kindStrings
	}
	switch t.Kind() {
	case reflect.String:
		return kindString
	case reflect.Bool:
		return kindBool
	case reflect.Int, reflect.Int64, reflect.Int32:
		return kindInt
	case reflect.Float64:
		return kindFloat
	}
	return kindOther
}

func infoOf(t reflect.Type) *modelInfo {
	if v, ok := modelInfos.Load(t); ok {
		return v.(*modelInfo)
	}
	info := &modelInfo{fields: map[string]fieldInfo{}}
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
			if prev, dup := info.fields[name]; !dup || len(index) < len(prev.index) {
				kind := kindOf(f.Type)
				intern := kind == kindString && (strings.HasSuffix(name, "_id") || name == "type")
				info.fields[name] = fieldInfo{index: index, kind: kind, intern: intern} // the shallower field wins, as in encoding/json
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
	var nameBuf []byte
	for dec.PeekKind() != '}' {
		rawName, err := dec.ReadValue()
		if err != nil {
			return err
		}
		name := rawName[1 : len(rawName)-1]
		if bytes.IndexByte(name, '\\') >= 0 {
			if nameBuf, err = jsontext.AppendUnquote(nameBuf[:0], rawName); err != nil {
				return err
			}
			name = nameBuf
		}
		if fi, ok := info.fields[string(name)]; ok {
			if fi.intern {
				if err := decodeInterned(dec, v.FieldByIndex(fi.index)); err != nil {
					return fmt.Errorf("kitsu: %s.%s: %w", v.Type().Name(), name, err)
				}
				continue
			}
			if err := decodeField(dec, v.FieldByIndex(fi.index), fi.kind); err != nil {
				return fmt.Errorf("kitsu: %s.%s: %w", v.Type().Name(), name, err)
			}
			continue
		}
		if info.extra == nil {
			if err := dec.SkipValue(); err != nil {
				return err
			}
			continue
		}
		key := string(name)
		var value any
		if err := json.UnmarshalDecode(dec, &value); err != nil {
			return err
		}
		if extra == nil {
			extra = map[string]any{}
		}
		extra[key] = value
	}
	if _, err := dec.ReadToken(); err != nil {
		return err
	}
	if info.extra != nil {
		v.FieldByIndex(info.extra).Set(reflect.ValueOf(extra))
	}
	return nil
}

// decodeField reads one member's value into f. null leaves f as it is.
func decodeField(dec *jsontext.Decoder, f reflect.Value, kind fieldKind) error {
	if kind == kindOther {
		return json.UnmarshalDecode(dec, f.Addr().Interface())
	}
	if kind == kindTime {
		return decodeTime(dec, f.Addr().Interface().(*Time))
	}
	if kind == kindStrings {
		if dec.PeekKind() == 'n' {
			_, err := dec.ReadToken()
			return err
		}
		if dec.PeekKind() != '[' {
			return fmt.Errorf("want a list of strings, got %s", dec.PeekKind())
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		list := []string{}
		for dec.PeekKind() != ']' {
			// The lists Zou sends are mostly ids of other records
			// (assignees, mentions): equal ones share one copy.
			var s string
			switch k := dec.PeekKind(); k {
			case 'n':
				if _, err := dec.ReadToken(); err != nil {
					return err
				}
			case '"':
				var err error
				if s, err = readInterned(dec); err != nil {
					return err
				}
			default:
				return fmt.Errorf("want a list of strings, got %s in it", k)
			}
			list = append(list, s)
		}
		if _, err := dec.ReadToken(); err != nil {
			return err
		}
		f.Set(reflect.ValueOf(list))
		return nil
	}
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	k := tok.Kind()
	if k == 'n' {
		return nil
	}
	switch kind {
	case kindString:
		if k != '"' {
			return fmt.Errorf("want a string, got %s", k)
		}
		f.SetString(tok.String())
	case kindBool:
		if k != 't' && k != 'f' {
			return fmt.Errorf("want true or false, got %s", k)
		}
		f.SetBool(tok.Bool())
	case kindInt:
		if k != '0' {
			return fmt.Errorf("want a number, got %s", k)
		}
		n, err := tok.Int()
		if err != nil {
			fl, ferr := tok.Float()
			if ferr != nil || fl != float64(int64(fl)) {
				return fmt.Errorf("want a whole number: %w", err)
			}
			n = int64(fl)
		}
		f.SetInt(n)
	case kindFloat:
		if k != '0' {
			return fmt.Errorf("want a number, got %s", k)
		}
		fl, err := tok.Float()
		if err != nil {
			return err
		}
		f.SetFloat(fl)
	}
	return nil
}

// decodeTime reads a timestamp member into t. null leaves t as it is.
// Zou's usual form is parsed from the decoder's buffer, with no copy.
func decodeTime(dec *jsontext.Decoder, t *Time) error {
	raw, err := dec.ReadValue()
	if err != nil {
		return err
	}
	switch raw.Kind() {
	case 'n':
		return nil
	case '"':
	default:
		return fmt.Errorf("want a timestamp string, got %s", raw.Kind())
	}
	text := raw[1 : len(raw)-1]
	if len(text) == len(zouTimeLayout) && bytes.IndexByte(text, '\\') < 0 {
		// time.Parse keeps nothing of a layout without zone names.
		if v, err := time.Parse(zouTimeLayout, unsafe.String(unsafe.SliceData(text), len(text))); err == nil {
			t.Time = v
			return nil
		}
	}
	s, err := jsontext.AppendUnquote(nil, raw)
	if err != nil {
		return err
	}
	return t.parse(string(s))
}

// decodeInterned reads a string member into f, sharing the copy of equal
// strings read before (see fieldInfo.intern). null leaves f as it is.
func decodeInterned(dec *jsontext.Decoder, f reflect.Value) error {
	if k := dec.PeekKind(); k != '"' {
		if k == 'n' {
			_, err := dec.ReadToken()
			return err
		}
		return fmt.Errorf("want a string, got %s", k)
	}
	text, err := readInterned(dec)
	if err != nil {
		return err
	}
	f.SetString(text)
	return nil
}

// readInterned reads a JSON string and returns the one shared copy of its
// text.
func readInterned(dec *jsontext.Decoder) (string, error) {
	raw, err := dec.ReadValue()
	if err != nil {
		return "", err
	}
	if len(raw) < 2 || raw[0] != '"' {
		return "", fmt.Errorf("want a string, got %s", raw.Kind())
	}
	text := raw[1 : len(raw)-1]
	if bytes.IndexByte(text, '\\') >= 0 {
		if text, err = jsontext.AppendUnquote(nil, raw); err != nil {
			return "", err
		}
	}
	// unique.Make copies a string it has not seen, so the view of the
	// decoder's buffer is never kept.
	return unique.Make(unsafe.String(unsafe.SliceData(text), len(text))).Value(), nil
}
