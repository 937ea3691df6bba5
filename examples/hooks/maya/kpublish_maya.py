"""Maya: publish the open scene as the next working revision of a Kitsu task.

Put this file and kpublish.py in a folder on Maya's PYTHONPATH (for
example ~/maya/scripts), then in userSetup.py::

    import maya.utils
    import kpublish_maya
    maya.utils.executeDeferred(kpublish_maya.install)

install() adds Kitsu > Publish Working File to the main menu bar and an
after-save callback: a plain save (Ctrl-S) to a path kpublish claimed
registers the file too. A shelf button needs one line::

    import kpublish_maya; kpublish_maya.publish_working()

The task is the task_id argument, else the environment variable
KITSU_TASK_ID, else the scene's fileInfo "kitsu_task_id".
"""

import os
import sys

import kpublish

SOFTWARE = os.environ.get("KPUBLISH_MAYA_SOFTWARE", "Maya")

_callbacks = []
_publishing = False  # publish_working's own save: it registers the file itself


def _cmds():
    from maya import cmds
    return cmds


def task_id_of_scene():
    """Return the scene's task: KITSU_TASK_ID, else fileInfo "kitsu_task_id", else ""."""
    task_id = os.environ.get("KITSU_TASK_ID", "")
    if not task_id:
        found = _cmds().fileInfo("kitsu_task_id", query=True) or []
        task_id = found[0] if found else ""
    return task_id.strip()


def publish_working(task_id=None, software=SOFTWARE, name=None, comment=None):
    """Save the scene at the path of the task's next working revision and
    register it; return what kpublish.register returns.

    Raises kpublish.KpublishError (or one of its classes) when kpublish
    refuses; kpublish.PartlyDoneError means saved but not registered: call
    again with the same arguments.
    """
    cmds = _cmds()
    task_id = task_id or task_id_of_scene()
    if not task_id:
        raise kpublish.InputError("no Kitsu task: pass task_id, set KITSU_TASK_ID or fileInfo kitsu_task_id",
                                  code=3)
    target = kpublish.print_path(task_id, software, name=name)
    path = target["path"]
    cmds.fileInfo("kitsu_task_id", task_id)
    cmds.file(rename=path)
    global _publishing
    _publishing = True
    try:
        cmds.file(save=True, type="mayaBinary" if path.lower().endswith(".mb") else "mayaAscii")
    finally:
        _publishing = False
    return kpublish.register(path, comment=comment)


def register_if_claimed(path):
    """Register path when kpublish claimed it; return the record, or None
    when the path is not claimed."""
    if _publishing or not kpublish.is_claimed(path):
        return None
    return kpublish.register(path)


def _after_save(*_args):
    path = _cmds().file(query=True, sceneName=True)
    try:
        result = register_if_claimed(path)
    except kpublish.KpublishError as e:
        sys.stderr.write("kpublish: %s saved but not registered: %s\n" % (path, e))
        return
    if result:
        sys.stdout.write("kpublish: registered revision %d: %s\n" % (result["revision"], path))


def _menu_publish(*_args):
    cmds = _cmds()
    try:
        result = publish_working()
    except kpublish.KpublishError as e:
        cmds.confirmDialog(title="kpublish", message=str(e), button=["OK"])
        return
    cmds.inViewMessage(amg="Registered revision %d" % result["revision"], pos="topCenter", fade=True)


def install():
    """Add the Kitsu menu and the after-save callback (once)."""
    from maya import OpenMaya
    cmds = _cmds()
    if not _callbacks:
        _callbacks.append(OpenMaya.MSceneMessage.addCallback(OpenMaya.MSceneMessage.kAfterSave, _after_save))
    if not cmds.menu("kpublishMenu", exists=True):
        cmds.menu("kpublishMenu", label="Kitsu", parent="MayaWindow", tearOff=True)
        cmds.menuItem(label="Publish Working File", command=_menu_publish, parent="kpublishMenu")
