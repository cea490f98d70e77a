#!/usr/bin/env python3
"""Self-test of the conformance runner's judgement (ctest
conformance-compare-selftest; also `run_node_tests.py --self-test`).

Feeds crafted arrays to compare(), crafted exit statuses to modelc_failure(),
`modelc run`'s notes to frozen_inputs(), stand-in modelc scripts that freeze
the wrong inputs to run_case(),
crafted results to judge() and updated_entries(), small models to
bindable_inputs(), and stand-in modelc and runner scripts that crash, hang or
fail to test/CUDA/emulated_node_tests.py, and checks each verdict, so a runner
that lets a wrong result pass fails here first.
"""

import os
import shutil
import sys
import tempfile
import types
import unittest

import numpy as np
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run_node_tests as rnt  # noqa: E402

INF, NAN = np.inf, np.nan


def f32(*values):
    return np.array(values, dtype=np.float32)


class Compare(unittest.TestCase):
    def assertMatch(self, expected, actual):
        self.assertIsNone(rnt.compare(expected, actual))

    def assertMismatch(self, expected, actual):
        self.assertIsNotNone(rnt.compare(expected, actual))

    def test_inf_expected_finite_actual(self):
        # The old bound atol + rtol * |inf| was infinite: any value passed.
        self.assertMismatch(f32(INF), f32(1.0))
        self.assertMismatch(f32(-INF), f32(-3.4e38))
        self.assertMismatch(f32(1.0, INF), f32(1.0, 0.0))

    def test_inf_signs(self):
        self.assertMismatch(f32(INF), f32(-INF))
        self.assertMismatch(f32(-INF), f32(INF))

    def test_finite_expected_inf_actual(self):
        self.assertMismatch(f32(3.4e38), f32(INF))
        self.assertMismatch(f32(0.0), f32(-INF))

    def test_nan(self):
        self.assertMismatch(f32(NAN), f32(0.0))
        self.assertMismatch(f32(NAN), f32(INF))
        self.assertMismatch(f32(1.0), f32(NAN))
        self.assertMatch(f32(NAN), f32(NAN))

    def test_non_finite_in_place(self):
        self.assertMatch(f32(INF, -INF, NAN, 2.0), f32(INF, -INF, NAN, 2.0005))
        self.assertMismatch(f32(INF, -INF, NAN), f32(INF, NAN, -INF))

    def test_finite_tolerance(self):
        self.assertMatch(f32(1e6), f32(1e6 * (1 + 5e-4)))      # within rtol
        self.assertMismatch(f32(1e6), f32(1e6 * (1 + 2e-3)))   # past rtol
        self.assertMatch(f32(0.0), f32(5e-8))                  # within atol
        self.assertMismatch(f32(0.0), f32(1e-6))               # past atol
        self.assertMatch(np.array([1e300], np.float64),
                         np.array([1e300 * (1 + 9e-4)], np.float64))

    def test_float16(self):
        self.assertMatch(np.array([1.0, INF], np.float16),
                         np.array([1.0, INF], np.float16))
        self.assertMismatch(np.array([INF], np.float16),
                            np.array([65504.0], np.float16))

    def test_exact_types(self):
        self.assertMatch(np.array([3, -1], np.int64), np.array([3, -1], np.int64))
        self.assertMismatch(np.array([3], np.int64), np.array([4], np.int64))
        self.assertMismatch(np.array([True]), np.array([False]))

    def test_shape_and_dtype(self):
        self.assertMismatch(f32(1.0, 2.0), f32(1.0, 2.0).reshape(2, 1))
        self.assertMismatch(f32(1.0), np.array([1.0], np.float64))
        self.assertMatch(np.zeros((0, 3), np.float32), np.zeros((0, 3), np.float32))


class FailureClass(unittest.TestCase):
    def test_classes(self):
        cases = [
            (-11, "", "crash"),
            (2, "modelc: error: unknown option", "crash"),
            (134, "", "crash"),
            (1, "modelc: error: 1 unsupported node: ai.onnx::Det (op not "
                "supported) at 'Det_0'", "compile"),
            (1, "modelc: error: model_runner failed (exit -2): Segmentation "
                "fault", "crash"),
            (1, "modelc: error: model_runner failed (exit 1): runner: input 0 "
                "'x': expected bfloat16[3], got uint16[3]", "run-error"),
            (1, "modelc: error: building the runner failed: cc failed (exit 1)",
             "build"),
            (1, "loc(x): error: oops\nmodelc: error: failed", "crash"),
            (1, "", "crash"),
        ]
        for code, stderr, want in cases:
            with self.subTest(code=code, stderr=stderr):
                self.assertEqual(rnt.modelc_failure(code, stderr)[0], want)


class Notes(unittest.TestCase):
    """`modelc run` names each input it freezes on its own stderr line; the
    runner reads those and judges the rest as before."""

    def test_frozen_inputs(self):
        stderr = ("modelc: froze input 'shape' (Reshape's shape) to d/input_1.pb\n"
                  "modelc: froze input 'k' (TopK's K) to d/input_2.pb\n"
                  "modelc: error: node 'n' (Op): bad\n")
        frozen, rest = rnt.frozen_inputs(stderr)
        self.assertEqual(frozen, ["shape", "k"])
        self.assertEqual(rnt.modelc_failure(1, rest)[0], "compile")

    def test_a_note_is_not_an_error_line(self):
        stderr = "modelc: froze input 's' (Reshape's shape) to input_1.pb\n"
        self.assertEqual(rnt.modelc_failure(1, stderr)[0], "crash")


class Freeze(unittest.TestCase):
    """A run that freezes other inputs than SHAPE_OPERANDS names fails as
    `freeze`, which no reason admits."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="selftest_")
        case = os.path.join(self.dir, "node", "test_reshape")
        data = os.path.join(case, "test_data_set_0")
        os.makedirs(data)
        model = model_of(helper.make_node("Reshape", ["x", "s"], ["y"]),
                         [("x", TensorProto.FLOAT), ("s", TensorProto.INT64)])
        with open(os.path.join(case, "model.onnx"), "wb") as f:
            f.write(model.SerializeToString())

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def verdict(self, body):
        modelc = os.path.join(self.dir, "modelc")
        with open(modelc, "w") as f:
            f.write("#!/bin/sh\n" + body + "\n")
        os.chmod(modelc, 0o755)
        args = types.SimpleNamespace(modelc=modelc, timeout=5,
                                     data=[os.path.join(self.dir, "node")])
        return rnt.run_case(args, "test_reshape")

    def test_freezing_a_data_input(self):
        got = self.verdict("echo \"modelc: froze input 'x' (Reshape's shape) "
                           "to i\" >&2; exit 0")
        self.assertEqual(got["status"], "freeze")

    def test_freezing_nothing(self):
        self.assertEqual(self.verdict("exit 0")["status"], "freeze")

    def test_the_right_input(self):
        got = self.verdict("echo \"modelc: froze input 's' (Reshape's shape) "
                           "to i\" >&2; exit 0")
        self.assertEqual(got["status"], "pass")
        self.assertEqual(got["kind"], "specialized")

    def test_no_reason_admits_freeze(self):
        for reason, (_, classes) in rnt.REASONS.items():
            self.assertNotIn("freeze", classes, reason)


class Judge(unittest.TestCase):
    def verdict(self, status, entry):
        return rnt.judge({"status": status, "detail": "d"}, entry)[0]

    def test_unlisted(self):
        self.assertEqual(self.verdict("pass", None), "ok")
        self.assertEqual(self.verdict("mismatch", None), "unexpected")
        self.assertEqual(self.verdict("compile", None), "unexpected")

    def test_listed_class_must_match(self):
        numerics = ("numerics", "")
        self.assertEqual(self.verdict("mismatch", numerics), "ok")
        self.assertEqual(self.verdict("crash", numerics), "wrong-class")
        self.assertEqual(self.verdict("timeout", numerics), "wrong-class")
        self.assertEqual(self.verdict("compile", numerics), "wrong-class")
        unsupported = ("unsupported-op", "")
        self.assertEqual(self.verdict("compile", unsupported), "ok")
        self.assertEqual(self.verdict("mismatch", unsupported), "wrong-class")
        self.assertEqual(self.verdict("build", unsupported), "wrong-class")
        self.assertEqual(self.verdict("run-error", unsupported), "wrong-class")

    def test_stale(self):
        self.assertEqual(self.verdict("pass", ("numerics", "")), "stale")

    def test_update(self):
        results = {
            "kept": {"status": "mismatch", "detail": "new text"},
            "moved": {"status": "compile", "detail": "modelc: error: node 'T' "
                      "(Trilu): k must be a compile-time constant"},
            "crashed": {"status": "crash", "detail": "signal 11"},
            "unknown": {"status": "compile", "detail": "modelc: error: oops"},
            "passes": {"status": "pass", "detail": "", "kind": "plain"},
        }
        expected = {"kept": ("numerics", "hand-written"),
                    "moved": ("numerics", "was numerics"),
                    "crashed": ("numerics", "was numerics"),
                    "passes": ("numerics", "was numerics"),
                    "elsewhere": ("string", "not in this run")}
        entries, unlistable = rnt.updated_entries(list(results), results, expected)
        self.assertEqual(entries["kept"], ("numerics", "hand-written"))
        self.assertEqual(entries["moved"][0], "runtime-parameter")
        self.assertEqual(entries["elsewhere"], ("string", "not in this run"))
        self.assertNotIn("passes", entries)
        self.assertEqual(sorted(unlistable), ["crashed", "unknown"])

    def test_pass_lists(self):
        results = {"a": {"status": "pass", "detail": "", "kind": "plain"},
                   "b": {"status": "pass", "detail": "", "kind": "constant"},
                   "c": {"status": "pass", "detail": "", "kind": "specialized"},
                   "d": {"status": "mismatch", "detail": "x"}}
        listed = {"a": "plain", "b": "plain", "d": "plain"}
        problems = rnt.check_run(list(results), results, {}, listed)
        self.assertEqual([p.split(":")[0].split() for p in problems],
                         [["PASS-LIST", "b"], ["PASS-LIST", "c"],
                          ["UNEXPECTED", "d"]])
        self.assertIn("was in passing-plain.txt", problems[2])

    def test_no_reason_admits_a_crash(self):
        for reason, (_, classes) in rnt.REASONS.items():
            self.assertFalse(classes & {"crash", "timeout"}, reason)
            self.assertTrue(classes <= set(rnt.CLASSES), reason)


class EmulatedCuda(unittest.TestCase):
    """test/CUDA/emulated_node_tests.py: a crash or a hang of modelc or of
    the emulated runner is a failure of its own class, never unsupported."""

    def setUp(self):
        sys.path.insert(0, os.path.join(HERE, "..", "CUDA"))
        import emulated_node_tests
        self.emu = emulated_node_tests
        self.dir = tempfile.mkdtemp(prefix="selftest_")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def script(self, name, body):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write("#!/bin/sh\n" + body + "\n")
        os.chmod(path, 0o755)
        return path

    def test_emulated_runner(self):
        args = types.SimpleNamespace(timeout=1)
        cases = [("exit 0", None), ("kill -SEGV $$", "crash"),
                 ("kill -ABRT $$", "crash"), ("sleep 10", "timeout"),
                 ("echo 'runner: run failed' >&2; exit 1", "run-error")]
        for body, want in cases:
            with self.subTest(body=body):
                runner = self.script("runner", body)
                got = self.emu.run_emulated(args, runner, self.dir, self.dir)
                self.assertEqual(got and got[0], want)

    def test_modelc_compile(self):
        one_line = ("echo \"modelc: error: 1 dispatch cannot be compiled for "
                    "the cuda target: node 'X': op 'resize' is not supported\" "
                    ">&2; exit 1")
        cases = [(one_line, "compile"), ("kill -SEGV $$", "crash"),
                 ("echo a >&2; echo 'modelc: error: b' >&2; exit 1", "crash"),
                 ("exit 3", "crash"), ("sleep 10", "timeout")]
        for body, want in cases:
            with self.subTest(body=body):
                args = types.SimpleNamespace(timeout=1,
                                             modelc=self.script("modelc", body))
                got = self.emu.compile_cuda(args, "m.onnx", self.dir, [],
                                            os.path.join(self.dir, "out"))
                self.assertEqual(got and got[0], want)
        # A modelc that cannot be started (mid-relink) is a crash, not an
        # exception that ends the whole run.
        args = types.SimpleNamespace(timeout=1, modelc=os.path.join(self.dir, "none"))
        got = self.emu.compile_cuda(args, "m.onnx", self.dir, [], self.dir)
        self.assertEqual(got[0], "crash")

    def test_stage_inputs_renumbers_the_unbound(self):
        for k in range(3):
            open(os.path.join(self.dir, f"input_{k}.pb"), "w").write(str(k))
        staged = os.path.join(self.dir, "staged")
        self.emu.stage_inputs(self.dir, [(1, "shape")], 3, staged)
        self.assertEqual(sorted(os.listdir(staged)), ["input_0.pb", "input_1.pb"])
        self.assertEqual(open(os.path.join(staged, "input_1.pb")).read(), "2")


def model_of(node, inputs):
    graph = helper.make_graph(
        [node], "g",
        [helper.make_tensor_value_info(n, t, None) for n, t in inputs],
        [helper.make_tensor_value_info(o, TensorProto.FLOAT, None)
         for o in node.output])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


class Bind(unittest.TestCase):
    def bound(self, model):
        return [name for _, name in rnt.bindable_inputs(model)]

    def test_shape_operands_are_bound(self):
        reshape = model_of(helper.make_node("Reshape", ["x", "s"], ["y"]),
                           [("x", TensorProto.FLOAT), ("s", TensorProto.INT64)])
        self.assertEqual(self.bound(reshape), ["s"])
        resize = model_of(helper.make_node("Resize", ["x", "roi", "scales"], ["y"]),
                          [("x", TensorProto.FLOAT), ("roi", TensorProto.FLOAT),
                           ("scales", TensorProto.FLOAT)])
        self.assertEqual(self.bound(resize), ["scales"])
        rng = model_of(helper.make_node("Range", ["a", "b", "c"], ["y"]),
                       [("a", TensorProto.FLOAT), ("b", TensorProto.FLOAT),
                        ("c", TensorProto.FLOAT)])
        self.assertEqual(self.bound(rng), ["a", "b", "c"])

    def test_value_operands_are_not_bound(self):
        for op, second in (("Trilu", "k"), ("CumSum", "axis")):
            model = model_of(helper.make_node(op, ["x", second], ["y"]),
                             [("x", TensorProto.FLOAT), (second, TensorProto.INT64)])
            self.assertEqual(self.bound(model), [], op)
        pad = model_of(helper.make_node("Pad", ["x", "pads", "value"], ["y"]),
                       [("x", TensorProto.FLOAT), ("pads", TensorProto.INT64),
                        ("value", TensorProto.FLOAT)])
        self.assertEqual(self.bound(pad), ["pads"])

    def test_an_input_with_a_data_use_is_not_bound(self):
        graph = helper.make_graph(
            [helper.make_node("Reshape", ["x", "s"], ["r"]),
             helper.make_node("Cast", ["s"], ["y"], to=TensorProto.FLOAT)],
            "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, None),
                  helper.make_tensor_value_info("s", TensorProto.INT64, None)],
            [helper.make_tensor_value_info("r", TensorProto.FLOAT, None),
             helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        self.assertEqual(self.bound(model), [])

    def test_resize_before_opset_11(self):
        model = model_of(helper.make_node("Resize", ["x", "scales"], ["y"]),
                         [("x", TensorProto.FLOAT), ("scales", TensorProto.FLOAT)])
        model.opset_import[0].version = 10
        self.assertEqual(self.bound(model), ["scales"])

    def test_pass_kind(self):
        self.assertEqual(rnt.pass_kind([], 2), "plain")
        self.assertEqual(rnt.pass_kind(["s"], 2), "specialized")
        self.assertEqual(rnt.pass_kind(["s", "t"], 2), "constant")
        self.assertEqual(rnt.pass_kind([], 0), "constant")


def main():
    program = unittest.main(module=__name__, argv=[sys.argv[0]], exit=False,
                            verbosity=1)
    return 0 if program.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
