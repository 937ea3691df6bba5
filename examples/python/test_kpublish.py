"""Unit tests of kpublish.py against a fake kpublish binary.

The fake is a small script written for each test: it records its command
line, prints the JSON it is told to and exits with the code it is told to.
Run with: python3 -m unittest -v test_kpublish (from this folder).
"""

import json
import os
import stat
import subprocess
import sys
import tempfile
import textwrap
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kpublish  # noqa: E402

FAKE = textwrap.dedent('''\
    #!{python}
    import json, os, sys, time
    with open(os.environ["FAKE_LOG"], "w") as f:
        json.dump(sys.argv[1:], f)
    time.sleep(float(os.environ.get("FAKE_SLEEP", "0")))
    sys.stdout.write(os.environ.get("FAKE_STDOUT", "{{}}"))
    err = os.environ.get("FAKE_STDERR", "")
    if err:
        sys.stderr.write(err.format(**os.environ) + "\\n")
    sys.exit(int(os.environ.get("FAKE_CODE", "0")))
    ''')

TOKEN = "eyJhbGciOiJIUzI1NiJ9.secret-token-value"
PASSWORD = "hunter2-password-value"


class FakeBinaryTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.bin = os.path.join(self.dir.name, "kpublish")
        with open(self.bin, "w") as f:
            f.write(FAKE.format(python=sys.executable))
        os.chmod(self.bin, os.stat(self.bin).st_mode | stat.S_IXUSR)
        self.log = os.path.join(self.dir.name, "argv.json")
        self.saved = dict(os.environ)
        self.addCleanup(self._restore)
        for k in list(os.environ):
            if k.startswith("FAKE_") or k.startswith("KITSU_") or k == "KPUBLISH_BIN":
                del os.environ[k]
        os.environ.update(KPUBLISH_BIN=self.bin, FAKE_LOG=self.log,
                          KITSU_TOKEN=TOKEN, KITSU_PASSWORD=PASSWORD)

    def _restore(self):
        os.environ.clear()
        os.environ.update(self.saved)

    def argv(self):
        with open(self.log) as f:
            return json.load(f)

    def answer(self, code=0, stdout="{}", stderr=""):
        os.environ.update(FAKE_CODE=str(code), FAKE_STDOUT=stdout, FAKE_STDERR=stderr)


class TestArguments(FakeBinaryTest):
    def test_print_path(self):
        want = {"path": "/w/x_v004.blend", "revision": 4, "task_id": "t1", "software": "Blender",
                "name": "main", "claim": "/w/.x_v004.blend.kpublish-claim", "dry_run": False}
        self.answer(stdout=json.dumps(want))
        self.assertEqual(kpublish.print_path("t1", "Blender"), want)
        self.assertEqual(self.argv(), ["publish", "working", "--task=t1", "--software=Blender",
                                       "--print-path", "--json"])

        kpublish.print_path("t1", "Blender", name="layout", revision=7, roots="/r.json", dry_run=True)
        self.assertEqual(self.argv(), ["publish", "working", "--task=t1", "--software=Blender",
                                       "--name=layout", "--revision=7", "--print-path",
                                       "--roots=/r.json", "--dry-run", "--json"])
        kpublish.print_path("t1", "3ds Max", revision="next")
        self.assertEqual(self.argv()[3:5], ["--software=3ds Max", "--revision=next"])

    def test_register(self):
        self.answer(stdout='{"path": "/w/a.blend", "revision": 1, "already_registered": false}')
        got = kpublish.register("/w/a.blend", comment="-x: a comment that looks like a flag")
        self.assertEqual(got["revision"], 1)
        self.assertEqual(self.argv(), ["publish", "working", "/w/a.blend",
                                       "--comment=-x: a comment that looks like a flag", "--json"])
        # A relative path is made absolute: the binary may run elsewhere, and
        # a name starting with "-" is never read as a flag.
        kpublish.register("-odd.blend")
        self.assertEqual(self.argv()[2], os.path.join(os.getcwd(), "-odd.blend"))

    def test_copy_and_register(self):
        kpublish.copy_and_register("/tmp/s.blend", "t1", "Blender", name="n", revision=2, comment="c")
        self.assertEqual(self.argv(), ["publish", "working", "/tmp/s.blend", "--copy", "--task=t1",
                                       "--software=Blender", "--name=n", "--revision=2", "--comment=c",
                                       "--json"])

    def test_revisions_and_stale(self):
        kpublish.revisions("t1", name="main", software="Blender")
        self.assertEqual(self.argv(), ["revisions", "working", "--task=t1", "--name=main",
                                       "--software=Blender", "--json"])
        kpublish.stale()
        self.assertEqual(self.argv(), ["publish", "working", "--stale", "--json"])
        kpublish.stale(release=True, older_than="1h", root="/prod/work")
        self.assertEqual(self.argv(), ["publish", "working", "--stale", "--release",
                                       "--older-than=1h", "--root=/prod/work", "--json"])

    def test_bad_input_runs_nothing(self):
        for call, want in [
            (lambda: kpublish.print_path("", "Blender"), "task_id ''"),
            (lambda: kpublish.print_path("t", None), "software None"),
            (lambda: kpublish.print_path("t", "Blender", revision=0), "revision 0: want 'next' or a whole number"),
            (lambda: kpublish.print_path("t", "Blender", revision="3"), "revision '3'"),
            (lambda: kpublish.print_path("t", "Blender", revision=True), "revision True"),
            (lambda: kpublish.register(None), "path None: want a file path"),
            (lambda: kpublish.register(""), "path ''"),
            (lambda: kpublish.revisions(42), "task_id 42"),
        ]:
            with self.assertRaises(kpublish.InputError) as cm:
                call()
            self.assertIn(want, str(cm.exception))
            self.assertEqual(cm.exception.code, 3)
        self.assertFalse(os.path.exists(self.log), "the binary ran")


class TestExitCodes(FakeBinaryTest):
    def test_each_code_has_its_exception(self):
        for code, cls in [(2, kpublish.UsageError), (3, kpublish.InputError), (4, kpublish.ServerError),
                          (5, kpublish.RevisionConflictError), (6, kpublish.PartlyDoneError),
                          (1, kpublish.KpublishError), (7, kpublish.KpublishError)]:
            self.answer(code=code, stdout="", stderr="kpublish: failure number %d" % code)
            with self.assertRaises(kpublish.KpublishError) as cm:
                kpublish.print_path("t1", "Blender")
            e = cm.exception
            self.assertIs(type(e), cls, code)
            self.assertEqual(e.code, code)
            self.assertEqual(e.stderr, "kpublish: failure number %d" % code)
            self.assertEqual(e.args_used, ["kpublish", "publish", "working", "--task=t1",
                                           "--software=Blender", "--print-path", "--json"])
            self.assertIn("exit %d: kpublish: failure number %d" % (code, code), str(e))

    def test_bad_json(self):
        for out, want in [("not json", "want one JSON object on stdout, got 'not json'"),
                          ("[1, 2]", "got list")]:
            self.answer(stdout=out)
            with self.assertRaises(kpublish.KpublishError) as cm:
                kpublish.revisions("t1")
            self.assertIn(want, str(cm.exception))

    def test_signal(self):
        # The fake kills itself: code is the negative signal number.
        with open(self.bin, "w") as f:
            f.write("#!%s\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n" % sys.executable)
        with self.assertRaises(kpublish.KpublishError) as cm:
            kpublish.stale()
        self.assertIs(type(cm.exception), kpublish.KpublishError)
        self.assertIn("killed by signal 9", str(cm.exception))
        self.assertIsNone(cm.exception.code)


class TestBinary(FakeBinaryTest):
    def test_missing(self):
        os.environ["KPUBLISH_BIN"] = os.path.join(self.dir.name, "nope")
        with self.assertRaises(kpublish.BinaryNotFoundError) as cm:
            kpublish.stale()
        self.assertIn("KPUBLISH_BIN=", str(cm.exception))
        self.assertIn("nope", str(cm.exception))
        self.assertIsNone(cm.exception.code)

        del os.environ["KPUBLISH_BIN"]
        os.environ["PATH"] = self.dir.name + "-empty"
        here = os.path.join(os.path.dirname(os.path.abspath(kpublish.__file__)), "kpublish")
        if not os.path.exists(here):
            with self.assertRaises(kpublish.BinaryNotFoundError) as cm:
                kpublish.stale()
            self.assertIn("set KPUBLISH_BIN, put it beside", str(cm.exception))

    def test_found_on_path(self):
        del os.environ["KPUBLISH_BIN"]
        os.environ["PATH"] = self.dir.name + os.pathsep + os.environ.get("PATH", "")
        here = os.path.join(os.path.dirname(os.path.abspath(kpublish.__file__)), "kpublish")
        if not os.path.exists(here):
            self.assertEqual(kpublish.find_binary(), self.bin)
        kpublish.stale()
        self.assertEqual(self.argv(), ["publish", "working", "--stale", "--json"])

    def test_not_executable(self):
        os.chmod(self.bin, 0o644)
        with self.assertRaises(kpublish.BinaryNotFoundError):
            kpublish.stale()

    def test_timeout(self):
        os.environ["FAKE_SLEEP"] = "30"
        with self.assertRaises(kpublish.KpublishTimeoutError) as cm:
            kpublish.stale(timeout=0.5)
        self.assertIsInstance(cm.exception, kpublish.KpublishError)
        self.assertIn("no answer within 0.5s; stopped", str(cm.exception))
        self.assertIsNone(cm.exception.code)


class TestSecrets(FakeBinaryTest):
    def test_never_in_exceptions(self):
        # The fake echoes the secrets of its environment on stderr and stdout.
        self.answer(code=4, stdout="{KITSU_TOKEN}", stderr="kpublish: token {KITSU_TOKEN} password {KITSU_PASSWORD}")
        with self.assertRaises(kpublish.ServerError) as cm:
            kpublish.run(["publish", "working", "--token", TOKEN, "--password=" + PASSWORD, "x" + TOKEN])
        e = cm.exception
        for text in [str(e), repr(e), e.stderr, " ".join(e.args_used), repr(e.args), repr(vars(e))]:
            self.assertNotIn(TOKEN, text)
            self.assertNotIn(PASSWORD, text)
        self.assertEqual(e.stderr, "kpublish: token *** password ***")
        self.assertEqual(e.args_used, ["kpublish", "publish", "working", "--token", "***", "--password=***",
                                       "x***", "--json"])

        self.answer(code=0, stdout="token " + TOKEN)
        with self.assertRaises(kpublish.KpublishError) as cm:
            kpublish.stale()
        self.assertNotIn(TOKEN, str(cm.exception))

    def test_given_env_and_binary(self):
        # A caller's own environment: its secrets are the ones redacted.
        other = "another-secret-token-value"
        env = {"FAKE_LOG": self.log, "FAKE_CODE": "3", "FAKE_STDERR": "kpublish: bad token {KITSU_TOKEN}",
               "KITSU_TOKEN": other, "PATH": os.environ.get("PATH", "")}
        os.environ["KPUBLISH_BIN"] = os.path.join(self.dir.name, "nope")
        with self.assertRaises(kpublish.InputError) as cm:
            kpublish.run(["revisions", "working"], binary=self.bin, env=env)
        self.assertEqual(cm.exception.stderr, "kpublish: bad token ***")
        self.assertNotIn(other, str(cm.exception))
        self.assertEqual(self.argv(), ["revisions", "working", "--json"])

    def test_timeout_text(self):
        os.environ["FAKE_SLEEP"] = "30"
        with self.assertRaises(kpublish.KpublishTimeoutError) as cm:
            kpublish.run(["x", "--token=" + TOKEN], timeout=0.5)
        self.assertNotIn(TOKEN, str(cm.exception))
        self.assertNotIn(TOKEN, " ".join(cm.exception.args_used))


class TestClaimFile(unittest.TestCase):
    def test_claim_file(self):
        self.assertEqual(kpublish.claim_file("/w/x_v004.blend"), "/w/.x_v004.blend.kpublish-claim")
        with tempfile.TemporaryDirectory() as d:
            target = os.path.join(d, "a_v001.ma")
            self.assertFalse(kpublish.is_claimed(target))
            open(kpublish.claim_file(target), "w").close()
            self.assertTrue(kpublish.is_claimed(target))
        self.assertFalse(kpublish.is_claimed(""))
        self.assertFalse(kpublish.is_claimed(None))


if __name__ == "__main__":
    unittest.main()
