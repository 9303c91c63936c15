// Operator throughput on a real clip: ffmpeg decodes short_hamilton_clip.mp4 to RGB frames once, then each
// operator runs over the whole clip through its definition (config defaults, batching as the runtime would),
// and, for comparison, a bare loop does decode -> detect -> embed with the same models and no framework.
// Prints ms per frame or per face; with --json a last line {"bench":"operators","results":[...]}.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Value } from '@sinclair/typebox/value';
import detectDef, { DetectConfig } from '../operators/detect/index.js';
import embedDef, { EmbedConfig } from '../operators/embed/index.js';
import matchDef, { MatchConfig } from '../operators/match/index.js';
import aggregateDef, { AggregateConfig } from '../operators/aggregate/index.js';
import type { OperatorContext, TransformInstance } from '../pipelines/operator.js';
import type { EmbeddingsRecord, FacesRecord, FrameRecord, MatchesRecord, SightingEvent } from '../operators/streams/records.js';
import { createGallery, writeGallery } from '../operators/vision/gallery.js';
import { createFaceAnalyser, subjectFace } from '../operators/vision/faces.js';
import { decodeRgb } from '../operators/vision/image.js';
import { embedFaces, loadFaceModels } from '../operators/vision/embed.js';
import { FAST_ALIGN } from '../operators/vision/align.js';
import { detectFaces, loadDetector } from '../models/infer/detect.js';
import { listModels } from '../models/registry.js';
import { sharedData } from '../test/helpers/paths.js';
import { operatorContext } from '../test/helpers/operator-context.js';

interface Result {
  stage: string;
  unit: 'frame' | 'face' | 'record';
  items: number;
  msPerItem: number;
}

const WIDTH = 640, HEIGHT = 360;

/** Decodes the clip to packed RGB frames with the system ffmpeg; returns frames and ms per frame. */
function decodeClip(file: string): Promise<{ frames: Uint8Array[]; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const ff = spawn('ffmpeg', ['-v', 'error', '-i', file, '-an', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${WIDTH}x${HEIGHT}`, '-'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const chunks: Buffer[] = [];
    ff.stdout.on('data', (c: Buffer) => chunks.push(c));
    ff.on('error', reject);
    ff.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ffmpeg exited with ${code}`));
      const all = Buffer.concat(chunks), size = WIDTH * HEIGHT * 3, frames: Uint8Array[] = [];
      for (let o = 0; o + size <= all.length; o += size) frames.push(new Uint8Array(all.buffer, all.byteOffset + o, size));
      resolve({ frames, ms: (performance.now() - t0) / Math.max(1, frames.length) });
    });
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, performance.now() - t0];
}

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const log: string[] = [];
  const ctx: OperatorContext = operatorContext({ operatorId: 'bench', node: 'local', log: (m) => log.push(m) });
  const results: Result[] = [];
  const { frames: raw, ms: decodeMs } = await decodeClip(join(sharedData, 'video', 'short_hamilton_clip.mp4'));
  results.push({ stage: 'decode (ffmpeg rgb24)', unit: 'frame', items: raw.length, msPerItem: decodeMs });
  const frames: FrameRecord[] = raw.map((data, seq) => ({ camera: 'hamilton', epoch: 'e0', seq, captureTs: Math.round((seq * 1001) / 30), width: WIDTH, height: HEIGHT, format: 'rgb', data }));

  // A gallery from the clip's reference photos, so match sees real identities.
  const dir = await mkdtemp(join(tmpdir(), 'bench-operators-'));
  try {
    const analyser = await createFaceAnalyser();
    const identities = [];
    for (const [name, file] of [['lin_manuel_miranda', 'lin_manuel_miranda.png'], ['alex_lacamoire', 'alex_lacamoire_img1.jpg']] as const) {
      const image = await decodeRgb(join(sharedData, 'video', 'reference', file));
      const face = subjectFace(await analyser.analyse(image), image.width, image.height);
      if (face) identities.push({ name, embeddings: [face.embedding] });
    }
    const sha = (await listModels()).find((m) => m.name === 'face_recognition')!.sha256;
    await writeGallery(join(dir, 'gallery.json'), createGallery(sha, identities));

    const detectCfg = Value.Default(DetectConfig, {}) as never;
    const embedCfg = Value.Default(EmbedConfig, {}) as never;
    const detect = (await detectDef.create(detectCfg, ctx)) as TransformInstance<FrameRecord, FacesRecord>;
    const embed = (await embedDef.create(embedCfg, ctx)) as TransformInstance<FacesRecord, EmbeddingsRecord>;
    const match = (await matchDef.create(Value.Default(MatchConfig, { gallery: join(dir, 'gallery.json') }) as never, ctx)) as TransformInstance<EmbeddingsRecord, MatchesRecord>;
    const aggregate = (await aggregateDef.create(Value.Default(AggregateConfig, {}) as never, ctx)) as TransformInstance<MatchesRecord, SightingEvent>;

    const detectBatch = (detectCfg as { maxBatch: number }).maxBatch;
    await detect.process(frames.slice(0, 2), () => {}); // warm-up: first runs allocate arenas
    const faces: FacesRecord[] = [];
    const [, detectMs] = await timed(async () => {
      for (let i = 0; i < frames.length; i += detectBatch) await detect.process(frames.slice(i, i + detectBatch), (r) => faces.push(r));
    });
    const faceCount = faces.reduce((n, r) => n + r.faces.length, 0);
    results.push({ stage: `detect (tiny ${(detectCfg as { inputSize: number }).inputSize}, batch ${detectBatch})`, unit: 'frame', items: frames.length, msPerItem: detectMs / frames.length });

    const embeddings: EmbeddingsRecord[] = [];
    await embed.process(faces.slice(0, 2), () => {});
    const [, embedMs] = await timed(async () => {
      for (let i = 0; i < faces.length; i += 8) await embed.process(faces.slice(i, i + 8), (r) => embeddings.push(r));
    });
    results.push({ stage: 'embed (landmarks, align, 128-d)', unit: 'face', items: faceCount, msPerItem: embedMs / Math.max(1, faceCount) });

    const matches: MatchesRecord[] = [];
    const [, matchMs] = await timed(() => match.process(embeddings, (r) => matches.push(r)));
    results.push({ stage: `match (${identities.length} identities)`, unit: 'face', items: faceCount, msPerItem: matchMs / Math.max(1, faceCount) });

    let events = 0;
    const [, aggMs] = await timed(async () => {
      await aggregate.process(matches, () => events++);
      await aggregate.flush!(() => events++, Date.now(), true);
    });
    results.push({ stage: `aggregate (tumbling 5 s, ${events} events)`, unit: 'record', items: matches.length, msPerItem: aggMs / matches.length });

    // The bare loop: same models, same defaults, no records, no JPEG crops.
    const detector = await loadDetector('tiny');
    const models = await loadFaceModels();
    const cfg = detectCfg as { inputSize: number; scoreThreshold: number; iouThreshold: number; minFaceSize: number };
    let bareFaces = 0;
    const [, bareMs] = await timed(async () => {
      const t0 = performance.now();
      await new Promise<void>((resolve, reject) => {
        void decodeClip(join(sharedData, 'video', 'short_hamilton_clip.mp4')).then(async ({ frames: again }) => {
          for (const data of again) {
            const image = { width: WIDTH, height: HEIGHT, data };
            const found = await detectFaces(detector, image, { model: 'tiny', inputSize: cfg.inputSize, scoreThreshold: cfg.scoreThreshold, iouThreshold: cfg.iouThreshold, minFaceSize: cfg.minFaceSize });
            // The embed operator's default for video: one landmark pass, one chip (its `precise` is off).
            bareFaces += (await embedFaces(models, found.map((d) => ({ image, box: d.box })), FAST_ALIGN)).length;
          }
          resolve();
        }, reject);
      });
      return performance.now() - t0;
    });
    results.push({ stage: 'bare loop (decode+detect+embed)', unit: 'frame', items: frames.length, msPerItem: bareMs / frames.length });
    const pipelineMs = decodeMs * frames.length + detectMs + embedMs + matchMs + aggMs;
    results.push({ stage: 'operators total (decode..aggregate)', unit: 'frame', items: frames.length, msPerItem: pipelineMs / frames.length });

    console.log(`short_hamilton_clip.mp4: ${frames.length} frames ${WIDTH}x${HEIGHT}, ${faceCount} faces via operators, ${bareFaces} in the bare loop; onnxruntime 1 thread`);
    for (const r of results) console.log(`  ${r.stage.padEnd(40)} ${r.msPerItem.toFixed(3).padStart(9)} ms/${r.unit}  (${r.items} ${r.unit}s)`);
    if (log.length > 0) console.log(`  operator log: ${log.length} lines, first: ${log[0]}`);
    if (json) console.log(JSON.stringify({ bench: 'operators', results }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
