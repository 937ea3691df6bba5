package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/bmatcuk/doublestar/v4"
	"github.com/spf13/afero"
)

// DiskRevision is a revision found on disk and its files (several for
// an image sequence), sorted.
type DiskRevision struct {
	Revision int
	Files    []string
}

// DiskRevisions finds the files under the root that match pattern, a
// doublestar glob (** crosses folders; / separates names) relative to
// the root or absolute under it, and groups them by the revision revOf
// reads from each path (the caller's parser, such as filetree's Parse;
// ok false passes a file over). Claim and temporary files are passed
// over. The revisions are sorted, lowest first.
func (s *Store) DiskRevisions(pattern string, revOf func(path string) (rev int, ok bool)) ([]DiskRevision, error) {
	if revOf == nil {
		return nil, fmt.Errorf("publish: DiskRevisions: nil revOf: want a function reading a path's revision")
	}
	if p := badChars(pattern); p != "" {
		return nil, fmt.Errorf("publish: DiskRevisions: pattern %q %s", pattern, p)
	}
	rel := pattern
	if filepath.IsAbs(rel) {
		r, err := filepath.Rel(s.root, rel)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return nil, &PathError{Path: pattern, Root: s.root, Problem: "pattern is outside the root"}
		}
		rel = r
	}
	rel = filepath.ToSlash(rel)
	if hasDotDot(rel) {
		return nil, &PathError{Path: pattern, Root: s.root, Problem: `pattern has a ".." name`}
	}
	if !doublestar.ValidatePattern(rel) {
		return nil, fmt.Errorf("publish: DiskRevisions: pattern %q is not a valid glob", pattern)
	}
	fsys := afero.NewIOFS(afero.NewBasePathFs(s.fs, s.root))
	matches, err := doublestar.Glob(fsys, rel, doublestar.WithFilesOnly(), doublestar.WithFailOnIOErrors())
	if err != nil {
		return nil, fmt.Errorf("publish: DiskRevisions %q: %w", pattern, err)
	}
	paths := make([]string, len(matches))
	for i, m := range matches {
		paths[i] = filepath.Join(s.root, filepath.FromSlash(m))
	}
	return group(paths, revOf), nil
}

// DiskRevisionsOf is DiskRevisions over a list of candidate paths: those
// that are files of the store's filesystem are grouped by revision.
func (s *Store) DiskRevisionsOf(paths []string, revOf func(path string) (rev int, ok bool)) ([]DiskRevision, error) {
	if revOf == nil {
		return nil, fmt.Errorf("publish: DiskRevisionsOf: nil revOf: want a function reading a path's revision")
	}
	var found []string
	for _, p := range paths {
		if badChars(p) != "" {
			continue
		}
		fi, err := s.fs.Stat(p)
		if err == nil && fi.Mode().IsRegular() {
			found = append(found, p)
		} else if err != nil && !isNotExist(err) {
			return nil, fmt.Errorf("publish: DiskRevisionsOf: %q: %w", p, err)
		}
	}
	return group(found, revOf), nil
}

func isNotExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist)
}

func group(paths []string, revOf func(string) (int, bool)) []DiskRevision {
	byRev := map[int][]string{}
	for _, p := range paths {
		if IsClaimFile(p) || IsTempFile(p) {
			continue
		}
		if rev, ok := revOf(p); ok {
			byRev[rev] = append(byRev[rev], p)
		}
	}
	out := make([]DiskRevision, 0, len(byRev))
	for rev, files := range byRev {
		slices.Sort(files)
		out = append(out, DiskRevision{Revision: rev, Files: slices.Compact(files)})
	}
	slices.SortFunc(out, func(a, b DiskRevision) int { return a.Revision - b.Revision })
	return out
}

// Revisions returns the revision numbers of revs, in their order.
func Revisions(revs []DiskRevision) []int {
	out := make([]int, len(revs))
	for i, r := range revs {
		out[i] = r.Revision
	}
	return out
}

// Next is the revision to publish and what it was decided from.
type Next struct {
	Revision  int // one above both KitsuLast and DiskLast
	KitsuLast int // the last revision Kitsu holds (0 for none)
	DiskLast  int // the highest revision on disk (0 for none)
	// Disagreement says, when Kitsu and the disk disagree, how: files on
	// disk above Kitsu's last revision (published but not registered, or
	// being published), or a last revision with no file on disk (missing
	// or moved files). Empty when they agree.
	Disagreement string
}

// NextRevision returns the revision above both Kitsu's last one and
// every revision on disk, and reports whether they disagree. Revisions
// are 0 or more.
func NextRevision(kitsuLast int, disk []int) (Next, error) {
	if kitsuLast < 0 {
		return Next{}, fmt.Errorf("publish: NextRevision: Kitsu's last revision %d: want 0 or more", kitsuLast)
	}
	n := Next{KitsuLast: kitsuLast}
	onDisk := false
	for _, r := range disk {
		if r < 0 {
			return Next{}, fmt.Errorf("publish: NextRevision: disk revision %d: want 0 or more", r)
		}
		n.DiskLast = max(n.DiskLast, r)
		onDisk = onDisk || r == kitsuLast
	}
	n.Revision = max(kitsuLast, n.DiskLast) + 1
	switch {
	case n.DiskLast > kitsuLast:
		n.Disagreement = fmt.Sprintf("the disk holds revision %d, above Kitsu's last revision %d: files published but not registered (or being published)", n.DiskLast, kitsuLast)
	case kitsuLast > 0 && !onDisk:
		n.Disagreement = fmt.Sprintf("Kitsu's last revision %d has no file on disk (highest on disk: %d): missing or moved files", kitsuLast, n.DiskLast)
	}
	return n, nil
}
