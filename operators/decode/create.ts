// decode: one SourceSession per source in ctx.sources, all running side by side. URLs are resolved and
// images measured before anything runs, so a missing file fails create() with one clear line.
import type { Static } from '@sinclair/typebox';
import sharp from '../media/sharp.js';
import type { OperatorContext, SourceInstance } from '../../pipelines/operator.js';
import { TierflowError } from '../../pipelines/errors.js';
import { ffmpegBinary } from '../media/ffmpeg-binary.js';
import { startGrab } from '../media/frame-grabber.js';
import type { GrabSpec, PanSpec } from '../media/grab-args.js';
import { resolveMediaInput, type MediaInput } from '../media/media-input.js';
import type { FrameRecord } from '../streams/records.js';
import type { SourceSpec } from '../../pipelines/topology/schema.js';
import type { DecodeConfig } from './index.js';
import { SourceSession, type SourceStatus } from './source-session.js';

export type DecodeConfigValue = Static<typeof DecodeConfig>;

export interface DecodeInstance extends SourceInstance<FrameRecord> {
  state(): Record<string, SourceStatus>;
  /** pids of the ffmpeg processes running now (diagnostics, and tests that check nothing is left behind). */
  ffmpegPids(): number[];
  close(): Promise<void>;
}

export function parseResolution(resolution: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(resolution);
  const width = Number(m?.[1]);
  const height = Number(m?.[2]);
  if (!m || width < 16 || height < 16 || width % 2 || height % 2) {
    throw new TierflowError('BAD_ARGUMENT', `resolution '${resolution}' must be WIDTHxHEIGHT with even sides of at least 16 px`);
  }
  return { width, height };
}

async function panFor(input: MediaInput, speed: number, url: string): Promise<PanSpec | undefined> {
  if (input.kind !== 'image') return undefined;
  try {
    const meta = await sharp(input.path).metadata();
    if (!meta.width || !meta.height) throw new Error('no size');
    return { imageWidth: meta.width, imageHeight: meta.height, speed };
  } catch (cause) {
    throw new TierflowError('IMAGE_UNREADABLE', `source ${url}: ${input.path} is not a readable image`, { cause });
  }
}

export async function grabSpecFor(source: SourceSpec, config: DecodeConfigValue, baseDir?: string): Promise<GrabSpec> {
  const input = resolveMediaInput(source.url, { transport: source.transport, loop: source.loop, ...(baseDir ? { baseDir } : {}) });
  const pan = await panFor(input, config.panSpeed, source.url);
  return {
    input,
    fps: source.fps,
    ...parseResolution(source.resolution),
    jpegQuality: config.jpegQuality,
    ioTimeoutMs: config.connectTimeoutMs,
    // A virtual camera is live: it produces frames at its own pace, whatever the consumer does.
    realtime: input.kind === 'image' || config.realtime,
    ...(pan ? { pan } : {}),
  };
}

export async function createDecode(config: DecodeConfigValue, ctx: OperatorContext): Promise<DecodeInstance> {
  const binary = ffmpegBinary(); // fails now, with the fix in the message, if there is no ffmpeg
  const sessions = new Map<string, SourceSession>();
  for (const source of ctx.sources) {
    const spec = await grabSpecFor(source, config, ctx.baseDir);
    sessions.set(
      source.name,
      new SourceSession({
        camera: source.name,
        spec,
        backoff: config.reconnect,
        connectTimeoutMs: config.connectTimeoutMs,
        maxFrames: config.durationSec > 0 ? Math.max(1, Math.round(config.durationSec * source.fps)) : Infinity,
        clock: spec.input.kind === 'video' ? config.fileClock : 'arrival',
        startGrab: (spec) => startGrab(spec, binary),
        log: ctx.log,
      }),
    );
  }

  return {
    kind: 'source',
    async run(emit, signal) {
      const stop = AbortSignal.any([signal, ctx.signal]);
      const all = [...sessions.values()];
      // A source that throws (emit failed: the backbone is gone) takes the others down with it.
      const results = await Promise.allSettled(
        all.map((s) =>
          s.run(emit, stop).catch(async (err: unknown) => {
            await Promise.all(all.map((other) => other.stop()));
            throw err;
          }),
        ),
      );
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) throw failure.reason;
    },
    state() {
      return Object.fromEntries([...sessions].map(([name, s]) => [name, s.state()]));
    },
    ffmpegPids() {
      return [...sessions.values()].map((s) => s.pid()).filter((p): p is number => p !== undefined);
    },
    async close() {
      await Promise.all([...sessions.values()].map((s) => s.stop()));
    },
  };
}
