"""Houdini: publish the open hip file as the next working revision of a Kitsu task.

Put this file and kpublish.py in $HOUDINI_USER_PREF_DIR/python3.Xlibs
(python3.9libs for Houdini 19.5, python3.10libs for 20), and 456.py beside
it in $HOUDINI_USER_PREF_DIR/scripts: each scene opened or created gets an
after-save callback, so a plain save to a path kpublish claimed registers
the file. A shelf tool (Script, Python)::

    import kpublish_houdini; kpublish_houdini.publish_working()

The task is the task_id argument, else $KITSU_TASK_ID (Houdini's variable,
then the environment's).
"""

import os
import sys

import kpublish

SOFTWARE = os.environ.get("KPUBLISH_HOUDINI_SOFTWARE", "Houdini")

_publishing = False


def _hou():
    import hou
    return hou


def task_id_of_scene():
    """Return $KITSU_TASK_ID as Houdini sees it (hip variable or environment), or ""."""
    return (_hou().getenv("KITSU_TASK_ID") or os.environ.get("KITSU_TASK_ID", "")).strip()


def publish_working(task_id=None, software=SOFTWARE, name=None, comment=None):
    """Save the hip file at the path of the task's next working revision and
    register it; return what kpublish.register returns.

    A shelf tool shows kpublish's refusals in a message; called from code,
    kpublish.KpublishError (or one of its classes) is raised.
    """
    hou = _hou()
    global _publishing
    task_id = task_id or task_id_of_scene()
    if not task_id:
        raise kpublish.InputError("no Kitsu task: pass task_id or set $KITSU_TASK_ID", code=3)
    target = kpublish.print_path(task_id, software, name=name)
    hou.putenv("KITSU_TASK_ID", task_id)
    _publishing = True
    try:
        hou.hipFile.save(file_name=target["path"])
    finally:
        _publishing = False
    return kpublish.register(target["path"], comment=comment)


def register_if_claimed(path):
    """Register path when kpublish claimed it; return the record, or None
    when the path is not claimed."""
    if _publishing or not kpublish.is_claimed(path):
        return None
    return kpublish.register(path)


def on_hip_event(event_type):
    """hou.hipFile event callback: after a save, register a claimed path."""
    hou = _hou()
    if event_type != hou.hipFileEventType.AfterSave:
        return
    path = hou.hipFile.path()
    try:
        result = register_if_claimed(path)
    except kpublish.KpublishError as e:
        sys.stderr.write("kpublish: %s saved but not registered: %s\n" % (path, e))
        return
    if result:
        sys.stdout.write("kpublish: registered revision %d: %s\n" % (result["revision"], path))


def install():
    """Add the after-save callback (once); 456.py calls this."""
    hou = _hou()
    if on_hip_event not in hou.hipFile.eventCallbacks():
        hou.hipFile.addEventCallback(on_hip_event)
