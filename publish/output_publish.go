package publish

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/filetree/kitsutree"
	"github.com/kpublish/kpublish/kitsu"
)

// ErrAbandoned matches a Resume of a publish that was given up (its
// revision taken by another publisher) and moved nowhere: nothing is
// left to do.
var ErrAbandoned = errors.New("publish: the publish was abandoned")

// maxOutputName is Zou's output_file.name column.
const maxOutputName = 250

// outTarget is an output target resolved in Kitsu, with the tree and
// the store its files go to.
type outTarget struct {
	m        ManifestTarget
	instance bool
	project  string // its name, for errors
	tree     *filetree.Tree
	ctx      filetree.Context
	store    *Store
	dir      string // claims and manifests
	owner    *Output
}

// srcFile is one source of a publish, found on disk.
type srcFile struct {
	rep, ext string
	seq      bool
	pad      int
	frames   []int
	paths    []string
	sizes    []int64
	total    int64
	hashes   []string // once hashed
}

// Publish publishes the request's sources as one revision of an output
// and returns it. The steps, each written down in the manifest before
// it is taken:
//
//  1. The target is read from Kitsu, the sources found on disk (files,
//     sequences), and every record checked against Zou's limits; bad
//     input is refused before anything is written.
//  2. One listing of the output's records in Kitsu gives its last
//     revision and finds identical content published already (then
//     nothing is done: AlreadyPublished, unless NewRevision).
//  3. The next revision above Kitsu's and the storage's is claimed on
//     the storage (the claim decides: publishers on every host get
//     distinct revisions); the manifest is written beside the claim.
//  4. The files are copied to temporary names, synced, verified, and
//     moved into place without ever replacing a file. A file found at
//     a destination gives the revision up for the next one.
//  5. One record per source is created in Kitsu with that revision, its
//     path checked equal to the one rendered here, then given its size
//     (0 when over Zou's 32-bit column), checksum and data (exact size,
//     full hash, frames, files).
//  6. After Settle, the revision's records must be this publish's only:
//     a record made meanwhile by someone else (another publisher, a
//     gazu script) moves this publish to the next revision (records
//     deleted, files renamed, registered again); MovedFrom says so.
//  7. Done; then the optional status comment and preview.
//
// Before step 2, an unfinished publish of the same request (its
// manifest in the output's claims folder not done, its claim not held
// by a live process, the same target, representations, options, and
// the same source files, sizes and recorded hashes; of revision
// Revision only, when one is asked) is resumed instead, as Resume does,
// and its result returned with Resumed naming its manifest: a rerun of
// an interrupted command completes it. Unfinished publishes of other
// requests or other sources are left alone (Logf names them).
//
// A failure after the claim leaves the manifest (OutputResult.Manifest,
// named in the error, which matches ErrPartial): Resume finishes it,
// Abort rolls it back. An explicit Revision that is taken is
// ErrRevisionConflict, with nothing left behind but the revision's
// claim and its abandoned manifest.
func (o *Output) Publish(ctx context.Context, req *OutputRequest) (*OutputResult, error) {
	if req == nil {
		return nil, errors.New("publish: Publish: nil request")
	}
	if req.Revision < 0 {
		return nil, fmt.Errorf("publish: revision %d: want 1 or more, or 0 for the next one", req.Revision)
	}
	if len(req.Sources) == 0 {
		return nil, errors.New("publish: no source: want one or more files or sequences to publish")
	}
	if (req.Status != "" || req.Preview != "") && runAfter == nil {
		return nil, errors.New("publish: a status or a preview after the publish needs the after step, which this build lacks")
	}
	if req.Preview != "" {
		if p := badChars(req.Preview); p != "" {
			return nil, fmt.Errorf("%w: preview %q %s", ErrUnsafePath, req.Preview, p)
		}
		fi, err := o.fs().Stat(req.Preview)
		if err != nil {
			return nil, fmt.Errorf("publish: preview %q: %w", req.Preview, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("publish: preview %q is not a regular file: want a movie or an image", req.Preview)
		}
	}
	if err := checkComment(req.Comment); err != nil {
		return nil, err
	}
	srcs := make([]*srcFile, len(req.Sources))
	reps := map[string]int{}
	for i, s := range req.Sources {
		f, err := o.findSource(s)
		if err != nil {
			return nil, err
		}
		if j, ok := reps[f.rep]; ok {
			return nil, fmt.Errorf("publish: sources %q and %q both have representation %q: want a distinct representation per source", req.Sources[j].Path, s.Path, f.rep)
		}
		reps[f.rep] = i
		srcs[i] = f
	}
	target := req.Target
	if target.TaskID == "" && target.EntityID == "" && target.AssetInstanceID == "" && target.TemporalEntityID == "" {
		// The source lies in the working tree: its path names the task.
		id, err := o.taskFromPath(ctx, srcs[0].paths[0])
		if err != nil {
			return nil, err
		}
		target.TaskID = id
	}
	t, err := o.resolve(ctx, &target)
	if err != nil {
		return nil, err
	}
	if err := t.checkTemplate(srcs[0]); err != nil {
		return nil, err
	}
	wfID, err := o.workingFileID(ctx, req.WorkingFile)
	if err != nil {
		return nil, err
	}
	// A rerun of an interrupted publish (a farm task retried) finishes
	// it rather than publishing the same files as a new revision.
	if res, ok, err := o.rerun(ctx, t, req, srcs, wfID); ok || err != nil {
		return res, err
	}
	// Kitsu's last revision, and the records that may hold this content
	// already (those of the first source's representation and size),
	// asked at the same time.
	var (
		kitsuLast int
		lastErr   error
		cands     []kitsu.OutputFile
		candErr   error
		wg        sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		kitsuLast, lastErr = o.lastRevision(ctx, t)
	}()
	switch {
	case req.Revision > 0:
		cands, candErr = o.atRevision(ctx, t, req.Revision)
	case !req.NewRevision:
		cands, candErr = o.keyRecords(ctx, t, url.Values{"representation": {srcs[0].rep}, "size": {strconv.FormatInt(recordSize(srcs[0].total), 10)}})
	}
	wg.Wait()
	if err := errors.Join(lastErr, candErr); err != nil {
		return nil, err
	}
	if req.Revision > 0 {
		if len(cands) > 0 {
			return nil, fmt.Errorf("%w: revision %d of %s is in Kitsu already (%s): want a new revision, such as %d", ErrRevisionConflict, req.Revision, t.describe(), cands[0].Path, kitsuLast+1)
		}
	} else if !req.NewRevision && len(cands) > 0 {
		res, err := o.findPublished(ctx, t, srcs, cands)
		if err != nil || res != nil {
			if res != nil {
				res.DryRun = req.DryRun
			}
			return res, err
		}
	}
	diskLast, err := diskClaimed(o.fs(), t.dir)
	if err != nil {
		return nil, err
	}
	next := max(kitsuLast, diskLast) + 1
	if req.Revision > 0 {
		next = req.Revision
	}
	// Zou's limits and the destinations' safety, before anything is
	// written.
	dests := map[string]string{}
	for _, f := range srcs {
		mf, err := t.fileFor(f, next)
		if err != nil {
			return nil, err
		}
		for _, d := range mf.Dest {
			if rep, ok := dests[d]; ok {
				return nil, fmt.Errorf("publish: representations %q and %q would both be published as %q: the output section of project %q's tree must show <Representation>, or give the sources distinct extensions", rep, f.rep, d, t.project)
			}
			dests[d] = f.rep
		}
	}
	if req.DryRun {
		return o.dryRun(t, srcs, next, req.Revision > 0, req.Comment, wfID)
	}

	m := &Manifest{
		Version: ManifestVersion, Target: t.m,
		Request: ManifestReq{Comment: req.Comment, WorkingFileID: wfID, Status: req.Status, Preview: req.Preview, Writable: o.Writable, Explicit: req.Revision > 0},
		Kitsu:   []ManifestRecord{}, MovedFrom: []int{},
	}
	m.Host, _ = os.Hostname()
	if u, err := user.Current(); err == nil {
		m.User = u.Username
	}
	m.PID = cmp.Or(o.PID, os.Getpid())
	m.Created = time.Now().UTC()
	r := &run{o: o, t: t, m: m, srcs: srcs, explicit: req.Revision > 0, progress: req.Progress, kitsuLast: kitsuLast, records: map[string]kitsu.OutputFile{}}
	defer r.unlock()
	if err := r.claim(next); err != nil {
		if r.path != "" {
			return r.result(), err
		}
		return nil, err
	}
	return r.steps(ctx)
}

// checkComment refuses a comment with a NUL byte (PostgreSQL cannot
// store it).
func checkComment(c string) error {
	if strings.ContainsRune(c, 0) {
		return errors.New("publish: the comment holds a NUL byte: want text")
	}
	if !utf8.ValidString(c) {
		return errors.New("publish: the comment is not valid UTF-8: want text")
	}
	return nil
}

// findSource finds a source on disk: one file, or a sequence.
func (o *Output) findSource(s OutputSource) (*srcFile, error) {
	fsys := o.fs()
	if p := badChars(s.Path); p != "" {
		return nil, fmt.Errorf("%w: source %q %s", ErrUnsafePath, s.Path, p)
	}
	if hasDotDot(s.Path) {
		return nil, fmt.Errorf(`%w: source %q has a ".." name: want a path without ".."`, ErrUnsafePath, s.Path)
	}
	f := &srcFile{}
	fi, err := fsys.Stat(s.Path)
	var seq *Sequence
	switch {
	case err == nil && fi.Mode().IsRegular():
		if isFrameFile(filepath.Base(s.Path)) {
			found, serr := FindSequence(fsys, s.Path)
			if serr != nil {
				return nil, serr
			}
			if found.Len() > 1 {
				seq = found
			}
		}
		if seq == nil {
			f.paths, f.sizes, f.total = []string{s.Path}, []int64{fi.Size()}, fi.Size()
			f.ext = filepath.Ext(filepath.Base(s.Path))
		}
	case err == nil && !fi.IsDir():
		return nil, fmt.Errorf("publish: source %q is not a regular file (%v): want a file, a sequence or a folder of frames", s.Path, fi.Mode().Type())
	default:
		// A folder, a pattern, or nothing.
		found, serr := FindSequence(fsys, s.Path)
		if serr != nil {
			return nil, serr
		}
		seq = found
	}
	if seq != nil {
		f.seq, f.pad, f.frames, f.ext = true, seq.Pad, seq.Frames, seq.Ext
		f.paths = seq.Paths()
		f.sizes = make([]int64, len(f.paths))
		for i, p := range f.paths {
			fi, err := fsys.Stat(p)
			if err != nil {
				return nil, fmt.Errorf("publish: frame %q of %q: %w", p, s.Path, err)
			}
			if !fi.Mode().IsRegular() {
				return nil, fmt.Errorf("publish: frame %q of %q is not a regular file", p, s.Path)
			}
			f.sizes[i] = fi.Size()
			f.total += fi.Size()
		}
	}
	f.rep = s.Representation
	if f.rep == "" {
		f.rep = strings.TrimPrefix(f.ext, ".")
	}
	if err := checkRepresentation(f.rep); err != nil {
		return nil, fmt.Errorf("publish: source %q: %w", s.Path, err)
	}
	if p := badChars(f.ext); f.ext != "" && p != "" || strings.ContainsAny(f.ext, `/\`) {
		return nil, fmt.Errorf("%w: source %q: extension %q: want a plain extension", ErrUnsafePath, s.Path, f.ext)
	}
	return f, nil
}

// checkRepresentation refuses a representation Zou cannot hold or that
// is no plain name.
func checkRepresentation(r string) error {
	if n := utf8.RuneCountInString(r); n > MaxRepresentation {
		return &LimitError{Kind: OutputFile, Field: "representation", Value: shorten(r), Length: int64(n), Limit: MaxRepresentation}
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' && i > 0) {
			return fmt.Errorf("%w: representation %q: want letters, digits, '_', '-' and '.' (not first), as in abc or usd", ErrUnsafePath, r)
		}
	}
	return nil
}

// checkName refuses an output name Zou cannot hold or that is no plain
// name.
func checkName(n string) error {
	if p := badChars(n); p != "" {
		return fmt.Errorf("%w: output name %q %s", ErrUnsafePath, n, p)
	}
	if strings.ContainsAny(n, `/\`) || n == "." || n == ".." {
		return fmt.Errorf("%w: output name %q: want a name without / or \\", ErrUnsafePath, n)
	}
	if k := utf8.RuneCountInString(n); k > maxOutputName {
		return &LimitError{Kind: OutputFile, Field: "name", Value: shorten(n), Length: int64(k), Limit: maxOutputName}
	}
	return nil
}

// resolve reads the target from Kitsu and opens the store on the tree's
// output mountpoint.
func (o *Output) resolve(ctx context.Context, tg *OutputTarget) (*outTarget, error) {
	forms := 0
	for _, set := range []bool{tg.TaskID != "", tg.EntityID != "", tg.AssetInstanceID != "" || tg.TemporalEntityID != ""} {
		if set {
			forms++
		}
	}
	if forms != 1 {
		return nil, fmt.Errorf("publish: output target: want exactly one of a task, an entity with a task type, or an asset instance with its temporal entity and a task type (got %d)", forms)
	}
	if tg.OutputType == "" {
		return nil, errors.New("publish: output target: no output type: want an output type's name or id")
	}
	if o.Client == nil {
		return nil, errors.New("publish: Output has no Kitsu client")
	}
	src := o.source()
	t := &outTarget{owner: o}
	name := tg.Name
	var (
		c   *filetree.Context
		err error
	)
	notFound := func(err error, what string) error {
		if errors.Is(err, kitsu.ErrNotFound) {
			return fmt.Errorf("publish: %s: not found in Kitsu: %w", what, err)
		}
		return err
	}
	switch {
	case tg.TaskID != "":
		name = cmp.Or(name, "main")
		if err := checkName(name); err != nil {
			return nil, err
		}
		c, err = src.TaskOutputContext(ctx, tg.TaskID, tg.OutputType, &kitsutree.OutputOptions{Name: name, Revision: 1})
		if err != nil {
			return nil, notFound(err, fmt.Sprintf("task %s, output type %q", tg.TaskID, tg.OutputType))
		}
		t.m = ManifestTarget{TaskID: tg.TaskID, EntityID: c.Entity.ID}
	default:
		if tg.TaskTypeID == "" {
			return nil, errors.New("publish: output target: no task type: want the task type that made the output, by name or id")
		}
		instance := tg.EntityID == ""
		if instance && (tg.AssetInstanceID == "" || tg.TemporalEntityID == "") {
			return nil, errors.New("publish: output target: an asset instance needs both its id and its temporal entity's (the shot or scene it is in)")
		}
		name = cmp.Or(name, map[bool]string{true: "master", false: "main"}[instance])
		if err := checkName(name); err != nil {
			return nil, err
		}
		ttID, err := src.TaskTypeID(ctx, tg.TaskTypeID)
		if err != nil {
			return nil, notFound(err, fmt.Sprintf("task type %q", tg.TaskTypeID))
		}
		otID, err := src.OutputTypeID(ctx, tg.OutputType)
		if err != nil {
			return nil, notFound(err, fmt.Sprintf("output type %q", tg.OutputType))
		}
		opts := &kitsutree.OutputOptions{Name: name, Revision: 1}
		if instance {
			c, err = src.InstanceOutputContext(ctx, tg.AssetInstanceID, tg.TemporalEntityID, otID, ttID, opts)
			if err != nil {
				return nil, notFound(err, fmt.Sprintf("asset instance %s in %s", tg.AssetInstanceID, tg.TemporalEntityID))
			}
			t.instance = true
			t.m = ManifestTarget{EntityID: c.Asset.ID, AssetInstanceID: tg.AssetInstanceID, TemporalEntityID: tg.TemporalEntityID}
		} else {
			c, err = src.OutputContext(ctx, tg.EntityID, otID, ttID, opts)
			if err != nil {
				return nil, notFound(err, fmt.Sprintf("entity %s", tg.EntityID))
			}
			t.m = ManifestTarget{EntityID: c.Entity.ID}
		}
	}
	t.m.ProjectID, t.m.OutputTypeID, t.m.TaskTypeID, t.m.Name = c.Project.ID, c.OutputType.ID, c.TaskType.ID, name
	t.project = c.Project.Name
	t.ctx = *c
	if t.tree, err = src.Tree(ctx, c.Project.ID); err != nil {
		return nil, err
	}
	mode, ok := t.tree.Modes["output"]
	if !ok {
		return nil, fmt.Errorf("publish: project %q: its file tree has no output section: want a tree with output templates", t.project)
	}
	root, err := o.local(mode.Mountpoint)
	if err != nil {
		return nil, fmt.Errorf("publish: project %q: output mountpoint %q: %w", t.project, mode.Mountpoint, err)
	}
	if t.store, err = NewStore(o.fs(), root, &StoreOptions{GOOS: cmp.Or(o.CheckOS, o.goos())}); err != nil {
		return nil, fmt.Errorf("publish: project %q: the output mountpoint %q on this host (map it to this host's mount with roots): %w", t.project, mode.Mountpoint, err)
	}
	t.dir = manifestDir(t.store.Root(), &t.m)
	return t, nil
}

func (t *outTarget) describe() string {
	if t.instance {
		return fmt.Sprintf("the output %q of asset instance %s in %s (output type %s, task type %s)", t.m.Name, t.m.AssetInstanceID, t.m.TemporalEntityID, t.m.OutputTypeID, t.m.TaskTypeID)
	}
	return fmt.Sprintf("the output %q of entity %s (output type %s, task type %s)", t.m.Name, t.m.EntityID, t.m.OutputTypeID, t.m.TaskTypeID)
}

// local maps a path in the tree's form to this host's.
func (o *Output) local(treePath string) (string, error) { return toLocal(o.Roots, o.goos(), treePath) }

// treeForm maps a path of this host to the tree's form.
func (o *Output) treeForm(local string) (string, error) { return toTreeForm(o.Roots, local) }

// render renders the output path of revision rev and representation rep
// (tree form, no extension); nb above 1 adds Zou's _[1-N] for an
// entity's sequence (Zou adds none for an instance).
func (t *outTarget) render(rev int, rep string, nb int) (string, error) {
	c := t.ctx
	c.Revision, c.Representation = rev, rep
	if t.instance {
		nb = 1
	}
	p, err := t.tree.Render(filetree.Output, &c, &filetree.RenderOptions{Sep: "/", NbElements: nb})
	if err != nil {
		return "", err
	}
	return p.Full(), nil
}

// checkTemplate refuses a tree whose output paths do not show the
// revision: every revision would be the same file.
func (t *outTarget) checkTemplate(f *srcFile) error {
	a, err := t.render(1, f.rep, 1)
	if err != nil {
		return err
	}
	b, err := t.render(2, f.rep, 1)
	if err != nil {
		return err
	}
	if a == b {
		return fmt.Errorf("publish: project %q: the output section of its file tree does not show the revision (<Revision> or <Version>): every revision would be the same file %q", t.project, a)
	}
	return nil
}

// hashToken is the padding of a pattern of pad digits that ParsePattern
// reads back: "####" for 4, "@" for 1.
func hashToken(pad int) string {
	if pad == 1 {
		return "@"
	}
	return strings.Repeat("#", pad)
}

// fileFor returns the manifest entry of a source at revision rev: its
// destinations, the path Kitsu will store, checked against Zou's limits
// and the store's rules.
func (t *outTarget) fileFor(f *srcFile, rev int) (ManifestFile, error) {
	mf := ManifestFile{Representation: f.rep, Extension: f.ext, Sequence: f.seq, Source: f.paths, Sizes: f.sizes, Hashes: []string{}}
	base, err := t.render(rev, f.rep, 1)
	if err != nil {
		return mf, err
	}
	var trees []string
	if f.seq {
		mf.Pad, mf.Frames = f.pad, FormatFrameRange(f.frames)
		if mf.Path, err = t.render(rev, f.rep, len(f.frames)); err != nil {
			return mf, err
		}
		mf.Path += f.ext
		mf.TreePattern = base + "." + hashToken(f.pad) + f.ext
		trees = make([]string, len(f.frames))
		for i, fr := range f.frames {
			trees[i] = base + "." + formatFrame(fr, f.pad) + f.ext
		}
	} else {
		mf.Path = base + f.ext
		mf.TreePattern = mf.Path
		trees = []string{mf.Path}
	}
	if err := CheckLimits(OutputFile, Fields{Path: mf.Path, Extension: f.ext, Representation: f.rep}); err != nil {
		return mf, err
	}
	mf.Dest = make([]string, len(trees))
	for i, tp := range trees {
		lp, err := t.localOf(tp)
		if err != nil {
			return mf, err
		}
		abs, err := t.store.target(lp, false)
		if err != nil {
			return mf, err
		}
		if IsClaimFile(abs) || IsTempFile(abs) {
			return mf, &PathError{Path: lp, Root: t.store.Root(), Problem: "is a claim or temporary file's name"}
		}
		mf.Dest[i] = abs
	}
	return mf, nil
}

func (t *outTarget) localOf(tree string) (string, error) { return t.owner.local(tree) }

// workingFileID resolves the request's working file: an id (checked in
// Kitsu) or a path of a registered working file.
func (o *Output) workingFileID(ctx context.Context, wf string) (string, error) {
	if wf == "" {
		return "", nil
	}
	if kitsutree.LooksLikeID(wf) {
		f, err := o.Client.Files.GetWorkingFile(ctx, wf)
		if err != nil {
			if errors.Is(err, kitsu.ErrNotFound) {
				return "", fmt.Errorf("publish: working file %s: not found in Kitsu: want a registered working file's id or path: %w", wf, err)
			}
			return "", err
		}
		return f.ID, nil
	}
	if p := badChars(wf); p != "" {
		return "", fmt.Errorf("%w: working file %q %s", ErrUnsafePath, wf, p)
	}
	abs := wf
	if !filepath.IsAbs(abs) {
		var err error
		if abs, err = filepath.Abs(wf); err != nil {
			return "", fmt.Errorf("publish: working file %q: %w", wf, err)
		}
	}
	tp, err := o.treeForm(abs)
	if err != nil {
		return "", fmt.Errorf("publish: working file %q: %w", wf, err)
	}
	// Kitsu stores a working file's path without its extension.
	candidates := []string{tp}
	if ext := filepath.Ext(tp); ext != "" && !strings.Contains(ext, "/") {
		candidates = append(candidates, strings.TrimSuffix(tp, ext))
	}
	for _, c := range candidates {
		value := c
		if strings.HasPrefix(c, "[") {
			value = "[" + strconv.Quote(c) + "]"
		}
		var found []kitsu.WorkingFile
		if err := o.Client.Get(ctx, "data/working-files", &found, &kitsu.RequestOptions{Params: url.Values{"path": {value}}}); err != nil {
			return "", err
		}
		for _, f := range found {
			if f.Path == c {
				return f.ID, nil
			}
		}
	}
	return "", fmt.Errorf("publish: working file %q: no working file with path %q in Kitsu: want a registered working file's id or path", wf, candidates[len(candidates)-1])
}

// keyRecords lists the output's records in Kitsu that match filters
// (column=value: revision, representation, size), through the generic
// route that filters in the database, so that a check costs the same
// with 10 or 10,000 revisions. Zou matches the name without regard to
// case and with wildcards: the name is compared exactly here, and an
// entity's own outputs are kept apart from its instances'.
func (o *Output) keyRecords(ctx context.Context, t *outTarget, filters url.Values) ([]kitsu.OutputFile, error) {
	name := t.m.Name
	if strings.HasPrefix(name, "[") {
		name = "[" + strconv.Quote(name) + "]" // Zou reads "[..." as a list
	}
	q := url.Values{"output_type_id": {t.m.OutputTypeID}, "task_type_id": {t.m.TaskTypeID}, "name": {name}}
	if t.instance {
		q.Set("asset_instance_id", t.m.AssetInstanceID)
		q.Set("temporal_entity_id", t.m.TemporalEntityID)
	} else {
		q.Set("entity_id", t.m.EntityID)
	}
	for k, v := range filters {
		q[k] = v
	}
	var all []kitsu.OutputFile
	if err := o.Client.FetchAll(ctx, "output-files", &all, &kitsu.FetchOptions{Params: q}); err != nil {
		return nil, err
	}
	out := all[:0]
	for _, r := range all {
		if r.Name != t.m.Name || !t.instance && (r.AssetInstanceID != "" || r.TemporalEntityID != "") {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// atRevision lists the output's records of one revision.
func (o *Output) atRevision(ctx context.Context, t *outTarget, rev int) ([]kitsu.OutputFile, error) {
	return o.keyRecords(ctx, t, url.Values{"revision": {strconv.Itoa(rev)}})
}

// lastRevision is the output's highest revision in Kitsu (0 for none).
func (o *Output) lastRevision(ctx context.Context, t *outTarget) (int, error) {
	opts := &kitsu.OutputRevisionOptions{Name: t.m.Name}
	var (
		next int
		err  error
	)
	if t.instance {
		next, err = o.Client.Files.GetNextAssetInstanceOutputRevision(ctx, t.m.AssetInstanceID, t.m.TemporalEntityID, t.m.OutputTypeID, t.m.TaskTypeID, opts)
	} else {
		next, err = o.Client.Files.GetNextEntityOutputRevision(ctx, t.m.EntityID, t.m.OutputTypeID, t.m.TaskTypeID, opts)
	}
	return next - 1, err
}

func (o *Output) workers() int { return cmp.Or(max(o.Workers, 0), DefaultCopyWorkers) }

// hashSources hashes every file of the sources not hashed yet, workers
// at a time.
func (o *Output) hashSources(srcs []*srcFile) error {
	type job struct {
		f *srcFile
		i int
	}
	var jobs []job
	for _, f := range srcs {
		if len(f.hashes) == len(f.paths) {
			continue
		}
		f.hashes = make([]string, len(f.paths))
		for i := range f.paths {
			jobs = append(jobs, job{f, i})
		}
	}
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	next := make(chan job)
	for range min(o.workers(), max(len(jobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				s, err := HashFile(o.fs(), j.f.paths[j.i])
				if err == nil && s.Size != j.f.sizes[j.i] {
					err = fmt.Errorf("publish: %q changed: %d bytes, then %d", j.f.paths[j.i], j.f.sizes[j.i], s.Size)
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				j.f.hashes[j.i] = s.Hex
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	if len(errs) > 0 {
		for _, f := range srcs {
			f.hashes = nil
		}
		return errors.Join(errs...)
	}
	return nil
}

// sumOf is the Sum of a manifest file whose hashes are known: the
// file's, or the sequence's digest over its destination names.
func sumOf(mf *ManifestFile) Sum {
	if !mf.Sequence {
		return Sum{Algorithm: Algorithm, Hex: mf.Hashes[0], Size: mf.Sizes[0]}
	}
	files := make([]SequenceFile, len(mf.Dest))
	for i, d := range mf.Dest {
		files[i] = SequenceFile{Name: filepath.Base(d), Size: mf.Sizes[i], SHA: mf.Hashes[i]}
	}
	return SequenceDigest(files)
}

// dataSize reads the exact size a kpublish record keeps in its data.
func dataSize(d map[string]any) (int64, bool) {
	if d == nil {
		return 0, false
	}
	if _, ok := d["kpublish"]; !ok {
		return 0, false
	}
	switch v := d["size"].(type) {
	case float64:
		return int64(v), v >= 0 && v <= math.MaxInt64
	case int64:
		return v, true
	case int:
		return int64(v), true
	}
	return 0, false
}

// findPublished looks for a revision holding the sources' content
// already, among the candidates (records of the first source's
// representation and record size): the exact sizes in their data must
// match (stat is free), then every representation's hash (the sources
// are read once, only then).
func (o *Output) findPublished(ctx context.Context, t *outTarget, srcs []*srcFile, cands []kitsu.OutputFile) (*OutputResult, error) {
	slices.SortFunc(cands, func(a, b kitsu.OutputFile) int { return b.Revision - a.Revision })
	for _, c := range cands {
		if n, ok := dataSize(c.Data); !ok || n != srcs[0].total || c.Representation != srcs[0].rep {
			continue
		}
		at := map[string]kitsu.OutputFile{c.Representation: c}
		if len(srcs) > 1 {
			recs, err := o.atRevision(ctx, t, c.Revision)
			if err != nil {
				return nil, err
			}
			for _, r := range recs {
				at[r.Representation] = r
			}
		}
		match := true
		for _, f := range srcs {
			r, ok := at[f.rep]
			if n, known := dataSize(r.Data); !ok || !known || n != f.total {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		if err := o.hashSources(srcs); err != nil {
			return nil, err
		}
		res := &OutputResult{Revision: c.Revision, AlreadyPublished: true, MovedFrom: []int{}}
		for _, f := range srcs {
			mf, err := t.fileFor(f, c.Revision)
			if err != nil {
				match = false
				break
			}
			mf.Hashes = f.hashes
			sum := sumOf(&mf)
			r := at[f.rep]
			if sha, _ := r.Data["sha"].(string); sha != sum.Hex || r.Path != mf.Path || !o.placed(&mf) {
				match = false
				break
			}
			res.Files = append(res.Files, fileResult(&mf, sum, r))
		}
		if match {
			return res, nil
		}
	}
	return nil, nil
}

// placed reports whether every destination of mf holds a file of its
// size.
func (o *Output) placed(mf *ManifestFile) bool {
	for i, d := range mf.Dest {
		fi, err := o.fs().Stat(d)
		if err != nil || !fi.Mode().IsRegular() || fi.Size() != mf.Sizes[i] {
			return false
		}
	}
	return true
}

func fileResult(mf *ManifestFile, sum Sum, rec kitsu.OutputFile) OutputFileResult {
	return OutputFileResult{Representation: mf.Representation, Paths: slices.Clone(mf.Dest), TreePattern: mf.TreePattern, Frames: mf.Frames, Sum: sum, OutputFile: rec}
}

// dryRun returns what a publish at the first free revision from next
// would do, writing nothing.
func (o *Output) dryRun(t *outTarget, srcs []*srcFile, next int, explicit bool, comment, wfID string) (*OutputResult, error) {
	fsys := o.fs()
	for rev := next; rev < next+maxClaimTries; rev++ {
		free := true
		for _, p := range []string{ClaimPath(claimTarget(t.dir, rev)), manifestPath(t.dir, rev)} {
			if _, err := lstat(fsys, p); err == nil {
				free = false
			}
		}
		res := &OutputResult{Revision: rev, DryRun: true, MovedFrom: []int{}}
		for _, f := range srcs {
			mf, err := t.fileFor(f, rev)
			if err != nil {
				return nil, err
			}
			for _, d := range mf.Dest {
				if _, err := lstat(fsys, d); err == nil {
					free = false
				}
			}
			nb := 1
			if f.seq {
				nb = len(f.frames)
			}
			rec := kitsu.OutputFile{
				Name: t.m.Name, Revision: rev, Representation: f.rep, Extension: f.ext, NbElements: nb, Path: mf.Path, Comment: comment,
				EntityID: t.m.EntityID, AssetInstanceID: t.m.AssetInstanceID, TemporalEntityID: t.m.TemporalEntityID,
				OutputTypeID: t.m.OutputTypeID, TaskTypeID: t.m.TaskTypeID, SourceFileID: wfID, Size: recordSize(f.total),
			}
			res.Files = append(res.Files, fileResult(&mf, Sum{Algorithm: Algorithm, Size: f.total}, rec))
		}
		if free {
			return res, nil
		}
		if explicit {
			return nil, fmt.Errorf("%w: revision %d of %s is claimed or has files on disk already", ErrRevisionConflict, rev, t.describe())
		}
	}
	return nil, fmt.Errorf("publish: revisions %d to %d are all claimed or published", next, next+maxClaimTries-1)
}

// recordSize is the size Zou's 32-bit column can hold: the size, or 0
// when it does not fit (the exact size is in the record's data).
func recordSize(n int64) int64 {
	if n > MaxSize {
		return 0
	}
	return n
}

// lost reports whether err means a path exists (a file placed by
// someone else).
func isExist(err error) bool { return errors.Is(err, ErrExists) || errors.Is(err, fs.ErrExist) }

// isFrameFile reports whether a file given alone may be one frame of a
// sequence whose siblings are to be found: its frame number has two
// digits or more and follows a ".", a "_" or nothing ("beauty.1001.exr",
// "plate_0001.dpx", "0001.png"), so that "cache_v002.abc" or "take_2.abc"
// stay one file.
func isFrameFile(name string) bool {
	ff, ok := splitFrame(name)
	if !ok || len(ff.digits) < 2 {
		return false
	}
	return ff.base == "" || strings.HasSuffix(ff.base, ".") || strings.HasSuffix(ff.base, "_")
}

// taskFromPath finds the task whose working files the file at path is
// beside: the path read with the working section of the tree of each
// open project whose working mountpoint holds it, and resolved in Kitsu.
func (o *Output) taskFromPath(ctx context.Context, path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("publish: %q: %w", path, err)
	}
	noTarget := fmt.Errorf("publish: output target: none given, and %q is no file of a task's working tree: give a task, an entity with a task type, or an asset instance", path)
	if o.Client == nil {
		return "", errors.New("publish: Output has no Kitsu client")
	}
	projects, err := o.source().OpenProjects(ctx)
	if err != nil {
		return "", err
	}
	src := o.source()
	tp, err := o.treeForm(abs)
	if err != nil {
		return "", noTarget
	}
	var found []string
	for _, p := range projects {
		// The listing holds each project's tree: only the projects whose
		// working mountpoint holds the file are read further.
		if w, ok := p.FileTree["working"].(map[string]any); ok {
			if m, ok := w["mountpoint"].(string); ok {
				if mp, err := o.local(m); err != nil || !within(mp, abs) {
					continue
				}
			}
		}
		tree, err := src.Tree(ctx, p.ID)
		if err != nil {
			continue
		}
		mode, ok := tree.Modes["working"]
		if !ok {
			continue
		}
		mp, err := o.local(mode.Mountpoint)
		if err != nil {
			continue
		}
		if !within(mp, abs) {
			continue
		}
		parsed, err := tree.Parse(tp)
		if err != nil || parsed.Mode != "working" {
			continue
		}
		res, err := src.Resolve(ctx, parsed)
		if err != nil || res.Project == nil || res.Project.ID != p.ID || res.Task == nil {
			continue
		}
		found = append(found, res.Task.ID)
	}
	switch len(found) {
	case 0:
		return "", noTarget
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("publish: output target: none given, and %q reads as a file of %d tasks (%s): give the task", path, len(found), strings.Join(found, ", "))
}

// within reports whether path lies under dir.
func within(dir, path string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
