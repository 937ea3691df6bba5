"""Submit a Blender render and its publish to Kitsu to Tractor.

Tractor runs a task's commands after all of its subtasks are done, so the
publish is the command of the parent task and the frames are its
subtasks: once the last frame is rendered, the parent runs
``kpublish publish output DIR/render.<FRAMES>#.png --task ID --output-type OT
--json``, which publishes the frames as one output file (a sequence) of the
Kitsu task.

Usage::

    python submit_render_publish.py SCENE.blend FRAMES OUTPUT_DIR TASK_ID [OUTPUT_TYPE]
    python submit_render_publish.py /prod/sh010/light.blend 1001-1100 /renders/sh010 8d4c...-... Render

FRAMES: "1001-1100", "1-100x2" or "1,5,10" (kpublish's frame ranges). The
blades need ``blender`` and ``kpublish`` on PATH (or KPUBLISH_BIN), the
production storage mounted where the project's file tree says, and
KITSU_HOST and KITSU_TOKEN (a bot's token) in the blade's own environment,
not in the job (a spooled job's environment is readable by everyone).
"""

import os
import re
import sys

import tractor.api.author as author


def frame_list(spec):
    """The frames of "1001-1100", "1-100x2", "1,5,10" or "-10--1", in order."""
    frames = set()
    for chunk in spec.split(","):
        m = re.match(r"^(-?\d+)(?:-(-?\d+)(?:x(\d+))?)?$", chunk.strip())
        if not m or m.group(3) == "0":
            raise SystemExit("frame range %r: expected N, A-B or A-BxS" % spec)
        first = int(m.group(1))
        last = int(m.group(2)) if m.group(2) is not None else first
        step = int(m.group(3) or 1)
        lo, hi = min(first, last), max(first, last)
        frames.update(range(lo, hi + 1, step) if first <= last else range(first, lo - 1, -step))
    return sorted(frames)


def main(argv):
    if len(argv) not in (5, 6):
        raise SystemExit(__doc__)
    scene, frames, out_dir, task_id = argv[1:5]
    output_type = argv[5] if len(argv) == 6 else "Render"
    kpublish = os.environ.get("KPUBLISH_BIN", "kpublish")

    job = author.Job(title="render and publish " + os.path.basename(scene), priority=100,
                     service="blender")
    publish = author.Task(title="publish to Kitsu")
    publish.addCommand(author.Command(argv=[
        kpublish, "publish", "output", "%s/render.%s#.png" % (out_dir, frames),
        "--task", task_id, "--output-type", output_type,
        "--comment", "rendered on Tractor", "--json"]))
    for frame in frame_list(frames):
        render = author.Task(title="render frame %d" % frame)
        render.addCommand(author.Command(argv=[
            "blender", "-b", "-noaudio", scene, "-o", out_dir + "/render.####",
            "-F", "PNG", "-x", "1", "-f", str(frame)]))
        publish.addChild(render)
    job.addChild(publish)
    print(job.asTcl())
    print("spooled job", job.spool())


if __name__ == "__main__":
    main(sys.argv)
