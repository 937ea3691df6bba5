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
	"strings"

	"github.com/spf13/afero"

	"github.com/kpublish/kpublish/kitsu"
)

// running refuses a manifest whose publisher still runs on this host.
func (o *Output) running(m *Manifest, path string) error {
	if isRunning(m, cmp.Or(o.PID, os.Getpid())) {
		return fmt.Errorf("publish: %s: its publish is still running (pid %d on %s): wait for it to end", path, m.PID, m.Host)
	}
	return nil
}

func isRunning(m *Manifest, me int) bool {
	host, _ := os.Hostname()
	return m.Host != "" && strings.EqualFold(m.Host, host) && m.PID > 0 && m.PID != me && m.PID != os.Getpid() && processAlive(m.PID)
}

// Resume finishes the publish whose manifest is at path, from the state
// it records: claimed → the files are copied (sources checked against
// the sizes recorded; files in place of the same content kept, the
// temporary files of a killed copy removed); copied → registered in
// Kitsu, adopting a record whose creation's reply was lost rather than
// making a second one; registered → checked; done → the step after the
// publish if it is pending. An abandoned manifest that moved to a later
// revision resumes that one; one that moved nowhere is ErrAbandoned.
//
// A publish whose process still runs on this host is refused.
func (o *Output) Resume(ctx context.Context, path string) (*OutputResult, error) {
	return o.resume(ctx, path, nil)
}

// ErrBusy matches a publish another process is doing (its claim held
// locked or just made): wait for it to end, then try again.
var ErrBusy = errors.New("another process is publishing, resuming or aborting it")

var errBusy = ErrBusy

// resume is Resume reporting its copies to progress.
func (o *Output) resume(ctx context.Context, path string, progress Progress) (*OutputResult, error) {
	for range maxClaimTries {
		m, err := ReadManifest(o.fs(), path)
		if err != nil {
			return nil, err
		}
		if err := o.running(m, path); err != nil {
			return nil, err
		}
		if m.State == StateAbandoned && m.MovedTo > 0 {
			o.logf("publish: %s was moved to revision %d; resuming that one", path, m.MovedTo)
			path = manifestPath(filepath.Dir(path), m.MovedTo)
			continue
		}
		r, err := o.reopen(ctx, m, path)
		if err != nil {
			return nil, err
		}
		if m.State == StateAbandoned {
			return r.result(), fmt.Errorf("%w: revision %d of %s was given up (%s): nothing to resume", ErrAbandoned, m.Revision, r.t.describe(), path)
		}
		defer r.unlock()
		if ok, err := r.lockClaim(ClaimPath(claimTarget(r.t.dir, m.Revision))); err != nil {
			return nil, err
		} else if !ok {
			return nil, fmt.Errorf("publish: %s: %w: wait for it to end", path, errBusy)
		}
		r.progress = progress
		// Read again under the lock: the state may have moved meanwhile.
		if m2, err := ReadManifest(o.fs(), path); err != nil {
			return nil, err
		} else if m2.State != m.State {
			r.unlock()
			continue
		}
		if m.State == StateCopied || m.State == StateRegistered {
			// A copy killed before the state was written left nothing;
			// leftovers of one killed otherwise are removed.
			removeTemps(o.fs(), m)
			for _, mf := range m.Files {
				if !o.placed(&mf) {
					return r.result(), fmt.Errorf("publish: %s says its files are copied, but a file of representation %q is missing or has another size: abort it (kpublish publish --abort %s)", path, mf.Representation, path)
				}
			}
		}
		return r.steps(ctx)
	}
	return nil, fmt.Errorf("publish: %s: too many moves to follow", path)
}

// reopen rebuilds a run from a manifest read from disk: the target is
// read again from Kitsu, and the destinations rendered again must be the
// manifest's.
func (o *Output) reopen(ctx context.Context, m *Manifest, path string) (*run, error) {
	mt := m.Target
	tg := OutputTarget{OutputType: mt.OutputTypeID, Name: mt.Name}
	switch {
	case mt.TaskID != "":
		tg.TaskID = mt.TaskID
	case mt.AssetInstanceID != "":
		tg.AssetInstanceID, tg.TemporalEntityID, tg.TaskTypeID = mt.AssetInstanceID, mt.TemporalEntityID, mt.TaskTypeID
	default:
		tg.EntityID, tg.TaskTypeID = mt.EntityID, mt.TaskTypeID
	}
	t, err := o.resolve(ctx, &tg)
	if err != nil {
		return nil, err
	}
	if t.m != mt {
		return nil, fmt.Errorf("%w: %s: its target reads now as %+v, not %+v as recorded", ErrManifest, path, t.m, mt)
	}
	if m.Request.InPlace && len(m.Files) == 1 {
		t.dir = inPlaceDir(t.dir, m.Files[0].Representation)
	}
	if filepath.Dir(path) != t.dir {
		return nil, fmt.Errorf("%w: %s: this host's claims of its output are in %q: want the manifest there (are the roots the ones it was published with?)", ErrManifest, path, t.dir)
	}
	r := &run{o: o, t: t, m: m, path: path, resumed: true, explicit: m.Request.Explicit, records: map[string]kitsu.OutputFile{}}
	for i := range m.Files {
		mf := &m.Files[i]
		f := &srcFile{rep: mf.Representation, ext: mf.Extension, seq: mf.Sequence, pad: mf.Pad, paths: mf.Source, sizes: mf.Sizes}
		for _, n := range mf.Sizes {
			f.total += n
		}
		if len(mf.Hashes) == len(mf.Dest) && !slices.Contains(mf.Hashes, "") {
			f.hashes = slices.Clone(mf.Hashes)
		}
		if f.seq {
			if f.frames, err = ParseFrameRange(mf.Frames); err != nil || len(f.frames) != len(mf.Dest) {
				return nil, fmt.Errorf("%w: %s: file %d: frames %q for %d files", ErrManifest, path, i, mf.Frames, len(mf.Dest))
			}
		}
		want, err := t.fileFor(f, m.Revision)
		if err != nil {
			return nil, err
		}
		if !slices.Equal(want.Dest, mf.Dest) || want.Path != mf.Path {
			return nil, fmt.Errorf("%w: %s: representation %q renders now as %q, not %q as recorded: the project's tree or the roots changed; abort it", ErrManifest, path, mf.Representation, want.Path, mf.Path)
		}
		r.srcs = append(r.srcs, f)
	}
	return r, nil
}

// Abort rolls back the unfinished publish whose manifest is at path:
// it deletes the Kitsu records the manifest names (and, before the
// records were all named, a record of the revision with the manifest's
// path and no hash: a creation whose reply was lost), removes the
// placed files that still have the sizes (and hashes, when recorded) the
// manifest gives, the temporary files of its destinations, then the
// manifest and the claim. It never removes a file the manifest does not
// name. A done publish is refused: it is published; a publish whose
// process still runs on this host too.
func (o *Output) Abort(ctx context.Context, path string) error {
	fsys := o.fs()
	m, err := ReadManifest(fsys, path)
	if err != nil {
		return err
	}
	if err := o.running(m, path); err != nil {
		return err
	}
	if m.State == StateDone {
		return fmt.Errorf("publish: %s: revision %d is published (state done): nothing to abort", path, m.Revision)
	}
	root, err := manifestRoot(path)
	if err != nil {
		return err
	}
	s, err := NewStore(fsys, root, nil)
	if err != nil {
		return err
	}
	lr := &run{t: &outTarget{store: s}}
	defer lr.unlock()
	if ok, err := lr.lockClaim(ClaimPath(claimTarget(filepath.Dir(path), m.Revision))); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("publish: %s: %w: wait for it to end", path, errBusy)
	}
	if m, err = ReadManifest(fsys, path); err != nil {
		return err
	}
	if m.State == StateDone {
		return fmt.Errorf("publish: %s: revision %d is published (state done): nothing to abort", path, m.Revision)
	}
	ids := map[string]bool{}
	for _, k := range m.Kitsu {
		ids[k.ID] = true
	}
	if m.State == StateCopied || m.State == StateRegistered {
		if o.Client == nil {
			return errors.New("publish: Output has no Kitsu client")
		}
		t := &outTarget{m: m.Target, instance: m.Target.AssetInstanceID != ""}
		recs, err := o.atRevision(ctx, t, m.Revision)
		if err != nil {
			return fmt.Errorf("publish: aborting %s: listing its records in Kitsu: %w", path, err)
		}
		paths := map[string]bool{}
		for _, f := range m.Files {
			paths[f.Path] = true
		}
		for _, rec := range recs {
			if sha, _ := rec.Data["sha"].(string); rec.Revision == m.Revision && sha == "" && paths[rec.Path] {
				ids[rec.ID] = true
			}
		}
	}
	for id := range ids {
		if _, err := o.Client.Delete(ctx, "data/output-files/"+id, nil); err != nil && !errors.Is(err, kitsu.ErrNotFound) {
			return fmt.Errorf("publish: aborting %s: deleting record %s: %w", path, id, err)
		}
	}
	var errs []error
	for _, f := range m.Files {
		if m.Request.InPlace {
			break // found there, not placed: they stay
		}
		for j, d := range f.Dest {
			abs, err := s.target(d, false)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			fi, err := lstat(fsys, abs)
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			if err != nil || !fi.Mode().IsRegular() || fi.Size() != f.Sizes[j] {
				continue // not this publish's file
			}
			if len(f.Hashes) == len(f.Dest) && f.Hashes[j] != "" {
				if sum, err := HashFile(fsys, abs); err != nil || sum.Hex != f.Hashes[j] {
					continue
				}
			}
			if err := fsys.Remove(abs); err != nil && !errors.Is(err, fs.ErrNotExist) {
				errs = append(errs, fmt.Errorf("publish: aborting %s: removing %q: %w", path, abs, err))
			}
		}
	}
	removeTemps(fsys, m)
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if err := fsys.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("publish: aborting: removing %s: %w", path, err)
	}
	claim := ClaimPath(claimTarget(filepath.Dir(path), m.Revision))
	lr.unlock() // Windows removes no locked file
	if err := fsys.Remove(claim); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("publish: aborting: removing the claim %s: %w", claim, err)
	}
	return nil
}

// Unfinished lists the publishes under root (a store root: an output
// mountpoint on this host) whose manifests are not done: in any state
// before done, or done with the step after the publish pending. It
// reads every manifest under root's .kpublish/outputs folder; those that
// cannot be read are reported in the error, with the others listed.
func (o *Output) Unfinished(root string) ([]ManifestInfo, error) {
	fsys := o.fs()
	base := filepath.Join(filepath.Clean(root), ".kpublish", "outputs")
	out := []ManifestInfo{}
	var errs []error
	err := afero.Walk(fsys, base, func(p string, fi fs.FileInfo, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if fi.IsDir() || !manifestName.MatchString(fi.Name()) {
			return nil
		}
		m, err := ReadManifest(fsys, p)
		if err != nil {
			errs = append(errs, err)
			return nil
		}
		if !m.pending() {
			return nil
		}
		out = append(out, ManifestInfo{
			Path: p, State: m.State, Revision: m.Revision, Host: m.Host, PID: m.PID, User: m.User, Updated: m.Updated,
			Target: m.Target, Running: isRunning(m, cmp.Or(o.PID, os.Getpid())),
		})
		return nil
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("publish: listing manifests under %q: %w", base, err))
	}
	return out, errors.Join(errs...)
}
