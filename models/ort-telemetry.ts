// onnxruntime (1.29 and later, on Linux) starts Microsoft's 1DS telemetry client when its environment is first
// created. That client matches std::regex patterns against /proc/self/cmdline, and libstdc++'s regex recurses
// once per character: a ~40 kB command line (`tierflow faces` given ~1000 image paths, as `xargs` does) takes
// ~87,000 native frames and overflows the 8 MB main-thread stack (SIGSEGV before any output). The client would
// also send usage events from edge nodes. ORT_DISABLE_TELEMETRY=1, set before the first session, turns it off
// for the process. A value already in the environment wins.

/** Call before the first onnxruntime session in this process (the env must be the process's real one). */
export function disableOrtTelemetry(env: NodeJS.ProcessEnv = process.env): void {
  env['ORT_DISABLE_TELEMETRY'] ??= '1';
}
