#!/usr/bin/env python3
"""The CUDA issue's measurements on a GPU machine (run by run_on_gpu.sh).

  torch_bench.py check PAYLOAD   numbers: small models against onnxruntime's
                                 outputs, resnet50 and BERT-base against the C
                                 artifact on the same synthetic weights, int8
                                 resnet50 against the C target's int8 outputs
  torch_bench.py time PAYLOAD    latency of modelc's CUDA runners against
                                 PyTorch eager and torch.compile (default and
                                 reduce-overhead), medians of round medians

Bounds (max |diff| <= tol * max |ref| + 1e-5, relative to each output's
largest magnitude): fp32 1e-4 (the C target's bound; TF32 is off), fp16 2e-2,
int8 1e-4 (the dp4a kernels compute the C target's integers; the emulation
gives its outputs to the bit).

Timing is fair by construction: every side gets WARMUP untimed and ITERS timed
runs per round, the order of the sides is reversed every other round (who went
first is recorded as first_per_round), and both read the same inputs: the
model's test set 0 (PAYLOAD/data/NAME), repeated along the batch axis for batch
32. PyTorch's fp16 variants are real fp16 models (model.half(), float inputs
in fp16), the precision modelc's --precision=fp16 artifacts store tensors
in. Those artifacts keep fp32 inputs and outputs (--io-precision is the
model's), so modelc's timed run includes one conversion kernel per input and
output that PyTorch does not run. The int8 variant (resnet50 only) is timed
against PyTorch in fp32: PyTorch has no int8 CUDA inference of these models.

Environment: ROUNDS (5), ITERS (50), WARMUP (20), SEED (5), OUT (results dir),
MODELS (comma list, default resnet50,mobilenet_v2,bert_base), VARIANTS (default
b1-fp32,b1-fp16,b32-fp16,b1-int8), SIDES (PyTorch sides, default
eager,compile_default,compile_reduce_overhead; reduce-overhead runs at batch 1
fp16 only), DEVICE (cuda; for a dry run of the harness with stand-in
runners, cpu, or meta where CPU PyTorch lacks fp16 kernels: meta tensors carry
the types through the model without computing).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

TOL = {"fp32": 1e-4, "fp16": 2e-2, "int8": 1e-4}
SEED = os.environ.get("SEED", "5")
OUT = os.environ.get("OUT", "/tmp/modelc_cuda_results")


def load(path):
    return numpy_helper.to_array(onnx.load_tensor(path)).astype(np.float64)


def run_runner(runner, args):
    proc = subprocess.run([runner] + args, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{runner} failed: {proc.stderr.strip()[-400:]}")
    return proc.stdout


def share_of_bound(expected_dir, actual_dir, tol):
    worst = 0.0
    for name in sorted(f for f in os.listdir(expected_dir) if f.startswith("output_")):
        e, a = load(os.path.join(expected_dir, name)), load(os.path.join(actual_dir, name))
        bound = tol * float(np.max(np.abs(e))) + 1e-5
        worst = max(worst, float(np.max(np.abs(a - e))) / bound)
    return worst


def check(payload):
    rows, ok = [], True
    data = os.path.join(payload, "data")
    for model in ["mobilenet_v2", "encoder2"]:
        for precision in ["fp32", "fp16"]:
            variant = f"{model}-b1-{precision}"
            with tempfile.TemporaryDirectory() as out:
                run_runner(os.path.join(payload, variant, "runner"),
                           ["--inputs", os.path.join(data, model), "--outputs", out])
                worst = share_of_bound(os.path.join(data, model), out, TOL[precision])
            rows.append((variant, "onnxruntime", worst))
    for model in ["resnet50", "bert_base"]:
        with tempfile.TemporaryDirectory() as ref:
            run_runner(os.path.join(payload, f"{model}-c", "runner"),
                       ["--inputs", os.path.join(data, model), "--outputs", ref,
                        "--threads", str(os.cpu_count() or 1), "--synthetic-weights", SEED])
            for precision in ["fp32", "fp16"]:
                variant = f"{model}-b1-{precision}"
                with tempfile.TemporaryDirectory() as out:
                    run_runner(os.path.join(payload, variant, "runner"),
                               ["--inputs", os.path.join(data, model), "--outputs", out,
                                "--synthetic-weights", SEED])
                    worst = share_of_bound(ref, out, TOL[precision])
                rows.append((variant, "C artifact, synthetic weights", worst))
    variant, expected = "resnet50-b1-int8", os.path.join(data, "resnet50-int8")
    with tempfile.TemporaryDirectory() as out:
        run_runner(os.path.join(payload, variant, "runner"),
                   ["--inputs", expected, "--outputs", out])
        rows.append((variant, "C int8 artifact", share_of_bound(expected, out, TOL["int8"])))
    lines = ["| variant | reference | worst share of the bound |", "|---|---|---|"]
    for variant, reference, worst in rows:
        lines.append(f"| {variant} | {reference} | {worst:.3f}{'' if worst <= 1 else ' FAIL'} |")
        ok = ok and worst <= 1
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(OUT, "numbers.md"), "w") as f:
        f.write(text + "\n")
    return 0 if ok else 1


# ---- timing ----

DEVICE = os.environ.get("DEVICE", "cuda")
ALL_SIDES = ["eager", "compile_default", "compile_reduce_overhead"]
ALL_VARIANTS = [(1, "fp32"), (1, "fp16"), (32, "fp16"), (1, "int8")]


def round_order(sides, r):
    """The sides in the order they run in round r (0-based): reversed every
    other round, so that modelc and PyTorch each go first equally often."""
    return list(sides) if r % 2 == 0 else list(reversed(sides))


def input_folder(payload, name, batch, work):
    """The folder both sides read: the model's test set 0 (data/NAME), at
    batch 1 as it is, at batch B each tensor repeated B times along axis 0."""
    folder = os.path.abspath(os.path.join(payload, "data", name))
    if batch == 1:
        return folder
    tiled = os.path.join(work, f"{name}-b{batch}")
    os.makedirs(tiled, exist_ok=True)
    for f in sorted(os.listdir(folder)):
        if f.startswith("input_"):
            tensor = onnx.load_tensor(os.path.join(folder, f))
            array = numpy_helper.to_array(tensor)
            out = numpy_helper.from_array(np.repeat(array, batch, axis=0), tensor.name)
            with open(os.path.join(tiled, f), "wb") as g:
                g.write(out.SerializeToString())
    return tiled


def torch_inputs(folder, precision):
    """The input files as tensors on DEVICE; float ones in the model's
    precision, as an application running PyTorch in fp16 would feed it."""
    import torch
    files = sorted((f for f in os.listdir(folder) if f.startswith("input_")),
                   key=lambda f: int(f[len("input_"):-len(".pb")]))
    tensors = []
    for f in files:
        array = numpy_helper.to_array(onnx.load_tensor(os.path.join(folder, f)))
        t = torch.from_numpy(np.array(array))  # a writable copy
        if t.is_floating_point() and precision == "fp16":
            t = t.half()
        tensors.append(t.to(DEVICE))
    return tuple(tensors)


def torch_model(name, precision):
    """The model in PyTorch, with every parameter in `precision`: fp16 is a
    real fp16 model (model.half()), the precision modelc's fp16 variant gets."""
    import torch
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if name in ("resnet50", "mobilenet_v2"):
        import torchvision
        model = getattr(torchvision.models, name)(weights=None)
    else:
        import export_models

        class Encoder(export_models.Encoder):
            """export_models.Encoder builds its additive mask in float32; under
            .half() that would promote the fp16 scores to float32 and fail at the
            fp16 matmul after softmax. Here the mask takes the weights' type."""

            def forward(self, input_ids, attention_mask, token_type_ids):
                dtype = self.embeddings.word_embeddings.weight.dtype
                ext = attention_mask[:, None, None, :].to(dtype)
                ext = (1.0 - ext) * -10000.0
                h = self.embeddings(input_ids, token_type_ids)
                for layer in self.layers:
                    h = layer(h, ext)
                return h

        model = Encoder(layers=12, hidden=768, heads=12, ffn=3072, vocab=30522)
    model = model.eval().to(DEVICE)
    return model.half() if precision == "fp16" else model


def synchronize():
    import torch
    if DEVICE == "cuda":
        torch.cuda.synchronize()


def time_torch(fn, inputs, iters, warmup):
    import torch
    with torch.inference_mode():
        for _ in range(warmup):
            fn(*inputs)
        synchronize()
        samples = []
        for _ in range(iters):
            t0 = time.perf_counter()
            fn(*inputs)
            synchronize()
            samples.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(samples))


def time_modelc(runner, inputs, iters, warmup, synthetic):
    args = ["--bench", "--iterations", str(iters), "--warmup", str(warmup), "--inputs", inputs]
    if synthetic:
        args += ["--synthetic-weights", SEED]
    return json.loads(run_runner(runner, args).strip().splitlines()[-1])["median_ms"]


def timing(payload):
    import torch
    rounds = int(os.environ.get("ROUNDS", "5"))
    iters = int(os.environ.get("ITERS", "50"))
    warmup = int(os.environ.get("WARMUP", "20"))
    models = os.environ.get("MODELS", "resnet50,mobilenet_v2,bert_base").split(",")
    wanted_sides = os.environ.get("SIDES", ",".join(ALL_SIDES)).split(",")
    wanted_variants = os.environ.get("VARIANTS", "b1-fp32,b1-fp16,b32-fp16,b1-int8").split(",")
    for side in wanted_sides:
        if side not in ALL_SIDES:
            raise SystemExit(f"SIDES: unknown side {side!r} (known: {', '.join(ALL_SIDES)})")
    device_name = torch.cuda.get_device_name() if DEVICE == "cuda" else DEVICE
    results = []
    work = tempfile.mkdtemp(prefix="torch_bench-")
    for name in models:
        for batch, precision in ALL_VARIANTS:
            if f"b{batch}-{precision}" not in wanted_variants:
                continue
            variant = f"{name}-b{batch}-{precision}"
            if not os.path.isdir(os.path.join(payload, variant)):
                continue  # int8 is prepared for resnet50 only
            runner = os.path.join(payload, variant, "runner")
            synthetic = not (name == "mobilenet_v2" and batch == 1) and precision != "int8"
            folder = input_folder(payload, name, batch, work)
            torch_precision = "fp32" if precision == "int8" else precision
            model = torch_model(name, torch_precision)
            inputs = torch_inputs(folder, torch_precision)
            fns = {"eager": model}
            if "compile_default" in wanted_sides:
                fns["compile_default"] = torch.compile(model)
            if "compile_reduce_overhead" in wanted_sides and batch == 1 and precision == "fp16":
                fns["compile_reduce_overhead"] = torch.compile(model, mode="reduce-overhead")
            if "eager" not in wanted_sides:
                del fns["eager"]
            sides = {"modelc": lambda: time_modelc(runner, folder, iters, warmup, synthetic)}
            for side, fn in fns.items():
                sides[side] = lambda fn=fn: time_torch(fn, inputs, iters, warmup)
            medians = {side: [] for side in sides}
            firsts = []
            for r in range(rounds):
                order = round_order(sides, r)
                firsts.append(order[0])
                for side in order:
                    medians[side].append(sides[side]())
            row = {"variant": variant, "gpu": device_name, "first_per_round": firsts}
            for side, values in medians.items():
                row[side + "_ms"] = float(np.median(values))
                row[side + "_round_medians_ms"] = values
            for side in fns:
                row["ratio_vs_" + side] = row["modelc_ms"] / row[side + "_ms"]
            print(json.dumps(row))
            sys.stdout.flush()
            results.append(row)
            del model, fns, sides, inputs
            if DEVICE == "cuda":
                torch.cuda.empty_cache()
    shutil.rmtree(work, ignore_errors=True)
    with open(os.path.join(OUT, "timing.json"), "w") as f:
        json.dump(results, f, indent=1)
    lines = ["| variant | modelc ms | eager ms | compile ms | reduce-overhead ms | "
             "vs eager | vs compile | vs reduce-overhead |", "|---|---|---|---|---|---|---|---|"]

    def cell(r, key, fmt):
        return "" if r.get(key) is None else fmt % r[key]

    for r in results:
        lines.append(f"| {r['variant']} | {r['modelc_ms']:.3f} | {cell(r, 'eager_ms', '%.3f')} | "
                     f"{cell(r, 'compile_default_ms', '%.3f')} | "
                     f"{cell(r, 'compile_reduce_overhead_ms', '%.3f')} | "
                     f"{cell(r, 'ratio_vs_eager', '%.2f')} | "
                     f"{cell(r, 'ratio_vs_compile_default', '%.2f')} | "
                     f"{cell(r, 'ratio_vs_compile_reduce_overhead', '%.2f')} |")
    with open(os.path.join(OUT, "timing.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("check", "time"):
        print(__doc__)
        sys.exit(2)
    os.makedirs(OUT, exist_ok=True)
    sys.exit(check(sys.argv[2]) if sys.argv[1] == "check" else timing(sys.argv[2]))
