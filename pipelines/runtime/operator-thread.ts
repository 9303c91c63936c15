// Worker-thread side of a threaded operator: creates the operator from its definition and runs its process and
// flush calls one at a time, in the order they arrive. onnxruntime-node runs inference on the calling thread,
// so an operator that needs a core gets a thread of its own; records cross by structured clone.
import { parentPort, workerData } from 'node:worker_threads';
import type { OperatorContext, TransformInstance } from '../operator.js';
import { loadRegistry } from '../registry.js';
import { isTierflowError, TierflowError } from '../errors.js';
import type { ThreadRequest, ThreadResponse, ThreadSetup } from './threaded.js';
import { collectYoungGarbage } from './young-gc.js';
import { memoryStateStore } from './state/store.js';

const setup = workerData as ThreadSetup;
const port = parentPort!;
const post = (m: ThreadResponse) => port.postMessage(m);
const abort = new AbortController();

function describe(e: unknown): ThreadResponse['error'] {
  if (isTierflowError(e)) return { message: e.message, code: e.code, exitCode: e.exitCode, retriable: e.retriable };
  return { message: e instanceof Error ? e.message : String(e) };
}

let queue: Promise<unknown> = (async () => {
  // The modules this thread's process loaded, so the thread finds the very operator its process planned with.
  const def = (await loadRegistry(setup.modules)).find(setup.uses);
  if (!def) throw new TierflowError('INTERNAL', `${setup.uses} is in none of the operator modules ${setup.modules.join(', ')}`);
  // A threaded transform emits and the runtime publishes; publish is only kept as the sign that a topic exists.
  const publish = setup.publishes ? () => Promise.reject(new TierflowError('INTERNAL', `${setup.ctx.operatorId}: operators in threads cannot publish`)) : undefined;
  // The runtime keeps stateful operators on the chain's thread (their store is changelog-backed there); one built in
  // a thread regardless gets a store of its own that nothing persists.
  const state = def.state ? memoryStateStore(setup.ctx.operatorId) : undefined;
  const ctx: OperatorContext = { ...setup.ctx, log: (message) => post({ id: -1, log: message }), signal: abort.signal, publish, state };
  const inst = (await def.create(setup.config, ctx)) as TransformInstance<unknown, unknown>;
  return inst;
})();

const instance = queue as Promise<TransformInstance<unknown, unknown>>;
instance.then(
  () => post({ id: 0, ready: true }),
  (e: unknown) => post({ id: 0, error: describe(e) }),
);

port.on('message', (req: ThreadRequest) => {
  queue = queue.then(async () => {
    const inst = await instance;
    const out: unknown[] = [];
    try {
      if (req.op === 'process') await inst.process(req.batch, (r) => out.push(r));
      else if (req.op === 'flush') await inst.flush?.((r) => out.push(r), req.now, req.final);
      else {
        abort.abort();
        await inst.close?.();
      }
      post({ id: req.id, out });
    } catch (e) {
      post({ id: req.id, error: describe(e) });
    }
    // The batch's frames and tensors are garbage now: free them before the next batch allocates its own.
    collectYoungGarbage();
    if (req.op === 'close') port.close();
  });
});
