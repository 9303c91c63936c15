// Which ffmpeg to run: FFMPEG_PATH if set, else the first `ffmpeg` on PATH. Resolved once per process and
// handed to fluent-ffmpeg, so a missing binary fails with one clear line before any camera is touched.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { TierflowError } from '../errors.js';

let cached: string | undefined;

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Finds ffmpeg without running it; `env` is injectable so tests can hide the system binary. */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env.FFMPEG_PATH;
  if (explicit) return isExecutable(explicit) ? explicit : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'ffmpeg');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** The ffmpeg binary to use, or a SOURCE_UNAVAILABLE error saying how to provide one. */
export function ffmpegPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env === process.env && cached) return cached;
  const found = findFfmpeg(env);
  if (!found) {
    const why = env.FFMPEG_PATH ? `FFMPEG_PATH=${env.FFMPEG_PATH} is not an executable file` : 'no ffmpeg on PATH';
    throw new TierflowError('SOURCE_UNAVAILABLE', `ffmpeg not found (${why}): install it (apt-get install ffmpeg) or set FFMPEG_PATH`);
  }
  if (env === process.env) cached = found;
  return found;
}
