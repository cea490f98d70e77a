#!/usr/bin/env python3
"""Runs the ONNX backend node tests through `modelc run` and holds the result
to an expectations file.

Each case in DATA_DIR/test_*/ has a model.onnx and test_data_set_N folders of
input_K.pb / output_K.pb. Graph inputs that only determine shapes (Reshape's
shape, Slice's starts, ...) are frozen with --bind, as an ahead-of-time compiler
must; data inputs never are. A case passes when every output of every data set
matches: floats within ONNX's backend-test tolerance (rtol 1e-3, atol 1e-7),
integers and booleans exactly.

The expectations file lists every case in scope that is known not to pass,
one per line: `test_name  reason  free text`, with reason from REASONS. The run
fails when a case not listed fails (a regression) and when a listed case
passes (a stale entry), so the file stays true.

usage: run_node_tests.py --modelc BIN [--data DIR] [--scope foundation|all]
                         [--expectations FILE] [--jobs N] [--filter REGEX]
                         [--report FILE.json] [--update]
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

# Why a case may be expected not to pass.
REASONS = {
    "unsupported-op": "an op the C target does not implement yet",
    "unsupported-dtype": "an element type the C target does not support",
    "unsupported-attribute": "an attribute value or rank not supported",
    "dynamic-shape": "an output shape that depends on input data",
    "runtime-parameter": "a parameter given as a data input that modelc "
                         "needs at compile time",
    "training": "training-mode behaviour",
    "random": "random output",
    "sequence-or-optional": "sequence or optional types",
    "string": "string tensors",
    "numerics": "results outside tolerance",
}

# The ops of the foundation issue: cases built only from these are in scope.
FOUNDATION_OPS = {
    "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip",
    "Sigmoid", "Tanh", "Erf", "Sqrt", "Pow", "Exp", "Neg", "MaxPool",
    "AveragePool", "GlobalAveragePool", "BatchNormalization", "Flatten",
    "Reshape", "Transpose", "Concat", "Softmax", "Gather", "Slice", "Squeeze",
    "Unsqueeze", "ReduceMean", "LayerNormalization", "Constant", "Identity",
    "Shape", "Cast", "Where", "Expand", "Equal", "ConstantOfShape",
}

# Operand positions that only carry a shape, axes or slice bounds: an
# ahead-of-time compiler specializes them.
SHAPE_OPERANDS = {
    "Reshape": {1}, "Expand": {1}, "Slice": {1, 2, 3, 4}, "Squeeze": {1},
    "Unsqueeze": {1}, "ReduceMean": {1}, "ReduceSum": {1}, "ReduceMax": {1},
    "ReduceMin": {1}, "ReduceProd": {1}, "ReduceL1": {1}, "ReduceL2": {1},
    "ReduceLogSum": {1}, "ReduceLogSumExp": {1}, "ReduceSumSquare": {1},
    "ConstantOfShape": {0}, "Tile": {1}, "Pad": {1, 3}, "TopK": {1},
    "Split": {1}, "Resize": {1, 2, 3}, "Upsample": {1}, "OneHot": {1},
    "Range": {0, 1, 2}, "CumSum": {1}, "Trilu": {1}, "Compress": {1},
    "BlackmanWindow": {0}, "HammingWindow": {0}, "HannWindow": {0},
}


def parse_args():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--modelc", required=True)
    p.add_argument("--data", nargs="+",
                   default=["/usr/share/libonnx-testdata/data/node"],
                   help="suite folders (node, simple, pytorch-converted, "
                        "pytorch-operator); cases outside node are named "
                        "SUITE/test_name")
    p.add_argument("--scope", choices=["foundation", "all"], default="foundation")
    p.add_argument("--expectations",
                   default=os.path.join(here, "node-expectations.txt"))
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--timeout", type=int, default=120)
    p.add_argument("--filter", default="")
    p.add_argument("--report", default="")
    p.add_argument("--update", action="store_true",
                   help="rewrite the expectations file from this run")
    p.add_argument("--markdown", default="",
                   help="write the conformance matrix (docs/conformance.md)")
    p.add_argument("--ort-passing", default=os.path.join(
        here, "ort-1.30-node-passing.txt"),
                   help="cases onnxruntime 1.30 passes, one per line")
    return p.parse_args()


def classify(result):
    """A reason from REASONS for a case that does not pass, from what went wrong."""
    detail = result["detail"].lower()
    if result["status"] == "fail":
        if "uint16" in detail:
            return "unsupported-dtype"
        return "numerics"
    rules = [
        ("training", "training"), ("random", "random"),
        ("sequence", "sequence-or-optional"), ("optional", "sequence-or-optional"),
        ("not a tensor", "sequence-or-optional"), ("element type 8", "string"),
        ("target type 8", "string"), ("string", "string"),
        ("bfloat16", "unsupported-dtype"), ("16-bit", "unsupported-dtype"),
        ("element type", "unsupported-dtype"), ("only floating-point", "unsupported-dtype"),
        ("float32 only", "unsupported-dtype"), ("must be ranked tensor of", "unsupported-dtype"),
        ("compile-time constant", "runtime-parameter"),
        ("symbolic dimension", "dynamic-shape"),
        ("unsupported node", "unsupported-op"), ("is not supported", "unsupported-op"),
        ("only 1-d and 2-d", "unsupported-attribute"), ("indices output", "unsupported-attribute"),
        ("output ", "unsupported-attribute"),
    ]
    for needle, reason in rules:
        if needle in detail:
            return reason
    return "unsupported-op"


def ops_of_case(args, name):
    model = onnx.load(os.path.join(case_dir(args, name), "model.onnx"),
                      load_external_data=False)
    return sorted(case_ops(model))


def input_dtype(args, name):
    model = onnx.load(os.path.join(case_dir(args, name), "model.onnx"),
                      load_external_data=False)
    for value in model.graph.input:
        if value.type.HasField("tensor_type"):
            return onnx.TensorProto.DataType.Name(value.type.tensor_type.elem_type).lower()
        return "non-tensor"
    return "none"


def suite_of(case):
    return case.split("/", 1)[0] if "/" in case else "node"


def write_markdown(args, cases, results, expected):
    ort = set()
    if os.path.exists(args.ort_passing):
        with open(args.ort_passing) as f:
            ort = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    passed = [c for c in cases if results[c]["status"] == "pass"]
    ort_cases = [c for c in cases if c in ort]
    ort_passed = [c for c in ort_cases if results[c]["status"] == "pass"]
    by_op, by_dtype = {}, {}
    for case in cases:
        ok = results[case]["status"] == "pass"
        for op in ops_of_case(args, case):
            entry = by_op.setdefault(op, [0, 0])
            entry[0] += ok
            entry[1] += 1
        entry = by_dtype.setdefault(input_dtype(args, case), [0, 0])
        entry[0] += ok
        entry[1] += 1
    bound = sorted({n for c in passed for n in results[c].get("bound", [])})
    lines = [
        "# Conformance: the ONNX backend node tests", "",
        "Generated by `test/conformance/run_node_tests.py --scope all --data "
        "DATA/node DATA/simple DATA/pytorch-converted DATA/pytorch-operator "
        "--markdown docs/conformance.md` (DATA = "
        "/usr/share/libonnx-testdata/data) from one run of modelc's C target "
        "over Debian's `libonnx-testdata` (ONNX 1.12). Do not edit by hand.", "",
        "Each case is compiled with `modelc run --target=c` and every output of "
        "every data set is compared: floats within the backend tests' "
        "tolerance (rtol 1e-3, atol 1e-7), integers and booleans exactly. "
        "Graph inputs that only feed shape operands (Reshape's shape, Slice's "
        "bounds, Squeeze/Unsqueeze/Reduce axes, Resize's scales or sizes, "
        "Tile's repeats, ...) are frozen with `--bind`; data inputs never are. "
        f"{sum(1 for c in passed if results[c].get('bound'))} passing cases were "
        "specialized that way.", "",
        "## Summary", "",
        "| | cases | pass | rate |", "|---|---|---|---|",
        f"| all cases | {len(cases)} | {len(passed)} | "
        f"{100.0 * len(passed) / max(len(cases), 1):.1f}% |",
    ] + [
        f"| {suite} | {sum(1 for c in cases if suite_of(c) == suite)} | "
        f"{sum(1 for c in passed if suite_of(c) == suite)} | "
        f"{100.0 * sum(1 for c in passed if suite_of(c) == suite) / max(1, sum(1 for c in cases if suite_of(c) == suite)):.1f}% |"
        for suite in sorted({suite_of(c) for c in cases})
    ] + [
        f"| node cases onnxruntime 1.30 passes | {len(ort_cases)} | {len(ort_passed)} | "
        f"{100.0 * len(ort_passed) / max(len(ort_cases), 1):.1f}% |", "",
        "Every case that does not pass is listed in "
        "`test/conformance/node-expectations.txt` with its reason; the CTest "
        "`onnx-backend-tests` fails when a case regresses or a listed case "
        "starts passing.", "",
        "## By element type of the first input", "",
        "| dtype | pass | cases |", "|---|---|---|",
    ]
    for dtype, (ok, total) in sorted(by_dtype.items()):
        lines.append(f"| {dtype} | {ok} | {total} |")
    lines += ["", "## By op", "", "| op | pass | cases |", "|---|---|---|"]
    for op, (ok, total) in sorted(by_op.items()):
        lines.append(f"| {op} | {ok} | {total} |")
    lines += ["", "## Not passing", "", "| case | reason | detail |", "|---|---|---|"]
    for case in cases:
        if results[case]["status"] == "pass":
            continue
        reason, text = expected.get(case, (classify(results[case]), ""))
        detail = (text or results[case]["detail"]).replace("|", "/").replace("\n", " ")
        lines.append(f"| {case} | {reason} | {detail[:140]} |")
    with open(args.markdown, "w") as f:
        f.write("\n".join(lines) + "\n")


def read_expectations(path):
    expected = {}
    if not os.path.exists(path):
        return expected
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 2)
            if len(parts) < 2 or parts[1] not in REASONS:
                sys.exit(f"{path}:{number}: expected 'test_name reason text' "
                         f"with a reason from: {', '.join(REASONS)}")
            expected[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
    return expected


def case_ops(model):
    ops = set()
    def walk(graph):
        for node in graph.node:
            ops.add(node.op_type if node.domain in ("", "ai.onnx")
                    else node.domain + "::" + node.op_type)
            for attr in node.attribute:
                if attr.HasField("g"):
                    walk(attr.g)
                for sub in attr.graphs:
                    walk(sub)
    walk(model.graph)
    return ops


def bindable_inputs(model):
    """Graph inputs that feed only shape operands."""
    initializers = {init.name for init in model.graph.initializer}
    inputs = [i.name for i in model.graph.input if i.name not in initializers]
    uses = {name: [] for name in inputs}
    for node in model.graph.node:
        for position, name in enumerate(node.input):
            if name in uses:
                shape_operand = position in SHAPE_OPERANDS.get(node.op_type, ())
                uses[name].append(shape_operand)
    for output in model.graph.output:
        if output.name in uses:
            uses[output.name].append(False)
    return [(index, name) for index, name in enumerate(inputs)
            if uses[name] and all(uses[name])]


def compare(expected, actual):
    if expected.shape != actual.shape:
        return f"shape {list(actual.shape)} != expected {list(expected.shape)}"
    if expected.dtype != actual.dtype:
        return f"dtype {actual.dtype} != expected {expected.dtype}"
    if expected.dtype.kind == "f":
        e = expected.astype(np.float64)
        a = actual.astype(np.float64)
        nan = np.isnan(e)
        if not np.array_equal(nan, np.isnan(a)):
            return "NaN positions differ"
        e, a = e[~nan], a[~nan]
        bad = np.abs(a - e) > 1e-7 + 1e-3 * np.abs(e)
        if np.any(bad & ~(np.isinf(e) & (a == e))):
            diff = np.max(np.abs(a - e)) if e.size else 0
            return f"max |diff| {diff:.3g} beyond rtol 1e-3, atol 1e-7"
        return None
    if not np.array_equal(expected, actual):
        return "values differ"
    return None


def case_dir(args, name):
    """The folder of a case: `test_x` is in the first (node) suite,
    `suite/test_x` in the suite folder called `suite`."""
    if "/" in name:
        suite, test = name.split("/", 1)
        for data in args.data:
            if os.path.basename(os.path.normpath(data)) == suite:
                return os.path.join(data, test)
    return os.path.join(args.data[0], name)


def run_case(args, name):
    case = case_dir(args, name)
    start = time.time()
    try:
        model = onnx.load(os.path.join(case, "model.onnx"))
    except Exception as e:  # noqa: BLE001 - a broken file is a result too
        return {"status": "fail", "detail": f"cannot load: {e}"}
    binds = bindable_inputs(model)
    datasets = sorted(d for d in os.listdir(case) if d.startswith("test_data_set_"))
    work = tempfile.mkdtemp(prefix="node_")
    try:
        for ds in datasets:
            inputs = os.path.join(case, ds)
            outputs = os.path.join(work, ds)
            command = [args.modelc, "run", os.path.join(case, "model.onnx"),
                       "--target=c", "--inputs", inputs, "--outputs", outputs,
                       "--work-dir", os.path.join(work, "build")]
            for index, input_name in binds:
                command += ["--bind",
                            f"{input_name}={os.path.join(inputs, f'input_{index}.pb')}"]
            try:
                proc = subprocess.run(command, capture_output=True, text=True,
                                      timeout=args.timeout)
            except subprocess.TimeoutExpired:
                return {"status": "timeout", "detail": f"over {args.timeout} s"}
            if proc.returncode < 0 or proc.returncode > 2:
                return {"status": "crash",
                        "detail": f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"}
            if proc.returncode != 0:
                return {"status": "error", "detail": proc.stderr.strip()[-300:]}
            outs = sorted(f for f in os.listdir(inputs) if f.startswith("output_"))
            for out in outs:
                produced = os.path.join(outputs, out)
                if not os.path.exists(produced):
                    return {"status": "fail", "detail": f"{out} missing"}
                expected = numpy_helper.to_array(onnx.load_tensor(os.path.join(inputs, out)))
                actual = numpy_helper.to_array(onnx.load_tensor(produced))
                problem = compare(expected, actual)
                if problem:
                    return {"status": "fail", "detail": f"{ds}/{out}: {problem}"}
        return {"status": "pass", "detail": "",
                "bound": [n for _, n in binds], "seconds": time.time() - start}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    args = parse_args()
    expected = read_expectations(args.expectations)
    cases = []
    names = []
    for index, data in enumerate(args.data):
        suite = os.path.basename(os.path.normpath(data))
        for test in sorted(os.listdir(data)):
            names.append(test if index == 0 else f"{suite}/{test}")
    for name in names:
        if args.filter and not re.search(args.filter, name):
            continue
        model_path = os.path.join(case_dir(args, name), "model.onnx")
        if not os.path.exists(model_path):
            continue
        if args.scope == "foundation":
            ops = case_ops(onnx.load(model_path, load_external_data=False))
            if not ops <= FOUNDATION_OPS:
                continue
        cases.append(name)

    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_case, args, name): name for name in cases}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()

    regressions, stale, passed, expected_failures = [], [], 0, 0
    for name in cases:
        result = results[name]
        ok = result["status"] == "pass"
        passed += ok
        if name in expected:
            if ok:
                stale.append(name)
            else:
                expected_failures += 1
        elif not ok:
            regressions.append(name)

    for name in regressions:
        r = results[name]
        print(f"UNEXPECTED {r['status'].upper()} {name}: {r['detail']}")
    for name in stale:
        print(f"STALE {name}: passes but is listed as "
              f"'{expected[name][0]}' in the expectations file")
    counts = {}
    for r in results.values():
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    print(f"scope '{args.scope}': {len(cases)} cases, {passed} pass "
          f"({100.0 * passed / max(len(cases), 1):.1f}%), "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

    if args.report:
        with open(args.report, "w") as f:
            json.dump({"scope": args.scope, "results": results,
                       "expected": {k: list(v) for k, v in expected.items()}},
                      f, indent=1, sort_keys=True)
    if args.update:
        keep = {k: v for k, v in expected.items() if k not in cases}
        for name in cases:
            r = results[name]
            if r["status"] != "pass":
                reason, text = expected.get(name, (classify(r), ""))
                keep[name] = (reason, text or r["detail"].replace("\n", " ")[:160])
        with open(args.expectations, "w") as f:
            f.write("# Node tests that are known not to pass: test  reason  detail.\n"
                    "# Reasons: " + ", ".join(REASONS) + ".\n"
                    "# Regenerate with run_node_tests.py --update, then review.\n")
            for name in sorted(keep):
                reason, text = keep[name]
                f.write(f"{name}  {reason}  {text}\n")
    if args.markdown:
        write_markdown(args, cases, results, read_expectations(args.expectations))
    good = len(cases) - len(regressions) - len(stale)
    print(f"{good} passed, {len(regressions) + len(stale)} failed")
    return 1 if regressions or stale else 0


if __name__ == "__main__":
    sys.exit(main())
