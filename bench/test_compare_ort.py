#!/usr/bin/env python3
"""Checks that bench/compare_ort.py measures both sides alike, without timing
anything: a fake modelc and a fake onnxruntime worker (NODE, which
scripts/ort/ort.py runs) log what they were asked to do.

  * each side gets the same timed runs and warm-up runs,
  * the side that goes first alternates every round,
  * both sides read the same input tensors: the model's test_data_set_0 when it
    is beside the model, else one set from `ort.py inputs` (integers 1),
  * the summary is the median of round medians and their ratio, plus each
    round's own ratio.

usage: test_compare_ort.py MODEL.onnx   (a model with one float input, e.g.
       examples/lenet.onnx; needs /usr/bin/python3 with numpy and onnx)
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"

# Logs its command line and a digest of each input tensor, then answers like
# `modelc bench --json`: the median is 2 ms in odd calls, 4 ms in even ones.
FAKE_MODELC = r'''#!/usr/bin/python3
import hashlib, json, os, sys
import onnx
from onnx import numpy_helper
argv = sys.argv[1:]
folder = argv[argv.index("--inputs") + 1]
files = sorted(f for f in os.listdir(folder) if f.startswith("input_"))
digests = [hashlib.sha256(numpy_helper.to_array(onnx.load_tensor(os.path.join(folder, f)))
                          .tobytes()).hexdigest() for f in files]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({"side": "modelc", "argv": argv, "inputs": digests}) + "\n")
with open(os.environ["FAKE_LOG"]) as log:
    calls = sum(1 for line in log if '"modelc"' in line)
print(json.dumps({"median_ms": 2.0 if calls % 2 else 4.0, "p90_ms": 5.0}))
'''

# Stands in for node running ort_worker.js: logs the request, answers with
# times of 1 ms.
FAKE_NODE = r'''#!/usr/bin/python3
import hashlib, json, os, sys
worker, request_path, answer_path = sys.argv[1:4]
request = json.load(open(request_path))
digests = [hashlib.sha256(open(i["file"], "rb").read()).hexdigest() for i in request["inputs"]]
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({"side": "ort", "worker": os.path.basename(worker),
                          "runs": request["runs"], "warmup": request["warmup"],
                          "threads": request["threads"], "inputs": digests}) + "\n")
json.dump({"times_ms": [1.0] * request["runs"], "session_create_ms": 0.5,
           "ort_version": "fake"}, open(answer_path, "w"))
'''


class Failure(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Failure(what)
    print("PASS " + what)


def digests_of(folder):
    import onnx
    from onnx import numpy_helper
    files = sorted(f for f in os.listdir(folder) if f.startswith("input_"))
    return [hashlib.sha256(numpy_helper.to_array(onnx.load_tensor(os.path.join(folder, f)))
                           .tobytes()).hexdigest() for f in files]


def write_script(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)


def compare(work, model, *args):
    log = os.path.join(work, "log.jsonl")
    if os.path.exists(log):
        os.remove(log)
    env = dict(os.environ, FAKE_LOG=log, NODE=os.path.join(work, "node"),
               ORT_NODE_MODULES=os.path.join(work, "node_modules"))
    p = subprocess.run([PYTHON, os.path.join(HERE, "compare_ort.py"), model,
                        "--modelc", os.path.join(work, "modelc"), "--json"] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True, env=env)
    print(p.stdout)
    calls = []
    if os.path.exists(log):
        with open(log) as f:
            calls = [json.loads(line) for line in f]
    summary = None
    for line in reversed(p.stdout.strip().splitlines()):
        if line.startswith("{"):
            summary = json.loads(line)
            break
    return p.returncode, calls, summary


def check_alike(calls, runs, warmup, rounds, expected_inputs, what):
    order = [c["side"] for c in calls]
    expected_order = []
    for r in range(rounds):
        expected_order += ["modelc", "ort"] if r % 2 == 0 else ["ort", "modelc"]
    expect(order == expected_order, "%s: the first side alternates (%s)" % (what, " ".join(order)))
    counts = set()
    for c in calls:
        if c["side"] == "modelc":
            argv = c["argv"]
            counts.add((c["side"], int(argv[argv.index("--iterations") + 1]),
                        int(argv[argv.index("--warmup") + 1])))
        else:
            counts.add((c["side"], c["runs"], c["warmup"]))
    expect(counts == {("modelc", runs, warmup), ("ort", runs, warmup)},
           "%s: both sides get %d runs after %d warm-ups (%s)" % (what, runs, warmup, sorted(counts)))
    expect(all(c["inputs"] == expected_inputs for c in calls),
           "%s: both sides read the expected inputs" % what)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    work = tempfile.mkdtemp(prefix="test_compare_ort-")
    try:
        write_script(os.path.join(work, "modelc"), FAKE_MODELC)
        write_script(os.path.join(work, "node"), FAKE_NODE)
        os.makedirs(os.path.join(work, "node_modules", "onnxruntime-node"))
        model = os.path.join(work, "net.onnx")
        shutil.copy(sys.argv[1], model)
        ort_py = os.path.join(ROOT, "scripts", "ort", "ort.py")

        # No test set beside the model: one generated set, the same for both.
        generated = os.path.join(work, "generated")
        subprocess.run([PYTHON, ort_py, "inputs", model, generated], check=True)
        rc, calls, summary = compare(work, model, "--rounds", "4", "--runs", "7", "--warmup", "3")
        expect(rc == 0, "generated inputs: exit status 0")
        check_alike(calls, 7, 3, 4, digests_of(generated), "generated inputs")
        expect(summary["inputs_origin"].startswith("generated"), "generated inputs: reported as generated")
        expect(summary["first_per_round"] == ["modelc", "ort", "modelc", "ort"],
               "generated inputs: the summary lists who went first")
        # modelc's fake medians are 2, 4, 2, 4 ms: the median of round medians is 3.
        expect(summary["modelc_median_ms"] == 3.0 and summary["ort_median_ms"] == 1.0
               and summary["ratio_modelc_over_ort"] == 3.0,
               "generated inputs: medians of round medians and their ratio")
        expect(summary["round_ratios"] == [2.0, 4.0, 2.0, 4.0],
               "generated inputs: each round's own ratio")

        # A test set beside the model (scripts/export_models.py's layout) wins.
        beside = os.path.join(work, "net", "test_data_set_0")
        subprocess.run([PYTHON, ort_py, "inputs", model, beside, "--seed", "7"], check=True)
        expect(digests_of(beside) != digests_of(generated), "the two input sets differ")
        rc, calls, summary = compare(work, model, "--rounds", "3", "--runs", "4", "--warmup", "0")
        expect(rc == 0, "test set 0: exit status 0")
        check_alike(calls, 4, 0, 3, digests_of(beside), "test set 0")

        # --inputs names the folder outright.
        rc, calls, summary = compare(work, model, "--rounds", "2", "--inputs", generated)
        expect(rc == 0, "--inputs: exit status 0")
        check_alike(calls, 20, 5, 2, digests_of(generated), "--inputs")

        # A modelc command line that would not get the same work is refused.
        rc, calls, _ = compare(work, model, "--modelc-cmd", "{modelc} bench {model} --json")
        expect(rc == 2 and not calls, "--modelc-cmd without {runs} {warmup} {inputs} is refused")
    except Failure as e:
        print("FAIL " + str(e))
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("all passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
