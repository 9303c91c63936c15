// Which ffmpeg to run: FFMPEG_PATH if set, else the first `ffmpeg` on PATH, else the static build that the
// npm package @ffmpeg-installer/ffmpeg ships (ffmpeg 4.x, no download at install). Resolved once per process,
// so a missing binary fails with one clear line before any camera is touched.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { TierflowError } from '../../pipelines/errors.js';

export interface FfmpegBinary {
  path: string;
  from: 'FFMPEG_PATH' | 'PATH' | 'npm';
  /**
   * The RTSP demuxer's socket timeout option: `-timeout` since ffmpeg 5; before that `-timeout` meant
   * "listen for a connection" and the socket timeout was `-stimeout`.
   */
  rtspTimeoutOption: '-timeout' | '-stimeout';
}

const cache = new Map<string, FfmpegBinary>();

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The binary inside @ffmpeg-installer/<platform>, if that package is installed for this platform. */
export function npmFfmpeg(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    const path = (require('@ffmpeg-installer/ffmpeg') as { path?: string }).path;
    return path && isExecutable(path) ? path : undefined;
  } catch {
    return undefined; // not installed, or no build for this platform (the package throws a string)
  }
}

/** Finds ffmpeg without running it; `env` is injectable so tests can hide the system binary. */
export function findFfmpeg(env: NodeJS.ProcessEnv = process.env): Pick<FfmpegBinary, 'path' | 'from'> | undefined {
  const explicit = env.FFMPEG_PATH;
  if (explicit) return isExecutable(explicit) ? { path: explicit, from: 'FFMPEG_PATH' } : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'ffmpeg');
    if (isExecutable(candidate)) return { path: candidate, from: 'PATH' };
  }
  const shipped = npmFfmpeg();
  return shipped ? { path: shipped, from: 'npm' } : undefined;
}

/** Asks the binary which option sets the RTSP socket timeout (one short run per binary and process). */
export function rtspTimeoutOptionOf(path: string): FfmpegBinary['rtspTimeoutOption'] {
  try {
    const help = execFileSync(path, ['-hide_banner', '-h', 'demuxer=rtsp'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return /-stimeout\s/.test(help) ? '-stimeout' : '-timeout';
  } catch {
    return '-timeout';
  }
}

/** The ffmpeg to use, or a SOURCE_UNAVAILABLE error saying how to provide one. */
export function ffmpegBinary(env: NodeJS.ProcessEnv = process.env): FfmpegBinary {
  const found = findFfmpeg(env);
  if (!found) {
    const why = env.FFMPEG_PATH ? `FFMPEG_PATH=${env.FFMPEG_PATH} is not an executable file` : 'none on PATH, and @ffmpeg-installer/ffmpeg is not installed';
    throw new TierflowError('SOURCE_UNAVAILABLE', `ffmpeg not found (${why}): install it (apt-get install ffmpeg) or set FFMPEG_PATH`);
  }
  let binary = cache.get(found.path);
  if (!binary) {
    // Probed on first use only: running ffmpeg synchronously blocks start-up, and only RTSP grabs need the answer.
    let option: FfmpegBinary['rtspTimeoutOption'] | undefined;
    binary = {
      ...found,
      get rtspTimeoutOption() {
        return (option ??= rtspTimeoutOptionOf(found.path));
      },
    };
    cache.set(found.path, binary);
  }
  return binary;
}

export function ffmpegPath(env: NodeJS.ProcessEnv = process.env): string {
  return ffmpegBinary(env).path;
}
