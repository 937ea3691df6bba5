package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kpublish/kpublish/kitsu"
)

func TestRun(t *testing.T) {
	t.Setenv("KITSU_HOST", "")
	var out, errOut bytes.Buffer
	assert.Equal(t, exitOK, run([]string{"version"}, &out, &errOut))
	assert.Equal(t, "kpublish "+kitsu.Version+"\n", out.String())

	out.Reset()
	assert.Equal(t, exitOK, run(nil, &out, &errOut))
	assert.Contains(t, out.String(), "Exit codes")

	assert.Equal(t, exitUsage, run([]string{"frobnicate"}, &out, &errOut))
	assert.Contains(t, errOut.String(), `unknown command "frobnicate"`)

	t.Setenv("KITSU_HOST", "not a url")
	errOut.Reset()
	assert.Equal(t, exitUsage, run([]string{"version"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "KITSU_HOST")
}
