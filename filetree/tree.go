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

	"github.com/kpublish/kpublish/filetree/internal/slug"
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
	// Warnings lists, for a tree loaded leniently, each token it repaired
	// or kept and each key it ignored, with its place (see Issue); a
	// strict load refuses them all.
	Warnings []Issue

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

// LoadFile reads and validates a tree from a JSON file, strictly as Parse.
// The file must be a regular file (not a FIFO, a device or a folder) of
// MaxFileSize bytes at most.
func LoadFile(path string) (*Tree, error) {
	return loadFile(path, Parse)
}

// LoadFileLenient reads a tree from a JSON file as ParseLenient, with the
// file rules of LoadFile: a tree exported from Kitsu loads as Zou reads
// it, and Tree.Warnings says what was repaired, kept or ignored.
func LoadFileLenient(path string) (*Tree, error) {
	return loadFile(path, ParseLenient)
}

func loadFile(path string, parse func([]byte) (*Tree, error)) (*Tree, error) {
	data, err := readFileLimited(path, "tree")
	if err != nil {
		return nil, err
	}
	t, err := parse(data)
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

// Effect is what loading a tree does about one of its problems.
type Effect string

// Effects, from the worst.
const (
	// Refused: no load accepts the tree. Malformed JSON, a missing or
	// unsafe mountpoint or root, a missing section, a template that would
	// make unsafe paths.
	Refused Effect = "refused"
	// Kept: a lenient load keeps the template, and rendering it fails as
	// it does in Zou: an unknown token (<OuputType>). A strict load
	// refuses the tree.
	Kept Effect = "kept"
	// Repaired: a lenient load reads the token as Zou does: a field Kitsu
	// does not have (<Project.nope>) reads the name, a third part
	// (<Shot.id.x>) is dropped. A strict load refuses the tree.
	Repaired Effect = "repaired"
	// Ignored: a lenient load skips a key Zou never reads: an unknown key
	// in a mode, an unknown entity kind in a section. A strict load
	// refuses the tree.
	Ignored Effect = "ignored"
	// Noted: every load accepts the tree, but something will not work as
	// it seems: a template that can never render, a kind with a folder
	// template and no file name template, an unknown style.
	Noted Effect = "noted"
)

// Issue is one problem of a tree and its place: what Check lists, and
// what Tree.Warnings holds after a lenient load.
type Issue struct {
	// Mode is the mode at fault; empty for a problem of the whole file.
	Mode string
	// Section is the key of the mode at fault: folder_path, file_name,
	// mountpoint, root, or an unknown key.
	Section string
	// Kind is the entity kind of the template at fault (or the unknown
	// kind), if any.
	Kind Kind
	// Token is the token at fault as written (<OuputType>), if any.
	Token string
	// Line and Column (1-based, the column in bytes) place the problem in
	// the JSON text; they are 0 for a tree that was not read from text
	// (FromMap).
	Line, Column int
	// Problem says what is wrong and what was expected.
	Problem string
	// Effect is what a load does about it; Action says it in words.
	Effect Effect
	Action string

	err *TreeError // the error a load that refuses it returns
}

// Where returns the place of the problem in the tree, such as
// "output.file_name.sequence", or "line 3, column 7" for malformed JSON.
func (i Issue) Where() string {
	if i.err != nil {
		return i.err.Where
	}
	return joinWhere(i.Mode, i.Section, string(i.Kind))
}

// Err returns the problem as the *TreeError a load that refuses it
// returns.
func (i Issue) Err() error {
	if i.err != nil {
		return i.err
	}
	return &TreeError{Where: i.Where(), Problem: i.Problem}
}

// RefusedBy reports whether a strict (Parse) or lenient (ParseLenient)
// load refuses the tree for this problem.
func (i Issue) RefusedBy(strict bool) bool {
	switch i.Effect {
	case Refused:
		return true
	case Noted:
		return false
	}
	return strict
}

func joinWhere(parts ...string) string {
	var nonEmpty []string
	for _, p := range parts {
		if p != "" {
			nonEmpty = append(nonEmpty, p)
		}
	}
	return strings.Join(nonEmpty, ".")
}

// Parse reads and validates a tree from its JSON text. Every template must
// use known tokens and fields only, and every key must be one filetree
// knows; the first problem found is returned (Check lists them all).
func Parse(data []byte) (*Tree, error) {
	t, issues, err := load(data, true)
	if err != nil {
		return nil, err
	}
	if i := firstRefused(issues, true); i != nil {
		return nil, i.Err()
	}
	return t, nil
}

// ParseLenient reads a tree as Zou would use it: a template with an
// unknown token (Zou's own default tree has one, <OuputType>) is kept, and
// fails only when it is rendered; Tree.Problems lists such templates. An
// unknown field (<Project.nope>) reads the name, as in Zou, and keys Zou
// never reads (an unknown kind, an unknown key in a mode) are skipped,
// where Parse refuses them; Tree.Warnings lists each. Malformed JSON, a
// wrong structure and unsafe templates, mountpoints and roots are still
// errors.
func ParseLenient(data []byte) (*Tree, error) {
	t, issues, err := load(data, true)
	if err != nil {
		return nil, err
	}
	if i := firstRefused(issues, false); i != nil {
		return nil, i.Err()
	}
	return t, nil
}

// FromMap builds a tree from its decoded JSON (as the Kitsu API returns a
// project's file_tree), leniently as ParseLenient. Its warnings have no
// line and column.
func FromMap(m map[string]any) (*Tree, error) {
	if m == nil {
		return nil, &TreeError{Where: "file tree", Problem: "the project has no file tree (set one in Kitsu first)"}
	}
	data, err := json.Marshal(m)
	if err != nil {
		return nil, &TreeError{Where: "file tree", Problem: err.Error()}
	}
	t, issues, err := load(data, false)
	if err != nil {
		return nil, err
	}
	if i := firstRefused(issues, false); i != nil {
		return nil, i.Err()
	}
	return t, nil
}

// Check lists every problem of a tree's JSON text, in the order of the
// text, each with its place: what a strict load refuses, what a lenient
// one repairs, keeps or ignores, and templates that can never render.
// Malformed JSON stops the reading: it is the one problem listed. An
// empty list means a strict load accepts the tree and every template can
// render.
func Check(data []byte) []Issue {
	_, issues, err := load(data, true)
	if err != nil {
		var te *TreeError
		if !errors.As(err, &te) {
			te = &TreeError{Where: "file", Problem: err.Error()}
		}
		i := Issue{Problem: te.Problem, Effect: Refused, Action: "the tree cannot be read", err: te}
		i.Line, i.Column = lineColumn(te.Where)
		return []Issue{i}
	}
	return issues
}

// CheckFile is Check on a file, read with the rules of LoadFile. The
// error is for a file that cannot be read at all.
func CheckFile(path string) ([]Issue, error) {
	data, err := readFileLimited(path, "tree")
	if err != nil {
		return nil, err
	}
	return Check(data), nil
}

// lineColumn reads back the line and column of a Where written by
// position.
func lineColumn(where string) (int, int) {
	var line, col int
	if _, err := fmt.Sscanf(where, "line %d, column %d", &line, &col); err == nil {
		return line, col
	}
	return 0, 0
}

// firstRefused returns the first issue a load refuses: the first Refused
// one, else (strict) the first a strict load refuses.
func firstRefused(issues []Issue, strict bool) *Issue {
	for n := range issues {
		if issues[n].Effect == Refused {
			return &issues[n]
		}
	}
	for n := range issues {
		if issues[n].RefusedBy(strict) {
			return &issues[n]
		}
	}
	return nil
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

// loader reads a tree and notes every problem it meets, each with its
// effect, so that Parse, ParseLenient and Check share one set of rules.
type loader struct {
	t      *Tree
	data   []byte
	values map[string]int // JSON pointer of each value: its byte offset
	names  map[string]int // JSON pointer of each member: its name's offset
	issues []Issue
	// refused and strictRefused say whether issues holds one a lenient,
	// or a strict, load refuses; dropped counts the issues past MaxIssues.
	refused, strictRefused bool
	dropped                int
	newlines               []int        // offsets of the text's line ends, once needed
	plain                  map[int]bool // strings without escapes, by offset
}

// load reads a tree as a lenient load keeps it, and lists its problems.
// The error is for JSON that cannot be read; with positions, issues get
// the line and column of their place in data.
func load(data []byte, positions bool) (*Tree, []Issue, error) {
	root, err := decodeJSON(data, "tree")
	if err != nil {
		return nil, nil, err
	}
	l := &loader{t: &Tree{Modes: map[string]*Mode{}}}
	if positions {
		l.data = data
		l.values, l.names = jsonPositions(data)
	}
	modes, ok := root.(map[string]any)
	switch {
	case !ok:
		l.refuse(Issue{}, "tree", "want a JSON object of modes (working, output...)")
	case len(modes) == 0:
		l.refuse(Issue{}, "tree", "no mode: want at least one, such as working")
	}
	for _, name := range sortedKeys(modes) {
		if m := l.mode(name, modes[name]); m != nil {
			l.t.Modes[name] = m
		}
	}
	// In the order of the text; without positions, in the order found.
	slices.SortStableFunc(l.issues, func(a, b Issue) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Column - b.Column
	})
	if l.dropped > 0 {
		l.issues = append(l.issues, Issue{Problem: fmt.Sprintf("%d more problems, not listed: %d are at most", l.dropped, MaxIssues),
			Effect: Noted, Action: "fix those listed and check again"})
	}
	for _, i := range l.issues {
		if i.Effect == Kept || i.Effect == Repaired || i.Effect == Ignored {
			l.t.Warnings = append(l.t.Warnings, i)
		}
	}
	return l.t, l.issues, nil
}

// jsonPositions maps the JSON pointer of each value and member name of
// valid JSON, three levels deep at most (a mode, its keys, a section's
// members), to its byte offset.
func jsonPositions(data []byte) (values, names map[string]int) {
	values, names = map[string]int{}, map[string]int{}
	dec := jsontext.NewDecoder(bytes.NewReader(data))
	for {
		start := int(dec.InputOffset())
		tok, err := dec.ReadToken()
		if err != nil {
			return values, names
		}
		for start < len(data) && strings.IndexByte(" \t\r\n,:", data[start]) >= 0 {
			start++
		}
		k := tok.Kind()
		if k == '}' || k == ']' {
			continue
		}
		// Only modes, their keys and section members are placed: deeper
		// values are refused whole, and their pointers could be long.
		depth := dec.StackDepth()
		if k == '{' || k == '[' {
			depth--
		}
		if depth > 3 {
			continue
		}
		p := string(dec.StackPointer())
		if k, n := dec.StackIndex(dec.StackDepth()); k == '{' && n%2 == 1 {
			names[p] = start
		} else {
			values[p] = start
		}
	}
}

// pointer is the JSON pointer of a path of keys.
func pointer(keys ...string) string {
	var b strings.Builder
	for _, k := range keys {
		b.WriteByte('/')
		b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(k))
	}
	return b.String()
}

// place sets the line and column of an issue: the value at keys, or the
// member's name when name is set.
func (l *loader) place(i *Issue, name bool, keys ...string) { l.placeAt(i, name, -1, keys...) }

// placeAt is place, at byte at of a template's text when at is 0 or more
// and the template's JSON string holds no escape (its bytes are then the
// template's).
func (l *loader) placeAt(i *Issue, name bool, at int, keys ...string) {
	if l.data == nil {
		return
	}
	p := pointer(keys...)
	off, ok := l.values[p]
	if name {
		off, ok = l.names[p]
	}
	for !ok && len(keys) > 0 {
		keys = keys[:len(keys)-1]
		off, ok = l.values[pointer(keys...)]
	}
	if !ok {
		return
	}
	if at >= 0 && !name && l.plainString(off) {
		off += 1 + at
	}
	if l.newlines == nil {
		l.newlines = []int{}
		for n, b := range l.data {
			if b == '\n' {
				l.newlines = append(l.newlines, n)
			}
		}
	}
	before, _ := slices.BinarySearch(l.newlines, off)
	lineStart := 0
	if before > 0 {
		lineStart = l.newlines[before-1] + 1
	}
	i.Line, i.Column = before+1, off-lineStart+1
}

// plainString reports whether the JSON string at off holds no escape,
// remembering the answer for the string's next tokens.
func (l *loader) plainString(off int) bool {
	if plain, ok := l.plain[off]; ok {
		return plain
	}
	plain := false
	if off < len(l.data) && l.data[off] == '"' {
		end := bytes.IndexAny(l.data[off+1:], `"\\`)
		plain = end >= 0 && l.data[off+1+end] == '"'
	}
	if l.plain == nil {
		l.plain = map[int]bool{}
	}
	l.plain[off] = plain
	return plain
}

// MaxIssues is the most problems Check lists and Tree.Warnings holds:
// past it, one last issue says how many more there were. A hostile tree
// of millions of unknown tokens thus costs no more than a real one.
const MaxIssues = 1000

// note adds an issue. Past MaxIssues it is only counted, unless it is
// the first a lenient or a strict load refuses the tree for, which is
// kept so that loads still refuse the tree.
func (l *loader) wants(e Effect) bool {
	return len(l.issues) < MaxIssues || e == Refused && !l.refused || e != Noted && !l.strictRefused
}

func (l *loader) note(i Issue) {
	if !l.wants(i.Effect) {
		l.dropped++
		return
	}
	l.refused = l.refused || i.Effect == Refused
	l.strictRefused = l.strictRefused || i.Effect != Noted
	l.issues = append(l.issues, i)
}

// refuse notes a problem no load accepts, with the Where and Problem of
// the error a load returns.
func (l *loader) refuse(i Issue, where, problem string) {
	i.Problem, i.Effect, i.Action = problem, Refused, "the tree is refused"
	i.err = &TreeError{Where: where, Problem: problem}
	if where == "tree" {
		l.place(&i, false)
	}
	l.note(i)
}

func (l *loader) mode(name string, v any) *Mode {
	at := Issue{Mode: name}
	obj, ok := v.(map[string]any)
	if !ok {
		l.place(&at, false, name)
		l.refuse(at, name, "want an object with mountpoint, root, folder_path and file_name")
		return nil
	}
	m := &Mode{Name: name}
	mount, okMount := l.stringField(obj, name, "mountpoint")
	root, okRoot := l.stringField(obj, name, "root")
	m.Mountpoint, m.Root = mount, root
	if okMount {
		if bad := checkMountpoint(mount); bad != "" {
			i := Issue{Mode: name, Section: "mountpoint"}
			l.place(&i, false, name, "mountpoint")
			l.refuse(i, name+".mountpoint", bad)
		}
	}
	if okRoot {
		if bad := checkRootFolder(root, windowsMountpoint(mount)); bad != "" {
			i := Issue{Mode: name, Section: "root"}
			l.place(&i, false, name, "root")
			l.refuse(i, name+".root", bad)
		}
	}
	for _, key := range sortedKeys(obj) {
		switch key {
		case "mountpoint", "root", "folder_path", "file_name":
		default:
			i := Issue{Mode: name, Section: key, Problem: "unknown key: want mountpoint, root, folder_path or file_name",
				Effect: Ignored, Action: "ignored, as Zou never reads it"}
			i.err = &TreeError{Where: name + "." + key, Problem: i.Problem}
			l.place(&i, true, name, key)
			l.note(i)
		}
	}
	var okFolder, okFile bool
	m.FolderPath, okFolder = l.section(obj, name, "folder_path")
	m.FileName, okFile = l.section(obj, name, "file_name")
	if okFolder && okFile {
		l.pairs(m)
	}
	return m
}

func (l *loader) stringField(obj map[string]any, mode, key string) (string, bool) {
	v, ok := obj[key]
	if !ok {
		i := Issue{Mode: mode, Section: key}
		l.place(&i, false, mode)
		l.refuse(i, mode, "missing "+key)
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		i := Issue{Mode: mode, Section: key}
		l.place(&i, false, mode, key)
		l.refuse(i, mode+"."+key, "want a string")
		return "", false
	}
	return s, true
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

func (l *loader) section(obj map[string]any, mode, key string) (Section, bool) {
	where := mode + "." + key
	v, ok := obj[key]
	if !ok {
		i := Issue{Mode: mode, Section: key}
		l.place(&i, false, mode)
		l.refuse(i, mode, "missing "+key)
		return Section{}, false
	}
	sec, ok := v.(map[string]any)
	if !ok {
		i := Issue{Mode: mode, Section: key}
		l.place(&i, false, mode, key)
		l.refuse(i, where, "want an object of templates by entity kind")
		return Section{}, false
	}
	s := Section{Templates: map[Kind]*Template{}}
	good := true
	for _, k := range sortedKeys(sec) {
		at := Issue{Mode: mode, Section: key, Kind: Kind(k)}
		if k != "style" && !knownKind(k) {
			at.Problem = "unknown entity kind: want one of " + kindList() + ", or style"
			at.Effect, at.Action = Ignored, "ignored, as Zou never reads it"
			at.err = &TreeError{Where: where + "." + k, Problem: at.Problem}
			l.place(&at, true, mode, key, k)
			l.note(at)
			continue
		}
		text, ok := sec[k].(string)
		if !ok {
			l.place(&at, false, mode, key, k)
			l.refuse(at, where+"."+k, "want a string")
			good = false
			continue
		}
		if k == "style" {
			s.Style = Style(text)
			if s.Style != StyleLowercase && s.Style != StyleUppercase {
				at.Kind = ""
				at.Section = key
				at.Problem = fmt.Sprintf("style %q: want lowercase or uppercase", text)
				at.Effect, at.Action = Noted, "values keep the case slugify gives them, as in Zou"
				l.place(&at, false, mode, key, k)
				l.note(at)
			}
			continue
		}
		tpl, tokens, more, err := parseTemplate(text, key == "folder_path")
		l.dropped += more
		if err != nil {
			l.place(&at, false, mode, key, k)
			l.refuse(at, where+"."+k, err.Error())
			good = false
			continue
		}
		for _, tp := range tokens {
			if errors.Is(tp.err, errUnknownToken) && tpl.err == nil {
				tpl.err = &TreeError{Where: where + "." + k, Problem: tp.err.Error()}
				l.t.Problems = append(l.t.Problems, tpl.err)
			}
			effect := Repaired
			if errors.Is(tp.err, errUnknownToken) {
				effect = Kept
			}
			if !l.wants(effect) {
				l.dropped++ // before the cost of a hint and a place
				continue
			}
			i := at
			i.Token = "<" + tp.raw + ">"
			i.err = &TreeError{Where: where + "." + k, Problem: tp.err.Error()}
			if effect == Kept {
				i.Problem = "unknown token" + tokenHint(tp.raw)
				i.Effect, i.Action = Kept, "kept: rendering this template fails, as in Zou"
			} else {
				i.Problem = tp.err.Error()
				i.Effect, i.Action = Repaired, "read as <"+tp.ref.display()+">, as Zou does"
			}
			l.placeAt(&i, false, tp.at, mode, key, k)
			l.note(i)
		}
		s.Templates[Kind(k)] = tpl
	}
	return s, good
}

// pairs notes the kinds of a mode that can never render: a folder
// template without a file name template or the other way round, and
// templates that fail whatever the values.
func (l *loader) pairs(m *Mode) {
	for _, k := range Kinds {
		ft, okF := m.FolderPath.Templates[k]
		nt, okN := m.FileName.Templates[k]
		if okF != okN {
			have, miss := "folder_path", "file_name"
			if okN {
				have, miss = miss, have
			}
			i := Issue{Mode: m.Name, Section: miss, Kind: k,
				Problem: fmt.Sprintf("no %s template for %s, but a %s one: want both", miss, k, have),
				Effect:  Noted, Action: "paths of this kind in this mode never render"}
			l.place(&i, false, m.Name, have, string(k))
			l.note(i)
			continue
		}
		if !okF || ft.err != nil || nt.err != nil {
			continue
		}
		for _, re := range neverRenders(m, k, ft, nt) {
			i := Issue{Mode: m.Name, Section: re.Section, Kind: k, Problem: re.Problem,
				Effect: Noted, Action: "this template can never render, whatever the values"}
			if re.Token != "" {
				i.Token = "<" + re.Token + ">"
			}
			l.place(&i, false, m.Name, re.Section, string(k))
			l.note(i)
		}
	}
}

// neverRenders renders a mode's templates for a kind with every value
// given, and returns what fails: such a template fails whatever the
// values (a field Kitsu does not have, <AssetType> of a shot, a folder
// that is always empty).
func neverRenders(m *Mode, k Kind, ft, nt *Template) []*RenderError {
	full := Named{ID: "00000000-0000-4000-8000-000000000000", Name: "x", ShortName: "x"}
	ctx := &Context{Kind: k, EntityKind: k, Project: full, Task: full, TaskType: full, Department: full,
		Entity: full, EntityType: full, Sequence: full, Episode: full, Asset: full, AssetType: full,
		Software: full, OutputType: full, Instance: Instance{ID: full.ID, Name: "x", Number: 1},
		Representation: "x", Name: "x", Revision: 1}
	switch k {
	case KindInstance:
		ctx.EntityKind = KindShot
	case KindInstanceAsset:
		ctx.EntityKind = KindAsset
	}
	purpose := Working
	if m.Name == "output" {
		purpose = Output
	}
	var out []*RenderError
	r := renderer{ctx: ctx, purpose: purpose, mode: m.Name}
	var buf []byte
	r.buf, r.fileBuf = &buf, &buf
	var re *RenderError
	if err := r.fill(ft, "folder_path", m.FolderPath.Style, true); errors.As(err, &re) {
		out = append(out, re)
	} else if !safeFolders(buf) {
		out = append(out, &RenderError{Section: "folder_path", Problem: fmt.Sprintf("the folders would always be %q: an empty, . or .. folder is refused (%s)", buf, r.emptyNote())})
	}
	var name []byte
	r = renderer{ctx: ctx, purpose: purpose, mode: m.Name}
	r.buf, r.fileBuf = &name, &name
	if err := r.fill(nt, "file_name", StyleLowercase, false); errors.As(err, &re) {
		out = append(out, re)
	} else if slug.Make(string(name)) == "" {
		out = append(out, &RenderError{Section: "file_name", Problem: "the file name would always be empty (" + r.emptyNote() + ")"})
	}
	return out
}

// display is the token as Zou reads it: <Project.nope> as Project,
// <Shot.id.x> as Shot.id.
func (r *tokenRef) display() string {
	if r.field == FieldName {
		return string(r.typ)
	}
	return string(r.typ) + "." + r.field
}

// tokenHint suggests the known token nearest to an unknown one.
func tokenHint(raw string) string {
	typ, rest, dotted := strings.Cut(raw, ".")
	best, bestD := Token(""), 3
	if len(typ) > 32 {
		return ": want one of " + tokenList() // no token is this long
	}
	for _, t := range Tokens {
		if d := editDistance(strings.ToLower(typ), strings.ToLower(string(t))); d < bestD {
			best, bestD = t, d
		}
	}
	if best == "" {
		return ": want one of " + tokenList()
	}
	if dotted {
		return fmt.Sprintf(": did you mean <%s.%s>?", best, rest)
	}
	return fmt.Sprintf(": did you mean <%s>?", best)
}

// editDistance is the Levenshtein distance of two short strings.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
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

// tokenProblem is a token of a template that a strict load refuses.
type tokenProblem struct {
	at  int // the byte of its < in the template
	raw string
	ref *tokenRef
	err error // errUnknownToken or errUnknownField
}

// parseTemplate splits a template into literals and tokens, as Zou finds
// them (<[\w.]*>), and refuses what would make unsafe paths. It returns
// the tokens a strict load refuses, in order, MaxIssues at most, and how
// many more there were; the error is for a template no load accepts.
func parseTemplate(text string, folder bool) (tpl *Template, problems []tokenProblem, more int, err error) {
	tpl = &Template{Text: text, parsed: true}
	if strings.TrimSpace(text) == "" {
		return tpl, nil, 0, errors.New("empty template")
	}
	var lit strings.Builder
	var hasUnknown bool
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
				if err != nil {
					// At most MaxIssues are listed: past them, only the
					// first unknown token is kept, for Tree.Problems.
					unknown := errors.Is(err, errUnknownToken)
					if len(problems) < MaxIssues || unknown && !hasUnknown {
						problems = append(problems, tokenProblem{at: i, raw: ref.raw, ref: ref, err: err})
					} else {
						more++
					}
					hasUnknown = hasUnknown || unknown
				}
				if lit.Len() > 0 {
					tpl.parts = append(tpl.parts, part{literal: lit.String()})
					lit.Reset()
				}
				tpl.parts = append(tpl.parts, part{token: ref})
				i = j + 1
				continue
			}
			return tpl, nil, 0, fmt.Errorf("%q at byte %d is not a token: want <Token> or <Token.field> (a < or > alone is not allowed in a path)", text[i:min(len(text), i+12)], i)
		}
		if text[i] == '>' {
			return tpl, nil, 0, fmt.Errorf("stray > at byte %d (a < or > alone is not allowed in a path)", i)
		}
		lit.WriteByte(text[i])
		i++
	}
	if lit.Len() > 0 {
		tpl.parts = append(tpl.parts, part{literal: lit.String()})
	}
	if bad := badPathText(text); bad != "" {
		return tpl, nil, 0, errors.New(bad)
	}
	if folder {
		for _, seg := range strings.Split(text, "/") {
			switch seg {
			case "":
				return tpl, nil, 0, fmt.Errorf("empty folder name in %q: want no leading, trailing or double /", text)
			case ".", "..":
				return tpl, nil, 0, fmt.Errorf("folder %q in %q: want no . or .. folders", seg, text)
			}
		}
	} else if strings.ContainsAny(text, `/\`) {
		return tpl, nil, 0, fmt.Errorf("a file name template cannot hold / or \\: %q", text)
	}
	return tpl, problems, more, nil
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
