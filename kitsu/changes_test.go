package kitsu_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kpublish/kpublish/kitsu"
)

// requireOnlyChanged checks that after, read from the server after an
// update, is before with change applied and nothing else: the whole
// record is compared, its update time aside. change must really change
// before.
func requireOnlyChanged[T any](t *testing.T, before, after *T, base func(*T) *kitsu.Base, change func(*T)) {
	t.Helper()
	want, got := *before, *after
	change(&want)
	require.NotEqual(t, *before, want, "the change must change something")
	base(&want).UpdatedAt = kitsu.Time{}
	base(&got).UpdatedAt = kitsu.Time{}
	require.Equal(t, want, got)
}

// The records' Base, for requireOnlyChanged.
func shotBase(s *kitsu.Shot) *kitsu.Base         { return &s.Base }
func sequenceBase(s *kitsu.Sequence) *kitsu.Base { return &s.Base }
func episodeBase(e *kitsu.Episode) *kitsu.Base   { return &e.Base }
func assetBase(a *kitsu.Asset) *kitsu.Base       { return &a.Base }

// allSetEntity are changes that move every changeable field of an entity
// away from its default: canceled, shared, on casting standby, with
// frames, a status, a ready_for, a description, a code and data.
func allSetEntity(readyFor string, data map[string]any) kitsu.EntityChanges {
	return kitsu.EntityChanges{
		Code:             kitsu.Ptr("code_set"),
		Description:      kitsu.Ptr("every field set"),
		Canceled:         kitsu.Ptr(true),
		IsShared:         kitsu.Ptr(true),
		IsCastingStandby: kitsu.Ptr(true),
		NbFrames:         kitsu.Ptr(48),
		Status:           kitsu.Ptr("complete"),
		ReadyFor:         kitsu.Ptr(readyFor),
		Data:             data,
	}
}

// requireAllSet checks that an entity read back holds what allSetEntity
// set; nbFrames is what Zou gives back of them (it leaves nb_frames out of
// an asset).
func requireAllSet(t *testing.T, e *kitsu.EntityFields, readyFor string, data map[string]any, nbFrames int) {
	t.Helper()
	require.Equal(t, "code_set", e.Code)
	require.Equal(t, "every field set", e.Description)
	require.True(t, e.Canceled, "canceled")
	require.True(t, e.IsShared, "is_shared")
	require.True(t, e.IsCastingStandby, "is_casting_standby")
	require.Equal(t, nbFrames, e.NbFrames)
	require.Equal(t, "complete", e.Status)
	require.Equal(t, readyFor, e.ReadyFor)
	require.Equal(t, data, e.Data)
}
