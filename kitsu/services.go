package kitsu

// service is what every API area hung on the Client shares: the client
// that sends its requests.
type service struct {
	c *Client
}

// initServices hangs one service per gazu module on the client.
func (c *Client) initServices() {
	_ = service{c: c}
}
