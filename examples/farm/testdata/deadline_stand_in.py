"""Run deadline/kpublish_job_script.py outside Deadline, for examples/farm_test.go.

Stand-ins for Deadline's job and plugin objects (GetJobExtraInfoKeyValueWithDefault,
JobName, LogInfo, LogWarning, FailRender raising as Deadline's does) drive the
job script four ways; what each gave is written to OUT as JSON:

- "real": the real kpublish (KPUBLISH_BIN) publishes FRAMES of TASK_ID;
- "resume": a fake kpublish exits 6 with kpublish's "finish it with:" message
  (a manifest path with a space in it), exits 6 again on the first --resume
  (Kitsu still down), then answers the second;
- "failed": a fake kpublish exits 3;
- "missing": the job has no KitsuTaskId.

Usage: python3 deadline_stand_in.py OUT FRAMES TASK_ID OUTPUT_TYPE
"""

import json
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "deadline"))
import kpublish_job_script as script  # noqa: E402

script.RESUME_PAUSE = 0

FAKE = r'''#!/usr/bin/env python3
import json, os, sys
with open(os.environ["FAKE_CALLS"], "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\n")
mode = os.environ["FAKE_MODE"]
if mode == "failed":
    sys.stderr.write("kpublish: --task 123: want a task id\n")
    sys.exit(3)
if "--resume" in sys.argv:
    with open(os.environ["FAKE_CALLS"]) as f:
        if sum(1 for _ in f) == 2:  # the first resume: Kitsu still down
            sys.stderr.write("kpublish: resume: partly done: kitsu: 502 Bad Gateway; finish it with: "
                             "kpublish publish --resume\n")
            sys.exit(6)
    print(json.dumps({"revision": 4, "already_published": False, "files": [
        {"representation": "png", "frames": "1-2", "output_file": {"path": "/p/x_[1-2].png", "nb_elements": 2}}]}))
    sys.exit(0)
sys.stderr.write("kpublish: publish: partly done: kitsu: 502 Bad Gateway; finish it with: "
                 "kpublish publish --resume '/prod/my show/.kpublish/outputs/r0004.manifest.json'\n")
sys.exit(6)
'''


class Failed(Exception):
    pass


class Job:
    JobName = "sh010 lighting"

    def __init__(self, extra):
        self.extra = extra

    def GetJobExtraInfoKeyValueWithDefault(self, key, default):
        return self.extra.get(key, default)


class Plugin:
    def __init__(self, job):
        self.job = job
        self.log = []

    def GetJob(self):
        return self.job

    def LogInfo(self, message):
        self.log.append(message)

    def LogWarning(self, message):
        self.log.append("WARNING: " + message)

    def FailRender(self, message):
        raise Failed(message)


def run(extra):
    plugin = Plugin(Job(extra))
    out = {"log": plugin.log}
    try:
        script.__main__(plugin)
        out["ok"] = True
    except Failed as e:
        out["error"] = str(e)
    return out


def main(argv):
    out_path, frames, task_id, output_type = argv[1:5]
    extra = {"KitsuFrames": frames, "KitsuTaskId": task_id, "KitsuOutputType": output_type,
             "KitsuComment": "farm test"}
    results = {"real": run(extra)}

    real_bin = os.environ["KPUBLISH_BIN"]
    with tempfile.TemporaryDirectory() as tmp:
        fake = os.path.join(tmp, "kpublish")
        with open(fake, "w") as f:
            f.write(FAKE.replace("/usr/bin/env python3", sys.executable, 1))
        os.chmod(fake, 0o755)
        os.environ["KPUBLISH_BIN"] = fake
        for mode in ("resume", "failed"):
            calls = os.path.join(tmp, mode + ".calls")
            os.environ["FAKE_MODE"], os.environ["FAKE_CALLS"] = mode, calls
            results[mode] = run(extra)
            with open(calls) as f:
                results[mode]["calls"] = [json.loads(line) for line in f]
    os.environ["KPUBLISH_BIN"] = real_bin
    results["missing"] = run({k: v for k, v in extra.items() if k != "KitsuTaskId"})

    with open(out_path, "w") as f:
        json.dump(results, f, indent=1)


main(sys.argv)
