// Real images for model tests: face-api's demo samples (always installed) and, when present, a few shared images.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import sharp from 'sharp';
import { sharedData } from '../helpers/paths.js';

const require = createRequire(import.meta.url);

export const faceApiDemoDir = join(dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');

export function demoImages(): string[] {
  return readdirSync(faceApiDemoDir)
    .filter((f) => /^sample\d+\.jpg$/.test(f))
    .sort()
    .map((f) => join(faceApiDemoDir, f));
}

/** Up to `n` LFW images from the shared data, or none when it is not there. */
export function sharedImages(n: number): string[] {
  const lfw = join(sharedData, 'lfw');
  if (!existsSync(lfw)) return [];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (out.length >= n) return;
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (/\.jpe?g$/i.test(e.name)) out.push(join(dir, e.name));
    }
  };
  walk(lfw);
  return out;
}

export interface Rgb {
  data: Uint8Array;
  width: number;
  height: number;
}

export async function readRgb(file: string, size?: number): Promise<Rgb> {
  let img = sharp(file).removeAlpha().toColourspace('srgb');
  if (size) img = img.resize(size, size, { fit: 'fill' });
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height };
}
