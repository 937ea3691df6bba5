"""Run inside Blender: blender -b --factory-startup --python-exit-code 1 --python blender_publish.py

The add-on must be installed the way examples/hooks/README.md says
(BLENDER_USER_SCRIPTS/addons/kpublish_blender.py and
BLENDER_USER_SCRIPTS/addons/modules/kpublish.py).
It publishes the scene three times for the task KPUBLISH_TEST_TASK: twice
with the operator (the task from the scene property, then from
KITSU_TASK_ID), once with a plain save to a claimed path (the save_post
handler registers it); then a plain save elsewhere registers nothing, and
without a task the operator refuses. It
writes what happened as JSON to KPUBLISH_TEST_OUT.
"""

import json
import os

import addon_utils
import bpy

out = os.environ["KPUBLISH_TEST_OUT"]
task_id = os.environ["KPUBLISH_TEST_TASK"]

mod = addon_utils.enable("kpublish_blender", default_set=True, handle_error=None)
assert mod is not None, "the add-on kpublish_blender did not load"
assert "kpublish_blender" in bpy.context.preferences.addons, "the add-on is not enabled"
assert hasattr(bpy.ops.wm, "kpublish_publish_working"), "the operator is not registered"
import kpublish  # installed in BLENDER_USER_SCRIPTS/addons/modules

bpy.context.scene["kitsu_task_id"] = task_id
saves = []


def add_cubes(n):
    # Each revision holds more objects, so each file differs.
    for i in range(n):
        bpy.ops.mesh.primitive_cube_add(location=(i * 3.0, len(saves) * 3.0, 0))


prefs = bpy.context.preferences.addons["kpublish_blender"].preferences
assert prefs.software == "Blender", prefs.software
for i, where in enumerate(("scene property", "KITSU_TASK_ID")):
    if where == "KITSU_TASK_ID":  # the second revision finds its task in the environment
        del bpy.context.scene["kitsu_task_id"]
        os.environ["KITSU_TASK_ID"] = task_id
    add_cubes(i + 1)
    res = bpy.ops.wm.kpublish_publish_working(comment="blender test %d" % (i + 1))
    assert res == {"FINISHED"}, (res, mod.last_error)
    assert bpy.data.filepath == mod.last_result["path"], (bpy.data.filepath, mod.last_result)
    saves.append({"how": "operator", "task_from": where, "path": bpy.data.filepath,
                  "size": os.path.getsize(bpy.data.filepath), "result": mod.last_result})

# A plain save to a path kpublish claimed: the save_post handler registers it.
add_cubes(3)
target = kpublish.print_path(task_id, "Blender")
assert kpublish.is_claimed(target["path"]), target
mod.last_result = None
bpy.ops.wm.save_as_mainfile(filepath=target["path"])
assert mod.last_result is not None, ("the save_post handler registered nothing", mod.last_error)
assert not kpublish.is_claimed(target["path"]), "the claim is still there"
saves.append({"how": "save_post", "path": target["path"], "size": os.path.getsize(target["path"]),
              "result": mod.last_result, "claim": target["claim"]})

# A plain save to a path nobody claimed registers nothing.
mod.last_result = None
elsewhere = os.path.join(os.path.dirname(out), "elsewhere.blend")
bpy.ops.wm.save_as_mainfile(filepath=elsewhere)
assert mod.last_result is None, mod.last_result
assert mod.last_error is None, mod.last_error

# No task anywhere: the operator refuses with a clear error.
os.environ.pop("KITSU_TASK_ID", None)
try:
    bpy.ops.wm.kpublish_publish_working()
    refused = None
except RuntimeError as e:  # an operator's ERROR report raises in background mode
    refused = str(e)
assert mod.last_error and "no Kitsu task" in mod.last_error, mod.last_error
no_task_error = mod.last_error

# The add-on preference is the last place the task is looked for.
prefs.task_id = task_id
assert mod._settings(bpy.context)[0] == task_id
bpy.context.scene["kitsu_task_id"] = "from-the-scene"
assert mod._settings(bpy.context)[0] == "from-the-scene", "the scene property comes first"

addon_utils.disable("kpublish_blender", default_set=True)
assert mod._on_save_post not in bpy.app.handlers.save_post, "unregister left the handler"

with open(out, "w") as f:
    json.dump({"saves": saves, "refused": refused, "no_task_error": no_task_error}, f, indent=1)
print("kpublish blender test: done")
