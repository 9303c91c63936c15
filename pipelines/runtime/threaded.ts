// Runs a transform operator in a worker thread of its own, behind the same TransformInstance interface. The
// runtime does this for operators whose definition says they keep a core busy (resources.cpu >= 1), so
// detect and embed of different waves overlap on different cores instead of queueing on the event loop.
import { Worker } from 'node:worker_threads';
import type { OperatorContext, TransformInstance } from '../operator.js';
import { TierflowError, type ErrorCode } from '../errors.js';
import { registry } from '../registry.js';

export interface ThreadSetup {
  uses: string;
  /** The operator modules of the process (registry().modules): the thread imports them itself. */
  modules: readonly string[];
  config: unknown;
  ctx: Omit<OperatorContext, 'log' | 'signal' | 'publish' | 'state' | 'now'>;
  /** The operator's output goes to a topic (ctx.publish was set): operators read this to keep wire formats. */
  publishes: boolean;
}

export type ThreadRequest =
  | { id: number; op: 'process'; batch: unknown[] }
  | { id: number; op: 'flush'; now: number; final: boolean }
  | { id: number; op: 'close' };

export interface ThreadResponse {
  id: number;
  out?: unknown[];
  ready?: boolean;
  log?: string;
  error?: { message: string; code?: ErrorCode; exitCode?: number; retriable?: boolean };
}

const toError = (e: NonNullable<ThreadResponse['error']>) =>
  new TierflowError(e.code ?? 'INTERNAL', e.message, { exitCode: e.exitCode, retriable: e.retriable });

// An operator thread's JS objects are small and short-lived (its frames and tensors live outside the JS heap), so a
// small young generation costs nothing measurable while V8's default lets each thread's nursery grow to tens of MB.
const YOUNG_GENERATION_MB = 3;

export async function createThreadedTransform(uses: string, config: unknown, ctx: OperatorContext): Promise<TransformInstance<unknown, unknown>> {
  // The chain clock is not sent: an operator in a thread reads Date.now() (only stateful operators, on the chain's thread, close by time).
  const { log, signal: _signal, publish: _publish, state: _state, now: _now, ...plain } = ctx;
  const worker = new Worker(new URL('./operator-thread.js', import.meta.url), { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB }, workerData: { uses, modules: registry().modules, config, ctx: plain, publishes: ctx.publish !== undefined } satisfies ThreadSetup });
  const pending = new Map<number, { resolve: (out: unknown[]) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let dead: Error | null = null;

  const ready = new Promise<void>((resolve, reject) => {
    pending.set(0, { resolve: () => resolve(), reject });
  });
  worker.on('message', (m: ThreadResponse) => {
    if (m.log !== undefined) return log(m.log);
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (m.error) p?.reject(toError(m.error));
    else p?.resolve(m.out ?? []);
  });
  const failAll = (e: Error) => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('error', (e) => failAll(new TierflowError('INTERNAL', `${ctx.operatorId}: operator thread failed: ${e.message}`, { cause: e })));
  worker.on('exit', (code) => code !== 0 && failAll(new TierflowError('INTERNAL', `${ctx.operatorId}: operator thread exited with ${code}`)));

  const call = (req: ThreadRequest extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never): Promise<unknown[]> => {
    if (dead) return Promise.reject(dead);
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id });
    });
  };

  try {
    await ready;
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  return {
    kind: 'transform',
    async process(batch, emit) {
      for (const r of await call({ op: 'process', batch })) emit(r);
    },
    async flush(emit, now, final) {
      for (const r of await call({ op: 'flush', now, final })) emit(r);
    },
    async close() {
      if (!dead) await call({ op: 'close' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}
