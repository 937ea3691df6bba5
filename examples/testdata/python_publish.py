"""The module's integration run: python3 python_publish.py TASK_ID OUT.json

With the real kpublish (KPUBLISH_BIN) and a dev server (KITSU_*): claim a
path, save there, register, register again (a no-op), copy a file saved
elsewhere into the next revision, ask for the revisions, leave a claim
behind; every answer goes to OUT.json for the Go test to check against
Kitsu.
"""

import json
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))
import kpublish  # noqa: E402

task_id, out = sys.argv[1], sys.argv[2]
got = {}

target = kpublish.print_path(task_id, "Blender")
assert target["path"].endswith(".blend"), target
assert target["revision"] == 1, target
assert kpublish.is_claimed(target["path"]), target
assert kpublish.claim_file(target["path"]) == target["claim"], target
got["print_path"] = target

# A second caller gets the next revision while the first holds its claim.
second = kpublish.print_path(task_id, "Blender", dry_run=True)
got["print_path_dry_run"] = second

with open(target["path"], "wb") as f:
    f.write(b"revision one\n" * 100)
got["register"] = kpublish.register(target["path"], comment="from python")
assert not kpublish.is_claimed(target["path"]), "the claim is still there"
got["register_again"] = kpublish.register(target["path"], comment="from python")

src = os.path.join(tempfile.mkdtemp(), "saved elsewhere.blend")
with open(src, "wb") as f:
    f.write(b"revision two\n" * 200)
got["copy"] = kpublish.copy_and_register(src, task_id, "Blender", comment="copied")
got["revisions"] = kpublish.revisions(task_id, software="Blender")

# Kitsu's refusals arrive as their exceptions.
try:
    kpublish.print_path("00000000-0000-0000-0000-000000000000", "Blender")
except kpublish.KpublishError as e:
    got["unknown_task"] = {"class": type(e).__name__, "code": e.code, "stderr": e.stderr}
try:
    kpublish.print_path(task_id, "Blender", revision=1)
except kpublish.KpublishError as e:
    got["taken_revision"] = {"class": type(e).__name__, "code": e.code, "stderr": e.stderr}

# A refused login is a ServerError, and the password shows nowhere.
password = os.environ["KITSU_PASSWORD"]
os.environ["KITSU_PASSWORD"] = "wrong-" + password
try:
    kpublish.revisions(task_id, software="Blender")
    raise AssertionError("a wrong password was accepted")
except kpublish.ServerError as e:
    text = " ".join([str(e), repr(e), e.stderr, " ".join(e.args_used)])
    assert password not in text, "the password is in the exception"
    got["wrong_password"] = {"class": type(e).__name__, "code": e.code, "stderr": e.stderr}
finally:
    os.environ["KITSU_PASSWORD"] = password

# A claim held for this process (the binary's parent) is not stale while
# it runs; the Go test finds it stale once this process is gone.
got["left_claimed"] = kpublish.print_path(task_id, "Blender")
got["stale_while_alive"] = kpublish.stale(root=os.path.dirname(target["path"]))

with open(out, "w") as f:
    json.dump(got, f, indent=1)
