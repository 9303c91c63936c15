// The baseline the pipeline benchmark compares against: decode -> detect -> embed in one tight loop on one
// thread, no framework, the same models and detector settings as the detect operator's defaults. Run as its own
// process so its memory is its own; prints one JSON line.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { Value } from '@sinclair/typebox/value';
import { DetectConfig } from '../operators/detect/index.js';
import { detectFaces, loadDetector } from '../models/infer/detect.js';
import { embedFaces, loadFaceModels } from '../operators/vision/embed.js';
import { FAST_ALIGN } from '../operators/vision/align.js';
import { peakRssMB } from '../pipelines/runtime/peak-rss.js';

const WIDTH = 640, HEIGHT = 360;

/** Streams raw RGB frames of `file` played `plays` times (sampled to `fps`) from ffmpeg, one callback per frame, awaited in order. */
async function forEachFrame(file: string, fps: number, plays: number, onFrame: (data: Uint8Array) => Promise<void>): Promise<number> {
  const ff = spawn('ffmpeg', ['-v', 'error', '-stream_loop', String(plays - 1), '-i', file, '-an', '-vf', `fps=${fps},scale=${WIDTH}:${HEIGHT}`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const size = WIDTH * HEIGHT * 3;
  // Chunks are copied once, into the frame they belong to (concatenating per chunk would copy each frame ~10 times);
  // one frame buffer serves every frame, as each is done with before the next is read.
  const frame = new Uint8Array(size);
  let filled = 0;
  let frames = 0;
  for await (const chunk of ff.stdout as AsyncIterable<Buffer>) {
    let at = 0;
    while (at < chunk.length) {
      const n = Math.min(size - filled, chunk.length - at);
      frame.set(chunk.subarray(at, at + n), filled);
      filled += n;
      at += n;
      if (filled === size) {
        await onFrame(frame);
        frames++;
        filled = 0;
      }
    }
  }
  return frames;
}

export async function bareLoop(files: string[], fps: number, plays = 1): Promise<{ frames: number; faces: number; seconds: number; latencies: number[] }> {
  const cfg = Value.Default(DetectConfig, {}) as { inputSize: number; scoreThreshold: number; minFaceSize: number; resize: 'fast' | 'exact' };
  const detector = await loadDetector('tiny', 1);
  const models = await loadFaceModels(1);
  let faces = 0;
  const latencies: number[] = [];
  const t0 = performance.now();
  let frames = 0;
  for (const file of files) {
    frames += await forEachFrame(file, fps, plays, async (data) => {
      const arrived = performance.now();
      const image = { width: WIDTH, height: HEIGHT, data };
      const found = await detectFaces(detector, image, { model: 'tiny', inputSize: cfg.inputSize, scoreThreshold: cfg.scoreThreshold, minFaceSize: cfg.minFaceSize, resize: cfg.resize });
      faces += (await embedFaces(models, found.map((d) => ({ image, box: d.box })), FAST_ALIGN)).length;
      latencies.push(performance.now() - arrived);
    });
  }
  return { frames, faces, seconds: (performance.now() - t0) / 1000, latencies };
}

if (process.argv[1]?.endsWith('bare-loop.js')) {
  // bare-loop.js <fps> <plays> <file>...
  const [fps, plays, ...files] = process.argv.slice(2);
  const r = await bareLoop(files, Number(fps), Number(plays));
  const sorted = [...r.latencies].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  process.stdout.write(
    `${JSON.stringify({ frames: r.frames, faces: r.faces, fps: r.frames / r.seconds, e2eLatencyMs: { p50: pct(50), p99: pct(99) }, rssMB: peakRssMB() })}\n`,
  );
}
