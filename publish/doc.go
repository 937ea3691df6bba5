// Package publish will handle revisions and the publishing of working and
// output files: atomic copies, checksums, image sequences, and safety when
// many farm nodes publish at once. It is built by a later issue; nothing
// is exported yet.
package publish
