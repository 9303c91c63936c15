// Memory settings for the processes that host workers, applied wherever tierflow starts one: the local deploy's
// supervisor, the worker image (Dockerfile, and so compose and k8s) and the pipeline benchmark. Both must be in
// place before the process starts, so they are environment, not code.
// - glibc gives threads that allocate at the same time arenas of their own, up to 8 per core; a worker's operator
//   threads, onnxruntime, libvips and librdkafka all allocate, and memory freed in one arena is not reused by
//   another. Two arenas: the gateway worker's peak RSS measured ~45 MB lower at the same fps.
// - V8 lets the main thread's nursery grow to 16 MB per semi-space; a worker's JS objects are small and
//   short-lived (frames and tensors live outside the JS heap), so 1 MB costs nothing measurable.
// Settings already in the environment win.

export const WORKER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=1'];

/** The environment for a worker process: `env` with WORKER_ENV filled in where unset. */
export function workerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...WORKER_ENV, ...env };
}

/** WORKER_NODE_FLAGS not already among `args` or in NODE_OPTIONS (compared by name): to put before the script. */
export function missingNodeFlags(args: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const given = new Set([...args, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].map((a) => a.split('=')[0]));
  return WORKER_NODE_FLAGS.filter((f) => !given.has(f.split('=')[0]));
}
