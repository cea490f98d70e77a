#!/usr/bin/python3
"""Export the modelc benchmark/test models to ONNX with torch.onnx.export.

usage: /usr/bin/python3 scripts/export_models.py --out DIR [--opset 13] [--models a,b,...] [--inputs 2]

For every model NAME this writes
    DIR/NAME-opsetN.onnx                              the model (static shapes, random weights)
    DIR/NAME-opsetN/test_data_set_K/input_J.pb        K = 0 .. --inputs-1 (ONNX TensorProto)
The expected outputs (output_J.pb) are produced separately by onnxruntime:
    scripts/make_expected.sh DIR

Weights are random: torch.manual_seed(0) is called right before each model is built, so a
given torch/torchvision version always produces the same weights.  By default (--init
informative) constant-initialised parameters are then randomised and BatchNorm statistics
calibrated, so that outputs are neither zero nor vanishingly small (see make_informative;
--init plain keeps the models' own initialisation). Input data use fixed
numpy seeds (independent of torch): floats are standard normal; token ids are uniform in
[0, vocab); attention masks are all ones in set 0 and have a few trailing zeros in the
other sets; token types are 0 for a first segment and 1 for the rest.

Models: lenet squeezenet1_1 mobilenet_v2 resnet50 efficientnet_b0 vit_b_16 encoder2 bert_base
(torch 1.13 exports opsets 7..17; at opset 17 LayerNorm becomes LayerNormalization.)
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import onnx
from onnx import numpy_helper
import torch
import torch.nn as nn
import torch.nn.functional as F


# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------
class LeNet5(nn.Module):
    """Classic LeNet-5 layout: 1x32x32 -> conv5(6) -> pool -> conv5(16) -> pool -> 400 -> 120 -> 84 -> 10."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def gelu_erf(x):
    # HF BERT's "gelu": x * 0.5 * (1 + erf(x / sqrt(2))), written out in plain ops.
    return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


class BertEmbeddings(nn.Module):
    def __init__(self, vocab, hidden, max_pos, type_vocab=2, eps=1e-12):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, hidden)
        self.position_embeddings = nn.Embedding(max_pos, hidden)
        self.token_type_embeddings = nn.Embedding(type_vocab, hidden)
        self.LayerNorm = nn.LayerNorm(hidden, eps=eps)
        self.register_buffer("position_ids", torch.arange(max_pos).unsqueeze(0))

    def forward(self, input_ids, token_type_ids):
        seq = input_ids.size(1)
        pos = self.position_ids[:, :seq]
        e = self.word_embeddings(input_ids) + self.position_embeddings(pos) + self.token_type_embeddings(token_type_ids)
        return self.LayerNorm(e)


class BertSelfAttention(nn.Module):
    def __init__(self, hidden, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = hidden // heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)

    def split(self, x):
        b, s, _ = x.shape
        return x.view(b, s, self.heads, self.head_dim).permute(0, 2, 1, 3)

    def forward(self, h, ext_mask):
        q = self.split(self.query(h))
        k = self.split(self.key(h))
        v = self.split(self.value(h))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_dim)
        scores = scores + ext_mask
        probs = F.softmax(scores, dim=-1)
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        b, s = ctx.shape[0], ctx.shape[1]
        return ctx.view(b, s, self.heads * self.head_dim)


class BertLayer(nn.Module):
    """Post-LN encoder layer, as in HF BertLayer (dropout omitted: export is in eval mode)."""

    def __init__(self, hidden, heads, ffn, eps=1e-12):
        super().__init__()
        self.attention = BertSelfAttention(hidden, heads)
        self.attn_out = nn.Linear(hidden, hidden)
        self.attn_ln = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, ffn)
        self.output = nn.Linear(ffn, hidden)
        self.out_ln = nn.LayerNorm(hidden, eps=eps)

    def forward(self, h, ext_mask):
        a = self.attn_ln(self.attn_out(self.attention(h, ext_mask)) + h)
        return self.out_ln(self.output(gelu_erf(self.intermediate(a))) + a)


class Encoder(nn.Module):
    """BERT-style encoder; returns the last hidden state [batch, seq, hidden]."""

    def __init__(self, layers, hidden, heads, ffn, vocab, max_pos=512):
        super().__init__()
        self.embeddings = BertEmbeddings(vocab, hidden, max_pos)
        self.layers = nn.ModuleList([BertLayer(hidden, heads, ffn) for _ in range(layers)])

    def forward(self, input_ids, attention_mask, token_type_ids):
        ext = attention_mask[:, None, None, :].to(torch.float32)
        ext = (1.0 - ext) * -10000.0
        h = self.embeddings(input_ids, token_type_ids)
        for layer in self.layers:
            h = layer(h, ext)
        return h


def _tv(name):
    def build():
        import torchvision
        return getattr(torchvision.models, name)(weights=None)
    return build


# name -> (builder, kind, config)
#   kind "image": config = input shape
#   kind "text":  config = dict(seq=, vocab=)
MODELS = {
    "lenet": (LeNet5, "image", (1, 1, 32, 32)),
    "squeezenet1_1": (_tv("squeezenet1_1"), "image", (1, 3, 224, 224)),
    "mobilenet_v2": (_tv("mobilenet_v2"), "image", (1, 3, 224, 224)),
    "resnet50": (_tv("resnet50"), "image", (1, 3, 224, 224)),
    "efficientnet_b0": (_tv("efficientnet_b0"), "image", (1, 3, 224, 224)),
    "vit_b_16": (_tv("vit_b_16"), "image", (1, 3, 224, 224)),
    "encoder2": (lambda: Encoder(layers=2, hidden=128, heads=4, ffn=512, vocab=1000), "text", dict(seq=32, vocab=1000)),
    "bert_base": (lambda: Encoder(layers=12, hidden=768, heads=12, ffn=3072, vocab=30522), "text", dict(seq=128, vocab=30522)),
}
TEXT_INPUTS = ["input_ids", "attention_mask", "token_type_ids"]


# --------------------------------------------------------------------------------------
# "Informative" random weights
# --------------------------------------------------------------------------------------
def make_informative(model, kind, cfg):
    """Deterministic changes to a freshly initialised model so that its outputs are useful
    for testing a compiler (--init informative, the default):
      * parameters whose elements are all equal (LayerNorm/BatchNorm gamma = 1 and beta = 0,
        zero-initialised biases, vit_b_16's zero-initialised classifier and class token)
        get random values; otherwise vit_b_16's output is identically 0 and BN/LN folding
        bugs that ignore gamma/beta go unnoticed;
      * BatchNorm running statistics are calibrated on random inputs (a few batches in
        training mode, cumulative average): with the default mean 0 / var 1, activations of
        mobilenet_v2 and efficientnet_b0 shrink to ~1e-9 / ~1e-14 at the output.
    Uses its own generator (seed 1), so the torch.manual_seed(0) weights are unchanged
    otherwise."""
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for _, p in model.named_parameters():
            flat = p.reshape(-1)
            if flat.numel() < 2 or not bool(torch.all(flat == flat[0])):
                continue
            c = float(flat[0])
            noise = torch.randn(p.shape, generator=g)
            if c != 0.0:
                p.copy_(c * (1.0 + 0.1 * noise))
            elif p.dim() >= 2:
                fan_in = int(np.prod(p.shape[1:]))
                p.copy_(noise / math.sqrt(max(fan_in, 1)))
            else:
                p.copy_(0.05 * noise)
        bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
        if bns and kind == "image":
            saved = [m.momentum for m in bns]
            for m in bns:
                m.reset_running_stats()
                m.momentum = None  # cumulative moving average
                m.train()
            for _ in range(2):
                model(torch.randn((4,) + tuple(cfg[1:]), generator=g))
            for m, mom in zip(bns, saved):
                m.momentum = mom
    model.eval()
    return model


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------
def make_inputs(name, kind, cfg, set_index, batch=1):
    """Deterministic input arrays (list of (input name, ndarray)) for test set `set_index`."""
    seed = 1000 + 17 * set_index + sum(ord(c) for c in name)
    rng = np.random.RandomState(seed)
    if kind == "image":
        return [("input", rng.standard_normal((batch,) + tuple(cfg[1:])).astype(np.float32))]
    seq, vocab = cfg["seq"], cfg["vocab"]
    ids = rng.randint(0, vocab, size=(batch, seq)).astype(np.int64)
    mask = np.ones((batch, seq), dtype=np.int64)
    if set_index > 0:  # a few trailing padding positions
        pad = max(1, seq // 8) + (set_index - 1) % 3
        mask[:, seq - pad:] = 0
    split = int(rng.randint(seq // 4, 3 * seq // 4))
    types = np.zeros((batch, seq), dtype=np.int64)
    types[:, split:] = 1
    return [("input_ids", ids), ("attention_mask", mask), ("token_type_ids", types)]


def write_pb(path, name, arr):
    t = numpy_helper.from_array(np.ascontiguousarray(arr), name=name)
    with open(path, "wb") as f:
        f.write(t.SerializeToString())


# --------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------
def export_one(name, out_dir, opset, n_inputs, init="informative", verbose=False, batch=1):
    builder, kind, cfg = MODELS[name]
    t_start = time.time()
    torch.manual_seed(0)
    model = builder()
    model.eval()
    if init == "informative":
        make_informative(model, kind, cfg)
    build_s = time.time() - t_start

    sets = [make_inputs(name, kind, cfg, k, batch) for k in range(n_inputs)]
    # Example arguments for tracing: set 0 (shapes are static anyway).
    example = tuple(torch.from_numpy(a) for _, a in (sets[0] if sets else make_inputs(name, kind, cfg, 0, batch)))
    input_names = ["input"] if kind == "image" else TEXT_INPUTS
    output_names = ["output"] if kind == "image" else ["last_hidden_state"]

    stem = "%s-opset%d%s" % (name, opset, "" if batch == 1 else "-b%d" % batch)
    onnx_path = os.path.join(out_dir, stem + ".onnx")
    t0 = time.time()
    # Not under torch.no_grad(): in eval mode without autograd, torch 1.13's nn.MultiheadAttention
    # (vit_b_16) takes its fused fast path (aten::_native_multi_head_attention), which has no
    # ONNX export. With grad enabled it uses the plain ops.
    torch.onnx.export(
        model, example, onnx_path,
        export_params=True, verbose=verbose, opset_version=opset,
        do_constant_folding=True, input_names=input_names, output_names=output_names,
    )
    export_s = time.time() - t0

    t1 = time.time()
    onnx.checker.check_model(onnx_path)  # path form: also fine for models near the 2 GiB limit
    check_s = time.time() - t1

    data_dir = os.path.join(out_dir, stem)
    for k, arrays in enumerate(sets):
        d = os.path.join(data_dir, "test_data_set_%d" % k)
        os.makedirs(d, exist_ok=True)
        for j, (iname, arr) in enumerate(arrays):
            write_pb(os.path.join(d, "input_%d.pb" % j), iname, arr)
        # Stale outputs from an earlier export would no longer match: remove them.
        for f in os.listdir(d):
            if f.startswith("output_") and f.endswith(".pb"):
                os.remove(os.path.join(d, f))

    m = onnx.load(onnx_path, load_external_data=False)
    return {
        "model": name, "opset": opset, "file": onnx_path,
        "bytes": os.path.getsize(onnx_path),
        "params": int(sum(p.numel() for p in model.parameters())),
        "nodes": len(m.graph.node),
        "init": init, "build_s": round(build_s, 2),
        "export_s": round(export_s, 2), "check_s": round(check_s, 2),
        "total_s": round(time.time() - t_start, 2),
        "inputs": ["%s%s[%s]" % (n, str(a.dtype), ",".join(map(str, a.shape))) for n, a in (sets[0] if sets else [])],
        "test_sets": len(sets),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--opset", type=int, default=13)
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated list (default: all): " + ",".join(MODELS))
    ap.add_argument("--inputs", type=int, default=2, help="number of test_data_set_K folders per model (default 2)")
    ap.add_argument("--threads", type=int, default=0, help="torch intra-op threads for the export (0: torch default)")
    ap.add_argument("--init", choices=["informative", "plain"], default="informative",
                    help="informative (default): randomise constant-initialised parameters and calibrate "
                         "BatchNorm statistics (see make_informative); plain: the models' own initialisation")
    ap.add_argument("--batch", type=int, default=1,
                    help="batch size of the exported inputs (files get a -bN suffix when N > 1)")
    ap.add_argument("--verbose", action="store_true")
    a = ap.parse_args()

    names = [n.strip() for n in a.models.split(",") if n.strip()]
    bad = [n for n in names if n not in MODELS]
    if bad:
        ap.error("unknown model(s): %s (known: %s)" % (",".join(bad), ",".join(MODELS)))
    if not 7 <= a.opset <= 17:
        ap.error("torch %s exports opsets 7..17" % torch.__version__)
    if a.inputs < 0:
        ap.error("--inputs must be >= 0")
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    os.makedirs(a.out, exist_ok=True)

    results, failed = [], []
    for n in names:
        print("exporting %s (opset %d) ..." % (n, a.opset), file=sys.stderr, flush=True)
        try:
            r = export_one(n, a.out, a.opset, a.inputs, a.init, a.verbose, a.batch)
        except Exception as e:  # keep going with the other models
            print("  FAILED: %s: %s" % (type(e).__name__, e), file=sys.stderr, flush=True)
            failed.append(n)
            continue
        results.append(r)
        print("  %-16s opset %-2d %9.1f MB  %5d nodes  %11d params  build %5.2f s  export %6.2f s  check %5.2f s  total %6.2f s"
              % (n, a.opset, r["bytes"] / 1e6, r["nodes"], r["params"], r["build_s"], r["export_s"], r["check_s"],
                 r["total_s"]), flush=True)

    # Summary (merged with an earlier one in the same folder).
    summary_path = os.path.join(a.out, "export_summary.json")
    summary = {}
    if os.path.exists(summary_path):
        try:
            with open(summary_path) as f:
                summary = json.load(f)
        except ValueError:
            summary = {}
    for r in results:
        summary["%s-opset%d" % (r["model"], r["opset"])] = r
    with open(summary_path, "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True)
    if failed:
        print("failed: %s" % ",".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
