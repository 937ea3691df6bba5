package filetree

import (
	"strconv"
	"strings"
	"sync"
)

// Matching a path against a kind's templates.
//
// A path is matched string by string: each folder, then the file name.
// Within one string, a backward pass first computes, for every part and
// every position, whether the rest of the parts can match the rest of the
// string (tokens fixed by an earlier string count as literals); the
// readings are then enumerated depth first, in the order the plain
// backtracking search Parse used before would find them, but only through
// positions that lead to a full match. A string of n bytes and k parts
// costs O(k·n) for the pass, plus O(k·n) per reading found, whatever its
// shape: free tokens separated by _, or adjacent tokens with nothing
// between them. A string with one token to find is matched directly.
//
// Two things can still make a branch fail after the pass: a token written
// twice in the same string (the pass reads its second use as free), and
// a folder reading that a later string contradicts. The first is
// remembered per state; for the second, a reading of a folder that had
// several is checked against every later string sharing one of its
// tokens (a look ahead, remembered per binding) before the next folder
// is read, and stages that failed under a binding are remembered. What
// is left, folders of several tokens each whose readings only the file
// name can tell apart, is bounded by the budget of one Parse.

// partKind says how a part is matched in one string.
type partKind uint8

const (
	partFixed  partKind = iota // a literal, or a token bound by an earlier string
	partFree                   // a token first seen here
	partRepeat                 // a token first seen earlier in this same string
)

// strMatcher matches one string against the parts of one template. Its
// slices are reused from string to string.
type strMatcher struct {
	parts []mpart
	s     string
	kinds []partKind
	fixed []string // the text of partFixed parts
	nulls []bool   // whether a token part may be empty
	// can[i][p] reports whether parts[i:] may match s[p:] (exactly, but
	// for partRepeat parts, which the pass reads as free).
	can    [][]bool
	cells  []bool
	prefix []int32
	// ends[c][p] is the end of the longest value of class c starting at
	// p (see valueEnds).
	ends    [3][]int32
	endsSet [3]bool
	free    int // partFree parts
	repeat  bool
	failed  map[failKey]bool
	emits   int
}

type failKey struct {
	i, p int
	vals string
}

// setup readies m for parts and s under the bindings e. With nullable
// (a look ahead), a token not bound yet may be empty if it may be empty
// in any folder, as a folder matched before could bind it to "".
func (m *strMatcher) setup(parts []mpart, s string, e env, nullable map[string]bool) {
	m.parts, m.s = parts, s
	m.kinds = m.kinds[:0]
	m.fixed = m.fixed[:0]
	m.nulls = m.nulls[:0]
	m.free, m.repeat, m.emits = 0, false, 0
	m.endsSet = [3]bool{}
	clear(m.failed)
	for i, p := range parts {
		kind, text := partFree, ""
		switch {
		case p.tok == "":
			kind, text = partFixed, p.lit
		default:
			if v, ok := e.get(p.tok); ok {
				kind, text = partFixed, v
			} else {
				for j := range i {
					if parts[j].tok == p.tok {
						kind, m.repeat = partRepeat, true
						break
					}
				}
			}
		}
		if kind == partFree {
			m.free++
		}
		m.kinds = append(m.kinds, kind)
		m.fixed = append(m.fixed, text)
		m.nulls = append(m.nulls, p.canNull || nullable[p.tok])
	}
}

// direct matches a string in which one token at most is not bound yet
// (and appears once): the fixed parts around it leave its value. direct
// is false when the string needs a search.
func direct(parts []mpart, s string, e env, nullable map[string]bool) (out env, ok, isDirect bool) {
	free := -1
	text := func(i int) (string, bool) {
		p := parts[i]
		if p.tok == "" {
			return p.lit, true
		}
		return e.get(p.tok)
	}
	for i, p := range parts {
		if _, bound := text(i); bound {
			continue
		}
		if free >= 0 {
			return e, false, false
		}
		free = i
		_ = p
	}
	end := len(parts)
	if free >= 0 {
		end = free
	}
	rest := s
	for i := range end {
		t, _ := text(i)
		r, ok := cutPrefixFold(rest, t)
		if !ok {
			return e, false, true
		}
		rest = r
	}
	if free < 0 {
		return e, rest == "", true
	}
	for j := len(parts) - 1; j > free; j-- {
		t, _ := text(j)
		if len(t) > len(rest) || !strings.EqualFold(rest[len(rest)-len(t):], t) {
			return e, false, true
		}
		rest = rest[:len(rest)-len(t)]
	}
	p := parts[free]
	if rest == "" && nullable[p.tok] || validValue(p, rest) {
		return append(e, kv{p.tok, rest}), true, true
	}
	return e, false, true
}

// edgesMatch reports whether the fixed parts that start and end parts
// (literals, tokens bound in e) match the start and the end of s: a cheap
// test before a pass.
func edgesMatch(parts []mpart, s string, e env) bool {
	text := func(p mpart) (string, bool) {
		if p.tok == "" {
			return p.lit, true
		}
		return e.get(p.tok)
	}
	i := 0
	for ; i < len(parts); i++ {
		t, ok := text(parts[i])
		if !ok {
			break
		}
		rest, ok := cutPrefixFold(s, t)
		if !ok {
			return false
		}
		s = rest
	}
	for j := len(parts) - 1; j > i; j-- {
		t, ok := text(parts[j])
		if !ok {
			break
		}
		if len(t) > len(s) || !strings.EqualFold(s[len(s)-len(t):], t) {
			return false
		}
		s = s[:len(s)-len(t)]
	}
	return true
}

// validValue reports whether v can be the value of a token.
func validValue(p mpart, v string) bool {
	if v == "" {
		return p.canNull
	}
	for i := 0; i < len(v); i++ {
		if !inClass(p.class, v[i]) {
			return false
		}
	}
	switch p.class {
	case classDigits:
		d := strings.TrimPrefix(v, "-")
		return len(v) >= 3 && d != "" && !strings.Contains(d, "-")
	case classID:
		return true
	}
	return v[0] != '_' && v[len(v)-1] != '_' && !strings.Contains(v, "__")
}

// pass fills can, last part first, and reports whether the whole string
// may match.
func (m *strMatcher) pass() bool {
	n := len(m.s)
	k := len(m.parts)
	cells := (k + 1) * (n + 1)
	if cap(m.cells) < cells {
		m.cells = make([]bool, cells)
	}
	m.cells = m.cells[:cells]
	clear(m.cells)
	m.can = m.can[:0]
	for i := 0; i <= k; i++ {
		m.can = append(m.can, m.cells[i*(n+1):(i+1)*(n+1)])
	}
	m.can[k][n] = true
	if cap(m.prefix) < n+2 {
		m.prefix = make([]int32, n+2)
	}
	prefix := m.prefix[:n+2]
	for i := k - 1; i >= 0; i-- {
		next, cur := m.can[i+1], m.can[i]
		ok := false
		if m.kinds[i] == partFixed {
			lit := m.fixed[i]
			for p := 0; p+len(lit) <= n; p++ {
				if next[p+len(lit)] && strings.EqualFold(m.s[p:p+len(lit)], lit) {
					cur[p], ok = true, true
				}
			}
		} else {
			part := m.parts[i]
			// prefix[j+1] counts the ends j' <= j a value may have and
			// the rest of the parts may start from.
			for j := 0; j <= n; j++ {
				prefix[j+1] = prefix[j]
				if next[j] && m.endOK(part.class, j) {
					prefix[j+1]++
				}
			}
			ends := m.valueEnds(part.class)
			for p := 0; p <= n; p++ {
				if m.nulls[i] && next[p] {
					cur[p], ok = true, true
					continue
				}
				lo, hi := m.endRange(part.class, ends, p)
				if lo <= hi && prefix[hi+1]-prefix[lo] > 0 {
					cur[p], ok = true, true
				}
			}
		}
		if !ok {
			return false
		}
	}
	return m.can[0][0]
}

// walk enumerates the readings from part i at position p, depth first,
// trying shorter values first, through positions the pass allows only.
func (m *strMatcher) walk(i, p int, e env, emit func(env) bool) bool {
	if i == len(m.parts) {
		return emit(e)
	}
	next := m.can[i+1]
	switch m.kinds[i] {
	case partFixed:
		return m.walk(i+1, p+len(m.fixed[i]), e, emit)
	case partRepeat:
		v, _ := e.get(m.parts[i].tok)
		if p+len(v) > len(m.s) || !next[p+len(v)] || !strings.EqualFold(m.s[p:p+len(v)], v) {
			return true
		}
		return m.walk(i+1, p+len(v), e, emit)
	}
	part := m.parts[i]
	var key failKey
	if m.repeat {
		key = failKey{i: i, p: p, vals: m.repeatedValues(i, e)}
		if m.failed[key] {
			return true
		}
	}
	before := m.emits
	try := func(j int) bool {
		if !next[j] {
			return true
		}
		return m.walk(i+1, j, append(e, kv{part.tok, m.s[p:j]}), emit)
	}
	if m.nulls[i] && !try(p) {
		return false
	}
	lo, hi := m.endRange(part.class, m.valueEnds(part.class), p)
	for j := lo; j <= hi; j++ {
		if m.endOK(part.class, j) && !try(j) {
			return false
		}
	}
	if m.repeat && m.emits == before {
		m.failed[key] = true
	}
	return true
}

// repeatedValues gives the values, bound in this string, of the tokens
// this string uses again after part i: the state a failure depends on.
func (m *strMatcher) repeatedValues(i int, e env) string {
	var b strings.Builder
	for j := i; j < len(m.parts); j++ {
		if m.kinds[j] == partRepeat {
			if v, ok := e.get(m.parts[j].tok); ok {
				b.WriteString(v)
				b.WriteByte(0)
			} else {
				b.WriteByte(1)
			}
		}
	}
	return b.String()
}

// valueEnds returns, for each position p, the end of the longest run of
// class bytes from p: for slugs the run stops inside a double _, for
// numbers it holds digits only (endRange adds the sign).
func (m *strMatcher) valueEnds(c tokenClass) []int32 {
	if m.endsSet[c] {
		return m.ends[c]
	}
	s, n := m.s, len(m.s)
	if cap(m.ends[c]) < n+1 {
		m.ends[c] = make([]int32, n+1)
	}
	ends := m.ends[c][:n+1]
	ends[n] = int32(n)
	for p := n - 1; p >= 0; p-- {
		switch {
		case c == classDigits && (s[p] < '0' || s[p] > '9'):
			ends[p] = int32(p)
		case !inClass(c, s[p]):
			ends[p] = int32(p)
		case c == classSlug && s[p] == '_' && p+1 < n && s[p+1] == '_':
			ends[p] = int32(p + 1)
		default:
			ends[p] = ends[p+1]
		}
	}
	m.ends[c], m.endsSet[c] = ends, true
	return ends
}

// endRange gives the range [lo, hi] of ends a non-empty value starting
// at p may have (endOK filters it further); lo > hi when there is none.
func (m *strMatcher) endRange(c tokenClass, ends []int32, p int) (lo, hi int) {
	s, n := m.s, len(m.s)
	if p >= n {
		return 1, 0
	}
	switch c {
	case classSlug:
		if s[p] == '_' {
			return 1, 0
		}
		return p + 1, int(ends[p])
	case classDigits:
		// An optional -, then digits, three characters at least.
		start := p
		if s[p] == '-' {
			start = p + 1
		}
		return max(p+3, start+1), int(ends[start])
	}
	return p + 1, int(ends[p])
}

// endOK reports whether a value may end at j: a slug never ends with _.
func (m *strMatcher) endOK(c tokenClass, j int) bool {
	return c != classSlug || j == 0 || m.s[j-1] != '_'
}

// match matches the folders, then the file name, calling emit with each
// complete reading and the extension; it returns false when emit asked to
// stop or the budget ran out.
func (kp *kindParser) match(segs []string, file string, e env, b *budget, emit func(env, string) bool) bool {
	r := &pathMatch{kp: kp, segs: segs, emit: emit, budget: b}
	r.name, r.ext = file, ""
	if dot := strings.IndexByte(file, '.'); dot >= 0 {
		// A slugified name holds no dot: the extension starts at the
		// first.
		r.name, r.ext = file[:dot], file[dot:]
	}
	cont, _ := r.stage(0, e, false)
	return cont
}

// budget bounds the work of one Parse: the cells its passes fill and the
// bytes of the states it remembers. It also keeps the matchers one Parse
// reuses.
type budget struct {
	left  int
	spent bool // ran out
	pool  []*strMatcher
}

// budgets keeps budgets, and their matchers, from one Parse to the next.
var budgets = sync.Pool{New: func() any { return &budget{} }}

// maxParseWork is the budget of one Parse, in cells of its passes (parts
// × bytes) and bytes of remembered states: some milliseconds, and as
// many bytes of memory at most. A path of 8 KB under a tree of real
// templates needs a few hundred thousand; only paths made to split
// countless ways reach it.
const maxParseWork = 1 << 22

func (b *budget) spend(n int) bool {
	b.left -= n
	if b.left < 0 {
		b.spent = true
	}
	return !b.spent
}

// pathMatch is one path being matched against one kind's templates.
type pathMatch struct {
	kp         *kindParser
	segs       []string
	name, ext  string
	emit       func(env, string) bool
	budget     *budget
	failed     map[string]bool // stages known to fail under a binding
	feasibleAt map[string]bool // stages known to be feasible, or not, under a binding
}

func (r *pathMatch) matcher() *strMatcher {
	b := r.budget
	if n := len(b.pool); n > 0 {
		m := b.pool[n-1]
		b.pool = b.pool[:n-1]
		return m
	}
	return &strMatcher{}
}

func (r *pathMatch) release(m *strMatcher) { r.budget.pool = append(r.budget.pool, m) }

// run matches parts against all of s under e, calling emit with each
// reading; it reports whether it had to search (several readings were
// possible), and returns false when emit asked to stop or the budget ran
// out.
func (r *pathMatch) run(parts []mpart, s string, e env, emit func(e env, searched bool) bool) bool {
	if e, ok, isDirect := direct(parts, s, e, nil); isDirect {
		if ok {
			return emit(e, false)
		}
		return true
	}
	if !edgesMatch(parts, s, e) {
		return true
	}
	m := r.matcher()
	defer r.release(m)
	m.setup(parts, s, e, nil)
	if !r.budget.spend((len(parts) + 1) * (len(s) + 1)) {
		return false
	}
	if !m.pass() {
		return true
	}
	if m.repeat && m.failed == nil {
		m.failed = map[failKey]bool{}
	}
	return m.walk(0, 0, e, func(e env) bool {
		m.emits++
		return r.budget.spend(1) && emit(e, true)
	})
}

// feasible reports whether stage j (a folder, or the file name at the
// end) may match under e, tokens not bound yet being free: a look ahead
// that drops a binding as soon as a later string cannot agree with it.
func (r *pathMatch) feasible(j int, e env) bool {
	key := r.key(j, e, r.kp.uses[j])
	if !r.budget.spend(len(key) + 1) {
		return false
	}
	if ok, seen := r.feasibleAt[key]; seen {
		return ok
	}
	try := func(parts []mpart, s string) bool {
		if _, ok, isDirect := direct(parts, s, e, r.kp.nullable); isDirect {
			return ok
		}
		if !edgesMatch(parts, s, e) {
			return false
		}
		m := r.matcher()
		defer r.release(m)
		m.setup(parts, s, e, r.kp.nullable)
		r.budget.spend((len(parts) + 1) * (len(s) + 1))
		return m.pass()
	}
	ok := false
	if j == len(r.segs) {
		for _, parts := range r.kp.files {
			if try(parts, r.name) {
				ok = true
				break
			}
		}
	} else {
		ok = try(r.kp.folder[j], r.segs[j])
	}
	if r.feasibleAt == nil {
		r.feasibleAt = map[string]bool{}
	}
	r.feasibleAt[key] = ok
	return ok
}

// stage matches string i (a folder, or the file name at the end) and
// what follows it; found reports whether a reading was emitted. Once an
// earlier string had several readings (branched), a stage that failed
// under some binding is remembered.
func (r *pathMatch) stage(i int, e env, branched bool) (cont, found bool) {
	if i == len(r.segs) {
		for _, parts := range r.kp.files {
			if !r.run(parts, r.name, e, func(e env, _ bool) bool {
				found = true
				return r.emit(e, r.ext)
			}) {
				return false, found
			}
		}
		return true, found
	}
	var key string
	if branched {
		key = r.key(i, e, r.kp.live[i])
		if !r.budget.spend(len(key) + 1) {
			return false, false
		}
		if r.failed[key] {
			return true, false
		}
	}
	cont = r.run(r.kp.folder[i], r.segs[i], e, func(e env, searched bool) bool {
		if searched {
			for j := i + 1; j <= len(r.segs); j++ {
				if r.kp.shares[i][j] && !r.feasible(j, e) {
					return !r.budget.spent
				}
			}
		}
		c, f := r.stage(i+1, e, branched || searched)
		found = found || f
		return c
	})
	if branched && cont && !found {
		if r.failed == nil {
			r.failed = map[string]bool{}
		}
		r.failed[key] = true
	}
	return cont, found
}

// key names stage i under the bindings of toks.
func (r *pathMatch) key(i int, e env, toks []string) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(i))
	b.WriteByte(':')
	for _, tok := range toks {
		if v, ok := e.get(tok); ok {
			b.WriteString(v)
			b.WriteByte(0)
		} else {
			b.WriteByte(1)
		}
	}
	return b.String()
}

// stageTokens computes, for each stage (each folder, then the file
// name), the tokens it uses, those it and the stages after it use, and
// which later stages share a token with it.
func stageTokens(folder, files [][]mpart) (uses, live [][]string, shares [][]bool) {
	n := len(folder) + 1
	sets := make([]map[string]bool, n)
	uses = make([][]string, n)
	for i := range n {
		sets[i] = map[string]bool{}
		list := files
		if i < len(folder) {
			list = folder[i : i+1]
		}
		for _, parts := range list {
			for _, p := range parts {
				if p.tok != "" && !sets[i][p.tok] {
					sets[i][p.tok] = true
					uses[i] = append(uses[i], p.tok)
				}
			}
		}
	}
	live = make([][]string, n)
	seen := map[string]bool{}
	var acc []string
	for i := n - 1; i >= 0; i-- {
		acc = append([]string(nil), acc...)
		for _, tok := range uses[i] {
			if !seen[tok] {
				seen[tok] = true
				acc = append(acc, tok)
			}
		}
		live[i] = acc
	}
	shares = make([][]bool, n)
	for i := range n {
		shares[i] = make([]bool, n)
		for j := i + 1; j < n; j++ {
			for tok := range sets[i] {
				if sets[j][tok] {
					shares[i][j] = true
					break
				}
			}
		}
	}
	return uses, live, shares
}

func inClass(c tokenClass, b byte) bool {
	switch c {
	case classDigits:
		return b >= '0' && b <= '9' || b == '-'
	case classID:
		return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '-'
	}
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_'
}
