// Memory settings for the processes that host workers, applied wherever tierflow starts one: the local deploy's
// supervisor, the worker image (Dockerfile, and so compose and k8s) and the pipeline benchmark. Both must be in
// place before the process starts, so they are environment, not code.
// - glibc gives threads that allocate at the same time arenas of their own, up to 8 per core; a worker's operator
//   threads, onnxruntime, libvips and librdkafka all allocate, and memory freed in one arena is not reused by
//   another. Two arenas: the gateway worker's peak RSS measured ~45 MB lower at the same fps.
// - V8 lets the main thread's nursery grow to 16 MB per semi-space; a worker's JS objects are small and
//   short-lived (frames and tensors live outside the JS heap), so 1 MB costs nothing measurable.
// - libuv runs node-rdkafka's consume calls, sharp's image work and file access on one thread pool, 4 threads by
//   default. A consume call holds its thread until a record comes or its wait (500 ms) passes, and a worker runs one
//   consumer per chain, so a gateway's three or four consumers left detect's JPEG decoding queueing for a thread:
//   detect measured 141 ms a frame deployed on Kafka against 16.5 ms with 16 threads, capture to a readable match
//   313 ms against 43 ms (one camera, 5 fps). 16 threads leave room for a dozen chains on a node.
// Settings already in the environment win.

export const WORKER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2', UV_THREADPOOL_SIZE: '16' };
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
