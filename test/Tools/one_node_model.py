"""One-node ONNX models through `modelc run`, for the test scripts here.

run_one_node builds a model around one node with onnx.helper, writes its
inputs as input_K.pb, runs `modelc run --target=c` on them and reads the
outputs back; compare_outputs holds floats to 1e-4 of each output's largest
magnitude and integers to exact equality.
"""

import os
import subprocess

import numpy as np
import onnx
from onnx import helper, numpy_helper


def run_one_node(modelc, folder, node, inputs, output_shapes, opset,
                 output_types=None):
    """Runs `node` on `inputs` (name -> array; "" for an absent operand).

    Returns (completed process, list of output arrays or None).
    """
    os.makedirs(os.path.join(folder, "in"), exist_ok=True)
    present = [(n, a) for n, a in inputs.items() if n and a is not None]
    for k, (name, array) in enumerate(present):
        with open(os.path.join(folder, "in", f"input_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(array, name).SerializeToString())
    elem = lambda a: onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[a.dtype]
    types = output_types or [onnx.TensorProto.FLOAT] * len(output_shapes)
    graph = helper.make_graph(
        [node], "one_node",
        [helper.make_tensor_value_info(n, elem(a), list(a.shape))
         for n, a in present],
        [helper.make_tensor_value_info(n, t, list(s))
         for n, t, s in zip(node.output, types, output_shapes)])
    model = helper.make_model(graph,
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    path = os.path.join(folder, "model.onnx")
    onnx.save(model, path)
    outputs = os.path.join(folder, "out")
    proc = subprocess.run(
        [modelc, "run", path, "--target=c", "--inputs",
         os.path.join(folder, "in"), "--outputs", outputs],
        capture_output=True, text=True)
    if proc.returncode != 0:
        return proc, None
    return proc, [numpy_helper.to_array(onnx.load_tensor(
        os.path.join(outputs, f"output_{k}.pb")))
        for k in range(len(output_shapes))]


def compare_outputs(got, want, names):
    """(ok, detail): every output's shape, and its values within tolerance."""
    ok, details = True, []
    for name, g, w in zip(names, got, want):
        if g.shape != w.shape:
            ok = False
            details.append(f"{name} {list(g.shape)}, expected {list(w.shape)}")
        elif np.issubdtype(w.dtype, np.integer) or w.dtype == bool:
            same = np.array_equal(g, w)
            ok = ok and same
            details.append(f"{name} {'exact' if same else 'differs'}")
        else:
            scale = max(float(np.max(np.abs(w))), 1e-30)
            error = float(np.max(np.abs(g.astype(np.float64) - w)))
            ok = ok and error <= 1e-4 * scale
            details.append(f"{name} {error / scale:.2g} of the largest output")
    return ok, ", ".join(details)


def refused_with(proc, node_prefix, message):
    """True when modelc failed with one error line naming the node."""
    lines = proc.stderr.strip().splitlines()
    return (proc.returncode == 1 and len(lines) == 1 and
            lines[0].startswith(f"modelc: error: {node_prefix}") and
            message in lines[0])


def main_with_cases(description, prefix, check):
    """The scripts' main: parses --modelc (and --keep DIR, which writes the
    cases there and keeps them, for running another runtime on them), then
    calls check(modelc, work, report), where report(ok, label, detail)
    prints one PASS or FAIL line. Prints "N passed, M failed"; returns the
    exit status."""
    import argparse
    import shutil
    import tempfile

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--modelc", required=True)
    ap.add_argument("--keep", help="write the cases here and keep them")
    args = ap.parse_args()
    work = args.keep or tempfile.mkdtemp(prefix=prefix)
    tally = {"passed": 0, "failed": 0}

    def report(ok, label, detail):
        tally["passed" if ok else "failed"] += 1
        print(f"{'PASS' if ok else 'FAIL'} {label}: {detail}")

    try:
        check(args.modelc, work, report)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{tally['passed']} passed, {tally['failed']} failed")
    return 0 if tally["failed"] == 0 else 1


def check_one_node(report, label, modelc, folder, node, inputs, wants, names,
                   opset, output_types=None):
    """Runs `node` and reports its outputs against `wants`."""
    proc, got = run_one_node(modelc, folder, node, inputs,
                             [w.shape for w in wants], opset, output_types)
    if got is None:
        report(False, label, proc.stderr.strip()[-300:])
        return
    ok, detail = compare_outputs(got, wants, names)
    report(ok, label, detail)
