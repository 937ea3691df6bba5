package publish

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"strings"
)

// The names of the files the package leaves beside a target. Both are
// hidden (a leading dot) and carry ".kpublish-", so scans and sweeps can
// tell them from published files.
const (
	// ClaimSuffix ends a claim file's name: the claim of
	// /show/sh010/anim_v003.ma is /show/sh010/.anim_v003.ma.kpublish-claim.
	ClaimSuffix = ".kpublish-claim"
	// TempInfix is in every temporary file's name: a copy to
	// /show/sh010/anim_v003.ma is written to
	// /show/sh010/.anim_v003.ma.kpublish-tmp-<16 hex digits> first.
	TempInfix = ".kpublish-tmp-"
)

// ClaimPath returns the claim file of target.
func ClaimPath(target string) string {
	dir, name := filepath.Split(target)
	return filepath.Join(dir, "."+name+ClaimSuffix)
}

// tempPath returns a fresh temporary name beside target.
func tempPath(target string) string {
	dir, name := filepath.Split(target)
	return filepath.Join(dir, "."+name+TempInfix+randomHex(8))
}

// IsClaimFile reports whether the base name of path is a claim file's.
func IsClaimFile(path string) bool {
	n := filepath.Base(path)
	return strings.HasPrefix(n, ".") && strings.HasSuffix(n, ClaimSuffix) && len(n) > len(ClaimSuffix)+1
}

// IsTempFile reports whether the base name of path is a temporary
// file's.
func IsTempFile(path string) bool {
	n := filepath.Base(path)
	return strings.HasPrefix(n, ".") && strings.Contains(n, TempInfix)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}
