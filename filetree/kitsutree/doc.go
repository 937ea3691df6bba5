// Package kitsutree joins filetree and the Kitsu client: it builds render
// contexts from Kitsu records (a task, an entity, an asset instance), reads
// a project's tree from Kitsu, and resolves parsed path values back into
// Kitsu entities. filetree itself never talks to a server.
//
// A task's context costs one request, GET /data/tasks/{id}/full, which
// brings the task with its entity, project and tree. NewCachedSource adds
// a cache on disk, private to the user and shared by its processes, for
// the studio-wide records (softwares, output types, departments...) and,
// within a TTL, for everything: see CacheOptions for what stays fresh.
package kitsutree
