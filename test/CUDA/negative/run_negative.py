#!/usr/bin/env python3
"""Planted GPU bugs must fail through the CUDA emulation, for the right reason.

Each NAME.cu here is a small CUDA program with one bug that a GPU would run
wrongly (see its header), built the way check_emulated.py builds generated
artifacts (its launch rewrite and emulator build command) and run. A program
passes this check when it exits non-zero and its output (stdout and stderr)
matches every `// EXPECT: REGEX` line of its header: the emulator's
diagnostic, or the poison value the program prints. The positive control,
marked `// EXPECT-PASS: REGEX`, does everything right and must exit 0 with
matching output, so the check cannot pass by every program failing.

usage: run_negative.py WORKDIR
"""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from check_emulated import EMULATOR_CXX, emulated_source  # noqa: E402


def expectations(path):
    fail, passing = [], []
    with open(path) as f:
        for line in f:
            m = re.match(r"// EXPECT(-PASS)?: (.*)$", line.rstrip("\n"))
            if m:
                (passing if m.group(1) else fail).append(m.group(2))
    return fail, passing


def check(path, work):
    name = os.path.splitext(os.path.basename(path))[0]
    fail, passing = expectations(path)
    if bool(fail) == bool(passing):
        return False, f"{name}: needs EXPECT lines or one EXPECT-PASS line"
    source = os.path.join(work, name + ".emu.cpp")
    binary = os.path.join(work, name)
    emulated_source(path, source)
    build = subprocess.run([*EMULATOR_CXX, "-x", "c++", source, "-o", binary],
                           capture_output=True, text=True)
    if build.returncode != 0:
        return False, f"{name}: does not build: {build.stderr.strip()[-400:]}"
    try:
        proc = subprocess.run([binary], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return False, f"{name}: timed out"
    output = proc.stdout + proc.stderr
    last = output.strip().splitlines()[-1] if output.strip() else "(no output)"
    if passing:
        if proc.returncode != 0 or not re.search(passing[0], output):
            return False, f"{name}: the correct program failed (exit {proc.returncode}): {last}"
        return True, f"{name}: passes: {last}"
    if proc.returncode == 0:
        return False, f"{name}: the planted bug ran clean: {last}"
    missing = [e for e in fail if not re.search(e, output)]
    if missing:
        return False, (f"{name}: failed (exit {proc.returncode}) without /{missing[0]}/; "
                       f"output: {output.strip()[-600:]}")
    shown = next(line for line in output.splitlines() if re.search(fail[0], line))
    return True, f"{name}: fails (exit {proc.returncode}): {shown}"


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    work = sys.argv[1]
    os.makedirs(work, exist_ok=True)
    programs = sorted(os.path.join(HERE, f) for f in os.listdir(HERE) if f.endswith(".cu"))
    failures = 0
    for path in programs:
        good, message = check(path, work)
        failures += not good
        print(("ok   " if good else "FAIL ") + message, flush=True)
    print(f"{len(programs) - failures} of {len(programs)} programs behave as expected")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
