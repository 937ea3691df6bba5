package publish

// Progress reports the progress of a publish's copies to a user; the
// CLI draws it as a bar on a terminal. Its methods may be called from
// several goroutines at once. A nil Progress reports nothing.
type Progress interface {
	// Start begins a stage: label names it ("copying", "uploading"),
	// total is the number of bytes it will move and files the number of
	// files.
	Start(label string, total int64, files int)
	// Add reports n more bytes moved.
	Add(n int64)
	// FileDone reports one more file finished.
	FileDone()
	// Finish ends the stage (also after a failure).
	Finish()
}
