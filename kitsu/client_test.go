package kitsu_test

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/kitsu"
)

func TestNewClientNormalisesHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://kitsu.example.com":          "https://kitsu.example.com/api",
		"https://kitsu.example.com/":         "https://kitsu.example.com/api",
		"https://kitsu.example.com/api":      "https://kitsu.example.com/api",
		"https://kitsu.example.com/api/":     "https://kitsu.example.com/api",
		" http://10.0.0.5:8080/kitsu/api/ ":  "http://10.0.0.5:8080/kitsu/api",
		"http://kitsu.example.com/kitsu":     "http://kitsu.example.com/kitsu/api",
		"http://kitsu.example.com/apistuff/": "http://kitsu.example.com/apistuff/api",
	} {
		c, err := kitsu.NewClient(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, c.GetHost(), in)
		assert.Equal(t, want, c.GetEventHost(), "the event host defaults to the API host")
	}
	for _, bad := range []string{"", "kitsu.example.com", "ftp://kitsu.example.com", "http://", "http://user:pw@kitsu.example.com", "http://k/api?x=1", "://"} {
		_, err := kitsu.NewClient(bad)
		require.ErrorIs(t, err, kitsu.ErrInvalidArgument, bad)
		assert.NotContains(t, err.Error(), "pw@", "credentials in a host must not be echoed")
	}
	_, err := kitsu.NewClient("https://k.example.com", kitsu.WithTimeout(-1))
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = kitsu.NewClient("https://k.example.com", kitsu.WithRetryPolicy(kitsu.RetryPolicy{}))
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	_, err = kitsu.NewClient("https://k.example.com", kitsu.WithCACertFile("/does/not/exist.pem"))
	require.Error(t, err)
}

func TestSetHostAndEventHost(t *testing.T) {
	c, err := kitsu.NewClient("https://a.example.com")
	require.NoError(t, err)
	h, err := c.SetHost("https://b.example.com/")
	require.NoError(t, err)
	assert.Equal(t, "https://b.example.com/api", h)
	assert.Equal(t, h, c.GetHost())
	assert.Equal(t, "https://a.example.com/api", c.GetEventHost(), "set_host leaves the event host alone")
	assert.Equal(t, "https://b.example.com", c.GetAPIURLFromHost())

	eh, err := c.SetEventHost("https://events.example.com/")
	require.NoError(t, err)
	assert.Equal(t, "https://events.example.com", eh)
	assert.Equal(t, eh, c.GetEventHost())

	_, err = c.SetHost("nope")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
	assert.Equal(t, "https://b.example.com/api", c.GetHost(), "a refused host changes nothing")
	_, err = c.SetEventHost("nope")
	require.ErrorIs(t, err, kitsu.ErrInvalidArgument)

	c2, err := kitsu.NewClient("https://a.example.com", kitsu.WithEventHost("https://ev.example.com"))
	require.NoError(t, err)
	assert.Equal(t, "https://ev.example.com", c2.GetEventHost())
}

func TestGetFullURLAndBuildPathWithParams(t *testing.T) {
	c, err := kitsu.NewClient("https://k.example.com/api")
	require.NoError(t, err)
	assert.Equal(t, "https://k.example.com/api/data/projects", c.GetFullURL("/data/projects/"))
	assert.Equal(t, "https://k.example.com/api/data/projects", c.GetFullURL("data/projects"))
	assert.Equal(t, "https://k.example.com/api/", c.GetFullURL(""))

	assert.Equal(t, "data/tasks", c.BuildPathWithParams("data/tasks", nil))
	assert.Equal(t, "data/tasks", c.BuildPathWithParams("data/tasks", url.Values{}))
	assert.Equal(t, "data/tasks?name=a+b&project_id=1", c.BuildPathWithParams("data/tasks", url.Values{"project_id": {"1"}, "name": {"a b"}}))
	assert.Equal(t, "data/tasks?x=1&page=2", c.BuildPathWithParams("data/tasks?x=1", url.Values{"page": {"2"}}))
}

func TestMakeAuthHeaderAndSetTokens(t *testing.T) {
	c, err := kitsu.NewClient("https://k.example.com", kitsu.WithUserAgent("my-tool/1"))
	require.NoError(t, err)
	h := c.MakeAuthHeader()
	assert.Equal(t, "my-tool/1", h.Get("User-Agent"))
	assert.Empty(t, h.Get("Authorization"))

	got := c.SetTokens(kitsu.Tokens{AccessToken: "abc", RefreshToken: "def"})
	assert.Equal(t, "abc", got.AccessToken)
	assert.Equal(t, "Bearer abc", c.MakeAuthHeader().Get("Authorization"))
	assert.Equal(t, kitsu.Tokens{AccessToken: "abc", RefreshToken: "def"}, c.Tokens())
	assert.Equal(t, "Tokens{AccessToken: set, RefreshToken: set}", got.String())

	d, err := kitsu.NewClient("https://k.example.com")
	require.NoError(t, err)
	assert.Equal(t, kitsu.DefaultUserAgent, d.MakeAuthHeader().Get("User-Agent"))
}
