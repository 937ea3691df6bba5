package publish

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
)

// TestMain runs the helper processes of the multi-process tests when
// PUBLISH_HELPER names one: the test binary re-executes itself.
func TestMain(m *testing.M) {
	switch os.Getenv("PUBLISH_HELPER") {
	case "":
		os.Exit(m.Run())
	case "claim-next":
		os.Exit(helperClaimNext())
	case "claim-one":
		os.Exit(helperClaimOne())
	case "output-publish":
		os.Exit(helperOutputPublish())
	case "output-raw":
		os.Exit(helperOutputRaw())
	default:
		fmt.Fprintln(os.Stderr, "unknown PUBLISH_HELPER")
		os.Exit(2)
	}
}

// helperClaimNext waits for the start file, claims the next revision of
// sh010's animation, publishes its own content there and prints the
// revision. It keeps its claim.
func helperClaimNext() int {
	root := os.Getenv("PUBLISH_ROOT")
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(root, "go")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "no start file")
			return 3
		}
		time.Sleep(time.Millisecond)
	}
	s, err := NewStore(afero.NewOsFs(), root, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	src := filepath.Join(root, "src", fmt.Sprint(os.Getpid()))
	if err := os.WriteFile(src, []byte(fmt.Sprintf("from pid %d\n", os.Getpid())), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	c, err := s.ClaimNext(animPath(root), 1)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if _, err := s.CopyNoReplace(context.Background(), src, c.Target, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(c.Revision)
	return 0
}

// helperClaimOne claims PUBLISH_TARGET and exits without releasing it.
func helperClaimOne() int {
	s, err := NewStore(afero.NewOsFs(), os.Getenv("PUBLISH_ROOT"), nil)
	if err == nil {
		_, err = s.Claim(os.Getenv("PUBLISH_TARGET"))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

func animPath(root string) func(int) (string, error) {
	return func(rev int) (string, error) {
		return filepath.Join(root, "shots", "sh010", fmt.Sprintf("anim_v%03d.ma", rev)), nil
	}
}

// fixture is a store on one filesystem.
type fixture struct {
	name string
	fs   afero.Fs
	root string
	s    *Store
}

// fixtures returns a store on the real disk (in t.TempDir) and one in
// memory.
func fixtures(t *testing.T) []fixture {
	t.Helper()
	osRoot := t.TempDir()
	mem := afero.NewMemMapFs()
	require.NoError(t, mem.MkdirAll("/proj", 0o755))
	var out []fixture
	for _, f := range []fixture{{name: "disk", fs: afero.NewOsFs(), root: osRoot}, {name: "memory", fs: mem, root: "/proj"}} {
		s, err := NewStore(f.fs, f.root, nil)
		require.NoError(t, err)
		f.s = s
		out = append(out, f)
	}
	return out
}

// files lists every file and folder under root, relative to it.
func files(t *testing.T, fsys afero.Fs, root string) []string {
	t.Helper()
	var out []string
	require.NoError(t, afero.Walk(fsys, root, func(p string, fi fs.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if p != root {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
		return nil
	}))
	sort.Strings(out)
	return out
}

func write(t *testing.T, fsys afero.Fs, name, content string) {
	t.Helper()
	require.NoError(t, fsys.MkdirAll(filepath.Dir(name), 0o755))
	require.NoError(t, afero.WriteFile(fsys, name, []byte(content), 0o644))
}

func read(t *testing.T, fsys afero.Fs, name string) string {
	t.Helper()
	b, err := afero.ReadFile(fsys, name)
	require.NoError(t, err)
	return string(b)
}

// faultyFs wraps a filesystem: reads of the file named failRead fail
// after readBudget bytes, and writes to created files fail with ENOSPC
// (a full disk) after writeBudget bytes (-1: never).
type faultyFs struct {
	afero.Fs
	real        bool
	failRead    string
	readBudget  int64
	writeBudget int64
}

func (f *faultyFs) realDisk() bool { return f.real }

func (f *faultyFs) Open(name string) (afero.File, error) {
	file, err := f.Fs.Open(name)
	if err != nil || name != f.failRead {
		return file, err
	}
	return &faultyFile{File: file, readLeft: f.readBudget, writeLeft: -1}, nil
}

func (f *faultyFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	file, err := f.Fs.OpenFile(name, flag, perm)
	if err != nil || flag&os.O_CREATE == 0 || f.writeBudget < 0 {
		return file, err
	}
	return &faultyFile{File: file, readLeft: -1, writeLeft: f.writeBudget}, nil
}

type faultyFile struct {
	afero.File
	readLeft, writeLeft int64
}

func (f *faultyFile) Read(p []byte) (int, error) {
	if f.readLeft < 0 {
		return f.File.Read(p)
	}
	if f.readLeft == 0 {
		return 0, &fs.PathError{Op: "read", Path: f.Name(), Err: syscall.EIO}
	}
	if int64(len(p)) > f.readLeft {
		p = p[:f.readLeft]
	}
	n, err := f.File.Read(p)
	f.readLeft -= int64(n)
	return n, err
}

func (f *faultyFile) Write(p []byte) (int, error) {
	if f.writeLeft < 0 {
		return f.File.Write(p)
	}
	if int64(len(p)) > f.writeLeft {
		n, _ := f.File.Write(p[:f.writeLeft])
		f.writeLeft = 0
		return n, &fs.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	}
	n, err := f.File.Write(p)
	f.writeLeft -= int64(n)
	return n, err
}

var _ io.Reader = (*faultyFile)(nil)
