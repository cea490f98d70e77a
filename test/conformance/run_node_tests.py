#!/usr/bin/env python3
"""Runs the ONNX backend node tests through `modelc run` and holds the result
to an expectations file and to three lists of passing cases.

Each case in DATA_DIR/test_*/ has a model.onnx and test_data_set_N folders of
input_K.pb / output_K.pb. A case passes when every output of every data set
matches: finite floats within ONNX's backend-test tolerance (rtol 1e-3,
atol 1e-7), +inf, -inf and NaN exactly where the expected output has them,
integers and booleans exactly.

Each case runs as a user runs it: `modelc run model.onnx --target=c --inputs
test_data_set_N --outputs OUT`, with no other flag.

Shape operands. An ahead-of-time compiler fixes every shape at compile time,
so a graph input whose *value* decides the *shape* of an output (Reshape's
shape, Slice's bounds, Squeeze/Unsqueeze/Reduce axes, Pad's pads and axes,
Resize's scales and sizes, TopK's K, Range's operands, Compress's condition,
...) is frozen to the data set's value: `modelc run` does that itself, with a
`modelc: froze input 'NAME' (...)` note on stderr for each. Nothing else may
be frozen: Pad's constant_value, Resize's roi, Trilu's k, CumSum's axis,
Clip's bounds and OneHot's values only change values, so they stay graph
inputs, and a case where modelc needs one of them at compile time fails as
runtime-parameter. SHAPE_OPERANDS is that rule, op by op, from the ONNX
operator specs, written here independently of modelc's own table: a run
whose notes freeze other inputs than the rule does fails as `freeze`.

Three kinds of pass are told apart and never added together silently:
  plain        no input was frozen: the artifact computes from its inputs;
  specialized  some inputs were frozen (shape operands), at least one is not;
  constant     every graph input was frozen (or there is none): the artifact
               is a constant copy of the expected output and shows only that
               modelc folds the graph.
passing-plain.txt, passing-specialized.txt and passing-constant.txt list them;
the run fails when a passing case is in the wrong list or in none, so the
lists stay true for later changes to compare against.

Failures are sorted into classes the runner can tell apart (CLASSES): a
one-line compile error, generated code that does not build, a run-time error
of the compiled model, mismatching outputs, test data that does not match its
own model, and a crash or timeout. The expectations file lists every case in
scope that is known not to pass, one per line: `test_name  reason  free text`,
with a reason from REASONS; each reason admits the classes it names, so a case
listed as `numerics` that starts crashing fails the run, and no reason admits
a crash or a timeout. The run fails when a case not listed fails (a
regression), when a listed case fails in a class its reason does not admit,
and when a listed case passes (a stale entry).

usage: run_node_tests.py --modelc BIN [--data DIR ...] [--scope foundation|all]
                         [--expectations FILE] [--jobs N] [--filter REGEX]
                         [--report FILE.json] [--markdown FILE.md] [--update]
                         [--from-report FILE.json]
       run_node_tests.py --self-test

--update rewrites the expectations and the pass lists from the run: an entry
whose reason still admits the case's class keeps its hand-written text, any
other failure gets a reason from classify(). A failure no reason admits (a
crash, a timeout, a build or run-time error, a compile error classify() does
not recognize) is left unlisted, so it keeps failing the run until a person
fixes the bug or lists it by hand.
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

HERE = os.path.dirname(os.path.abspath(__file__))

# How a case can fail, as far as the runner can tell from exit codes, the
# error text and the outputs.
CLASSES = {
    "compile": "modelc rejected the model: exit 1 and one `modelc: error:` line",
    "build": "the code modelc generated did not compile",
    "run-error": "the compiled model exited with an error status",
    "mismatch": "an output is missing or differs in shape, type or value",
    "test-data": "a data file's element type differs from the model's "
                 "declaration (ONNX 1.12 stores bfloat16 tensors as uint16), "
                 "and the run failed on it",
    "crash": "modelc or the compiled model died on a signal, exited with a "
             "code modelc never uses, or failed without its one-line error",
    "timeout": "modelc or the compiled model ran past --timeout",
    "freeze": "`modelc run` froze other inputs than the shape operands "
              "SHAPE_OPERANDS names",
}

# Why a case may be expected not to pass, and the failure classes each reason
# admits. No reason admits `crash` or `timeout`: those are bugs, never an
# expected result, and neither does `freeze`.
REASONS = {
    "unsupported-op": ("an op the target does not implement yet", {"compile"}),
    "unsupported-dtype": ("an element type the target does not support",
                          {"compile"}),
    "unsupported-attribute": ("an attribute value or rank not supported",
                              {"compile"}),
    "dynamic-shape": ("an output shape that depends on input data",
                      {"compile"}),
    "runtime-parameter": ("a parameter given as a data input that modelc "
                          "needs at compile time", {"compile"}),
    "training": ("training-mode behaviour", {"compile"}),
    "random": ("random output", {"compile"}),
    "sequence-or-optional": ("sequence or optional types", {"compile"}),
    "string": ("string tensors", {"compile"}),
    "numerics": ("results outside tolerance", {"mismatch"}),
    "test-data": ("the test data does not match its model (bfloat16 stored "
                  "as uint16; onnxruntime fails these too)", {"test-data"}),
}

PASS_KINDS = {
    "plain": "no graph input frozen",
    "specialized": "some graph inputs frozen by `modelc run` (shape operands), "
                   "at least one left",
    "constant": "every graph input frozen (or none at all): the artifact is a "
                "constant copy of the expected output",
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

# Operand positions whose value decides the shape of an output, from the ONNX
# operator specs (opset 11 and later). Inputs that only change values are not
# here even when modelc wants them constant: Pad's constant_value (2),
# Resize's roi (1), Clip's min and max, OneHot's values (2), CumSum's axis,
# Trilu's k, Dropout's ratio and training_mode, ReverseSequence's and the
# recurrent ops' sequence_lens (the output keeps the input's length), If's
# cond (it picks values; a model whose branches differ in shape is
# dynamic-shape). Where the output's size is data itself (Compress,
# NonZero, Unique, NonMaxSuppression) the data is a shape operand; a case
# where that freezes every input is reported as a constant pass, not a pass.
_REDUCE_AXES = {op: {1} for op in (
    "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd",
    "ReduceL1", "ReduceL2", "ReduceLogSum", "ReduceLogSumExp",
    "ReduceSumSquare")}
SHAPE_OPERANDS = {
    **_REDUCE_AXES,
    "Reshape": {1},                 # shape
    "Expand": {1},                  # shape
    "Slice": {1, 2, 3, 4},          # starts, ends, axes, steps
    "Squeeze": {1},                 # axes
    "Unsqueeze": {1},               # axes
    "ConstantOfShape": {0},         # input: the shape
    "Tile": {1},                    # repeats
    "Pad": {1, 3},                  # pads, axes
    "TopK": {1},                    # K
    "Split": {1},                   # split: the output sizes
    "SplitToSequence": {1},         # split
    "Resize": {2, 3},               # scales, sizes
    "Upsample": {1},                # scales
    "OneHot": {1},                  # depth
    "Range": {0, 1, 2},             # start, limit, delta: the length
    "Compress": {1},                # condition: how many slices are kept
    "NonZero": {0},                 # X: how many are non-zero
    "Unique": {0},                  # X: how many distinct values
    "NonMaxSuppression": {0, 1, 2, 3, 4},  # all decide how many boxes
    "MaxUnpool": {2},               # output_shape
    "Loop": {0, 1},                 # M, cond: the scan outputs' length
    "DFT": {1},                     # dft_length
    "STFT": {1, 3},                 # frame_step, frame_length
    "MelWeightMatrix": {0, 1},      # num_mel_bins, dft_length
    "BlackmanWindow": {0},          # size
    "HammingWindow": {0},           # size
    "HannWindow": {0},              # size
}

# Before opset 11, Resize had no roi: its second input was the scales.
_SHAPE_OPERANDS_BEFORE_11 = {"Resize": {1}}


def shape_operands(op_type, opset):
    """The operand positions of `op_type` whose value decides an output shape."""
    if opset < 11 and op_type in _SHAPE_OPERANDS_BEFORE_11:
        return _SHAPE_OPERANDS_BEFORE_11[op_type]
    return SHAPE_OPERANDS.get(op_type, set())


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--modelc")
    p.add_argument("--data", nargs="+",
                   default=["/usr/share/libonnx-testdata/data/node"],
                   help="suite folders (node, simple, pytorch-converted, "
                        "pytorch-operator); cases outside node are named "
                        "SUITE/test_name")
    p.add_argument("--scope", choices=["foundation", "all"], default="foundation")
    p.add_argument("--expectations",
                   default=os.path.join(HERE, "node-expectations.txt"))
    p.add_argument("--pass-lists", default=HERE,
                   help="folder of passing-{plain,specialized,constant}.txt")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--timeout", type=int, default=120)
    p.add_argument("--filter", default="")
    p.add_argument("--report", default="")
    p.add_argument("--update", action="store_true",
                   help="rewrite the expectations file and the pass lists "
                        "from this run")
    p.add_argument("--markdown", default="",
                   help="write the conformance matrix (docs/conformance.md)")
    p.add_argument("--ort-passing", default=os.path.join(
        HERE, "ort-1.30-node-passing.txt"),
                   help="cases onnxruntime 1.30 passes, one per line")
    p.add_argument("--from-report", default="",
                   help="judge the results of an earlier --report instead of "
                        "running the cases (to regenerate files without a "
                        "second run)")
    p.add_argument("--self-test", action="store_true",
                   help="check the comparison and the verdicts on crafted "
                        "inputs (compare_selftest.py) and exit")
    args = p.parse_args(argv)
    if not args.self_test and not args.modelc and not args.from_report:
        p.error("--modelc is required")
    return args


#===----------------------------------------------------------------------===#
# Which inputs are frozen
#===----------------------------------------------------------------------===#

def graph_inputs(model):
    """The graph inputs that are not initializers, in order: input_K.pb is
    the K-th of them."""
    initializers = {init.name for init in model.graph.initializer}
    return [i.name for i in model.graph.input if i.name not in initializers]


def _subgraph_reads(graph):
    """Every value name a node inside `graph`'s subgraphs reads."""
    names = set()

    def walk(g):
        for node in g.node:
            names.update(node.input)
            for attr in node.attribute:
                if attr.HasField("g"):
                    walk(attr.g)
                for sub in attr.graphs:
                    walk(sub)

    for node in graph.node:
        for attr in node.attribute:
            if attr.HasField("g"):
                walk(attr.g)
            for sub in attr.graphs:
                walk(sub)
    return names


def bindable_inputs(model):
    """(K, name) of the graph inputs that feed only shape operands: they
    are the ones `modelc run` must freeze, every other input stays an input."""
    opset = next((o.version for o in model.opset_import
                  if o.domain in ("", "ai.onnx")), 0)
    inputs = graph_inputs(model)
    uses = {name: [] for name in inputs}
    for node in model.graph.node:
        operands = shape_operands(node.op_type, opset) if node.domain in (
            "", "ai.onnx") else set()
        for position, name in enumerate(node.input):
            if name in uses:
                uses[name].append(position in operands)
    # A read from inside an If/Loop/Scan body, or a graph output, is a data use.
    for name in _subgraph_reads(model.graph):
        if name in uses:
            uses[name].append(False)
    for output in model.graph.output:
        if output.name in uses:
            uses[output.name].append(False)
    return [(index, name) for index, name in enumerate(inputs)
            if uses[name] and all(uses[name])]


def pass_kind(bound, num_inputs):
    """Which kind of pass a passing case is, from what was frozen."""
    if len(bound) == num_inputs:
        return "constant"
    return "specialized" if bound else "plain"


#===----------------------------------------------------------------------===#
# Comparing outputs
#===----------------------------------------------------------------------===#

RTOL, ATOL = 1e-3, 1e-7


def compare(expected, actual):
    """None when `actual` matches `expected`, else what differs.

    Floats: +inf, -inf and NaN must appear exactly where the expected output
    has them; elsewhere |actual - expected| <= atol + rtol * |expected|
    (ONNX's backend tolerance), and an infinite or NaN actual where a finite
    value is expected is a mismatch. Every other type: exactly equal.
    """
    if expected.shape != actual.shape:
        return f"shape {list(actual.shape)} != expected {list(expected.shape)}"
    if expected.dtype != actual.dtype:
        return f"dtype {actual.dtype} != expected {expected.dtype}"
    if expected.dtype.kind in "fc":
        e = expected.astype(np.complex128 if expected.dtype.kind == "c"
                            else np.float64).ravel()
        a = actual.astype(e.dtype).ravel()
        parts = [(e.real, a.real), (e.imag, a.imag)] if e.dtype.kind == "c" \
            else [(e, a)]
        for e, a in parts:
            for what, test in (("NaN", np.isnan), ("+inf", np.isposinf),
                               ("-inf", np.isneginf)):
                if not np.array_equal(test(e), test(a)):
                    where = int(np.flatnonzero(test(e) != test(a))[0])
                    return (f"element {where}: {a[where]!r} where {e[where]!r} "
                            f"is expected ({what} must match exactly)")
            finite = np.isfinite(e)
            e, a = e[finite], a[finite]
            diff = np.abs(a - e)
            bad = ~(diff <= ATOL + RTOL * np.abs(e))
            if np.any(bad):
                return (f"max |diff| {np.max(diff):.3g} beyond rtol {RTOL:g}, "
                        f"atol {ATOL:g}")
        return None
    if not np.array_equal(expected, actual):
        where = int(np.flatnonzero(expected.ravel() != actual.ravel())[0])
        return (f"element {where}: {actual.ravel()[where]!r} where "
                f"{expected.ravel()[where]!r} is expected")
    return None


#===----------------------------------------------------------------------===#
# Running a case
#===----------------------------------------------------------------------===#

FROZE = re.compile(r"^modelc: froze input '(.*)' \(.*\) to ")


def frozen_inputs(stderr):
    """(names frozen by `modelc run`'s notes, in order; the other lines)."""
    frozen, rest = [], []
    for line in stderr.splitlines():
        match = FROZE.match(line)
        if match:
            frozen.append(match.group(1))
        else:
            rest.append(line)
    return frozen, "\n".join(rest)


def modelc_failure(returncode, stderr):
    """(class, detail) of a `modelc run` or `modelc compile` that failed."""
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    last = lines[-1] if lines else ""
    if returncode < 0:
        return "crash", f"modelc died on signal {-returncode}: {last[-300:]}"
    if returncode != 1:
        return "crash", f"modelc exit {returncode}: {last[-300:]}"
    if len(lines) != 1 or not last.startswith("modelc: error:"):
        return "crash", ("exit 1 without one `modelc: error:` line: "
                         + " | ".join(lines)[-300:])
    # The runner's and the C compiler's exit statuses come back in the text;
    # LLVM reports a child killed by a signal as a negative status.
    runner = re.search(r"model_runner failed \(exit (-?\d+)\)", last)
    if runner:
        return ("crash" if int(runner.group(1)) < 0 else "run-error"), last
    if re.search(r"building the runner failed|compiling the (C|CUDA) source "
                 r"failed|linking the object failed", last):
        return "build", last
    return "compile", last


def data_problems(model, dataset):
    """Data files of `dataset` whose element type or fixed sizes are not the
    ones the model declares for that input or output."""
    problems = []
    inits = {init.name for init in model.graph.initializer}
    inputs = [v for v in model.graph.input if v.name not in inits]
    declared = [(f"input_{k}.pb", v) for k, v in enumerate(inputs)]
    declared += [(f"output_{k}.pb", v) for k, v in enumerate(model.graph.output)]
    for file, value in declared:
        path = os.path.join(dataset, file)
        if not value.type.HasField("tensor_type") or not os.path.exists(path):
            continue
        tensor = onnx.load_tensor(path)
        stored = tensor.data_type
        want = value.type.tensor_type.elem_type
        if stored != want:
            name = onnx.TensorProto.DataType.Name
            problems.append(f"{file} stores {name(stored).lower()}, the model "
                            f"declares {name(want).lower()}")
        if value.type.tensor_type.HasField("shape"):
            dims = value.type.tensor_type.shape.dim
            fixed = [d.dim_value if d.HasField("dim_value") else None
                     for d in dims]
            if len(fixed) != len(tensor.dims) or any(
                    f is not None and f != t for f, t in zip(fixed, tensor.dims)):
                problems.append(f"{file} holds {list(tensor.dims)}, the model "
                                f"declares {[f if f is not None else '?' for f in fixed]}")
    return problems


def case_dir(args, name):
    """The folder of a case: `test_x` is in the first (node) suite,
    `suite/test_x` in the suite folder called `suite`."""
    if "/" in name:
        suite, test = name.split("/", 1)
        for data in args.data:
            if os.path.basename(os.path.normpath(data)) == suite:
                return os.path.join(data, test)
    return os.path.join(args.data[0], name)


def _check_outputs(inputs, outputs, label):
    """(class, detail) of the first output of a data set that does not match,
    or None."""
    for out in sorted(f for f in os.listdir(inputs) if f.startswith("output_")):
        produced = os.path.join(outputs, out)
        if not os.path.exists(produced):
            return "mismatch", f"{label}/{out} missing"
        expected = numpy_helper.to_array(onnx.load_tensor(os.path.join(inputs, out)))
        actual = numpy_helper.to_array(onnx.load_tensor(produced))
        problem = compare(expected, actual)
        if problem:
            return "mismatch", f"{label}/{out}: {problem}"
    return None


def run_case(args, name):
    case = case_dir(args, name)
    start = time.time()
    try:
        model = onnx.load(os.path.join(case, "model.onnx"))
    except Exception as e:  # noqa: BLE001 - a broken file is a result too
        return {"status": "test-data", "detail": f"cannot load: {e}", "bound": []}
    binds = bindable_inputs(model)
    result = {"bound": [n for _, n in binds], "inputs": len(graph_inputs(model))}
    datasets = sorted(d for d in os.listdir(case) if d.startswith("test_data_set_"))
    work = tempfile.mkdtemp(prefix="node_")

    def failed(status, detail):
        detail = detail.replace(work, "WORK")
        # A run that failed over test data that contradicts its model is put
        # down to the data, unless it crashed or hung. `modelc run` checks
        # the inputs' sizes when compiling for them ("... is given as").
        if status in ("run-error", "mismatch") or (
                status == "compile" and "but is given as" in detail):
            problems = [p for ds in datasets
                        for p in data_problems(model, os.path.join(case, ds))]
            if problems:
                status, detail = "test-data", "; ".join(problems) + f" ({detail})"
        result.update(status=status, detail=detail,
                      seconds=time.time() - start)
        return result

    try:
        for ds in datasets:
            inputs = os.path.join(case, ds)
            outputs = os.path.join(work, ds)
            command = [args.modelc, "run", os.path.join(case, "model.onnx"),
                       "--target=c", "--inputs", inputs, "--outputs", outputs,
                       "--work-dir", os.path.join(work, "build")]
            try:
                proc = subprocess.run(command, capture_output=True, text=True,
                                      timeout=args.timeout)
            except subprocess.TimeoutExpired:
                return failed("timeout", f"{ds}: over {args.timeout} s")
            except OSError as e:
                return failed("crash", f"cannot run modelc: {e}")
            frozen, stderr = frozen_inputs(proc.stderr)
            if (proc.returncode == 0 or frozen) and \
                    frozen != [n for _, n in binds]:
                return failed("freeze", f"{ds}: modelc froze {frozen}, "
                              f"the shape operands are {result['bound']}")
            if proc.returncode != 0:
                status, detail = modelc_failure(proc.returncode, stderr)
                return failed(status, detail)
            problem = _check_outputs(inputs, outputs, ds)
            if problem:
                return failed(*problem)
        result.update(status="pass", detail="", seconds=time.time() - start,
                      kind=pass_kind(result["bound"], result["inputs"]))
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


#===----------------------------------------------------------------------===#
# Expectations and pass lists
#===----------------------------------------------------------------------===#

def classify(result):
    """A reason from REASONS for a new failure, or None when no reason
    admits its class (a crash, a timeout, a build or run-time error) or the
    compile error is not one of the known kinds of unsupported."""
    status = result["status"]
    if status == "mismatch":
        return "numerics"
    if status == "test-data":
        return "test-data"
    if status != "compile":
        return None
    detail = result["detail"].lower()
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
    return None


def read_expectations(path, reasons=REASONS):
    expected = {}
    if not os.path.exists(path):
        return expected
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            parts = line.split(None, 2)
            if len(parts) < 2 or parts[1] not in reasons:
                sys.exit(f"{path}:{number}: expected 'test_name reason text' "
                         f"with a reason from: {', '.join(reasons)}")
            if parts[0] in expected:
                sys.exit(f"{path}:{number}: {parts[0]} is listed twice")
            expected[parts[0]] = (parts[1], parts[2] if len(parts) > 2 else "")
    return expected


def write_expectations(path, entries, what):
    """Writes `entries` {case: (reason, text)}, sorted, under a header naming
    the reasons and the classes each admits."""
    with open(path, "w") as f:
        f.write(f"# {what} known not to pass: test  reason  detail.\n"
                "# Each reason admits only the failure classes after it; a\n"
                "# crash or a timeout is never expected.\n")
        for reason, (_, classes) in REASONS.items():
            f.write(f"#   {reason}: {', '.join(sorted(classes))}\n")
        f.write("# Regenerate with --update, then review the reasons and "
                "details.\n")
        for name in sorted(entries):
            reason, text = entries[name]
            f.write(f"{name}  {reason}  {text}\n")


def judge(result, entry):
    """What one case's result means against its expectation `entry`
    ((reason, text), or None when the case is not listed).

    Returns (verdict, message): verdict `ok` for a pass that is not listed or
    a failure its reason admits, `unexpected` for a failure that is not
    listed, `wrong-class` for a listed case that fails in a class its reason
    does not admit, `stale` for a listed case that passes.
    """
    status = result["status"]
    if entry is None:
        if status == "pass":
            return "ok", ""
        return "unexpected", f"{status}: {result['detail']}"
    reason = entry[0]
    if status == "pass":
        return "stale", f"passes but is listed as '{reason}'"
    allowed = REASONS[reason][1]
    if status not in allowed:
        return "wrong-class", (f"listed as '{reason}' ({', '.join(sorted(allowed))}) "
                               f"but fails as {status}: {result['detail']}")
    return "ok", ""


def pass_list_path(folder, kind):
    return os.path.join(folder, f"passing-{kind}.txt")


def read_pass_lists(folder):
    """{case: kind} from the three pass lists."""
    listed = {}
    for kind in PASS_KINDS:
        path = pass_list_path(folder, kind)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line:
                    listed[line] = kind
    return listed


def write_pass_lists(folder, listed):
    for kind, what in PASS_KINDS.items():
        with open(pass_list_path(folder, kind), "w") as f:
            f.write(f"# Passing cases of kind '{kind}': {what}.\n"
                    "# Written by run_node_tests.py --update; the run fails "
                    "when a passing case is\n# not in the list of its kind.\n")
            for name in sorted(n for n, k in listed.items() if k == kind):
                f.write(name + "\n")


#===----------------------------------------------------------------------===#
# Reporting
#===----------------------------------------------------------------------===#

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


def summarize(cases, results, expected):
    """Counts over `cases`: passes by kind, failures by class and by reason."""
    kinds = {kind: 0 for kind in PASS_KINDS}
    classes, reasons = {}, {}
    for case in cases:
        r = results[case]
        if r["status"] == "pass":
            kinds[r["kind"]] += 1
            continue
        classes[r["status"]] = classes.get(r["status"], 0) + 1
        reason = expected[case][0] if case in expected else "unlisted"
        reasons[reason] = reasons.get(reason, 0) + 1
    return {"cases": len(cases), "pass": kinds,
            "fail": len(cases) - sum(kinds.values()),
            "fail_by_class": dict(sorted(classes.items())),
            "fail_by_reason": dict(sorted(reasons.items()))}


def summary_line(summary):
    p = summary["pass"]
    return (f"{summary['cases']} cases: {p['plain']} plain passes, "
            f"{p['specialized']} specialized passes (some input frozen), "
            f"{p['constant']} constant-folded passes (every input frozen), "
            f"{summary['fail']} not passing"
            + (" (" + ", ".join(f"{k} {v}" for k, v in
                               summary["fail_by_class"].items()) + ")"
               if summary["fail"] else ""))


def _row(label, group, results):
    total = len(group)
    counts = [sum(1 for c in group if results[c].get("kind") == kind)
              for kind in PASS_KINDS]
    return (f"| {label} | {total} | {counts[0]} | {counts[1]} | {counts[2]} | "
            f"{total - sum(counts)} | {100.0 * counts[0] / max(total, 1):.1f}% |")


def write_markdown(args, cases, results, expected):
    ort = set()
    if os.path.exists(args.ort_passing):
        with open(args.ort_passing) as f:
            ort = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    summary = summarize(cases, results, expected)
    by_op, by_dtype = {}, {}
    for case in cases:
        for op in ops_of_case(args, case):
            by_op.setdefault(op, []).append(case)
        by_dtype.setdefault(input_dtype(args, case), []).append(case)
    header = ["| | cases | plain | specialized | constant | not passing | plain rate |",
              "|---|---|---|---|---|---|---|"]
    lines = [
        "# Conformance: the ONNX backend node tests", "",
        "Generated by `test/conformance/run_node_tests.py --modelc build/bin/modelc "
        "--scope all --data DATA/node DATA/simple DATA/pytorch-converted "
        "DATA/pytorch-operator --markdown docs/conformance.md` (DATA = "
        "/usr/share/libonnx-testdata/data) from one run of modelc's C target "
        "over Debian's `libonnx-testdata` (ONNX 1.12). Do not edit by hand.", "",
        "Each case runs as a user runs it, `modelc run model.onnx --target=c "
        "--inputs test_data_set_N --outputs OUT` with no other flag, and every "
        "output of every data set is compared: finite floats within the backend tests' "
        f"tolerance (rtol {RTOL:g}, atol {ATOL:g}), +inf, -inf and NaN exactly "
        "where they are expected, integers and booleans exactly.", "",
        "**What is frozen.** `modelc run` freezes a graph input to the data "
        "set's value, with a note on stderr, only when its value decides the "
        "shape of an output, as an ahead-of-time compiler needs: Reshape's and Expand's shape, Slice's "
        "bounds, Squeeze/Unsqueeze/Reduce axes, Pad's pads and axes, Resize's "
        "scales and sizes, Tile's repeats, TopK's K, Split's sizes, OneHot's "
        "depth, Range's operands, Compress's condition, a window's size "
        "(`SHAPE_OPERANDS` in the runner has the whole table, kept apart from "
        "modelc's own: a case whose notes freeze other inputs fails). Inputs "
        "that only "
        "change values stay inputs even where modelc wants them constant "
        "(Pad's constant_value, Resize's roi, Trilu's k, CumSum's axis, Clip's "
        "bounds): such a case fails as `runtime-parameter`.", "",
        "**Three kinds of pass**, counted apart:", "",
        "- *plain*: no input frozen; the artifact computes from its inputs;",
        "- *specialized*: some inputs frozen (shape operands), at least one left;",
        "- *constant*: every graph input frozen, or there is none: the artifact "
        "is a constant copy of the expected output, so the pass shows only that "
        "modelc folds the graph.", "",
        "They are listed in `test/conformance/passing-plain.txt`, "
        "`passing-specialized.txt` and `passing-constant.txt`; the run fails "
        "when a passing case is not in the list of its kind "
        "(`run_node_tests.py --update` rewrites them with the expectations).", "",
        "## Summary", "",
    ] + header + [_row("all cases", cases, results)] + [
        _row(suite, [c for c in cases if suite_of(c) == suite], results)
        for suite in sorted({suite_of(c) for c in cases})
    ] + [
        _row("node cases onnxruntime 1.30 passes", [c for c in cases if c in ort],
             results), "",
        "Every case that does not pass is listed in "
        "`test/conformance/node-expectations.txt` with its reason, and each "
        "reason admits only the failure classes it names (a `numerics` entry "
        "must fail by its outputs, an `unsupported-*` entry by a one-line "
        "compile error; no entry admits a crash or a timeout). The CTest "
        "`onnx-backend-tests` fails when a case fails unlisted or in another "
        "class, when a listed case passes, and when a pass list is out of date.",
        "",
        "The node cases also run through the CUDA target and its CPU emulation, "
        "with the same inputs frozen and the same comparison, held to "
        "`test/CUDA/cuda-node-expectations.txt` by the same rules: "
        "`test/CUDA/emulated_node_tests.py`, on demand with "
        "`ctest -L cuda-full`.", "",
        "## Not passing, by reason", "",
        "| reason | admits | cases |", "|---|---|---|",
    ]
    for reason, count in summary["fail_by_reason"].items():
        admits = ", ".join(sorted(REASONS[reason][1])) if reason in REASONS else "-"
        lines.append(f"| {reason} | {admits} | {count} |")
    lines += ["", "## By element type of the first input", ""] + [
        header[0].replace("| |", "| dtype |", 1), header[1]]
    for dtype, group in sorted(by_dtype.items()):
        lines.append(_row(dtype, group, results))
    lines += ["", "## By op", ""] + [header[0].replace("| |", "| op |", 1), header[1]]
    for op, group in sorted(by_op.items()):
        lines.append(_row(op, group, results))
    lines += ["", "## Not passing", "", "| case | reason | class | detail |",
              "|---|---|---|---|"]
    for case in cases:
        r = results[case]
        if r["status"] == "pass":
            continue
        reason, text = expected.get(case, (classify(r) or "unlisted", ""))
        detail = (text or r["detail"]).replace("|", "/").replace("\n", " ")
        lines.append(f"| {case} | {reason} | {r['status']} | {detail[:140]} |")
    with open(args.markdown, "w") as f:
        f.write("\n".join(lines) + "\n")


#===----------------------------------------------------------------------===#
# Driver
#===----------------------------------------------------------------------===#

def collect_cases(args):
    names = []
    for index, data in enumerate(args.data):
        suite = os.path.basename(os.path.normpath(data))
        for test in sorted(os.listdir(data)):
            names.append(test if index == 0 else f"{suite}/{test}")
    cases = []
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
    return cases


def updated_entries(cases, results, expected):
    """The expectations after this run: entries of cases outside it kept, a
    failing case's entry kept when its reason admits the class it failed in,
    a new reason from classify() otherwise. Cases no reason fits are
    returned apart; they stay failures."""
    keep = {k: v for k, v in expected.items() if k not in cases}
    unlistable = []
    for name in cases:
        r = results[name]
        if r["status"] == "pass":
            continue
        entry = expected.get(name)
        if entry and r["status"] in REASONS[entry[0]][1]:
            keep[name] = entry
            continue
        reason = classify(r)
        if reason is None:
            unlistable.append(name)
            continue
        keep[name] = (reason, r["detail"].replace("\n", " ")[:160])
    return keep, unlistable


def check_run(cases, results, expected, listed):
    """One line per problem: failures the expectations do not admit, stale
    entries, and passes that are not in the list of their kind."""
    problems = []
    for name in cases:
        result = results[name]
        verdict, message = judge(result, expected.get(name))
        if verdict == "unexpected" and name in listed:
            message += f" (was in passing-{listed[name]}.txt)"
        if verdict != "ok":
            problems.append(f"{verdict.upper()} {name}: {message}")
        kind = result.get("kind")
        if kind and listed.get(name) != kind:
            where = (f"passing-{listed[name]}.txt" if name in listed
                     else "no pass list")
            problems.append(f"PASS-LIST {name}: passes {kind} but is in {where}")
    return problems


def collect_results(args, cases, run_case):
    """Each case's result: from an earlier --report, or by running the cases
    with run_case(args, name) on --jobs threads. Both runners use this."""
    if args.from_report:
        with open(args.from_report) as f:
            results = json.load(f)["results"]
        missing = [name for name in cases if name not in results]
        if missing:
            sys.exit(f"{args.from_report} has no result for {missing[0]} "
                     f"(and {len(missing) - 1} more)")
        return results
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = {pool.submit(run_case, args, name): name for name in cases}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]] = future.result()
    return results


def main(argv=None):
    args = parse_args(argv)
    if args.self_test:
        import compare_selftest
        return compare_selftest.main()
    expected = read_expectations(args.expectations)
    listed = read_pass_lists(args.pass_lists)
    cases = collect_cases(args)

    results = collect_results(args, cases, run_case)

    if args.update:
        entries, unlistable = updated_entries(cases, results, expected)
        write_expectations(args.expectations, entries, "Node tests (C target)")
        new_lists = {k: v for k, v in listed.items() if k not in cases}
        new_lists.update({n: results[n]["kind"] for n in cases
                          if results[n]["status"] == "pass"})
        write_pass_lists(args.pass_lists, new_lists)
        print(f"updated {args.expectations} and the pass lists in "
              f"{args.pass_lists}; {len(unlistable)} failures no reason admits")
        expected = read_expectations(args.expectations)
        listed = read_pass_lists(args.pass_lists)

    problems = check_run(cases, results, expected, listed)
    for line in problems:
        print(line)
    summary = summarize(cases, results, expected)
    print(f"scope '{args.scope}': {summary_line(summary)}")
    print("not passing by reason: " + ", ".join(
        f"{k} {v}" for k, v in summary["fail_by_reason"].items()))

    if args.report:
        with open(args.report, "w") as f:
            json.dump({"scope": args.scope, "summary": summary,
                       "results": results, "problems": problems,
                       "expected": {k: list(v) for k, v in expected.items()}},
                      f, indent=1, sort_keys=True)
    if args.markdown:
        write_markdown(args, cases, results, expected)
    print(f"{len(cases) - len({p.split()[1] for p in problems})} cases as "
          f"expected, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.path.insert(0, HERE)
    sys.exit(main())
