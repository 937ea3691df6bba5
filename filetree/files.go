package filetree

import (
	"fmt"
	"io"
	"os"
)

// readFileLimited reads a tree or roots file: a regular file of
// MaxFileSize bytes at most. A FIFO, a device (/dev/zero) or a folder is
// refused before it is read, so that it can neither hang nor fill the
// memory.
func readFileLimited(path, what string) ([]byte, error) {
	fail := func(problem string) error {
		return &TreeError{Where: path, Problem: problem}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("filetree: %s: %w", what, err)
	}
	if err := checkRegular(st, what); err != "" {
		return nil, fail(err)
	}
	// Opened without blocking, should the file become a FIFO between
	// the check and the open; checked again once open.
	f, err := os.OpenFile(path, os.O_RDONLY|oNonblock, 0)
	if err != nil {
		return nil, fmt.Errorf("filetree: %s: %w", what, err)
	}
	defer f.Close()
	st2, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("filetree: %s: %w", what, err)
	}
	if err := checkRegular(st2, what); err != "" {
		return nil, fail(err)
	}
	if !os.SameFile(st, st2) {
		return nil, fail("the file changed while it was opened")
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("filetree: %s: %w", what, err)
	}
	if len(data) > MaxFileSize {
		return nil, fail(fmt.Sprintf("more than %d bytes: want a %s file of %d at most", MaxFileSize, what, MaxFileSize))
	}
	return data, nil
}

func checkRegular(st os.FileInfo, what string) string {
	switch mode := st.Mode(); {
	case mode.IsDir():
		return fmt.Sprintf("a folder: want a %s file (JSON)", what)
	case !mode.IsRegular():
		return fmt.Sprintf("%s, not a regular file: want a %s file (JSON); FIFOs, devices and sockets are not read", fileKind(mode), what)
	case st.Size() > MaxFileSize:
		return fmt.Sprintf("%d bytes: want a %s file of %d at most", st.Size(), what, MaxFileSize)
	}
	return ""
}

func fileKind(mode os.FileMode) string {
	switch {
	case mode&os.ModeNamedPipe != 0:
		return "a FIFO"
	case mode&os.ModeCharDevice != 0:
		return "a character device"
	case mode&os.ModeDevice != 0:
		return "a device"
	case mode&os.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}
