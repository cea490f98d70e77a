#!/usr/bin/env python3
"""Latency of a model compiled by modelc (C target) against onnxruntime (CPU), measured in
alternating rounds on the same machine, on the same input files, with the same number of
untimed and timed runs on both sides.

usage: bench/compare_ort.sh MODEL.onnx [--threads 1] [--runs 20] [--warmup 5] [--rounds 5]
                            [--inputs DIR] [--modelc PATH] [--modelc-cmd TEMPLATE]
                            [--opt all] [--skip-modelc] [--skip-ort] [--json] [--timeout 1800]

Inputs: --inputs DIR, else the model's test_data_set_0 beside it (MODEL without .onnx,
then /test_data_set_0: the layout of scripts/export_models.py), else one set written by
`scripts/ort/ort.py inputs MODEL TMPDIR` (floats uniform in [-1, 1), integers 1, booleans
true) into a temporary folder.  Both sides read that folder.

Each round runs
  modelc:  {modelc} bench {model} --target=c --threads {threads} --iterations {runs}
           --warmup {warmup} --inputs {inputs} --json
           (one JSON line like the C runner's --bench: {"median_ms":..., "p90_ms":..., ...})
  ort:     /usr/bin/python3 scripts/ort/ort.py bench {model} --inputs {inputs}
           --threads {threads} --runs {runs} --warmup {warmup} --opt {opt} --json
and the side that goes first alternates: modelc first in odd rounds, onnxruntime first in
even ones.  The result is the median over rounds of each side's per-round median, and the
ratio modelc/ort (< 1: modelc is faster).  The 1-minute load average before and after is
printed too: on a shared machine it says how far to trust the figures.

The modelc binary is --modelc, else $MODELC, else build/bin/modelc under the repository
root.  When it does not exist, only onnxruntime is measured (exit status 0); when it
exists but fails, its error is shown and the exit status is 1.  --modelc-cmd changes the
command line; it must keep the placeholders {runs}, {warmup} and {inputs} (also
available: {modelc} {model} {threads}) so that both sides do the same work.

Environment: ORT_PYTHON (the Python that runs ort.py, default /usr/bin/python3: it needs
numpy and onnx), and ort.py's own ORT_NODE_MODULES and NODE.  This script uses only the
Python standard library.
"""
import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORT_PY = os.path.join(ROOT, "scripts", "ort", "ort.py")
DEFAULT_MODELC_CMD = ("{modelc} bench {model} --target=c --threads {threads} "
                      "--iterations {runs} --warmup {warmup} --inputs {inputs} --json")


def last_json_line(text):
    """The last line of text that parses as a JSON object with a median_ms field."""
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and "median_ms" in obj:
            return obj
    return None


def run_side(name, argv, env, timeout):
    """Runs one benchmark command; returns (result dict or None, error message or None, seconds)."""
    t0 = time.time()
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                           timeout=timeout, universal_newlines=True)
    except subprocess.TimeoutExpired:
        return None, "%s: timed out after %d s" % (name, timeout), time.time() - t0
    except OSError as e:
        return None, "%s: cannot run %s: %s" % (name, argv[0], e), time.time() - t0
    dt = time.time() - t0
    res = last_json_line(p.stdout)
    if p.returncode != 0 or res is None:
        tail = (p.stderr.strip() or p.stdout.strip()).splitlines()[-5:]
        return None, "%s: exit status %d%s\n    %s" % (
            name, p.returncode, "" if res is not None else ", no JSON result line",
            "\n    ".join(tail) if tail else "(no output)"), dt
    return res, None, dt


def has_input_files(folder):
    return os.path.isdir(folder) and any(
        f.startswith("input_") and f.endswith(".pb") for f in os.listdir(folder))


def beside_model(model):
    """MODEL without its .onnx suffix, then /test_data_set_0."""
    stem = model[:-len(".onnx")] if model.endswith(".onnx") else model
    return os.path.join(stem, "test_data_set_0")


def round_order(sides, r):
    """The sides in the order they run in round r (0-based): reversed every other round,
    so that each side goes first equally often."""
    return list(sides) if r % 2 == 0 else list(reversed(sides))


def fmt_ms(v):
    return "%.3f ms" % v if v is not None else "-"


def load1():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split("\n\n")[1].replace("usage: ", ""),
                                 description="modelc vs onnxruntime latency, alternating rounds")
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=20, help="timed runs per round, each side (default 20)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed runs per round, each side (default 5)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--inputs", help="folder of input_K.pb both sides run on "
                    "(default: the model's test_data_set_0, else generated)")
    ap.add_argument("--modelc", default=os.environ.get("MODELC") or os.path.join(ROOT, "build", "bin", "modelc"))
    ap.add_argument("--modelc-cmd", default=DEFAULT_MODELC_CMD)
    ap.add_argument("--opt", default="all", help="onnxruntime graph optimisation level (default all)")
    ap.add_argument("--skip-modelc", action="store_true")
    ap.add_argument("--skip-ort", action="store_true")
    ap.add_argument("--json", action="store_true", help="also print a JSON summary as the last line")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per command (default 1800)")
    a = ap.parse_args()

    if not os.path.isfile(a.model):
        ap.error("no such model file: %s" % a.model)
    if a.threads < 1 or a.runs < 1 or a.rounds < 1 or a.warmup < 0:
        ap.error("--threads, --runs and --rounds must be >= 1, --warmup >= 0")
    for key in ("{runs}", "{warmup}", "{inputs}"):
        if key not in a.modelc_cmd:
            ap.error("--modelc-cmd must use %s: both sides get the same runs, warm-ups and inputs" % key)
    if a.inputs and not has_input_files(a.inputs):
        ap.error("--inputs %s: no input_K.pb files there" % a.inputs)

    env = dict(os.environ)
    python = env.get("ORT_PYTHON", "/usr/bin/python3")

    scratch = tempfile.mkdtemp(prefix="compare_ort-")
    try:
        return measure(a, env, python, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def measure(a, env, python, scratch):
    if a.inputs:
        inputs, origin = a.inputs, "given"
    elif has_input_files(beside_model(a.model)):
        inputs, origin = beside_model(a.model), "the model's test set 0"
    else:
        inputs, origin = os.path.join(scratch, "inputs"), "generated by ort.py inputs"
        p = subprocess.run([python, ORT_PY, "inputs", a.model, inputs], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, universal_newlines=True, env=env)
        if p.returncode != 0:
            print("compare_ort: cannot generate inputs: %s" % p.stdout.strip(), file=sys.stderr)
            return 2

    sides = []
    notes = []
    modelc_failed = False
    if not a.skip_modelc:
        if os.path.isfile(a.modelc) and os.access(a.modelc, os.X_OK):
            cmd = a.modelc_cmd.format(modelc=shlex.quote(a.modelc), model=shlex.quote(a.model),
                                      threads=a.threads, runs=a.runs, warmup=a.warmup,
                                      inputs=shlex.quote(inputs))
            sides.append(("modelc", shlex.split(cmd)))
        else:
            notes.append("modelc: not available (%s does not exist; set MODELC or --modelc); measuring onnxruntime only"
                         % a.modelc)
    if not a.skip_ort:
        sides.append(("ort", [python, ORT_PY, "bench", a.model, "--inputs", inputs,
                              "--threads", str(a.threads), "--runs", str(a.runs),
                              "--warmup", str(a.warmup), "--opt", a.opt, "--json"]))
    if not sides:
        print("compare_ort: nothing to measure", file=sys.stderr)
        for n in notes:
            print(n, file=sys.stderr)
        return 2

    load_start = load1()
    print("model %s  threads %d  rounds %d  (each side: %d timed runs after %d warm-up runs per round)"
          % (a.model, a.threads, a.rounds, a.runs, a.warmup))
    print("inputs %s (%s)  load %s" % (inputs, origin, "-" if load_start is None else "%.2f" % load_start))
    for n in notes:
        print(n)
    for name, argv in sides:
        print("  %-6s %s" % (name, " ".join(shlex.quote(x) for x in argv)))
    sys.stdout.flush()

    medians = {name: [] for name, _ in sides}
    firsts = []
    extra = {}
    for r in range(a.rounds):
        line = []
        order = [(name, argv) for name, argv in round_order(sides, r)
                 if not (name == "modelc" and modelc_failed)]
        if order:
            firsts.append(order[0][0])
        for name, argv in order:
            res, err, dt = run_side(name, argv, env, a.timeout)
            if err:
                print(err)
                if name == "modelc":
                    modelc_failed = True
                    continue
                return 1
            medians[name].append(float(res["median_ms"]))
            extra[name] = res
            line.append("%s %s (p90 %s, %.1f s)" % (name, fmt_ms(res["median_ms"]),
                                                     fmt_ms(res.get("p90_ms")), dt))
        print("round %d: %s" % (r + 1, "   ".join(line)))
        sys.stdout.flush()
    load_end = load1()

    summary = {"model": a.model, "threads": a.threads, "rounds": a.rounds, "runs": a.runs,
               "warmup": a.warmup, "inputs": inputs, "inputs_origin": origin,
               "first_per_round": firsts, "load1_start": load_start, "load1_end": load_end}
    for name, _ in sides:
        m = medians[name]
        if not m:
            continue
        med = statistics.median(m)
        summary[name + "_median_ms"] = med
        summary[name + "_round_medians_ms"] = m
        print("%-6s median of round medians %s  (rounds: %s)" % (name, fmt_ms(med), ", ".join("%.3f" % x for x in m)))
    if "modelc_median_ms" in summary and "ort_median_ms" in summary:
        ratio = summary["modelc_median_ms"] / summary["ort_median_ms"]
        summary["ratio_modelc_over_ort"] = ratio
        # Each round's two sides ran back to back: their ratio shifts less with
        # the load of a shared machine than the medians taken over all rounds.
        pairs = [m / o for m, o in zip(medians["modelc"], medians["ort"])]
        summary["round_ratios"] = pairs
        print("per-round ratios %s (median %.3f)" % (", ".join("%.3f" % x for x in pairs),
                                                     statistics.median(pairs)))
        print("ratio modelc/ort %.3f  (%s)  load %s -> %s" % (
            ratio, "modelc faster" if ratio < 1 else "onnxruntime faster",
            "-" if load_start is None else "%.2f" % load_start,
            "-" if load_end is None else "%.2f" % load_end))
    if "modelc" in extra:
        for k in ("arena_bytes", "weights_bytes"):
            if k in extra["modelc"]:
                summary["modelc_" + k] = extra["modelc"][k]
    if "ort" in extra:
        summary["ort_session_create_ms"] = extra["ort"].get("session_create_ms")
        summary["ort_version"] = extra["ort"].get("ort_version")
    summary["modelc_status"] = ("failed" if modelc_failed else "ok" if medians.get("modelc") else
                                "skipped" if a.skip_modelc else "unavailable")
    if a.json:
        print(json.dumps(summary, sort_keys=True))
    return 1 if modelc_failed else 0


if __name__ == "__main__":
    sys.exit(main())
