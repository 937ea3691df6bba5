package publish

import (
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Sentinels every error of the package matches with errors.Is.
var (
	// ErrClaimed matches a claim refused because another publisher holds
	// the target; the error is a *ClaimedError naming the holder.
	ErrClaimed = errors.New("publish: target is claimed")
	// ErrExists matches a target that already exists: a published file is
	// never claimed again nor replaced.
	ErrExists = errors.New("publish: target already exists")
	// ErrUnsafePath matches a path refused before anything was written
	// (outside the store's root, "..", a control character, a symbolic
	// link leading out of the root, a name the target OS cannot hold); the
	// error is a *PathError.
	ErrUnsafePath = errors.New("publish: unsafe path")
	// ErrLimit matches a value that does not fit Zou's columns; the error
	// is a *LimitError.
	ErrLimit = errors.New("publish: value exceeds Zou's limit")
	// ErrVerify matches a copy whose size or re-read hash did not match
	// what was copied; nothing was published.
	ErrVerify = errors.New("publish: copy verification failed")
	// ErrClaimLost matches a Release whose claim file is gone or holds
	// another claimer's token (it was released as stale and claimed
	// again); the file, if any, is left alone.
	ErrClaimLost = errors.New("publish: claim no longer held")
)

// PathError says why a path was refused.
type PathError struct {
	Path    string
	Root    string // the store's root
	Problem string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("publish: path %s: %s (root %s)", strconv.Quote(e.Path), e.Problem, strconv.Quote(e.Root))
}

// Is makes every PathError match ErrUnsafePath.
func (e *PathError) Is(target error) bool { return target == ErrUnsafePath }

// ClaimedError is a claim refused because the claim file exists. Holder
// is what the file says (its zero value if the file could not be read,
// for example while its holder is still writing it); ReadErr says why it
// could not.
type ClaimedError struct {
	Target  string
	Claim   string // the claim file
	Holder  ClaimInfo
	ReadErr error
}

func (e *ClaimedError) Error() string {
	s := fmt.Sprintf("publish: %s is claimed (claim file %s)", strconv.Quote(e.Target), strconv.Quote(e.Claim))
	if e.ReadErr != nil {
		return s + ": holder unknown: " + e.ReadErr.Error()
	}
	h := e.Holder
	return s + fmt.Sprintf(": held by %s pid %d on %s since %s, revision %d",
		strconv.Quote(h.User), h.PID, strconv.Quote(h.Host), h.Time.UTC().Format(time.RFC3339), h.Revision)
}

// Is makes every ClaimedError match ErrClaimed.
func (e *ClaimedError) Is(target error) bool { return target == ErrClaimed }

// ExistsError is a target that exists already.
type ExistsError struct {
	Path string
	Op   string // "claim" or "copy"
}

func (e *ExistsError) Error() string {
	return fmt.Sprintf("publish: %s %s: the file exists already; a published file is never replaced: want a new revision", e.Op, strconv.Quote(e.Path))
}

// Is makes every ExistsError match ErrExists.
func (e *ExistsError) Is(target error) bool { return target == ErrExists }
