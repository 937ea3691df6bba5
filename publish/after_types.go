package publish

// AfterOptions are what the step after an output publish does on the
// task: a comment with a status change, and a preview uploaded to it.
type AfterOptions struct {
	// TaskID is the task the comment goes on; when empty, the task of
	// EntityID of type TaskTypeID.
	TaskID, EntityID, TaskTypeID string
	// Status is a task status by name, short name or id; empty keeps the
	// task's status.
	Status string
	// Comment is the comment's text.
	Comment string
	// Preview is a local movie or image uploaded as a preview of the
	// comment; empty uploads none.
	Preview string
	// Progress reports the upload; nil is silent.
	Progress Progress
}

// AfterResult is what the step after an output publish made.
type AfterResult struct {
	CommentID, PreviewID string
}
