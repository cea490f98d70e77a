#!/usr/bin/env python3
"""The CUDA issue's measurements on a GPU machine (run by run_on_gpu.sh).

  torch_bench.py check PAYLOAD   numbers: small models against onnxruntime's
                                 outputs, resnet50 and BERT-base against the C
                                 artifact on the same synthetic weights
  torch_bench.py time PAYLOAD    latency of modelc's CUDA runners against
                                 PyTorch eager and torch.compile, alternating
                                 sides, medians of round medians

Bounds (max |diff| <= tol * max |ref| + 1e-5): fp32 1e-3, fp16 2e-2.
Environment: ROUNDS (5), ITERS (50), WARMUP (20), SEED (5), OUT (results dir),
MODELS (comma list, default resnet50,mobilenet_v2,bert_base).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import numpy_helper

TOL = {"fp32": 1e-3, "fp16": 2e-2}
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

def torch_model(name, batch, precision):
    import torch
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    dtype = torch.float16 if precision == "fp16" else torch.float32
    if name in ("resnet50", "mobilenet_v2"):
        import torchvision
        model = getattr(torchvision.models, name)(weights=None)
        inputs = (torch.randn(batch, 3, 224, 224, device="cuda", dtype=dtype),)
        return model.eval().to("cuda", dtype=dtype), inputs
    import export_models

    class Autocast(torch.nn.Module):
        """The encoder builds its mask in float32: fp16 runs under autocast."""

        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *args):
            with torch.autocast("cuda", dtype=torch.float16):
                return self.inner(*args)

    model = export_models.Encoder(layers=12, hidden=768, heads=12, ffn=3072, vocab=30522)
    model = model.eval().to("cuda")
    if precision == "fp16":
        model = Autocast(model)
    ids = torch.randint(0, 30522, (batch, 128), device="cuda")
    return model, (ids, torch.ones_like(ids), torch.zeros_like(ids))


def time_torch(fn, inputs, iters, warmup):
    import torch
    with torch.inference_mode():
        for _ in range(warmup):
            fn(*inputs)
        torch.cuda.synchronize()
        samples = []
        for _ in range(iters):
            t0 = time.perf_counter()
            fn(*inputs)
            torch.cuda.synchronize()
            samples.append((time.perf_counter() - t0) * 1e3)
    return float(np.median(samples))


def time_modelc(runner, iters, warmup, synthetic):
    args = ["--bench", "--iterations", str(iters), "--warmup", str(warmup)]
    if synthetic:
        args += ["--synthetic-weights", SEED]
    return json.loads(run_runner(runner, args).strip().splitlines()[-1])["median_ms"]


def timing(payload):
    import torch
    rounds = int(os.environ.get("ROUNDS", "5"))
    iters = int(os.environ.get("ITERS", "50"))
    warmup = int(os.environ.get("WARMUP", "20"))
    models = os.environ.get("MODELS", "resnet50,mobilenet_v2,bert_base").split(",")
    results = []
    for name in models:
        for batch, precision in [(1, "fp32"), (1, "fp16"), (32, "fp16")]:
            variant = f"{name}-b{batch}-{precision}"
            runner = os.path.join(payload, variant, "runner")
            synthetic = not (name == "mobilenet_v2" and batch == 1)
            model, inputs = torch_model(name, batch, precision)
            sides = {"eager": model, "compile_default": torch.compile(model)}
            if batch == 1 and precision == "fp16":
                sides["compile_reduce_overhead"] = torch.compile(model, mode="reduce-overhead")
            medians = {side: [] for side in sides}
            medians["modelc"] = []
            for _ in range(rounds):  # alternate the sides every round
                medians["modelc"].append(time_modelc(runner, iters, warmup, synthetic))
                for side, fn in sides.items():
                    medians[side].append(time_torch(fn, inputs, iters, warmup))
            row = {"variant": variant, "gpu": torch.cuda.get_device_name()}
            for side, values in medians.items():
                row[side + "_ms"] = float(np.median(values))
            for side in sides:
                row["ratio_vs_" + side] = row["modelc_ms"] / row[side + "_ms"]
            print(json.dumps(row))
            sys.stdout.flush()
            results.append(row)
            del model, sides
            torch.cuda.empty_cache()
    with open(os.path.join(OUT, "timing.json"), "w") as f:
        json.dump(results, f, indent=1)
    lines = ["| variant | modelc ms | eager ms | compile ms | reduce-overhead ms | "
             "vs eager | vs compile | vs reduce-overhead |", "|---|---|---|---|---|---|---|---|"]
    for r in results:
        ro = r.get("compile_reduce_overhead_ms")
        lines.append(f"| {r['variant']} | {r['modelc_ms']:.3f} | {r['eager_ms']:.3f} | "
                     f"{r['compile_default_ms']:.3f} | {'' if ro is None else f'{ro:.3f}'} | "
                     f"{r['ratio_vs_eager']:.2f} | {r['ratio_vs_compile_default']:.2f} | "
                     f"{'' if ro is None else '%.2f' % r['ratio_vs_compile_reduce_overhead']} |")
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
