package publish

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/internal/kitsutest"
	"github.com/kpublish/kpublish/kitsu"
)

var errStopped = errors.New("stopped by the test")

// stopOnce stops the next publish at point, once.
func stopOnce(t *testing.T, point string) {
	t.Helper()
	stopped := false
	stopAt(t, func(p string) error {
		if p == point && !stopped {
			stopped = true
			return errStopped
		}
		return nil
	})
}

// publishedFiles lists the regular files under root outside .kpublish.
func publishedFiles(t *testing.T, fsys afero.Fs, root string) []string {
	t.Helper()
	var out []string
	require.NoError(t, afero.Walk(fsys, root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() && fi.Name() == ".kpublish" {
			return filepath.SkipDir
		}
		if !fi.IsDir() {
			out = append(out, p)
		}
		return nil
	}))
	return out
}

// TestOutputResumeAndAbort stops a publish of a file and a sequence at
// each step (claimed, half the files copied, copied, registered), then
// resumes it (it completes: the same revision, one record per
// representation, every file in place, no temporary file) or aborts it
// (nothing is left: no record, no file, no manifest, no claim).
func TestOutputResumeAndAbort(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	abc := f.write(t, "cache.abc", "abc")
	f.frames(t, "s", "s.", ".exr", 4, span(1, 10)...)
	for _, point := range []string{"claimed", "copy-mid", "copied", "registered"} {
		for _, finish := range []string{"resume", "abort"} {
			t.Run(point+"/"+finish, func(t *testing.T) {
				tg := f.target()
				tg.Name = point + "-" + finish
				req := &OutputRequest{Target: tg, Sources: []OutputSource{{Path: abc}, {Path: filepath.Join(f.src, "s")}}, Comment: "resumed"}
				stopOnce(t, point)
				res, err := f.o.Publish(ctx, req)
				require.ErrorIs(t, err, errStopped)
				require.NotNil(t, res)
				require.NotEmpty(t, res.Manifest)
				m := readManifest(t, f.fs, res.Manifest)
				want := map[string]string{"claimed": StateClaimed, "copy-mid": StateClaimed, "copied": StateCopied, "registered": StateRegistered}[point]
				require.Equal(t, want, m.State)
				dests := append(slicesOf(m.Files[0].Dest), m.Files[1].Dest...)
				// A copy killed half-way leaves its temporary file.
				tmp := filepath.Join(filepath.Dir(m.Files[1].Dest[0]), "."+filepath.Base(m.Files[1].Dest[9])+TempInfix+"0123456789abcdef")
				require.NoError(t, f.fs.MkdirAll(filepath.Dir(tmp), 0o755))
				write(t, f.fs, tmp, "half")

				infos, err := f.o.Unfinished(f.root)
				require.NoError(t, err)
				require.Condition(t, func() bool {
					for _, i := range infos {
						if i.Path == res.Manifest && i.State == want && !i.Running {
							return true
						}
					}
					return false
				}, "Unfinished lists %s", res.Manifest)

				if finish == "abort" {
					require.NoError(t, f.o.Abort(ctx, res.Manifest))
					for _, d := range append(dests, tmp, res.Manifest, ClaimPath(claimTarget(filepath.Dir(res.Manifest), m.Revision))) {
						_, err := os.Lstat(d)
						require.ErrorIs(t, err, os.ErrNotExist, "%s is left", d)
					}
					for _, r := range f.records(t) {
						require.NotEqual(t, tg.Name, r.Name, "record %s is left", r.ID)
					}
					return
				}
				got, err := f.o.Resume(ctx, res.Manifest)
				require.NoError(t, err)
				assert.Equal(t, m.Revision, got.Revision)
				assert.Equal(t, StateDone, readManifest(t, f.fs, res.Manifest).State)
				for _, d := range dests {
					require.FileExists(t, d)
				}
				_, err = os.Lstat(tmp)
				require.ErrorIs(t, err, os.ErrNotExist, "the temporary file is removed")
				var mine []kitsu.OutputFile
				for _, r := range f.records(t) {
					if r.Name == tg.Name {
						mine = append(mine, r)
					}
				}
				require.Len(t, mine, 2, "one record per representation, no duplicate")
				for _, r := range mine {
					assert.Equal(t, m.Revision, r.Revision)
					assert.NotEmpty(t, r.Data["sha"])
				}
				assert.Equal(t, "abc", read(t, f.fs, got.Files[0].Paths[0]))
				again, err := f.o.Resume(ctx, res.Manifest)
				require.NoError(t, err, "resuming a done publish does nothing")
				assert.Equal(t, got.Revision, again.Revision)
				require.Error(t, f.o.Abort(ctx, res.Manifest), "a done publish is not aborted")
			})
		}
	}
}

func slicesOf(s []string) []string { return append([]string(nil), s...) }

// TestOutputResumeAdoptsLostCreation: a creation whose reply was lost
// (the record is in Kitsu, the manifest does not name it) is adopted on
// resume, never created twice; Abort deletes such a record too.
func TestOutputResumeAdoptsLostCreation(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	src := f.write(t, "cache.abc", "abc")
	for _, finish := range []string{"resume", "abort"} {
		t.Run(finish, func(t *testing.T) {
			tg := f.target()
			tg.Name = "lost-" + finish
			stopOnce(t, "copied")
			res, err := f.o.Publish(ctx, &OutputRequest{Target: tg, Sources: []OutputSource{{Path: src}}})
			require.ErrorIs(t, err, errStopped)
			m := readManifest(t, f.fs, res.Manifest)
			lost, err := f.c.Files.NewEntityOutputFile(ctx, f.at.Asset.ID, f.ot.ID, f.at.Task.TaskTypeID, "", &kitsu.NewOutputFileOptions{
				Name: tg.Name, Revision: m.Revision, Representation: "abc", Extension: ".abc",
			})
			require.NoError(t, err)
			require.Equal(t, m.Files[0].Path, lost.Path)
			if finish == "abort" {
				require.NoError(t, f.o.Abort(ctx, res.Manifest))
				_, err := f.c.Files.GetOutputFile(ctx, lost.ID)
				require.ErrorIs(t, err, kitsu.ErrNotFound)
				return
			}
			got, err := f.o.Resume(ctx, res.Manifest)
			require.NoError(t, err)
			assert.Equal(t, lost.ID, got.Files[0].OutputFile.ID)
			assert.Equal(t, m.Revision, got.Revision)
			assert.NotEmpty(t, got.Files[0].OutputFile.Data["sha"])
		})
	}
}

// TestOutputResumeAbandoned: resuming an abandoned manifest follows it
// to the revision it moved to; a manifest moved nowhere is ErrAbandoned.
// Hostile manifests are refused.
func TestOutputResumeAbandoned(t *testing.T) {
	ctx := kitsutest.Context(t)
	f := newOutFixture(t, nil)
	src := f.write(t, "cache.abc", "mine")
	dry, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}, DryRun: true})
	require.NoError(t, err)
	write(t, f.fs, dry.Files[0].Paths[0], "theirs")
	stopOnce(t, "copied")
	res, err := f.o.Publish(ctx, &OutputRequest{Target: f.target(), Sources: []OutputSource{{Path: src}}})
	require.ErrorIs(t, err, errStopped)
	require.Equal(t, 2, res.Revision)
	first := manifestPath(filepath.Dir(res.Manifest), 1)
	got, err := f.o.Resume(ctx, first)
	require.NoError(t, err)
	assert.Equal(t, 2, got.Revision)

	// Hostile manifests.
	m := readManifest(t, f.fs, res.Manifest)
	for name, change := range map[string]func(m *Manifest){
		"a destination outside the root": func(m *Manifest) { m.Files[0].Dest[0] = "/etc/passwd" },
		"a destination with ..":          func(m *Manifest) { m.Files[0].Dest[0] = f.root + "/out/../../x" },
		"a kpublish file":                func(m *Manifest) { m.Files[0].Dest[0] = res.Manifest },
		"a wrong revision":               func(m *Manifest) { m.Revision = 9 },
		"a bad id":                       func(m *Manifest) { m.Kitsu = []ManifestRecord{{ID: "../../x"}} },
		"a bad state":                    func(m *Manifest) { m.State = "half" },
	} {
		bad := *m
		bad.Files = []ManifestFile{m.Files[0]}
		bad.Files[0].Dest = slicesOf(m.Files[0].Dest)
		change(&bad)
		path := manifestPath(filepath.Dir(res.Manifest), 2)
		hostile := strings.TrimSuffix(path, ManifestSuffix) + ".hostile"
		require.NoError(t, writeManifest(f.fs, true, hostile, &bad))
		require.NoError(t, f.fs.Rename(hostile, manifestPath(filepath.Dir(res.Manifest), 3)))
		_, err := f.o.Resume(ctx, manifestPath(filepath.Dir(res.Manifest), 3))
		require.ErrorIs(t, err, ErrManifest, name)
		require.ErrorIs(t, f.o.Abort(ctx, manifestPath(filepath.Dir(res.Manifest), 3)), ErrManifest, name)
	}
	require.FileExists(t, "/etc/passwd")
	assert.Equal(t, "mine", read(t, f.fs, got.Files[0].Paths[0]))
}
