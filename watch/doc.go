// Package watch watches folders and hands every complete new file to a
// Registrar (the publish layer, which registers it in Kitsu), losing
// nothing when Kitsu, the network or the watcher itself goes down.
//
// Seeing is kept apart from doing, as Syncthing keeps its scanner apart
// from its puller:
//
//   - tree.go watches each root's folders with fsnotify (inotify has no
//     recursion: a new folder is watched first and then listed, so files
//     made before its watch landed are found), or polls roots on network
//     file systems (NFS, SMB/CIFS, sshfs..., read from
//     /proc/self/mountinfo), whose other hosts' writes the kernel does not
//     report. A full rescan runs at start, after an event-queue overflow
//     or a watcher error, and every hour or so; the inotify watch limit is
//     checked at start (ErrWatchLimit says how to raise it).
//   - ignore.go holds the include and exclude globs (doublestar's, read
//     like .gitignore lines) and DefaultExcludes: DCC temporaries, backups,
//     autosaves and hidden files, kpublish's claims and temporaries among
//     them.
//   - settle.go hands a file over once its size and time stayed the same
//     for the settle window after its last event; empty files wait;
//     temporaries renamed over the final name (Blender's "name@", Qt's
//     "name.XXXXXX") leave, so only the final name is handed over; the
//     numbered files of image extensions are frames, and a sequence is
//     handed over as one item once none of its frames changed for the
//     window (publish.FindSequence reads it).
//   - journal.go is the durable queue (bbolt): each complete file is
//     written with its size, time and state (pending, registered, failed,
//     ignored) before its registration, in batches of one commit each,
//     and marked done only once the Registrar confirmed it. A restart
//     resumes the queue; a crash between a registration and its journaling
//     hands the file over again, which the Registrar must recognise
//     (publish's claims and its check of Kitsu do).
//   - register.go drains the queue through the Registrar with a few
//     workers, retrying failures with exponential backoff and jitter.
//
// A file is journaled by its path (a sequence by its template) with its
// size and time: seen again as it is, by a rescan or a restart, it is
// not handed over again; written again after its registration, it is a
// new version and is handed over again.
//
// A Watcher ties them: New, then Run until its context is cancelled;
// Status reads the counts; Retry puts failed files back in the queue.
// The journal is locked while a watcher runs, so a status command in
// another process reads the StatusSnapshot the watcher rewrites
// (Options.StatusFile) instead. A journal that can no longer be written
// stops Run: a restart rescans, nothing is lost.
package watch
