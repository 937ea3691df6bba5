package publish

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/spf13/afero"
)

// ClaimInfo is what a claim file says of its holder.
type ClaimInfo struct {
	Target   string    `json:"target"`   // the file claimed
	Revision int       `json:"revision"` // 0 when claimed without one
	Host     string    `json:"host"`
	PID      int       `json:"pid"`
	User     string    `json:"user"`
	Time     time.Time `json:"time"` // when the claim was made
	// Data is what the claimer wrote down with the claim (ClaimOptions),
	// such as the task and software a working file is for.
	Data map[string]string `json:"data,omitempty"`
}

// ClaimOptions are the optional parts of a claim; the zero value claims
// for this process, with no data.
type ClaimOptions struct {
	// PID is the process the claim is held for, when not this one: a
	// command that claims for its caller (kpublish called by a DCC's save
	// hook) names its parent, so that the claim is judged stale only once
	// the caller is gone.
	PID int
	// Data is kept in the claim file and read back with ReadClaim.
	Data map[string]string
}

// claimFile is a claim file's JSON: ClaimInfo, a format version and the
// random token that proves who made it.
type claimFile struct {
	Version int `json:"version"`
	ClaimInfo
	Token string `json:"token"`
}

// maxClaimFile caps what is read of a claim file.
const maxClaimFile = 64 << 10

// Claim is a held claim on a target: until it is released, no other
// Claim of the same target succeeds, in this process or any other.
type Claim struct {
	ClaimInfo
	Path string // the claim file

	token string
	s     *Store
}

// String describes the claim without its token.
func (c *Claim) String() string {
	return fmt.Sprintf("claim of %q (revision %d) by %s pid %d on %s, file %q", c.Target, c.Revision, c.User, c.PID, c.Host, c.Path)
}

// GoString is String, so %#v does not print the token either.
func (c *Claim) GoString() string { return c.String() }

// Claim claims target for this process: it creates target's claim file
// (ClaimPath) exclusively, with O_CREAT|O_EXCL, which holds across hosts
// on local disks, NFSv3 and later, and SMB. It creates target's missing
// folders.
//
// A target that exists is refused with ErrExists (a published file is
// never claimed); a target already claimed with a *ClaimedError
// (ErrClaimed) naming the holder.
func (s *Store) Claim(target string) (*Claim, error) {
	return s.claim(target, 0, nil)
}

// ClaimWith is Claim of target for revision rev (0 for none), with the
// holder and data of opts.
func (s *Store) ClaimWith(target string, rev int, opts *ClaimOptions) (*Claim, error) {
	if rev < 0 {
		return nil, fmt.Errorf("publish: claim %q: revision %d: want 0 or more", target, rev)
	}
	return s.claim(target, rev, opts)
}

func (s *Store) claim(target string, rev int, opts *ClaimOptions) (*Claim, error) {
	abs, err := s.target(target, false)
	if err != nil {
		return nil, err
	}
	if IsClaimFile(abs) || IsTempFile(abs) {
		return nil, &PathError{Path: target, Root: s.root, Problem: "is a claim or temporary file's name"}
	}
	if err := s.mkParent(target, abs); err != nil {
		return nil, err
	}
	if ok, err := s.exists(abs); err != nil {
		return nil, fmt.Errorf("publish: claim %q: %w", target, err)
	} else if ok {
		return nil, &ExistsError{Path: abs, Op: "claim"}
	}
	c := &Claim{ClaimInfo: s.info(abs, rev), Path: ClaimPath(abs), token: randomHex(16), s: s}
	if opts != nil {
		if opts.PID > 0 {
			c.PID = opts.PID
		}
		c.Data = opts.Data
	}
	f, err := s.createExcl(c.Path, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			ce := &ClaimedError{Target: abs, Claim: c.Path}
			ce.Holder, _, ce.ReadErr = readClaim(s.fs, c.Path)
			return nil, ce
		}
		return nil, fmt.Errorf("publish: claim %q: creating %q: %w", target, c.Path, err)
	}
	data, _ := json.Marshal(claimFile{Version: 1, ClaimInfo: c.ClaimInfo, Token: c.token})
	_, err = f.Write(append(data, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = s.fs.Remove(c.Path)
		return nil, fmt.Errorf("publish: claim %q: writing %q: %w", target, c.Path, err)
	}
	// A publisher may have finished between the first look and the
	// create: the target is looked at again, under the claim.
	if ok, err := s.exists(abs); err != nil || ok {
		_ = s.fs.Remove(c.Path)
		if err != nil {
			return nil, fmt.Errorf("publish: claim %q: %w", target, err)
		}
		return nil, &ExistsError{Path: abs, Op: "claim"}
	}
	return c, nil
}

func (s *Store) info(abs string, rev int) ClaimInfo {
	host, _ := os.Hostname()
	name := ""
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return ClaimInfo{Target: abs, Revision: rev, Host: host, PID: os.Getpid(), User: name, Time: s.now().UTC()}
}

// maxClaimTries bounds ClaimNext's walk upwards.
const maxClaimTries = 10000

// ClaimNext claims the first free revision from from upwards: it asks
// pathFor for the target of each revision and claims it, passing over
// revisions claimed (ErrClaimed) or published (ErrExists) by others. So
// many processes calling it at once each get a distinct revision. It
// returns the claim, whose Revision is the one it holds.
//
// from must be 0 or more. pathFor's errors are returned, wrapped; so is
// any other error of Claim. It gives up after 10,000 revisions.
func (s *Store) ClaimNext(pathFor func(rev int) (string, error), from int) (*Claim, error) {
	return s.ClaimNextWith(pathFor, from, nil)
}

// ClaimNextWith is ClaimNext with the holder and data of opts.
func (s *Store) ClaimNextWith(pathFor func(rev int) (string, error), from int, opts *ClaimOptions) (*Claim, error) {
	if pathFor == nil {
		return nil, errors.New("publish: ClaimNext: nil pathFor: want a function returning the target of a revision")
	}
	if from < 0 {
		return nil, fmt.Errorf("publish: ClaimNext: from revision %d: want 0 or more", from)
	}
	for rev := from; rev < from+maxClaimTries; rev++ {
		target, err := pathFor(rev)
		if err != nil {
			return nil, fmt.Errorf("publish: ClaimNext: path of revision %d: %w", rev, err)
		}
		c, err := s.claim(target, rev, opts)
		if err == nil {
			return c, nil
		}
		if !errors.Is(err, ErrClaimed) && !errors.Is(err, ErrExists) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("publish: ClaimNext: revisions %d to %d are all claimed or published", from, from+maxClaimTries-1)
}

// Release removes the claim file if it still holds this claim's token.
// A claim released as stale (and perhaps claimed again by another) is
// left alone and reported with ErrClaimLost. Releasing twice reports
// ErrClaimLost the second time.
//
// Between reading the file and removing it there is a short window in
// which a ReleaseStale of another process and a new claim could slip in;
// claims become stale only after their timeout, so a live holder that
// releases is not affected in practice.
func (c *Claim) Release() error {
	if c == nil || c.s == nil {
		return errors.New("publish: Release of a nil or zero Claim")
	}
	_, token, err := readClaim(c.s.fs, c.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("publish: release %q: the claim file is gone: %w", c.Path, ErrClaimLost)
	}
	if err != nil {
		return fmt.Errorf("publish: release %q: %w", c.Path, err)
	}
	if token != c.token {
		return fmt.Errorf("publish: release %q: the file holds another claim: %w", c.Path, ErrClaimLost)
	}
	if err := c.s.fs.Remove(c.Path); err != nil {
		return fmt.Errorf("publish: release %q: %w", c.Path, err)
	}
	return nil
}

// ReadClaim returns the claim held on target, as its claim file says,
// so that a process other than the claimer (the second call of a save
// hook) can finish the publish and Release it. A target without a claim
// file gives an error matching fs.ErrNotExist.
func (s *Store) ReadClaim(target string) (*Claim, error) {
	abs, err := s.target(target, false)
	if err != nil {
		return nil, err
	}
	p := ClaimPath(abs)
	info, token, err := readClaim(s.fs, p)
	if err != nil {
		return nil, fmt.Errorf("publish: reading the claim of %q: %w", target, err)
	}
	return &Claim{ClaimInfo: info, Path: p, token: token, s: s}, nil
}

// readClaim reads a claim file: its info and its token.
func readClaim(fsys afero.Fs, name string) (ClaimInfo, string, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return ClaimInfo{}, "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxClaimFile+1))
	if err != nil {
		return ClaimInfo{}, "", err
	}
	if len(data) > maxClaimFile {
		return ClaimInfo{}, "", fmt.Errorf("claim file %q is over %d bytes", name, maxClaimFile)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return ClaimInfo{}, "", fmt.Errorf("claim file %q is empty (being written, or its writer died)", name)
	}
	var cf claimFile
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&cf); err != nil {
		return ClaimInfo{}, "", fmt.Errorf("claim file %q is not a claim's JSON: %w", name, err)
	}
	if cf.Token == "" {
		return ClaimInfo{}, "", fmt.Errorf("claim file %q has no token", name)
	}
	return cf.ClaimInfo, cf.Token, nil
}

// StaleClaim is a claim file StaleClaims judged abandoned.
type StaleClaim struct {
	Path    string    // the claim file
	Info    ClaimInfo // zero if the file could not be read
	Reason  string    // why it is stale
	ModTime time.Time // the claim file's

	token string // "" for an unreadable file
}

// String describes the stale claim without its token.
func (sc StaleClaim) String() string {
	return fmt.Sprintf("stale claim %q of %q by %s pid %d on %s: %s", sc.Path, sc.Info.Target, sc.Info.User, sc.Info.PID, sc.Info.Host, sc.Reason)
}

// GoString is String, so %#v does not print the token either.
func (sc StaleClaim) GoString() string { return sc.String() }

// StaleClaims lists the claim files under dir (a folder under the root,
// or the root) that are stale: older than timeout (by their time, or by
// their modification time when they cannot be read), or made on this
// host by a process that is no longer running. timeout must be positive.
func (s *Store) StaleClaims(dir string, timeout time.Duration) ([]StaleClaim, error) {
	if timeout <= 0 {
		return nil, fmt.Errorf("publish: StaleClaims: timeout %v: want a positive duration", timeout)
	}
	abs, err := s.target(dir, true)
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	now := s.now()
	var stale []StaleClaim
	err = afero.Walk(s.fs, abs, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // removed while walking
			}
			return err
		}
		if !fi.Mode().IsRegular() || !IsClaimFile(p) {
			return nil
		}
		if sc, ok := judge(s.fs, p, fi, now, timeout, host); ok {
			stale = append(stale, sc)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("publish: StaleClaims under %q: %w", dir, err)
	}
	return stale, nil
}

// judge says whether the claim file p is stale.
func judge(fsys afero.Fs, p string, fi os.FileInfo, now time.Time, timeout time.Duration, host string) (StaleClaim, bool) {
	sc := StaleClaim{Path: p, ModTime: fi.ModTime()}
	info, token, err := readClaim(fsys, p)
	if err != nil {
		if age := now.Sub(fi.ModTime()); age > timeout {
			sc.Reason = fmt.Sprintf("unreadable (%v) and last written %v ago, over the timeout %v", err, age.Round(time.Second), timeout)
			return sc, true
		}
		return sc, false
	}
	sc.Info, sc.token = info, token
	if age := now.Sub(info.Time); age > timeout {
		sc.Reason = fmt.Sprintf("made %v ago, over the timeout %v", age.Round(time.Second), timeout)
		return sc, true
	}
	if info.Host != "" && strings.EqualFold(info.Host, host) && info.PID > 0 && !processAlive(info.PID) {
		sc.Reason = fmt.Sprintf("its process %d on this host (%s) is gone", info.PID, host)
		return sc, true
	}
	return sc, false
}

// ReleaseStale removes the stale claims StaleClaims finds under dir and
// returns those it removed. A claim file is removed only if it still
// holds what was judged (the same token, or for an unreadable file the
// same modification time), so a claim made again meanwhile survives.
func (s *Store) ReleaseStale(dir string, timeout time.Duration) ([]StaleClaim, error) {
	stale, err := s.StaleClaims(dir, timeout)
	if err != nil {
		return nil, err
	}
	var released []StaleClaim
	var errs []error
	for _, sc := range stale {
		if sc.token != "" {
			_, token, err := readClaim(s.fs, sc.Path)
			if err != nil || token != sc.token {
				continue
			}
		} else if fi, err := s.fs.Stat(sc.Path); err != nil || !fi.ModTime().Equal(sc.ModTime) {
			continue
		}
		if err := s.fs.Remove(sc.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("publish: removing stale claim %q: %w", sc.Path, err))
			continue
		}
		released = append(released, sc)
	}
	return released, errors.Join(errs...)
}

// SweepTemps removes the temporary files (TempInfix) under dir (a folder
// under the root, or the root) last written more than olderThan ago:
// the leftovers of copies whose process died. It returns the files it
// removed. olderThan must be positive; choose it well above the longest
// copy, since a running copy's temporary file looks the same.
func (s *Store) SweepTemps(dir string, olderThan time.Duration) ([]string, error) {
	if olderThan <= 0 {
		return nil, fmt.Errorf("publish: SweepTemps: age %v: want a positive duration", olderThan)
	}
	abs, err := s.target(dir, true)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var removed []string
	var errs []error
	err = afero.Walk(s.fs, abs, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if !fi.Mode().IsRegular() || !IsTempFile(p) || now.Sub(fi.ModTime()) <= olderThan {
			return nil
		}
		if err := s.fs.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("publish: removing temporary file %q: %w", p, err))
			return nil
		}
		removed = append(removed, p)
		return nil
	})
	if err != nil {
		errs = append(errs, fmt.Errorf("publish: SweepTemps under %q: %w", dir, err))
	}
	return removed, errors.Join(errs...)
}
