package filetree

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// Limits of the paths filetree writes, by platform. A name is one folder
// or file name; a path counts every byte (on Windows every UTF-16 unit)
// from the root to the end of the file name, without the extension
// Render leaves out.
const (
	// MaxName is the longest name on every platform: 255 bytes (NAME_MAX
	// of Linux and macOS; Windows allows 255 UTF-16 units, which filetree
	// counts as such).
	MaxName = 255
	// MaxPathLinux is the longest Linux path: PATH_MAX, 4,096, counts
	// the final NUL.
	MaxPathLinux = 4095
	// MaxPathDarwin is the longest macOS path: its PATH_MAX, 1,024,
	// counts the final NUL.
	MaxPathDarwin = 1023
	// MaxPathWindows is the longest Windows path without the \\?\
	// long-path prefix: MAX_PATH, 260, counts the final NUL.
	MaxPathWindows = 259
	// MaxPathWindowsLong is the longest Windows path whose root starts
	// with \\?\.
	MaxPathWindowsLong = 32767
)

// ErrPath matches every error about a path a platform cannot hold: a
// reserved or malformed name, a name or path too long, a root that is
// not absolute.
var ErrPath = errors.New("filetree: unusable path")

// PathError says why a path cannot be used on a platform, and which
// name of it is at fault.
type PathError struct {
	OS      string // linux, darwin or windows
	Path    string
	Name    string // the folder or file name at fault, if one is
	Problem string

	at int // where Name starts in Path
}

func (e *PathError) Error() string {
	if e == nil {
		return ErrPath.Error()
	}
	s := fmt.Sprintf("filetree: %s path %s", e.OS, quotePath(truncateForError(e.Path)))
	if e.Name != "" {
		s += ": name " + quotePath(truncateForError(e.Name))
	}
	return s + ": " + e.Problem
}

// Is makes every PathError match ErrPath.
func (e *PathError) Is(target error) bool { return target == ErrPath }

// CheckPath reports whether path is an absolute path goos (linux, darwin
// or windows) can create: its root absolute for that platform, no empty,
// "." or ".." name, no control character, names of MaxName bytes at
// most and the path within the platform's limit; on Windows also no
// reserved device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with or
// without an extension, in any case), none of < > : " | ? * and no name
// ending with a dot or a space. Both / and \ separate names. The error
// is a *PathError.
func CheckPath(goos, path string) error {
	if err := checkGOOS(goos); err != nil {
		return err
	}
	fail := func(name, problem string) error {
		return &PathError{OS: goos, Path: path, Name: name, Problem: problem, at: -1}
	}
	prefix, long, ok := rootPrefix(goos, path)
	if !ok {
		return fail("", absoluteWant(goos))
	}
	// The server and share of a UNC root are names too.
	for _, n := range shareNames(prefix) {
		if p := nameProblem(goos, n); p != "" {
			return fail(n, p)
		}
	}
	return checkUnder(goos, path, len(prefix), long)
}

// checkUnder checks the names of path after its root (the first
// rootLen bytes) and its length, for goos.
func checkUnder(goos, path string, rootLen int, long bool) error {
	if n, p, at := firstBadName(goos, path[rootLen:]); p != "" {
		return &PathError{OS: goos, Path: path, Name: n, Problem: p, at: rootLen + at}
	}
	if limit, size := pathLimit(goos, long), pathSize(goos, path); size > limit {
		return &PathError{OS: goos, Path: path, Problem: fmt.Sprintf("%d %s long: want %d at most%s", size, sizeUnit(goos), limit, longNote(goos, long)), at: -1}
	}
	return nil
}

func absoluteWant(goos string) string {
	if goos == Windows {
		return `not absolute: want a drive (P:\...), a share (\\server\share\...) or a \\?\ path`
	}
	return "not absolute: want a path from / (~ and relative paths are not expanded)"
}

func longNote(goos string, long bool) string {
	if goos == Windows && !long {
		return ` (a root starting with \\?\ allows 32,767)`
	}
	return ""
}

func sizeUnit(goos string) string {
	if goos == Windows {
		return "UTF-16 units"
	}
	return "bytes"
}

func pathLimit(goos string, long bool) int {
	switch {
	case goos == Darwin:
		return MaxPathDarwin
	case goos == Windows && long:
		return MaxPathWindowsLong
	case goos == Windows:
		return MaxPathWindows
	}
	return MaxPathLinux
}

// pathSize is the length of s as goos counts it.
func pathSize(goos, s string) int {
	if goos != Windows {
		return len(s)
	}
	n := 0
	for _, r := range s {
		n += max(utf16.RuneLen(r), 1)
	}
	return n
}

// shareNames returns the server and share of a UNC root prefix.
func shareNames(prefix string) []string {
	switch {
	case strings.HasPrefix(strings.ToUpper(prefix), `\\?\UNC\`):
		prefix = prefix[8:]
	case strings.HasPrefix(prefix, `\\?\`):
		return nil
	case len(prefix) >= 2 && isSep(prefix[0]) && isSep(prefix[1]):
		prefix = prefix[2:]
	default:
		return nil
	}
	return strings.FieldsFunc(prefix, func(r rune) bool { return r == '/' || r == '\\' })
}

// rootPrefix returns the root of an absolute path (/, a drive with its
// separator, a share \\server\share with its separator, or a \\?\
// prefix and what it holds), whether it is a Windows long path, and
// whether path is absolute for goos.
func rootPrefix(goos, path string) (prefix string, long, ok bool) {
	if goos != Windows {
		if strings.HasPrefix(path, "/") {
			return "/", false, true
		}
		return "", false, false
	}
	if strings.HasPrefix(path, `\\?\`) {
		inner := path[4:]
		if strings.HasPrefix(strings.ToUpper(inner), `UNC\`) {
			p, ok := sharePrefix(inner[4:])
			return path[:8] + p, true, ok
		}
		if d, ok := drivePrefix(inner); ok && len(d) == 3 {
			return path[:4] + d, true, true
		}
		return "", true, false
	}
	if d, ok := drivePrefix(path); ok {
		return d, false, true
	}
	if len(path) >= 2 && isSep(path[0]) && isSep(path[1]) {
		p, ok := sharePrefix(path[2:])
		return path[:2] + p, false, ok
	}
	return "", false, false
}

// drivePrefix returns a drive and its separator (P:\), or the drive
// alone when nothing follows (P:).
func drivePrefix(p string) (string, bool) {
	if len(p) < 2 || p[1] != ':' || !(p[0]|0x20 >= 'a' && p[0]|0x20 <= 'z') {
		return "", false
	}
	if len(p) == 2 {
		return p, true
	}
	if isSep(p[2]) {
		return p[:3], true
	}
	return "", false
}

// sharePrefix returns server\share\ from what follows \\.
func sharePrefix(p string) (string, bool) {
	i := strings.IndexAny(p, `\/`)
	if i <= 0 {
		return "", false
	}
	j := i + 1
	for j < len(p) && !isSep(p[j]) {
		j++
	}
	if j == i+1 {
		return "", false
	}
	if j < len(p) {
		j++
	}
	return p[:j], true
}

func isSep(c byte) bool { return c == '/' || c == '\\' }

// nameProblem says what makes one folder or file name unusable on goos,
// or "".
func nameProblem(goos, n string) string {
	if goos != Windows && len(n) <= MaxName && n != "." && n != ".." && plainASCII(n) {
		return ""
	}
	switch {
	case n == "." || n == "..":
		return "a . or .. name would leave the folder it is in"
	case !utf8.ValidString(n):
		return "not valid UTF-8"
	}
	for _, r := range n {
		if r == 0 || unicode.IsControl(r) {
			return fmt.Sprintf("control character %U: want printable text", r)
		}
	}
	if size := pathSize(goos, n); size > MaxName {
		return fmt.Sprintf("%d %s long: want %d at most", size, sizeUnit(goos), MaxName)
	}
	if goos != Windows {
		return ""
	}
	if i := strings.IndexAny(n, `<>:"|?*`); i >= 0 {
		return fmt.Sprintf("%q is not allowed in a Windows name (none of < > : \" | ? *)", n[i])
	}
	if last := n[len(n)-1]; last == '.' || last == ' ' {
		return "Windows drops a dot or a space that ends a name: want none"
	}
	if reservedWindowsName(n) {
		return "a reserved Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9), with or without an extension"
	}
	return ""
}

// plainASCII reports whether n is printable ASCII only.
func plainASCII(n string) bool {
	for i := 0; i < len(n); i++ {
		if c := n[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// reservedWindowsName reports whether Windows reads n as a device: its
// part before the first dot, spaces trimmed, in any case.
func reservedWindowsName(n string) bool {
	base, _, _ := strings.Cut(n, ".")
	base = strings.ToUpper(strings.TrimRight(base, " "))
	switch base {
	case "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$":
		return true
	}
	if len(base) >= 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) {
		switch base[3:] {
		case "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³":
			return true
		}
	}
	return false
}

// checkSep refuses a separator other than / and \.
func checkSep(sep string) error {
	switch sep {
	case "", "/", `\`:
		return nil
	}
	return fmt.Errorf(`separator %q: want / or \`, sep)
}

// checkMountpoint says what is wrong with a mode's mountpoint, or "": it
// must be an absolute folder of some platform (/prod, P:, P:\prod,
// \\server\share), with no empty, . or .. name and no separator at the
// end (Render adds one).
func checkMountpoint(mp string) string {
	if strings.TrimSpace(mp) == "" {
		return "empty: want the folder every path of this mode starts with, such as /prod"
	}
	if bad := badPathText(mp); bad != "" {
		return bad
	}
	goos := Linux
	if windowsMountpoint(mp) {
		goos = Windows
	}
	prefix, _, ok := rootPrefix(goos, mp)
	if !ok {
		return fmt.Sprintf(`%q is not absolute: want /prod, P:, P:\prod or \\server\share (~ and relative folders are not expanded)`, mp)
	}
	if isSep(mp[len(mp)-1]) {
		return fmt.Sprintf(`%q ends with a separator: Render adds one, write /prod, P: or \\server\share`, mp)
	}
	for _, n := range shareNames(prefix) {
		if p := nameProblem(goos, n); p != "" {
			return fmt.Sprintf("%q: name %q: %s", mp, n, p)
		}
	}
	if n, p, _ := firstBadName(goos, mp[len(prefix):]); p != "" {
		return fmt.Sprintf("%q: %s", mp, describeName(n, p))
	}
	return ""
}

// checkRootFolder says what is wrong with a mode's root, or "": a folder
// under the mountpoint, maybe empty, with no empty, . or .. name and no
// separator at either end. windows applies Windows' rules for names.
func checkRootFolder(root string, windows bool) string {
	if root == "" {
		return ""
	}
	if bad := badPathText(root); bad != "" {
		return bad
	}
	if isSep(root[0]) || isSep(root[len(root)-1]) {
		return fmt.Sprintf("%q starts or ends with a separator: want a folder under the mountpoint, such as work or productions/work", root)
	}
	goos := Linux
	if windows {
		goos = Windows
	}
	if n, p, _ := firstBadName(goos, root); p != "" {
		return fmt.Sprintf("%q: %s", root, describeName(n, p))
	}
	return ""
}

// firstBadName returns the first unusable name of a relative path, an
// empty one included, what is wrong with it and where it starts; problem
// is "" when every name is usable.
func firstBadName(goos, rel string) (name, problem string, at int) {
	if rel == "" {
		return "", "", 0
	}
	start := 0
	for i := 0; i <= len(rel); i++ {
		if i < len(rel) && !isSep(rel[i]) {
			continue
		}
		n, at := rel[start:i], start
		start = i + 1
		if n == "" {
			return "", "an empty name (a doubled or trailing separator)", at
		}
		if p := nameProblem(goos, n); p != "" {
			return n, p, at
		}
	}
	return "", "", 0
}

func describeName(n, problem string) string {
	if n == "" {
		return problem
	}
	return fmt.Sprintf("name %q: %s", truncateForError(n), problem)
}

// windowsMountpoint reports whether a mountpoint is a Windows drive or
// share, whose paths follow Windows' rules.
func windowsMountpoint(mp string) bool {
	if strings.HasPrefix(mp, "//") {
		return true
	}
	_, _, ok := rootPrefix(Windows, mp)
	return ok && !strings.HasPrefix(mp, "/")
}

// checkPath checks a rendered path against the rules of goos (see
// RenderOptions.OS), naming the template whose name is at fault.
func (r *renderer) checkPath(p Path, m *Mode, goos string, folderTpl, fileTpl *Template) error {
	long := strings.HasPrefix(m.Mountpoint, `\\?\`)
	if goos == "" {
		goos = Linux
		if windowsMountpoint(m.Mountpoint) {
			// Windows' names, but not MAX_PATH, which Windows lifts when
			// long paths are enabled: ask for windows to have it.
			goos, long = Windows, true
		}
	}
	if err := checkGOOS(goos); err != nil {
		return &RenderError{Mode: r.mode, Kind: r.ctx.Kind, Problem: "RenderOptions.OS: " + strings.TrimPrefix(err.Error(), "filetree: ")}
	}
	// The mountpoint was checked in its own platform's form; the names
	// after it follow goos's rules.
	rootLen := len(m.Mountpoint) + len(p.Sep)
	fail := func(name, problem string) error {
		if name != "" {
			problem = fmt.Sprintf("%s name %s: %s", goos, quotePath(truncateForError(name)), problem)
		} else {
			problem = fmt.Sprintf("%s path %s: %s", goos, quotePath(truncateForError(p.Full())), problem)
		}
		return r.fail(folderTpl, "folder_path", "", problem)
	}
	if rootLen <= len(p.Folder) {
		if n, problem, _ := firstBadName(goos, p.Folder[rootLen:]); problem != "" {
			return fail(n, problem)
		}
	}
	if problem := nameProblem(goos, p.FileName); problem != "" {
		problem = fmt.Sprintf("%s name %s: %s", goos, quotePath(truncateForError(p.FileName)), problem)
		return r.fail(fileTpl, "file_name", "", problem)
	}
	if limit, size := pathLimit(goos, long), pathSize(goos, p.Folder)+len(p.Sep)+pathSize(goos, p.FileName); size > limit {
		return fail("", fmt.Sprintf("%d %s long: want %d at most%s", size, sizeUnit(goos), limit, longNote(goos, long)))
	}
	return nil
}

// quotePath quotes a path for an error: as it is between double quotes
// when it is printable (Windows paths keep single backslashes), Go-quoted
// otherwise.
func quotePath(s string) string {
	for _, r := range s {
		if r == '"' || r == utf8.RuneError || !unicode.IsPrint(r) {
			return strconv.Quote(s)
		}
	}
	return `"` + s + `"`
}
