"""Nuke: publish the open script as the next working revision of a Kitsu task.

Put this file and kpublish.py in ~/.nuke (or a folder of NUKE_PATH), and
in menu.py::

    import kpublish_nuke
    kpublish_nuke.install()

install() adds Kitsu > Publish Working File to the Nuke menu and an
onScriptSave callback. Nuke runs onScriptSave before it writes the file,
so the callback queues the registration with nuke.executeInMainThread: it
runs once the save is done, and a plain save to a path kpublish claimed
registers the file. (Nuke in terminal mode, nuke -t, has no event loop to
run it: call publish_working there.)

The task is the task_id argument, else the environment variable
KITSU_TASK_ID.
"""

import os
import sys

import kpublish

SOFTWARE = os.environ.get("KPUBLISH_NUKE_SOFTWARE", "Nuke")

_publishing = False


def _nuke():
    import nuke
    return nuke


def publish_working(task_id=None, software=SOFTWARE, name=None, comment=None):
    """Save the script at the path of the task's next working revision and
    register it; return what kpublish.register returns. Raises
    kpublish.KpublishError (or one of its classes) when kpublish refuses."""
    nuke = _nuke()
    global _publishing
    task_id = task_id or os.environ.get("KITSU_TASK_ID", "").strip()
    if not task_id:
        raise kpublish.InputError("no Kitsu task: pass task_id or set KITSU_TASK_ID", code=3)
    target = kpublish.print_path(task_id, software, name=name)
    _publishing = True
    try:
        nuke.scriptSaveAs(target["path"], overwrite=0)
    finally:
        _publishing = False
    return kpublish.register(target["path"], comment=comment)


def register_if_claimed(path):
    """Register path when kpublish claimed it; return the record, or None
    when the path is not claimed."""
    if _publishing or not kpublish.is_claimed(path):
        return None
    return kpublish.register(path)


def _register_saved(path):
    try:
        result = register_if_claimed(path)
    except kpublish.KpublishError as e:
        sys.stderr.write("kpublish: %s saved but not registered: %s\n" % (path, e))
        return
    if result:
        sys.stdout.write("kpublish: registered revision %d: %s\n" % (result["revision"], path))


def on_script_save():
    """onScriptSave callback: once the save is done, register a claimed path."""
    nuke = _nuke()
    if _publishing:
        return
    path = nuke.root().name()
    if kpublish.is_claimed(path):
        nuke.executeInMainThread(_register_saved, args=(path,))


def _menu_publish():
    nuke = _nuke()
    try:
        result = publish_working()
    except kpublish.KpublishError as e:
        nuke.message(str(e))
        return
    nuke.message("Registered revision %d:\n%s" % (result["revision"], result["path"]))


def install():
    """Add the Kitsu menu and the onScriptSave callback."""
    nuke = _nuke()
    nuke.addOnScriptSave(on_script_save)
    nuke.menu("Nuke").addCommand("Kitsu/Publish Working File", _menu_publish)
