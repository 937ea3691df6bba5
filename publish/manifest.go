package publish

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/afero"

	"github.com/kpublish/kpublish/filetree/kitsutree"
)

// The states of an output publish's manifest, in order. A publish
// writes its manifest before each step and moves it to the next state
// once the step is done; Resume continues from the state written.
const (
	// StateClaimed: the revision is claimed; files are being copied.
	StateClaimed = "claimed"
	// StateCopied: every file is in place; records are being created.
	StateCopied = "copied"
	// StateRegistered: every record is in Kitsu; the revision is being
	// checked.
	StateRegistered = "registered"
	// StateDone: published; the step after it (status, preview) may be
	// pending (After.Done).
	StateDone = "done"
	// StateAbandoned: the revision was given up for a later one (see
	// MovedTo); its claim stays, so that the revision is never reused.
	StateAbandoned = "abandoned"
)

// ManifestVersion is the version of the manifest format written.
const ManifestVersion = 1

// ManifestSuffix ends the name of a manifest: r0007.manifest.json.
const ManifestSuffix = ".manifest.json"

// maxManifest caps what is read of a manifest.
const maxManifest = 64 << 20

// Manifest is what an output publish writes down beside its claim
// before each step: enough to finish it (Resume) or roll it back (Abort)
// from another process.
type Manifest struct {
	Version  int            `json:"version"`
	State    string         `json:"state"`
	Revision int            `json:"revision"`
	Target   ManifestTarget `json:"target"`
	Request  ManifestReq    `json:"request"`
	Host     string         `json:"host"`
	User     string         `json:"user"`
	PID      int            `json:"pid"`
	Created  time.Time      `json:"created"`
	Updated  time.Time      `json:"updated"`
	Files    []ManifestFile `json:"files"`
	// Kitsu are the records created, by representation.
	Kitsu []ManifestRecord `json:"kitsu"`
	// MovedFrom are the revisions given up before this one.
	MovedFrom []int `json:"moved_from"`
	// MovedTo is the revision an abandoned publish moved to (0 when
	// none).
	MovedTo int           `json:"moved_to,omitempty"`
	After   ManifestAfter `json:"after"`
}

// ManifestTarget is the publish's target with every id resolved.
type ManifestTarget struct {
	ProjectID        string `json:"project_id"`
	TaskID           string `json:"task_id,omitempty"`
	EntityID         string `json:"entity_id"` // the record's entity: an instance's asset
	AssetInstanceID  string `json:"asset_instance_id,omitempty"`
	TemporalEntityID string `json:"temporal_entity_id,omitempty"`
	OutputTypeID     string `json:"output_type_id"`
	TaskTypeID       string `json:"task_type_id"`
	Name             string `json:"name"`
}

// ManifestReq is what the request asked besides the target and files.
type ManifestReq struct {
	Comment       string `json:"comment"`
	WorkingFileID string `json:"working_file_id"`
	Status        string `json:"status"`
	Preview       string `json:"preview"`
	Writable      bool   `json:"writable"`
	// Explicit says the revision was asked for: it is never moved.
	Explicit bool `json:"explicit,omitempty"`
	// InPlace says the files were found where the tree puts them and
	// registered there (RegisterInPlace): nothing is copied, and nothing
	// rolled back or given up removes them.
	InPlace bool `json:"in_place,omitempty"`
}

// ManifestFile is one source of the publish: a file or a sequence.
type ManifestFile struct {
	Representation string   `json:"representation"`
	Extension      string   `json:"extension"` // with its dot: ".exr"
	Sequence       bool     `json:"sequence"`
	Pad            int      `json:"pad,omitempty"` // a sequence's frame digits
	Source         []string `json:"source"`
	Dest           []string `json:"dest"`
	// Path is the path Kitsu stores (tree form).
	Path        string   `json:"path"`
	TreePattern string   `json:"tree_pattern"`
	Sizes       []int64  `json:"sizes"`
	Hashes      []string `json:"hashes"` // empty until known
	Frames      string   `json:"frames,omitempty"`
	Sum         *Sum     `json:"sum,omitempty"` // once copied
}

// ManifestRecord is a Kitsu record the publish created.
type ManifestRecord struct {
	Representation string `json:"representation"`
	ID             string `json:"id"`
}

// ManifestAfter is the step after the publish.
type ManifestAfter struct {
	CommentID string `json:"comment_id"`
	PreviewID string `json:"preview_id"`
	Done      bool   `json:"done"`
}

// pending reports whether the manifest's publish is not finished: any
// state but done and abandoned, or done with its after step pending.
func (m *Manifest) pending() bool {
	switch m.State {
	case StateAbandoned:
		return false
	case StateDone:
		return m.afterWanted() && !m.After.Done
	}
	return true
}

func (m *Manifest) afterWanted() bool { return m.Request.Status != "" || m.Request.Preview != "" }

// ManifestInfo is an unfinished publish found by Unfinished.
type ManifestInfo struct {
	Path     string         `json:"path"`
	State    string         `json:"state"`
	Revision int            `json:"revision"`
	Host     string         `json:"host"`
	PID      int            `json:"pid"`
	User     string         `json:"user"`
	Updated  time.Time      `json:"updated"`
	Target   ManifestTarget `json:"target"`
	// Running says the publish's process is alive on this host: resuming
	// or aborting it is refused.
	Running bool `json:"running"`
}

// ErrManifest matches a manifest that cannot be read or is refused.
var ErrManifest = errors.New("publish: bad manifest")

var manifestName = regexp.MustCompile(`^r([0-9]{4,9})` + regexp.QuoteMeta(ManifestSuffix) + `$`)

// manifestRoot returns the store root a manifest lies under: the folder
// holding its ".kpublish" folder.
func manifestRoot(path string) (string, error) {
	clean := filepath.Clean(path)
	sep := string(filepath.Separator)
	i := strings.LastIndex(clean, sep+".kpublish"+sep+"outputs"+sep)
	if i < 0 {
		return "", fmt.Errorf("%w: %q is not under a store's .kpublish/outputs folder", ErrManifest, path)
	}
	root := clean[:i]
	if root == "" {
		root = sep
	}
	return root, nil
}

// ReadManifest reads and checks the manifest at path (an absolute path
// under a store's .kpublish/outputs folder). A manifest whose files lie
// outside its store's root, hold ".." or control characters, or whose
// name, revision and folder disagree, is refused with ErrManifest.
func ReadManifest(fsys afero.Fs, path string) (*Manifest, error) {
	if p := badChars(path); p != "" {
		return nil, fmt.Errorf("%w: path %q %s", ErrManifest, path, p)
	}
	if !filepath.IsAbs(path) || hasDotDot(path) {
		return nil, fmt.Errorf("%w: path %q: want an absolute path without \"..\"", ErrManifest, path)
	}
	root, err := manifestRoot(path)
	if err != nil {
		return nil, err
	}
	f, err := fsys.Open(path)
	if err != nil {
		return nil, fmt.Errorf("publish: manifest %q: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxManifest+1))
	if err != nil {
		return nil, fmt.Errorf("publish: manifest %q: %w", path, err)
	}
	if len(data) > maxManifest {
		return nil, fmt.Errorf("%w: %q is over %d bytes", ErrManifest, path, maxManifest)
	}
	var m Manifest
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrManifest, path, err)
	}
	if err := m.check(path, root); err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrManifest, path, err)
	}
	return &m, nil
}

// check refuses a manifest that does not describe a publish under root
// at path.
func (m *Manifest) check(path, root string) error {
	if m.Version != ManifestVersion {
		return fmt.Errorf("version %d: want %d", m.Version, ManifestVersion)
	}
	switch m.State {
	case StateClaimed, StateCopied, StateRegistered, StateDone, StateAbandoned:
	default:
		return fmt.Errorf("state %q: want claimed, copied, registered, done or abandoned", m.State)
	}
	g := manifestName.FindStringSubmatch(filepath.Base(path))
	if g == nil {
		return fmt.Errorf("name %q: want rNNNN%s", filepath.Base(path), ManifestSuffix)
	}
	if n, _ := strconv.Atoi(g[1]); n != m.Revision || m.Revision < 1 {
		return fmt.Errorf("revision %d in a manifest named %q", m.Revision, filepath.Base(path))
	}
	t := m.Target
	for _, id := range []string{t.EntityID, t.OutputTypeID, t.TaskTypeID} {
		if !kitsutree.LooksLikeID(id) {
			return fmt.Errorf("target id %q: want a UUID", id)
		}
	}
	for _, id := range []string{t.ProjectID, t.TaskID, t.AssetInstanceID, t.TemporalEntityID, m.Request.WorkingFileID} {
		if id != "" && !kitsutree.LooksLikeID(id) {
			return fmt.Errorf("target id %q: want a UUID", id)
		}
	}
	if (t.AssetInstanceID == "") != (t.TemporalEntityID == "") {
		return errors.New("an asset instance without its temporal entity, or the reverse")
	}
	want := manifestDir(root, &t)
	if m.Request.InPlace {
		if len(m.Files) != 1 {
			return fmt.Errorf("an in-place registration of %d files: want one", len(m.Files))
		}
		want = inPlaceDir(want, m.Files[0].Representation)
	}
	if filepath.Dir(path) != want {
		return fmt.Errorf("it lies in %q but its target's folder is %q", filepath.Dir(path), want)
	}
	if len(m.Files) == 0 {
		return errors.New("no files")
	}
	for i, f := range m.Files {
		if len(f.Dest) == 0 || len(f.Dest) != len(f.Source) || len(f.Sizes) != len(f.Dest) || len(f.Hashes) != 0 && len(f.Hashes) != len(f.Dest) {
			return fmt.Errorf("file %d: want as many sources, destinations, sizes and hashes", i)
		}
		if !f.Sequence && len(f.Dest) != 1 {
			return fmt.Errorf("file %d: %d destinations for one file", i, len(f.Dest))
		}
		if err := checkRepresentation(f.Representation); err != nil {
			return fmt.Errorf("file %d: %v", i, err)
		}
		for j, d := range f.Dest {
			if err := underRoot(d, root); err != nil {
				return fmt.Errorf("file %d: destination %q: %v", i, d, err)
			}
			if p := badChars(f.Source[j]); p != "" {
				return fmt.Errorf("file %d: source %q %s", i, f.Source[j], p)
			}
			if f.Sizes[j] < 0 {
				return fmt.Errorf("file %d: size %d", i, f.Sizes[j])
			}
		}
		for _, h := range f.Hashes {
			if h != "" && !isHex32(h) { // "" is not known yet
				return fmt.Errorf("file %d: hash %q: want 32 hex digits", i, h)
			}
		}
	}
	for _, r := range m.Kitsu {
		if !kitsutree.LooksLikeID(r.ID) {
			return fmt.Errorf("Kitsu record id %q: want a UUID", r.ID)
		}
	}
	return nil
}

// underRoot checks that p is an absolute, clean path strictly under
// root, of a file that is no claim or temporary file.
func underRoot(p, root string) error {
	if s := badChars(p); s != "" {
		return errors.New(s)
	}
	if !filepath.IsAbs(p) || hasDotDot(p) || filepath.Clean(p) != p {
		return errors.New(`want a clean absolute path without ".."`)
	}
	rel, err := filepath.Rel(root, p)
	if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return fmt.Errorf("outside the store's root %q", root)
	}
	if strings.HasPrefix(rel, ".kpublish"+string(filepath.Separator)) || IsClaimFile(p) || IsTempFile(p) {
		return errors.New("a file of kpublish's own")
	}
	return nil
}

func isHex32(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// manifestDir is the folder of a target's claims and manifests:
// <root>/.kpublish/outputs/<entity>[/<temporal entity>]/<output type>/<task type>/<name slug>.
func manifestDir(root string, t *ManifestTarget) string {
	parts := []string{root, ".kpublish", "outputs", t.EntityID}
	if t.TemporalEntityID != "" {
		parts = append(parts, t.AssetInstanceID, t.TemporalEntityID)
	}
	return filepath.Join(append(parts, t.OutputTypeID, t.TaskTypeID, nameSlug(t.Name))...)
}

// inPlaceDir is where the claims and manifests of in-place
// registrations of one representation of an output are, below the
// output's own folder: each representation found on disk is registered
// on its own (see RegisterInPlace).
func inPlaceDir(dir, rep string) string { return filepath.Join(dir, "in-place", rep) }

// manifestPath is the manifest of revision rev in dir.
func manifestPath(dir string, rev int) string {
	return filepath.Join(dir, fmt.Sprintf("r%04d%s", rev, ManifestSuffix))
}

// claimTarget is what the claim of revision rev claims in dir (a name
// never written: its claim file .rNNNN.kpublish-claim is the claim).
func claimTarget(dir string, rev int) string {
	return filepath.Join(dir, fmt.Sprintf("r%04d", rev))
}

// writeManifest writes m to path atomically: a temporary file beside it,
// synced, renamed over it, and the folder synced.
func writeManifest(fsys afero.Fs, real bool, path string, m *Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("publish: manifest %q: %w", path, err)
	}
	tmp := tempPath(path)
	f, err := fsys.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("publish: writing manifest %q: %w", path, err)
	}
	_, err = f.Write(append(data, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = fsys.Rename(tmp, path)
	}
	if err != nil {
		_ = fsys.Remove(tmp)
		return fmt.Errorf("publish: writing manifest %q: %w", path, err)
	}
	if real {
		if err := syncDir(filepath.Dir(path)); err != nil {
			return fmt.Errorf("publish: syncing the folder of manifest %q: %w", path, err)
		}
	}
	return nil
}

// diskRevisions returns the revisions claimed or with a manifest in dir.
func diskClaimed(fsys afero.Fs, dir string) (int, error) {
	entries, err := afero.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("publish: listing claims in %q: %w", dir, err)
	}
	last := 0
	for _, e := range entries {
		n := e.Name()
		if g := manifestName.FindStringSubmatch(n); g != nil {
			r, _ := strconv.Atoi(g[1])
			last = max(last, r)
			continue
		}
		if strings.HasPrefix(n, ".r") && strings.HasSuffix(n, ClaimSuffix) {
			if r, err := strconv.Atoi(n[2 : len(n)-len(ClaimSuffix)]); err == nil {
				last = max(last, r)
			}
		}
	}
	return last, nil
}

// manifestSum is a Sum as a manifest writes it: lowercase keys.
type manifestSum struct {
	Algorithm string `json:"algorithm"`
	Hex       string `json:"hex"`
	Size      int64  `json:"size"`
}

// plainManifestFile is ManifestFile without its JSON methods.
type plainManifestFile ManifestFile

// MarshalJSON writes the file with its sum's keys in lowercase
// ("algorithm", "hex", "size"), as the rest of the manifest.
func (f ManifestFile) MarshalJSON() ([]byte, error) {
	out := struct {
		plainManifestFile
		Sum *manifestSum `json:"sum,omitempty"`
	}{plainManifestFile: plainManifestFile(f)}
	if f.Sum != nil {
		out.Sum = &manifestSum{Algorithm: f.Sum.Algorithm, Hex: f.Sum.Hex, Size: f.Sum.Size}
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads the file; its sum's keys may be lowercase or, as
// the first manifests wrote them, capitalised ("Algorithm", "Hex",
// "Size"): encoding/json matches keys regardless of case.
func (f *ManifestFile) UnmarshalJSON(data []byte) error {
	var in struct {
		plainManifestFile
		Sum *manifestSum `json:"sum,omitempty"`
	}
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*f = ManifestFile(in.plainManifestFile)
	f.Sum = nil
	if in.Sum != nil {
		f.Sum = &Sum{Algorithm: in.Sum.Algorithm, Hex: in.Sum.Hex, Size: in.Sum.Size}
	}
	return nil
}
