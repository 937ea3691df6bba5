package publish

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/afero"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/filetree/kitsutree"
	"github.com/kpublish/kpublish/kitsu"
)

// Sentinels of working-file publishes, beside the storage core's.
var (
	// ErrRevisionConflict matches a revision asked for explicitly that is
	// held by someone else (claimed, on disk, or in Kitsu already), and a
	// revision Kitsu holds with another file: nothing was written.
	ErrRevisionConflict = errors.New("publish: revision conflict")
	// ErrPartial matches a publish stopped half-way with what it did
	// written down (the file copied into place and its claim kept, or the
	// record created without its size and hash): running the same publish
	// again finishes it.
	ErrPartial = errors.New("publish: partly done")
	// ErrNoTask matches a file whose task could not be found: no claim
	// beside it, and its path read with no project's tree names a task.
	ErrNoTask = errors.New("publish: no task for the path")
	// ErrNotWorking matches, besides ErrNoTask, a path that no project's
	// tree describes as a working file (or that lies under no project's
	// working mountpoint): a file that is not for Kitsu, rather than one
	// naming a task Kitsu lacks.
	ErrNotWorking error = &subError{msg: "publish: no task for the path", parent: ErrNoTask}
)

// subError is a sentinel that also matches a broader one.
type subError struct {
	msg    string
	parent error
}

func (e *subError) Error() string { return e.msg }
func (e *subError) Unwrap() error { return e.parent }

// Working publishes working files: it joins Kitsu (the task, its
// project's file tree, its working-file records) with a Store on the
// working mountpoint of the tree.
//
// A Working is safe for concurrent use; its fields must not change once
// it is in use.
type Working struct {
	Client *kitsu.Client
	// Source reads contexts and trees; kitsutree.NewSource(Client) when
	// nil.
	Source *kitsutree.Source
	// Fs is the filesystem files are claimed, copied and read on;
	// afero.NewOsFs() when nil.
	Fs afero.Fs
	// Roots maps the tree's mountpoints to this host's mounts (see
	// filetree.Roots); nil means the tree's paths are this host's. Kitsu
	// always stores the tree's form.
	Roots filetree.Roots
	// GOOS is this host's platform, for Roots and for the names a path
	// may hold; runtime.GOOS when empty.
	GOOS string
	// CheckOS, when set (linux, darwin, windows), also refuses names that
	// platform cannot hold: for a share that workstations of another
	// platform open.
	CheckOS string
	// PID is the process claims are held for (see ClaimOptions.PID); this
	// process when 0.
	PID int
	// KeepTargets keeps the Target that Register reads for each task,
	// software and name for the life of the Working, instead of reading
	// the task's context from Kitsu for every file: for a watcher, which
	// registers many files of few tasks and makes a new Working now and
	// then to see changes.
	KeepTargets bool

	once    sync.Once
	src     *kitsutree.Source
	tmu     sync.Mutex
	targets map[TaskFile]*Target
}

// target is Target through the kept targets (KeepTargets).
func (w *Working) target(ctx context.Context, wf TaskFile) (*Target, error) {
	if !w.KeepTargets {
		return w.Target(ctx, wf)
	}
	w.tmu.Lock()
	t, ok := w.targets[wf]
	w.tmu.Unlock()
	if ok {
		return t, nil
	}
	t, err := w.Target(ctx, wf)
	if err != nil {
		return nil, err
	}
	w.tmu.Lock()
	if w.targets == nil {
		w.targets = map[TaskFile]*Target{}
	}
	w.targets[wf] = t
	w.tmu.Unlock()
	return t, nil
}

func (w *Working) fs() afero.Fs {
	if w.Fs == nil {
		return afero.NewOsFs()
	}
	return w.Fs
}

func (w *Working) source() *kitsutree.Source {
	w.once.Do(func() {
		w.src = w.Source
		if w.src == nil {
			w.src = kitsutree.NewSource(w.Client)
		}
	})
	return w.src
}

func (w *Working) goos() string { return cmp.Or(w.GOOS, runtime.GOOS) }

// TaskFile names a task's working file: the task, the software it is
// made with (by id or name) and its name ("main" when empty).
type TaskFile struct {
	TaskID   string
	Software string
	Name     string
}

// Target is a task's working file on this host: everything needed to
// render its path for any revision.
type Target struct {
	TaskID    string
	ProjectID string
	Name      string // "main" when not given
	Software  kitsu.Software
	// Extension is the software's file extension, with its dot (".blend");
	// empty when the software has none.
	Extension string

	w     *Working
	tree  *filetree.Tree
	ctx   filetree.Context
	store *Store
}

// Store returns the store on the tree's working mountpoint, as this host
// mounts it.
func (t *Target) Store() *Store { return t.store }

// Target reads from Kitsu the task's context, its project's tree and the
// software (without one, paths show Zou's default software and have no
// extension: enough for Revisions, not for Claim), and opens the store on the tree's working mountpoint (which
// must exist on this host, mapped with Roots).
func (w *Working) Target(ctx context.Context, wf TaskFile) (*Target, error) {
	src := w.source()
	fc, err := src.WorkingContext(ctx, wf.TaskID, &kitsutree.WorkingOptions{Software: wf.Software, Name: wf.Name, Revision: 1})
	if err != nil {
		if errors.Is(err, kitsu.ErrNotFound) {
			return nil, fmt.Errorf("publish: task %s (software %q): not found in Kitsu: want an existing task's id and software: %w", wf.TaskID, wf.Software, err)
		}
		return nil, err
	}
	tree, err := src.Tree(ctx, fc.Project.ID)
	if err != nil {
		return nil, err
	}
	t := &Target{TaskID: wf.TaskID, ProjectID: fc.Project.ID, Name: cmp.Or(wf.Name, "main"), w: w, tree: tree, ctx: *fc}
	if fc.Software.ID != "" {
		ext, err := src.SoftwareExtension(ctx, fc.Software.ID)
		if err != nil {
			return nil, err
		}
		t.Software = kitsu.Software{Base: kitsu.Base{ID: fc.Software.ID}, Name: fc.Software.Name, ShortName: fc.Software.ShortName, FileExtension: ext}
		t.Extension = extensionOf(ext)
	}
	mode, ok := tree.Modes["working"]
	if !ok {
		return nil, fmt.Errorf("publish: project %q: its file tree has no working section: want a tree with working templates", fc.Project.Name)
	}
	root, err := w.local(mode.Mountpoint)
	if err != nil {
		return nil, fmt.Errorf("publish: project %q: working mountpoint %q: %w", fc.Project.Name, mode.Mountpoint, err)
	}
	if t.store, err = NewStore(w.fs(), root, &StoreOptions{GOOS: cmp.Or(w.CheckOS, w.goos())}); err != nil {
		return nil, fmt.Errorf("publish: project %q: the working mountpoint %q on this host (map it to this host's mount with roots): %w", fc.Project.Name, mode.Mountpoint, err)
	}
	if _, err := t.TreePath(1); err != nil {
		return nil, err
	}
	return t, nil
}

// extensionOf gives an extension its dot: Zou's own softwares store it
// with the dot, others may not.
func extensionOf(ext string) string {
	if ext == "" || strings.HasPrefix(ext, ".") {
		return ext
	}
	return "." + ext
}

// local maps a path in the tree's form to this host's.
func (w *Working) local(treePath string) (string, error) { return toLocal(w.Roots, w.goos(), treePath) }

// treeForm maps a path of this host to the tree's form.
func (w *Working) treeForm(local string) (string, error) { return toTreeForm(w.Roots, local) }

// toLocal maps a path in the tree's form to this host's (goos) through
// roots; without roots the tree's paths are this host's.
func toLocal(roots filetree.Roots, goos, treePath string) (string, error) {
	if roots == nil {
		return filepath.FromSlash(treePath), nil
	}
	return roots.ToOS(treePath, goos)
}

// toTreeForm maps a path of this host to the tree's form through roots.
func toTreeForm(roots filetree.Roots, local string) (string, error) {
	if roots == nil {
		return filepath.ToSlash(local), nil
	}
	return roots.ToTree(local)
}

// TreePath returns the path of revision rev in the tree's form, without
// extension: the path Kitsu stores.
func (t *Target) TreePath(rev int) (string, error) {
	c := t.ctx
	c.Revision = rev
	p, err := t.tree.Render(filetree.Working, &c, &filetree.RenderOptions{Sep: "/"})
	if err != nil {
		return "", err
	}
	return p.Full(), nil
}

// LocalPath returns the file of revision rev on this host, with the
// software's extension. Zou's limits are checked on the tree's form
// (path of 400 characters at most, extension included).
func (t *Target) LocalPath(rev int) (string, error) {
	tp, err := t.TreePath(rev)
	if err != nil {
		return "", err
	}
	if err := CheckLimits(WorkingFile, Fields{Path: tp + t.Extension}); err != nil {
		return "", err
	}
	lp, err := t.w.local(tp)
	if err != nil {
		return "", err
	}
	return lp + t.Extension, nil
}

// KitsuFile is a working-file record of Kitsu.
type KitsuFile struct {
	Revision int    `json:"revision"`
	Path     string `json:"path"`
	ID       string `json:"id"`
}

// DiskFile is a working file found on disk.
type DiskFile struct {
	Revision int    `json:"revision"`
	Path     string `json:"path"`
}

// RevisionReport is what Kitsu and the disk hold of a working file, and
// the revision to publish next.
type RevisionReport struct {
	TaskID    string `json:"task_id"`
	Name      string `json:"name"`
	KitsuLast int    `json:"kitsu_last"`
	DiskLast  int    `json:"disk_last"`
	Next      int    `json:"next"`
	// Disagreement says which revisions one side holds and the other does
	// not; empty when they agree.
	Disagreement string      `json:"disagreement"`
	KitsuFiles   []KitsuFile `json:"kitsu_files"`
	DiskFiles    []DiskFile  `json:"disk_files"`
}

// sentinelRev renders where the revision is, to find it in paths.
const sentinelRev = 987654321

// Revisions reads the revisions of the working file in Kitsu (its
// records of the task and name) and on disk (the files the tree's
// template describes, of any extension, claim and temporary files passed
// over), and the next revision: above both.
func (w *Working) Revisions(ctx context.Context, t *Target) (*RevisionReport, error) {
	all, err := w.Client.Files.GetWorkingFilesForTask(ctx, t.TaskID)
	if err != nil {
		return nil, err
	}
	r := &RevisionReport{TaskID: t.TaskID, Name: t.Name, KitsuFiles: []KitsuFile{}, DiskFiles: []DiskFile{}}
	inKitsu := map[int]bool{}
	for _, f := range all {
		if cmp.Or(f.Name, "main") != t.Name {
			continue
		}
		r.KitsuFiles = append(r.KitsuFiles, KitsuFile{Revision: f.Revision, Path: f.Path, ID: f.ID})
		inKitsu[f.Revision] = true
		r.KitsuLast = max(r.KitsuLast, f.Revision)
	}
	slices.SortFunc(r.KitsuFiles, func(a, b KitsuFile) int { return a.Revision - b.Revision })
	disk, err := t.diskRevisions()
	if err != nil {
		return nil, err
	}
	onDisk := map[int]bool{}
	for _, d := range disk {
		onDisk[d.Revision] = true
		for _, f := range d.Files {
			r.DiskFiles = append(r.DiskFiles, DiskFile{Revision: d.Revision, Path: f})
		}
	}
	n, err := NextRevision(r.KitsuLast, Revisions(disk))
	if err != nil {
		return nil, err
	}
	r.DiskLast, r.Next = n.DiskLast, n.Revision
	var notKitsu, notDisk []int
	for _, d := range disk {
		if !inKitsu[d.Revision] {
			notKitsu = append(notKitsu, d.Revision)
		}
	}
	for _, k := range r.KitsuFiles {
		if !onDisk[k.Revision] {
			notDisk = append(notDisk, k.Revision)
		}
	}
	var parts []string
	if len(notKitsu) > 0 {
		parts = append(parts, fmt.Sprintf("disk has %s that Kitsu does not know", revList(notKitsu)))
	}
	if len(notDisk) > 0 {
		parts = append(parts, fmt.Sprintf("Kitsu has %s that the disk does not hold", revList(notDisk)))
	}
	r.Disagreement = strings.Join(parts, "; ")
	return r, nil
}

func revList(revs []int) string {
	s := make([]string, len(revs))
	for i, r := range revs {
		s[i] = strconv.Itoa(r)
	}
	if len(revs) == 1 {
		return "revision " + s[0]
	}
	return "revisions " + strings.Join(s, ", ")
}

// diskRevisions globs the template's files: the path of a sentinel
// revision with the revision replaced by *, then reads each match's
// revision back and keeps those whose path is the one rendered for it.
func (t *Target) diskRevisions() ([]DiskRevision, error) {
	tp, err := t.TreePath(sentinelRev)
	if err != nil {
		return nil, err
	}
	lp, err := t.w.local(tp)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(lp, strconv.Itoa(sentinelRev))
	if len(parts) < 2 {
		return nil, nil // the tree shows no revision: nothing to find
	}
	globParts := make([]string, len(parts))
	reParts := make([]string, len(parts))
	for i, p := range parts {
		globParts[i] = escapeGlob(filepath.ToSlash(p))
		reParts[i] = regexp.QuoteMeta(p)
	}
	pattern := strings.Join(globParts, "*") + "*"
	re, err := regexp.Compile("^" + strings.Join(reParts, `(\d+)`) + `(\.[^/\\]*)?$`)
	if err != nil {
		return nil, fmt.Errorf("publish: revisions of %q: %w", lp, err)
	}
	revOf := func(p string) (int, bool) {
		m := re.FindStringSubmatch(p)
		if m == nil {
			return 0, false
		}
		rev := -1
		for _, g := range m[1 : len(m)-1] {
			n, err := strconv.Atoi(g)
			if err != nil || rev >= 0 && n != rev {
				return 0, false
			}
			rev = n
		}
		want, err := t.TreePath(rev)
		if err != nil {
			return 0, false
		}
		want, err = t.w.local(want)
		return rev, err == nil && want+m[len(m)-1] == p
	}
	revs, err := t.store.DiskRevisions(pattern, revOf)
	if err != nil && errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return revs, err
}

func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]{}\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Claimed is a revision claimed on the storage for the caller to save
// to.
type Claimed struct {
	Path     string // the local file to save to, with the software's extension
	TreePath string // Path in the tree's form, without extension: what Kitsu will store
	Revision int
	Claim    string // the claim file beside Path
	DryRun   bool   // nothing was claimed: Path is what would have been
}

// WorkingClaimOptions are Working.Claim's optional parts; the zero value
// claims the next revision.
type WorkingClaimOptions struct {
	// Revision is the revision to claim; 0 claims the next free one above
	// Kitsu's and the disk's. A revision given that Kitsu or the disk
	// holds, or that another publisher claimed, is refused with
	// ErrRevisionConflict.
	Revision int
	// DryRun finds the revision and path and writes nothing.
	DryRun bool
	// Data is added to the claim file's (which always names the task,
	// software and name).
	Data map[string]string
}

// Claim claims a revision of the target's working file on the storage
// and returns the path to save to. Many processes claiming at once get
// distinct revisions. Zou's limits and the path's safety are checked
// before anything is written.
func (w *Working) Claim(ctx context.Context, t *Target, opts *WorkingClaimOptions) (*Claimed, error) {
	var o WorkingClaimOptions
	if opts != nil {
		o = *opts
	}
	if o.Revision < 0 {
		return nil, fmt.Errorf("publish: revision %d: want 1 or more, or 0 for the next one", o.Revision)
	}
	if t.Software.ID == "" {
		return nil, fmt.Errorf("publish: task %s: no software: want the software the file is made with, by name or id", t.TaskID)
	}
	rep, err := w.Revisions(ctx, t)
	if err != nil {
		return nil, err
	}
	data := map[string]string{"task_id": t.TaskID, "software_id": t.Software.ID, "name": t.Name, "project_id": t.ProjectID}
	for k, v := range o.Data {
		data[k] = v
	}
	copts := &ClaimOptions{PID: w.PID, Data: data}
	var c *Claim
	switch {
	case o.Revision > 0:
		for _, k := range rep.KitsuFiles {
			if k.Revision == o.Revision {
				return nil, fmt.Errorf("%w: revision %d of task %s (%s) is in Kitsu already (%s): want a new revision, such as %d", ErrRevisionConflict, o.Revision, t.TaskID, t.Name, k.Path, rep.Next)
			}
		}
		var p string
		if p, err = t.LocalPath(o.Revision); err != nil {
			return nil, err
		}
		if o.DryRun {
			return w.dryClaim(t, o.Revision, p, true)
		}
		c, err = t.store.ClaimWith(p, o.Revision, copts)
		if errors.Is(err, ErrClaimed) || errors.Is(err, ErrExists) {
			return nil, fmt.Errorf("%w: revision %d of task %s: %w", ErrRevisionConflict, o.Revision, t.TaskID, err)
		}
	case o.DryRun:
		for rev := rep.Next; rev < rep.Next+maxClaimTries; rev++ {
			p, err := t.LocalPath(rev)
			if err != nil {
				return nil, err
			}
			if cl, err := w.dryClaim(t, rev, p, false); cl != nil || err != nil {
				return cl, err
			}
		}
		return nil, fmt.Errorf("publish: revisions %d to %d are all claimed or published", rep.Next, rep.Next+maxClaimTries-1)
	default:
		c, err = t.store.ClaimNextWith(t.LocalPath, rep.Next, copts)
	}
	if err != nil {
		return nil, err
	}
	tp, _ := t.TreePath(c.Revision)
	return &Claimed{Path: c.Target, TreePath: tp, Revision: c.Revision, Claim: c.Path}, nil
}

// dryClaim checks what Claim would do with revision rev at p, writing
// nothing; it returns nil when rev is taken and must not.
func (w *Working) dryClaim(t *Target, rev int, p string, must bool) (*Claimed, error) {
	abs, err := t.store.target(p, false)
	if err != nil {
		return nil, err
	}
	for _, name := range []string{abs, ClaimPath(abs)} {
		ok, err := t.store.exists(name)
		if err != nil {
			return nil, err
		}
		if ok {
			if must {
				return nil, fmt.Errorf("%w: revision %d of task %s: %q exists", ErrRevisionConflict, rev, t.TaskID, name)
			}
			return nil, nil
		}
	}
	tp, _ := t.TreePath(rev)
	return &Claimed{Path: abs, TreePath: tp, Revision: rev, Claim: ClaimPath(abs), DryRun: true}, nil
}

// Registered is a working file registered in Kitsu.
type Registered struct {
	Path     string // the local file
	Revision int
	// WorkingFile is Kitsu's record (for a dry run, what would be sent:
	// no id).
	WorkingFile       kitsu.WorkingFile
	Sum               Sum
	AlreadyRegistered bool // the record was there with the same hash: nothing was done
	// Updated says the record was there with another hash and was given
	// the file's size and hash (RegisterOptions.Resaved).
	Updated bool
	DryRun  bool
	Copied  bool // the file was copied into place first (Copy)
}

// RegisterOptions are Register's and Copy's optional parts.
type RegisterOptions struct {
	Comment string
	// ProjectID is the project whose tree reads the file's path, when no
	// claim file names the task; without it every project whose tree's
	// working mountpoint covers the path is tried.
	ProjectID string
	// Software, by id or name, when neither a claim nor the path names it.
	Software string
	// Resaved accepts a file saved again at the path of a revision Kitsu
	// holds with another hash (an artist saving the same revision twice):
	// the record is given the file's size and hash, instead of
	// ErrRevisionConflict. For the watcher, which sees every save.
	Resaved bool
	DryRun  bool
}

// Register registers in Kitsu a working file saved at a path that Claim
// returned: the task, revision, name and software come from the claim
// file beside it, or else from reading its path with the project's tree
// (see RegisterOptions.ProjectID). It creates the revision's record with
// the comment, the current user as author and the software, checks that
// the path Zou stored is the file's (in the tree's form, without
// extension), then sets the record's size and checksum (Zou's 32-bit
// columns: the size, Sum.ChecksumInt) with the exact size, the full hash
// and its algorithm in its data, and releases the claim.
//
// Registering again a file registered with the same hash does nothing
// and returns the record (AlreadyRegistered); a record left without its
// size and hash by an interrupted Register is finished. A revision Kitsu
// holds with another file is ErrRevisionConflict. When Zou stores a path
// other than the file's, the record just created is deleted (it would
// name a file that does not exist) and the error names both paths.
func (w *Working) Register(ctx context.Context, file string, opts *RegisterOptions) (*Registered, error) {
	var o RegisterOptions
	if opts != nil {
		o = *opts
	}
	if p := badChars(file); p != "" {
		return nil, fmt.Errorf("%w: working file %q %s", ErrUnsafePath, file, p)
	}
	if hasDotDot(file) {
		return nil, fmt.Errorf(`%w: working file %q has a ".." name: want the path the file was saved at`, ErrUnsafePath, file)
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, fmt.Errorf("publish: %q: %w", file, err)
	}
	t, rev, ext, err := w.targetOf(ctx, abs, &o)
	if err != nil {
		return nil, err
	}
	return w.register(ctx, t, rev, abs, ext, &o)
}

func (w *Working) register(ctx context.Context, t *Target, rev int, abs, ext string, o *RegisterOptions) (*Registered, error) {
	fsys := w.fs()
	fi, err := fsys.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("publish: working file %q: %w", abs, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("publish: working file %q is not a regular file", abs)
	}
	tp, err := t.TreePath(rev)
	if err != nil {
		return nil, err
	}
	if err := CheckLimits(WorkingFile, Fields{Path: tp + ext, Size: fi.Size()}); err != nil {
		return nil, err
	}
	sum, err := HashFile(fsys, abs)
	if err != nil {
		return nil, err
	}
	out := &Registered{Path: abs, Revision: rev, Sum: sum, DryRun: o.DryRun}
	var wf *kitsu.WorkingFile
	created := false
	if !o.DryRun {
		// The usual case, a save just made at a claimed path: Kitsu has no
		// record of the revision yet, so it is created at once. Only when
		// Kitsu holds the revision already (a rerun, another publisher)
		// are the records read to tell a no-op from a conflict.
		wf, err = w.create(ctx, t, rev, tp, o.Comment)
		switch {
		case err == nil:
			created = true
		case !errors.Is(err, kitsu.ErrConflict):
			return nil, err
		}
	}
	if !created {
		if wf, err = w.recordOf(ctx, t, rev); err != nil {
			return nil, err
		}
		if wf == nil && !o.DryRun {
			return nil, fmt.Errorf("%w: revision %d of task %s: Kitsu refused it as existing but lists no such record", ErrRevisionConflict, rev, t.TaskID)
		}
	}
	if wf != nil && !created {
		got, _ := wf.Data["sha"].(string)
		switch {
		case got == sum.Hex:
			out.WorkingFile, out.AlreadyRegistered = *wf, true
			if !o.DryRun {
				w.release(t, abs)
			}
			return out, nil
		case got != "" && wf.Path == tp && o.Resaved:
			out.Updated = true // saved again: the record follows the file
		case got != "" || wf.Path != tp:
			return nil, fmt.Errorf("%w: revision %d of task %s (%s) is in Kitsu already, as %q with hash %q, not %q (%s): save under a new revision", ErrRevisionConflict, rev, t.TaskID, t.Name, wf.Path, got, abs, sum.Hex)
		}
		// Created by a Register that stopped before setting the size and
		// hash: finished below.
	}
	if o.DryRun {
		out.WorkingFile = kitsu.WorkingFile{Name: t.Name, Revision: rev, Path: tp, Size: sum.Size, TaskID: t.TaskID, SoftwareID: t.Software.ID, Comment: o.Comment}
		return out, nil
	}
	if created {
		if wf.Path != tp {
			_, derr := w.Client.Delete(ctx, "data/working-files/"+wf.ID, nil)
			msg := "the record was deleted"
			if derr != nil {
				msg = fmt.Sprintf("deleting the record %s failed too: %v", wf.ID, derr)
			}
			return nil, fmt.Errorf("publish: Kitsu stored revision %d of task %s as %q, not the file's path %q (tree form, without extension): the tree used locally differs from the project's; %s", rev, t.TaskID, wf.Path, tp, msg)
		}
	}
	data := map[string]any{}
	for k, v := range wf.Data {
		data[k] = v
	}
	data["size"], data["sha"], data["algorithm"] = sum.Size, sum.Hex, sum.Algorithm
	var updated kitsu.WorkingFile
	err = w.Client.Update(ctx, "working-files", wf.ID, map[string]any{
		"size": int32(sum.Size), "checksum": sum.ChecksumInt(), "data": data,
	}, &updated)
	if err != nil {
		return nil, fmt.Errorf("%w: revision %d of task %s is registered (%s) but its size and hash are not: run the same command again to finish: %w", ErrPartial, rev, t.TaskID, wf.ID, err)
	}
	out.WorkingFile = updated
	w.release(t, abs)
	return out, nil
}

// create creates the record of revision rev. Zou 1.0.97 answers 500
// when creations for one task by one user meet (each assigns the task
// to the user, and the second insert of that link fails) and stores
// nothing: after a 500 the records are read again, and the creation is
// sent again only when the revision is still not there (at most three
// times in all). A record of the revision that appeared meanwhile is
// taken if it has the file's path and no hash yet (this creation's), and
// is a conflict otherwise.
func (w *Working) create(ctx context.Context, t *Target, rev int, tp, comment string) (*kitsu.WorkingFile, error) {
	for attempt := 1; ; attempt++ {
		wf, err := w.Client.Files.NewWorkingFile(ctx, t.TaskID, &kitsu.NewWorkingFileOptions{
			Revision: rev, Name: t.Name, Comment: comment, SoftwareID: t.Software.ID, Sep: "/",
		})
		if err == nil || !errors.Is(err, kitsu.ErrServer) || attempt == 3 {
			return wf, err
		}
		r, lerr := w.recordOf(ctx, t, rev)
		if lerr != nil {
			return nil, err
		}
		if r != nil {
			if sha, _ := r.Data["sha"].(string); sha == "" && r.Path == tp {
				return r, nil
			}
			return nil, fmt.Errorf("%w: revision %d of task %s was registered by another publisher meanwhile, as %q", ErrRevisionConflict, rev, t.TaskID, r.Path)
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
		}
	}
}

// recordOf returns Kitsu's record of revision rev of t's working file,
// or nil when there is none. It asks for that task and revision alone
// (Zou filters its working files by column), not for every working file
// of the task: a watcher that lost a race to another one, on a task of
// hundreds of revisions, reads one record, not all of them. The name is
// compared here, exactly, since Zou's name filter ignores case.
func (w *Working) recordOf(ctx context.Context, t *Target, rev int) (*kitsu.WorkingFile, error) {
	var recs []kitsu.WorkingFile
	err := w.Client.FetchAll(ctx, "working-files", &recs, &kitsu.FetchOptions{Params: url.Values{
		"task_id": {t.TaskID}, "revision": {strconv.Itoa(rev)},
	}})
	if err != nil {
		return nil, err
	}
	var found *kitsu.WorkingFile
	for i := range recs {
		if r := &recs[i]; r.Revision == rev && cmp.Or(r.Name, "main") == t.Name {
			if found != nil {
				return nil, fmt.Errorf("%w: revision %d of task %s (%s) is in Kitsu twice (%s and %s)", ErrRevisionConflict, rev, t.TaskID, t.Name, found.ID, r.ID)
			}
			found = r
		}
	}
	return found, nil
}

// release removes the claim of a registered file, if it is still there.
func (w *Working) release(t *Target, abs string) {
	if c, err := t.store.ReadClaim(abs); err == nil {
		_ = c.Release()
	}
}

// targetOf finds the target of a saved file: from its claim file, else
// from its path read with the project's tree. It returns the revision
// and the file's extension.
func (w *Working) targetOf(ctx context.Context, abs string, o *RegisterOptions) (*Target, int, string, error) {
	info, _, err := readClaim(w.fs(), ClaimPath(abs))
	if err == nil && info.Data["task_id"] != "" {
		t, err := w.target(ctx, TaskFile{TaskID: info.Data["task_id"], Software: info.Data["software_id"], Name: info.Data["name"]})
		if err != nil {
			return nil, 0, "", err
		}
		want, err := t.LocalPath(info.Revision)
		if err != nil {
			return nil, 0, "", err
		}
		if want != abs {
			return nil, 0, "", fmt.Errorf("publish: the claim beside %q is for %q (revision %d of task %s): want the file saved at the claimed path, and the roots it was claimed with", abs, want, info.Revision, t.TaskID)
		}
		return t, info.Revision, t.Extension, nil
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, 0, "", fmt.Errorf("publish: the claim beside %q: %w", abs, err)
	}
	return w.targetFromPath(ctx, abs, o)
}

// targetFromPath reads abs with the tree of o.ProjectID, or of every
// project whose working mountpoint covers it.
func (w *Working) targetFromPath(ctx context.Context, abs string, o *RegisterOptions) (*Target, int, string, error) {
	var ids []string
	if o.ProjectID != "" {
		ids = []string{o.ProjectID}
	} else {
		projects, err := w.source().OpenProjects(ctx)
		if err != nil {
			return nil, 0, "", err
		}
		for _, p := range projects {
			ids = append(ids, p.ID)
		}
	}
	src := w.source()
	var tried []string
	for _, id := range ids {
		tree, err := src.Tree(ctx, id)
		if err != nil {
			if o.ProjectID != "" {
				return nil, 0, "", err
			}
			continue
		}
		mode, ok := tree.Modes["working"]
		if !ok {
			continue
		}
		mp, err := w.local(mode.Mountpoint)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(mp, abs); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		tp, err := w.treeForm(abs)
		if err != nil {
			return nil, 0, "", err
		}
		parsed, err := tree.Parse(tp)
		var amb *filetree.AmbiguousError
		if errors.As(err, &amb) {
			return nil, 0, "", err
		}
		if err != nil || parsed.Mode != "working" {
			tried = append(tried, id)
			continue
		}
		res, err := src.Resolve(ctx, parsed)
		if err != nil && !errors.Is(err, kitsu.ErrNotFound) || err == nil && res.Project != nil && res.Project.ID == id && res.Task == nil {
			if err == nil {
				err = errors.New("it names no task")
			}
			return nil, 0, "", fmt.Errorf("%w: %q read with project %s's tree (%s): %w", ErrNoTask, abs, id, parsed, err)
		}
		if err != nil || res.Project == nil || res.Project.ID != id {
			// Another project's file under a shared mountpoint.
			tried = append(tried, id)
			continue
		}
		if parsed.Revision < 1 {
			return nil, 0, "", fmt.Errorf("%w: %q read with project %s's tree shows no revision", ErrNoTask, abs, id)
		}
		software := o.Software
		if software == "" {
			software, err = w.softwareOf(ctx, parsed)
			if err != nil {
				return nil, 0, "", fmt.Errorf("publish: %q: %w", abs, err)
			}
		}
		name, _ := parsed.Value("Name")
		t, err := w.target(ctx, TaskFile{TaskID: res.Task.ID, Software: software, Name: name})
		if err != nil {
			return nil, 0, "", err
		}
		want, err := t.TreePath(parsed.Revision)
		if err != nil {
			return nil, 0, "", err
		}
		if t.Extension != "" && !strings.EqualFold(parsed.Extension, t.Extension) {
			// name_v003.blend1 is Blender's backup of name_v003.blend, not
			// a working file of its own.
			return nil, 0, "", fmt.Errorf("%w: %q has the extension %q, not %q of its software %s", ErrNotWorking, abs, parsed.Extension, t.Extension, t.Software.Name)
		}
		if !strings.EqualFold(want+parsed.Extension, tp) {
			return nil, 0, "", fmt.Errorf("%w: %q reads as revision %d of task %s, whose path is %q", ErrNoTask, abs, parsed.Revision, res.Task.ID, want+parsed.Extension)
		}
		return t, parsed.Revision, parsed.Extension, nil
	}
	if len(tried) > 0 {
		return nil, 0, "", fmt.Errorf("%w: %q is not a working file the tree of project %s describes", ErrNotWorking, abs, strings.Join(tried, ", "))
	}
	return nil, 0, "", fmt.Errorf("%w: %q has no claim beside it and lies under no project's working mountpoint: give --project, or --copy with --task", ErrNotWorking, abs)
}

// softwareOf finds the software a parsed path names: by the slug of its
// name, else by its extension when one software alone has it.
func (w *Working) softwareOf(ctx context.Context, p *filetree.Parsed) (string, error) {
	all, err := w.source().Softwares(ctx)
	if err != nil {
		return "", err
	}
	if v, ok := p.Value("Software"); ok {
		for _, s := range all {
			if strings.EqualFold(filetree.Slug(s.Name), v) {
				return s.ID, nil
			}
		}
	}
	var byExt []string
	for _, s := range all {
		if p.Extension != "" && strings.EqualFold(extensionOf(s.FileExtension), p.Extension) {
			byExt = append(byExt, s.ID)
		}
	}
	if len(byExt) == 1 {
		return byExt[0], nil
	}
	return "", fmt.Errorf("the path names no software (%d have the extension %q): give --software", len(byExt), p.Extension)
}

// Copy publishes src, a file saved anywhere, as a working file of the
// target: it claims a revision (opts as Claim's), copies src into place
// without ever replacing a file, then registers it. The claim records
// src's hash: when the register fails after the copy, the error matches
// ErrPartial and a Copy of the same file again registers the copy
// already in place instead of making another revision.
func (w *Working) Copy(ctx context.Context, src string, t *Target, claim *WorkingClaimOptions, opts *RegisterOptions) (*Registered, error) {
	var o RegisterOptions
	if opts != nil {
		o = *opts
	}
	var co WorkingClaimOptions
	if claim != nil {
		co = *claim
	}
	co.DryRun = o.DryRun
	if p := badChars(src); p != "" {
		return nil, fmt.Errorf("%w: file to copy %q %s", ErrUnsafePath, src, p)
	}
	fsys := w.fs()
	fi, err := fsys.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("publish: copy %q: %w", src, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("publish: copy %q: not a regular file", src)
	}
	if err := CheckLimits(WorkingFile, Fields{Size: fi.Size()}); err != nil {
		return nil, err
	}
	sum, err := HashFile(fsys, src)
	if err != nil {
		return nil, err
	}
	// A copy already in place, from a Copy that could not register it.
	rep, err := w.Revisions(ctx, t)
	if err != nil {
		return nil, err
	}
	for _, d := range rep.DiskFiles {
		if c, err := t.store.ReadClaim(d.Path); err == nil && c.Data["sha"] == sum.Hex && c.Data["task_id"] == t.TaskID {
			r, err := w.register(ctx, t, d.Revision, d.Path, t.Extension, &o)
			if err != nil {
				return nil, partial(err, src, d.Path)
			}
			r.Copied = true
			return r, nil
		}
	}
	co.Data = map[string]string{"sha": sum.Hex, "source": src}
	cl, err := w.Claim(ctx, t, &co)
	if err != nil {
		return nil, err
	}
	if o.DryRun {
		tp, _ := t.TreePath(cl.Revision)
		return &Registered{Path: cl.Path, Revision: cl.Revision, Sum: sum, DryRun: true, Copied: true,
			WorkingFile: kitsu.WorkingFile{Name: t.Name, Revision: cl.Revision, Path: tp, Size: sum.Size, TaskID: t.TaskID, SoftwareID: t.Software.ID, Comment: o.Comment}}, nil
	}
	res, err := t.store.CopyNoReplace(ctx, src, cl.Path, &CopyOptions{Verify: true, Record: WorkingFile})
	if err != nil {
		if c, cerr := t.store.ReadClaim(cl.Path); cerr == nil {
			_ = c.Release()
		}
		return nil, err
	}
	if res.Hex != sum.Hex {
		return nil, fmt.Errorf("%w: %q changed while it was copied to %q (hash %s, then %s): the copy is in place, unregistered; save again and publish a new revision", ErrPartial, src, cl.Path, sum.Hex, res.Hex)
	}
	r, err := w.register(ctx, t, cl.Revision, cl.Path, t.Extension, &o)
	if err != nil {
		return nil, partial(err, src, cl.Path)
	}
	r.Copied = true
	return r, nil
}

// partial says that the copy of src to dst is in place but not
// registered, unless err already says what to do.
func partial(err error, src, dst string) error {
	if errors.Is(err, ErrRevisionConflict) || errors.Is(err, ErrLimit) || errors.Is(err, ErrPartial) {
		return err
	}
	return fmt.Errorf("%w: %q is copied to %q but Kitsu did not register it: run the same command again to finish: %w", ErrPartial, src, dst, err)
}
