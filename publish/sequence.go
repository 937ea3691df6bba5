package publish

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/afero"
)

// Image sequences follow gofileseq's conventions:
//
//   - padding: a lone "#" is 4 digits as in gofileseq, but several "#"
//     are a digit each as in Nuke ("####" is 4, "##" is 2); "@" is a digit
//     each ("@@@" is 3); "#" and "@" do not mix; "%04d" is printf's (and
//     "%d" no padding), "$F4" is Houdini's (and "$F" no padding);
//   - a frame range is comma-separated chunks "N", "A-B" and "A-BxS" (a
//     step), for example "1-100x2,200" or "-10--1"; A may be above B
//     ("10-1"); the frames are a set: overlaps count once;
//   - an explicit range may stand just before "#" or "@" padding, as in
//     "name.1001-1100#.exr".
//
// A frame number fits a padding of N digits when it has exactly N digits,
// or more than N without a leading zero (frame 10000 of "#"), as
// gofileseq does. The minus sign of a negative frame stands outside the
// padding: frame -1 of "@@@" is "-001". A minus just before the digits is
// a sign only when what precedes it is not a letter or a digit: in
// "shot-0001.exr" the base is "shot-" and the frame 1; in "shot.-0001.exr"
// the frame is -1.
//
// In a file name the frame is the last run of digits before the
// extension (the part from the last ".", unless only digits follow it:
// "name.1001" has no extension): "shot010.v002.1001.exr" is base
// "shot010.v002.", frame 1001, extension ".exr"; "clip.mp4" is no frame.

// Limits of sequences, so that hostile input is refused instead of
// exhausting memory.
const (
	// MaxSequenceFrames is the most frames a frame range may expand to,
	// and the most a sequence may hold.
	MaxSequenceFrames = 1_000_000
	// MaxFrame is the largest absolute frame number.
	MaxFrame = 999_999_999
	// MaxPad is the widest padding, in digits.
	MaxPad = 32
)

// ErrSequence matches every error about a frame range, a sequence
// pattern or the files of a sequence; the error is a *SequenceError.
var ErrSequence = errors.New("publish: bad image sequence")

// SequenceError says why a frame range, a pattern or a sequence on disk
// was refused. Err, when set, is the underlying cause (for example an
// fs.ErrNotExist of a missing directory) and matches with errors.Is.
type SequenceError struct {
	Input   string
	Problem string
	Err     error
}

func (e *SequenceError) Error() string {
	s := fmt.Sprintf("publish: sequence %s: %s", strconv.Quote(e.Input), e.Problem)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Is makes every SequenceError match ErrSequence.
func (e *SequenceError) Is(target error) bool { return target == ErrSequence }

// Unwrap returns the underlying cause, if any.
func (e *SequenceError) Unwrap() error { return e.Err }

func seqErr(input, format string, args ...any) error {
	return &SequenceError{Input: input, Problem: fmt.Sprintf(format, args...)}
}

// PadStyle is how a pattern writes its padding.
type PadStyle int

const (
	// PadHash is gofileseq's "#" (4 digits) and "@" (1 digit).
	PadHash PadStyle = iota
	// PadPrintf is printf's "%04d".
	PadPrintf
	// PadHoudini is Houdini's "$F4".
	PadHoudini
)

// String returns the style's name.
func (p PadStyle) String() string {
	switch p {
	case PadHash:
		return "hash"
	case PadPrintf:
		return "printf"
	case PadHoudini:
		return "houdini"
	}
	return "PadStyle(" + strconv.Itoa(int(p)) + ")"
}

// PadToken returns the padding of pad digits in this style: "#" for 4
// digits and "@" a digit otherwise ("@@@" for 3) in PadHash, "%04d" in PadPrintf, "$F4" in PadHoudini ("%d"
// and "$F" for no padding). It returns "" for a pad below 1.
func (p PadStyle) PadToken(pad int) string {
	if pad < 1 {
		return ""
	}
	switch p {
	case PadPrintf:
		if pad == 1 {
			return "%d"
		}
		return "%0" + strconv.Itoa(pad) + "d"
	case PadHoudini:
		if pad == 1 {
			return "$F"
		}
		return "$F" + strconv.Itoa(pad)
	}
	if pad == 4 {
		return "#"
	}
	return strings.Repeat("@", pad)
}

// Pattern is a parsed sequence pattern such as "/r/name.####.exr",
// "name.%04d.exr", "name.$F4.exr" or "name.1001-1100#.exr".
type Pattern struct {
	Dir   string // the directory part, without a trailing separator; "" when none
	Base  string // the name before the frame number, "name." in "name.####.exr"
	Ext   string // the name after the frame number, ".exr" in "name.####.exr"
	Pad   int    // digits of padding, at least 1
	Style PadStyle
	// Frames is the explicit range of "name.1001-1100#.exr", sorted; nil
	// when the pattern names none.
	Frames []int
}

// Path returns the path of one frame of the pattern.
func (p Pattern) Path(frame int) string {
	return joinDir(p.Dir, p.Base+formatFrame(frame, p.Pad)+p.Ext)
}

// String returns the pattern as it would be parsed again: the explicit
// range, if any, before the padding in the pattern's style.
func (p Pattern) String() string {
	r := ""
	if p.Frames != nil {
		r = FormatFrameRange(p.Frames)
	}
	return joinDir(p.Dir, p.Base+r+p.Style.PadToken(p.Pad)+p.Ext)
}

// ParsePattern parses a sequence pattern: a path whose base name holds
// exactly one padding ("#"/"@", "%04d", "$F4"), optionally preceded by an
// explicit frame range for "#"/"@" ("name.1001-1100#.exr"). The range is
// the run of digits, "-", "," and "x" before the padding, so
// "shot010#.exr" is base "shot", frame 10 (write "shot010.#.exr"); a run
// that is no frame range stays in the base. A "%"
// elsewhere in the name is refused.
func ParsePattern(s string) (Pattern, error) {
	if err := checkSpec(s); err != nil {
		return Pattern{}, err
	}
	dir, name := filepath.Split(s)
	if len(dir) > 1 {
		dir = strings.TrimRight(dir, string(filepath.Separator)+"/")
		if dir == "" {
			dir = string(filepath.Separator)
		}
	}
	tok, ok, err := findPadToken(s, name)
	if err != nil {
		return Pattern{}, err
	}
	if !ok {
		return Pattern{}, seqErr(s, "no frame padding in the name: want one of #, @, %%04d or $F4, as in name.####.exr")
	}
	// A second padding token after this one is ambiguous.
	if _, more, _ := findPadToken(s, name[tok.end:]); more {
		return Pattern{}, seqErr(s, "more than one frame padding in the name: want exactly one")
	}
	p := Pattern{Dir: dir, Base: name[:tok.start], Ext: name[tok.end:], Pad: tok.pad, Style: tok.style}
	if strings.Contains(p.Base, "%") || strings.Contains(p.Ext, "%") {
		return Pattern{}, seqErr(s, "a %% outside the padding: want %% only in %%d or %%0Nd")
	}
	if tok.style == PadHash {
		if start, frames := rangeBefore(p.Base); frames != nil {
			p.Base, p.Frames = p.Base[:start], frames
		}
	}
	return p, nil
}

type padToken struct {
	start, end, pad int
	style           PadStyle
}

// findPadToken finds the first padding token of name; input names the
// whole pattern in errors.
func findPadToken(input, name string) (padToken, bool, error) {
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c == '#' || c == '@':
			j := i
			for j < len(name) && name[j] == c {
				j++
			}
			if j < len(name) && (name[j] == '#' || name[j] == '@') {
				return padToken{}, false, seqErr(input, "padding %q mixes # and @: want one #, several # (a digit each) or @ (a digit each)", name[i:j+1])
			}
			pad := j - i
			if c == '#' && pad == 1 {
				pad = 4
			}
			if pad > MaxPad {
				return padToken{}, false, seqErr(input, "padding %q is %d digits: want at most %d", name[i:j], pad, MaxPad)
			}
			return padToken{start: i, end: j, pad: pad, style: PadHash}, true, nil
		case c == '%' && i+1 < len(name) && (name[i+1] >= '0' && name[i+1] <= '9' || name[i+1] == 'd'):
			j := i + 1
			for j < len(name) && name[j] >= '0' && name[j] <= '9' {
				j++
			}
			if j >= len(name) || name[j] != 'd' {
				return padToken{}, false, seqErr(input, "printf padding %q: want %%d or %%0Nd, as in %%04d", name[i:min(j+1, len(name))])
			}
			pad := 1
			if digits := name[i+1 : j]; digits != "" {
				n, err := strconv.Atoi(digits)
				if err != nil || n < 1 || n > MaxPad || digits[0] != '0' {
					return padToken{}, false, seqErr(input, "printf padding %q: want %%0Nd with N from 1 to %d", name[i:j+1], MaxPad)
				}
				pad = n
			}
			return padToken{start: i, end: j + 1, pad: pad, style: PadPrintf}, true, nil
		case c == '$' && i+1 < len(name) && name[i+1] == 'F':
			j := i + 2
			for j < len(name) && name[j] >= '0' && name[j] <= '9' {
				j++
			}
			pad := 1
			if digits := name[i+2 : j]; digits != "" {
				n, err := strconv.Atoi(digits)
				if err != nil || n < 1 || n > MaxPad || digits[0] == '0' {
					return padToken{}, false, seqErr(input, "Houdini padding %q: want $F or $FN with N from 1 to %d", name[i:j], MaxPad)
				}
				pad = n
			}
			return padToken{start: i, end: j, pad: pad, style: PadHoudini}, true, nil
		}
	}
	return padToken{}, false, nil
}

func isRangeChar(c byte) bool {
	return c >= '0' && c <= '9' || c == '-' || c == ',' || c == 'x'
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// rangeBefore finds the explicit frame range ending base: the run of
// range characters before the padding, less its leading "x", "," and a
// minus that follows a letter or digit (a hyphen of the name), when all
// of it parses as a frame range and, if it follows a letter or digit,
// none of its frames is below zero. Else base has no range.
func rangeBefore(base string) (int, []int) {
	start := len(base)
	for start > 0 && isRangeChar(base[start-1]) {
		start--
	}
	for start < len(base) {
		c := base[start]
		if c == 'x' || c == ',' || c == '-' && start > 0 && isAlnum(base[start-1]) {
			start++
			continue
		}
		break
	}
	if start == len(base) {
		return 0, nil
	}
	frames, err := ParseFrameRange(base[start:])
	if err != nil {
		return 0, nil
	}
	// After a letter or digit a range starting below zero would not
	// read back: "a" and -1-0 is written "a-1-0".
	if frames[0] < 0 && start > 0 && isAlnum(base[start-1]) {
		return 0, nil
	}
	return start, frames
}

// ParseFrameRange parses a frame range such as "1-100x2,200", "1-10,20,
// 30-40" or "-5-5" into its frames, sorted and each once. It refuses an
// empty range, a step below 1, frames beyond ±MaxFrame and ranges that
// expand to more than MaxSequenceFrames frames.
func ParseFrameRange(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, seqErr(s, "empty frame range: want chunks like 1-100x2,200")
	}
	type chunk struct{ a, b, step int }
	var chunks []chunk
	total := 0
	for _, part := range strings.Split(s, ",") {
		c := strings.TrimSpace(part)
		a, rest, ok := scanFrame(c)
		if !ok {
			return nil, seqErr(s, "chunk %q: want N, A-B or A-BxS with whole frame numbers up to %d", c, MaxFrame)
		}
		b, step := a, 1
		if rest != "" {
			if rest[0] != '-' {
				return nil, seqErr(s, "chunk %q: want N, A-B or A-BxS", c)
			}
			b, rest, ok = scanFrame(rest[1:])
			if !ok {
				return nil, seqErr(s, "chunk %q: want N, A-B or A-BxS with whole frame numbers up to %d", c, MaxFrame)
			}
			if rest != "" {
				if rest[0] != 'x' || len(rest) == 1 {
					return nil, seqErr(s, "chunk %q: want N, A-B or A-BxS", c)
				}
				n, err := strconv.Atoi(rest[1:])
				if err != nil || n < 1 || n > MaxFrame || rest[1] < '0' || rest[1] > '9' {
					return nil, seqErr(s, "chunk %q: step %q: want a whole number from 1 to %d", c, rest[1:], MaxFrame)
				}
				step = n
			}
		}
		span := b - a
		if span < 0 {
			span = -span
		}
		total += span/step + 1
		if total > MaxSequenceFrames {
			return nil, seqErr(s, "expands to more than %d frames: want a smaller range", MaxSequenceFrames)
		}
		chunks = append(chunks, chunk{a, b, step})
	}
	frames := make([]int, 0, total)
	for _, c := range chunks {
		if c.a <= c.b {
			for f := c.a; f <= c.b; f += c.step {
				frames = append(frames, f)
			}
		} else {
			for f := c.a; f >= c.b; f -= c.step {
				frames = append(frames, f)
			}
		}
	}
	return sortUnique(frames), nil
}

// scanFrame reads an optionally signed frame number at the start of s.
func scanFrame(s string) (int, string, bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	j := i
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	k := i
	for k < j-1 && s[k] == '0' {
		k++
	}
	if j == i || j-k > 9 {
		return 0, s, false
	}
	n, err := strconv.Atoi(s[k:j])
	if err != nil {
		return 0, s, false
	}
	if i == 1 {
		n = -n
	}
	return n, s[j:], true
}

func sortUnique(frames []int) []int {
	sort.Ints(frames)
	out := frames[:0]
	for i, f := range frames {
		if i == 0 || f != frames[i-1] {
			out = append(out, f)
		}
	}
	return out
}

// FormatFrameRange writes sorted, distinct frames in the shortest form
// ParseFrameRange reads back: consecutive runs as "A-B", runs of three or
// more frames a constant step apart as "A-BxS", others one by one, for
// example "1-10,12-20" or "1-99x2". It returns "" for no frames.
func FormatFrameRange(frames []int) string {
	var b strings.Builder
	for i := 0; i < len(frames); {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		j := i
		if i+1 < len(frames) {
			d := frames[i+1] - frames[i]
			for j+1 < len(frames) && frames[j+1]-frames[j] == d {
				j++
			}
			switch n := j - i + 1; {
			case d == 1 && n >= 2:
				fmt.Fprintf(&b, "%d-%d", frames[i], frames[j])
				i = j + 1
				continue
			case d > 1 && n >= 3:
				fmt.Fprintf(&b, "%d-%dx%d", frames[i], frames[j], d)
				i = j + 1
				continue
			}
		}
		b.WriteString(strconv.Itoa(frames[i]))
		i++
	}
	return b.String()
}

// Sequence is an image sequence found on a filesystem: the files
// Dir/Base<frame>Ext for each of Frames.
type Sequence struct {
	Dir   string // "" when the files are in the current directory
	Base  string
	Ext   string
	Pad   int      // digits of padding, at least 1
	Style PadStyle // the pattern's style when found from one, else PadHash
	// Frames are the frames present, sorted, each once.
	Frames []int
}

// Path returns the path of one frame of the sequence, present or not.
func (s *Sequence) Path(frame int) string {
	return joinDir(s.Dir, s.Base+formatFrame(frame, s.Pad)+s.Ext)
}

// Paths returns the path of every frame present, in frame order.
func (s *Sequence) Paths() []string {
	out := make([]string, len(s.Frames))
	for i, f := range s.Frames {
		out[i] = s.Path(f)
	}
	return out
}

// Template returns the sequence as a pattern without a range, in the
// given style, for tools that want one: "dir/name.%04d.exr".
func (s *Sequence) Template(style PadStyle) string {
	return joinDir(s.Dir, s.Base+style.PadToken(s.Pad)+s.Ext)
}

// String returns the canonical form "dir/name.1001-1100#.exr" (with gaps
// "name.1-10,12-20@.exr"), which ParsePattern reads back.
func (s *Sequence) String() string {
	return joinDir(s.Dir, s.Base+s.FrameRange()+PadHash.PadToken(s.Pad)+s.Ext)
}

// FrameRange returns the frames present in FormatFrameRange's form.
func (s *Sequence) FrameRange() string { return FormatFrameRange(s.Frames) }

// First returns the first frame, 0 for an empty sequence.
func (s *Sequence) First() int {
	if len(s.Frames) == 0 {
		return 0
	}
	return s.Frames[0]
}

// Last returns the last frame, 0 for an empty sequence.
func (s *Sequence) Last() int {
	if len(s.Frames) == 0 {
		return 0
	}
	return s.Frames[len(s.Frames)-1]
}

// Len returns the number of frames present.
func (s *Sequence) Len() int { return len(s.Frames) }

// Gaps returns the frames missing between First and Last, sorted; at most
// MaxSequenceFrames of them (the first ones), so a sequence of frames 1
// and 999999999 cannot exhaust memory. Missing says the same as a range.
func (s *Sequence) Gaps() []int {
	var out []int
	for i := 1; i < len(s.Frames); i++ {
		for f := s.Frames[i-1] + 1; f < s.Frames[i]; f++ {
			if len(out) == MaxSequenceFrames {
				return out
			}
			out = append(out, f)
		}
	}
	return out
}

// Missing returns the frames missing between First and Last as a frame
// range ("11,21-29"), "" when there are none. Unlike Gaps it is never
// truncated.
func (s *Sequence) Missing() string {
	var b strings.Builder
	for i := 1; i < len(s.Frames); i++ {
		a, z := s.Frames[i-1]+1, s.Frames[i]-1
		if a > z {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		if a == z {
			b.WriteString(strconv.Itoa(a))
		} else {
			fmt.Fprintf(&b, "%d-%d", a, z)
		}
	}
	return b.String()
}

// FindSequence finds one image sequence on fsys. spec is one of:
//
//   - a directory holding exactly one sequence (else an error listing the
//     sequences in it); files that are not frames are left out;
//   - one frame file: the sequence is it and its siblings of the same base
//     and extension;
//   - a pattern (see ParsePattern): the frames in its directory that fit
//     its padding; with an explicit range ("name.1001-1100#.exr") every
//     frame of the range must be there, and frames outside it are left out.
//
// Hidden files (".name"), a store's temporary files (TempInfix) and claim
// files (ClaimSuffix), and directories are never frames. Two files of the same frame ("name.0001.exr" and
// "name.001.exr") and frames whose padding differs ("name.1.exr" beside
// "name.0002.exr") are refused with an error naming the files. A spec
// that names nothing returns an error matching fs.ErrNotExist.
func FindSequence(fsys afero.Fs, spec string) (*Sequence, error) {
	if fsys == nil {
		return nil, seqErr(spec, "nil filesystem: want an afero.Fs")
	}
	if err := checkSpec(spec); err != nil {
		return nil, err
	}
	fi, statErr := fsys.Stat(spec)
	switch {
	case statErr == nil && fi.IsDir():
		return findInDir(fsys, spec)
	case statErr == nil:
		return findSiblings(fsys, spec)
	}
	p, err := ParsePattern(spec)
	if err != nil {
		if errors.Is(statErr, fs.ErrNotExist) {
			return nil, &SequenceError{Input: spec, Problem: "no such file or directory, and not a pattern", Err: statErr}
		}
		return nil, &SequenceError{Input: spec, Problem: "cannot stat", Err: statErr}
	}
	return findPattern(fsys, spec, p)
}

func checkSpec(s string) error {
	switch {
	case s == "":
		return seqErr(s, "empty: want a pattern, a directory or a frame file")
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return seqErr(s, "holds a control character (NUL, newline...): want a plain path")
	case hasDotDot(s):
		return seqErr(s, "holds a \"..\" element: want a path without one")
	}
	return nil
}

func joinDir(dir, name string) string {
	if dir == "" {
		return name
	}
	return filepath.Join(dir, name)
}

// formatFrame writes frame with pad digits, the minus outside them.
func formatFrame(frame, pad int) string {
	if frame < 0 {
		return "-" + fmt.Sprintf("%0*d", pad, -frame)
	}
	return fmt.Sprintf("%0*d", pad, frame)
}

// frameFile is a file name split around its frame number.
type frameFile struct {
	name, base, ext, digits string
	frame                   int
}

// splitFrame splits a file name around its frame number; ok is false when
// the name has none.
func splitFrame(name string) (frameFile, bool) {
	// The extension is from the last "."; a name ending in ".<digits>"
	// has none and ends with its frame.
	stem, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 && !allDigits(name[i+1:]) {
		stem, ext = name[:i], name[i:]
	}
	j := len(stem)
	for j > 0 && stem[j-1] >= '0' && stem[j-1] <= '9' {
		j--
	}
	if j == len(stem) {
		return frameFile{}, false
	}
	digits := stem[j:]
	neg := j > 0 && stem[j-1] == '-' && (j == 1 || !isAlnum(stem[j-2]))
	base := stem[:j]
	if neg {
		base = stem[:j-1]
	}
	trimmed := strings.TrimLeft(digits, "0")
	if len(trimmed) > 9 || len(digits) > MaxPad {
		// Too big: kept so that its sequence is refused, naming it.
		return frameFile{name: name, base: base, ext: ext, digits: digits, frame: MaxFrame + 1}, true
	}
	n := 0
	if trimmed != "" {
		n, _ = strconv.Atoi(trimmed)
	}
	if neg {
		n = -n
	}
	return frameFile{name: name, base: base, ext: ext, digits: digits, frame: n}, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func checkFrame(input string, f frameFile) error {
	if f.frame > MaxFrame {
		return seqErr(input, "file %s: frame number %s: want at most %d and %d digits", strconv.Quote(f.name), f.digits, MaxFrame, MaxPad)
	}
	return nil
}

// fits reports whether digits fit a padding of pad digits.
func fits(digits string, pad int) bool {
	return len(digits) == pad || len(digits) > pad && digits[0] != '0'
}

func padded(digits string) bool { return len(digits) > 1 && digits[0] == '0' }

// frameFiles lists the candidate frame files of dir.
func frameFiles(fsys afero.Fs, input, dir string) ([]frameFile, error) {
	d := dir
	if d == "" {
		d = "."
	}
	entries, err := afero.ReadDir(fsys, d)
	if err != nil {
		return nil, &SequenceError{Input: input, Problem: "cannot list directory " + strconv.Quote(d), Err: err}
	}
	var out []frameFile
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || strings.Contains(n, TempInfix) || strings.HasSuffix(n, ClaimSuffix) {
			continue
		}
		if f, ok := splitFrame(n); ok {
			out = append(out, f)
		}
	}
	return out, nil
}

// build makes a sequence of one group of frame files (same base and
// extension), inferring the padding.
func build(input, dir string, group []frameFile) (*Sequence, error) {
	if len(group) > MaxSequenceFrames {
		return nil, seqErr(input, "%d frames: want at most %d", len(group), MaxSequenceFrames)
	}
	for _, f := range group {
		if err := checkFrame(input, f); err != nil {
			return nil, err
		}
	}
	sort.Slice(group, func(i, j int) bool {
		if group[i].frame != group[j].frame {
			return group[i].frame < group[j].frame
		}
		return group[i].name < group[j].name
	})
	for i := 1; i < len(group); i++ {
		if group[i].frame == group[i-1].frame {
			return nil, seqErr(input, "files %s and %s are both frame %d: want one file a frame",
				strconv.Quote(group[i-1].name), strconv.Quote(group[i].name), group[i].frame)
		}
	}
	// The padding is the width of the zero-padded numbers, else the
	// narrowest number.
	pad, padFile := 0, frameFile{}
	for _, f := range group {
		if padded(f.digits) {
			pad, padFile = len(f.digits), f
			break
		}
	}
	if pad == 0 {
		for _, f := range group {
			if pad == 0 || len(f.digits) < pad {
				pad = len(f.digits)
			}
		}
	}
	var bad []string
	for _, f := range group {
		if !fits(f.digits, pad) {
			bad = append(bad, f.name)
		}
	}
	if bad != nil {
		return nil, seqErr(input, "padding differs: %s padded to %d digits but not %s: want every frame with the same padding",
			strconv.Quote(padFile.name), pad, quoteList(bad))
	}
	s := &Sequence{Dir: dir, Base: group[0].base, Ext: group[0].ext, Pad: pad, Style: PadHash}
	s.Frames = make([]int, len(group))
	for i, f := range group {
		s.Frames[i] = f.frame
	}
	return s, nil
}

func cleanDir(dir string) string {
	if dir == "" {
		return ""
	}
	return filepath.Clean(dir)
}

func findInDir(fsys afero.Fs, dir string) (*Sequence, error) {
	all, err := frameFiles(fsys, dir, dir)
	if err != nil {
		return nil, err
	}
	groups := map[[2]string][]frameFile{}
	var keys [][2]string
	for _, f := range all {
		k := [2]string{f.base, f.ext}
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], f)
	}
	switch len(keys) {
	case 0:
		return nil, &SequenceError{Input: dir, Problem: "no image sequence in the directory", Err: fs.ErrNotExist}
	case 1:
		return build(dir, cleanDir(dir), groups[keys[0]])
	}
	var names []string
	for _, k := range keys {
		s, err := build(dir, "", groups[k])
		if err != nil {
			names = append(names, k[0]+"<frame>"+k[1])
			continue
		}
		names = append(names, s.String())
	}
	sort.Strings(names)
	return nil, seqErr(dir, "%d image sequences in the directory: %s: want exactly one, or name one by pattern or frame file",
		len(names), strings.Join(names, ", "))
}

func findSiblings(fsys afero.Fs, file string) (*Sequence, error) {
	dir, name := filepath.Split(file)
	me, ok := splitFrame(name)
	if !ok || strings.HasPrefix(name, ".") {
		return nil, seqErr(file, "no frame number in the file name: want a frame file like name.1001.exr")
	}
	all, err := frameFiles(fsys, file, dir)
	if err != nil {
		return nil, err
	}
	var group []frameFile
	for _, f := range all {
		if f.base == me.base && f.ext == me.ext {
			group = append(group, f)
		}
	}
	return build(file, cleanDir(dir), group)
}

func findPattern(fsys afero.Fs, spec string, p Pattern) (*Sequence, error) {
	all, err := frameFiles(fsys, spec, p.Dir)
	if err != nil {
		return nil, err
	}
	var want map[int]bool
	if p.Frames != nil {
		want = make(map[int]bool, len(p.Frames))
		for _, f := range p.Frames {
			want[f] = true
		}
	}
	s := &Sequence{Dir: cleanDir(p.Dir), Base: p.Base, Ext: p.Ext, Pad: p.Pad, Style: p.Style}
	var bad []string
	for _, f := range all {
		if f.base != p.Base || f.ext != p.Ext {
			continue
		}
		if err := checkFrame(spec, f); err != nil {
			return nil, err
		}
		if !fits(f.digits, p.Pad) {
			bad = append(bad, f.name)
			continue
		}
		if want == nil || want[f.frame] {
			s.Frames = append(s.Frames, f.frame)
		}
	}
	if bad != nil {
		sort.Strings(bad)
		return nil, seqErr(spec, "padding differs: %s not %d digits: want every frame with the pattern's padding", quoteList(bad), p.Pad)
	}
	sort.Ints(s.Frames)
	if len(s.Frames) == 0 {
		return nil, &SequenceError{Input: spec, Problem: "no frame matches the pattern", Err: fs.ErrNotExist}
	}
	if p.Frames != nil && len(s.Frames) != len(p.Frames) {
		missing := missingFrom(p.Frames, s.Frames)
		return nil, &SequenceError{Input: spec, Problem: fmt.Sprintf("frames %s of the range are missing: want every frame of %s",
			FormatFrameRange(missing), FormatFrameRange(p.Frames)), Err: fs.ErrNotExist}
	}
	return s, nil
}

// quoteList quotes names, sorted, the first ten of them.
func quoteList(names []string) string {
	sort.Strings(names)
	var b strings.Builder
	for i, n := range names {
		if i == 10 {
			fmt.Fprintf(&b, " and %d more", len(names)-10)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(n))
	}
	return b.String()
}

// missingFrom returns the frames of want (sorted) absent from have (sorted).
func missingFrom(want, have []int) []int {
	var out []int
	j := 0
	for _, f := range want {
		for j < len(have) && have[j] < f {
			j++
		}
		if j < len(have) && have[j] == f {
			continue
		}
		out = append(out, f)
	}
	return out
}
