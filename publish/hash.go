package publish

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/spf13/afero"
	"github.com/zeebo/xxh3"
)

// Algorithm names the hash of every Sum: XXH3 with a 128-bit result,
// written as 32 hex digits (the high 64 bits first, as xxhsum prints
// it). It is chosen for speed (over 20 GB/s on one core, so hashing
// never slows a copy); it detects corruption, not tampering.
const Algorithm = "xxh3-128"

// Sum is a file's exact size and hash.
type Sum struct {
	Algorithm string // always Algorithm
	Hex       string // the full digest: 32 lowercase hex digits
	Size      int64  // in bytes
}

// Checksum32 returns the digest as Zou's output_file.checksum holds it
// (String(32)): the full 32 hex digits.
func (s Sum) Checksum32() string { return s.Hex }

// ChecksumInt returns a checksum for Zou's working_file.checksum (a
// 32-bit integer column): the digest's first 31 bits, as a non-negative
// integer. Keep Hex in the record's data for a full check. It returns
// 0 for a Sum without a digest.
func (s Sum) ChecksumInt() int32 {
	b, err := hex.DecodeString(s.Hex)
	if err != nil || len(b) < 4 {
		return 0
	}
	return int32(binary.BigEndian.Uint32(b) >> 1)
}

// hasher is the running hash of a copy.
type hasher struct{ h *xxh3.Hasher }

func newHasher() hasher { return hasher{xxh3.New()} }

func (h hasher) Write(p []byte) (int, error) { return h.h.Write(p) }

func (h hasher) sum(size int64) Sum {
	d := h.h.Sum128().Bytes()
	return Sum{Algorithm: Algorithm, Hex: hex.EncodeToString(d[:]), Size: size}
}

// HashReader hashes everything r yields.
func HashReader(r io.Reader) (Sum, error) {
	h := newHasher()
	bp := getBuffer()
	defer putBuffer(bp)
	buf := *bp
	var n int64
	for { // not io.CopyBuffer: an *os.File's WriteTo would read 32 KiB at a time
		k, err := r.Read(buf)
		if k > 0 {
			h.Write(buf[:k])
			n += int64(k)
		}
		if err == io.EOF {
			return h.sum(n), nil
		}
		if err != nil {
			return Sum{}, err
		}
	}
}

// HashFile hashes the file name of fsys.
func HashFile(fsys afero.Fs, name string) (Sum, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return Sum{}, fmt.Errorf("publish: hash %q: %w", name, err)
	}
	defer f.Close()
	s, err := HashReader(f)
	if err != nil {
		return Sum{}, fmt.Errorf("publish: hash %q: %w", name, err)
	}
	return s, nil
}
