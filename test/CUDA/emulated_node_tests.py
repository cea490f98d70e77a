#!/usr/bin/env python3
"""The ONNX backend node tests through the CUDA target, without a GPU, held
to cuda-node-expectations.txt.

Every case is compiled with `modelc compile --target=cuda`, freezing with
--bind exactly the inputs the C target's runner freezes (the shape operands:
bindable_inputs() in test/conformance/run_node_tests.py, imported, not
copied). What compiles runs through the CPU emulation of the CUDA runtime
(test/CUDA/emulator) on every data set, and every output is held to the
conformance runner's compare(): finite floats within rtol 1e-3, atol 1e-7,
+inf, -inf and NaN exactly, other types exactly. Passes are counted as plain,
specialized or constant, as in the C runner.

Failures take the C runner's classes and reasons. A crash or a timeout of
modelc or of the emulated runner is always a failure: no reason admits it.
Only a compile error (modelc exits 1 with its one `modelc: error:` line)
counts as unsupported, and only when cuda-node-expectations.txt lists the
case with a reason that admits it. The run fails when a case not listed
fails, when a listed case fails in another class, and when a listed case
passes (a stale entry); --update rewrites the file from the run.

On demand (about 40 minutes on two busy cores; g++ builds each artifact):
  ctest --test-dir build -L cuda-full

usage: emulated_node_tests.py --modelc BIN [--data DIR ...] [--jobs N]
                              [--filter REGEX] [--report FILE.json] [--update]
                              [--from-report FILE.json]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import onnx

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "conformance"))
from check_emulated import build_emulated  # noqa: E402
import run_node_tests as conformance  # noqa: E402

EXPECTATIONS = os.path.join(HERE, "cuda-node-expectations.txt")
C_EXPECTATIONS = os.path.join(HERE, "..", "conformance", "node-expectations.txt")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modelc")
    ap.add_argument("--data", nargs="+",
                    default=["/usr/share/libonnx-testdata/data/node"],
                    help="suite folders; cases outside the first are named "
                         "SUITE/test_name")
    ap.add_argument("--expectations", default=EXPECTATIONS)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=int, default=120,
                    help="seconds for modelc and for each emulated run")
    ap.add_argument("--filter", default="", help="only cases whose name matches")
    ap.add_argument("--report", default="")
    ap.add_argument("--update", action="store_true",
                    help="rewrite the expectations file from this run; a new "
                         "failure takes the C target's entry when its reason "
                         "admits the failure's class")
    ap.add_argument("--from-report", default="",
                    help="judge the results of an earlier --report instead of "
                         "running the cases")
    args = ap.parse_args()
    if not args.modelc and not args.from_report:
        ap.error("--modelc is required")
    args.scope = "all"
    return args


def stage_inputs(dataset, binds, num_inputs, staged):
    """Links the data set's files for the inputs that stay inputs into
    `staged`, renumbered in order, as `modelc run` does for the C runner."""
    os.makedirs(staged, exist_ok=True)
    bound = {index for index, _ in binds}
    kept = [k for k in range(num_inputs) if k not in bound]
    for new, old in enumerate(kept):
        os.symlink(os.path.abspath(os.path.join(dataset, f"input_{old}.pb")),
                   os.path.join(staged, f"input_{new}.pb"))


def compile_cuda(args, model_path, dataset, binds, out):
    """modelc compile --target=cuda, with a timeout: None, or (class, detail)."""
    command = [args.modelc, "compile", model_path, "--target=cuda",
               "--precision=fp32", "-o", out]
    for index, name in binds:
        command += ["--bind", f"{name}={os.path.join(dataset, f'input_{index}.pb')}"]
    try:
        proc = subprocess.run(command, capture_output=True, text=True,
                              timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return "timeout", f"modelc compile over {args.timeout} s"
    except OSError as e:
        return "crash", f"cannot run modelc: {e}"
    if proc.returncode == 0:
        return None
    return conformance.modelc_failure(proc.returncode, proc.stderr)


def build_runner(args, model_path, dataset, binds, out):
    """(runner, None) or (None, (class, detail)): compiles the case with the
    exact modelc failure class, then builds the emulated runner with
    check_emulated.build_emulated (which compiles again; cheap next to g++)."""
    failure = compile_cuda(args, model_path, dataset, binds, out)
    if failure:
        return None, failure
    extra = [arg for index, name in binds for arg in
             ("--bind", f"{name}={os.path.join(dataset, f'input_{index}.pb')}")]
    try:
        runner, _ = build_emulated(args.modelc, model_path, "fp32", out, extra)
    except RuntimeError as e:
        text = str(e)
        return None, ("build" if text.startswith("g++") else "crash", text[-300:])
    return runner, None


def run_emulated(args, runner, staged, outputs):
    """None, or (class, detail) of an emulated run that failed."""
    try:
        proc = subprocess.run([runner, "--inputs", staged, "--outputs", outputs],
                              capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return "timeout", f"the emulated runner ran over {args.timeout} s"
    except OSError as e:
        return "crash", f"cannot run the emulated runner: {e}"
    tail = (proc.stderr.strip() or proc.stdout.strip())[-300:]
    if proc.returncode < 0:
        return "crash", f"the emulated runner died on signal {-proc.returncode}: {tail}"
    if proc.returncode != 0:
        return "run-error", f"the emulated runner exited {proc.returncode}: {tail}"
    return None


def run_case(args, name):
    case = conformance.case_dir(args, name)
    model_path = os.path.join(case, "model.onnx")
    start = time.time()
    model = onnx.load(model_path)
    binds = conformance.bindable_inputs(model)
    num_inputs = len(conformance.graph_inputs(model))
    result = {"bound": [n for _, n in binds], "inputs": num_inputs}
    datasets = sorted(d for d in os.listdir(case) if d.startswith("test_data_set_"))

    work = tempfile.mkdtemp(prefix="modelc_node_")

    def failed(status, detail):
        detail = detail.replace(work, "WORK")
        if status in ("run-error", "mismatch"):
            problems = [p for ds in datasets for p in
                        conformance.data_problems(model, os.path.join(case, ds))]
            if problems:
                status, detail = "test-data", "; ".join(problems) + f" ({detail})"
        result.update(status=status, detail=detail, seconds=time.time() - start)
        return result

    try:
        runner = None
        for ds in datasets:
            dataset = os.path.join(case, ds)
            # Frozen inputs take each data set's values: one artifact per set.
            if runner is None or binds:
                out = os.path.join(work, f"artifact_{ds}")
                runner, failure = build_runner(args, model_path, dataset, binds, out)
                if failure:
                    return failed(*failure)
            staged = os.path.join(work, f"inputs_{ds}")
            stage_inputs(dataset, binds, num_inputs, staged)
            outputs = os.path.join(work, f"outputs_{ds}")
            failure = run_emulated(args, runner, staged, outputs)
            if not failure:
                failure = conformance._check_outputs(dataset, outputs, ds)
            if failure:
                return failed(*failure)
        result.update(status="pass", detail="", seconds=time.time() - start,
                      kind=conformance.pass_kind(result["bound"], num_inputs))
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    args = parse_args()
    expected = conformance.read_expectations(args.expectations)
    cases = conformance.collect_cases(args)
    results = conformance.collect_results(args, cases, run_case)

    if args.update:
        # The C target's reviewed reasons and texts seed cases new here.
        seeded = dict(expected)
        for name, entry in conformance.read_expectations(
                C_EXPECTATIONS).items():
            if name in cases and name not in seeded:
                seeded[name] = entry
        entries, unlistable = conformance.updated_entries(cases, results, seeded)
        conformance.write_expectations(args.expectations, entries,
                                       "Node tests through the emulated CUDA target")
        print(f"updated {args.expectations}; {len(unlistable)} failures no "
              f"reason admits")
        expected = conformance.read_expectations(args.expectations)

    problems = []
    for name in cases:
        verdict, message = conformance.judge(results[name], expected.get(name))
        if verdict != "ok":
            problems.append(f"{verdict.upper()} {name}: {message}")
    for line in problems:
        print(line)
    summary = conformance.summarize(cases, results, expected)
    unsupported = sum(1 for n in cases if results[n]["status"] == "compile")
    print(f"emulated CUDA target: {conformance.summary_line(summary)}; "
          f"{unsupported} unsupported (compile errors)")
    print("not passing by reason: " + ", ".join(
        f"{k} {v}" for k, v in summary["fail_by_reason"].items()))
    if args.report:
        with open(args.report, "w") as f:
            json.dump({"summary": summary, "results": results,
                       "problems": problems}, f, indent=1, sort_keys=True)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
