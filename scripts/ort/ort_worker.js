#!/usr/bin/env node
'use strict';
// The onnxruntime side of modelc's oracle (scripts/ort/ort.py drives it).
//
// Reads one JSON request file, runs the model with onnxruntime-node on the CPU
// execution provider, and writes raw little-endian outputs plus a JSON
// answer. TensorProto files are read and written by ort.py with Debian's
// python3-onnx, so this side only moves typed arrays: one codec, not two.
//
// usage: node ort_worker.js REQUEST.json ANSWER.json
//   REQUEST: {"model", "threads", "opt", "mode": "run" | "bench" | "optimize", "warmup", "runs",
//             "inputs": [{"name", "type", "dims", "file"}], "out_dir",
//             "optimized_model" (optimize: where onnxruntime writes the graph it runs)}
//   ANSWER (run):   {"outputs": [{"name", "type", "dims", "file"}]}
//   ANSWER (bench): {"times_ms": [...], "session_create_ms", "ort_version"}
const fs = require('fs');
const path = require('path');

function loadOrt() {
  const dir = process.env.ORT_NODE_MODULES;
  if (dir && fs.existsSync(path.join(dir, 'onnxruntime-node')))
    return require(path.join(dir, 'onnxruntime-node'));
  return require('onnxruntime-node');
}

// onnxruntime-node's tensor type names and their typed arrays.
const ARRAYS = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array,
  int8: Int8Array, uint8: Uint8Array, int16: Int16Array, uint16: Uint16Array,
  int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array,
  uint64: BigUint64Array, bool: Uint8Array,
};

function readTensor(ort, input) {
  const Array = ARRAYS[input.type];
  if (!Array) throw new Error(`input ${input.name}: type ${input.type} is not supported`);
  const bytes = fs.readFileSync(input.file);
  // Copy into a fresh, aligned buffer: a Buffer's offset may not suit the array.
  const data = new Array(bytes.length / Array.BYTES_PER_ELEMENT);
  new Uint8Array(data.buffer).set(bytes);
  return new ort.Tensor(input.type, data, input.dims);
}

function writeTensor(name, tensor, file) {
  const data = tensor.data;
  if (!ARRAYS[tensor.type]) throw new Error(`output ${name}: type ${tensor.type} is not supported`);
  fs.writeFileSync(file, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return { name, type: tensor.type, dims: Array.from(tensor.dims), file };
}

async function main() {
  if (process.argv.length !== 4) {
    console.error('usage: node ort_worker.js REQUEST.json ANSWER.json');
    process.exit(2);
  }
  const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const ort = loadOrt();
  const created = process.hrtime.bigint();
  const session = await ort.InferenceSession.create(request.model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: request.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: request.opt,
    logSeverityLevel: 3,
    ...(request.optimized_model ? { optimizedModelFilePath: request.optimized_model } : {}),
  });
  const createMs = Number(process.hrtime.bigint() - created) / 1e6;
  const feeds = {};
  for (const input of request.inputs) feeds[input.name] = readTensor(ort, input);

  let answer;
  if (request.mode === 'optimize') {
    answer = { optimized_model: request.optimized_model };
  } else if (request.mode === 'run') {
    const results = await session.run(feeds);
    answer = {
      outputs: session.outputNames.map((name, k) =>
        writeTensor(name, results[name], path.join(request.out_dir, `output_${k}.raw`))),
    };
  } else {
    for (let i = 0; i < request.warmup; ++i) await session.run(feeds);
    const times = [];
    for (let i = 0; i < request.runs; ++i) {
      const start = process.hrtime.bigint();
      await session.run(feeds);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    answer = {
      times_ms: times, session_create_ms: createMs,
      ort_version: ort.env.versions && ort.env.versions.node,
    };
  }
  fs.writeFileSync(process.argv[3], JSON.stringify(answer));
}

main().catch((e) => { console.error(String((e && e.message) || e)); process.exit(3); });
