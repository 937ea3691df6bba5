package filetree

// The backtracking matcher Parse used before its matching was made
// linear, kept as the reference the new matcher must agree with.

import "strings"

// match matches the folders, then the file name, calling emit with each
// complete reading and the extension; it returns false when emit asked to
// stop.
func (kp *kindParser) refMatch(segs []string, file string, e env, emit func(env, string) bool) bool {
	return kp.refMatchSeg(segs, 0, file, e, emit)
}

func (kp *kindParser) refMatchSeg(segs []string, i int, file string, e env, emit func(env, string) bool) bool {
	if i == len(segs) {
		return kp.refMatchFile(file, e, emit)
	}
	return refMatchParts(kp.folder[i], segs[i], 0, e, func(e env) bool {
		return kp.refMatchSeg(segs, i+1, file, e, emit)
	})
}

// matchFile matches the file name, trying each split between the name
// and an extension at a dot (a slugified name holds no dot).
func (kp *kindParser) refMatchFile(file string, e env, emit func(env, string) bool) bool {
	for cut := len(file); cut >= 0; cut-- {
		if cut < len(file) && file[cut] != '.' {
			continue
		}
		name := file[:cut]
		if strings.IndexByte(name, '.') >= 0 {
			continue
		}
		ext := file[cut:]
		for _, parts := range kp.files {
			if !refMatchParts(parts, name, 0, e, func(e env) bool { return emit(e, ext) }) {
				return false
			}
		}
	}
	return true
}

// matchParts matches parts against s from index i, calling emit with each
// complete assignment; emit returns false to stop.
func refMatchParts(parts []mpart, s string, i int, e env, emit func(env) bool) bool {
	if len(parts) == 0 {
		if i == len(s) {
			return emit(e)
		}
		return true
	}
	p := parts[0]
	if p.tok == "" {
		if rest, ok := cutPrefixFold(s[i:], p.lit); ok {
			return refMatchParts(parts[1:], s, len(s)-len(rest), e, emit)
		}
		return true
	}
	if prev, ok := e.get(p.tok); ok {
		if rest, ok := cutPrefixFold(s[i:], prev); ok {
			return refMatchParts(parts[1:], s, len(s)-len(rest), e, emit)
		}
		return true
	}
	end := i
	for end < len(s) && refInClass(p.class, s[end]) {
		end++
	}
	for j := i; j <= end; j++ {
		v := s[i:j]
		if !refValidValue(p, v) {
			continue
		}
		if !refMatchParts(parts[1:], s, j, append(e, kv{p.tok, v}), emit) {
			return false
		}
	}
	return true
}

func refInClass(c tokenClass, b byte) bool {
	switch c {
	case classDigits:
		return b >= '0' && b <= '9' || b == '-'
	case classID:
		return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '-'
	}
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b == '_'
}

func refValidValue(p mpart, v string) bool {
	if v == "" {
		return p.canNull
	}
	switch p.class {
	case classDigits:
		d := strings.TrimPrefix(v, "-")
		return len(v) >= 3 && d != "" && !strings.Contains(d, "-")
	case classID:
		return true
	}
	if v[0] == '_' || v[len(v)-1] == '_' {
		return false
	}
	for i := 1; i < len(v); i++ {
		if v[i] == '_' && v[i-1] == '_' {
			return false
		}
	}
	return true
}

// refParse is Parse with the reference matcher.
func refParse(t *Tree, path string) ([]*Parsed, bool) {
	norm := strings.ReplaceAll(path, `\`, "/")
	var found []*Parsed
	for _, mode := range t.ModeNames() {
		pm := t.parser(mode)
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
		for _, kp := range pm.kinds {
			if len(kp.folder) != len(segs) {
				continue
			}
			full := kp.refMatch(segs, file, nil, func(e env, ext string) bool {
				found = append(found, &Parsed{Mode: mode, Kind: kp.kind, Values: e.toMap(), Extension: ext})
				return len(found) < maxCandidates
			})
			if !full {
				return found, true
			}
		}
	}
	return found, false
}
