package publish

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"
)

// Kind says which of Zou's file records a file will be registered as,
// for CheckLimits.
type Kind int

// The kinds of file record.
const (
	// NoRecord checks nothing.
	NoRecord Kind = iota
	// WorkingFile is Zou's working_file: size an Integer (32-bit), path
	// String(400).
	WorkingFile
	// OutputFile is Zou's output_file: size an Integer (32-bit),
	// checksum String(32), path String(400), extension String(10),
	// representation String(20).
	OutputFile
)

func (k Kind) String() string {
	switch k {
	case NoRecord:
		return "no record"
	case WorkingFile:
		return "working file"
	case OutputFile:
		return "output file"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

func (k Kind) table() string {
	if k == WorkingFile {
		return "working_file"
	}
	return "output_file"
}

// Zou's column limits (Zou 1.0.97, zou/app/models/working_file.py and
// output_file.py). Lengths count characters, as PostgreSQL's varchar.
const (
	MaxSize           = math.MaxInt32 // Integer columns: size
	MaxPath           = 400
	MaxChecksum       = 32
	MaxExtension      = 10
	MaxRepresentation = 20
)

// Fields are the values of a file record that Zou limits. Empty strings
// are not checked (Zou stores them as given).
type Fields struct {
	Path           string
	Size           int64
	Checksum       string // output files; a working file's is an integer (Sum.ChecksumInt)
	Extension      string // output files
	Representation string // output files
}

// LimitError is a value that Zou's column cannot hold.
type LimitError struct {
	Kind   Kind
	Field  string // the column: "size", "path", ...
	Value  string // the value, shortened to 80 characters
	Length int64  // the value's length in characters, or the size
	Limit  int64
}

func (e *LimitError) Error() string {
	col := e.Kind.table() + "." + e.Field
	if e.Field == "size" {
		return fmt.Sprintf("publish: %s size %d bytes does not fit Zou's %s (a 32-bit integer, at most %d): keep the exact size in the record's data", e.Kind, e.Length, col, e.Limit)
	}
	return fmt.Sprintf("publish: %s %s %s is %d characters: Zou's %s holds %d at most", e.Kind, e.Field, strconv.Quote(e.Value), e.Length, col, e.Limit)
}

// Is makes every LimitError match ErrLimit.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// CheckLimits reports every field of f that Zou's record of kind cannot
// hold, each as a *LimitError (ErrLimit), joined; nil if all fit. A
// negative size is refused too. Callers keep the exact size and the full
// hash in the record's data.
func CheckLimits(kind Kind, f Fields) error {
	if kind != WorkingFile && kind != OutputFile {
		if kind == NoRecord {
			return nil
		}
		return fmt.Errorf("publish: CheckLimits: kind %v: want WorkingFile or OutputFile", kind)
	}
	var errs []error
	if f.Size < 0 {
		errs = append(errs, fmt.Errorf("publish: %s size %d: want 0 or more bytes", kind, f.Size))
	} else if f.Size > MaxSize {
		errs = append(errs, &LimitError{Kind: kind, Field: "size", Value: strconv.FormatInt(f.Size, 10), Length: f.Size, Limit: MaxSize})
	}
	str := func(field, v string, limit int) {
		if n := utf8.RuneCountInString(v); n > limit {
			errs = append(errs, &LimitError{Kind: kind, Field: field, Value: shorten(v), Length: int64(n), Limit: int64(limit)})
		}
	}
	str("path", f.Path, MaxPath)
	if kind == OutputFile {
		str("checksum", f.Checksum, MaxChecksum)
		str("extension", f.Extension, MaxExtension)
		str("representation", f.Representation, MaxRepresentation)
	}
	return errors.Join(errs...)
}

func shorten(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	r := []rune(s)
	return string(r[:40]) + "…" + string(r[len(r)-39:])
}
