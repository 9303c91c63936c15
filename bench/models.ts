// Per-call timings of the converted face models on onnxruntime-node (1 thread unless --threads N), plus the
// detector preprocessing (pad + bilinear resize in TS) for a 1280x720 frame. Prints ms per call and per item.
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { buildModels } from '../models/build.js';
import { toNetInput } from '../models/infer/net-input.js';
import { loadModel, type ModelName } from '../models/registry.js';

const threadsArg = process.argv.indexOf('--threads');
const threads = threadsArg > 0 ? Number(process.argv[threadsArg + 1]) : 1;

function time(label: string, items: number, runs: number, fn: () => unknown | Promise<unknown>): Promise<void> {
  return (async () => {
    for (let i = 0; i < 3; i++) await fn(); // warm-up: first runs allocate arenas
    const t0 = performance.now();
    for (let i = 0; i < runs; i++) await fn();
    const ms = (performance.now() - t0) / runs;
    console.log(`${label.padEnd(34)} ${ms.toFixed(2).padStart(8)} ms/call ${(ms / items).toFixed(2).padStart(8)} ms/item`);
  })();
}

async function model(name: ModelName, size: number, batch: number, runs: number): Promise<void> {
  const session = await loadModel(name, { threads });
  const input = new ort.Tensor('float32', Float32Array.from({ length: batch * size * size * 3 }, (_, i) => (i * 37) % 256), [batch, size, size, 3]);
  await time(`${name} ${size} x${batch}`, batch, runs, () => session.run({ input }));
}

buildModels();
console.log(`onnxruntime-node, intraOpNumThreads=${threads}`);
await model('tiny_face_detector', 416, 1, 40);
await model('tiny_face_detector', 416, 4, 10);
await model('tiny_face_detector', 608, 1, 20);
await model('ssd_mobilenetv1', 512, 1, 10);
await model('face_landmark_68', 112, 1, 100);
await model('face_landmark_68', 112, 8, 20);
await model('face_recognition', 150, 1, 50);
await model('face_recognition', 150, 8, 10);
const frame = { data: new Uint8Array(1280 * 720 * 3).map((_, i) => i % 251), width: 1280, height: 720 };
await time('toNetInput 1280x720 -> 416', 1, 20, () => toNetInput(frame, 416, false));
