"""What a save hook written with gazu does to learn where to save: import
gazu, log in (an API token from KITSU_TOKEN, or KITSU_USER and
KITSU_PASSWORD), and ask Kitsu for the working file path of the task.

usage: python save_hook_path.py TASK_ID SOFTWARE_NAME REVISION
"""
import os
import sys

import gazu

task_id, software_name, revision = sys.argv[1], sys.argv[2], int(sys.argv[3])
gazu.set_host(os.environ["KITSU_HOST"])
if os.environ.get("KITSU_TOKEN"):
    gazu.set_token(os.environ["KITSU_TOKEN"])
else:
    gazu.log_in(os.environ["KITSU_USER"], os.environ["KITSU_PASSWORD"])
software = gazu.files.get_software_by_name(software_name)
print(gazu.files.build_working_file_path(task_id, software=software, revision=revision))
