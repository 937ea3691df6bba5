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
// and 502/503/504 replies, renews an expired access token with the refresh
// token (one refresh shared by all concurrent callers), and never prints a
// token in an error or log.
package kitsu
