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
