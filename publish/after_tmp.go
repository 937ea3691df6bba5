package publish

import (
	"context"

	"github.com/kpublish/kpublish/kitsu"
)

// Temporary until h-core's after_types.go is merged: the types of the
// after step, as design11.md names them.

// AfterOptions says what the after step does.
type AfterOptions struct {
	TaskID, EntityID, TaskTypeID string
	Status, Comment, Preview     string
	Progress                     Progress
}

// AfterResult is what the after step made.
type AfterResult struct {
	CommentID, PreviewID string
}

var runAfter func(ctx context.Context, c *kitsu.Client, o AfterOptions) (AfterResult, error)
