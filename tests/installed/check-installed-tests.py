#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks our installed tests without installing them.

    check-installed-tests.py --metadir DIR --execdir DIR --installed-pacer-run FILE
        --pacer-run FILE --libdir DIR --programs NAME… --payload FILE…

--metadir holds the .test files meson configured; --execdir and
--installed-pacer-run are where they say the programs and pacer-run are once
installed; --payload lists every file installed beside the programs.

The payload is staged, hard-linked or copied, in a directory laid out as
the installed one; the .test files are rewritten to point into it and at the
built pacer-run, and our own `pacer-run --installed-tests` runs them with
G_TEST_SRCDIR, G_TEST_BUILDDIR and PACER_RUN unset, the library found as an
installed one would be. A helper missing from the payload, or a test that
only works from the build tree, fails the run.

Prints TAP."""

import argparse
import configparser
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile


class Tap:
    def __init__(self, plan):
        self.n = 0
        self.failed = 0
        print(f"1..{plan}", flush=True)

    def check(self, name, condition, detail=""):
        self.n += 1
        print(f"{'ok' if condition else 'not ok'} {self.n} {name}", flush=True)
        if not condition:
            self.failed += 1
            for line in str(detail).splitlines():
                print(f"# {line}", flush=True)
        return condition


def read_test(path):
    # GKeyFile's syntax as .test files use it: no interpolation, keys kept as written.
    keys = configparser.ConfigParser(interpolation=None, delimiters=("=",), comment_prefixes=("#",))
    keys.optionxform = str
    keys.read(path, encoding="utf-8")
    return keys


def stage_payload(payload, execdir):
    os.makedirs(execdir)
    for source in payload:
        target = os.path.join(execdir, os.path.basename(source))
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--metadir", required=True)
    parser.add_argument("--execdir", required=True)
    parser.add_argument("--installed-pacer-run", required=True)
    parser.add_argument("--pacer-run", required=True)
    parser.add_argument("--libdir", required=True)
    parser.add_argument("--programs", nargs="+", required=True)
    parser.add_argument("--payload", nargs="+", required=True)
    args = parser.parse_args()

    tap = Tap(7)
    names = sorted(name for name in os.listdir(args.metadir) if name.endswith(".test"))
    tap.check("one .test file per GTest program",
              names == sorted(program + ".test" for program in args.programs), names)

    problems = []
    execs = {}
    for name in names:
        keys = read_test(os.path.join(args.metadir, name))
        if not keys.has_section("Test"):
            problems.append(f"{name}: no [Test] group")
            continue
        test = keys["Test"]
        if test.get("Type") != "session" or test.get("Output") != "TAP":
            problems.append(f"{name}: Type={test.get('Type')} Output={test.get('Output')}")
        execs[name] = shlex.split(test.get("Exec", ""))
    tap.check("each is a session test with TAP output", problems == [], "\n".join(problems))

    program_of = {name: name[:-len(".test")] for name in names}
    wrong = [f"{name}: {argv}" for name, argv in execs.items()
             if argv != ["env", f"PACER_RUN={args.installed_pacer_run}",
                         os.path.join(args.execdir, program_of[name]), "--tap"]]
    tap.check("Exec runs the installed program, PACER_RUN naming the installed pacer-run",
              wrong == [], "\n".join(wrong))

    payload_names = {os.path.basename(path) for path in args.payload}
    missing = [program for program in program_of.values() if program not in payload_names]
    tap.check("every program named is installed", missing == [], missing)

    with tempfile.TemporaryDirectory(prefix="pacer-installed-") as tmp:
        prefix = os.path.join(tmp, "prefix")
        staged_execdir = prefix + args.execdir
        staged_metadir = os.path.join(prefix, "share", "installed-tests", "pacer-glib-1")
        stage_payload(args.payload, staged_execdir)
        os.makedirs(staged_metadir)
        for name in names:
            with open(os.path.join(args.metadir, name), encoding="utf-8") as f:
                text = f.read()
            text = text.replace(args.execdir + "/", staged_execdir + "/")
            text = text.replace(args.installed_pacer_run, args.pacer_run)
            with open(os.path.join(staged_metadir, name), "w", encoding="utf-8") as f:
                f.write(text)

        env = {key: value for key, value in os.environ.items()
               if key not in ("G_TEST_SRCDIR", "G_TEST_BUILDDIR", "PACER_RUN")}
        # The library as the linker finds an installed one; the build tree's
        # rpath does the same for the programs linked to it.
        env["LC_ALL"] = "C"  # the summary lines are read below
        env["LD_LIBRARY_PATH"] = os.pathsep.join(filter(None, [args.libdir, env.get("LD_LIBRARY_PATH")]))
        run = subprocess.run([args.pacer_run, "-n", "2", "--installed-tests", staged_metadir],
                             env=env, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, check=False)
        lines = run.stdout.strip().splitlines()
        tap.check("pacer-run --installed-tests runs the staged suite, and it passes",
                  run.returncode == 0, run.stdout[-6000:])
        last = lines[-1] if lines else ""
        passed = int(last.split()[0]) if last.split() and last.split()[0].isdigit() else 0
        # Every program has tests of its own: far more passed than programs.
        tap.check("its summary counts the tests of every program",
                  " 0 failed" in last and passed > len(names), last)
        # Behind env(1) too, each program is listed and its tests spread over the workers.
        header = re.search(r"(\d+) tests? from (\d+) program\(s\)(?: and (\d+) program\(s\) run whole)?,",
                           run.stdout)
        tap.check("every program's tests are spread over the workers, none runs whole",
                  header is not None and int(header.group(2)) == len(names) and header.group(3) is None,
                  header.group(0) if header else lines[:3])

    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
