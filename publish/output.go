package publish

import (
	"cmp"
	"context"
	"runtime"
	"sync"
	"time"

	"github.com/spf13/afero"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/filetree/kitsutree"
	"github.com/kpublish/kpublish/kitsu"
)

// DefaultSettle is how long Output waits after its last creation in
// Kitsu before it checks that the revision holds its records only.
const DefaultSettle = 250 * time.Millisecond

// runAfter is the step after an output publish (a comment with a status,
// a preview); after.go sets it.
var runAfter func(ctx context.Context, c *kitsu.Client, o AfterOptions) (AfterResult, error)

// Output publishes output files: one file, several representations of
// it, or image sequences, under one revision claimed on the storage and
// registered in Kitsu, all or nothing and resumable (see Publish). It
// joins Kitsu (the target, its project's file tree, its output-file
// records) with a Store on the output mountpoint of the tree.
//
// An Output is safe for concurrent use; its fields must not change once
// it is in use.
type Output struct {
	Client *kitsu.Client
	// Source reads contexts and trees; kitsutree.NewSource(Client) when
	// nil.
	Source *kitsutree.Source
	// Fs is the filesystem files are read, claimed and copied on;
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
	// platform cannot hold.
	CheckOS string
	// PID is the process claims are held for (see ClaimOptions.PID); this
	// process when 0.
	PID int
	// Writable publishes files writable; by default (false) they are made
	// read-only (0444).
	Writable bool
	// Workers is the number of files of a sequence copied at once; 0
	// means 4.
	Workers int
	// Settle is how long to wait after the last creation in Kitsu before
	// checking that the revision holds only this publish's records: 0
	// means DefaultSettle, below 0 no wait.
	Settle time.Duration
	// Logf receives notices, such as a revision given up for the next
	// one; nil is silent.
	Logf func(format string, args ...any)

	once sync.Once
	src  *kitsutree.Source
}

// OutputTarget says what an output is of: exactly one of a task
// (TaskID), an entity and a task type (EntityID, TaskTypeID), or an
// asset instance in a temporal entity and a task type
// (AssetInstanceID, TemporalEntityID, TaskTypeID); and its output type
// and name.
type OutputTarget struct {
	// TaskID gives the entity and the task type of the task.
	TaskID string
	// EntityID is the entity (asset, shot...) the output is of; TaskTypeID
	// the task type that made it, by id or name.
	EntityID, TaskTypeID string
	// AssetInstanceID and TemporalEntityID are an asset instance and the
	// shot or scene it is in, with TaskTypeID.
	AssetInstanceID, TemporalEntityID string
	// OutputType is the output type, by id or name; required.
	OutputType string
	// Name tells apart several outputs of one kind: "main" for an entity
	// and "master" for an asset instance when empty, as gazu.
	Name string
}

// OutputSource is one file or image sequence to publish.
type OutputSource struct {
	// Path is a file, a sequence pattern (name.####.exr, name.%04d.exr,
	// name.$F4.exr, name.1001-1100#.exr), a directory holding one
	// sequence, or one frame of a sequence (its siblings are found); see
	// FindSequence. A path that names an existing regular file whose name
	// has no frame number is one file.
	Path string
	// Representation tells apart the formats of one output ("abc",
	// "usd"); the source's extension without its dot when empty. Each
	// source of a publish has its own; at most 20 characters.
	Representation string
}

// OutputRequest is one output publish.
type OutputRequest struct {
	Target OutputTarget
	// Sources are the files published together: they all share one
	// revision, one Kitsu record each.
	Sources []OutputSource
	// Revision is the revision to publish: 0 the next one; N exactly N,
	// or ErrRevisionConflict when it is taken.
	Revision int
	// Comment is stored on each record.
	Comment string
	// WorkingFile is the working file the output was made from: its id,
	// or the path of a working file registered in Kitsu.
	WorkingFile string
	// NewRevision publishes even when the same content is published in
	// the same context already.
	NewRevision bool
	// Status is a task status (name, short name or id) set by a comment
	// on the task after the publish.
	Status string
	// Preview is a movie or image uploaded as a preview of the task after
	// the publish.
	Preview string
	// DryRun finds the revision and paths and writes nothing.
	DryRun bool
	// Progress reports the copies; nil is silent.
	Progress Progress
}

// OutputResult is a published output.
type OutputResult struct {
	Revision int
	// Files are one per source, in the order of the request's Sources.
	Files []OutputFileResult
	// Manifest is the publish's manifest ("" on a dry run or when the
	// content was published already).
	Manifest string
	// AlreadyPublished says that the same content was found published at
	// Revision: nothing was done.
	AlreadyPublished bool
	// MovedFrom are the revisions given up for a later one: claimed by
	// another publisher, taken in Kitsu, or holding a file on disk.
	MovedFrom []int
	DryRun    bool
	// CommentID and PreviewID are what the step after the publish made.
	CommentID, PreviewID string
}

// OutputFileResult is one source's published file or sequence.
type OutputFileResult struct {
	Representation string
	// Paths are the local published files: one, or the frames in frame
	// order.
	Paths []string
	// TreePattern is the file, or the sequence's pattern
	// ("…/name.####.exr"), in the tree's form.
	TreePattern string
	// Frames are the frames of a sequence in FormatFrameRange's form; ""
	// for one file.
	Frames string
	// Sum is the total size and the hash: the file's, or the sequence's
	// SequenceDigest.
	Sum Sum
	// OutputFile is the Kitsu record.
	OutputFile kitsu.OutputFile
}

func (o *Output) fs() afero.Fs {
	if o.Fs == nil {
		return afero.NewOsFs()
	}
	return o.Fs
}

func (o *Output) source() *kitsutree.Source {
	o.once.Do(func() {
		o.src = o.Source
		if o.src == nil {
			o.src = kitsutree.NewSource(o.Client)
		}
	})
	return o.src
}

func (o *Output) goos() string { return cmp.Or(o.GOOS, runtime.GOOS) }

func (o *Output) settle() time.Duration {
	switch {
	case o.Settle < 0:
		return 0
	case o.Settle == 0:
		return DefaultSettle
	}
	return o.Settle
}

func (o *Output) logf(format string, args ...any) {
	if o.Logf != nil {
		o.Logf(format, args...)
	}
}

// nameSlug is an output name as its claims' folder shows it.
func nameSlug(name string) string {
	if s := filetree.Slug(name); s != "" {
		return s
	}
	return "_"
}
