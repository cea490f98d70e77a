#!/usr/bin/python3
"""Test helper for run_test.sh: writes input TensorProto files for the fake model and
checks the runner's outputs (exactly, bit for bit).

  pbtool.py gen DIR SET ENCODING       ENCODING: raw | typed | unpacked
  pbtool.py check IN_DIR OUT_DIR       outputs of the fake model for inputs IN_DIR
  pbtool.py bad DIR CASE               write a broken input set (see BAD_CASES)
  pbtool.py weights FILE [good|magic|short]
  pbtool.py json LINE ITERATIONS THREADS   validate a --bench JSON line
"""
import json
import os
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, numpy_helper

# The fake model's inputs (see fake.h): name, numpy dtype, ONNX data type, shape
INPUTS = [
    ("x", np.float32, TensorProto.FLOAT, (2, 3)),
    ("y", np.int64, TensorProto.INT64, (4,)),
    ("z", np.int8, TensorProto.INT8, (5,)),
    ("h", np.float16, TensorProto.FLOAT16, (3,)),
    ("b", np.bool_, TensorProto.BOOL, (2, 2)),
    ("d", np.float64, TensorProto.DOUBLE, (2,)),
    ("u", np.uint16, TensorProto.UINT16, (3,)),
    ("q", np.uint64, TensorProto.UINT64, (2,)),
    ("s", np.int32, TensorProto.INT32, ()),
]
OUTPUT_NAMES = ["x2", "y1", "z_out", "h_out", "b_out", "d_out", "u_out", "q_out", "s_out"]


def input_values(set_index):
    """Input arrays of test set `set_index` (0: hand-picked edge values, else random)."""
    if set_index == 0:
        return [
            np.array([[1.5, -0.0, 3.0e38], [-np.inf, 1e-45, -2.25]], dtype=np.float32),
            np.array([-(2 ** 62), -1, 0, 2 ** 63 - 2], dtype=np.int64),
            np.array([-128, -1, 0, 1, 127], dtype=np.int8),
            np.array([1.5, -0.0, np.nan], dtype=np.float16),
            np.array([[True, False], [False, True]]),
            np.array([np.pi, -np.inf], dtype=np.float64),
            np.array([0, 65535, 1234], dtype=np.uint16),
            np.array([2 ** 64 - 1, 12345], dtype=np.uint64),
            np.array(-7, dtype=np.int32),
        ]
    rng = np.random.RandomState(set_index)
    out = []
    for _, dt, _, shape in INPUTS:
        if dt in (np.float32, np.float64, np.float16):
            a = rng.standard_normal(shape).astype(dt)
        elif dt == np.bool_:
            a = rng.randint(0, 2, size=shape).astype(bool)
        else:
            info = np.iinfo(dt)
            lo, hi = int(info.min), int(info.max)
            if dt == np.int64:
                lo, hi = -(2 ** 62), 2 ** 62  # y + 1 must not overflow
            a = rng.randint(lo, hi, size=shape, dtype=dt)
        out.append(np.asarray(a, dtype=dt).reshape(shape))
    return out


def expected_outputs(arrays):
    x, y = arrays[0], arrays[1]
    with np.errstate(over="ignore"):  # 3e38 * 2 = inf on purpose
        x2 = (x * np.float32(2)).astype(np.float32)
    return [x2, (y + 1).astype(np.int64)] + [a.copy() for a in arrays[2:]]


# ---- protobuf encoding by hand (for the unpacked/unknown-field variant) ----
def varint(v):
    v &= (1 << 64) - 1
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def key(field, wt):
    return varint(field << 3 | wt)


def ld(field, payload):
    return key(field, 2) + varint(len(payload)) + payload


def typed_values(arr, onnx_type):
    """(field number, python values) carrying arr in a typed field."""
    flat = arr.reshape(-1)
    if onnx_type == TensorProto.FLOAT:
        return 4, [float(v) for v in flat]
    if onnx_type == TensorProto.DOUBLE:
        return 10, [float(v) for v in flat]
    if onnx_type == TensorProto.INT64:
        return 7, [int(v) for v in flat]
    if onnx_type in (TensorProto.UINT64, TensorProto.UINT32):
        return 11, [int(v) for v in flat]
    if onnx_type == TensorProto.FLOAT16:
        return 5, [int(v) for v in flat.view(np.uint16)]
    return 5, [int(v) for v in flat.astype(np.int64)]  # int8/uint8/int16/uint16/int32/bool


def encode_unpacked(name, arr, onnx_type):
    """TensorProto with fields in an unusual order, unpacked repeated values, packed dims and
    unknown fields of every wire type in between."""
    field, vals = typed_values(arr, onnx_type)
    body = b""
    body += ld(12, b"doc string, field 12")                         # doc_string
    body += ld(3, key(1, 0) + varint(0) + key(2, 0) + varint(5))    # segment {begin, end}
    for v in vals:                                                  # values before dims/type
        if field == 4:
            body += key(4, 5) + struct.pack("<f", v)
        elif field == 10:
            body += key(10, 1) + struct.pack("<d", v)
        else:
            body += key(field, 0) + varint(v)
    body += key(50, 0) + varint(123456789)                          # unknown varint
    body += key(51, 1) + struct.pack("<q", -1)                      # unknown fixed64
    body += key(52, 5) + struct.pack("<i", 7)                       # unknown fixed32
    body += ld(53, b"\x00\x01\x02")                                 # unknown bytes
    body += ld(1, b"".join(varint(d) for d in arr.shape)) if arr.shape else b""  # packed dims
    body += key(2, 0) + varint(onnx_type)
    body += ld(8, name.encode())
    return body


def encode(name, arr, onnx_type, encoding):
    if encoding == "raw":
        return numpy_helper.from_array(np.array(arr, order="C"), name=name).SerializeToString()
    if encoding == "typed":  # onnx's own typed-field encoding (packed)
        t = TensorProto()
        t.name = name
        t.data_type = onnx_type
        t.dims.extend(arr.shape)
        field, vals = typed_values(arr, onnx_type)
        {4: t.float_data, 5: t.int32_data, 7: t.int64_data, 10: t.double_data, 11: t.uint64_data}[field].extend(vals)
        return t.SerializeToString()
    if encoding == "unpacked":
        return encode_unpacked(name, arr, onnx_type)
    raise SystemExit("unknown encoding " + encoding)


def write_set(d, arrays, encoding):
    os.makedirs(d, exist_ok=True)
    for k, ((name, _, onnx_type, _), arr) in enumerate(zip(INPUTS, arrays)):
        with open(os.path.join(d, "input_%d.pb" % k), "wb") as f:
            f.write(encode(name, arr, onnx_type, encoding))


def read_set(d):
    arrays = []
    for k in range(len(INPUTS)):
        t = TensorProto()
        with open(os.path.join(d, "input_%d.pb" % k), "rb") as f:
            t.ParseFromString(f.read())
        t.ClearField("segment")  # numpy_helper refuses segmented tensors; the runner ignores the field
        arrays.append(numpy_helper.to_array(t))
    return arrays


def check(in_dir, out_dir):
    exp = expected_outputs(read_set(in_dir))
    errors = []
    for k, (name, e) in enumerate(zip(OUTPUT_NAMES, exp)):
        path = os.path.join(out_dir, "output_%d.pb" % k)
        if not os.path.exists(path):
            errors.append("missing " + path)
            continue
        data = open(path, "rb").read()
        t = TensorProto()
        t.ParseFromString(data)
        a = numpy_helper.to_array(t)
        if t.name != name:
            errors.append("output %d: name %r, expected %r" % (k, t.name, name))
        if a.dtype != e.dtype or a.shape != e.shape:
            errors.append("output %d: %s%s, expected %s%s" % (k, a.dtype, a.shape, e.dtype, e.shape))
        elif a.tobytes() != e.tobytes():
            errors.append("output %d: values %s, expected %s" % (k, a.reshape(-1)[:8], e.reshape(-1)[:8]))
        # the file must be exactly what onnx writes for the same tensor
        ref = numpy_helper.from_array(e, name=name).SerializeToString()
        if data != ref:
            errors.append("output %d: serialisation differs from onnx's (%d vs %d bytes)" % (k, len(data), len(ref)))
    if len(os.listdir(out_dir)) != len(OUTPUT_NAMES):
        errors.append("unexpected files in %s: %s" % (out_dir, sorted(os.listdir(out_dir))))
    for e in errors:
        print("  " + e)
    return 1 if errors else 0


BAD_CASES = {
    # case: (input index, bytes, substring expected on stderr)
    "dtype": (0, lambda: encode("x", np.zeros((2, 3), np.int32), TensorProto.INT32, "raw"), "expected float[2,3], got int32[2,3]"),
    "shape": (0, lambda: encode("x", np.zeros((3, 2), np.float32), TensorProto.FLOAT, "raw"), "expected float[2,3], got float[3,2]"),
    "rank": (8, lambda: encode("s", np.zeros((1,), np.int32), TensorProto.INT32, "raw"), "expected int32[], got int32[1]"),
    "truncated": (1, lambda: encode("y", np.arange(4, dtype=np.int64), TensorProto.INT64, "raw")[:-3], "malformed protobuf"),
    "string": (0, lambda: onnx.helper.make_tensor("x", TensorProto.STRING, [2, 3], [b"a"] * 6).SerializeToString(), "string tensors are not supported"),
    "rawsize": (1, lambda: key(1, 0) + varint(4) + key(2, 0) + varint(7) + ld(9, b"\0" * 24), "raw_data has 24 bytes, expected 32"),
    "count": (1, lambda: key(1, 0) + varint(4) + key(2, 0) + varint(7) + ld(7, varint(1) + varint(2)), "2 values for 4 elements"),
    "group": (0, lambda: key(1, 0) + varint(2) + key(1, 0) + varint(3) + key(2, 0) + varint(1) + key(20, 3), "malformed protobuf"),
    "wrongfield": (0, lambda: key(1, 0) + varint(2) + key(1, 0) + varint(3) + key(2, 0) + varint(1) + ld(7, bytes(6)), "field 7"),
    "missing": (5, None, "cannot open input file"),
}


def main():
    cmd = sys.argv[1]
    if cmd == "gen":
        d, set_index, encoding = sys.argv[2], int(sys.argv[3]), sys.argv[4]
        write_set(d, input_values(set_index), encoding)
    elif cmd == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    elif cmd == "bad":
        d, case = sys.argv[2], sys.argv[3]
        write_set(d, input_values(0), "raw")
        k, make, msg = BAD_CASES[case]
        path = os.path.join(d, "input_%d.pb" % k)
        if make is None:
            os.remove(path)
        else:
            with open(path, "wb") as f:
                f.write(make())
        print(msg)
    elif cmd == "badcases":
        print(" ".join(BAD_CASES))
    elif cmd == "weights":
        path, kind = sys.argv[2], sys.argv[3]
        data = struct.pack("<f", 2.0) + b"FAKW" + struct.pack("<q", 1)
        if kind == "magic":
            data = struct.pack("<f", 2.0) + b"XXXX" + struct.pack("<q", 1)
        elif kind == "short":
            data = data[:12]
        with open(path, "wb") as f:
            f.write(data)
    elif cmd == "json":
        line, iterations, threads = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        j = json.loads(line)
        keys = ["median_ms", "p90_ms", "min_ms", "iterations", "threads", "arena_bytes", "weights_bytes"]
        missing = [k for k in keys if k not in j]
        if missing:
            sys.exit("missing keys %s in %s" % (missing, line))
        if j["iterations"] != iterations or j["threads"] != threads:
            sys.exit("iterations/threads %s/%s, expected %s/%s" % (j["iterations"], j["threads"], iterations, threads))
        if not (0 <= j["min_ms"] <= j["median_ms"] <= j["p90_ms"]):
            sys.exit("inconsistent timings: %s" % line)
        if j["arena_bytes"] != 256 or j["weights_bytes"] != 16:
            sys.exit("arena/weights bytes wrong: %s" % line)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
