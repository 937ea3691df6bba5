package publish

import (
	"strconv"
)

// SequenceFile is one file of an image sequence as an output's record
// lists it in its data: the file's base name, exact size and hash.
type SequenceFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	SHA  string `json:"sha"`
}

// SequenceDigest returns the sum of a sequence: its total size, and as
// its hash the XXH3-128 of the lines "name\tsize\thex\n" of its files in
// the order given (frame order). Two sequences have the same digest
// when they hold the same names with the same contents.
func SequenceDigest(files []SequenceFile) Sum {
	h := newHasher()
	var total int64
	buf := make([]byte, 0, 128)
	for _, f := range files {
		buf = append(buf[:0], f.Name...)
		buf = append(buf, '\t')
		buf = strconv.AppendInt(buf, f.Size, 10)
		buf = append(buf, '\t')
		buf = append(buf, f.SHA...)
		buf = append(buf, '\n')
		_, _ = h.Write(buf)
		total += f.Size
	}
	return h.sum(total)
}
