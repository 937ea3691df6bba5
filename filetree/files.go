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
		return fmt.Sprintf("not a regular file (%s): want a %s file (JSON); FIFOs and devices are not read", mode.Type(), what)
	case st.Size() > MaxFileSize:
		return fmt.Sprintf("%d bytes: want a %s file of %d at most", st.Size(), what, MaxFileSize)
	}
	return ""
}
