// Small helpers the conformance suite uses on any backbone: unique names, bounded waiting, and a consumer that
// records what it receives.
import { randomBytes } from 'node:crypto';
import type { Backbone, ConsumedRecord, Consumer, ConsumerOptions, Producer, TopicSpec } from './contract.js';

export const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

export function uniqueName(suite: string, what: string): string {
  return `conf-${suite}-${runId}-${what}`.replace(/[^a-zA-Z0-9._-]/g, '-');
}

/** Polls `cond` until it holds; fails with `what` after `timeoutMs` (a bound against hangs, not a speed check). */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Recorder {
  consumer: Consumer;
  records: ConsumedRecord[];
  assigned: number;
  /** Settles when run() ends; rejects if the handler or the consumer failed. */
  done: Promise<void>;
}

/**
 * Starts a consumer that records every record, then calls `each` (default: commit the batch).
 * The returned `done` is awaited by `close`.
 */
export async function record(
  backbone: Backbone,
  options: ConsumerOptions,
  each?: (batch: ConsumedRecord[], consumer: Consumer) => Promise<void>,
): Promise<Recorder> {
  const rec = { records: [] as ConsumedRecord[], assigned: 0 } as Recorder;
  rec.consumer = await backbone.consumer({
    ...options,
    onAssign: (parts) => {
      rec.assigned += parts.length;
      options.onAssign?.(parts);
    },
  });
  rec.done = rec.consumer.run(async (batch) => {
    rec.records.push(...batch);
    if (each) await each(batch, rec.consumer);
    else await rec.consumer.commit(batch);
  });
  rec.done.catch(() => {});
  return rec;
}

export async function stop(rec: Recorder): Promise<void> {
  await rec.consumer.close();
  await rec.done;
}

export const text = (v: Uint8Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString();

/** A backbone from `open` with topic `t` provisioned on it, and a producer: how most cases begin. */
export async function withTopic(open: () => Promise<Backbone>, t: TopicSpec): Promise<{ b: Backbone; t: TopicSpec; p: Producer }> {
  const b = await open();
  await b.provision([t]);
  return { b, t, p: await b.producer() };
}
