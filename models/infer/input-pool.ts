// Network inputs are large (a 416x416 detector input is 2 MB) and live only for one inference: they are taken
// from a small pool per length instead of allocated per call, so an inference thread does not leave a trail of
// dead buffers behind for the GC. Callers must write every element: a pooled array holds the previous input.

const KEEP_PER_LENGTH = 2;
const free = new Map<number, Float32Array[]>();

/** Runs `use` with a Float32Array of `length` elements (contents undefined) and returns the array to the pool after. */
export async function withInput<T>(length: number, use: (input: Float32Array) => Promise<T>): Promise<T> {
  const input = free.get(length)?.pop() ?? new Float32Array(length);
  try {
    return await use(input);
  } finally {
    const kept = free.get(length) ?? [];
    if (kept.length < KEEP_PER_LENGTH) free.set(length, [...kept, input]);
  }
}
