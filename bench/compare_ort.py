#!/usr/bin/env python3
"""Latency of a model compiled by modelc (C target) against onnxruntime (CPU), measured in
alternating rounds on the same machine.

usage: bench/compare_ort.sh MODEL.onnx [--threads 1] [--runs 30] [--rounds 5] [--warmup 5]
                            [--modelc PATH] [--modelc-cmd TEMPLATE] [--ort-tools DIR]
                            [--opt all] [--skip-modelc] [--skip-ort] [--json] [--timeout 1800]

Each round runs
  modelc:  {modelc} bench {model} --target=c --threads {threads} --json
           (one JSON line like the C runner's --bench: {"median_ms":..., "p90_ms":..., ...})
  ort:     node ORT_TOOLS/ort_bench.js {model} --threads {threads} --runs {runs} --warmup {warmup} --json
and the two sides alternate which goes first.  The result is the median over rounds of
each side's per-round median, and the ratio modelc/ort (< 1: modelc is faster).

The modelc binary is --modelc, else $MODELC, else build/bin/modelc under the repository
root.  When it does not exist, only onnxruntime is measured (exit status 0); when it
exists but fails, its error is shown and the exit status is 1.  --modelc-cmd changes the
command line (placeholders {modelc} {model} {threads} {runs} {warmup}), e.g. to add
"--iterations {runs}".

Environment: ORT_NODE_MODULES (default ~/.cache/ort/node_modules), ORT_TOOLS
(default /work/shared/tools/ort), NODE (default node).  Only the Python standard library
is used.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MODELC_CMD = "{modelc} bench {model} --target=c --threads {threads} --json"


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


def fmt_ms(v):
    return "%.3f ms" % v if v is not None else "-"


def main():
    ap = argparse.ArgumentParser(usage=__doc__.split("\n\n")[1].replace("usage: ", ""),
                                 description="modelc vs onnxruntime latency, alternating rounds")
    ap.add_argument("model")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--runs", type=int, default=30, help="timed runs per round on the ort side (default 30)")
    ap.add_argument("--warmup", type=int, default=5, help="untimed runs per round on the ort side (default 5)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--modelc", default=os.environ.get("MODELC") or os.path.join(ROOT, "build", "bin", "modelc"))
    ap.add_argument("--modelc-cmd", default=DEFAULT_MODELC_CMD)
    ap.add_argument("--ort-tools", default=os.environ.get("ORT_TOOLS", "/work/shared/tools/ort"))
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

    env = dict(os.environ)
    env.setdefault("ORT_NODE_MODULES", os.path.join(os.path.expanduser("~"), ".cache", "ort", "node_modules"))
    node = env.get("NODE", "node")

    sides = []
    notes = []
    modelc_failed = False
    if not a.skip_modelc:
        if os.path.isfile(a.modelc) and os.access(a.modelc, os.X_OK):
            cmd = a.modelc_cmd.format(modelc=shlex.quote(a.modelc), model=shlex.quote(a.model),
                                      threads=a.threads, runs=a.runs, warmup=a.warmup)
            sides.append(("modelc", shlex.split(cmd)))
        else:
            notes.append("modelc: not available (%s does not exist; set MODELC or --modelc); measuring onnxruntime only"
                         % a.modelc)
    if not a.skip_ort:
        bench_js = os.path.join(a.ort_tools, "ort_bench.js")
        if not os.path.isfile(bench_js):
            print("compare_ort: %s not found (set ORT_TOOLS or --ort-tools)" % bench_js, file=sys.stderr)
            return 2
        if not os.path.isdir(os.path.join(env["ORT_NODE_MODULES"], "onnxruntime-node")):
            print("compare_ort: onnxruntime-node not found in %s; install it with\n"
                  "  ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix \"$HOME/.cache/ort\" onnxruntime-node@1.30.0"
                  % env["ORT_NODE_MODULES"], file=sys.stderr)
            return 2
        sides.append(("ort", [node, bench_js, a.model, "--threads", str(a.threads), "--runs", str(a.runs),
                              "--warmup", str(a.warmup), "--opt", a.opt, "--json"]))
    if not sides:
        print("compare_ort: nothing to measure", file=sys.stderr)
        for n in notes:
            print(n, file=sys.stderr)
        return 2

    print("model %s  threads %d  rounds %d  (ort: %d runs + %d warmup per round)"
          % (a.model, a.threads, a.rounds, a.runs, a.warmup))
    for n in notes:
        print(n)
    for name, argv in sides:
        print("  %-6s %s" % (name, " ".join(shlex.quote(x) for x in argv)))
    sys.stdout.flush()

    medians = {name: [] for name, _ in sides}
    extra = {}
    for r in range(a.rounds):
        order = sides if r % 2 == 0 else list(reversed(sides))
        line = []
        for name, argv in order:
            if name == "modelc" and modelc_failed:
                continue
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

    summary = {"model": a.model, "threads": a.threads, "rounds": a.rounds}
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
        print("ratio modelc/ort %.3f  (%s)" % (ratio, "modelc faster" if ratio < 1 else "onnxruntime faster"))
    if "modelc" in extra:
        for k in ("arena_bytes", "weights_bytes"):
            if k in extra["modelc"]:
                summary["modelc_" + k] = extra["modelc"][k]
    if "ort" in extra:
        summary["ort_session_create_ms"] = extra["ort"].get("session_create_ms")
    summary["modelc_status"] = ("failed" if modelc_failed else "ok" if medians.get("modelc") else
                                "skipped" if a.skip_modelc else "unavailable")
    if a.json:
        print(json.dumps(summary, sort_keys=True))
    return 1 if modelc_failed else 0


if __name__ == "__main__":
    sys.exit(main())
