// Child process of models/optimized.ts: optimises one model with onnxruntime's full graph optimisations, saves the
// result, and checks that the saved graph (opened with optimisations off) computes what the source graph does
// without any optimisation, on a fixed input.
// Only a graph that passes is renamed into place. Prints one JSON line: {"ok": true, "maxDiff": ...}.
import { renameSync, rmSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { disableOrtTelemetry } from './ort-telemetry.js';

const [src, dst, shapeJson] = process.argv.slice(2) as [string, string, string];
const tmp = `${dst}.${process.pid}.tmp`;
const base = { intraOpNumThreads: 1, interOpNumThreads: 1, enableMemPattern: false, logSeverityLevel: 3 } as const;

/** Pixel values 0..255 from a fixed linear congruential sequence: the same probe on every machine. */
function probe(shape: number[]): ort.Tensor {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = (s >>> 16) % 256;
  }
  return new ort.Tensor('float32', data, shape);
}

disableOrtTelemetry();
try {
  await (await ort.InferenceSession.create(src, { ...base, graphOptimizationLevel: 'all', optimizedModelFilePath: tmp })).release();
  const plain = await ort.InferenceSession.create(src, { ...base, graphOptimizationLevel: 'disabled' });
  const saved = await ort.InferenceSession.create(tmp, { ...base, graphOptimizationLevel: 'disabled' });
  const feed = { [plain.inputNames[0]!]: probe(JSON.parse(shapeJson) as number[]) };
  const [a, b] = [await plain.run(feed), await saved.run(feed)];
  // Relative to each output's scale: the detector's raw grid reaches ~10, descriptors ~0.2.
  let maxDiff = 0;
  for (const name of plain.outputNames) {
    const x = a[name]!.data as Float32Array, y = b[name]!.data as Float32Array;
    let scale = 1;
    for (const v of x) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < x.length; i++) maxDiff = Math.max(maxDiff, Math.abs(x[i]! - y[i]!) / scale);
  }
  if (!(maxDiff <= 1e-4)) throw new Error(`the saved graph differs from the source by ${maxDiff}`);
  renameSync(tmp, dst);
  console.log(JSON.stringify({ ok: true, maxDiff }));
} catch (e) {
  rmSync(tmp, { force: true });
  console.log(JSON.stringify({ ok: false, error: (e as Error).message.split('\n')[0] }));
  process.exitCode = 1;
}
