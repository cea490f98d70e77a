#!/usr/bin/env python3
"""DFT and STFT through `modelc run`, against numpy's FFT.

Both are products with constant cos/sin matrices (SpectralImporters.cpp).
The cases cover real and complex signals, the forward and inverse DFT, a
one-sided spectrum, dft_length that pads and that truncates, a negative
axis, STFT with a window and with frame_length alone, and the refusals of
an inverse or complex one-sided DFT (onnxruntime refuses the second too), a
transform along the [re, im] axis and a window
whose length disagrees with frame_length. MelWeightMatrix is checked
against the ONNX reference's own loops, with run-time sample rates and
edges, narrow triangles that collapse to one bin, and a double output.

usage: spectral_ops.py --modelc BIN     (prints "N passed, M failed")
"""

import os
import sys

import numpy as np
from onnx import TensorProto, helper

from one_node_model import (check_one_node, main_with_cases, refused_with,
                            run_one_node)


def as_complex(x):
    return x[..., 0] + 1j * x[..., 1] if x.shape[-1] == 2 else x[..., 0]


def as_onnx(z):
    return np.stack([z.real, z.imag], axis=-1).astype(np.float32)


def dft_reference(x, axis, length, inverse, onesided):
    z = as_complex(x.astype(np.float64))
    n = z.shape[axis]
    if length < n:
        z = np.take(z, range(length), axis=axis)
    spectrum = (np.fft.ifft if inverse else np.fft.fft)(z, n=length, axis=axis)
    if onesided:
        spectrum = np.take(spectrum, range(length // 2 + 1), axis=axis)
    return as_onnx(spectrum)


def stft_reference(signal, step, length, window, onesided):
    z = as_complex(signal.astype(np.float64))
    frames = 1 + (z.shape[1] - length) // step
    framed = np.stack([z[:, f * step:f * step + length] for f in range(frames)],
                      axis=1)
    if window is not None:
        framed = framed * window
    spectrum = np.fft.fft(framed, axis=-1)
    if onesided:
        spectrum = spectrum[..., :length // 2 + 1]
    return as_onnx(spectrum)


def mel_reference(num_mel_bins, dft_length, sample_rate, lower, upper, dtype):
    """The ONNX reference implementation's loops."""
    spectrogram_bins = dft_length // 2 + 1
    points = np.arange(0, num_mel_bins + 2)
    low_mel = 2595 * np.log10(1 + lower / 700)
    high_mel = 2595 * np.log10(1 + upper / 700)
    step = (high_mel - low_mel) / points.shape[0]
    hz = 700 * (np.power(10, (points * step + low_mel) / 2595) - 1)
    bins = (((dft_length + 1) * hz) // sample_rate).astype(int)
    out = np.zeros((spectrogram_bins, num_mel_bins))
    for i in range(num_mel_bins):
        lo, center, hi = bins[i], bins[i + 1], bins[i + 2]
        if center == lo:
            out[center, i] = 1
        else:
            for j in range(lo, center + 1):
                out[j, i] = (j - lo) / (center - lo)
        if hi > center:
            for j in range(center, hi):
                out[j, i] = (hi - j) / (hi - center)
    return out.astype(dtype)


MEL_CASES = [
    # (num_mel_bins, dft_length, sample_rate, lower_hz, upper_hz, dtype)
    (10, 64, 16000, 20.0, 8000.0, np.float32),
    (5, 32, 22050, 300.0, 4000.0, np.float64),
    (4, 8, 100, 0.0, 50.0, np.float32),
]

DFT_CASES = [
    # (shape, axis, dft_length or None, inverse, onesided)
    ((2, 12, 1), 1, None, 0, 0),
    ((2, 12, 1), 1, 16, 0, 1),
    ((3, 8, 5, 2), -2, None, 0, 0),
    ((3, 8, 5, 2), 1, 6, 1, 0),
    ((1, 7, 3, 1), 1, None, 0, 1),
]

STFT_CASES = [
    # (shape, frame_step, frame_length, windowed, onesided)
    ((2, 64, 1), 8, 16, True, 1),
    ((1, 50, 2), 5, 12, False, 0),
]


def check(modelc, work, report):
    rng = np.random.default_rng(11)
    for index, (shape, axis, length, inverse, onesided) in enumerate(DFT_CASES):
        x = rng.standard_normal(shape).astype(np.float32)
        positive = axis % len(shape)
        n = length or shape[positive]
        want = dft_reference(x, positive, n, inverse, onesided)
        inputs = {"x": x, "n": None if length is None else np.array(length)}
        node = helper.make_node("DFT", ["x", "n" if length else ""], ["y"],
                                name="dft", axis=axis, inverse=inverse,
                                onesided=onesided)
        label = (f"DFT {shape} axis {axis} length {length} inverse {inverse} "
                 f"onesided {onesided}")
        check_one_node(report, label, modelc, os.path.join(work, f"d{index}"),
                       node, inputs, [want], ["y"], 17)

    for index, (shape, step, length, windowed, onesided) in enumerate(
            STFT_CASES):
        signal = rng.standard_normal(shape).astype(np.float32)
        window = (np.hanning(length).astype(np.float32) if windowed else None)
        want = stft_reference(signal, step, length, window, onesided)
        inputs = {"signal": signal, "step": np.array(step),
                  "window": window,
                  "length": None if windowed else np.array(length)}
        node = helper.make_node(
            "STFT", ["signal", "step", "window" if windowed else "",
                     "" if windowed else "length"], ["y"], name="stft",
            onesided=onesided)
        label = (f"STFT {shape} step {step} length {length} "
                 f"{'window' if windowed else 'no window'} onesided {onesided}")
        check_one_node(report, label, modelc, os.path.join(work, f"s{index}"),
                       node, inputs, [want], ["y"], 17)

    for index, (mels, length, rate, lower, upper, dtype) in enumerate(
            MEL_CASES):
        want = mel_reference(mels, length, rate, lower, upper, dtype)
        inputs = {"mels": np.array(mels, np.int64),
                  "length": np.array(length, np.int64),
                  "rate": np.array(rate, np.int64),
                  "lower": np.array(lower, np.float32),
                  "upper": np.array(upper, np.float32)}
        element = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
        node = helper.make_node("MelWeightMatrix", list(inputs), ["y"],
                                name="mel", output_datatype=element)
        label = (f"MelWeightMatrix {mels} mels, dft {length}, {rate} Hz, "
                 f"{lower}-{upper} Hz, {np.dtype(dtype).name}")
        check_one_node(report, label, modelc, os.path.join(work, f"m{index}"),
                       node, inputs, [want], ["y"], 17, [element])

    x = rng.standard_normal((1, 8, 1)).astype(np.float32)
    refusals = [
        ("inverse one-sided DFT",
         helper.make_node("DFT", ["x"], ["y"], name="dft", inverse=1,
                          onesided=1), {"x": x},
         "node 'dft' (DFT)", "an inverse DFT with onesided = 1"),
        ("one-sided DFT of a complex signal",
         helper.make_node("DFT", ["z"], ["y"], name="dft", onesided=1),
         {"z": np.zeros((1, 8, 2), np.float32)},
         "node 'dft' (DFT)", "onesided = 1 needs a real signal"),
        ("DFT along the [re, im] axis",
         helper.make_node("DFT", ["x"], ["y"], name="dft", axis=2), {"x": x},
         "node 'dft' (DFT)", "axis 2 is not a signal dimension"),
        ("STFT window longer than frame_length",
         helper.make_node("STFT", ["x", "step", "window", "length"], ["y"],
                          name="stft"),
         {"x": x, "step": np.array(2), "window": np.ones(4, np.float32),
          "length": np.array(3)},
         "node 'stft' (STFT)", "the window has 4 values but frame_length is 3"),
    ]
    for index, (label, node, inputs, prefix, message) in enumerate(refusals):
        proc, _ = run_one_node(modelc, os.path.join(work, f"r{index}"), node,
                               inputs, [()], 17)
        # `run` notes each input it freezes on a line of its own.
        proc.stderr = "".join(line for line in proc.stderr.splitlines(True)
                              if not line.startswith("modelc: froze"))
        report(refused_with(proc, prefix, message), label + " refused",
               proc.stderr.strip())


if __name__ == "__main__":
    sys.exit(main_with_cases(__doc__.split("\n")[0], "spectral_", check))
