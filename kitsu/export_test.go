package kitsu

import "time"

// SetClock makes c judge token expiry by now, so tests can send an
// expired token as if the client believed it fresh.
func SetClock(c *Client, now func() time.Time) {
	c.tokens.mu.Lock()
	c.tokens.now = now
	c.tokens.mu.Unlock()
}
