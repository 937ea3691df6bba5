// Package kitsutest gives integration tests a client of the real Kitsu
// started by scripts/kitsu-dev, and helpers that create uniquely named data
// through that client.
//
// Tests read KITSU_HOST, KITSU_USER and KITSU_PASSWORD. Without them a test
// is skipped, with one line saying how to run it, unless CI is set: then a
// missing or unreachable server fails the run.
package kitsutest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kpublish/kpublish/kitsu"
)

// HowToRun says how to run the integration tests.
const HowToRun = "integration tests need a Kitsu: run `make test`, or `scripts/kitsu-dev up && eval \"$(scripts/kitsu-dev env)\"` then `go test ./...`"

var (
	skipOnce  sync.Once
	loginOnce sync.Once
	tokens    kitsu.Tokens
	loginErr  error
)

// Env returns the dev server's host and admin credentials, skipping the
// test when they are not set (failing it under CI).
func Env(t testing.TB) (host, user, password string) {
	t.Helper()
	host, user, password = os.Getenv("KITSU_HOST"), os.Getenv("KITSU_USER"), os.Getenv("KITSU_PASSWORD")
	if host == "" || user == "" || password == "" {
		if Required() {
			t.Fatalf("KITSU_HOST, KITSU_USER or KITSU_PASSWORD is not set, and CI or KITSU_REQUIRE_SERVER says a server is required: %s", HowToRun)
		}
		skipOnce.Do(func() { fmt.Fprintln(os.Stderr, "kitsutest: skipping integration tests: "+HowToRun) })
		t.Skip("no Kitsu server: " + HowToRun)
	}
	return host, user, password
}

// Required reports whether a missing server must fail the tests rather
// than skip them: under CI, and under `make test` (KITSU_REQUIRE_SERVER=1).
func Required() bool {
	return os.Getenv("CI") != "" || os.Getenv("KITSU_REQUIRE_SERVER") != ""
}

// Context returns a context that ends with the test, bounded to two
// minutes.
func Context(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Client returns a client of the dev server logged in as the admin. The
// login happens once per test binary; each client gets its own copy of the
// tokens, so a test may log its client out without harming the others.
func Client(t testing.TB, opts ...kitsu.Option) *kitsu.Client {
	t.Helper()
	host, user, password := Env(t)
	loginOnce.Do(func() {
		c, err := kitsu.NewClient(host)
		if err != nil {
			loginErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := c.LogIn(ctx, user, password); err != nil {
			loginErr = fmt.Errorf("logging in to %s as %s: %w (is the server up? %s)", host, user, err, HowToRun)
			return
		}
		tokens = c.Tokens()
	})
	if loginErr != nil {
		t.Fatal(loginErr)
	}
	c, err := kitsu.NewClient(host, append([]kitsu.Option{kitsu.WithTokens(tokens)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Unique returns prefix followed by a random suffix, for names that must
// not clash between tests and between runs against the same server.
func Unique(prefix string) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return prefix + " " + hex.EncodeToString(b[:])
}

// UniqueEmail returns a fresh address at example.com (Zou refuses reserved
// test domains).
func UniqueEmail(prefix string) string {
	return strings.ReplaceAll(strings.ToLower(Unique(prefix)), " ", ".") + "@example.com"
}

// record is the part of a Zou record the helpers read.
type record struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// NewProjectID creates a uniquely named open project through the raw
// client and returns its id. It is closed and deleted when the test ends.
func NewProjectID(t testing.TB, c *kitsu.Client) string {
	t.Helper()
	ctx := Context(t)
	var p record
	if err := c.Create(ctx, "projects", map[string]any{"name": Unique("kpublish test")}, &p); err != nil {
		t.Fatalf("creating a test project: %v", err)
	}
	t.Cleanup(func() { RemoveProject(t, c, p.ID) })
	return p.ID
}

// RemoveProject closes then deletes a project and everything in it; Zou
// deletes only closed projects.
func RemoveProject(t testing.TB, c *kitsu.Client, projectID string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var closed record
	if err := c.FetchFirst(ctx, "project-status", &closed, &kitsu.RequestOptions{Params: map[string][]string{"name": {"Closed"}}}); err != nil {
		t.Errorf("cleanup: finding the Closed project status: %v", err)
		return
	}
	if err := c.Update(ctx, "projects", projectID, map[string]any{"project_status_id": closed.ID}, nil); err != nil {
		t.Errorf("cleanup: closing project %s: %v", projectID, err)
		return
	}
	if _, err := c.Delete(ctx, "data/projects/"+projectID, &kitsu.RequestOptions{Params: map[string][]string{"force": {"true"}}}); err != nil {
		t.Errorf("cleanup: deleting project %s: %v", projectID, err)
	}
}
