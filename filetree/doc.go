// Package filetree is Zou's file-tree template engine redone in Go: it
// renders the folder and file name of working and output files offline,
// byte for byte as the Kitsu server does, parses paths back into their
// values, and maps tree mountpoints to per-platform roots.
//
// A tree (Zou's file_tree JSON) has modes (working, output, preview, or
// any custom one); each mode has a mountpoint, a root, and for each entity
// kind (asset, shot, sequence, scene, episode, instance, instance_asset) a
// folder_path and a file_name template, each section with a style
// (lowercase, uppercase). Templates hold tokens such as <Project>,
// <Shot.id> or <TaskType.short_name>.
//
// Rendering follows Zou's rules: every value is slugified as
// python-slugify does (internal/slug) and styled, except ids; the whole
// file name is slugified again, ids put back; <Version> and <Revision> are
// padded to three digits; a sequence name holding "Seq" becomes S and three
// digits; an entity with no episode shows e001; <Asset> and <Shot> of an
// entity of another kind show that entity; defaults apply when a value is
// missing (software "3ds Max" for working files, "3dsmax" for outputs,
// output type "Geometry", name "main"; a name given empty on purpose,
// Context.EmptyName, shows nothing, as Zou does for name ""). The
// differential test in kitsutree compares thousands of paths with the
// real Zou.
//
// # Deliberate differences from Zou
//
// Where Zou would write something a studio cannot want, filetree refuses
// with an error (ErrRender) instead:
//   - a folder that would be empty, "." or "..": Zou writes "a//b" when a
//     value slugifies to nothing, and its own simple tree ends instance
//     folders with <Representation>, which leaves an empty last folder
//     when no representation is given;
//   - a name with no letter or digit to show ("!!!", an emoji alone): Zou
//     drops it silently from file names;
//   - a field Kitsu does not have (<Project.short_name>, <Task.number>):
//     Zou fails with a server error; a short name that is not set: Zou
//     writes the token itself, <TaskType.short_name>, into the path;
//   - an asset instance whose name is set but empty in Kitsu
//     (Instance.EmptyName), where <Instance> shows its name: Zou writes an
//     empty folder, or drops it from the file name so that every instance
//     of the asset shares one path (a null name shows the number, as in
//     Zou);
//   - names that are not valid UTF-8, ids that are not [A-Za-z0-9-];
//   - templates with a < or > that is not part of a token, empty or ..
//     folders, or a / in a file name template are refused when the tree is
//     loaded (Zou only fails, if ever, when a path is built);
//   - the output routes of Zou render the folder with the revision the
//     caller sent (0 for "next") and the file name with the revision it
//     computed; filetree renders one revision everywhere: ask Kitsu for
//     the next revision first (kitsutree's contexts do when given
//     revision 0).
//
// Parse never guesses: a path that matches several templates, or splits
// several ways (adjacent tokens in a file name whose values hold
// underscores), is an *AmbiguousError listing every reading.
package filetree
