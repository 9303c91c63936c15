// What a source URL points at, resolved before ffmpeg runs so a typo fails with one line, not an ffmpeg log.
//   rtsp://, rtsps://   a camera, read with the source's transport
//   file:<path>         a video (or an image, which is panned like demo:); relative paths resolve against
//                       baseDir (the planner passes the topology's folder) or else the working directory
//   demo:<image>        a virtual camera panning over an image: a file name from @vladmandic/face-api's demo/
//                       folder (sample1.jpg ... sample6.jpg) or an absolute path
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TierflowError } from '../../pipelines/errors.js';
import { resolveEnvRefs } from '../../pipelines/backbone/index.js';

export type MediaInput =
  | { kind: 'rtsp'; url: string; transport: 'tcp' | 'udp' }
  | { kind: 'video'; path: string; loop: boolean }
  | { kind: 'image'; path: string };

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.webp', '.tif', '.tiff']);

export interface MediaInputOptions {
  transport?: 'tcp' | 'udp';
  loop?: boolean;
  /** Folder that relative file: paths are resolved against; defaults to the working directory. */
  baseDir?: string;
  /** Where `${env:NAME}` references are looked up; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

/** The folder of sample images that @vladmandic/face-api ships, found through the package, not a fixed path. */
export function demoImageDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
}

/** Images a `demo:` URL may name without a path. */
export function demoImages(): string[] {
  const dir = demoImageDir();
  return readdirSync(dir)
    .filter((f) => /^sample\d+\.jpg$/.test(f))
    .sort();
}

export function isImagePath(path: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(path).toLowerCase());
}

function requireFile(path: string, url: string): string {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new TierflowError('FILE_NOT_FOUND', `source ${url}: no such file ${path}`);
  }
  return path;
}

export function resolveMediaInput(written: string, opts: MediaInputOptions = {}): MediaInput {
  // `${env:NAME}` references (a camera's password) are resolved here, where the worker opens the source, and
  // nowhere earlier: plans and manifests carry the reference. Messages show the URL as written.
  const url = resolveEnvRefs(written, opts.env ?? process.env, `source ${written}`);
  if (url.startsWith('rtsp://') || url.startsWith('rtsps://')) {
    return { kind: 'rtsp', url, transport: opts.transport ?? 'tcp' };
  }
  if (url.startsWith('file:')) {
    const raw = url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length);
    if (!raw) throw new TierflowError('BAD_ARGUMENT', `source ${written}: file: needs a path`);
    const path = requireFile(isAbsolute(raw) ? raw : resolve(opts.baseDir ?? process.cwd(), raw), written);
    return isImagePath(path) ? { kind: 'image', path } : { kind: 'video', path, loop: opts.loop ?? false };
  }
  if (url.startsWith('demo:')) {
    const name = url.slice('demo:'.length);
    if (isAbsolute(name)) return { kind: 'image', path: requireFile(name, written) };
    const path = join(demoImageDir(), name);
    if (!name || name.includes('/') || !existsSync(path)) {
      throw new TierflowError('FILE_NOT_FOUND', `source ${written}: no demo image '${name}'; use one of ${demoImages().join(', ')} or an absolute path`);
    }
    return { kind: 'image', path };
  }
  throw new TierflowError('BAD_ARGUMENT', `source ${written}: the URL must start with rtsp://, rtsps://, file: or demo:`);
}

/** A URL with any password replaced, for logs and state displays. */
export function redactUrl(url: string): string {
  return url.replace(/^(rtsps?:\/\/[^:/@]*:)[^@]*@/, '$1***@');
}
