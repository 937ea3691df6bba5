package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kpublish/kpublish/filetree"
	"github.com/kpublish/kpublish/filetree/kitsutree"
)

type pathFlags struct {
	tree, mode, sep, roots, goos         string
	jsonOut                              bool
	project, episode, sequence, shot     string
	scene, assetType, asset, inAsset     string
	instance                             string
	instanceNumber                       int
	taskType, task, department, software string
	outputType, name, representation     string
	revision, nbElements                 int
	set                                  []string
	// online
	taskID, entityID, assetInstanceID string
}

const pathHelp = `Render the folder and file name of a working or output file, byte for byte
as the Kitsu server would.

Offline (no server): give the names, with --tree FILE or kpublish's default
tree. The entity kind follows from the most specific flag: --instance, then
--shot, --scene, --asset, --sequence, --episode.

  kpublish path working --project "Big Buck Bunny" --sequence SQ01 --shot SH010 \
      --task-type Animation --software Maya --revision 3
  kpublish path output --project Cosmos --asset-type Props --asset Tree \
      --task-type Modeling --output-type Cache --revision 12 --json

Online (KITSU_HOST and credentials in the environment): give ids; the
project's tree is read from Kitsu and the path is computed locally.

  kpublish path working --task TASK_ID --software Maya --revision 4
  kpublish path output --entity SHOT_ID --output-type Cache --task-type Animation

--set Token.field=value sets any value directly, such as --set Project.id=...,
--set TaskType.short_name=anim, --set Instance.number=3.
With --roots FILE --os windows the path is written for that platform.`

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
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageErr("%v", err) })
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
	fl.StringVar(&f.instance, "instance", "", "asset instance name (Tree_0001)")
	fl.IntVar(&f.instanceNumber, "instance-number", 0, "asset instance number")
	fl.StringVar(&f.taskType, "task-type", "", "task type name (online: name or id)")
	fl.StringVar(&f.task, "task", "", "task name offline; task id online (working files)")
	fl.StringVar(&f.department, "department", "", "department name")
	fl.StringVar(&f.software, "software", "", "software name (online: name or id)")
	fl.StringVar(&f.outputType, "output-type", "", "output type name (online: name or id)")
	fl.StringVar(&f.name, "name", "main", "file name part (<Name>)")
	fl.IntVar(&f.revision, "revision", 1, "revision")
	fl.StringVar(&f.representation, "representation", "", "representation (output folders)")
	fl.IntVar(&f.nbElements, "nb-elements", 1, "number of elements: above 1 adds _[1-N]")
	fl.StringArrayVar(&f.set, "set", nil, "Token.field=value, repeatable")
	fl.StringVar(&f.entityID, "entity", "", "online: id of the entity whose output path to render")
	fl.StringVar(&f.assetInstanceID, "asset-instance", "", "online: asset instance id (with --entity: the entity it is in)")
	return cmd
}

func runPath(cmd *cobra.Command, f *pathFlags, what string) error {
	purpose := filetree.Working
	if what == "output" {
		purpose = filetree.Output
	}
	if f.revision < 0 {
		return inputErr(fmt.Errorf("--revision %d: want 0 or more", f.revision))
	}
	if (f.goos == "") != (f.roots == "") {
		return usageErr("--os and --roots go together")
	}
	var (
		tree     *filetree.Tree
		ctx      *filetree.Context
		treeName string
		err      error
	)
	online := f.entityID != "" || (purpose == filetree.Working && looksLikeID(f.task))
	if online {
		tree, ctx, treeName, err = onlineContext(cmd, f, purpose)
	} else {
		tree, treeName, err = loadTree(f.tree)
		if err == nil {
			ctx, err = offlineContext(f, purpose)
		}
	}
	if err != nil {
		return err
	}
	for _, s := range f.set {
		if err := applySet(ctx, s); err != nil {
			return usageErr("--set %s: %v", s, err)
		}
	}
	p, err := tree.Render(purpose, ctx, &filetree.RenderOptions{Mode: f.mode, Sep: f.sep, NbElements: f.nbElements})
	if err != nil {
		return inputErr(err)
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

func loadTree(spec string) (*filetree.Tree, string, error) {
	if spec == "" || spec == "default" {
		return filetree.Default(), "default", nil
	}
	t, err := filetree.LoadFile(spec)
	if err != nil {
		return nil, "", inputErr(err)
	}
	return t, spec, nil
}

func named(name string) filetree.Named { return filetree.Named{Name: name} }

func offlineContext(f *pathFlags, purpose filetree.Purpose) (*filetree.Context, error) {
	if f.project == "" {
		return nil, usageErr("--project is required (or --task/--entity ids with KITSU_HOST for online paths)")
	}
	c := &filetree.Context{
		Project: named(f.project), Task: named(f.task), TaskType: named(f.taskType),
		Department: named(f.department), Software: named(f.software), OutputType: named(f.outputType),
		Sequence: named(f.sequence), Episode: named(f.episode), AssetType: named(f.assetType),
		Name: f.name, Revision: f.revision, Representation: f.representation,
	}
	if purpose == filetree.Working && f.task == "" {
		c.Task = named("main")
	}
	entity := func(kind filetree.Kind, name, typeName string) {
		c.Kind, c.EntityKind = kind, kind
		c.Entity, c.EntityType = named(name), named(typeName)
	}
	switch {
	case f.instance != "" || f.instanceNumber > 0:
		if f.asset == "" {
			return nil, usageErr("--instance needs --asset (the instantiated asset)")
		}
		switch {
		case f.inAsset != "":
			entity(filetree.KindAsset, f.inAsset, f.assetType)
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
		c.Instance = filetree.Instance{Name: f.instance, Number: f.instanceNumber}
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

// applySet sets one value from --set Token.field=value.
func applySet(c *filetree.Context, s string) error {
	key, value, ok := strings.Cut(s, "=")
	if !ok {
		return errors.New("want Token.field=value")
	}
	token, field, _ := strings.Cut(key, ".")
	if field == "" {
		field = filetree.FieldName
	}
	var n *filetree.Named
	switch filetree.Token(token) {
	case filetree.TokProject:
		n = &c.Project
	case filetree.TokTask:
		n = &c.Task
	case filetree.TokTaskType:
		n = &c.TaskType
	case filetree.TokDepartment:
		n = &c.Department
	case filetree.TokShot, filetree.TokTemporalEntity, filetree.TokScene:
		n = &c.Entity
	case filetree.TokTemporalEntityType:
		n = &c.EntityType
	case filetree.TokSequence:
		n = &c.Sequence
	case filetree.TokEpisode:
		n = &c.Episode
	case filetree.TokAsset:
		n = &c.Asset
		if c.Kind != filetree.KindInstance && c.Kind != filetree.KindInstanceAsset {
			n = &c.Entity
		}
	case filetree.TokAssetType:
		n = &c.AssetType
	case filetree.TokSoftware:
		n = &c.Software
	case filetree.TokOutputType:
		n = &c.OutputType
	case filetree.TokInstance:
		switch field {
		case filetree.FieldNumber:
			v, err := strconv.Atoi(value)
			if err != nil || v < 0 {
				return fmt.Errorf("instance number %q: want a whole number", value)
			}
			c.Instance.Number = v
		case filetree.FieldID:
			c.Instance.ID = value
		default:
			c.Instance.Name = value
		}
		return nil
	case filetree.TokRepresentation:
		c.Representation = value
		return nil
	case filetree.TokName, filetree.TokOutputFile, filetree.TokWorkingFile:
		c.Name = value
		return nil
	case filetree.TokVersion, filetree.TokRevision:
		v, err := strconv.Atoi(value)
		if err != nil || v < 0 {
			return fmt.Errorf("revision %q: want a whole number, 0 or more", value)
		}
		c.Revision = v
		return nil
	default:
		return fmt.Errorf("unknown token %q", token)
	}
	switch field {
	case filetree.FieldShortName:
		n.ShortName = value
	case filetree.FieldID:
		n.ID = value
	case filetree.FieldName:
		n.Name = value
	default:
		return fmt.Errorf("field %q: want name, short_name or id", field)
	}
	return nil
}

func looksLikeID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if r != '-' {
				return false
			}
		} else if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// onlineContext reads the context and the project's tree from Kitsu.
func onlineContext(cmd *cobra.Command, f *pathFlags, purpose filetree.Purpose) (*filetree.Tree, *filetree.Context, string, error) {
	c, err := onlineClient(cmd.Context())
	if err != nil {
		return nil, nil, "", err
	}
	src := kitsutree.NewSource(c)
	ctx := cmd.Context()
	var fc *filetree.Context
	switch {
	case purpose == filetree.Working:
		if f.task == "" {
			return nil, nil, "", usageErr("path working online needs --task TASK_ID")
		}
		swID := ""
		if f.software != "" {
			if swID, err = src.SoftwareID(ctx, f.software); err != nil {
				return nil, nil, "", classify(err)
			}
		}
		fc, err = src.WorkingContext(ctx, f.task, &kitsutree.WorkingOptions{SoftwareID: swID, Name: f.name, Revision: f.revision})
	default:
		if f.outputType == "" || f.taskType == "" {
			return nil, nil, "", usageErr("path output online needs --entity, --output-type and --task-type")
		}
		otID, err1 := src.OutputTypeID(ctx, f.outputType)
		ttID, err2 := src.TaskTypeID(ctx, f.taskType)
		if err := errors.Join(err1, err2); err != nil {
			return nil, nil, "", classify(err)
		}
		opts := &kitsutree.OutputOptions{Name: f.name, Representation: f.representation, Revision: f.revision}
		if f.assetInstanceID != "" {
			fc, err = src.InstanceOutputContext(ctx, f.assetInstanceID, f.entityID, otID, ttID, opts)
		} else {
			fc, err = src.OutputContext(ctx, f.entityID, otID, ttID, opts)
		}
	}
	if err != nil {
		return nil, nil, "", classify(err)
	}
	if f.tree != "" {
		t, name, err := loadTree(f.tree)
		return t, fc, name, err
	}
	t, err := src.Tree(ctx, fc.Project.ID)
	if err != nil {
		return nil, nil, "", classify(err)
	}
	return t, fc, "kitsu", nil
}
