"""Output publishes written with gazu, as a farm task or a studio script
would without kpublish: log in, then for each publish find the next
revision, ask Kitsu for its path, copy the file there, register the
output file.

usage: python output_publish.py FIRST N
    (publishes $BENCH_SRC/cache_PROC_I.abc for I in FIRST..FIRST+N-1, PROC
    and I written in letters (a, b, ..., z, ba, bb, ...) as kbench names them; the
    key and the folders from the environment kbench outputs sets:
    BENCH_ENTITY, BENCH_TASK_TYPE, BENCH_OUTPUT_TYPE, BENCH_SRC, BENCH_PROC,
    BENCH_ROOT standing for the tree's /prod mountpoint)

It logs in with KITSU_TOKEN when set, else KITSU_USER and KITSU_PASSWORD.
Nothing stops two processes from taking the same revision (gazu's next
revision is a read, then a separate create): when Zou refuses the
record ("already exists") the script takes the next revision and tries
again, as a careful script would; the file it copied has by then
replaced the other process's file at that path (kbench counts the
records that share a revision all the same).
"""
import os
import shutil
import sys

import gazu

first, n = int(sys.argv[1]), int(sys.argv[2])


def letters(k):
    s = chr(ord("a") + k % 26)
    k //= 26
    while k:
        s = chr(ord("a") + k % 26) + s
        k //= 26
    return s


proc = letters(int(os.environ["BENCH_PROC"]))
sources = [os.path.join(os.environ["BENCH_SRC"], "cache_%s_%s.abc" % (proc, letters(i))) for i in range(first, first + n)]
entity = os.environ["BENCH_ENTITY"]
task_type = os.environ["BENCH_TASK_TYPE"]
output_type = os.environ["BENCH_OUTPUT_TYPE"]
local_root = os.environ["BENCH_ROOT"]
mountpoint = "/prod"
ext = ".abc"
representation = "abc"

gazu.set_host(os.environ["KITSU_HOST"])
if os.environ.get("KITSU_TOKEN"):
    gazu.set_token(os.environ["KITSU_TOKEN"])
else:
    gazu.log_in(os.environ["KITSU_USER"], os.environ["KITSU_PASSWORD"])
done = 0
while done < n:
    revision = gazu.files.get_next_entity_output_revision(entity, output_type, task_type)
    path = gazu.files.build_entity_output_file_path(
        entity, output_type, task_type, representation=representation, revision=revision
    )
    local = local_root + path[len(mountpoint):] + ext
    os.makedirs(os.path.dirname(local), exist_ok=True)
    shutil.copyfile(sources[done], local)
    try:
        gazu.files.new_entity_output_file(
            entity, output_type, task_type, "bench", representation=representation, revision=revision
        )
    except gazu.exception.ParameterException as e:
        if "already exists" not in str(e):
            raise
        continue
    done += 1
