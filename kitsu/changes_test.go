package kitsu_test

import (
	"context"
	"errors"
	"net/http"
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

// noRequests is a transport that fails the test on any request.
type noRequests struct{ t *testing.T }

func (n noRequests) RoundTrip(r *http.Request) (*http.Response, error) {
	n.t.Errorf("a request was sent: %s %s", r.Method, r.URL.Path)
	return nil, errors.New("no request expected")
}

// TestUpdateChangesRefusedBeforeAnyRequest: every update method refuses
// changes that set nothing, and a set field with a bad value, naming it,
// before anything is sent.
func TestUpdateChangesRefusedBeforeAnyRequest(t *testing.T) {
	c, err := kitsu.NewClient("http://127.0.0.1:1", kitsu.WithHTTPClient(&http.Client{Transport: noRequests{t}}))
	require.NoError(t, err)
	ctx := context.Background()
	const id = "5f1ad35b-2f63-4b8e-a4b4-2b1f0cbb0d1e"
	for _, tc := range []struct {
		name, want string
		call       func() error
	}{
		{"asset empty", "asset changes: none set", func() error { _, err := c.Asset.UpdateAsset(ctx, id, kitsu.AssetChanges{}); return err }},
		{"asset id", "asset id", func() error {
			_, err := c.Asset.UpdateAsset(ctx, "Tree", kitsu.AssetChanges{Name: kitsu.Ptr("x")})
			return err
		}},
		{"asset type", "asset changes EntityTypeID", func() error {
			_, err := c.Asset.UpdateAsset(ctx, id, kitsu.AssetChanges{EntityTypeID: kitsu.Ptr("Props")})
			return err
		}},
		{"shot empty", "shot changes: none set", func() error { _, err := c.Shot.UpdateShot(ctx, id, kitsu.ShotChanges{}); return err }},
		{"shot name", "shot changes Name", func() error {
			_, err := c.Shot.UpdateShot(ctx, id, kitsu.ShotChanges{Name: kitsu.Ptr(""), Description: kitsu.Ptr("x")})
			return err
		}},
		{"shot parent", "shot changes ParentID", func() error {
			_, err := c.Shot.UpdateShot(ctx, id, kitsu.ShotChanges{ParentID: kitsu.Ptr("SQ01")})
			return err
		}},
		{"sequence empty", "sequence changes: none set", func() error {
			_, err := c.Shot.UpdateSequence(ctx, id, kitsu.SequenceChanges{})
			return err
		}},
		{"episode empty", "episode changes: none set", func() error {
			_, err := c.Shot.UpdateEpisode(ctx, id, kitsu.EpisodeChanges{})
			return err
		}},
		{"episode status", "episode changes Status", func() error {
			_, err := c.Shot.UpdateEpisode(ctx, id, kitsu.EpisodeChanges{Status: kitsu.Ptr("wip")})
			return err
		}},
		{"project empty", "project changes: none set", func() error {
			_, err := c.Project.UpdateProject(ctx, id, kitsu.ProjectChanges{})
			return err
		}},
		{"project status", "project changes ProjectStatusID", func() error {
			_, err := c.Project.UpdateProject(ctx, id, kitsu.ProjectChanges{ProjectStatusID: kitsu.Ptr("")})
			return err
		}},
		{"task empty", "task changes: none set", func() error { _, err := c.Task.UpdateTask(ctx, id, kitsu.TaskChanges{}); return err }},
		{"task assignee", "task changes Assignees", func() error {
			_, err := c.Task.UpdateTask(ctx, id, kitsu.TaskChanges{Assignees: []string{id, "bob"}})
			return err
		}},
		{"task entity", "task changes EntityID", func() error {
			_, err := c.Task.UpdateTask(ctx, id, kitsu.TaskChanges{EntityID: kitsu.Ptr("")})
			return err
		}},
		{"comment empty", "comment changes: none set", func() error {
			_, err := c.Task.UpdateComment(ctx, id, kitsu.CommentChanges{})
			return err
		}},
		{"comment id", "comment id", func() error {
			_, err := c.Task.UpdateComment(ctx, "42", kitsu.CommentChanges{Text: kitsu.Ptr("x")})
			return err
		}},
		{"descriptor empty", "metadata descriptor changes: none set", func() error {
			_, err := c.Project.UpdateMetadataDescriptor(ctx, id, id, kitsu.MetadataDescriptorChanges{})
			return err
		}},
		{"descriptor data type", "metadata descriptor changes DataType", func() error {
			_, err := c.Project.UpdateMetadataDescriptor(ctx, id, id, kitsu.MetadataDescriptorChanges{DataType: kitsu.Ptr("")})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, kitsu.ErrInvalidArgument)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestPtr(t *testing.T) {
	v := 3
	p := kitsu.Ptr(v)
	v = 4
	require.Equal(t, 3, *p, "Ptr points at a copy")
	require.False(t, *kitsu.Ptr(false))
}
