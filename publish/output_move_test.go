package publish

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// stopAt makes every publish of the test call hook at its steps'
// points; the hook's error stops the publish there, as a crash would.
func stopAt(t *testing.T, hook func(point string) error) {
	t.Helper()
	testStop = hook
	t.Cleanup(func() { testStop = nil })
}

// TestOutputMovedByKitsuRecord: a record of the claimed revision made in
// Kitsu meanwhile (a gazu script's raw creation) moves the publish to
// the next revision: its records there, its files renamed, the foreign
// record left alone, the first manifest abandoned.
func TestOutputMovedByKitsuRecord(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	src := f.write(t, "cache.abc", "mine")
	var foreign *kitsu.OutputFile
	stopAt(t, func(point string) error {
		if point == "registered" && foreign == nil {
			var err error
			foreign, err = f.c.Files.NewEntityOutputFile(ctx, f.at.Asset.ID, f.ot.ID, f.at.Task.TaskTypeID, "gazu", &kitsu.NewOutputFileOptions{Revision: 1})
			require.NoError(t, err)
		}
		return nil
	})
	res, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}})
	require.NoError(t, err)
	require.NotNil(t, foreign)
	assert.Equal(t, 2, res.Revision)
	assert.Equal(t, []int{1}, res.MovedFrom)
	require.Len(t, f.notes, 1)
	assert.Contains(t, f.notes[0], "moving to revision 2")
	assert.Equal(t, "mine", read(t, f.fs, res.Files[0].Paths[0]))
	assert.Contains(t, res.Files[0].Paths[0], "_v002.abc")
	recs := f.records(t)
	byRev := map[int][]string{}
	for _, r := range recs {
		byRev[r.Revision] = append(byRev[r.Revision], r.ID)
	}
	assert.Equal(t, map[int][]string{1: {foreign.ID}, 2: {res.Files[0].OutputFile.ID}}, byRev)
	old := readManifest(t, f.fs, manifestPath(filepath.Dir(res.Manifest), 1))
	assert.Equal(t, StateAbandoned, old.State)
	assert.Equal(t, 2, old.MovedTo)
	_, err = os.Stat(filepath.Join(filepath.Dir(res.Files[0].Paths[0]), "tree_"+slugOf(f.ot.Name)+"_main_v001.abc"))
	assert.ErrorIs(t, err, os.ErrNotExist, "the files moved away from revision 1")
	assert.Equal(t, StateDone, readManifest(t, f.fs, res.Manifest).State)
}

func slugOf(s string) string {
	out := []rune{}
	for _, r := range s {
		switch {
		case r == ' ':
			out = append(out, '_')
		case r >= 'A' && r <= 'Z':
			out = append(out, r+'a'-'A')
		default:
			out = append(out, r)
		}
	}
	return string(out)
}

// TestOutputMovedByFileOnDisk: a file at the claimed revision's path
// (written by a gazu script) is never replaced: the publish moves to the
// next revision, and what it had placed is removed.
func TestOutputMovedByFileOnDisk(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	f.frames(t, "s", "s.", ".exr", 4, 1, 2, 3, 4)
	req := &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: filepath.Join(f.src, "s")}}}
	req.DryRun = true
	dry, err := f.o.Publish(ctx, req)
	require.NoError(t, err)
	req.DryRun = false
	theirs := dry.Files[0].Paths[2]
	write(t, f.fs, theirs, "gazu wrote this")

	res, err := f.o.Publish(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, 2, res.Revision)
	assert.Equal(t, []int{1}, res.MovedFrom)
	assert.Equal(t, "gazu wrote this", read(t, f.fs, theirs))
	for _, p := range dry.Files[0].Paths {
		if p != theirs {
			_, err := os.Stat(p)
			assert.ErrorIs(t, err, os.ErrNotExist, "%s placed by the publish at revision 1 is removed", p)
		}
	}
	assert.Len(t, res.Files[0].Paths, 4)
	recs := f.records(t)
	require.Len(t, recs, 1)
	assert.Equal(t, 2, recs[0].Revision)
}

// TestOutputClaimedElsewhere: a revision claimed by another publisher
// is passed over; an asked-for revision that is claimed, in Kitsu, or
// has a file on disk is ErrRevisionConflict.
func TestOutputClaimedElsewhere(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	src := f.write(t, "cache.abc", "v")
	dry, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}, DryRun: true})
	require.NoError(t, err)
	s, err := NewStore(f.fs, f.root, nil)
	require.NoError(t, err)
	dir := filepath.Join(f.root, ".kpublish", "outputs", f.at.Asset.ID, f.ot.ID, f.at.Task.TaskTypeID, "main")
	_, err = s.ClaimWith(claimTarget(dir, 1), 1, nil)
	require.NoError(t, err)

	res, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}})
	require.NoError(t, err)
	assert.Equal(t, 2, res.Revision)
	assert.NotEqual(t, dry.Files[0].Paths[0], res.Files[0].Paths[0])

	write(t, f.fs, src, "other")
	for _, rev := range []int{1, 2} {
		_, err = f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}, Revision: rev})
		require.ErrorIs(t, err, ErrRevisionConflict, "revision %d", rev)
	}
	res, err = f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}, Revision: 7})
	require.NoError(t, err)
	assert.Equal(t, 7, res.Revision)
	res, err = f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: f.write(t, "c2.abc", "third")}}})
	require.NoError(t, err)
	assert.Equal(t, 8, res.Revision, "the next revision is above Kitsu's and the disk's")
	assert.Len(t, f.records(t), 3)
}
