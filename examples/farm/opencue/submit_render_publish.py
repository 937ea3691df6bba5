"""Submit a Blender render and its publish to Kitsu to OpenCue.

Two layers of one job, with pyoutline (OpenCue's job API):

- "render": one frame per task, ``blender -b -noaudio SCENE -o DIR/render.#### -f #IFRAME#``;
- "publish": one task, after every frame of "render" (a layer-on-layer
  dependency): ``kpublish publish output DIR/render.<FRAMES>#.png --task ID
  --output-type OT --json``, which publishes the frames as one output file
  (a sequence) of the Kitsu task.

Usage::

    python submit_render_publish.py SCENE.blend FRAMES OUTPUT_DIR TASK_ID [OUTPUT_TYPE]
    python submit_render_publish.py /prod/sh010/light.blend 1001-1100 /renders/sh010 8d4c...-... Render

FRAMES is an OpenCue frame range that kpublish reads too: "1001-1100",
"1-100x2" or "1,5,10". The hosts (RQD) need ``blender`` and ``kpublish`` on
PATH (or KPUBLISH_BIN), the production storage mounted where the project's
file tree says, and KITSU_HOST and KITSU_TOKEN (a bot's token) in RQD's
own environment (its service unit): a layer's environment is stored with
the job and shown to everyone, so it must not carry the token.
"""

import getpass
import os
import sys

from outline import Outline, cuerun
from outline.depend import DependType
from outline.modules.shell import Shell


def main(argv):
    if len(argv) not in (5, 6):
        raise SystemExit(__doc__)
    scene, frames, out_dir, task_id = argv[1:5]
    output_type = argv[5] if len(argv) == 6 else "Render"
    kpublish = os.environ.get("KPUBLISH_BIN", "kpublish")

    job = Outline(
        "kpublish_render_" + task_id[:8],
        show=os.environ.get("CUE_SHOW", "testing"),
        shot=os.environ.get("CUE_SHOT", "default"),
        user=getpass.getuser(),
    )
    render = Shell(
        "render",
        command=["blender", "-b", "-noaudio", scene, "-o", out_dir + "/render.####",
                 "-F", "PNG", "-x", "1", "-f", "#IFRAME#"],
        range=frames,
    )
    publish = Shell(
        "publish",
        command=[kpublish, "publish", "output", "%s/render.%s#.png" % (out_dir, frames),
                 "--task", task_id, "--output-type", output_type,
                 "--comment", "rendered on OpenCue", "--json"],
        range="1",
    )
    publish.depend_on(render, DependType.LayerOnLayer)
    job.add_layer(render)
    job.add_layer(publish)
    for launched in cuerun.launch(job, use_pycuerun=False):
        print("submitted", launched.name())


if __name__ == "__main__":
    main(sys.argv)
