// Package publish puts files where they belong without ever losing or
// replacing one, even when many farm nodes publish into the same folder
// at once. Its storage core (Store) knows nothing of Kitsu; Working
// joins it with Kitsu and the project's file tree for working files.
//
// Everything goes through a Store: a folder of an afero.Fs (the real
// disk, or memory in tests) that every target must lie under. A path is
// refused before anything is written when it leaves the root ("..", an
// absolute path elsewhere, a symbolic link out of it on the real disk),
// holds a NUL or control character, or, when the store targets an OS,
// holds a name that OS cannot (filetree.CheckPath).
//
// A publish is claim, then copy, then release:
//
//   - Claim creates the target's claim file, a hidden
//     ".<name>.kpublish-claim" beside it, exclusively (O_CREAT|O_EXCL):
//     one claimer wins, the others get ErrClaimed with the holder's
//     host, pid, user and time. ClaimNext walks revisions upwards and
//     returns the first one it could claim, so concurrent publishers get
//     distinct revisions. A published target is never claimable.
//     StaleClaims and ReleaseStale find and remove claims older than a
//     timeout or left by a dead process of this host.
//   - CopyNoReplace copies into a hidden ".<name>.kpublish-tmp-<hex>"
//     file beside the target, hashing as it goes (XXH3-128), syncs and
//     checks it, then moves it into place with a no-replace primitive:
//     an existing target is never replaced (ErrExists), and a failure
//     leaves neither a partial target nor the temporary file.
//
// CheckLimits checks a record's values against Zou's columns before
// anything is written; DiskRevisions and NextRevision find the revisions
// already on disk and the next one to publish.
//
// Working publishes a task's working files, as a DCC's save hook does:
// Claim renders the path of the next revision from the project's tree
// (mapped to this host with filetree.Roots) and claims it; Register,
// once the file is saved there, creates its Kitsu record, checks the
// path Zou stored, sets its size and hash, and releases the claim; Copy
// does all three for a file saved elsewhere; Revisions compares what
// Kitsu and the disk hold. An ErrRevisionConflict leaves nothing
// written; an ErrPartial is finished by doing the same again.
//
// Output publishes output files, as farm jobs make them: one file,
// several representations of it (cache.abc and cache.usd) sharing one
// revision, or image sequences (FindSequence's forms: name.####.exr,
// name.%04d.exr, name.$F4.exr, name.1001-1100#.exr, a folder, one
// frame). Publish checks the target, the sources and Zou's limits
// before anything is written, returns the revision already holding the
// same content (AlreadyPublished), then:
//
//   - claims the next revision on the storage, under the output
//     mountpoint's .kpublish/outputs/<entity>/<output type>/<task
//     type>/<name>/ folder, with ClaimNext: the claim, not Kitsu, decides
//     who gets a revision, on every host;
//   - writes a manifest beside the claim (rNNNN.manifest.json) before
//     each step, atomically: claimed, copied, registered, done;
//   - copies every file with CopyAll (temporary names, synced, verified,
//     read-only unless Writable, never replacing a file);
//   - creates one Kitsu record per representation with that revision,
//     checks that Zou stored the path rendered here, and sets its size
//     (0 when above Zou's 32-bit column), checksum and data (exact size,
//     full hash, a sequence's frames, gaps and files; SequenceDigest);
//   - after Settle, checks that the revision holds this publish's records
//     only: a record made meanwhile by someone else, like a file found
//     at a destination, moves the publish to the next revision (records
//     deleted, files renamed, MovedFrom), and Logf says so.
//
// A failure after the claim is an ErrPartial naming the manifest:
// Resume continues it from its state (never creating a record twice),
// Abort rolls it back (never removing a file the manifest does not
// name), Unfinished lists the manifests left. The environment variable
// KPUBLISH_TEST_CRASH=claimed|copy-mid|copied|registered makes the
// process kill itself at that step: it is for crash tests only.
package publish
