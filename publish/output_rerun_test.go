package publish

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gofrs/flock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

// named are the records of the fixture's output named name.
func (f *outFixture) named(t *testing.T, name string) []kitsu.OutputFile {
	t.Helper()
	var out []kitsu.OutputFile
	for _, r := range f.records(t) {
		if r.Name == name {
			out = append(out, r)
		}
	}
	return out
}

// placedInfos stats the destinations that exist, to tell later whether
// a file was replaced.
func placedInfos(t *testing.T, dests []string) map[string]os.FileInfo {
	t.Helper()
	out := map[string]os.FileInfo{}
	for _, d := range dests {
		if fi, err := os.Lstat(d); err == nil {
			out[d] = fi
		}
	}
	return out
}

// TestOutputRerunResumes: a publish of a file and a sequence stopped at
// each step (claimed, half the files copied, copied, registered), then
// published again with the same request, is finished rather than
// published anew: the same revision, Resumed naming its manifest, now
// done, one record per representation, no file placed before the rerun
// replaced.
func TestOutputRerunResumes(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	abc := f.write(t, "cache.abc", "abc")
	f.frames(t, "s", "s.", ".exr", 4, span(1, 10)...)
	for _, point := range []string{"claimed", "copy-mid", "copied", "registered"} {
		t.Run(point, func(t *testing.T) {
			tg := f.target()
			tg.Name = "rerun-" + point
			req := &OutputRequest{Target: tg, Sources: []OutputSource{{Path: abc}, {Path: filepath.Join(f.src, "s")}}, Comment: "rerun"}
			stopOnce(t, point)
			first, err := f.o.Publish(ctx, req)
			require.ErrorIs(t, err, errStopped)
			m := readManifest(t, f.fs, first.Manifest)
			dests := append(slicesOf(m.Files[0].Dest), m.Files[1].Dest...)
			before := placedInfos(t, dests)
			if point == "copied" || point == "registered" {
				require.Len(t, before, len(dests))
			}

			f.notes = nil
			got, err := f.o.Publish(ctx, req)
			require.NoError(t, err)
			assert.Equal(t, m.Revision, got.Revision, "the same revision")
			assert.Equal(t, first.Manifest, got.Resumed)
			assert.Equal(t, first.Manifest, got.Manifest)
			assert.False(t, got.AlreadyPublished)
			assert.Equal(t, StateDone, readManifest(t, f.fs, first.Manifest).State)
			assert.Condition(t, func() bool {
				for _, n := range f.notes {
					if strings.Contains(n, "resuming") && strings.Contains(n, first.Manifest) {
						return true
					}
				}
				return false
			}, "a notice says it resumed: %q", f.notes)
			for d, fi := range before {
				now, err := os.Lstat(d)
				require.NoError(t, err)
				assert.True(t, os.SameFile(fi, now), "%s was replaced", d)
			}
			for _, d := range dests {
				require.FileExists(t, d)
			}
			recs := f.named(t, tg.Name)
			require.Len(t, recs, 2, "one record per representation, no duplicate")
			for _, r := range recs {
				assert.Equal(t, m.Revision, r.Revision)
				assert.NotEmpty(t, r.Data["sha"])
			}
			assert.Equal(t, "abc", read(t, f.fs, got.Files[0].Paths[0]))
			_, err = os.Stat(manifestPath(filepath.Dir(first.Manifest), m.Revision+1))
			require.ErrorIs(t, err, os.ErrNotExist, "no second revision is claimed")

			// Once done, the same request again is the published content.
			again, err := f.o.Publish(ctx, req)
			require.NoError(t, err)
			assert.True(t, again.AlreadyPublished)
			assert.Empty(t, again.Resumed)
			assert.Equal(t, m.Revision, again.Revision)
		})
	}
}

// TestOutputRerunOtherSources: an unfinished publish whose sources
// changed since (other sizes; or the same sizes and other content than
// the hashes it recorded) is left alone: the rerun publishes a new
// revision, and a notice names the old manifest with the command that
// rolls it back.
func TestOutputRerunOtherSources(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	for _, c := range []struct{ point, content string }{{"claimed", "a longer render"}, {"copied", "ABC"}} {
		t.Run(c.point, func(t *testing.T) {
			src := f.write(t, "changed-"+c.point+".abc", "abc")
			tg := f.target()
			tg.Name = "changed-" + c.point
			req := &OutputRequest{Target: tg, Sources: []OutputSource{{Path: src}}}
			stopOnce(t, c.point)
			first, err := f.o.Publish(ctx, req)
			require.ErrorIs(t, err, errStopped)
			old, err := os.ReadFile(first.Manifest)
			require.NoError(t, err)
			m := readManifest(t, f.fs, first.Manifest)
			if c.point == "copied" {
				require.NotEmpty(t, m.Files[0].Hashes[0], "the manifest recorded the hash")
			}

			require.NoError(t, os.WriteFile(src, []byte(c.content), 0o644))
			f.notes = nil
			got, err := f.o.Publish(ctx, req)
			require.NoError(t, err)
			assert.Equal(t, m.Revision+1, got.Revision, "a new revision")
			assert.Empty(t, got.Resumed)
			assert.Equal(t, c.content, read(t, f.fs, got.Files[0].Paths[0]))
			now, err := os.ReadFile(first.Manifest)
			require.NoError(t, err)
			assert.Equal(t, string(old), string(now), "the old manifest is untouched")
			assert.Condition(t, func() bool {
				for _, n := range f.notes {
					if strings.Contains(n, first.Manifest) && strings.Contains(n, "kpublish publish --abort "+first.Manifest) {
						return true
					}
				}
				return false
			}, "a notice names the old manifest and how to abort it: %q", f.notes)
			require.NoError(t, f.o.Abort(ctx, first.Manifest), "the old one can still be rolled back")
		})
	}
}

// TestOutputRerunNotTaken: an unfinished publish whose claim another
// live process holds locked is not taken (the rerun publishes a new
// revision); with a revision asked, only that revision's manifest is
// resumed; a dry run reports what it would resume and writes nothing.
func TestOutputRerunNotTaken(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	src := f.write(t, "held.abc", "held")

	t.Run("held", func(t *testing.T) {
		tg := f.target()
		tg.Name = "held"
		req := &OutputRequest{Target: tg, Sources: []OutputSource{{Path: src}}}
		stopOnce(t, "copied")
		first, err := f.o.Publish(ctx, req)
		require.ErrorIs(t, err, errStopped)
		old, err := os.ReadFile(first.Manifest)
		require.NoError(t, err)
		l := flock.New(ClaimPath(claimTarget(filepath.Dir(first.Manifest), first.Revision)), flock.SetFlag(os.O_RDONLY))
		locked, err := l.TryLock()
		require.NoError(t, err)
		require.True(t, locked)
		got, err := f.o.Publish(ctx, req)
		require.NoError(t, l.Unlock())
		require.NoError(t, err)
		assert.Equal(t, first.Revision+1, got.Revision)
		assert.Empty(t, got.Resumed)
		now, err := os.ReadFile(first.Manifest)
		require.NoError(t, err)
		assert.Equal(t, string(old), string(now), "the held manifest is untouched")
		require.Len(t, f.named(t, tg.Name), 1)
	})

	t.Run("revision", func(t *testing.T) {
		tg := f.target()
		tg.Name = "asked"
		req := &OutputRequest{Target: tg, Sources: []OutputSource{{Path: src}}, Revision: 5}
		stopOnce(t, "registered")
		first, err := f.o.Publish(ctx, req)
		require.ErrorIs(t, err, errStopped)
		require.Equal(t, 5, first.Revision)

		// Another revision asked: revision 5's manifest is not that one.
		other, err := f.o.Publish(ctx, &OutputRequest{Target: tg, Sources: []OutputSource{{Path: src}}, Revision: 6})
		require.NoError(t, err)
		assert.Equal(t, 6, other.Revision)
		assert.Empty(t, other.Resumed)
		assert.Equal(t, StateRegistered, readManifest(t, f.fs, first.Manifest).State)

		// The next revision asked (no revision): the manifest asked for 5.
		f.notes = nil
		dry, err := f.o.Publish(ctx, &OutputRequest{Target: tg, Sources: []OutputSource{{Path: src}}, DryRun: true, NewRevision: true})
		require.NoError(t, err)
		assert.Empty(t, dry.Resumed)
		assert.Equal(t, 7, dry.Revision)

		// A dry run of the same request: what it would resume, nothing
		// written.
		old, err := os.ReadFile(first.Manifest)
		require.NoError(t, err)
		req.DryRun = true
		dry, err = f.o.Publish(ctx, req)
		require.NoError(t, err)
		assert.True(t, dry.DryRun)
		assert.Equal(t, first.Manifest, dry.Resumed)
		assert.Equal(t, 5, dry.Revision)
		require.Len(t, dry.Files, 1)
		assert.Equal(t, first.Files[0].Paths, dry.Files[0].Paths)
		now, err := os.ReadFile(first.Manifest)
		require.NoError(t, err)
		assert.Equal(t, string(old), string(now), "a dry run writes nothing")

		req.DryRun = false
		got, err := f.o.Publish(ctx, req)
		require.NoError(t, err)
		assert.Equal(t, 5, got.Revision)
		assert.Equal(t, first.Manifest, got.Resumed)
		assert.Equal(t, StateDone, readManifest(t, f.fs, first.Manifest).State)
		revs := map[int]int{}
		for _, r := range f.named(t, tg.Name) {
			revs[r.Revision]++
		}
		assert.Equal(t, map[int]int{5: 1, 6: 1}, revs)
	})
}

// TestManifestSumKeys: a manifest writes its sums with lowercase keys
// and reads the capitalised ones the first manifests wrote; Sum's own
// JSON is unchanged.
func TestManifestSumKeys(t *testing.T) {
	s := Sum{Algorithm: Algorithm, Hex: strings.Repeat("ab", 16), Size: 42}
	data, err := json.Marshal(ManifestFile{Representation: "abc", Sum: &s})
	require.NoError(t, err)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(data, &raw))
	assert.Equal(t, map[string]any{"algorithm": Algorithm, "hex": s.Hex, "size": 42.0}, raw["sum"])
	assert.Equal(t, "abc", raw["representation"])

	for _, form := range []string{
		`{"representation":"abc","sum":{"algorithm":"xxh3-128","hex":"` + s.Hex + `","size":42}}`,
		`{"representation":"abc","sum":{"Algorithm":"xxh3-128","Hex":"` + s.Hex + `","Size":42}}`,
	} {
		var mf ManifestFile
		require.NoError(t, json.Unmarshal([]byte(form), &mf), form)
		require.NotNil(t, mf.Sum, form)
		assert.Equal(t, s, *mf.Sum, form)
		assert.Equal(t, "abc", mf.Representation)
	}
	var none ManifestFile
	require.NoError(t, json.Unmarshal([]byte(`{"representation":"abc"}`), &none))
	assert.Nil(t, none.Sum)
	data, err = json.Marshal(none)
	require.NoError(t, err)
	assert.NotContains(t, string(data), `"sum"`)

	plain, err := json.Marshal(s)
	require.NoError(t, err)
	assert.Contains(t, string(plain), `"Algorithm"`, "Sum's own JSON is unchanged")
}
