package filetree

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// Kind is the kind of entity a template is for: the keys of a tree's
// folder_path and file_name sections.
type Kind string

// The entity kinds Zou chooses templates for. Entities of any other type
// (edits, concepts...) use the asset templates, as in Zou.
const (
	KindAsset         Kind = "asset"
	KindShot          Kind = "shot"
	KindSequence      Kind = "sequence"
	KindScene         Kind = "scene"
	KindEpisode       Kind = "episode"
	KindInstance      Kind = "instance"       // an asset instance in a shot or scene
	KindInstanceAsset Kind = "instance_asset" // an asset instance inside another asset
)

// Kinds lists every kind, in the order Parse tries them.
var Kinds = []Kind{KindShot, KindAsset, KindSequence, KindScene, KindEpisode, KindInstance, KindInstanceAsset}

func knownKind(k string) bool { return slices.Contains(Kinds, Kind(k)) }

// Style is the letter case a tree gives to rendered values.
type Style string

// Styles Zou knows. Any other value leaves values as slugify makes them
// (lower case) in folders, and file names as slugify makes them.
const (
	StyleLowercase Style = "lowercase"
	StyleUppercase Style = "uppercase"
)

// apply gives a slug (always lower case, ASCII) the style's case: only
// uppercase changes it.
func (s Style) apply(v string) string {
	if s == StyleUppercase {
		return strings.ToUpper(v)
	}
	return v
}

// Tree is a Zou file tree: for each mode (working, output, preview or any
// custom one), where files go and how they are named.
//
// A Tree is safe for concurrent use once built. Modes may be added,
// removed or replaced between calls; Parse compiles each *Mode the first
// time it meets it, so replace a Mode rather than change one in place.
// A Tree built by hand is checked as a loaded one would be: a nil or
// incomplete mode, or a template not made by this package, is an error,
// never a panic.
type Tree struct {
	// Modes by name.
	Modes map[string]*Mode
	// Problems lists what was wrong with a tree loaded leniently: each
	// template named there fails when rendered, as it would in Zou.
	Problems []error

	parsersMu sync.Mutex
	parsers   map[*Mode]*modeParser
	checked   map[*Mode]checkedMode // modes whose mountpoint and root passed checkModeRoot
}

// checkedMode is the mountpoint and root a mode had when checked.
type checkedMode struct{ mountpoint, root string }

// checkMode runs checkModeRoot on m, once for as long as its mountpoint
// and root stay the same.
func (t *Tree) checkMode(m *Mode) error {
	t.parsersMu.Lock()
	c, ok := t.checked[m]
	t.parsersMu.Unlock()
	if ok && c.mountpoint == m.Mountpoint && c.root == m.Root {
		return nil
	}
	if err := checkModeRoot(m); err != nil {
		return err
	}
	t.parsersMu.Lock()
	if t.checked == nil {
		t.checked = map[*Mode]checkedMode{}
	}
	t.checked[m] = checkedMode{m.Mountpoint, m.Root}
	t.parsersMu.Unlock()
	return nil
}

// Mode is one section of a tree.
type Mode struct {
	Name       string
	Mountpoint string
	Root       string
	FolderPath Section
	FileName   Section
}

// Section holds the templates of one part of a path (the folders, or the
// file name) for each entity kind, and the style of its values.
type Section struct {
	Style     Style
	Templates map[Kind]*Template
}

// Template is a parsed folder or file name template such as
// "<Project>/shots/<Sequence>/<Shot>".
type Template struct {
	Text   string
	parts  []part
	err    error // set when the template is broken (lenient load)
	parsed bool  // made by parseTemplate
}

// part is a literal run of text or a token.
type part struct {
	literal string
	token   *tokenRef
}

// tokenRef is a <Type.field> in a template.
type tokenRef struct {
	raw   string // the text between < and >
	typ   Token
	field string // name, short_name, number or id
	id    int    // the same for every token of the same text
}

// MaxFileSize is the largest tree or roots file filetree reads: 16 MiB.
// Zou's own trees are a few kilobytes.
const MaxFileSize = 16 << 20

// LoadFile reads and validates a tree from a JSON file. The file must be
// a regular file (not a FIFO, a device or a folder) of MaxFileSize bytes
// at most.
func LoadFile(path string) (*Tree, error) {
	data, err := readFileLimited(path, "tree")
	if err != nil {
		return nil, err
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Load reads and validates a tree from r, MaxFileSize bytes at most.
func Load(r io.Reader) (*Tree, error) {
	if r == nil {
		return nil, &TreeError{Where: "file", Problem: "no reader given"}
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("filetree: %w", err)
	}
	return Parse(data)
}

// ErrBadTree matches every error about a malformed tree.
var ErrBadTree = errors.New("filetree: bad tree")

// TreeError says what is wrong with a tree, and where.
type TreeError struct {
	// Where is the place in the tree, such as "output.file_name.sequence",
	// or "line 3, column 7" for malformed JSON.
	Where string
	// Problem says what is wrong and what was expected.
	Problem string
}

func (e *TreeError) Error() string {
	if e == nil {
		return ErrBadTree.Error()
	}
	return "filetree: " + e.Where + ": " + e.Problem
}

// Is makes every TreeError match ErrBadTree.
func (e *TreeError) Is(target error) bool { return target == ErrBadTree }

// Parse reads and validates a tree from its JSON text. Every template must
// use known tokens only; the first problem found is returned.
func Parse(data []byte) (*Tree, error) {
	t, err := parse(data, true)
	if err != nil {
		return nil, err
	}
	if len(t.Problems) > 0 {
		return nil, t.Problems[0]
	}
	return t, nil
}

// ParseLenient reads a tree as Zou would use it: a template with an
// unknown token (Zou's own default tree has one, <OuputType>) is kept, and
// fails only when it is rendered. Tree.Problems lists such templates. An
// unknown field (<Project.nope>) reads the name, as in Zou, where Parse
// refuses it. Malformed JSON and a wrong structure are still errors.
func ParseLenient(data []byte) (*Tree, error) {
	return parse(data, false)
}

// FromMap builds a tree from its decoded JSON (as the Kitsu API returns a
// project's file_tree), leniently as ParseLenient.
func FromMap(m map[string]any) (*Tree, error) {
	if m == nil {
		return nil, &TreeError{Where: "file tree", Problem: "the project has no file tree (set one in Kitsu first)"}
	}
	data, err := json.Marshal(m)
	if err != nil {
		return nil, &TreeError{Where: "file tree", Problem: err.Error()}
	}
	return parse(data, false)
}

// decodeJSON decodes one JSON value strictly: no duplicate key at any
// depth, no data after the value, valid UTF-8 and UTF-16 escapes only.
func decodeJSON(data []byte, what string) (any, error) {
	if len(data) > MaxFileSize {
		return nil, &TreeError{Where: "file", Problem: fmt.Sprintf("%d bytes: want %d at most (a %s is a few kilobytes)", len(data), MaxFileSize, what)}
	}
	if !utf8.Valid(data) {
		return nil, &TreeError{Where: "file", Problem: "not UTF-8 text"}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &TreeError{Where: "file", Problem: "empty: want a JSON object"}
	}
	var root any
	if err := jsonv2.Unmarshal(data, &root); err != nil {
		return nil, jsonError(data, err, what)
	}
	return root, nil
}

func parse(data []byte, strict bool) (*Tree, error) {
	root, err := decodeJSON(data, "tree")
	if err != nil {
		return nil, err
	}
	modes, ok := root.(map[string]any)
	if !ok {
		return nil, &TreeError{Where: "tree", Problem: "want a JSON object of modes (working, output...)"}
	}
	if len(modes) == 0 {
		return nil, &TreeError{Where: "tree", Problem: "no mode: want at least one, such as working"}
	}
	t := &Tree{Modes: map[string]*Mode{}}
	for _, name := range sortedKeys(modes) {
		m, err := parseMode(t, name, modes[name], strict)
		if err != nil {
			return nil, err
		}
		t.Modes[name] = m
	}
	return t, nil
}

func parseMode(t *Tree, name string, v any, strict bool) (*Mode, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, &TreeError{Where: name, Problem: "want an object with mountpoint, root, folder_path and file_name"}
	}
	m := &Mode{Name: name}
	var err error
	if m.Mountpoint, err = stringField(obj, name, "mountpoint"); err != nil {
		return nil, err
	}
	if m.Root, err = stringField(obj, name, "root"); err != nil {
		return nil, err
	}
	if err := checkModeRoot(m); err != nil {
		return nil, err
	}
	for _, key := range sortedKeys(obj) {
		switch key {
		case "mountpoint", "root", "folder_path", "file_name":
		default:
			return nil, &TreeError{Where: name + "." + key, Problem: "unknown key: want mountpoint, root, folder_path or file_name"}
		}
	}
	if m.FolderPath, err = parseSection(t, obj, name, "folder_path", strict); err != nil {
		return nil, err
	}
	if m.FileName, err = parseSection(t, obj, name, "file_name", strict); err != nil {
		return nil, err
	}
	return m, nil
}

func stringField(obj map[string]any, mode, key string) (string, error) {
	v, ok := obj[key]
	if !ok {
		return "", &TreeError{Where: mode, Problem: "missing " + key}
	}
	s, ok := v.(string)
	if !ok {
		return "", &TreeError{Where: mode + "." + key, Problem: "want a string"}
	}
	return s, nil
}

// checkModeRoot checks a mode's mountpoint and root (see checkMountpoint
// and checkRootFolder).
func checkModeRoot(m *Mode) error {
	if bad := checkMountpoint(m.Mountpoint); bad != "" {
		return &TreeError{Where: m.Name + ".mountpoint", Problem: bad}
	}
	if bad := checkRootFolder(m.Root, windowsMountpoint(m.Mountpoint)); bad != "" {
		return &TreeError{Where: m.Name + ".root", Problem: bad}
	}
	return nil
}

func parseSection(t *Tree, obj map[string]any, mode, key string, strict bool) (Section, error) {
	where := mode + "." + key
	v, ok := obj[key]
	if !ok {
		return Section{}, &TreeError{Where: mode, Problem: "missing " + key}
	}
	sec, ok := v.(map[string]any)
	if !ok {
		return Section{}, &TreeError{Where: where, Problem: "want an object of templates by entity kind"}
	}
	s := Section{Templates: map[Kind]*Template{}}
	for _, k := range sortedKeys(sec) {
		text, ok := sec[k].(string)
		if !ok {
			return Section{}, &TreeError{Where: where + "." + k, Problem: "want a string"}
		}
		if k == "style" {
			s.Style = Style(text)
			continue
		}
		if !knownKind(k) {
			return Section{}, &TreeError{Where: where + "." + k, Problem: "unknown entity kind: want one of " + kindList() + ", or style"}
		}
		tpl, err := parseTemplate(text, key == "folder_path")
		if err != nil && !strict && errors.Is(err, errUnknownField) {
			err = nil // Zou reads the name
		}
		if err != nil {
			terr := &TreeError{Where: where + "." + k, Problem: err.Error()}
			if !errors.Is(err, errUnknownToken) {
				return Section{}, terr
			}
			tpl.err = terr
			t.Problems = append(t.Problems, terr)
		}
		s.Templates[Kind(k)] = tpl
	}
	return s, nil
}

func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

var (
	errUnknownToken = errors.New("unknown token")
	errUnknownField = errors.New("unknown field")
)

// parseTemplate splits a template into literals and tokens, as Zou finds
// them (<[\w.]*>), and refuses what would make unsafe paths.
func parseTemplate(text string, folder bool) (*Template, error) {
	tpl := &Template{Text: text, parsed: true}
	if strings.TrimSpace(text) == "" {
		return tpl, errors.New("empty template")
	}
	var lit strings.Builder
	var unknown, unknownField error
	for i := 0; i < len(text); {
		if text[i] == '<' {
			j := i + 1
			for j < len(text) {
				r, size := utf8.DecodeRuneInString(text[j:])
				if !(r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsNumber(r)) {
					break
				}
				j += size
			}
			if j < len(text) && text[j] == '>' {
				ref, err := parseToken(text[i+1 : j])
				switch {
				case errors.Is(err, errUnknownField):
					if unknownField == nil {
						unknownField = err
					}
				case err != nil && unknown == nil:
					unknown = err
				}
				if lit.Len() > 0 {
					tpl.parts = append(tpl.parts, part{literal: lit.String()})
					lit.Reset()
				}
				tpl.parts = append(tpl.parts, part{token: ref})
				i = j + 1
				continue
			}
			return tpl, fmt.Errorf("%q at byte %d is not a token: want <Token> or <Token.field> (a < or > alone is not allowed in a path)", text[i:min(len(text), i+12)], i)
		}
		if text[i] == '>' {
			return tpl, fmt.Errorf("stray > at byte %d (a < or > alone is not allowed in a path)", i)
		}
		lit.WriteByte(text[i])
		i++
	}
	if lit.Len() > 0 {
		tpl.parts = append(tpl.parts, part{literal: lit.String()})
	}
	if bad := badPathText(text); bad != "" {
		return tpl, errors.New(bad)
	}
	if folder {
		for _, seg := range strings.Split(text, "/") {
			switch seg {
			case "":
				return tpl, fmt.Errorf("empty folder name in %q: want no leading, trailing or double /", text)
			case ".", "..":
				return tpl, fmt.Errorf("folder %q in %q: want no . or .. folders", seg, text)
			}
		}
	} else if strings.ContainsAny(text, `/\`) {
		return tpl, fmt.Errorf("a file name template cannot hold / or \\: %q", text)
	}
	if unknown == nil {
		unknown = unknownField
	}
	return tpl, unknown
}

// badPathText says what makes s unusable in a path, or "".
func badPathText(s string) string {
	for _, r := range s {
		if r == 0 || unicode.IsControl(r) {
			return fmt.Sprintf("control character %U: want printable text", r)
		}
	}
	for _, seg := range strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '\\' }) {
		if seg == ".." {
			return "a .. folder would leave the production root"
		}
	}
	return ""
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// jsonError turns a JSON decoding error into a TreeError with a line and
// column.
func jsonError(data []byte, err error, what string) error {
	var syn *jsontext.SyntacticError
	var sem *jsonv2.SemanticError
	switch {
	case errors.As(err, &syn):
		where := position(data, int(syn.ByteOffset))
		switch {
		case errors.Is(syn.Err, jsontext.ErrDuplicateName):
			return &TreeError{Where: where, Problem: fmt.Sprintf("duplicate key %q: want each key once (JSON would keep the last silently)", jsonPointer(syn.JSONPointer))}
		case errors.Is(syn.Err, io.ErrUnexpectedEOF):
			return &TreeError{Where: position(data, len(data)), Problem: "malformed JSON: unexpected end"}
		case strings.Contains(syn.Err.Error(), "after top-level value"):
			return &TreeError{Where: where, Problem: "unexpected data after the " + what + "'s JSON object"}
		}
		return &TreeError{Where: where, Problem: "malformed JSON: " + syn.Err.Error()}
	case errors.As(err, &sem):
		return &TreeError{Where: position(data, int(sem.ByteOffset)), Problem: "malformed JSON: " + sem.Error()}
	}
	return &TreeError{Where: "file", Problem: "malformed JSON: " + err.Error()}
}

// jsonPointer shows where a key is: /working/root.
func jsonPointer(p jsontext.Pointer) string {
	if p == "" {
		return "/"
	}
	return string(p)
}

// position gives the 1-based line and column of a byte offset.
func position(data []byte, offset int) string {
	offset = min(max(offset, 0), len(data))
	line := 1 + bytes.Count(data[:offset], []byte("\n"))
	col := offset - bytes.LastIndexByte(data[:offset], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

// templates returns the folder and file name templates of a mode for a
// kind, or an error naming what is missing.
func (t *Tree) templates(mode string, kind Kind) (*Mode, *Template, *Template, error) {
	m, ft, err := t.template(mode, "folder_path", kind)
	if err != nil {
		return nil, nil, nil, err
	}
	_, nt, err := t.template(mode, "file_name", kind)
	if err != nil {
		return nil, nil, nil, err
	}
	return m, ft, nt, nil
}

// errNilTree is what every method of a nil *Tree returns.
var errNilTree = &TreeError{Where: "tree", Problem: "nil *Tree: load one with LoadFile, Parse or FromMap, or use Default()"}

// template returns the template of a mode for a kind, or an error naming
// what is missing.
func (t *Tree) template(mode string, sec string, kind Kind) (*Mode, *Template, error) {
	if t == nil {
		return nil, nil, errNilTree
	}
	m, ok := t.Modes[mode]
	if !ok {
		return nil, nil, &TreeError{Where: "tree", Problem: fmt.Sprintf("no mode %q (the tree has %s)", mode, strings.Join(t.ModeNames(), ", "))}
	}
	if m == nil {
		return nil, nil, &TreeError{Where: mode, Problem: "the mode is nil: want a *Mode with a mountpoint, root and templates"}
	}
	s := m.FolderPath
	if sec == "file_name" {
		s = m.FileName
	}
	tpl, ok := s.Templates[kind]
	if !ok {
		return nil, nil, &TreeError{Where: mode + "." + sec, Problem: fmt.Sprintf("no template for %s", kind)}
	}
	if tpl == nil || !tpl.parsed {
		return nil, nil, &TreeError{Where: mode + "." + sec + "." + string(kind), Problem: "a template not made by filetree (nil, or built by hand): build trees with Parse, ParseLenient or FromMap"}
	}
	if tpl.err != nil {
		return nil, nil, tpl.err
	}
	return m, tpl, nil
}

// ModeNames returns the tree's modes, sorted.
func (t *Tree) ModeNames() []string {
	if t == nil {
		return nil
	}
	names := make([]string, 0, len(t.Modes))
	for n := range t.Modes {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}
