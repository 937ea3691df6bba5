package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/filetree/kitsutree"
	"github.com/kpublish/kpublish/internal/config"
	"github.com/kpublish/kpublish/kitsu"
)

type pathFlags struct {
	tree, mode, sep, roots, goos         string
	jsonOut                              bool
	project, episode, sequence, shot     string
	scene, assetType, asset, inAsset     string
	inAssetType, instance                string
	instanceNumber                       int
	taskType, task, department, software string
	outputType, name, representation     string
	revision, nbElements                 int
	set                                  []string
	// online
	taskID, entityID, assetInstanceID string
	noCache                           bool
	cacheTTL                          time.Duration
}

const pathHelp = `Render the folder and file name of a working or output file, byte for byte
as the Kitsu server would.

Offline (no server): give the names, with --tree FILE or kpublish's default
tree. The entity kind follows from the most specific flag: --instance, then
--shot, --scene, --asset, --sequence, --episode. An asset instance needs
--asset (and --asset-type), the asset it instantiates, and the entity it is
in: --shot, --scene, --sequence, or --in-asset and --in-asset-type for an
instance placed in another asset (the tree's instance_asset templates).

  kpublish path output --project Cosmos --in-asset Forest --in-asset-type Sets \
      --asset Tree --asset-type Props --instance Tree_0002 --instance-number 2 \
      --task-type Layout --output-type Cache --revision 4

--revision is 1 unless given; offline it must be 1 or more. Online, 0 (or
"next") asks Kitsu for the next revision, as Zou does. --name "" drops the
name as Zou does (the default is "main"); an --instance given empty is
refused where the tree shows the instance's name.

  kpublish path working --project "Big Buck Bunny" --sequence SQ01 --shot SH010 \
      --task-type Animation --software Maya --revision 3
  kpublish path output --project Cosmos --asset-type Props --asset Tree \
      --task-type Modeling --output-type Cache --revision 12 --json

Online (KITSU_HOST and credentials in the environment): give ids; the
project's tree is read from Kitsu and the path is computed locally.

  kpublish path working --task TASK_ID --software Maya --revision 4
  kpublish path output --task TASK_ID --output-type Cache --revision 2
  kpublish path output --entity SHOT_ID --output-type Cache --task-type Animation

A task's path costs one request: the task with its entity, project and
tree (GET /data/tasks/{id}/full), which also tells whether anything
changed; the software or output type is looked up at the same time the
first time, then kept in a cache private to the user (kpublish/kitsu in the
user's cache folder, or $KPUBLISH_CACHE_DIR) for an hour. --cache-ttl 10m
uses what the cache holds for ten minutes with no request at all (a change
made in Kitsu meanwhile is not seen; config.json's "cache_ttl" is the
default); --no-cache reads everything from
Kitsu and writes nothing. A cache folder or file that others may read or
write, or that another user owns, is ignored with a warning.
--revision 0 always asks Kitsu.

--set Token.field=value sets any value directly, such as --set Project.id=...,
--set TaskType.short_name=anim, --set Instance.number=3. A token naming the
entity the path is for sets that entity, whatever its kind: --set
Sequence.id=... for a sequence's path, --set Episode.id=... for an
episode's, --set Shot.id=..., --set Asset.id=... (for an instance, the
instantiated asset); --set TemporalEntity.id=... always sets the entity.
With --roots FILE --os windows the path is written for that platform
(--os alone uses config.json's "roots").`

func newPathCmd() *cobra.Command {
	f := &pathFlags{}
	cmd := &cobra.Command{
		Use:       "path working|output",
		Short:     "Render a working or output file path from the file tree",
		Long:      pathHelp,
		Args:      cobra.MatchAll(cobra.ExactArgs(1), cobra.OnlyValidArgs),
		ValidArgs: []string{"working", "output"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPath(cmd, f, args[0])
		},
	}
	cmd.SetFlagErrorFunc(flagErr)
	fl := cmd.Flags()
	fl.StringVar(&f.tree, "tree", "", `tree file, or "default" (kpublish's own tree; the default offline)`)
	fl.StringVar(&f.mode, "mode", "", "tree mode (default: working or output)")
	fl.StringVar(&f.sep, "sep", "/", "separator joining folders")
	fl.StringVar(&f.roots, "roots", "", "roots file mapping tree mountpoints to per-platform roots")
	fl.StringVar(&f.goos, "os", "", "write the path for this platform (linux, darwin, windows); needs --roots")
	fl.BoolVar(&f.jsonOut, "json", false, "print one JSON object")
	fl.StringVar(&f.project, "project", "", "project name")
	fl.StringVar(&f.episode, "episode", "", "episode name")
	fl.StringVar(&f.sequence, "sequence", "", "sequence name")
	fl.StringVar(&f.shot, "shot", "", "shot name")
	fl.StringVar(&f.scene, "scene", "", "scene name")
	fl.StringVar(&f.assetType, "asset-type", "", "asset type name")
	fl.StringVar(&f.asset, "asset", "", "asset name")
	fl.StringVar(&f.inAsset, "in-asset", "", "with --instance: the asset the instance is placed in")
	fl.StringVar(&f.inAssetType, "in-asset-type", "", "with --in-asset: that asset's type (<TemporalEntityType>)")
	fl.StringVar(&f.instance, "instance", "", "asset instance name (Tree_0001); not given, the number is shown")
	fl.IntVar(&f.instanceNumber, "instance-number", 0, "asset instance number, 0 or more")
	fl.StringVar(&f.taskType, "task-type", "", "task type name (online: name or id)")
	fl.StringVar(&f.task, "task", "", "task name offline; task id online (working files, and outputs of the task)")
	fl.StringVar(&f.department, "department", "", "department name")
	fl.StringVar(&f.software, "software", "", "software name (online: name or id)")
	fl.StringVar(&f.outputType, "output-type", "", "output type name (online: name or id)")
	fl.StringVar(&f.name, "name", "main", `file name part (<Name>); "" drops it, as Zou does`)
	f.revision = 1
	fl.Var(revisionValue{&f.revision}, "revision", `revision, 1 or more; online, 0 or "next" asks Kitsu for the next one`)
	fl.StringVar(&f.representation, "representation", "", "representation (output folders)")
	fl.IntVar(&f.nbElements, "nb-elements", 1, "number of elements, 1 or more: above 1 adds _[1-N]")
	fl.StringArrayVar(&f.set, "set", nil, "Token.field=value, repeatable")
	fl.StringVar(&f.entityID, "entity", "", "online: id of the entity whose output path to render")
	fl.StringVar(&f.assetInstanceID, "asset-instance", "", "online: asset instance id (with --entity: the entity it is in)")
	fl.BoolVar(&f.noCache, "no-cache", false, "online: read everything from Kitsu; neither read nor write the cache")
	fl.DurationVar(&f.cacheTTL, "cache-ttl", 0, "online: use what the cache holds, with no request, if written less than this ago (10m, 1h)")
	return cmd
}

// revisionValue is the --revision flag: a whole number, or "next" for 0.
// Its range is checked with the --set values, so that a wrong revision
// is refused the same way whichever flag carries it.
type revisionValue struct{ n *int }

func (v revisionValue) String() string {
	if v.n == nil {
		return "1"
	}
	return strconv.Itoa(*v.n)
}

func (v revisionValue) Set(s string) error {
	n, err := parseRevision(s)
	if err != nil {
		return err
	}
	*v.n = n
	return nil
}

// parseRevision reads a revision: a whole number, or "next" for 0.
func parseRevision(s string) (int, error) {
	if s == "next" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, errors.New(`want a whole number, or "next"`)
	}
	return n, nil
}

func (v revisionValue) Type() string { return "int|next" }

// revision returns the revision the path is for: --revision, or the last
// --set Revision= or Version=, which win as every --set does. It is
// refused when negative, and offline when 0: only Kitsu knows the next
// revision.
func revision(f *pathFlags, online bool) (int, error) {
	rev, from := f.revision, fmt.Sprintf("--revision %d", f.revision)
	for _, s := range f.set {
		key, value, ok := strings.Cut(s, "=")
		token, _, _ := strings.Cut(key, ".")
		if !ok || token != string(filetree.TokRevision) && token != string(filetree.TokVersion) {
			continue
		}
		v, err := parseRevision(value)
		if err != nil {
			return 0, inputErrf("--set %q: revision %q: %v", s, value, err)
		}
		rev, from = v, fmt.Sprintf("--set %q", s)
	}
	switch {
	case rev < 0:
		return 0, inputErrf("%s: want a revision of 1 or more (online, 0 for the next one)", from)
	case rev == 0 && !online:
		return 0, inputErrf("%s: offline, give a revision of 1 or more; 0 means the next revision, which only Kitsu knows: use --task TASK_ID (or --entity ENTITY_ID) with KITSU_HOST", from)
	}
	return rev, nil
}

// checkNumbers refuses the numbers no path can have.
func checkNumbers(f *pathFlags) error {
	if f.instanceNumber < 0 {
		return inputErrf("--instance-number %d: want 0 or more", f.instanceNumber)
	}
	if f.nbElements < 1 {
		return inputErrf("--nb-elements %d: want 1 or more", f.nbElements)
	}
	return nil
}

func runPath(cmd *cobra.Command, f *pathFlags, what string) error {
	purpose := filetree.Working
	if what == "output" {
		purpose = filetree.Output
	}
	if f.goos != "" && f.roots == "" {
		cfg, err := config.Load()
		if err != nil {
			return inputErr(err)
		}
		f.roots = cfg.Roots
	}
	if (f.goos == "") != (f.roots == "") {
		return usageErr("--os and --roots go together")
	}
	online := f.entityID != "" || looksLikeID(f.task)
	if err := checkNumbers(f); err != nil {
		return err
	}
	rev, err := revision(f, online)
	if err != nil {
		return err
	}
	fl := cmd.Flags()
	emptyName := fl.Changed("name") && f.name == ""
	emptyInstance := fl.Changed("instance") && f.instance == ""
	var (
		tree     *filetree.Tree
		ctx      *filetree.Context
		treeName string
	)
	if online {
		tree, ctx, treeName, err = onlineContext(cmd, f, purpose, rev)
	} else {
		tree, treeName, err = loadTree(cmd, f.tree)
		if err == nil {
			ctx, err = offlineContext(f, purpose, rev, emptyInstance)
		}
	}
	if err != nil {
		return err
	}
	ctx.EmptyName = emptyName
	for _, s := range f.set {
		if err := applySet(ctx, s); err != nil {
			return err
		}
	}
	p, err := tree.Render(purpose, ctx, &filetree.RenderOptions{Mode: f.mode, Sep: f.sep, NbElements: f.nbElements})
	if err != nil {
		return inputErr(renderHint(err, f, ctx))
	}
	full := p.Full()
	if f.goos != "" {
		roots, err := filetree.LoadRoots(f.roots)
		if err != nil {
			return inputErr(err)
		}
		if full, err = roots.ToOS(full, f.goos); err != nil {
			return inputErr(err)
		}
		folder := full[:len(full)-len(p.FileName)-1]
		p = filetree.Path{Folder: folder, FileName: p.FileName, Sep: filetree.Sep(f.goos)}
	}
	if needsEscape(full) {
		return inputErrf("the path %q holds a control character (from the tree's mountpoint or root): no file can be put there safely", full)
	}
	mode := f.mode
	if mode == "" {
		mode = what
	}
	if f.jsonOut {
		return writeJSON(cmd.OutOrStdout(), map[string]any{
			"path": full, "folder_path": p.Folder, "file_name": p.FileName,
			"mode": mode, "kind": ctx.Kind, "tree": treeName, "revision": ctx.Revision,
		})
	}
	fmt.Fprintln(cmd.OutOrStdout(), full)
	return nil
}

// loadTree loads --tree: the default tree, or a file read as Zou reads
// templates, printing on stderr a warning for each token it repaired or
// kept and each key it ignored; with --strict, a file with any of them
// is refused (exit 3).
func loadTree(cmd *cobra.Command, spec string) (*filetree.Tree, string, error) {
	if spec == "" || spec == "default" {
		return filetree.Default(), "default", nil
	}
	load := filetree.LoadFileLenient
	if strict, _ := cmd.Flags().GetBool("strict"); strict {
		load = filetree.LoadFile
	}
	t, err := load(spec)
	if err != nil {
		return nil, "", inputErr(err)
	}
	printWarnings(cmd.ErrOrStderr(), spec, t.Warnings)
	return t, spec, nil
}

func named(name string) filetree.Named { return filetree.Named{Name: name} }

// renderHint adds to a render error the flag that would give the value
// missing.
func renderHint(err error, f *pathFlags, c *filetree.Context) error {
	var re *filetree.RenderError
	if !errors.As(err, &re) {
		return err
	}
	tok, _, _ := strings.Cut(re.Token, ".")
	switch {
	case tok == string(filetree.TokTemporalEntityType) && c.Kind == filetree.KindInstanceAsset && f.inAssetType == "":
		return fmt.Errorf("%w (give --in-asset-type, the type of the asset the instance is placed in)", err)
	case tok == string(filetree.TokInstance) && c.Instance.EmptyName:
		return fmt.Errorf("%w (omit --instance to show the number)", err)
	}
	return err
}

func offlineContext(f *pathFlags, purpose filetree.Purpose, rev int, emptyInstance bool) (*filetree.Context, error) {
	if f.project == "" {
		return nil, usageErr("--project is required (or --task/--entity ids with KITSU_HOST for online paths)")
	}
	c := &filetree.Context{
		Project: named(f.project), Task: named(f.task), TaskType: named(f.taskType),
		Department: named(f.department), Software: named(f.software), OutputType: named(f.outputType),
		Sequence: named(f.sequence), Episode: named(f.episode), AssetType: named(f.assetType),
		Name: f.name, Revision: rev, Representation: f.representation,
	}
	if purpose == filetree.Working && f.task == "" {
		c.Task = named("main")
	}
	entity := func(kind filetree.Kind, name, typeName string) {
		c.Kind, c.EntityKind = kind, kind
		c.Entity, c.EntityType = named(name), named(typeName)
	}
	isInstance := f.instance != "" || f.instanceNumber > 0 || emptyInstance
	if !isInstance && (f.inAsset != "" || f.inAssetType != "") {
		return nil, usageErr("--in-asset and --in-asset-type go with --instance or --instance-number")
	}
	if f.inAssetType != "" && f.inAsset == "" {
		return nil, usageErr("--in-asset-type goes with --in-asset (the asset the instance is placed in)")
	}
	switch {
	case isInstance:
		if f.asset == "" {
			return nil, usageErr("--instance needs --asset (the instantiated asset)")
		}
		switch {
		case f.inAsset != "":
			entity(filetree.KindAsset, f.inAsset, f.inAssetType)
		case f.shot != "":
			entity(filetree.KindShot, f.shot, "Shot")
		case f.scene != "":
			entity(filetree.KindScene, f.scene, "Scene")
		case f.sequence != "":
			entity(filetree.KindSequence, f.sequence, "Sequence")
		default:
			return nil, usageErr("--instance needs the entity it is in: --shot, --scene, --sequence or --in-asset")
		}
		c.Kind = filetree.KindInstance
		if f.inAsset != "" {
			c.Kind = filetree.KindInstanceAsset
		}
		c.Asset = named(f.asset)
		c.Instance = filetree.Instance{Name: f.instance, Number: f.instanceNumber, EmptyName: emptyInstance}
	case f.shot != "":
		entity(filetree.KindShot, f.shot, "Shot")
	case f.scene != "":
		entity(filetree.KindScene, f.scene, "Scene")
	case f.asset != "":
		entity(filetree.KindAsset, f.asset, f.assetType)
	case f.sequence != "":
		entity(filetree.KindSequence, f.sequence, "Sequence")
	case f.episode != "":
		entity(filetree.KindEpisode, f.episode, "Episode")
	default:
		return nil, usageErr("name the entity: --shot, --scene, --asset, --sequence, --episode or --instance")
	}
	return c, nil
}

// applySet sets one value from --set Token.field=value. A --set that is
// not of that form, or names an unknown token or field, is a usage error;
// a value that is wrong is an input error, as from any other flag.
func applySet(c *filetree.Context, s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok {
		return usageErr("--set %q: want Token.field=value", s)
	}
	token, field, _ := strings.Cut(key, ".")
	if field == "" {
		field = filetree.FieldName
	}
	kind := c.Kind
	if kind == filetree.KindInstance || kind == filetree.KindInstanceAsset {
		kind = c.EntityKind
	}
	// The records the token shows: the entity itself when the token names
	// the entity's own kind, as the renderer reads it.
	var n []*filetree.Named
	switch filetree.Token(token) {
	case filetree.TokProject:
		n = []*filetree.Named{&c.Project}
	case filetree.TokTask:
		n = []*filetree.Named{&c.Task}
	case filetree.TokTaskType:
		n = []*filetree.Named{&c.TaskType}
	case filetree.TokDepartment:
		n = []*filetree.Named{&c.Department}
	case filetree.TokShot, filetree.TokTemporalEntity, filetree.TokScene:
		n = []*filetree.Named{&c.Entity}
	case filetree.TokTemporalEntityType:
		n = []*filetree.Named{&c.EntityType}
	case filetree.TokSequence:
		n = []*filetree.Named{&c.Sequence}
		if kind == filetree.KindSequence {
			n = append(n, &c.Entity)
		}
	case filetree.TokEpisode:
		n = []*filetree.Named{&c.Episode}
		if kind == filetree.KindEpisode {
			n = append(n, &c.Entity)
		}
	case filetree.TokAsset:
		n = []*filetree.Named{&c.Asset}
		if c.Kind != filetree.KindInstance && c.Kind != filetree.KindInstanceAsset {
			n = []*filetree.Named{&c.Entity}
		}
	case filetree.TokAssetType:
		n = []*filetree.Named{&c.AssetType}
	case filetree.TokSoftware:
		n = []*filetree.Named{&c.Software}
	case filetree.TokOutputType:
		n = []*filetree.Named{&c.OutputType}
	case filetree.TokInstance:
		switch field {
		case filetree.FieldNumber:
			v, err := strconv.Atoi(value)
			if err != nil || v < 0 {
				return inputErrf("--set %q: instance number %q: want a whole number, 0 or more", s, value)
			}
			c.Instance.Number = v
		case filetree.FieldID:
			c.Instance.ID = value
		default:
			c.Instance.Name, c.Instance.EmptyName = value, value == ""
		}
		return nil
	case filetree.TokRepresentation:
		c.Representation = value
		return nil
	case filetree.TokName, filetree.TokOutputFile, filetree.TokWorkingFile:
		c.Name, c.EmptyName = value, value == ""
		return nil
	case filetree.TokVersion, filetree.TokRevision:
		return nil // read and checked first, by revision
	default:
		return usageErr("--set %q: unknown token %q (want one of %s)", s, token, tokenNames())
	}
	for _, r := range n {
		switch field {
		case filetree.FieldShortName:
			r.ShortName = value
		case filetree.FieldID:
			r.ID = value
		case filetree.FieldName:
			r.Name = value
		default:
			return usageErr("--set %q: field %q: want name, short_name or id", s, field)
		}
	}
	return nil
}

func tokenNames() string {
	names := make([]string, len(filetree.Tokens))
	for i, t := range filetree.Tokens {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// looksLikeID reports whether s is written as a UUID (an id, not a name).
var looksLikeID = kitsutree.LooksLikeID

// newSource returns the source of online contexts: with the disk cache
// unless --no-cache, a refused cache said in one line on stderr.
func newSource(cmd *cobra.Command, f *pathFlags, c *kitsu.Client) (*kitsutree.Source, error) {
	if !f.noCache && !cmd.Flags().Changed("cache-ttl") {
		cfg, err := config.Load()
		if err != nil {
			return nil, inputErr(err)
		}
		f.cacheTTL = cfg.CacheTTL
	}
	if f.cacheTTL < 0 {
		return nil, inputErrf("--cache-ttl %s: want 0 or more (0 checks with Kitsu every time)", f.cacheTTL)
	}
	if f.noCache {
		if f.cacheTTL > 0 {
			return nil, usageErr("--no-cache and --cache-ttl: give one")
		}
		return kitsutree.NewSource(c), nil
	}
	stderr := cmd.ErrOrStderr()
	return kitsutree.NewCachedSource(c, &kitsutree.CacheOptions{
		TTL:  f.cacheTTL,
		Warn: func(msg string) { fmt.Fprintf(stderr, "kpublish: warning: %s\n", escapeControls(msg)) },
	}), nil
}

// onlineContext reads the context and the project's tree from Kitsu: for
// a task, one request (the task with its entity, project and tree), and
// at the same time the software or output type, the first time only; see
// --no-cache.
func onlineContext(cmd *cobra.Command, f *pathFlags, purpose filetree.Purpose, rev int) (*filetree.Tree, *filetree.Context, string, error) {
	c, err := onlineClient(cmd.Context())
	if err != nil {
		return nil, nil, "", err
	}
	src, err := newSource(cmd, f, c)
	if err != nil {
		return nil, nil, "", err
	}
	var given *filetree.Tree
	treeName := "kitsu"
	if f.tree != "" {
		if given, treeName, err = loadTree(cmd, f.tree); err != nil {
			return nil, nil, "", err
		}
	}
	switch {
	case purpose == filetree.Working && f.task == "":
		return nil, nil, "", usageErr("path working online needs --task TASK_ID")
	case purpose == filetree.Output && f.entityID != "" && looksLikeID(f.task):
		return nil, nil, "", usageErr("path output online: give --task TASK_ID or --entity ENTITY_ID, not both")
	case purpose == filetree.Output && f.entityID == "" && (f.outputType == "" || f.taskType != ""):
		return nil, nil, "", usageErr("path output --task TASK_ID needs --output-type, and no --task-type (the task's own)")
	case purpose == filetree.Output && f.entityID != "" && (f.outputType == "" || f.taskType == ""):
		return nil, nil, "", usageErr("path output online needs --entity, --output-type and --task-type (or --task TASK_ID and --output-type)")
	}
	ctx := cmd.Context()
	var fc *filetree.Context
	switch {
	case purpose == filetree.Working:
		// The software is looked up while the task is read.
		fc, err = src.WorkingContext(ctx, f.task, &kitsutree.WorkingOptions{Software: f.software, Name: f.name, Revision: rev, Tree: given})
	case f.entityID == "":
		// The output of a task: its entity, made by its task type.
		opts := &kitsutree.OutputOptions{Name: f.name, Representation: f.representation, Revision: rev, Tree: given}
		fc, err = src.TaskOutputContext(ctx, f.task, f.outputType, opts)
	default:
		otID, err1 := src.OutputTypeID(ctx, f.outputType)
		ttID, err2 := src.TaskTypeID(ctx, f.taskType)
		if err := errors.Join(err1, err2); err != nil {
			return nil, nil, "", classify(err)
		}
		opts := &kitsutree.OutputOptions{Name: f.name, Representation: f.representation, Revision: rev, Tree: given}
		if f.assetInstanceID != "" {
			fc, err = src.InstanceOutputContext(ctx, f.assetInstanceID, f.entityID, otID, ttID, opts)
		} else {
			fc, err = src.OutputContext(ctx, f.entityID, otID, ttID, opts)
		}
	}
	if err != nil {
		return nil, nil, "", classify(err)
	}
	if given != nil {
		return given, fc, treeName, nil
	}
	t, err := src.Tree(ctx, fc.Project.ID)
	if err != nil {
		return nil, nil, "", classify(err)
	}
	return t, fc, treeName, nil
}
