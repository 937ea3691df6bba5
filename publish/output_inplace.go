package publish

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/kitsu"
)

// ErrNotOutput matches a path that no project's tree reads as an output
// file: RegisterInPlace registers nothing for it.
var ErrNotOutput = errors.New("publish: not an output file of a project's tree")

// InPlaceOptions are RegisterInPlace's optional parts.
type InPlaceOptions struct {
	// ProjectID is the project whose tree reads the path; "" tries every
	// open project whose output mountpoint holds it.
	ProjectID string
	// Comment is stored on the record.
	Comment string
}

// RegisterInPlace registers in Kitsu an output file, or an image
// sequence, that already lies where its project's tree puts it (written
// there by a render or a cache job rather than published): the project,
// entity, task type, output type, name, revision and representation
// are read from its path with the tree, and nothing is copied.
//
// It goes through the claims and manifests of Publish, one claim per
// representation and revision (in the output's claims folder, under
// in-place/<representation>), so that two processes registering the
// same file (two watchers of one shared folder) make one record:
//
//   - a done registration of the same content returns it
//     (AlreadyPublished) without asking Kitsu; of other content is
//     ErrRevisionConflict (the file changed after it was registered);
//   - one in progress in a live process is ErrBusy (try again later);
//     one left unfinished by a dead process is resumed;
//   - a record of the revision and representation in Kitsu already is
//     the same file when its hash is the file's (AlreadyPublished), and
//     ErrRevisionConflict otherwise;
//   - else the record is created with the revision the path shows, given
//     its size, checksum and data, and checked after Settle: a record
//     made meanwhile by someone else for the same representation and
//     revision makes it delete its own and report ErrRevisionConflict.
//
// The files are never moved, changed or removed, whatever happens. A
// path the trees do not read as an output is ErrNotOutput; an asset
// instance's output is refused (publish it with Publish, naming the
// instance).
func (o *Output) RegisterInPlace(ctx context.Context, path string, opts *InPlaceOptions) (*OutputResult, error) {
	var op InPlaceOptions
	if opts != nil {
		op = *opts
	}
	if err := checkComment(op.Comment); err != nil {
		return nil, err
	}
	if o.Client == nil {
		return nil, errors.New("publish: Output has no Kitsu client")
	}
	if p := badChars(path); p != "" {
		return nil, fmt.Errorf("%w: output file %q %s", ErrUnsafePath, path, p)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("publish: %q: %w", path, err)
	}
	f, err := o.findSource(OutputSource{Path: abs})
	if err != nil {
		return nil, err
	}
	if f.seq && len(f.paths) == 1 {
		// One numbered file given as a sequence ("preview_v003.png" as
		// frame 3 of "preview_v###.png"): one file, unless its name reads
		// as a frame of its own ("beauty_v003.1001.exr").
		if one, err := o.findSource(OutputSource{Path: f.paths[0]}); err == nil && !one.seq {
			f = one
		}
	}
	tg, rev, rep, err := o.readOutputPath(ctx, f.paths[0], op.ProjectID)
	if err != nil {
		return nil, err
	}
	if rep != "" {
		if err := checkRepresentation(rep); err != nil {
			return nil, fmt.Errorf("publish: %q: %w", abs, err)
		}
		f.rep = rep
	}
	t, err := o.resolve(ctx, tg)
	if err != nil {
		return nil, err
	}
	mf, err := t.fileFor(f, rev)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(mf.Dest, f.paths) {
		return nil, fmt.Errorf("%w: %q reads as revision %d of %s, which the tree puts at %q: want a file named as the tree names it", ErrNotOutput, abs, rev, t.describe(), mf.Dest[0])
	}
	if err := o.hashSources([]*srcFile{f}); err != nil {
		return nil, err
	}
	mf.Hashes = slices.Clone(f.hashes)
	sum := sumOf(&mf)
	if res, ok, err := o.byPublish(ctx, t, f, sum, rev); ok || err != nil {
		return res, err
	}
	t.dir = inPlaceDir(t.dir, f.rep)
	return o.inPlace(ctx, t, f, &mf, sum, rev, &op)
}

// byPublish handles a file that a Publish placed (its manifest of
// revision rev names it): done, it is that publish's (AlreadyPublished);
// still running, ErrBusy; left unfinished by a dead process, it is
// resumed. ok is false when no publish placed it.
func (o *Output) byPublish(ctx context.Context, t *outTarget, f *srcFile, sum Sum, rev int) (*OutputResult, bool, error) {
	fsys := o.fs()
	path := manifestPath(t.dir, rev)
	m, err := ReadManifest(fsys, path)
	if errors.Is(err, fs.ErrNotExist) {
		if _, err := lstat(fsys, ClaimPath(claimTarget(t.dir, rev))); err == nil {
			// Claimed a moment ago by a Publish, its manifest not written
			// yet.
			return nil, true, fmt.Errorf("publish: revision %d of %s: %w: claimed by a publish", rev, t.describe(), ErrBusy)
		}
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	var mine *ManifestFile
	for i := range m.Files {
		if slices.Equal(m.Files[i].Dest, f.paths) {
			mine = &m.Files[i]
		}
	}
	switch {
	case mine == nil, m.State == StateAbandoned:
		return nil, false, nil // not this file's publish, or given up
	case m.State == StateDone:
		if mine.Sum == nil || mine.Sum.Hex != sum.Hex {
			return nil, true, fmt.Errorf("%w: %q was published as revision %d (%s) with other content: the file changed after it was published", ErrRevisionConflict, f.paths[0], rev, path)
		}
		r := &run{o: o, t: t, m: m, path: path, records: map[string]kitsu.OutputFile{}}
		res := r.result()
		res.AlreadyPublished = true
		for i := range res.Files {
			for _, k := range m.Kitsu {
				if k.Representation == res.Files[i].Representation {
					res.Files[i].OutputFile.ID = k.ID
				}
			}
		}
		return onlyRep(res, mine.Representation), true, nil
	case isRunning(m, cmp.Or(o.PID, os.Getpid())):
		return nil, true, fmt.Errorf("publish: %s: %w (pid %d on %s)", path, ErrBusy, m.PID, m.Host)
	}
	res, err := o.Resume(ctx, path)
	if err != nil {
		return nil, true, err
	}
	return onlyRep(res, mine.Representation), true, nil
}

// onlyRep keeps the file of one representation in a result.
func onlyRep(res *OutputResult, rep string) *OutputResult {
	files := res.Files[:0]
	for _, f := range res.Files {
		if f.Representation == rep {
			files = append(files, f)
		}
	}
	res.Files = files
	return res
}

// inPlace registers mf, found in place at revision rev, through its
// claim.
func (o *Output) inPlace(ctx context.Context, t *outTarget, f *srcFile, mf *ManifestFile, sum Sum, rev int, op *InPlaceOptions) (*OutputResult, error) {
	fsys := o.fs()
	mpath := manifestPath(t.dir, rev)
	claim := ClaimPath(claimTarget(t.dir, rev))
	for attempt := 0; ; attempt++ {
		m, err := ReadManifest(fsys, mpath)
		if err == nil {
			return o.inPlaceFound(ctx, t, m, mpath, sum)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if _, err := lstat(fsys, claim); err == nil {
			// Claimed a moment ago, its manifest not written yet.
			return nil, fmt.Errorf("publish: revision %d of %s (%s): %w: claimed by %s", rev, t.describe(), f.rep, ErrBusy, claim)
		}
		recs, err := o.atRevision(ctx, t, rev)
		if err != nil {
			return nil, err
		}
		for _, rec := range recs {
			if rec.Representation != f.rep || rec.Revision != rev {
				continue
			}
			if sha, _ := rec.Data["sha"].(string); sha == sum.Hex && rec.Path == mf.Path {
				res := &OutputResult{Revision: rev, AlreadyPublished: true, MovedFrom: []int{}}
				res.Files = []OutputFileResult{fileResult(mf, sum, rec)}
				return res, nil
			}
			return nil, fmt.Errorf("%w: revision %d of %s (representation %q) is in Kitsu already as %q with hash %q, not the file %q found in place (hash %s)", ErrRevisionConflict, rev, t.describe(), f.rep, rec.Path, rec.Data["sha"], mf.Dest[0], sum.Hex)
		}
		m = &Manifest{
			Version: ManifestVersion, Target: t.m,
			Request: ManifestReq{Comment: op.Comment, Writable: true, Explicit: true, InPlace: true},
			Kitsu:   []ManifestRecord{}, MovedFrom: []int{},
		}
		m.Host, _ = os.Hostname()
		if u, err := user.Current(); err == nil {
			m.User = u.Username
		}
		m.PID = cmp.Or(o.PID, os.Getpid())
		m.Created = time.Now().UTC()
		r := &run{o: o, t: t, m: m, srcs: []*srcFile{f}, explicit: true, kitsuLast: rev - 1, records: map[string]kitsu.OutputFile{}}
		err = r.claim(rev)
		if errors.Is(err, ErrRevisionConflict) && attempt == 0 {
			// Claimed by another process between the looks above: read
			// what it wrote.
			r.unlock()
			continue
		}
		if err != nil {
			r.unlock()
			if errors.Is(err, ErrRevisionConflict) {
				return nil, fmt.Errorf("publish: revision %d of %s (%s): %w: %w", rev, t.describe(), f.rep, ErrBusy, err)
			}
			return nil, err
		}
		defer r.unlock()
		return r.steps(ctx)
	}
}

// inPlaceFound handles the manifest found for an in-place registration.
func (o *Output) inPlaceFound(ctx context.Context, t *outTarget, m *Manifest, path string, sum Sum) (*OutputResult, error) {
	if !m.Request.InPlace || len(m.Files) != 1 {
		return nil, fmt.Errorf("%w: %s is not an in-place registration's manifest", ErrManifest, path)
	}
	mf := &m.Files[0]
	switch {
	case m.State == StateDone:
		if mf.Sum == nil || mf.Sum.Hex != sum.Hex || mf.Sum.Size != sum.Size {
			return nil, fmt.Errorf("%w: revision %d of %s (representation %q) was registered (%s) with other content: the file changed after it was registered; write it under a new revision", ErrRevisionConflict, m.Revision, t.describe(), mf.Representation, path)
		}
		res := &OutputResult{Revision: m.Revision, AlreadyPublished: true, Manifest: path, MovedFrom: []int{}}
		rec := kitsu.OutputFile{Revision: m.Revision, Representation: mf.Representation, Path: mf.Path, Name: t.m.Name,
			EntityID: t.m.EntityID, OutputTypeID: t.m.OutputTypeID, TaskTypeID: t.m.TaskTypeID}
		if len(m.Kitsu) == 1 {
			rec.ID = m.Kitsu[0].ID
		}
		res.Files = []OutputFileResult{fileResult(mf, sum, rec)}
		return res, nil
	case m.State == StateAbandoned:
		return nil, fmt.Errorf("%w: revision %d of %s (representation %q) was given up (%s): Kitsu holds another record of it", ErrRevisionConflict, m.Revision, t.describe(), mf.Representation, path)
	case isRunning(m, cmp.Or(o.PID, os.Getpid())):
		return nil, fmt.Errorf("publish: %s: %w (pid %d on %s)", path, ErrBusy, m.PID, m.Host)
	}
	if mf.Sum != nil && mf.Sum.Hex != sum.Hex {
		return nil, fmt.Errorf("%w: %s: the file changed since its registration began: abort it (kpublish publish --abort %s), then write the file under a new revision", ErrRevisionConflict, path, path)
	}
	return o.Resume(ctx, path)
}

// adopt is the copy step of an in-place registration: the files are
// where they belong already; their sizes and hashes are checked against
// the manifest (read again on a resume).
func (r *run) adopt() error {
	fsys := r.o.fs()
	for i := range r.m.Files {
		mf := &r.m.Files[i]
		known := len(mf.Hashes) == len(mf.Dest) && !slices.Contains(mf.Hashes, "")
		for j, d := range mf.Dest {
			if d != mf.Source[j] {
				return fmt.Errorf("%w: %s: file %q is registered in place but its source is %q", ErrManifest, r.path, d, mf.Source[j])
			}
			if !known || r.resumed {
				s, err := HashFile(fsys, d)
				if err != nil {
					return r.partial(err, "reading a file in place")
				}
				if known && s.Hex != mf.Hashes[j] {
					return fmt.Errorf("%w: %q changed since its registration began (%s): abort it, then write the file under a new revision", ErrRevisionConflict, d, r.path)
				}
				if len(mf.Hashes) != len(mf.Dest) {
					mf.Hashes = make([]string, len(mf.Dest))
				}
				mf.Hashes[j] = s.Hex
			}
			fi, err := fsys.Stat(d)
			if err != nil {
				return r.partial(err, "a file in place is gone")
			}
			if fi.Size() != mf.Sizes[j] {
				return fmt.Errorf("%w: %q has %d bytes, %d when its registration began (%s)", ErrRevisionConflict, d, fi.Size(), mf.Sizes[j], r.path)
			}
		}
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

// readOutputPath reads the output file at abs with the tree of
// projectID, or of every open project whose output mountpoint holds it,
// and resolves what it names in Kitsu: the target, the revision and the
// representation ("" when the path shows none).
func (o *Output) readOutputPath(ctx context.Context, abs, projectID string) (*OutputTarget, int, string, error) {
	src := o.source()
	var ids []string
	if projectID != "" {
		ids = []string{projectID}
	} else {
		projects, err := src.OpenProjects(ctx)
		if err != nil {
			return nil, 0, "", err
		}
		for _, p := range projects {
			// The listing holds each project's tree: only the projects
			// whose output mountpoint holds the file are read further.
			if out, ok := p.FileTree["output"].(map[string]any); ok {
				if m, ok := out["mountpoint"].(string); ok {
					if mp, err := o.local(m); err != nil || !within(mp, abs) {
						continue
					}
				}
			}
			ids = append(ids, p.ID)
		}
	}
	tp, err := o.treeForm(abs)
	if err != nil {
		return nil, 0, "", fmt.Errorf("%w: %q: %w", ErrNotOutput, abs, err)
	}
	type reading struct {
		tg       OutputTarget
		rev      int
		rep      string
		project  string
		instance bool
	}
	var found []reading
	var tried []string
	for _, id := range ids {
		tree, err := src.Tree(ctx, id)
		if err != nil {
			if projectID != "" {
				return nil, 0, "", err
			}
			continue
		}
		mode, ok := tree.Modes["output"]
		if !ok {
			continue
		}
		mp, err := o.local(mode.Mountpoint)
		if err != nil || !within(mp, abs) {
			continue
		}
		parsed, err := tree.Parse(tp)
		var amb *filetree.AmbiguousError
		if errors.As(err, &amb) {
			return nil, 0, "", fmt.Errorf("%w: %q read with project %s's tree: %w", ErrNotOutput, abs, id, err)
		}
		if err != nil || parsed.Mode != "output" {
			tried = append(tried, id)
			continue
		}
		if parsed.Kind == filetree.KindInstance || parsed.Kind == filetree.KindInstanceAsset {
			return nil, 0, "", fmt.Errorf("%w: %q is an asset instance's output (project %s): publish it with kpublish publish output --asset-instance", ErrNotOutput, abs, id)
		}
		res, err := src.Resolve(ctx, parsed)
		if err != nil {
			if errors.Is(err, kitsu.ErrNotFound) {
				tried = append(tried, id)
				continue
			}
			return nil, 0, "", fmt.Errorf("publish: %q read with project %s's tree (%s): %w", abs, id, parsed, err)
		}
		if res.Project == nil || res.Project.ID != id {
			tried = append(tried, id) // another project's file under a shared mountpoint
			continue
		}
		if res.Entity == nil || res.TaskType == nil {
			return nil, 0, "", fmt.Errorf("%w: %q read with project %s's tree (%s) names no entity and task type", ErrNotOutput, abs, id, parsed)
		}
		if parsed.Revision < 1 {
			return nil, 0, "", fmt.Errorf("%w: %q read with project %s's tree shows no revision", ErrNotOutput, abs, id)
		}
		otSlug, ok := parsed.Value("OutputType")
		if !ok {
			return nil, 0, "", fmt.Errorf("%w: %q: the output section of project %s's tree shows no <OutputType>", ErrNotOutput, abs, id)
		}
		types, err := src.OutputTypes(ctx)
		if err != nil {
			return nil, 0, "", err
		}
		var ot []string
		for _, x := range types {
			if strings.EqualFold(filetree.Slug(x.Name), otSlug) || x.ID == otSlug {
				ot = append(ot, x.ID)
			}
		}
		if len(ot) != 1 {
			return nil, 0, "", fmt.Errorf("%w: %q: output type %q matches %d output types in Kitsu: want one", ErrNotOutput, abs, otSlug, len(ot))
		}
		name, _ := parsed.Value("Name")
		rep, _ := parsed.Value("Representation")
		found = append(found, reading{
			tg:  OutputTarget{EntityID: res.Entity.ID, TaskTypeID: res.TaskType.ID, OutputType: ot[0], Name: cmp.Or(name, "main")},
			rev: parsed.Revision, rep: rep, project: id,
		})
	}
	switch len(found) {
	case 1:
		r := found[0]
		return &r.tg, r.rev, r.rep, nil
	case 0:
		if len(tried) > 0 {
			return nil, 0, "", fmt.Errorf("%w: %q is not an output file the tree of project %s describes", ErrNotOutput, abs, strings.Join(tried, ", "))
		}
		return nil, 0, "", fmt.Errorf("%w: %q lies under no open project's output mountpoint", ErrNotOutput, abs)
	}
	var ps []string
	for _, r := range found {
		ps = append(ps, r.project)
	}
	return nil, 0, "", fmt.Errorf("%w: %q reads as an output of %d projects (%s): give the project", ErrNotOutput, abs, len(found), strings.Join(ps, ", "))
}
