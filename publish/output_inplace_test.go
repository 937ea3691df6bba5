package publish

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
)

// inPlacePaths returns where the tree puts revision rev of the
// fixture's output in representation rep (an extension ext), from a dry
// run of Publish.
// newInPlaceFixture is newOutFixture with a tree whose asset and shot
// outputs cannot be read one for the other ("assets/" and "shots/").
func newInPlaceFixture(t *testing.T) *outFixture {
	t.Helper()
	f := newOutFixture(t, nil)
	tree := outputTree(f.root)
	out := tree["output"].(map[string]any)
	folders := out["folder_path"].(map[string]any)
	folders["asset"] = "<Project>/assets/<AssetType>/<Asset>/<TaskType>/<OutputType>/<Representation>"
	folders["shot"] = "<Project>/shots/<Sequence>/<Shot>/<TaskType>/<OutputType>/<Representation>"
	require.NoError(t, f.c.Update(kitsutest.Context(t), "projects", f.at.Project.ID, map[string]any{"file_tree": tree}, nil))
	return f
}

func inPlacePaths(t *testing.T, f *outFixture, src string, rev int) []string {
	t.Helper()
	res, err := f.o.Publish(kitsutest.Context(t), &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}, Revision: rev, DryRun: true})
	require.NoError(t, err)
	return res.Files[0].Paths
}

// TestOutputInPlace registers against the real Zou files written where
// the tree puts them (by a render, not by Publish): the record gets the
// revision the path shows, the files stay as they are, a second call
// finds it done, a second representation of the revision is registered
// beside it, a sequence as one record with its frames, changed content
// is a conflict, and a file the tree does not describe is ErrNotOutput.
func TestOutputInPlace(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newInPlaceFixture(t)
	abcSrc := f.write(t, "x.abc", "x")
	dest := inPlacePaths(t, f, abcSrc, 4)[0]
	write(t, f.fs, dest, "alembic written by a cache job")

	res, err := f.o.RegisterInPlace(ctx, dest, &InPlaceOptions{Comment: "found"})
	require.NoError(t, err)
	assert.Equal(t, 4, res.Revision)
	assert.False(t, res.AlreadyPublished)
	rec := res.Files[0].OutputFile
	assert.Equal(t, 4, rec.Revision)
	assert.Equal(t, "abc", rec.Representation)
	assert.Equal(t, dest, rec.Path)
	assert.Equal(t, "found", rec.Comment)
	assert.Equal(t, int64(len("alembic written by a cache job")), rec.Size)
	sum, err := HashFile(f.fs, dest)
	require.NoError(t, err)
	assert.Equal(t, sum.Hex, rec.Data["sha"])
	fi, err := os.Stat(dest)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), fi.Mode().Perm(), "a file registered in place is left as it is")
	m := readManifest(t, f.fs, res.Manifest)
	assert.Equal(t, StateDone, m.State)
	assert.True(t, m.Request.InPlace)
	assert.Equal(t, filepath.Join(f.root, ".kpublish", "outputs", f.at.Asset.ID, f.ot.ID, rec.TaskTypeID, "main", "in-place", "abc", "r0004.manifest.json"), res.Manifest)

	again, err := f.o.RegisterInPlace(ctx, dest, nil)
	require.NoError(t, err)
	assert.True(t, again.AlreadyPublished)
	assert.Equal(t, rec.ID, again.Files[0].OutputFile.ID)
	require.Len(t, f.records(t), 1)

	// Another representation of revision 4, registered on its own.
	usd := strings.TrimSuffix(strings.Replace(dest, "/abc/", "/usd/", 1), ".abc") + ".usd"
	write(t, f.fs, usd, "usd layer")
	ru, err := f.o.RegisterInPlace(ctx, usd, nil)
	require.NoError(t, err)
	assert.Equal(t, 4, ru.Revision)
	assert.Equal(t, "usd", ru.Files[0].Representation)
	require.Len(t, f.records(t), 2)

	// A sequence, given by one of its frames.
	seqSrc := filepath.Join(f.src, "seq")
	for _, fr := range []string{"1001", "1002", "1003"} {
		write(t, f.fs, filepath.Join(seqSrc, "beauty."+fr+".exr"), "frame "+fr)
	}
	frames := inPlacePaths(t, f, filepath.Join(seqSrc, "beauty.1001.exr"), 5)
	require.Len(t, frames, 3)
	for i, p := range frames {
		write(t, f.fs, p, "rendered frame "+string(rune('a'+i)))
	}
	rs, err := f.o.RegisterInPlace(ctx, frames[1], nil)
	require.NoError(t, err)
	assert.Equal(t, 5, rs.Revision)
	assert.Equal(t, "1001-1003", rs.Files[0].Frames)
	assert.Equal(t, 3, rs.Files[0].OutputFile.NbElements)
	assert.Equal(t, float64(3), rs.Files[0].OutputFile.Data["nb_frames"])
	require.Len(t, f.records(t), 3)

	// One picture, handed over as the one-frame sequence its number makes
	// (as the watcher does): one file.
	png := strings.TrimSuffix(strings.Replace(dest, "/abc/", "/png/", 1), "_v004.abc") + "_v006.png"
	write(t, f.fs, png, "a still")
	seq, err := FindSequence(f.fs, png)
	require.NoError(t, err)
	require.Equal(t, 1, seq.Len())
	rp, err := f.o.RegisterInPlace(ctx, seq.String(), nil)
	require.NoError(t, err)
	assert.Equal(t, 6, rp.Revision)
	assert.Empty(t, rp.Files[0].Frames)
	assert.Equal(t, png, rp.Files[0].OutputFile.Path)
	require.Len(t, f.records(t), 4)

	// The file rewritten after its registration.
	require.NoError(t, os.WriteFile(dest, []byte("other content"), 0o644))
	_, err = f.o.RegisterInPlace(ctx, dest, nil)
	require.ErrorIs(t, err, ErrRevisionConflict)
	assert.Equal(t, "other content", read(t, f.fs, dest), "never removed")

	// Not an output of the tree.
	stray := filepath.Join(f.root, "out", "notes.txt")
	write(t, f.fs, stray, "notes")
	_, err = f.o.RegisterInPlace(ctx, stray, nil)
	require.ErrorIs(t, err, ErrNotOutput)
	require.Len(t, f.records(t), 4)
}

// TestOutputInPlaceTogether has eight registrations of one file in place
// at once (two watchers of one shared folder, and more): one record.
func TestOutputInPlaceTogether(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newInPlaceFixture(t)
	src := f.write(t, "x.abc", "x")
	dest := inPlacePaths(t, f, src, 2)[0]
	write(t, f.fs, dest, "one cache")
	var wg sync.WaitGroup
	errs := make([]error, 8)
	results := make([]*OutputResult, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o := &Output{Client: f.c, GOOS: "linux", PID: os.Getpid() + 100000 + i}
			results[i], errs[i] = o.RegisterInPlace(ctx, dest, nil)
		}()
	}
	wg.Wait()
	ok, busy := 0, 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
			assert.Equal(t, 2, results[i].Revision)
		case assert.ErrorIs(t, err, ErrBusy):
			busy++
		}
	}
	assert.Equal(t, 8, ok+busy, "%v", errs)
	require.GreaterOrEqual(t, ok, 1)
	// Those that found it busy find it done afterwards.
	res, err := f.o.RegisterInPlace(ctx, dest, nil)
	require.NoError(t, err)
	assert.True(t, res.AlreadyPublished)
	require.Len(t, f.records(t), 1)
}

// TestOutputInPlaceFinishesPublish: a file that a Publish placed and
// did not register (stopped after its copy, its process gone) is
// finished by RegisterInPlace at the publish's own revision, with the
// publish's manifest (no second claim, no second record); a done
// publish's file is found published.
func TestOutputInPlaceFinishesPublish(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newInPlaceFixture(t)
	src := f.write(t, "cache.abc", "published by a farm job")
	stopAt(t, func(point string) error {
		if point == "copied" {
			return errors.New("killed after the copy")
		}
		return nil
	})
	res, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}})
	require.Error(t, err)
	testStop = nil
	require.Len(t, res.Files, 1)
	placed := res.Files[0].Paths[0]
	require.Empty(t, f.records(t))

	got, err := f.o.RegisterInPlace(ctx, placed, nil)
	require.NoError(t, err)
	assert.Equal(t, res.Revision, got.Revision)
	assert.Equal(t, res.Manifest, got.Manifest)
	require.Len(t, f.records(t), 1)
	assert.Equal(t, StateDone, readManifest(t, f.fs, res.Manifest).State)

	again, err := f.o.RegisterInPlace(ctx, placed, nil)
	require.NoError(t, err)
	assert.True(t, again.AlreadyPublished)
	require.Len(t, again.Files, 1)
	assert.Equal(t, f.records(t)[0].ID, again.Files[0].OutputFile.ID)
	require.Len(t, f.records(t), 1)
	_, err = os.Stat(filepath.Join(filepath.Dir(res.Manifest), "in-place"))
	assert.ErrorIs(t, err, os.ErrNotExist, "no in-place claim")
}
