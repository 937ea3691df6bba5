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
//     loaded (Zou only fails, if ever, when a path is built); so are, in
//     a strict load (Parse, LoadFile), a field Kitsu does not have
//     (<Project.nope>, which Zou reads as the name) and a third part
//     (<Shot.id.x>);
//   - a mountpoint that is not absolute (relative, ~), or ends with a
//     separator, and a root that starts or ends with one, or holds an
//     empty, . or .. folder: Zou would write relative/work/... or
//     /prod//etc/...;
//   - a separator (RenderOptions.Sep) other than / and \;
//   - a path its platform cannot hold (see CheckPath and the limits
//     below): a name over 255 bytes, a path over the platform's limit,
//     and for a Windows mountpoint (P:, \\server\share) or
//     RenderOptions.OS windows, a reserved device name (CON, NUL,
//     COM1...), one of < > : " | ? * or a name ending with a dot or a
//     space;
//   - the output routes of Zou render the folder with the revision the
//     caller sent (0 for "next") and the file name with the revision it
//     computed; filetree renders one revision everywhere: ask Kitsu for
//     the next revision first (kitsutree's contexts do when given
//     revision 0).
//
// # Strict and lenient loading
//
// Parse and LoadFile load a tree strictly: every token, field and key
// must be one filetree knows. ParseLenient, LoadFileLenient and FromMap
// (which kitsutree uses for a project's tree) read it as Zou reads
// templates, so that a tree exported from Kitsu gives Zou's paths:
//   - an unknown token (Zou's own default.json has <OuputType> in
//     output.file_name.sequence) keeps its template, whose render fails,
//     as Zou's route does (400, "Unknown data type"); every other
//     template renders;
//   - an unknown field reads the name (<Project.nope> as <Project>), a
//     third part is dropped (<Shot.id.x> as <Shot.id>), as in Zou;
//   - a key Zou never reads (an unknown entity kind, an unknown key in a
//     mode) is skipped.
//
// Tree.Warnings lists each with its place (Issue: mode, section, kind,
// token, line and column); a strict load refuses the tree for the first.
// Lenient never means accepting a hostile file: malformed JSON, the file
// rules below, a missing mountpoint, root or section, and every unsafe
// template, mountpoint and root of the list above are refused by both.
//
// Check and CheckFile list every problem of a tree's text, not only the
// first, each with its Effect: refused (by every load), kept, repaired
// or ignored (by a lenient load; refused by a strict one), or noted (a
// template that can never render whatever the values, such as
// <Project.short_name> or <AssetType> in a shot template, a kind with a
// folder template and no file name template, an unknown style).
//
// Parse never guesses: a path that matches several templates, or splits
// several ways (adjacent tokens in a file name whose values hold
// underscores), is an *AmbiguousError listing every reading, 64 at most
// (Truncated is then set).
//
// # Limits
//
// Every input can be hostile (a file name dropped in a watched folder, a
// tree or roots file, a name in Kitsu), so each is bounded:
//   - Parse reads each folder and the file name in passes linear in its
//     length and in the template's parts, then lists readings only
//     through positions that lead to a full match: a 4 KB name of free
//     or adjacent tokens reads in under a millisecond. Paths of more
//     than 8,192 bytes are not read, and the work of one Parse is
//     bounded (2^22 cells of its passes and bytes of what it remembers,
//     some milliseconds and megabytes): a
//     path whose folders split so many ways that the bound is reached is
//     a truncated *AmbiguousError with the readings found so far, never
//     a stall.
//   - Names: MaxName, 255 bytes (255 UTF-16 units on Windows). Paths:
//     MaxPathLinux 4,095 bytes, MaxPathDarwin 1,023, MaxPathWindows 259
//     UTF-16 units (MaxPathWindowsLong, 32,767, under a \\?\ root),
//     applied with RenderOptions.OS windows and by Roots.ToOS (a Windows
//     mountpoint alone gets Windows' name rules: Windows lifts MAX_PATH
//     when long paths are enabled). Render checks what it returns (the extension, which it leaves
//     out, counts against the limit when the file is written);
//     Roots.ToOS checks the platform path it makes.
//   - Tree and roots files: MaxFileSize, 16 MiB, regular files only (a
//     FIFO, a device such as /dev/zero or a folder is refused before it
//     is read); their JSON is read strictly: a duplicate key at any
//     depth, data after the object, invalid UTF-8 or a lone UTF-16
//     surrogate (\ud800) is an error with its line and column.
//   - Check and lenient loads list MaxIssues (1,000) problems at most,
//     then say how many more there were; the first a load refuses the
//     tree for is always kept.
//   - Default returns a new copy on each call, and every method of a nil
//     *Tree or of a hand-built one with nil or missing parts returns an
//     error.
package filetree
