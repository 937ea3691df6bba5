"""Deadline 10 job script: publish a job's rendered frames to Kitsu with kpublish.

Attach it as the job's **Post-Job Script**: Deadline runs it once, after the
last task, so the whole frame range becomes one output file (a sequence)
of the Kitsu task. As a **Post-Task Script** it publishes after each task,
which is right when each task makes a whole output (a job of one task, a
cache per task with its own KitsuFrames). In the job info file::

    PostJobScript=/studio/pipeline/kpublish_job_script.py
    ExtraInfoKeyValue0=KitsuTaskId=8d4c0c6e-...
    ExtraInfoKeyValue1=KitsuOutputType=Render
    ExtraInfoKeyValue2=KitsuFrames=/renders/sh010/render.1001-1100#.png

KitsuFrames is what ``kpublish publish output`` takes: a pattern
(``render.####.png``, ``render.%04d.png``, with a range
``render.1001-1100#.png``), a folder of frames, or a single file.
KitsuComment is optional. The Worker needs ``kpublish`` on PATH (or
KPUBLISH_BIN), the production storage mounted where the project's file
tree says, and KITSU_HOST and KITSU_TOKEN (a bot's token) in its own
environment, or KITSU_TOKEN_FILE naming a file that holds the token (the
job's environment keys are shown in the Monitor: keep the token out of
them). kpublish never prompts.

Exit 6 ("partly done": the frames are copied but Kitsu failed) is finished
here with ``kpublish publish --resume MANIFEST`` (the command kpublish
prints), a few times with a pause; if Kitsu stays away the task fails with
that command in its error, and requeuing the task publishes again
idempotently: identical frames give the same revision.
"""

import json
import os
import re
import shlex
import subprocess
import time

RESUME_TRIES = 3
RESUME_PAUSE = 20  # seconds between tries to finish a partly done publish
TIMEOUT = 3600


def _run(plugin, argv, env):
    plugin.LogInfo("kpublish: " + " ".join(shlex.quote(a) for a in argv))
    p = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       stdin=subprocess.DEVNULL, universal_newlines=True, timeout=TIMEOUT)
    for line in p.stderr.splitlines():
        plugin.LogInfo(line)
    return p.returncode, p.stdout, p.stderr


def _resume_argv(binary, stderr):
    """The `kpublish publish --resume MANIFEST` kpublish printed on exit 6."""
    m = re.search(r"finish it with: (kpublish publish --resume .*)$", stderr.strip(), re.M)
    if not m:
        return None
    return [binary] + shlex.split(m.group(1))[1:] + ["--json"]


def _report(plugin, stdout):
    result = json.loads(stdout)
    for f in result.get("files", []):
        out = f.get("output_file", {})
        plugin.LogInfo("kpublish: revision %s of %s: %s (%s frames %s)%s" % (
            result.get("revision"), f.get("representation"), out.get("path"), out.get("nb_elements"),
            f.get("frames") or "-", ", already published" if result.get("already_published") else ""))
    return result


def publish(plugin, job):
    """Publish the job's KitsuFrames; returns kpublish's JSON result."""
    def extra(key, default=None):
        value = job.GetJobExtraInfoKeyValueWithDefault(key, "").strip()
        if value:
            return value
        if default is None:
            plugin.FailRender("kpublish: the job has no extra info %s (see the script's doc)" % key)
        return default

    binary = os.environ.get("KPUBLISH_BIN", "kpublish")
    env = dict(os.environ)
    token_file = env.pop("KITSU_TOKEN_FILE", "")
    if token_file and not env.get("KITSU_TOKEN"):
        with open(token_file) as f:
            env["KITSU_TOKEN"] = f.read().strip()
    argv = [binary, "publish", "output", extra("KitsuFrames"),
            "--task", extra("KitsuTaskId"), "--output-type", extra("KitsuOutputType", "Render"),
            "--comment", extra("KitsuComment", "rendered on Deadline: " + job.JobName), "--json"]

    code, stdout, stderr = _run(plugin, argv, env)
    resume = _resume_argv(binary, stderr) if code == 6 else None
    tries = 0
    while code == 6 and resume is not None and tries < RESUME_TRIES:
        tries += 1
        plugin.LogWarning("kpublish: partly done; finishing it in %d s (try %d of %d)" % (RESUME_PAUSE, tries, RESUME_TRIES))
        time.sleep(RESUME_PAUSE)
        code, stdout, stderr = _run(plugin, resume, env)
    if code != 0:
        plugin.FailRender("kpublish exited %d: %s" % (code, stderr.strip().splitlines()[-1] if stderr.strip() else "no message"))
    return _report(plugin, stdout)


def __main__(*args):
    plugin = args[0]
    publish(plugin, plugin.GetJob())
