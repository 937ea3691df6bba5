// Package kitsutree joins filetree and the Kitsu client: it builds render
// contexts from Kitsu records (a task, an entity, an asset instance), reads
// a project's tree from Kitsu, and resolves parsed path values back into
// Kitsu entities. filetree itself never talks to a server.
package kitsutree
