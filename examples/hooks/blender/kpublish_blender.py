"""Blender add-on: publish the open scene as the next working revision of a Kitsu task.

File > Publish Working File (operator ``wm.kpublish_publish_working``) asks
kpublish for the path of the task's next working revision (the claim keeps
it for this save), saves the scene there and registers it in Kitsu. A plain
save (Ctrl-S) to a path kpublish claimed registers too: the ``save_post``
handler sees the claim file beside it.

The task is the scene's custom property ``kitsu_task_id``, else the
environment variable ``KITSU_TASK_ID``, else the add-on preference. The
kpublish.py module must be importable: put it in the ``addons/modules``
folder of Blender's user scripts (on sys.path even with --factory-startup),
or name its folder in ``KPUBLISH_PYTHONPATH``.
"""

import importlib
import os
import sys

import bpy
from bpy.app.handlers import persistent

bl_info = {
    "name": "kpublish",
    "author": "kpublish",
    "version": (1, 0, 0),
    "blender": (2, 93, 0),
    "location": "File > Publish Working File",
    "description": "Save the scene as the next working revision of a Kitsu task and register it",
    "category": "System",
}

#: The result of the last registration (operator or save handler), for
#: scripts and tests: a dict as kpublish.register returns, or None.
last_result = None
#: The text of the last error, or None.
last_error = None

_saving = False  # the operator's own save: the handler leaves it to the operator


def _kpublish():
    """Import kpublish.py: from KPUBLISH_PYTHONPATH, sys.path, or beside this file."""
    extra = [p for p in os.environ.get("KPUBLISH_PYTHONPATH", "").split(os.pathsep) if p]
    extra.append(os.path.dirname(os.path.abspath(__file__)))
    for p in extra:
        if p not in sys.path:
            sys.path.append(p)
    return importlib.import_module("kpublish")


def _prefs(context):
    addon = context.preferences.addons.get(__name__)
    return addon.preferences if addon else None


def _settings(context):
    """Return (task_id, software, name, binary, timeout) from the scene, the environment and the preferences."""
    prefs = _prefs(context)
    task_id = ""
    scene = context.scene
    if scene is not None and scene.get("kitsu_task_id"):
        task_id = str(scene["kitsu_task_id"])
    task_id = task_id or os.environ.get("KITSU_TASK_ID", "") or (prefs.task_id if prefs else "")
    software = (prefs.software if prefs else "") or "Blender"
    name = (prefs.working_name if prefs else "") or None
    binary = prefs.binary if prefs else ""
    timeout = prefs.timeout if prefs else 120.0
    return task_id.strip(), software, name, binary, timeout


def _use_binary(binary):
    if binary:
        os.environ["KPUBLISH_BIN"] = bpy.path.abspath(binary)


class KpublishPreferences(bpy.types.AddonPreferences):
    bl_idname = __name__

    task_id: bpy.props.StringProperty(
        name="Kitsu task id",
        description="Used when the scene has no kitsu_task_id property and KITSU_TASK_ID is not set")
    software: bpy.props.StringProperty(
        name="Software", default="Blender", description="The software's name in Kitsu")
    working_name: bpy.props.StringProperty(
        name="Working file name", default="", description="The working file's name (empty: main)")
    binary: bpy.props.StringProperty(
        name="kpublish binary", subtype="FILE_PATH",
        description="Empty: KPUBLISH_BIN, else kpublish beside kpublish.py, else on PATH")
    timeout: bpy.props.FloatProperty(name="Timeout (s)", default=120.0, min=1.0)

    def draw(self, context):
        for prop in ("task_id", "software", "working_name", "binary", "timeout"):
            self.layout.prop(self, prop)


class WM_OT_kpublish_publish_working(bpy.types.Operator):
    """Save the scene as the next working revision of the Kitsu task and register it"""

    bl_idname = "wm.kpublish_publish_working"
    bl_label = "Publish Working File"

    comment: bpy.props.StringProperty(name="Comment", default="")

    def execute(self, context):
        global _saving, last_result, last_error
        last_error = None
        task_id, software, name, binary, timeout = _settings(context)
        if not task_id:
            last_error = ("no Kitsu task: set the scene property kitsu_task_id, "
                          "the environment variable KITSU_TASK_ID or the add-on preference")
            self.report({"ERROR"}, last_error)
            return {"CANCELLED"}
        try:
            kp = _kpublish()
        except ImportError as e:
            last_error = "kpublish.py is not installed (%s): see examples/hooks/README.md" % e
            self.report({"ERROR"}, last_error)
            return {"CANCELLED"}
        _use_binary(binary)
        try:
            target = kp.print_path(task_id, software, name=name, timeout=timeout)
        except kp.KpublishError as e:
            last_error = str(e)
            self.report({"ERROR"}, "kpublish could not give a path: %s" % e)
            return {"CANCELLED"}
        _saving = True
        try:
            bpy.ops.wm.save_as_mainfile(filepath=target["path"], copy=False)
        finally:
            _saving = False
        try:
            last_result = kp.register(target["path"], comment=self.comment or None, timeout=timeout)
        except kp.PartlyDoneError as e:
            last_error = str(e)
            self.report({"ERROR"}, "saved but not registered, run Publish again: %s" % e)
            return {"CANCELLED"}
        except kp.KpublishError as e:
            last_error = str(e)
            self.report({"ERROR"}, "saved to %s but not registered: %s" % (target["path"], e))
            return {"CANCELLED"}
        self.report({"INFO"}, "Registered revision %d: %s" % (last_result["revision"], last_result["path"]))
        return {"FINISHED"}


@persistent
def _on_save_post(*_args):
    """Register a file saved at a path kpublish claimed (a plain Ctrl-S there)."""
    global last_result, last_error
    if _saving:
        return
    path = bpy.data.filepath
    try:
        kp = _kpublish()
    except ImportError as e:
        last_error = "kpublish.py is not installed (%s)" % e
        print("kpublish: %s: saves are not registered" % last_error, file=sys.stderr)
        return
    if not path or not kp.is_claimed(path):
        return
    _, _, _, binary, timeout = _settings(bpy.context)
    _use_binary(binary)
    try:
        last_result = kp.register(path, timeout=timeout)
        last_error = None
        print("kpublish: registered revision %d: %s" % (last_result["revision"], path))
    except kp.KpublishError as e:
        last_error = str(e)
        print("kpublish: %s saved but not registered: %s" % (path, e), file=sys.stderr)


def _menu(self, context):
    self.layout.separator()
    self.layout.operator(WM_OT_kpublish_publish_working.bl_idname)


_classes = (KpublishPreferences, WM_OT_kpublish_publish_working)


def register():
    for cls in _classes:
        bpy.utils.register_class(cls)
    bpy.types.TOPBAR_MT_file.append(_menu)
    if _on_save_post not in bpy.app.handlers.save_post:
        bpy.app.handlers.save_post.append(_on_save_post)


def unregister():
    if _on_save_post in bpy.app.handlers.save_post:
        bpy.app.handlers.save_post.remove(_on_save_post)
    bpy.types.TOPBAR_MT_file.remove(_menu)
    for cls in reversed(_classes):
        bpy.utils.unregister_class(cls)
