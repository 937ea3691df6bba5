package filetree

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Parsed is what a path means under a tree: the mode and entity kind of
// the templates it matches, and the value of every token found in its
// folders and file name.
type Parsed struct {
	Mode string
	Kind Kind
	// Values holds each token's value as the path shows it (a slug, an
	// id, a padded number), keyed by the token as the template writes it:
	// "Project", "Shot.id", "Instance.number"...
	Values map[string]string
	// Revision is the number of <Version> or <Revision>, or -1 when the
	// templates have neither.
	Revision int
	// Extension is what follows the file name: ".ma", ".0001.exr"... or "".
	Extension string
	// Folder and FileName split the path as the tree does (FileName
	// without Extension). Folder starts with the mode's mountpoint.
	Folder, FileName string
}

// Value returns the value of a token (Project, Shot.id...) and whether
// the path holds it.
func (p *Parsed) Value(token string) (string, bool) {
	if p == nil {
		return "", false
	}
	v, ok := p.Values[token]
	return v, ok
}

func (p *Parsed) String() string {
	if p == nil {
		return "<nil>"
	}
	keys := make([]string, 0, len(p.Values))
	for k := range p.Values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s:", p.Mode, p.Kind)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%q", k, p.Values[k])
	}
	if p.Extension != "" {
		fmt.Fprintf(&b, " extension=%q", p.Extension)
	}
	return b.String()
}

// ErrNoMatch is returned when a path matches no template of the tree.
var ErrNoMatch = errors.New("filetree: the path matches no template of the tree")

// AmbiguousError is returned when a path matches several templates, or
// one template in several ways: the caller must choose, Parse never
// guesses.
type AmbiguousError struct {
	Path       string
	Candidates []*Parsed
	// Truncated reports that Parse stopped before it had every reading:
	// it lists 64 at most, and gives up on a path that splits more ways
	// than its bounded work can try (Candidates may then be empty).
	Truncated bool
}

func (e *AmbiguousError) Error() string {
	if e == nil {
		return "filetree: ambiguous path"
	}
	var b strings.Builder
	switch {
	case e.Truncated && len(e.Candidates) == 0:
		fmt.Fprintf(&b, "filetree: %q splits too many ways to be read: make its names less alike, or its templates less ambiguous", truncateForError(e.Path))
	case e.Truncated:
		fmt.Fprintf(&b, "filetree: %q can be read %d ways or more:", truncateForError(e.Path), len(e.Candidates))
	default:
		fmt.Fprintf(&b, "filetree: %q can be read %d ways:", e.Path, len(e.Candidates))
	}
	for _, c := range e.Candidates {
		b.WriteString("\n  ")
		b.WriteString(c.String())
	}
	return b.String()
}

// maxCandidates bounds the readings Parse collects for one path.
const maxCandidates = 64

// Parse reads a path back into its mode, entity kind and token values.
// Separators may be / or \ whatever the tree uses; letter case is not
// significant. A path matching no template is ErrNoMatch; one matching
// several templates, or splitting several ways, is an *AmbiguousError
// listing every reading.
func (t *Tree) Parse(path string) (*Parsed, error) {
	if t == nil {
		return nil, errNilTree
	}
	if path == "" {
		return nil, fmt.Errorf("%w: empty path", ErrNoMatch)
	}
	if strings.ContainsRune(path, 0) || len(path) > 8192 {
		return nil, fmt.Errorf("%w: %q is not a usable path", ErrNoMatch, truncateForError(path))
	}
	norm := strings.ReplaceAll(path, `\`, "/")
	var found []*Parsed
	work := budgets.Get().(*budget)
	work.left, work.spent = maxParseWork, false
	defer budgets.Put(work)
	for _, mode := range t.ModeNames() {
		pm := t.parser(mode)
		if pm == nil {
			continue
		}
		rest, ok := cutPrefixFold(norm, pm.root)
		if !ok {
			continue
		}
		slash := strings.LastIndexByte(rest, '/')
		if slash < 0 {
			continue
		}
		folderRel, file := rest[:slash], rest[slash+1:]
		segs := strings.Split(folderRel, "/")
		var stack [24]kv
		for _, kp := range pm.kinds {
			if work.spent {
				break
			}
			if len(kp.folder) != len(segs) {
				continue
			}
			full := kp.match(segs, file, stack[:0], work, func(e env, ext string) bool {
				p := &Parsed{Mode: mode, Kind: kp.kind, Values: e.toMap(), Revision: -1,
					Extension: ext, Folder: path[:len(pm.root)+slash], FileName: file[:len(file)-len(ext)]}
				for _, tok := range [...]string{"Version", "Revision"} {
					if v, ok := p.Values[tok]; ok {
						if n, err := strconv.Atoi(v); err == nil {
							p.Revision = n
						}
					}
				}
				found = append(found, p)
				return len(found) < maxCandidates
			})
			if !full && !work.spent {
				return nil, &AmbiguousError{Path: path, Candidates: found, Truncated: true}
			}
		}
	}
	if work.spent {
		return nil, &AmbiguousError{Path: path, Candidates: found, Truncated: true}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: %q", ErrNoMatch, truncateForError(path))
	case 1:
		return found[0], nil
	}
	return nil, &AmbiguousError{Path: path, Candidates: found}
}

func truncateForError(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return s, false
	}
	return s[len(prefix):], true
}

// modeParser holds a mode's templates compiled for matching.
type modeParser struct {
	root  string // mountpoint/root/ with / separators
	kinds []*kindParser
}

type kindParser struct {
	kind   Kind
	folder [][]mpart // one list of parts per folder
	// files are the ways the file name can look once slugified: one per
	// choice of which may-be-empty tokens are empty.
	files [][]mpart
	// For each stage, the folders then the file name (see stageTokens):
	// the tokens it uses, those it and the later stages use, and which
	// later stages share one of its tokens.
	uses, live [][]string
	shares     [][]bool
	// nullable holds the tokens some folder allows to be empty.
	nullable map[string]bool
}

// mpart is a literal or a token to match.
type mpart struct {
	lit     string
	tok     string // token as written, "" for a literal
	class   tokenClass
	canNull bool // the token may be empty
}

type tokenClass int

const (
	classSlug   tokenClass = iota // [a-z0-9]+ joined by single _
	classID                       // [A-Za-z0-9-]+
	classDigits                   // 3 or more digits, maybe a leading -
)

// parser returns the compiled matcher of a mode, compiling it on first
// use, or nil when the mode is nil or its mountpoint or root is unusable.
func (t *Tree) parser(mode string) *modeParser {
	t.parsersMu.Lock()
	defer t.parsersMu.Unlock()
	m := t.Modes[mode]
	if m == nil {
		return nil
	}
	if pm, ok := t.parsers[m]; ok {
		return pm
	}
	if t.parsers == nil {
		t.parsers = map[*Mode]*modeParser{}
	}
	var pm *modeParser
	if checkModeRoot(m) == nil {
		pm = compileMode(m)
	}
	t.parsers[m] = pm
	return pm
}

func compileMode(m *Mode) *modeParser {
	pm := &modeParser{root: strings.ReplaceAll(m.Mountpoint, `\`, "/") + "/"}
	if m.Root != "" {
		pm.root += strings.ReplaceAll(m.Root, `\`, "/") + "/"
	}
	for _, k := range Kinds {
		ft, ok1 := m.FolderPath.Templates[k]
		nt, ok2 := m.FileName.Templates[k]
		if !ok1 || !ok2 || ft == nil || nt == nil || !ft.parsed || !nt.parsed || ft.err != nil || nt.err != nil {
			continue
		}
		kp := &kindParser{kind: k, folder: folderParts(ft, k), files: fileVariants(nt, k)}
		kp.uses, kp.live, kp.shares = stageTokens(kp.folder, kp.files)
		kp.nullable = map[string]bool{}
		for _, parts := range kp.folder {
			for _, p := range parts {
				if p.canNull {
					kp.nullable[p.tok] = true
				}
			}
		}
		pm.kinds = append(pm.kinds, kp)
	}
	return pm
}

// emptiness says whether a token's value may be, or always is, empty
// for a kind of entity.
type emptiness int

const (
	neverEmpty emptiness = iota
	mayBeEmpty
	alwaysEmpty
)

func emptinessOf(ref *tokenRef, kind Kind, folder bool) emptiness {
	instance := kind == KindInstance || kind == KindInstanceAsset
	switch ref.typ {
	case TokRepresentation:
		if !folder {
			return alwaysEmpty
		}
		return mayBeEmpty
	case TokSequence:
		switch {
		case instance:
			return mayBeEmpty
		case kind == KindAsset || kind == KindEpisode:
			return alwaysEmpty
		}
	case TokInstance:
		if !instance {
			return alwaysEmpty
		}
	}
	return neverEmpty
}

func classOf(ref *tokenRef) tokenClass {
	switch {
	case ref.typ == TokVersion || ref.typ == TokRevision:
		return classDigits
	case ref.typ == TokInstance && ref.field != FieldName:
		return classDigits
	case ref.field == FieldID:
		return classID
	}
	return classSlug
}

// folderParts splits a folder template at its slashes.
func folderParts(tpl *Template, kind Kind) [][]mpart {
	var out [][]mpart
	cur := []mpart{}
	for _, p := range tpl.parts {
		if p.token != nil {
			cur = append(cur, mpart{tok: p.token.raw, class: classOf(p.token), canNull: emptinessOf(p.token, kind, true) != neverEmpty})
			continue
		}
		pieces := strings.Split(p.literal, "/")
		for i, piece := range pieces {
			if i > 0 {
				out = append(out, cur)
				cur = []mpart{}
			}
			if piece != "" {
				cur = append(cur, mpart{lit: piece})
			}
		}
	}
	return append(out, cur)
}

// fileVariants turns a file name template into what matches the file
// names Zou writes: the whole name is slugified, so literal punctuation
// becomes one _, runs of it collapse, and none is left at either end. A
// token that is empty vanishes with its separator: tokens always empty
// for the kind are left out, and each token that may be empty gives two
// variants, with and without it.
func fileVariants(tpl *Template, kind Kind) [][]mpart {
	var optional []int
	for i, p := range tpl.parts {
		if p.token != nil && emptinessOf(p.token, kind, false) == mayBeEmpty {
			optional = append(optional, i)
		}
	}
	optional = optional[:min(len(optional), 4)]
	var out [][]mpart
	for mask := 0; mask < 1<<len(optional); mask++ {
		drop := map[int]bool{}
		for b, i := range optional {
			if mask&(1<<b) != 0 {
				drop[i] = true
			}
		}
		out = append(out, fileParts(tpl, kind, drop))
	}
	return out
}

func fileParts(tpl *Template, kind Kind, drop map[int]bool) []mpart {
	var out []mpart
	sep := false // a separator is pending
	for i, p := range tpl.parts {
		if p.token != nil {
			if drop[i] || emptinessOf(p.token, kind, false) == alwaysEmpty {
				continue
			}
			if sep && len(out) > 0 {
				out = append(out, mpart{lit: "_"})
			}
			sep = false
			out = append(out, mpart{tok: p.token.raw, class: classOf(p.token)})
			continue
		}
		for _, r := range strings.ToLower(p.literal) {
			if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
				if sep && len(out) > 0 {
					out = append(out, mpart{lit: "_"})
				}
				sep = false
				out = append(out, mpart{lit: string(r)})
			} else {
				sep = true
			}
		}
	}
	// Merge adjacent literal runes.
	var merged []mpart
	for _, p := range out {
		if p.tok == "" && len(merged) > 0 && merged[len(merged)-1].tok == "" {
			merged[len(merged)-1].lit += p.lit
			continue
		}
		merged = append(merged, p)
	}
	return merged
}

// env is a token assignment under construction: a small stack of pairs,
// cheaper than a map while matching.
type env []kv

type kv struct{ tok, val string }

func (e env) get(tok string) (string, bool) {
	for i := range e {
		if e[i].tok == tok {
			return e[i].val, true
		}
	}
	return "", false
}

func (e env) toMap() map[string]string {
	m := make(map[string]string, len(e))
	for _, p := range e {
		m[p.tok] = p.val
	}
	return m
}
