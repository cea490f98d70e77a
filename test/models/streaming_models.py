#!/usr/bin/python3
"""Real-model shapes modelc must run: a streaming voice-activity detector
with an If on its sample rate, and an OCR-style text recognizer with a
dynamic width, exported here by PyTorch with random weights and checked
against onnxruntime.

  vad: like the public Silero-style detectors, one encoder per sample rate
       (16 kHz: 512-sample chunks, 8 kHz: the first 256), chosen by an If on
       the `sr` input; each encoder is strided 1-D convolutions into a
       two-layer LSTM whose state (h, c) goes in and out per chunk. Three
       chunks are streamed at each rate, every chunk's state taken from
       modelc's previous outputs (onnxruntime gets its own), with no flags;
       the run-time condition computes both encoders and selects. One more
       run binds sr (--bind), which folds the If to its branch.
  ocr: a CRNN-style recognizer (convolutions and pools down to one row, a
       bidirectional LSTM along the width, per-column class scores) exported
       with a symbolic width, run at widths 160, 320 and 480: `modelc run`
       takes each width from its input file.

Every output must match onnxruntime within 1e-4 of its largest magnitude.

usage: streaming_models.py --modelc BIN --work DIR
       (ORT_NODE_MODULES as for scripts/ort/ort.py; prints one line per check)
"""

import argparse
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
from onnx import numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORT = [sys.executable, os.path.join(ROOT, "scripts", "ort", "ort.py")]


class Encoder(nn.Module):
    """Chunk of audio -> speech probability, with LSTM state in and out."""

    def __init__(self, frame, hidden=32):
        super().__init__()
        self.conv = nn.Conv1d(1, 16, kernel_size=frame // 8, stride=frame // 16)
        self.proj = nn.Conv1d(16, 16, 3, padding=1)
        self.lstm = nn.LSTM(16, hidden, num_layers=2)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x, h, c):
        f = torch.relu(self.conv(x.unsqueeze(1)))
        f = torch.relu(self.proj(f)).permute(2, 0, 1)
        y, (h2, c2) = self.lstm(f, (h, c))
        return torch.sigmoid(self.head(y[-1])), h2, c2


class VoiceActivity(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc16 = Encoder(512)
        self.enc8 = Encoder(256)

    def forward(self, x, sr, h, c):
        if bool(sr == 16000):
            p, h2, c2 = self.enc16(x, h, c)
        else:
            p, h2, c2 = self.enc8(x[:, :256], h, c)
        return p, h2, c2


class TextRecognizer(nn.Module):
    """[1, 3, 32, W] text line -> [W / 4, 1, classes] scores."""

    def __init__(self, classes=37):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
            nn.MaxPool2d(2, 2),
            nn.Conv2d(32, 48, 3, padding=1), nn.ReLU(),
            nn.MaxPool2d((8, 1), (8, 1)))
        self.rnn = nn.LSTM(48, 24, bidirectional=True)
        self.classifier = nn.Linear(48, classes)

    def forward(self, image):
        f = self.features(image).squeeze(2).permute(2, 0, 1)
        y, _ = self.rnn(f)
        return self.classifier(y).softmax(-1)


def export_vad(path):
    torch.manual_seed(0)
    model = VoiceActivity().eval()
    x, h = torch.randn(1, 512), torch.zeros(2, 1, 32)
    # The encoders are traced; the wrapper is scripted so its `if` becomes an
    # ONNX If.
    model.enc16 = torch.jit.trace(model.enc16, (x, h, h))
    model.enc8 = torch.jit.trace(model.enc8, (x[:, :256], h, h))
    torch.onnx.export(torch.jit.script(model), (x, torch.tensor(16000), h, h),
                      path, opset_version=15,
                      input_names=["input", "sr", "h", "c"],
                      output_names=["prob", "hn", "cn"])


def export_ocr(path):
    torch.manual_seed(0)
    model = TextRecognizer().eval()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
    torch.onnx.export(model, torch.randn(1, 3, 32, 160), path, opset_version=13,
                      input_names=["image"], output_names=["scores"],
                      dynamic_axes={"image": {3: "width"}, "scores": {0: "steps"}})


def write_inputs(folder, arrays):
    if os.path.isdir(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    for k, (name, array) in enumerate(arrays):
        with open(os.path.join(folder, f"input_{k}.pb"), "wb") as f:
            f.write(numpy_helper.from_array(array, name).SerializeToString())


def read_outputs(folder, count):
    return [numpy_helper.to_array(onnx.load_tensor(
        os.path.join(folder, f"output_{k}.pb"))) for k in range(count)]


def run_modelc(modelc, model, inputs, count, extra=()):
    """modelc's outputs on the files in `inputs`."""
    subprocess.run([modelc, "run", model, "--target=c", "--inputs", inputs,
                    "--outputs", inputs + "-modelc", *extra], check=True,
                   capture_output=True, text=True)
    return read_outputs(inputs + "-modelc", count)


def run_ort(model, inputs, count):
    """onnxruntime's outputs on the files in `inputs`."""
    subprocess.run(ORT + ["run", model, inputs, inputs + "-ort"], check=True,
                   capture_output=True, text=True)
    return read_outputs(inputs + "-ort", count)


def run_both(modelc, model, inputs, count, extra=()):
    return (run_modelc(modelc, model, inputs, count, extra),
            run_ort(model, inputs, count))


def compare(label, got, want):
    worst = 0.0
    for g, w in zip(got, want):
        if g.shape != w.shape:
            print(f"FAIL {label}: shape {g.shape}, onnxruntime {w.shape}")
            return False
        worst = max(worst, float(np.max(np.abs(g - w))) /
                    max(float(np.max(np.abs(w))), 1e-30))
    ok = worst <= 1e-4
    print(f"{'PASS' if ok else 'FAIL'} {label}: max |error| {worst:.2g} of "
          "the largest output")
    return ok


def check_vad(modelc, work):
    path = os.path.join(work, "vad.onnx")
    export_vad(path)
    rng = np.random.default_rng(1)
    ok = True
    for rate in (16000, 8000):
        state = [np.zeros((2, 1, 32), np.float32)] * 2
        ort_state = list(state)
        for chunk in range(3):
            audio = (0.3 * rng.standard_normal((1, 512))).astype(np.float32)
            sr = np.array(rate, np.int64)
            mine = os.path.join(work, f"vad-{rate}-{chunk}")
            write_inputs(mine, [("input", audio), ("sr", sr), ("h", state[0]),
                                ("c", state[1])])
            got = run_modelc(modelc, path, mine, 3)
            # onnxruntime streams its own state.
            theirs = os.path.join(work, f"vad-{rate}-{chunk}-ortstate")
            write_inputs(theirs, [("input", audio), ("sr", sr),
                                  ("h", ort_state[0]), ("c", ort_state[1])])
            want = run_ort(path, theirs, 3)
            ok &= compare(f"vad sr={rate} chunk {chunk} (streamed)", got, want)
            state, ort_state = got[1:], want[1:]
    # sr frozen at compile time: the If folds to the 16 kHz encoder.
    folder = os.path.join(work, "vad-bound")
    write_inputs(folder, [("input", rng.standard_normal((1, 512)).astype(np.float32)),
                          ("sr", np.array(16000, np.int64)),
                          ("h", state[0]), ("c", state[1])])
    bound = os.path.join(work, "sr.pb")
    with open(bound, "wb") as f:
        f.write(numpy_helper.from_array(np.array(16000, np.int64), "sr")
                .SerializeToString())
    got, want = run_both(modelc, path, folder, 3, ["--bind", f"sr={bound}"])
    ok &= compare("vad sr bound to 16000 (If folded)", got, want)
    return ok


def check_ocr(modelc, work):
    path = os.path.join(work, "ocr.onnx")
    export_ocr(path)
    rng = np.random.default_rng(2)
    ok = True
    for width in (160, 320, 480):
        folder = os.path.join(work, f"ocr-{width}")
        write_inputs(folder, [("image", rng.standard_normal((1, 3, 32, width))
                               .astype(np.float32))])
        got, want = run_both(modelc, path, folder, 1)
        ok &= compare(f"ocr width {width}", got, want)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--modelc", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    try:
        ok = check_vad(args.modelc, args.work) & check_ocr(args.modelc, args.work)
    except subprocess.CalledProcessError as e:
        print(f"FAIL {' '.join(e.cmd[:3])}: {e.stderr.strip()[-400:]}")
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
