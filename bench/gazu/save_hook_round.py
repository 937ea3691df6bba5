"""One save-hook round written with gazu, as a studio would without
kpublish: log in, find the next revision, ask Kitsu for its path, save the
scene there (here: copy a file), register the working file.

usage: python save_hook_round.py TASK_ID SOFTWARE_NAME MOUNTPOINT LOCAL_ROOT SCENE
(MOUNTPOINT, the tree's, is replaced by LOCAL_ROOT in the path Kitsu gives.)
"""
import os
import shutil
import sys

import gazu

task_id, software_name, mountpoint, local_root, scene = sys.argv[1:6]
gazu.set_host(os.environ["KITSU_HOST"])
gazu.log_in(os.environ["KITSU_USER"], os.environ["KITSU_PASSWORD"])
software = gazu.files.get_software_by_name(software_name)
last = gazu.files.get_last_working_file_revision(task_id)
revision = (last or {}).get("revision", 0) + 1
path = gazu.files.build_working_file_path(task_id, software=software, revision=revision)
local = local_root + path[len(mountpoint):] + software["file_extension"]
os.makedirs(os.path.dirname(local), exist_ok=True)
shutil.copyfile(scene, local)
gazu.files.new_working_file(task_id, software=software, revision=revision)
print(local)
