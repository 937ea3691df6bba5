package publish

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/gofrs/flock"
	"github.com/spf13/afero"

	"github.com/kpublish/kpublish/kitsu"
)

// rerun finishes an unfinished publish of the same request instead of
// starting a new revision: a farm task retried with the same command
// after a kill or a Kitsu failure completes its first attempt. It looks
// at the manifests in the target's claims folder (only revision
// req.Revision's when one is asked) that are not finished (pending),
// whose claim no live process holds, that asked the same (target,
// representations, revision asked or not, writable, comment, working
// file, status, preview) and whose sources are the same files with the
// same sizes, and the same hashes where the manifest recorded them (the
// sources are hashed then). The first such manifest, lowest revision
// first, is resumed and its result returned (ok true), with Resumed
// naming it; on a dry run it is only reported. Other unfinished
// manifests are left alone and named via Logf, with the command that
// rolls them back.
func (o *Output) rerun(ctx context.Context, t *outTarget, req *OutputRequest, srcs []*srcFile, wfID string) (res *OutputResult, ok bool, err error) {
	fsys := o.fs()
	entries, err := afero.ReadDir(fsys, t.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("publish: listing claims in %q: %w", t.dir, err)
	}
	var revs []int
	for _, e := range entries {
		if g := manifestName.FindStringSubmatch(e.Name()); g != nil {
			r, _ := strconv.Atoi(g[1])
			if req.Revision == 0 || r == req.Revision {
				revs = append(revs, r)
			}
		}
	}
	slices.Sort(revs)
	me := cmp.Or(o.PID, os.Getpid())
	for _, rev := range revs {
		path := manifestPath(t.dir, rev)
		m, err := ReadManifest(fsys, path)
		if err != nil {
			o.logf("publish: %v; not resumed", err)
			continue
		}
		if !m.pending() {
			continue
		}
		if isRunning(m, me) {
			continue // its publisher runs: not ours to take
		}
		if busy, err := claimBusy(t.store.real, ClaimPath(claimTarget(t.dir, rev))); err != nil {
			return nil, false, err
		} else if busy {
			continue
		}
		why := sameRequest(t, m, req, srcs, wfID, o.Writable)
		if why == "" {
			if why = sameSources(t, m, srcs); why == "" && recordsHashes(m) {
				if err := o.hashSources(srcs); err != nil {
					return nil, false, err
				}
				why = sameHashes(m, srcs)
			}
		}
		if why != "" {
			o.logf("publish: %s is an unfinished publish (revision %d, state %s) of this output that is not this one: %s; left alone, publishing anew (roll it back with kpublish publish --abort %s)", path, rev, m.State, why, path)
			continue
		}
		if req.DryRun {
			o.logf("publish: would resume the unfinished publish of the same request and sources %s (revision %d, state %s)", path, rev, m.State)
			r := &run{m: m, path: path, records: map[string]kitsu.OutputFile{}}
			res := r.result()
			res.DryRun, res.Resumed = true, path
			return res, true, nil
		}
		o.logf("publish: resuming the unfinished publish of the same request and sources %s (revision %d, state %s)", path, rev, m.State)
		res, err := o.resume(ctx, path, req.Progress)
		if errors.Is(err, errBusy) {
			continue // taken by another process meanwhile
		}
		if res != nil {
			res.Resumed = path
		}
		return res, true, err
	}
	return nil, false, nil
}

// claimBusy reports whether another process holds the claim file's
// lock (the lock Output takes while it publishes, resumes or aborts).
func claimBusy(real bool, claim string) (bool, error) {
	if !real {
		return false, nil
	}
	l := flock.New(claim, flock.SetFlag(os.O_RDONLY))
	ok, err := l.TryLock()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil // no claim: its manifest stands for it
		}
		return false, fmt.Errorf("publish: locking %s: %w", claim, err)
	}
	if !ok {
		return true, nil
	}
	return false, l.Unlock()
}

// sameRequest says how the manifest's request differs from req ("" when
// it is the same): the target, the representations in order, whether a
// revision was asked, and what is stored or done with the files.
func sameRequest(t *outTarget, m *Manifest, req *OutputRequest, srcs []*srcFile, wfID string, writable bool) string {
	q := m.Request
	switch {
	case m.Target != t.m:
		return "another target"
	case q.Explicit != (req.Revision > 0):
		if q.Explicit {
			return fmt.Sprintf("it asked for revision %d", m.Revision)
		}
		return "it asked for the next revision"
	case q.Writable != writable:
		return "it publishes files " + map[bool]string{true: "writable", false: "read-only"}[q.Writable]
	case q.Comment != req.Comment:
		return "another comment"
	case q.WorkingFileID != wfID:
		return "another working file"
	case q.Status != req.Status:
		return "another status"
	case q.Preview != req.Preview:
		return "another preview"
	case len(m.Files) != len(srcs):
		return fmt.Sprintf("%d sources, not %d", len(m.Files), len(srcs))
	}
	for i, f := range srcs {
		if m.Files[i].Representation != f.rep {
			return fmt.Sprintf("representation %q where this one has %q", m.Files[i].Representation, f.rep)
		}
	}
	return ""
}

// sameSources says how the manifest's sources differ from srcs ("" when
// they are the same files, frames and sizes, published to the same
// destinations).
func sameSources(t *outTarget, m *Manifest, srcs []*srcFile) string {
	for i, f := range srcs {
		mf := &m.Files[i]
		frames := ""
		if f.seq {
			frames = FormatFrameRange(f.frames)
		}
		switch {
		case mf.Sequence != f.seq || mf.Extension != f.ext || mf.Pad != f.pad && f.seq || mf.Frames != frames:
			return fmt.Sprintf("representation %q: other files (frames %q, not %q)", f.rep, mf.Frames, frames)
		case !slices.Equal(mf.Source, f.paths):
			return fmt.Sprintf("representation %q: other source files", f.rep)
		case !slices.Equal(mf.Sizes, f.sizes):
			return fmt.Sprintf("representation %q: sources of other sizes (changed since)", f.rep)
		}
		want, err := t.fileFor(f, m.Revision)
		if err != nil || !slices.Equal(want.Dest, mf.Dest) || want.Path != mf.Path {
			return fmt.Sprintf("representation %q: the tree renders other destinations now", f.rep)
		}
	}
	return ""
}

// recordsHashes reports whether the manifest knows a hash of a source.
func recordsHashes(m *Manifest) bool {
	for _, mf := range m.Files {
		for _, h := range mf.Hashes {
			if h != "" {
				return true
			}
		}
	}
	return false
}

// sameHashes says which source's content differs from the hash the
// manifest recorded ("" when none); srcs are hashed.
func sameHashes(m *Manifest, srcs []*srcFile) string {
	for i, f := range srcs {
		mf := &m.Files[i]
		for j, h := range mf.Hashes {
			if h != "" && j < len(f.hashes) && f.hashes[j] != h {
				return fmt.Sprintf("%q has other content (changed since)", filepath.Clean(f.paths[j]))
			}
		}
	}
	return ""
}
