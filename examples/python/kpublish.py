"""Call the kpublish command line from Python: save hooks, shelf tools, farm scripts.

Standard library only, Python 3.7 or later (Maya 2022+, Houdini 19+,
Nuke 13+, Blender 2.93+). Every call runs the kpublish binary with
``--json``, returns the JSON object it printed as a dict, and turns each
documented exit code into its own exception::

    import kpublish
    try:
        target = kpublish.print_path(task_id, "Blender")
        save_to(target["path"])
        kpublish.register(target["path"], comment="blocking done")
    except kpublish.RevisionConflictError:
        ...  # exit 5: the revision asked for is taken
    except kpublish.PartlyDoneError:
        ...  # exit 6: rerun the same call to finish
    except kpublish.KpublishError as e:
        print(e.code, e.stderr)

The binary is ``KPUBLISH_BIN`` when set, else ``kpublish`` next to this
file, else ``kpublish`` on ``PATH``. It reads the server and credentials
from its environment (``KITSU_HOST``, ``KITSU_TOKEN`` or ``KITSU_USER`` and
``KITSU_PASSWORD``, or the cache ``kpublish login`` leaves). Their values
never appear in an exception's text or its attributes.

The binary runs as a direct child of the calling process (no shell): a
claim print_path makes is held for its parent, the DCC, and becomes stale
(stale() lists it) once the DCC is gone, not when kpublish exits.
"""

import json
import os
import shutil
import subprocess
import sys

__all__ = [
    "DEFAULT_TIMEOUT",
    "KpublishError",
    "BinaryNotFoundError",
    "KpublishTimeoutError",
    "UsageError",
    "InputError",
    "ServerError",
    "RevisionConflictError",
    "PartlyDoneError",
    "find_binary",
    "run",
    "print_path",
    "register",
    "copy_and_register",
    "revisions",
    "stale",
    "claim_file",
    "is_claimed",
]

#: Seconds a call may take before it is stopped (KpublishTimeoutError).
DEFAULT_TIMEOUT = 120.0

#: Environment variables whose values are secrets: they are replaced by
#: "***" wherever they would show in an exception.
SECRET_ENV = ("KITSU_TOKEN", "KITSU_PASSWORD", "KITSU_REFRESH_TOKEN")

#: Flags whose value is a secret, should a caller pass one through run().
SECRET_FLAGS = ("--token", "--password", "--refresh-token")

_REDACTED = "***"


class KpublishError(Exception):
    """A kpublish call that failed.

    ``code`` is the exit code (None when the binary did not run to an exit:
    missing, timed out, killed by a signal), ``stderr`` what it wrote on
    stderr and ``args_used`` the command line it ran, both with secrets
    replaced by "***".
    """

    def __init__(self, message, code=None, stderr="", args_used=()):
        super().__init__(message)
        self.code = code
        self.stderr = stderr
        self.args_used = list(args_used)


class BinaryNotFoundError(KpublishError):
    """The kpublish binary is nowhere to be found (KPUBLISH_BIN, beside this module, PATH)."""


class KpublishTimeoutError(KpublishError):
    """The call took longer than its timeout; the process was stopped."""


class UsageError(KpublishError):
    """Exit 2: a malformed command line (a bug in the caller, or a binary of another version)."""


class InputError(KpublishError):
    """Exit 3: a wrong value: bad input, unknown task, a task without tree,
    a path the tree does not describe, a hostile path, a Zou limit exceeded."""


class ServerError(KpublishError):
    """Exit 4: Kitsu refused the request or could not be reached."""


class RevisionConflictError(KpublishError):
    """Exit 5: the revision asked for is held by someone else or already on disk."""


class PartlyDoneError(KpublishError):
    """Exit 6: partly done (for example copied but not registered): rerun the same call to finish."""


_BY_CODE = {
    2: UsageError,
    3: InputError,
    4: ServerError,
    5: RevisionConflictError,
    6: PartlyDoneError,
}


def _secrets(env=None):
    env = os.environ if env is None else env
    return [v for v in (env.get(k) for k in SECRET_ENV) if v]


def _redact(text, secrets):
    for s in sorted(secrets, key=len, reverse=True):
        text = text.replace(s, _REDACTED)
    return text


def _redact_args(args, secrets):
    out = []
    hide_next = False
    for a in args:
        a = str(a)
        if hide_next:
            out.append(_REDACTED)
            hide_next = False
            continue
        flag, eq, _ = a.partition("=")
        if flag in SECRET_FLAGS:
            if eq:
                out.append(flag + "=" + _REDACTED)
            else:
                out.append(a)
                hide_next = True
            continue
        out.append(_redact(a, secrets))
    return out


def find_binary():
    """Return the path of the kpublish binary: KPUBLISH_BIN, else kpublish
    beside this module, else kpublish on PATH. Raise BinaryNotFoundError
    naming the places looked at when none is there."""
    env = os.environ.get("KPUBLISH_BIN")
    if env:
        if os.path.isfile(env) and os.access(env, os.X_OK):
            return env
        raise BinaryNotFoundError(
            "KPUBLISH_BIN=%r: want an executable kpublish binary, found none there" % env)
    name = "kpublish.exe" if sys.platform == "win32" else "kpublish"
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    if os.path.isfile(here) and os.access(here, os.X_OK):
        return here
    found = shutil.which("kpublish")
    if found:
        return found
    raise BinaryNotFoundError(
        "kpublish binary not found: set KPUBLISH_BIN, put it beside %s, or on PATH" % __file__)


def run(args, timeout=DEFAULT_TIMEOUT, binary=None, env=None):
    """Run kpublish with args plus --json and return the JSON object it printed.

    A non-zero exit raises the exception of its code (UsageError for 2, ...,
    PartlyDoneError for 6; KpublishError for any other), carrying stderr.
    timeout is in seconds (None: no limit); env replaces the process
    environment when given; binary overrides find_binary().
    """
    args = [os.fspath(a) if hasattr(a, "__fspath__") else str(a) for a in args] + ["--json"]
    secrets = _secrets(env)
    shown = ["kpublish"] + _redact_args(args, secrets)
    exe = binary or find_binary()
    try:
        proc = subprocess.run(
            [exe] + args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired as e:
        err = _redact((e.stderr or b"").decode("utf-8", "replace").strip(), secrets)
        raise KpublishTimeoutError(
            "%s: no answer within %gs; stopped" % (" ".join(shown), timeout),
            stderr=err, args_used=shown) from None
    except OSError as e:
        raise BinaryNotFoundError(
            "running %s: %s" % (exe, e.strerror or e), args_used=shown) from None
    err = _redact(proc.stderr.decode("utf-8", "replace").strip(), secrets)
    if proc.returncode != 0:
        cls = _BY_CODE.get(proc.returncode, KpublishError)
        code = proc.returncode
        if code < 0:
            what, code = "killed by signal %d" % -code, None
        else:
            what = "exit %d" % code
        raise cls("%s: %s: %s" % (" ".join(shown), what, err or "(nothing on stderr)"),
                  code=code, stderr=err, args_used=shown)
    out = proc.stdout.decode("utf-8", "replace")
    try:
        result = json.loads(out)
    except ValueError:
        raise KpublishError(
            "%s: want one JSON object on stdout, got %r" % (" ".join(shown), _redact(out[:200], secrets)),
            code=0, stderr=err, args_used=shown) from None
    if not isinstance(result, dict):
        raise KpublishError(
            "%s: want one JSON object on stdout, got %s" % (" ".join(shown), type(result).__name__),
            code=0, stderr=err, args_used=shown)
    return result


def _input_error(message):
    return InputError("kpublish.py: " + message, code=3, stderr=message)


def _required(name, value):
    if not isinstance(value, str) or not value.strip():
        raise _input_error("%s %r: want a non-empty string" % (name, value))
    return value


def _path(name, value):
    try:
        value = os.fspath(value)
    except TypeError:
        raise _input_error("%s %r: want a file path" % (name, value)) from None
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    return os.path.abspath(_required(name, value))


def _revision_args(revision):
    if revision is None:
        return []
    if revision == "next":
        return ["--revision=next"]
    if isinstance(revision, bool) or not isinstance(revision, int) or revision < 1:
        raise _input_error("revision %r: want 'next' or a whole number of 1 or more" % (revision,))
    return ["--revision=%d" % revision]


def _opt(flag, value):
    # flag=value: a value that starts with "-" is never read as a flag.
    if value is None:
        return []
    return ["%s=%s" % (flag, value)]


def print_path(task_id, software, name=None, revision=None, roots=None, dry_run=False,
               timeout=DEFAULT_TIMEOUT):
    """Claim the next revision (or revision, an int or "next") of the task's
    working file and return where to save it.

    Returns {"path", "revision", "task_id", "software", "name", "claim",
    "dry_run"}; path ends with the software's file extension. roots is a
    per-OS roots file. Runs ``kpublish publish working --print-path``.
    """
    args = ["publish", "working"] + _opt("--task", _required("task_id", task_id))
    args += _opt("--software", _required("software", software))
    args += _opt("--name", name) + _revision_args(revision) + ["--print-path"]
    args += _opt("--roots", roots)
    if dry_run:
        args.append("--dry-run")
    return run(args, timeout=timeout)


def register(path, comment=None, dry_run=False, timeout=DEFAULT_TIMEOUT):
    """Register in Kitsu the file saved at a path print_path gave, and
    release its claim. Registering a file already registered with the same
    content returns its record with "already_registered": True.

    Returns {"path", "revision", "working_file": {"id", "path", "revision",
    "size"}, "sha", "already_registered", "dry_run"}.
    """
    args = ["publish", "working", _path("path", path)]
    args += _opt("--comment", comment)
    if dry_run:
        args.append("--dry-run")
    return run(args, timeout=timeout)


def copy_and_register(src, task_id, software, name=None, revision=None, comment=None,
                      roots=None, dry_run=False, timeout=DEFAULT_TIMEOUT):
    """Copy src, saved anywhere, to the task's next working revision (never
    replacing a file), then register it; returns what register returns.
    PartlyDoneError means copied but not registered: call again."""
    src = _path("src", src)
    args = ["publish", "working", src, "--copy"] + _opt("--task", _required("task_id", task_id))
    args += _opt("--software", _required("software", software))
    args += _opt("--name", name) + _revision_args(revision) + _opt("--comment", comment)
    args += _opt("--roots", roots)
    if dry_run:
        args.append("--dry-run")
    return run(args, timeout=timeout)


def revisions(task_id, name=None, software=None, roots=None, timeout=DEFAULT_TIMEOUT):
    """Return the task's working revisions as Kitsu and the disk know them:
    {"task_id", "name", "kitsu_last", "disk_last", "next", "disagreement",
    "kitsu_files": [...], "disk_files": [...]}."""
    args = ["revisions", "working"] + _opt("--task", _required("task_id", task_id))
    args += _opt("--name", name) + _opt("--software", software) + _opt("--roots", roots)
    return run(args, timeout=timeout)


def stale(release=False, older_than=None, root=None, timeout=DEFAULT_TIMEOUT):
    """List the stale claims (a dead process, or older than older_than such
    as "1h") under root, and remove them when release is true:
    {"stale": [{"path", "host", "pid", "user", "time", "reason"}], "released": n}."""
    args = ["publish", "working", "--stale"]
    if release:
        args.append("--release")
    args += _opt("--older-than", older_than) + _opt("--root", root)
    return run(args, timeout=timeout)


def claim_file(path):
    """Return the claim file kpublish keeps beside a claimed target:
    ``.<name>.kpublish-claim`` in the same folder."""
    path = os.fspath(path)
    folder, base = os.path.split(path)
    return os.path.join(folder, "." + base + ".kpublish-claim")


def is_claimed(path):
    """Tell whether path is a target kpublish claimed and nobody registered yet."""
    if not path:
        return False
    return os.path.isfile(claim_file(path))
