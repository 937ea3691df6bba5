package watch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/filetree/kitsutree"
	"github.com/kpublish/kpublish/kitsu"
	"github.com/kpublish/kpublish/publish"
)

// DefaultRefresh is how long a Publisher keeps what it read from Kitsu
// (projects and their trees, entities, tasks, softwares, output types)
// before reading it again: a tree changed in Kitsu is used within it.
const DefaultRefresh = time.Minute

// DefaultComment is the comment of the records a Publisher creates.
const DefaultComment = "registered by kpublish watch"

// PublisherOptions are the optional settings of NewPublisher.
type PublisherOptions struct {
	// Roots maps the trees' mountpoints to this host's mounts (see
	// filetree.Roots); nil means the trees' paths are this host's.
	Roots filetree.Roots
	// GOOS is this host's platform for Roots; runtime.GOOS when empty.
	GOOS string
	// ProjectIDs limits the trees that read paths to these projects'; nil
	// reads each path with the tree of every open project whose working
	// or output mountpoint holds it.
	ProjectIDs []string
	// Comment is stored on every record created: DefaultComment when
	// empty.
	Comment string
	// Settle is publish.Output.Settle: how long after creating an
	// output's record its revision is checked for records made by
	// others; 0 means publish.DefaultSettle.
	Settle time.Duration
	// Refresh is how long what was read from Kitsu is kept: 0 means
	// DefaultRefresh.
	Refresh time.Duration
	// CacheDir, when set, is the disk cache of trees and studio records
	// (kitsutree.NewCachedSource), shared with the other commands.
	CacheDir string
	// Logger receives notices (a revision checked, a cache refused); nil
	// is silent.
	Logger *slog.Logger
}

// Publisher is the Registrar that registers files in Kitsu through the
// publish package: a working file as a working-file revision of its task
// (publish.Working.Register: the task, name, software and revision read
// from its path with its project's tree), and an output file or image
// sequence as an output revision where it lies
// (publish.Output.RegisterInPlace). Both recognise what Kitsu (or a
// claim on the storage) holds already for the path and revision, so a
// file handed over twice, by a restart or by a second watcher of the
// same folder, is registered once.
//
// A path that no tree describes is Ignored; one several readings fit,
// an asset instance's output, or a revision Kitsu holds with other
// content is refused for good (Permanent, with the readings or the
// records in the error); anything else (Kitsu down, a claim busy) is
// retried by the watcher.
type Publisher struct {
	c    *kitsu.Client
	opts PublisherOptions
	log  *slog.Logger

	mu      sync.Mutex
	made    time.Time
	working *publish.Working
	output  *publish.Output
}

// NewPublisher returns a Publisher registering through c.
func NewPublisher(c *kitsu.Client, opts *PublisherOptions) (*Publisher, error) {
	if c == nil {
		return nil, errors.New("watch: NewPublisher needs a Kitsu client")
	}
	p := &Publisher{c: c}
	if opts != nil {
		p.opts = *opts
	}
	if p.opts.Comment == "" {
		p.opts.Comment = DefaultComment
	}
	if p.opts.Refresh <= 0 {
		p.opts.Refresh = DefaultRefresh
	}
	p.log = p.opts.Logger
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	return p, nil
}

// publishers returns the Working and Output in use, made again (with a
// fresh Source) once Refresh has passed.
func (p *Publisher) publishers() (*publish.Working, *publish.Output) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.working != nil && time.Since(p.made) < p.opts.Refresh {
		return p.working, p.output
	}
	var src *kitsutree.Source
	if p.opts.CacheDir != "" {
		src = kitsutree.NewCachedSource(p.c, &kitsutree.CacheOptions{Dir: p.opts.CacheDir, Warn: func(msg string) {
			p.log.Warn("tree cache", "msg", msg)
		}})
	} else {
		src = kitsutree.NewSource(p.c)
	}
	src.SetListTTL(p.opts.Refresh)
	p.working = &publish.Working{Client: p.c, Source: src, Roots: p.opts.Roots, GOOS: p.opts.GOOS, KeepTargets: true}
	p.output = &publish.Output{Client: p.c, Source: src, Roots: p.opts.Roots, GOOS: p.opts.GOOS, Settle: p.opts.Settle,
		Logf: func(format string, args ...any) { p.log.Info(fmt.Sprintf(format, args...)) }}
	p.made = time.Now()
	return p.working, p.output
}

// Register registers f in Kitsu; see Publisher.
func (p *Publisher) Register(ctx context.Context, f File) (Outcome, error) {
	w, o := p.publishers()
	single := f.Path
	if f.Sequence != nil {
		if f.Sequence.Len() > 1 {
			return p.output1(ctx, o, f.Path)
		}
		// One numbered file ("paint_v003.png"): a working file, an
		// output file, or the one frame of a sequence; the trees tell.
		single = f.Sequence.Path(f.Sequence.First())
	}
	out, err, tried := p.working1(ctx, w, single)
	if tried {
		return out, err
	}
	return p.output1(ctx, o, f.Path)
}

// working1 registers path as a working file; tried is false when no
// project's tree reads it as one (it may be an output).
func (p *Publisher) working1(ctx context.Context, w *publish.Working, path string) (Outcome, error, bool) {
	ids := p.opts.ProjectIDs
	if len(ids) == 0 {
		ids = []string{""}
	}
	for _, id := range ids {
		reg, err := w.Register(ctx, path, &publish.RegisterOptions{ProjectID: id, Comment: p.opts.Comment, Resaved: true})
		if err == nil {
			what := "registered"
			switch {
			case reg.AlreadyRegistered:
				what = "found registered"
			case reg.Updated:
				what = "saved again: size and hash updated"
			}
			return Outcome{Detail: fmt.Sprintf("working file: %s as revision %d of task %s (%s, record %s)", what, reg.Revision, reg.WorkingFile.TaskID, reg.WorkingFile.Name, reg.WorkingFile.ID)}, nil, true
		}
		if errors.Is(err, publish.ErrNotWorking) {
			continue
		}
		return Outcome{}, classify(err), true
	}
	return Outcome{}, nil, false
}

// output1 registers path (a file or a sequence) as an output in place.
func (p *Publisher) output1(ctx context.Context, o *publish.Output, path string) (Outcome, error) {
	ids := p.opts.ProjectIDs
	if len(ids) == 0 {
		ids = []string{""}
	}
	var reasons []string
	for _, id := range ids {
		res, err := o.RegisterInPlace(ctx, path, &publish.InPlaceOptions{ProjectID: id, Comment: p.opts.Comment})
		if err == nil {
			what := "registered"
			if res.AlreadyPublished {
				what = "found registered"
			}
			f := res.Files[0]
			frames := ""
			if f.Frames != "" {
				frames = ", frames " + f.Frames
			}
			return Outcome{Detail: fmt.Sprintf("output file: %s as revision %d, representation %s, of entity %s (record %s%s)", what, res.Revision, f.Representation, f.OutputFile.EntityID, f.OutputFile.ID, frames)}, nil
		}
		if errors.Is(err, publish.ErrNotOutput) && !refused(err) {
			reasons = append(reasons, err.Error())
			continue
		}
		return Outcome{}, classify(err)
	}
	return Outcome{Ignored: true, Detail: "not described by a project's tree: " + strings.Join(reasons, "; ")}, nil
}

// refused reports whether a path read as no output is to be reported
// rather than ignored: several readings fit it, or it is an asset
// instance's output (which names no instance in Kitsu's way).
func refused(err error) bool {
	var amb *filetree.AmbiguousError
	return errors.As(err, &amb) || strings.Contains(err.Error(), "asset instance's output")
}

// classify marks the errors no retry can cure as permanent.
func classify(err error) error {
	var amb *filetree.AmbiguousError
	var lim *publish.LimitError
	switch {
	case errors.Is(err, publish.ErrBusy):
		return err // another process is at it: retried
	case errors.As(err, &amb), errors.As(err, &lim),
		errors.Is(err, publish.ErrRevisionConflict), errors.Is(err, publish.ErrNotOutput),
		errors.Is(err, publish.ErrNoTask), errors.Is(err, publish.ErrUnsafePath),
		errors.Is(err, publish.ErrManifest), errors.Is(err, publish.ErrAbandoned),
		errors.Is(err, kitsu.ErrParameter), errors.Is(err, kitsu.ErrValidation),
		errors.Is(err, kitsu.ErrInvalidArgument), errors.Is(err, kitsu.ErrNotAllowed):
		return Permanent(err)
	}
	return err
}

// ResumeUnfinished finishes the output publishes left half-done under
// the output mountpoints that hold or lie in roots (by kpublish publish
// output killed mid-way, or by a watcher): each manifest not done whose
// process is gone is resumed, as kpublish publish --resume does. It
// returns how many it finished; the others are logged and left for the
// next call.
func (p *Publisher) ResumeUnfinished(ctx context.Context, storeRoots []string) (int, error) {
	_, o := p.publishers()
	done := 0
	var errs []error
	for _, root := range storeRoots {
		list, err := o.Unfinished(root)
		if err != nil {
			errs = append(errs, err)
		}
		for _, mi := range list {
			if mi.Running {
				continue
			}
			res, err := o.Resume(ctx, mi.Path)
			if err != nil {
				p.log.Warn("unfinished publish not resumed", "manifest", mi.Path, "err", err)
				errs = append(errs, err)
				continue
			}
			done++
			p.log.Info("unfinished publish resumed", "manifest", mi.Path, "revision", res.Revision)
		}
	}
	return done, errors.Join(errs...)
}
