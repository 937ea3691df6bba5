package filetree

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Platform roots are keyed by GOOS values.
const (
	Linux   = "linux"
	Darwin  = "darwin"
	Windows = "windows"
)

// Roots maps each tree mountpoint (such as "/prod") to where it is on
// each platform, so that one Kitsu tree serves Linux, macOS and Windows
// workstations:
//
//	{
//	  "/prod": {"linux": "/mnt/prod", "darwin": "/Volumes/prod", "windows": "P:\\"}
//	}
type Roots map[string]map[string]string

// LoadRoots reads and checks a roots file: a regular file of
// MaxFileSize bytes at most.
func LoadRoots(path string) (Roots, error) {
	data, err := readFileLimited(path, "roots")
	if err != nil {
		return nil, err
	}
	r, err := ParseRoots(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// ParseRoots reads and checks roots from JSON: each mountpoint must be
// one a tree can have (see Parse), each platform root absolute for its
// platform, with no empty, . or .. name (one separator may end it) and,
// for Windows, no name Windows refuses (see CheckPath). Duplicate keys,
// data after the object and invalid escapes are refused.
func ParseRoots(data []byte) (Roots, error) {
	const want = "want a JSON object {mountpoint: {linux|darwin|windows: root}}"
	v, err := decodeJSON(data, "roots file")
	if err != nil {
		var te *TreeError
		if errors.As(err, &te) {
			te.Where = "roots: " + te.Where
		}
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, &TreeError{Where: "roots", Problem: want}
	}
	r := Roots{}
	for mp, byOSv := range obj {
		if strings.TrimSpace(mp) == "" {
			return nil, &TreeError{Where: "roots", Problem: "empty mountpoint"}
		}
		if bad := checkMountpoint(mp); bad != "" {
			return nil, &TreeError{Where: "roots." + mp, Problem: "mountpoint " + bad}
		}
		byOS, ok := byOSv.(map[string]any)
		if !ok {
			return nil, &TreeError{Where: "roots." + mp, Problem: want}
		}
		if len(byOS) == 0 {
			return nil, &TreeError{Where: "roots." + mp, Problem: "no platform root: want linux, darwin or windows"}
		}
		r[mp] = map[string]string{}
		for goos, rootv := range byOS {
			root, ok := rootv.(string)
			if !ok {
				return nil, &TreeError{Where: "roots." + mp + "." + goos, Problem: "want a string"}
			}
			if err := checkRoot(goos, root); err != nil {
				return nil, &TreeError{Where: "roots." + mp + "." + goos, Problem: err.Error()}
			}
			r[mp][goos] = root
		}
	}
	return r, nil
}

// checkRoot checks a platform root of a mountpoint.
func checkRoot(goos, root string) error {
	if bad := badPathText(root); bad != "" {
		return fmt.Errorf("%q: %s", root, bad)
	}
	switch goos {
	case Linux, Darwin:
		if !strings.HasPrefix(root, "/") {
			return fmt.Errorf("%q: want an absolute path such as /mnt/prod (~ and relative paths are not expanded)", root)
		}
	case Windows:
		if !isWindowsAbs(root) {
			return fmt.Errorf(`%q: want a drive (P:\), a share (\\server\share) or a \\?\ path`, root)
		}
	default:
		return fmt.Errorf("unknown platform %q: want linux, darwin or windows", goos)
	}
	prefix, _, _ := rootPrefix(goos, root)
	for _, n := range shareNames(prefix) {
		if p := nameProblem(goos, n); p != "" {
			return fmt.Errorf("%q: name %q: %s", root, n, p)
		}
	}
	rest := root[len(prefix):]
	if rest != "" && isSep(rest[len(rest)-1]) {
		rest = rest[:len(rest)-1] // one separator may end a root
	}
	if n, p, _ := firstBadName(goos, rest); p != "" {
		return fmt.Errorf("%q: %s", root, describeName(n, p))
	}
	return nil
}

func isWindowsAbs(p string) bool {
	_, _, ok := rootPrefix(Windows, p)
	return ok
}

// Sep returns the path separator of a platform.
func Sep(goos string) string {
	if goos == Windows {
		return `\`
	}
	return "/"
}

// ToOS converts a path into goos's form: its root (a tree mountpoint, or
// any platform's root of one) is replaced by goos's root for that
// mountpoint, and separators become goos's. The path must start with a
// known root; what follows it must not climb out with "..".
func (r Roots) ToOS(path, goos string) (string, error) {
	if err := checkGOOS(goos); err != nil {
		return "", err
	}
	norm := strings.ReplaceAll(path, `\`, "/")
	type cand struct{ mountpoint, prefix string }
	var cands []cand
	for mp, byOS := range r {
		cands = append(cands, cand{mp, mp})
		for _, root := range byOS {
			cands = append(cands, cand{mp, root})
		}
	}
	// The longest matching root wins.
	slices.SortFunc(cands, func(a, b cand) int { return len(b.prefix) - len(a.prefix) })
	for _, c := range cands {
		prefix := strings.TrimRight(strings.ReplaceAll(c.prefix, `\`, "/"), "/")
		rest, ok := cutPrefixFold(norm, prefix)
		if !ok || rest != "" && rest[0] != '/' {
			continue
		}
		for _, seg := range strings.Split(rest, "/") {
			if seg == ".." {
				return "", fmt.Errorf("filetree: %q climbs out of its root with ..", path)
			}
		}
		target, ok := r[c.mountpoint][goos]
		if !ok {
			return "", fmt.Errorf("filetree: no %s root for mountpoint %q (roots has %s)", goos, c.mountpoint, strings.Join(slices.Sorted(maps.Keys(r[c.mountpoint])), ", "))
		}
		if err := checkRoot(goos, target); err != nil {
			return "", fmt.Errorf("filetree: the %s root of %q: %w", goos, c.mountpoint, err)
		}
		target = strings.TrimRight(strings.ReplaceAll(target, `\`, "/"), "/")
		out := target + rest
		if goos == Windows {
			out = strings.ReplaceAll(out, "/", `\`)
			if len(out) == 2 && out[1] == ':' {
				out += `\`
			}
		}
		if out == "" {
			out = "/"
		}
		if err := CheckPath(goos, out); err != nil {
			return "", err
		}
		return out, nil
	}
	return "", fmt.Errorf("filetree: %q is under no known root (mountpoints: %s)", path, strings.Join(slices.Sorted(maps.Keys(r)), ", "))
}

// ToTree converts a path from any platform's form (under one of the
// roots) back to the tree's form: the mountpoint, then / separators. A
// path already in the tree's form is returned with / separators.
func (r Roots) ToTree(path string) (string, error) {
	norm := strings.ReplaceAll(path, `\`, "/")
	best, bestLen := "", -1
	for mp, byOS := range r {
		for _, prefix := range append([]string{mp}, slices.Collect(maps.Values(byOS))...) {
			p := strings.TrimRight(strings.ReplaceAll(prefix, `\`, "/"), "/")
			rest, ok := cutPrefixFold(norm, p)
			if ok && (rest == "" || rest[0] == '/') && len(p) > bestLen {
				best, bestLen = mp+rest, len(p)
			}
		}
	}
	if bestLen < 0 {
		return "", fmt.Errorf("filetree: %q is under no known root (mountpoints: %s)", path, strings.Join(slices.Sorted(maps.Keys(r)), ", "))
	}
	for _, seg := range strings.Split(best, "/") {
		if seg == ".." {
			return "", fmt.Errorf("filetree: %q climbs out of its root with ..", path)
		}
	}
	return best, nil
}

func checkGOOS(goos string) error {
	switch goos {
	case Linux, Darwin, Windows:
		return nil
	}
	return fmt.Errorf("filetree: unknown platform %q: want linux, darwin or windows", goos)
}
