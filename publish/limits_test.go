package publish

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestLimitsSparseThreeGigabytes(t *testing.T) {
	f := fixtures(t)[0]
	src := filepath.Join(f.root, "work", "cache.abc")
	require.NoError(t, os.MkdirAll(filepath.Dir(src), 0o755))
	file, err := os.Create(src)
	require.NoError(t, err)
	require.NoError(t, file.Truncate(3<<30)) // sparse: no blocks written
	require.NoError(t, file.Close())

	dst := filepath.Join(f.root, "pub", "cache_v001.abc")
	for _, kind := range []Kind{WorkingFile, OutputFile} {
		_, err = f.s.CopyNoReplace(context.Background(), src, dst, &CopyOptions{Record: kind})
		require.ErrorIs(t, err, ErrLimit)
		var le *LimitError
		require.ErrorAs(t, err, &le)
		require.Equal(t, LimitError{Kind: kind, Field: "size", Value: "3221225472", Length: 3 << 30, Limit: 2147483647}, *le)
		require.Contains(t, err.Error(), "size 3221225472 bytes does not fit Zou's "+kind.table()+".size")
		require.Contains(t, err.Error(), "keep the exact size in the record's data")
	}
	_, err = os.Stat(filepath.Join(f.root, "pub"))
	require.ErrorIs(t, err, os.ErrNotExist, "nothing written, not even the folder")
}

func TestLimitsFields(t *testing.T) {
	path400 := "/" + strings.Repeat("p", 399)
	path401 := path400 + "q"
	require.NoError(t, CheckLimits(WorkingFile, Fields{Path: path400, Size: 2147483647}))
	require.NoError(t, CheckLimits(OutputFile, Fields{Path: path400, Size: 0, Checksum: strings.Repeat("a", 32), Extension: "abcdefghij", Representation: strings.Repeat("r", 20)}))
	require.NoError(t, CheckLimits(NoRecord, Fields{Path: path401, Size: -1}))
	// Lengths count characters, not bytes.
	require.NoError(t, CheckLimits(OutputFile, Fields{Path: "/" + strings.Repeat("é", 399), Representation: strings.Repeat("é", 20)}))

	err := CheckLimits(WorkingFile, Fields{Path: path401})
	require.ErrorIs(t, err, ErrLimit)
	require.ErrorContains(t, err, "working file path")
	require.ErrorContains(t, err, "is 401 characters: Zou's working_file.path holds 400 at most")

	err = CheckLimits(OutputFile, Fields{Path: "/x", Representation: strings.Repeat("r", 21), Extension: "abcdefghijk", Checksum: strings.Repeat("c", 33), Size: 1 << 31})
	var fields []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		le, ok := e.(*LimitError)
		require.True(t, ok, "%v", e)
		fields = append(fields, le.Field)
	}
	require.Equal(t, []string{"size", "checksum", "extension", "representation"}, fields, "every field at fault is named")
	require.ErrorContains(t, err, `output file representation "rrrrrrrrrrrrrrrrrrrrr" is 21 characters: Zou's output_file.representation holds 20 at most`)
	// Working files have no extension or representation column.
	require.NoError(t, CheckLimits(WorkingFile, Fields{Representation: strings.Repeat("r", 21)}))

	require.ErrorContains(t, CheckLimits(OutputFile, Fields{Size: -5}), "size -5: want 0 or more bytes")
	require.ErrorContains(t, CheckLimits(Kind(9), Fields{}), "kind Kind(9): want WorkingFile or OutputFile")

	// A 401-character target is refused by CopyNoReplace before writing.
	f := fixtures(t)[1]
	src := filepath.Join(f.root, "s")
	write(t, f.fs, src, "x")
	long := filepath.Join(f.root, "d", strings.Repeat("n", 401-len(f.root)-3))
	require.Len(t, long, 401)
	_, err = f.s.CopyNoReplace(context.Background(), src, long, &CopyOptions{Record: WorkingFile})
	require.ErrorIs(t, err, ErrLimit)
	require.Equal(t, []string{"s"}, files(t, f.fs, f.root))
}

func TestChecksumForms(t *testing.T) {
	s := Sum{Algorithm: Algorithm, Hex: "ffffffff00000000000000000000000a", Size: 1}
	require.Equal(t, "ffffffff00000000000000000000000a", s.Checksum32())
	require.Equal(t, int32(0x7fffffff), s.ChecksumInt(), "the first 31 bits")
	s.Hex = "00000003ffffffffffffffffffffffff"
	require.Equal(t, int32(1), s.ChecksumInt())
	require.Equal(t, int32(0), Sum{}.ChecksumInt())
}
