// Package watch will watch folders (fsnotify) and register new working and
// output files in Kitsu, losing nothing when Kitsu or the watcher goes
// down. It is built by a later issue; nothing is exported yet.
package watch
