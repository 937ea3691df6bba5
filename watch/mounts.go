package watch

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
)

// networkFS are the file-system types (as /proc/self/mountinfo names
// them) whose writes made by other hosts the kernel does not report, so
// roots on them are polled by default.
var networkFS = map[string]bool{
	"nfs": true, "nfs4": true, "cifs": true, "smb3": true, "smbfs": true, "smb2": true,
	"afs": true, "9p": true, "ceph": true, "glusterfs": true, "lustre": true, "gpfs": true,
	"davfs": true, "ncpfs": true, "coda": true, "beegfs": true, "ocfs2": true, "gfs2": true,
	"fuse.sshfs": true, "fuse.rclone": true, "fuse.s3fs": true, "fuse.glusterfs": true,
	"fuse.cephfs": true, "fuse.ceph-fuse": true, "fuse.davfs": true, "fuse.gcsfuse": true,
	"fuse.juicefs": true, "fuse.smbnetfs": true, "fuse.goofys": true, "fuse.mfs": true,
}

// mount is one line of a mount table.
type mount struct {
	point  string
	fstype string
}

// parseMountInfo reads /proc/self/mountinfo's format: "36 35 98:0 /mnt1
// /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue", the
// mount point fifth and the type after the " - " separator, with spaces
// and such written as octal escapes ("\040").
func parseMountInfo(r io.Reader) ([]mount, error) {
	var out []mount
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, f := range fields {
			if f == "-" && i >= 6 {
				sep = i
				break
			}
		}
		if len(fields) < 5 || sep < 0 || sep+1 >= len(fields) {
			continue
		}
		out = append(out, mount{point: unescapeMount(fields[4]), fstype: fields[sep+1]})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("watch: reading the mount table: %w", err)
	}
	return out, nil
}

// unescapeMount undoes the kernel's octal escapes of " ", "\t", "\n"
// and "\\" in mount points.
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// fsTypeOf returns the type of the file system holding path (absolute,
// symlinks resolved): that of the longest mount point above it.
func fsTypeOf(mounts []mount, path string) string {
	best, typ := -1, ""
	for _, m := range mounts {
		p := filepath.Clean(m.point)
		if path == p || p == "/" || strings.HasPrefix(path, p+"/") {
			// Later lines win at equal length: they are mounted over.
			if len(p) >= best {
				best, typ = len(p), m.fstype
			}
		}
	}
	return typ
}

// isNetworkFS reports whether the file-system type is a network one.
func isNetworkFS(fstype string) bool { return networkFS[fstype] }

// ErrWatchLimit matches the error of a root holding more folders than
// the kernel lets one user watch.
var ErrWatchLimit = errors.New("watch: too many folders for the inotify watch limit")

// watchLimitError says how to raise the limit, or to poll instead.
func watchLimitError(dirs, limit int) error {
	want := 8192
	for want < 2*dirs {
		want *= 2
	}
	return fmt.Errorf("%w: the watched roots hold %d folders or more but fs.inotify.max_user_watches is %d (shared by all of this user's programs): "+
		"raise it with \"sudo sysctl fs.inotify.max_user_watches=%d\" and keep it with the line \"fs.inotify.max_user_watches=%d\" in /etc/sysctl.d/90-kpublish.conf, "+
		"or poll these roots instead (Options.Poll)", ErrWatchLimit, dirs, limit, want, want)
}

// readLimit reads one integer from a /proc/sys file's text.
func readLimit(text string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("watch: inotify limit %q: want a whole number", strings.TrimSpace(text))
	}
	return n, nil
}
