// Package kitsu is a client of the Kitsu production tracker's API (Zou).
//
// One *Client, built by NewClient, talks to one Kitsu. Each gazu module is
// a service hung on it (Client.Asset, Client.Shot, Client.Files...), and
// gazu's generic `client` module is the methods of Client itself: raw
// Get/Post/Put/Delete on any route, FetchAll/FetchEach for lists, Upload
// and Download for files.
//
// Every call takes a context first. Errors from the server are *Error
// values matching the sentinel of their status (errors.Is(err,
// kitsu.ErrNotFound)); a lookup that finds nothing also matches
// ErrNotFound. The client retries idempotent requests on connection errors
// and 502/503/504 replies, and renews an expired access token with the
// refresh token (one refresh shared by all concurrent callers).
//
// An update method changes only what the caller set. It takes the record's
// id and a changes value whose fields are pointers (AssetChanges,
// ShotChanges, ProjectChanges, TaskChanges...): a nil field is not sent
// and keeps its stored value, a field set with Ptr is sent, even when it
// is a zero value (ShotChanges{Canceled: kitsu.Ptr(false)} un-cancels a
// shot); a nil list or map is not sent, an empty non-nil one is. Changes
// that set nothing are refused with ErrInvalidArgument before any request.
// Where gazu sends the dict it is given, these methods send the fields
// set, so a record read earlier never overwrites newer values. Each
// changes type says how Zou treats its Data: merged into the stored keys
// for entities and tasks, replaced whole for projects and comments.
//
// # Security
//
// Credentials stay with the API host's origin (scheme, host and port): a
// redirect elsewhere is followed without the Authorization header, and
// refused (ErrRedirectRefused) when it would carry the request body
// there, when it answers a login or token refresh, or when it leaves
// https for plain http. A reply read into memory is capped
// (DefaultMaxReplySize, WithMaxReplySize; ErrReplyTooLarge), an error
// reply at 64 KiB. WithTimeout is one deadline for a whole call, its
// retries included; a try that stalled is retried once at most, and TLS
// or certificate failures are not retried. Tokens and passwords never
// appear in errors or logs, nor when a Client or Tokens is printed with
// fmt or log/slog (Tokens encode to JSON redacted too).
package kitsu
