"""List every task of a project with gazu, as kbench list -how all does.

usage: python list_tasks.py PROJECT_ID
"""
import os
import sys

import gazu

gazu.set_host(os.environ["KITSU_HOST"])
if os.environ.get("KITSU_TOKEN"):
    gazu.set_token(os.environ["KITSU_TOKEN"])
else:
    gazu.log_in(os.environ["KITSU_USER"], os.environ["KITSU_PASSWORD"])
print(len(gazu.task.all_tasks_for_project(sys.argv[1])))
