package filetree

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/kpublish/kpublish/filetree/internal/slug"
)

// Named is a Kitsu record as templates see it: <Token> shows its name,
// <Token.short_name> its short name, <Token.id> its id.
type Named struct {
	ID        string
	Name      string
	ShortName string
}

func (n Named) zero() bool { return n.ID == "" && n.Name == "" && n.ShortName == "" }

// Instance is an asset instance as templates see it.
type Instance struct {
	ID     string
	Name   string // Tree_0001; when empty, the number is shown
	Number int
	// EmptyName says the instance's name is set but empty in Kitsu (not
	// null, which shows the number): Zou then writes an empty folder, or
	// nothing in a file name, where <Instance> is. Render refuses it.
	EmptyName bool
}

// Context holds every value a path can show. Fill what the templates
// need; Render says which value is missing.
type Context struct {
	// Kind chooses the templates: the kind of the entity for working and
	// output files, KindInstance or KindInstanceAsset for asset instances.
	Kind Kind
	// EntityKind is the kind of Entity when Kind is an instance kind (the
	// shot, scene or sequence the instance is in); otherwise Kind.
	EntityKind Kind

	Project    Named
	Task       Named // working files
	TaskType   Named
	Department Named // the task type's department
	// Entity is the task's entity, the output's entity, or for asset
	// instances the entity the instance is in (<Shot>, <Scene>,
	// <TemporalEntity> show it).
	Entity Named
	// EntityType is Entity's type (Shot, Character...): <AssetType> of an
	// asset, <TemporalEntityType>.
	EntityType Named
	Sequence   Named // the sequence of a shot or scene
	Episode    Named // the episode of a sequence, or of a shot's sequence
	// Asset and AssetType are, for asset instances, the instance's asset
	// and its type. For an asset's own files, AssetType may be left empty:
	// EntityType is used.
	Asset     Named
	AssetType Named
	Software  Named // working files; when empty, Zou's default "3ds Max"
	// OutputType of output files; when empty, Zou's default "Geometry".
	OutputType     Named
	Instance       Instance
	Representation string // shown in folders only, as in Zou
	Name           string // <Name>, <OutputFile>, <WorkingFile>; "main" when empty
	Revision       int    // <Version>, <Revision>, padded to three digits
	// EmptyName says the name was given empty on purpose, as a caller
	// sending name "" to Zou's routes: <Name> then shows nothing (dropped
	// from file names, an empty folder refused) instead of "main".
	EmptyName bool
}

// Purpose is what a path is for: it decides Zou's defaults.
type Purpose int

// Purposes.
const (
	Working Purpose = iota
	Output
)

// RenderOptions are the optional parts of a render. The zero value renders
// in the purpose's default mode ("working" or "output") with "/".
type RenderOptions struct {
	Mode string
	// Sep replaces the / of folder templates and joins the root, as Zou's
	// sep argument: / (the default) or \. The tree's mountpoint and root
	// are used as written.
	Sep string
	// OS is the platform whose rules the names after the mountpoint and
	// the path's length must follow (see CheckPath): linux, darwin or
	// windows. Empty means linux, or for a mode whose mountpoint is a
	// drive or a share (P:, \\server\share) Windows' rules for names
	// without its MAX_PATH limit (which Windows lifts when long paths are
	// enabled); set windows to have it.
	OS string
	// NbElements above 1 adds _[1-N] to the file name, as Zou does for
	// outputs made of several files.
	NbElements int
}

// Path is a rendered path.
type Path struct {
	// Folder is the mode's mountpoint and root, then the folder template.
	Folder string
	// FileName has no extension, as Zou gives it.
	FileName string
	Sep      string
}

// Full returns Folder, Sep and FileName joined.
func (p Path) Full() string { return p.Folder + p.Sep + p.FileName }

// ErrRender matches every error from rendering: a value the template
// needs is missing or unusable, or the path would be unsafe.
var ErrRender = errors.New("filetree: cannot render")

// RenderError says why a path cannot be rendered.
type RenderError struct {
	Mode, Section string
	Kind          Kind
	Template      string
	Token         string // the token at fault, if any
	Problem       string
}

func (e *RenderError) Error() string {
	if e == nil {
		return ErrRender.Error()
	}
	if e.Section == "" && e.Template == "" {
		return strings.TrimSpace("filetree: render "+e.Mode+" "+string(e.Kind)) + ": " + e.Problem
	}
	s := fmt.Sprintf("filetree: %s.%s.%s %q", e.Mode, e.Section, e.Kind, e.Template)
	if e.Token != "" {
		s += ": <" + e.Token + ">"
	}
	return s + ": " + e.Problem
}

// Is makes every RenderError match ErrRender.
func (e *RenderError) Is(target error) bool { return target == ErrRender }

// Render renders the folder and file name of a working (Purpose Working)
// or output file of ctx, byte for byte as Zou's file-tree service does,
// except where the package documentation lists a deliberate difference.
func (t *Tree) Render(p Purpose, ctx *Context, opts *RenderOptions) (Path, error) {
	var o RenderOptions
	if opts != nil {
		o = *opts
	}
	if o.Mode == "" {
		o.Mode = "working"
		if p == Output {
			o.Mode = "output"
		}
	}
	if o.Sep == "" {
		o.Sep = "/"
	}
	if err := checkSep(o.Sep); err != nil {
		return Path{}, &RenderError{Mode: o.Mode, Problem: err.Error()}
	}
	if ctx == nil {
		return Path{}, &RenderError{Mode: o.Mode, Problem: "no context given"}
	}
	if err := checkContext(ctx); err != nil {
		return Path{}, &RenderError{Mode: o.Mode, Kind: ctx.Kind, Problem: err.Error()}
	}
	m, folderTpl, fileTpl, err := t.templates(o.Mode, ctx.Kind)
	if err != nil {
		return Path{}, err
	}
	if err := t.checkMode(m); err != nil {
		return Path{}, err
	}
	r := renderer{ctx: ctx, purpose: p, mode: o.Mode}

	// The folder: root, then the template, rendered in one buffer.
	// One buffer holds the folders, then the file name.
	buf := make([]byte, 0, len(m.Mountpoint)+len(m.Root)+len(folderTpl.Text)+len(fileTpl.Text)+160)
	buf = append(buf, m.Mountpoint...)
	buf = append(buf, o.Sep...)
	if m.Root != "" {
		buf = append(buf, m.Root...)
		buf = append(buf, o.Sep...)
	}
	rootLen := len(buf)
	r.buf, r.fileBuf = &buf, &buf
	if err := r.fill(folderTpl, "folder_path", m.FolderPath.Style, true); err != nil {
		return Path{}, err
	}
	if !safeFolders(buf[rootLen:]) {
		return Path{}, r.fail(folderTpl, "folder_path", "", fmt.Sprintf("the folders would be %q: an empty, . or .. folder is refused (%s)", buf[rootLen:], r.emptyNote()))
	}
	folderEnd := len(buf)

	// The file name: tokens in lower case, then the whole name slugified.
	if err := r.fill(fileTpl, "file_name", StyleLowercase, false); err != nil {
		return Path{}, err
	}
	var folder string
	switch {
	case o.Sep == "/":
		folder = string(buf[:folderEnd])
	case len(o.Sep) == 1:
		for i := rootLen; i < folderEnd; i++ {
			if buf[i] == '/' {
				buf[i] = o.Sep[0]
			}
		}
		folder = string(buf[:folderEnd])
	default:
		folder = string(buf[:rootLen]) + strings.ReplaceAll(string(buf[rootLen:folderEnd]), "/", o.Sep)
	}
	name := string(buf[folderEnd:])
	var uuids []string
	if strings.Count(name, "-") >= 4 {
		uuids = uuidPattern.FindAllString(name, -1)
	}
	name = m.FileName.Style.apply(slug.Make(name))
	for _, id := range uuids {
		name = strings.ReplaceAll(name, m.FileName.Style.apply(slug.Make(id)), id)
	}
	if name == "" {
		return Path{}, r.fail(fileTpl, "file_name", "", "the file name would be empty ("+r.emptyNote()+")")
	}
	if o.NbElements > 1 {
		name += "_[1-" + strconv.Itoa(o.NbElements) + "]"
	}
	out := Path{Folder: folder, FileName: name, Sep: o.Sep}
	if err := r.checkPath(out, m, o.OS, folderTpl, fileTpl); err != nil {
		return Path{}, err
	}
	return out, nil
}

// safeFolders reports whether no folder of a /-separated path is empty,
// "." or "..".
func safeFolders(p []byte) bool {
	start := 0
	for i := 0; i <= len(p); i++ {
		if i == len(p) || p[i] == '/' {
			switch n := i - start; {
			case n == 0, n == 1 && p[start] == '.', n == 2 && p[start] == '.' && p[start+1] == '.':
				return false
			}
			start = i + 1
		}
	}
	return true
}

// uuidPattern is the id form Zou keeps as it is in file names.
var uuidPattern = regexp.MustCompile(`[a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89aAbB][a-f0-9]{3}-[a-f0-9]{12}`)

func checkContext(ctx *Context) error {
	if ctx.Kind == "" {
		return errors.New("no entity kind: want one of " + kindList())
	}
	if !knownKind(string(ctx.Kind)) {
		return fmt.Errorf("entity kind %q: want one of %s", ctx.Kind, kindList())
	}
	if ctx.Revision < 0 {
		return fmt.Errorf("revision %d: want 0 or more", ctx.Revision)
	}
	return nil
}

type renderer struct {
	ctx     *Context
	purpose Purpose
	mode    string
	empty   []string // tokens that rendered empty
	// buf receives the folders, fileBuf the file name; fill appends to
	// the one of its pass.
	buf, fileBuf *[]byte
	// memo remembers, by token id, where each token's slug was written in
	// the folders, so the file name copies it instead of slugifying it
	// again.
	memo [32]memoEntry
}

type memoEntry struct {
	set        bool
	upper      bool // written in upper case
	start, end int  // in *buf
}

// appendSlug appends the slug of a token's value, styled, and reports
// whether it was empty.
func (r *renderer) appendSlug(dst []byte, t *tokenRef, v string, style Style, folder bool) []byte {
	if !folder && t.id < len(r.memo) {
		if e := r.memo[t.id]; e.set {
			{
				src := (*r.buf)[e.start:e.end]
				if !e.upper {
					return append(dst, src...)
				}
				for _, c := range src {
					if c >= 'A' && c <= 'Z' {
						c += 'a' - 'A'
					}
					dst = append(dst, c)
				}
				return dst
			}
		}
	}
	start := len(dst)
	dst = slug.Append(dst, v)
	if style == StyleUppercase {
		for i := start; i < len(dst); i++ {
			if c := dst[i]; c >= 'a' && c <= 'z' {
				dst[i] = c - ('a' - 'A')
			}
		}
	}
	if folder && t.id < len(r.memo) {
		r.memo[t.id] = memoEntry{set: true, start: start, end: len(dst), upper: style == StyleUppercase}
	}
	return dst
}

func (r *renderer) fail(tpl *Template, section, token, problem string) error {
	return &RenderError{Mode: r.mode, Section: section, Kind: r.ctx.Kind, Template: tpl.Text, Token: token, Problem: problem}
}

func (r *renderer) emptyNote() string {
	if len(r.empty) == 0 {
		return "check the template"
	}
	return "empty: <" + strings.Join(r.empty, ">, <") + ">"
}

// fill replaces each token of tpl by its value: slugified and styled, or
// as it is for an id.
func (r *renderer) fill(tpl *Template, section string, style Style, folder bool) error {
	bp := r.fileBuf
	if folder {
		bp = r.buf
	}
	b := *bp
	defer func() { *bp = b }()
	for _, p := range tpl.parts {
		if p.token == nil {
			b = append(b, p.literal...)
			continue
		}
		v, err := r.value(p.token, folder)
		if err != nil {
			return r.fail(tpl, section, p.token.raw, err.Error())
		}
		start := len(b)
		switch {
		case p.token.field == FieldID:
			if !isSafeID(v) {
				return r.fail(tpl, section, p.token.raw, fmt.Sprintf("id %q: want an id of letters, digits and dashes", v))
			}
			b = append(b, v...)
		case p.token.typ == TokRepresentation && !folder:
			// Zou never shows a representation in file names.
		default:
			if !isASCII(v) && !utf8.ValidString(v) {
				return r.fail(tpl, section, p.token.raw, fmt.Sprintf("the name %q is not valid UTF-8", v))
			}
			*bp = b // appendSlug may read the folder buffer
			b = r.appendSlug(b, p.token, v, style, folder)
		}
		if len(b) == start {
			if !r.mayBeEmpty(p.token) {
				return r.fail(tpl, section, p.token.raw, fmt.Sprintf("%q has no letter or digit to show in a path", v))
			}
			r.empty = append(r.empty, p.token.raw)
		}
	}
	return nil
}

// mayBeEmpty reports whether a token is empty by design here (Zou shows
// nothing for it), rather than because a name has no letter or digit.
func (r *renderer) mayBeEmpty(t *tokenRef) bool {
	switch t.typ {
	case TokRepresentation:
		return true
	case TokSequence:
		k := r.entityKind()
		return k != KindShot && k != KindScene && k != KindSequence
	case TokInstance:
		return !r.isInstance()
	case TokTaskType:
		return r.ctx.TaskType.zero()
	case TokName, TokOutputFile, TokWorkingFile:
		return r.ctx.EmptyName
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isSafeID(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// field reads a field of a record that has no short name in Kitsu.
func field(what string, n Named, f string) (string, error) {
	switch f {
	case FieldID:
		if n.ID == "" {
			return "", fmt.Errorf("the %s id is not given", what)
		}
		return n.ID, nil
	case FieldShortName, FieldNumber:
		return "", fmt.Errorf("a %s has no %s in Kitsu (Zou fails on it): use .name or .id", what, f)
	}
	if n.Name == "" {
		return "", fmt.Errorf("the %s name is not given", what)
	}
	return n.Name, nil
}

// typedField reads a field of a record that has a short name (task types,
// entity types, software, output types).
func typedField(what string, n Named, f string) (string, error) {
	switch f {
	case FieldShortName:
		if n.ShortName == "" {
			return "", fmt.Errorf("the %s short name is not given (Zou would write the token itself into the path)", what)
		}
		return n.ShortName, nil
	case FieldNumber:
		return "", fmt.Errorf("a %s has no number in Kitsu (Zou fails on it): use .name, .short_name or .id", what)
	}
	return field(what, n, f)
}

func (r *renderer) entityKind() Kind {
	if r.ctx.Kind == KindInstance || r.ctx.Kind == KindInstanceAsset {
		if r.ctx.EntityKind == "" {
			return KindShot
		}
		return r.ctx.EntityKind
	}
	return r.ctx.Kind
}

func (r *renderer) isInstance() bool {
	return r.ctx.Kind == KindInstance || r.ctx.Kind == KindInstanceAsset
}

// value returns the raw value of a token, following Zou's rules for which
// record each token reads.
func (r *renderer) value(t *tokenRef, folder bool) (string, error) {
	c := r.ctx
	switch t.typ {
	case TokProject:
		return field("project", c.Project, t.field)
	case TokTask:
		if c.Task.zero() {
			return "", errors.New("no task given: this template is for working files of a task")
		}
		return field("task", c.Task, t.field)
	case TokTaskType:
		if c.TaskType.zero() {
			return "", nil
		}
		return typedField("task type", c.TaskType, t.field)
	case TokDepartment:
		if c.Department.zero() {
			return "", errors.New("no department given (the task type's department)")
		}
		return field("department", c.Department, t.field)
	case TokShot, TokTemporalEntity, TokScene:
		return field(string(r.entityKind()), c.Entity, t.field)
	case TokTemporalEntityType:
		v, err := typedField("entity type", c.EntityType, t.field)
		return strings.ToLower(v), err
	case TokAssetType:
		if r.isInstance() {
			return typedField("asset type", c.AssetType, t.field)
		}
		if r.entityKind() != KindAsset {
			return "", fmt.Errorf("a %s has no asset type (Zou fails on it)", r.entityKind())
		}
		at := c.AssetType
		if at.zero() {
			at = c.EntityType
		}
		return typedField("asset type", at, t.field)
	case TokSequence:
		var v string
		var err error
		switch r.entityKind() {
		case KindShot, KindScene:
			if c.Sequence.zero() {
				return "", fmt.Errorf("no sequence given for the %s", r.entityKind())
			}
			v, err = field("sequence", c.Sequence, t.field)
		case KindSequence:
			v, err = field("sequence", c.Entity, t.field)
		default:
			return "", nil
		}
		if err != nil {
			return "", err
		}
		// Zou writes a name holding "Seq" as S and the rest padded to three
		// characters: Seq2 and Seq002 share a folder.
		if strings.Contains(v, "Seq") {
			v = "S" + zfill(string([]rune(v)[3:]), 3)
		}
		return v, nil
	case TokEpisode:
		ep := Named{}
		switch r.entityKind() {
		case KindEpisode:
			ep = c.Entity
		case KindShot, KindScene:
			if !c.Sequence.zero() {
				ep = c.Episode
			}
		case KindSequence:
			ep = c.Episode
		}
		// Zou falls back to e001 whenever the episode cannot be read.
		switch {
		case ep.zero(), t.field == FieldShortName, t.field == FieldNumber:
			return "e001", nil
		case t.field == FieldID:
			if ep.ID == "" {
				return "", errors.New("the episode id is not given")
			}
			return ep.ID, nil
		case ep.Name == "":
			return "", errors.New("the episode name is not given")
		}
		return ep.Name, nil
	case TokAsset:
		if r.isInstance() {
			return field("asset", c.Asset, t.field)
		}
		return field(string(r.entityKind()), c.Entity, t.field)
	case TokSoftware:
		sw := c.Software
		if sw.zero() {
			// The defaults Zou creates when none is given.
			sw = Named{Name: "3ds Max", ShortName: "max"}
			if r.purpose == Output {
				sw = Named{Name: "3dsmax", ShortName: "max"}
			}
		}
		return typedField("software", sw, t.field)
	case TokOutputType:
		ot := c.OutputType
		if ot.zero() {
			ot = Named{Name: "Geometry"}
		}
		v, err := typedField("output type", ot, t.field)
		return strings.ToLower(v), err
	case TokInstance:
		if !r.isInstance() {
			return "", nil
		}
		return instanceValue(c.Instance, t.field)
	case TokRepresentation:
		if !folder {
			return "", nil // Zou never passes it to file names
		}
		return c.Representation, nil
	case TokName, TokOutputFile, TokWorkingFile:
		return nameValue(c), nil
	case TokVersion, TokRevision:
		if c.Revision >= 0 && c.Revision < 1000 {
			return revisionText[c.Revision], nil
		}
		return zfill(strconv.Itoa(c.Revision), 3), nil
	}
	return "", fmt.Errorf("unknown token (want one of %s)", tokenList())
}

// instanceValue is <Instance>: the instance's name, or its number padded
// to four digits for any other field or when the name is not set. A name
// set empty is refused: Zou would write an empty folder, or drop the
// instance from the file name, so every instance of the asset would share
// the path.
func instanceValue(in Instance, field string) (string, error) {
	if field != FieldName {
		return zfill(strconv.Itoa(in.Number), 4), nil
	}
	switch {
	case in.EmptyName:
		return "", errors.New("the asset instance's name is set but empty (Zou would write an empty folder, or drop it from the file name): name the instance, or use <Instance.number>")
	case in.Name != "":
		return in.Name, nil
	}
	return zfill(strconv.Itoa(in.Number), 4), nil
}

// nameValue is <Name>: "main" when no name is given, nothing when it is
// given empty on purpose, as Zou does for name "".
func nameValue(c *Context) string {
	if c.Name == "" && !c.EmptyName {
		return "main"
	}
	return c.Name
}

// revisionText holds "000" to "999".
var revisionText = func() (t [1000]string) {
	for i := range t {
		t[i] = fmt.Sprintf("%03d", i)
	}
	return t
}()

// zfill pads s with zeros on the left to width, as Python's str.zfill
// (after a leading sign).
func zfill(s string, width int) string {
	n := utf8.RuneCountInString(s)
	if n >= width {
		return s
	}
	sign := ""
	if s != "" && (s[0] == '-' || s[0] == '+') {
		sign, s = s[:1], s[1:]
	}
	return sign + strings.Repeat("0", width-n) + s
}

// Slug returns a name as Zou writes it in paths: python-slugify with "_"
// (lower case, ASCII letters and digits joined by single underscores).
func Slug(name string) string { return slug.Make(name) }
