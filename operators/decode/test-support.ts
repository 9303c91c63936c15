// Builds decode instances the way the runtime does: config and sources through their schemas, so defaults
// and validation are exercised by every test. Used by the unit tests here and by test/rtsp.
import { Value } from '@sinclair/typebox/value';
import type { OperatorContext } from '../../pipelines/operator.js';
import type { FrameRecord } from '../streams/records.js';
import { SourceSpec } from '../../pipelines/topology/schema.js';
import { createDecode, type DecodeInstance } from './create.js';
import { DecodeConfig } from './index.js';

export type SourceInput = Pick<SourceSpec, 'name' | 'url'> & Partial<SourceSpec>;

export async function decodeFor(
  sources: SourceInput[],
  config: Record<string, unknown> = {},
  log: (message: string) => void = () => undefined,
): Promise<DecodeInstance> {
  const ctx: OperatorContext = {
    operatorId: 'decode',
    node: 'edge-1',
    tier: 'edge',
    replica: 0,
    sources: sources.map((s) => Value.Parse(SourceSpec, { node: 'edge-1', ...s })),
    dataDir: '.',
    baseDir: process.cwd(),
    log,
    signal: new AbortController().signal,
  };
  return createDecode(Value.Parse(DecodeConfig, config), ctx);
}

/** True while a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `predicate` holds, or fails after `timeoutMs` with `what`. */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs decode in the background, collecting frames per camera, until stop() (which closes the instance). */
export function collectFrames(decode: DecodeInstance): { frames: Map<string, FrameRecord[]>; done: Promise<void>; stop: () => Promise<void> } {
  const frames = new Map<string, FrameRecord[]>();
  const abort = new AbortController();
  const done = decode.run(async (record) => {
    const list = frames.get(record.camera) ?? [];
    list.push(record);
    frames.set(record.camera, list);
  }, abort.signal);
  return {
    frames,
    done,
    stop: async () => {
      abort.abort();
      await decode.close();
      await done;
    },
  };
}
