package publish

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gofrs/flock"
	"github.com/spf13/afero"

	"github.com/kpublish/kpublish/kitsu"
)

// run is one output publish going through its manifest's states.
type run struct {
	o        *Output
	t        *outTarget
	m        *Manifest
	path     string // the manifest
	srcs     []*srcFile
	explicit bool // the revision was asked for: never moved
	resumed  bool // continued from a manifest read from disk
	progress Progress

	kitsuLast  int
	records    map[string]kitsu.OutputFile // by representation
	lastCreate time.Time
	lock       *flock.Flock // on the claim file, while the run goes on
}

// lockClaim locks the claim file of the run's revision (on the real
// disk; an advisory lock, which NFS and SMB also hold across hosts
// where they support locks), so that no second process resumes or
// aborts the publish while this one runs; the lock of a revision given
// up is released. It reports false when another process holds it.
func (r *run) lockClaim(claim string) (bool, error) {
	if !r.t.store.real {
		return true, nil
	}
	l := flock.New(claim, flock.SetFlag(os.O_RDONLY))
	ok, err := l.TryLock()
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return true, nil // no claim to lock (its manifest stands for it)
		}
		return false, fmt.Errorf("publish: locking %s: %w", claim, err)
	}
	if !ok {
		return false, nil
	}
	r.unlock()
	r.lock = l
	return true, nil
}

// unlock releases the run's lock, if any.
func (r *run) unlock() {
	if r.lock != nil {
		_ = r.lock.Unlock()
		r.lock = nil
	}
}

// testStop, when set (by tests), is called at each step's point; an
// error stops the publish there, as a crash would, with the error.
var testStop func(point string) error

func (r *run) point(name string) error {
	crashPoint(name)
	if testStop != nil {
		return testStop(name)
	}
	return nil
}

func (r *run) write() error {
	r.m.Updated = time.Now().UTC()
	return writeManifest(r.o.fs(), r.t.store.real, r.path, r.m)
}

// partial wraps an error of a step after the claim: the manifest says
// what was done.
func (r *run) partial(err error, what string) error {
	if errors.Is(err, ErrPartial) || errors.Is(err, ErrRevisionConflict) {
		return err
	}
	return fmt.Errorf("%w: revision %d of %s: %s: finish it with Resume (kpublish publish --resume %s) or roll it back with Abort: %w", ErrPartial, r.m.Revision, r.t.describe(), what, r.path, err)
}

// claim claims the first free revision from from (exactly from when the
// revision was asked for) and writes the manifest in state claimed.
func (r *run) claim(from int) error {
	t := r.t
	opts := &ClaimOptions{PID: r.m.PID, Data: map[string]string{
		"entity_id": t.m.EntityID, "output_type_id": t.m.OutputTypeID, "task_type_id": t.m.TaskTypeID, "name": t.m.Name,
	}}
	for {
		var (
			c   *Claim
			err error
		)
		if r.explicit {
			c, err = t.store.ClaimWith(claimTarget(t.dir, from), from, opts)
			if errors.Is(err, ErrClaimed) || errors.Is(err, ErrExists) {
				return fmt.Errorf("%w: revision %d of %s is claimed by another publisher: %w", ErrRevisionConflict, from, t.describe(), err)
			}
		} else {
			c, err = t.store.ClaimNextWith(func(rev int) (string, error) { return claimTarget(t.dir, rev), nil }, from, opts)
		}
		if err != nil {
			return err
		}
		rev := c.Revision
		// A manifest without its claim (the claim released as stale):
		// the revision is taken all the same.
		if _, err := lstat(r.o.fs(), manifestPath(t.dir, rev)); err == nil {
			if r.explicit {
				return fmt.Errorf("%w: revision %d of %s has a manifest already (%s)", ErrRevisionConflict, rev, t.describe(), manifestPath(t.dir, rev))
			}
			from = rev + 1
			continue
		}
		files := make([]ManifestFile, len(r.srcs))
		for i, f := range r.srcs {
			if files[i], err = t.fileFor(f, rev); err != nil {
				_ = r.o.fs().Remove(c.Path)
				return err
			}
			if len(f.hashes) == len(f.paths) {
				files[i].Hashes = slices.Clone(f.hashes)
			}
		}
		r.m.Revision, r.m.State, r.m.Files, r.m.Kitsu, r.m.MovedTo = rev, StateClaimed, files, []ManifestRecord{}, 0
		r.m.After = ManifestAfter{}
		if ok, err := r.lockClaim(c.Path); err != nil || !ok {
			// Only a process that found this claim's manifest locks it.
			_ = r.o.fs().Remove(c.Path)
			if err == nil {
				err = fmt.Errorf("publish: the claim %s is locked by another process", c.Path)
			}
			return err
		}
		r.path = manifestPath(t.dir, rev)
		if err := r.write(); err != nil {
			_ = r.o.fs().Remove(c.Path)
			return err
		}
		return r.point("claimed")
	}
}

// steps takes the publish from its manifest's state to done.
func (r *run) steps(ctx context.Context) (*OutputResult, error) {
	for {
		var err error
		switch r.m.State {
		case StateClaimed:
			err = r.copy(ctx)
		case StateCopied:
			err = r.register(ctx)
		case StateRegistered:
			err = r.check(ctx)
		case StateDone:
			return r.finish(ctx)
		case StateAbandoned:
			return r.result(), fmt.Errorf("%w: revision %d of %s was given up (%s): nothing to resume", ErrAbandoned, r.m.Revision, r.t.describe(), r.path)
		}
		if err != nil {
			return r.result(), err
		}
	}
}

// copy places every file of the manifest: copied from its source, or
// on a resume kept when a file of the same content is in place already.
func (r *run) copy(ctx context.Context) error {
	fsys := r.o.fs()
	type at struct{ i, j int }
	var (
		jobs  []CopyJob
		where []at
		kept  []string // placed by an earlier attempt, adopted
		total int64
	)
	if r.m.Request.InPlace {
		return r.adopt()
	}
	if r.resumed {
		r.removeTemps()
	}
	for i := range r.m.Files {
		mf := &r.m.Files[i]
		if len(mf.Hashes) != len(mf.Dest) {
			mf.Hashes = make([]string, len(mf.Dest))
		}
		for j, d := range mf.Dest {
			fi, err := fsys.Stat(mf.Source[j])
			if err != nil {
				return r.partial(err, "a source is gone")
			}
			if fi.Size() != mf.Sizes[j] {
				return r.partial(fmt.Errorf("%q has %d bytes, %d when the publish began", mf.Source[j], fi.Size(), mf.Sizes[j]), "a source changed")
			}
			if r.resumed {
				if _, err := lstat(fsys, d); err == nil {
					in, err := HashFile(fsys, d)
					if err == nil && mf.Hashes[j] == "" {
						var s Sum
						if s, err = HashFile(fsys, mf.Source[j]); err == nil {
							mf.Hashes[j] = s.Hex
						}
					}
					if err != nil {
						return r.partial(err, "checking a file in place")
					}
					if in.Hex != mf.Hashes[j] || in.Size != mf.Sizes[j] {
						// Someone else's file.
						r.removePlaced(kept)
						return r.move(ctx, fmt.Sprintf("%q exists on disk with other content", d))
					}
					kept = append(kept, d)
					continue
				}
			}
			jobs = append(jobs, CopyJob{Src: mf.Source[j], Dst: d})
			where = append(where, at{i, j})
			total += mf.Sizes[j]
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		stopOnce sync.Once
		stopErr  error
		done     atomic.Int64
		written  atomic.Int64
	)
	stop := func() {
		stopOnce.Do(func() {
			if err := r.point("copy-mid"); err != nil {
				stopErr = err
				cancel()
			}
		})
	}
	p := r.progress
	if p != nil {
		p.Start("copying", total, len(jobs))
	}
	opts := &CopyAllOptions{
		CopyOptions: CopyOptions{Verify: true, ReadOnly: !r.m.Request.Writable, Progress: func(n int64) {
			if p != nil {
				p.Add(n)
			}
			if len(jobs) == 1 && written.Add(n)*2 >= total {
				stop()
			}
		}},
		Workers: r.o.workers(),
		FileDone: func() {
			if p != nil {
				p.FileDone()
			}
			if len(jobs) > 1 && done.Add(1) == int64(len(jobs)/2) {
				stop()
			}
		},
	}
	results, err := r.t.store.CopyAll(cctx, jobs, opts)
	if p != nil {
		p.Finish()
	}
	if stopErr != nil {
		return stopErr
	}
	if err != nil {
		if isExist(err) {
			placed := slices.Clone(kept)
			for _, res := range results {
				if res.Path != "" {
					placed = append(placed, res.Path)
				}
			}
			r.removePlaced(placed)
			return r.move(ctx, err.Error())
		}
		return r.partial(err, "copying")
	}
	for k, res := range results {
		w := where[k]
		r.m.Files[w.i].Hashes[w.j] = res.Hex
	}
	for i := range r.m.Files {
		mf := &r.m.Files[i]
		s := sumOf(mf)
		mf.Sum = &s
		r.srcs[i].hashes = slices.Clone(mf.Hashes)
	}
	r.m.State = StateCopied
	if err := r.write(); err != nil {
		return r.partial(err, "writing the manifest")
	}
	return r.point("copied")
}

// removePlaced removes files this publish placed.
func (r *run) removePlaced(paths []string) {
	for _, p := range paths {
		_ = r.o.fs().Remove(p)
	}
}

// removeTemps removes the temporary files of the manifest's
// destinations, left by a copy that was killed.
func (r *run) removeTemps() {
	removeTemps(r.o.fs(), r.m)
}

// removeTemps removes the temporary files of m's destinations: the
// hidden ".<name>.kpublish-tmp-*" beside each (only this publish writes
// to its revision's names).
func removeTemps(fsys afero.Fs, m *Manifest) {
	byDir := map[string]map[string]bool{}
	for _, f := range m.Files {
		for _, d := range f.Dest {
			dir := filepath.Dir(d)
			if byDir[dir] == nil {
				byDir[dir] = map[string]bool{}
			}
			byDir[dir]["."+filepath.Base(d)+TempInfix] = true
		}
	}
	for dir, prefixes := range byDir {
		entries, err := afero.ReadDir(fsys, dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			n := e.Name()
			if i := strings.Index(n, TempInfix); i > 0 && prefixes[n[:i+len(TempInfix)]] {
				_ = fsys.Remove(filepath.Join(dir, n))
			}
		}
	}
}

// recordID is the id of the record this publish created for a
// representation, "" when none.
func (r *run) recordID(rep string) string {
	for _, k := range r.m.Kitsu {
		if k.Representation == rep {
			return k.ID
		}
	}
	return ""
}

// create creates the record of one file of the manifest.
func (r *run) create(ctx context.Context, mf *ManifestFile) (*kitsu.OutputFile, error) {
	t, m := r.t, r.m
	nb := 1
	if mf.Sequence {
		nb = len(mf.Dest)
	}
	opts := &kitsu.NewOutputFileOptions{
		Name: t.m.Name, WorkingFileID: m.Request.WorkingFileID, Revision: m.Revision, NbElements: nb,
		Representation: mf.Representation, Extension: mf.Extension, Sep: "/",
	}
	if t.instance {
		return r.o.Client.Files.NewAssetInstanceOutputFile(ctx, t.m.AssetInstanceID, t.m.TemporalEntityID, t.m.OutputTypeID, t.m.TaskTypeID, m.Request.Comment, opts)
	}
	return r.o.Client.Files.NewEntityOutputFile(ctx, t.m.EntityID, t.m.OutputTypeID, t.m.TaskTypeID, m.Request.Comment, opts)
}

// recordData is what a record keeps in its data: the exact size, the
// full hash, where the manifest is, and a sequence's frames and files.
func (r *run) recordData(mf *ManifestFile) map[string]any {
	sum := sumOf(mf)
	d := map[string]any{"kpublish": 1, "algorithm": Algorithm, "size": sum.Size, "sha": sum.Hex, "host": r.m.Host}
	if tp, err := r.o.treeForm(r.path); err == nil {
		d["manifest"] = tp
	}
	if mf.Sequence {
		frames, _ := ParseFrameRange(mf.Frames)
		files := make([]SequenceFile, len(mf.Dest))
		for i, p := range mf.Dest {
			files[i] = SequenceFile{Name: filepath.Base(p), Size: mf.Sizes[i], SHA: mf.Hashes[i]}
		}
		seq := Sequence{Frames: frames}
		d["frames"], d["first_frame"], d["last_frame"], d["nb_frames"] = mf.Frames, seq.First(), seq.Last(), seq.Len()
		d["gaps"], d["pattern"], d["files"] = seq.Missing(), mf.TreePattern, files
	}
	return d
}

// register creates and completes the records of revision N, one per
// representation.
func (r *run) register(ctx context.Context) error {
	var (
		listing []kitsu.OutputFile
		listed  bool
	)
	for i := range r.m.Files {
		mf := &r.m.Files[i]
		id := r.recordID(mf.Representation)
		if id == "" && r.resumed {
			// A creation whose reply was lost: Kitsu holds the record with
			// this path and no hash yet.
			if !listed {
				var err error
				if listing, err = r.o.atRevision(ctx, r.t, r.m.Revision); err != nil {
					return r.partial(err, "listing Kitsu's records")
				}
				listed = true
			}
			for _, rec := range listing {
				if sha, _ := rec.Data["sha"].(string); rec.Revision == r.m.Revision && rec.Representation == mf.Representation && rec.Path == mf.Path && sha == "" {
					id = rec.ID
					r.m.Kitsu = append(r.m.Kitsu, ManifestRecord{Representation: mf.Representation, ID: id})
					if err := r.write(); err != nil {
						return r.partial(err, "writing the manifest")
					}
					break
				}
			}
		}
		if id == "" {
			rec, err := r.create(ctx, mf)
			if errors.Is(err, kitsu.ErrConflict) {
				return r.move(ctx, fmt.Sprintf("Kitsu holds representation %q of it already", mf.Representation))
			}
			if err != nil {
				return r.partial(err, "creating its record in Kitsu")
			}
			r.lastCreate = time.Now()
			id = rec.ID
			r.m.Kitsu = append(r.m.Kitsu, ManifestRecord{Representation: mf.Representation, ID: id})
			if rec.Path != mf.Path {
				msg := "the record was deleted"
				if _, derr := r.o.Client.Delete(ctx, "data/output-files/"+id, nil); derr != nil {
					msg = fmt.Sprintf("deleting the record %s failed too: %v", id, derr)
				} else {
					r.m.Kitsu = r.m.Kitsu[:len(r.m.Kitsu)-1]
				}
				_ = r.write()
				return fmt.Errorf("publish: Kitsu stored revision %d of %s as %q, not %q as rendered here: the tree used locally differs from the project's; %s; roll the publish back with Abort (kpublish publish --abort %s)", r.m.Revision, r.t.describe(), rec.Path, mf.Path, msg, r.path)
			}
			if err := r.write(); err != nil {
				return r.partial(err, "writing the manifest")
			}
		}
		sum := sumOf(mf)
		upd, err := r.o.Client.Files.UpdateOutputFile(ctx, id, map[string]any{
			"size": recordSize(sum.Size), "checksum": sum.Checksum32(), "data": r.recordData(mf),
		})
		if err != nil {
			return r.partial(err, "setting its record's size and hash in Kitsu")
		}
		r.records[mf.Representation] = *upd
	}
	r.m.State = StateRegistered
	if err := r.write(); err != nil {
		return r.partial(err, "writing the manifest")
	}
	return r.point("registered")
}

// check waits Settle after the last creation, then checks that the
// revision's records in Kitsu are this publish's only.
func (r *run) check(ctx context.Context) error {
	if wait := r.o.settle() - time.Since(r.lastCreate); wait > 0 {
		select {
		case <-ctx.Done():
			return r.partial(ctx.Err(), "checking the revision in Kitsu")
		case <-time.After(wait):
		}
	}
	recs, err := r.o.atRevision(ctx, r.t, r.m.Revision)
	if err != nil {
		return r.partial(err, "checking the revision in Kitsu")
	}
	ours := map[string]bool{}
	reps := map[string]bool{}
	for _, k := range r.m.Kitsu {
		ours[k.ID] = true
		reps[k.Representation] = true
	}
	seen := 0
	var foreign []string
	for _, rec := range recs {
		if rec.Revision != r.m.Revision {
			continue
		}
		if r.m.Request.InPlace && !reps[rec.Representation] && !ours[rec.ID] {
			continue // another representation, registered on its own
		}
		if ours[rec.ID] {
			seen++
		} else {
			foreign = append(foreign, fmt.Sprintf("%s (representation %q, path %q)", rec.ID, rec.Representation, rec.Path))
		}
	}
	switch {
	case len(foreign) > 0:
		return r.move(ctx, "Kitsu holds another record of it, made meanwhile: "+strings.Join(foreign, ", "))
	case seen != len(ours):
		return r.move(ctx, fmt.Sprintf("%d of its %d records are gone from Kitsu", len(ours)-seen, len(ours)))
	}
	r.m.State = StateDone
	if err := r.write(); err != nil {
		return r.partial(err, "writing the manifest")
	}
	return nil
}

// move gives the revision up: the records made are deleted, the
// manifest marked abandoned (its claim stays), and the publish goes on
// at the next free revision, its files renamed there when placed. An
// asked-for revision is not moved: ErrRevisionConflict.
func (r *run) move(ctx context.Context, reason string) error {
	old := *r.m
	old.Files = slices.Clone(r.m.Files)
	oldPath := r.path
	placed := old.State == StateCopied || old.State == StateRegistered
	for _, k := range r.m.Kitsu {
		if _, err := r.o.Client.Delete(ctx, "data/output-files/"+k.ID, nil); err != nil && !errors.Is(err, kitsu.ErrNotFound) {
			return r.partial(err, "deleting its records to move to the next revision")
		}
	}
	r.m.Kitsu = []ManifestRecord{}
	r.m.State = StateAbandoned
	if err := r.write(); err != nil {
		return r.partial(err, "writing the manifest")
	}
	if r.explicit {
		if placed && !r.m.Request.InPlace {
			for _, f := range old.Files {
				r.removePlaced(f.Dest)
			}
		}
		return fmt.Errorf("%w: revision %d of %s: %s; nothing is published", ErrRevisionConflict, old.Revision, r.t.describe(), reason)
	}
	if last, err := r.o.lastRevision(ctx, r.t); err == nil {
		r.kitsuLast = max(r.kitsuLast, last)
	}
	from := max(old.Revision, r.kitsuLast) + 1
	moved := append(slices.Clone(old.MovedFrom), old.Revision)
	for {
		r.m.MovedFrom = moved
		if err := r.claim(from); err != nil {
			return r.partial(err, "claiming the next revision")
		}
		if !placed {
			break
		}
		err := r.renameAll(old.Files, r.m.Files)
		if err == nil {
			for i := range r.m.Files {
				mf := &r.m.Files[i]
				mf.Hashes = slices.Clone(old.Files[i].Hashes)
				s := sumOf(mf)
				mf.Sum = &s
			}
			r.m.State = StateCopied
			if err := r.write(); err != nil {
				return r.partial(err, "writing the manifest")
			}
			break
		}
		if !isExist(err) {
			return r.partial(err, "renaming its files to the next revision")
		}
		// A file at the new revision too: give it up as well.
		r.m.State = StateAbandoned
		if err := r.write(); err != nil {
			return r.partial(err, "writing the manifest")
		}
		moved = append(moved, r.m.Revision)
		from = r.m.Revision + 1
	}
	old.State, old.MovedTo, old.Kitsu = StateAbandoned, r.m.Revision, []ManifestRecord{}
	old.Updated = time.Now().UTC()
	_ = writeManifest(r.o.fs(), r.t.store.real, oldPath, &old)
	r.o.logf("publish: revision %d of %s was taken (%s); moving to revision %d", old.Revision, r.t.describe(), reason, r.m.Revision)
	return nil
}

// renameAll moves the files of from to the destinations of to, without
// replacing any file; on a failure the files moved are moved back.
func (r *run) renameAll(from, to []ManifestFile) error {
	type pair struct{ a, b string }
	var done []pair
	for i := range from {
		for j := range from[i].Dest {
			a, b := from[i].Dest[j], to[i].Dest[j]
			if err := r.t.store.moveFile(a, b); err != nil {
				for k := len(done) - 1; k >= 0; k-- {
					_ = r.t.store.moveFile(done[k].b, done[k].a)
				}
				return err
			}
			done = append(done, pair{a, b})
		}
	}
	return nil
}

// moveFile renames from to to (under the root) without replacing a
// file: ErrExists when to exists.
func (s *Store) moveFile(from, to string) error {
	abs, err := s.target(to, false)
	if err != nil {
		return err
	}
	if err := s.mkParent(to, abs); err != nil {
		return err
	}
	fi, err := lstat(s.fs, from)
	if err != nil {
		return fmt.Errorf("publish: moving %q: %w", from, err)
	}
	if err := s.moveNoReplace(from, abs, fi.Mode().Perm()); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return &ExistsError{Path: abs, Op: "move"}
		}
		return fmt.Errorf("publish: moving %q to %q: %w", from, abs, err)
	}
	if s.real {
		_ = syncDir(filepath.Dir(abs))
		_ = syncDir(filepath.Dir(from))
	}
	return nil
}

// finish runs the step after the publish, if asked and not done yet,
// and returns the result.
func (r *run) finish(ctx context.Context) (*OutputResult, error) {
	m := r.m
	for _, k := range m.Kitsu {
		if _, ok := r.records[k.Representation]; !ok {
			rec, err := r.o.Client.Files.GetOutputFile(ctx, k.ID)
			if err != nil {
				return r.result(), err
			}
			r.records[k.Representation] = *rec
		}
	}
	if m.afterWanted() && !m.After.Done {
		if runAfter == nil {
			return r.result(), r.partial(errors.New("this build has no after step"), "setting the status or uploading the preview")
		}
		entity := r.t.m.EntityID
		if r.t.instance {
			entity = r.t.m.TemporalEntityID
		}
		ar, err := runAfter(ctx, r.o.Client, AfterOptions{
			TaskID: r.t.m.TaskID, EntityID: entity, TaskTypeID: r.t.m.TaskTypeID,
			Status: m.Request.Status, Comment: m.Request.Comment, Preview: m.Request.Preview, Progress: r.progress,
		})
		if err != nil {
			return r.result(), r.partial(err, "published, but setting the status or uploading the preview failed")
		}
		m.After = ManifestAfter{CommentID: ar.CommentID, PreviewID: ar.PreviewID, Done: true}
		if err := r.write(); err != nil {
			return r.result(), r.partial(err, "writing the manifest")
		}
	}
	return r.result(), nil
}

// result is the publish as its manifest says.
func (r *run) result() *OutputResult {
	m := r.m
	res := &OutputResult{Revision: m.Revision, Manifest: r.path, MovedFrom: slices.Clone(m.MovedFrom), CommentID: m.After.CommentID, PreviewID: m.After.PreviewID}
	if res.MovedFrom == nil {
		res.MovedFrom = []int{}
	}
	for i := range m.Files {
		mf := &m.Files[i]
		var sum Sum
		if mf.Sum != nil {
			sum = *mf.Sum
		} else {
			for _, n := range mf.Sizes {
				sum.Size += n
			}
			sum.Algorithm = Algorithm
		}
		res.Files = append(res.Files, fileResult(mf, sum, r.records[mf.Representation]))
	}
	return res
}

var crashAt = sync.OnceValue(func() string { return os.Getenv("KPUBLISH_TEST_CRASH") })

// crashPoint kills this process at once (SIGKILL, as kill -9) when the
// environment variable KPUBLISH_TEST_CRASH names point: claimed,
// copy-mid, copied or registered. It is for tests of crashes only.
func crashPoint(point string) {
	if crashAt() != point {
		return
	}
	if p, err := os.FindProcess(os.Getpid()); err == nil {
		_ = p.Kill()
	}
	select {} // the signal is on its way
}
