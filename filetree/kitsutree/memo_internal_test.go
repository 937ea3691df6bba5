package kitsutree

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Callers missing one key at once share one fetch, and a later caller
// within the TTL uses the kept value.
func TestRememberSharesOneFetch(t *testing.T) {
	s := &Source{now: time.Now}
	s.SetListTTL(time.Minute)
	var calls atomic.Int32
	release := make(chan struct{})
	fetch := func() ([]string, error) {
		calls.Add(1)
		<-release
		return []string{"a", "b"}, nil
	}
	var wg sync.WaitGroup
	got := make([][]string, 8)
	for i := range got {
		wg.Go(func() {
			v, err := remember(s, "k", fetch)
			assert.NoError(t, err)
			got[i] = v
		})
	}
	time.Sleep(50 * time.Millisecond) // let them all wait on the first
	close(release)
	wg.Wait()
	assert.Equal(t, int32(1), calls.Load())
	for _, v := range got {
		assert.Equal(t, []string{"a", "b"}, v)
	}
	v, err := remember(s, "k", fetch)
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "b"}, v)
	assert.Equal(t, int32(1), calls.Load())
}

// A shared fetch that ended with its caller's context is asked again by
// the callers waiting on it; other errors are shared and not kept.
func TestRememberSharedCancel(t *testing.T) {
	s := &Source{now: time.Now}
	s.SetListTTL(time.Minute)
	var calls atomic.Int32
	started := make(chan struct{})
	release := make(chan struct{})
	first := func() (int, error) {
		calls.Add(1)
		close(started)
		<-release
		return 0, context.Canceled
	}
	second := func() (int, error) { calls.Add(1); return 7, nil }
	var wg sync.WaitGroup
	var a, b int
	var aerr, berr error
	wg.Go(func() { a, aerr = remember(s, "k", first) })
	<-started
	wg.Go(func() { b, berr = remember(s, "k", second) })
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	assert.ErrorIs(t, aerr, context.Canceled)
	assert.Equal(t, 0, a)
	// The second caller either joined the first flight (then asked
	// again) or came after it: either way it has its own value.
	require.NoError(t, berr)
	assert.Equal(t, 7, b)

	boom := errors.New("boom")
	_, err := remember(s, "e", func() (int, error) { return 0, boom })
	assert.ErrorIs(t, err, boom)
	v, err := remember(s, "e", func() (int, error) { return 3, nil })
	require.NoError(t, err)
	assert.Equal(t, 3, v, "an error is not kept")
}
