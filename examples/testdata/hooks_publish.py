"""The Maya, Houdini and Nuke hooks, run outside their DCC:
python3 hooks_publish.py OUT.json MAYA_TASK HOUDINI_TASK NUKE_TASK

Stand-ins for maya.cmds, hou and nuke save the scene as the real ones do
(Nuke runs onScriptSave before writing, queued calls after), so the
hooks make their real kpublish calls: publish_working, then a plain save
to a claimed path that the hook's save callback registers, then a plain
save elsewhere that registers nothing. Softwares come from
KPUBLISH_{MAYA,HOUDINI,NUKE}_SOFTWARE. What happened goes to OUT.json.
"""

import json
import os
import sys
import tempfile
import types

here = os.path.dirname(os.path.abspath(__file__))
for d in ("maya", "houdini", "nuke"):
    sys.path.insert(0, os.path.join(here, "..", "hooks", d))
sys.path.insert(0, os.path.join(here, "..", "python"))

saves = []


def write_scene(path, what):
    with open(path, "w") as f:
        f.write("%s scene, save %d\n" % (what, len(saves) + 1) * (50 * (len(saves) + 1)))
    saves.append(path)


# maya.cmds and maya.OpenMaya, as much as kpublish_maya uses.
maya = types.ModuleType("maya")
cmds = types.ModuleType("maya.cmds")
om = types.ModuleType("maya.OpenMaya")
maya_state = {"scene": "", "info": {}, "after_save": [], "menus": []}


def m_file(rename=None, save=False, type=None, query=False, sceneName=False):
    if rename is not None:
        maya_state["scene"] = rename
    elif save:
        write_scene(maya_state["scene"], "maya " + type)
        for fn in maya_state["after_save"]:
            fn(None)
    elif query and sceneName:
        return maya_state["scene"]


def m_file_info(key, value=None, query=False):
    if query:
        return [maya_state["info"][key]] if key in maya_state["info"] else []
    maya_state["info"][key] = value


cmds.file = m_file
cmds.fileInfo = m_file_info
cmds.menu = lambda name, exists=False, **kw: False if exists else maya_state["menus"].append(name)
cmds.menuItem = lambda **kw: maya_state["menus"].append(kw["label"])


class MSceneMessage(object):
    kAfterSave = 7

    @staticmethod
    def addCallback(kind, fn):
        assert kind == MSceneMessage.kAfterSave
        maya_state["after_save"].append(fn)
        return len(maya_state["after_save"])


om.MSceneMessage = MSceneMessage
maya.cmds, maya.OpenMaya = cmds, om
sys.modules.update({"maya": maya, "maya.cmds": cmds, "maya.OpenMaya": om})

# hou, as much as kpublish_houdini uses.
hou = types.ModuleType("hou")
hou_state = {"path": "", "env": {}, "callbacks": []}
hou.hipFileEventType = types.SimpleNamespace(BeforeSave=1, AfterSave=2)


def h_save(file_name=None):
    if file_name:
        hou_state["path"] = file_name
    for fn in hou_state["callbacks"]:
        fn(hou.hipFileEventType.BeforeSave)
    write_scene(hou_state["path"], "houdini")
    for fn in hou_state["callbacks"]:
        fn(hou.hipFileEventType.AfterSave)


hou.hipFile = types.SimpleNamespace(
    save=h_save, path=lambda: hou_state["path"],
    addEventCallback=hou_state["callbacks"].append, eventCallbacks=lambda: tuple(hou_state["callbacks"]))
hou.getenv = lambda k, default=None: hou_state["env"].get(k, default)
hou.putenv = lambda k, v: hou_state["env"].__setitem__(k, v)
sys.modules["hou"] = hou

# nuke, as much as kpublish_nuke uses.
nuke = types.ModuleType("nuke")
nuke_state = {"name": "Root", "on_save": [], "queued": [], "commands": []}


def n_save_as(path, overwrite=-1):
    nuke_state["name"] = path
    for fn in nuke_state["on_save"]:
        fn()  # Nuke calls onScriptSave before it writes
    write_scene(path, "nuke")
    while nuke_state["queued"]:  # then the event loop runs what was queued
        fn, args = nuke_state["queued"].pop(0)
        fn(*args)


nuke.scriptSaveAs = n_save_as
nuke.root = lambda: types.SimpleNamespace(name=lambda: nuke_state["name"])
nuke.addOnScriptSave = nuke_state["on_save"].append
nuke.executeInMainThread = lambda fn, args=(): nuke_state["queued"].append((fn, args))
nuke.menu = lambda name: types.SimpleNamespace(addCommand=lambda label, fn: nuke_state["commands"].append(label))
nuke.message = lambda text: None
sys.modules["nuke"] = nuke

import kpublish  # noqa: E402
import kpublish_houdini  # noqa: E402
import kpublish_maya  # noqa: E402
import kpublish_nuke  # noqa: E402

out = sys.argv[1]
tasks = {"maya": sys.argv[2], "houdini": sys.argv[3], "nuke": sys.argv[4]}
elsewhere = tempfile.mkdtemp()
got = {}

kpublish_maya.install()
assert maya_state["menus"] == ["kpublishMenu", "Publish Working File"], maya_state["menus"]
kpublish_houdini.install()
kpublish_houdini.install()
assert len(hou_state["callbacks"]) == 1, "install() twice added two callbacks"
kpublish_nuke.install()
assert nuke_state["commands"] == ["Kitsu/Publish Working File"], nuke_state["commands"]

hooks = {
    "maya": (kpublish_maya, lambda p: (cmds.file(rename=p), cmds.file(save=True, type="mayaAscii"))),
    "houdini": (kpublish_houdini, lambda p: hou.hipFile.save(file_name=p)),
    "nuke": (kpublish_nuke, lambda p: nuke.scriptSaveAs(p, overwrite=0)),
}
for dcc, (hook, plain_save) in hooks.items():
    task_id = tasks[dcc]
    r = {"published": hook.publish_working(task_id, comment=dcc + " publish")}
    assert r["published"]["revision"] == 1, r
    assert not kpublish.is_claimed(r["published"]["path"]), r

    # A plain save to a claimed path: the hook's callback registers it.
    target = kpublish.print_path(task_id, hook.SOFTWARE)
    plain_save(target["path"])
    assert not kpublish.is_claimed(target["path"]), (dcc, "the save callback left the claim", target)
    r["claimed_save"] = target

    # A plain save elsewhere registers nothing (and raises nothing).
    plain_save(os.path.join(elsewhere, dcc + ".scene"))
    r["revisions"] = kpublish.revisions(task_id, software=hook.SOFTWARE)
    got[dcc] = r

# Task from the scene or environment: Maya's fileInfo, Houdini's $KITSU_TASK_ID.
assert kpublish_maya.task_id_of_scene() == tasks["maya"]
assert kpublish_houdini.task_id_of_scene() == tasks["houdini"]
os.environ.pop("KITSU_TASK_ID", None)
try:
    kpublish_nuke.publish_working()
    raise AssertionError("publish_working without a task did not refuse")
except kpublish.InputError as e:
    got["no_task"] = str(e)

got["saves"] = saves
with open(out, "w") as f:
    json.dump(got, f, indent=1)
