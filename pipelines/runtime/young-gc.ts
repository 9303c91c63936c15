// An inference thread allocates a few MB of ArrayBuffers per frame (decoded RGB, resized input, the float
// tensor) that are dead once its batch is answered. V8 counts them as external memory and, left alone, collects
// them only when the isolate's external memory has grown by its soft limit (64 MB) since the last full GC: the
// detect thread was seen carrying 20-50 MB of dead frames. A young-generation collection after each batch frees
// them while they are still young; it costs well under a millisecond on these small heaps.
import v8 from 'node:v8';
import vm from 'node:vm';

type GcFunction = (options?: { type: 'minor' | 'major' }) => void;

let cached: GcFunction | null | undefined;

/** V8's gc(): `--expose-gc` if node was started with it, else enabled for new contexts of this isolate; null if neither works. */
export function gcFunction(): GcFunction | null {
  if (cached !== undefined) return cached;
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return (cached = exposed as GcFunction);
  try {
    v8.setFlagsFromString('--expose-gc');
    const fromContext: unknown = vm.runInNewContext('gc');
    cached = typeof fromContext === 'function' ? (fromContext as GcFunction) : null;
  } catch {
    cached = null;
  }
  return cached;
}

/** Frees this isolate's dead young objects (and the buffers they hold) now; a no-op where gc() is unavailable. */
export function collectYoungGarbage(): void {
  gcFunction()?.({ type: 'minor' });
}
