// Image bytes (JPEG, PNG, ...) into packed RGB with sharp. EXIF orientation is applied, so boxes refer to the
// image as a viewer shows it; grey and RGBA images become plain RGB.
import sharp from '../media/sharp.js';
import { TierflowError } from '../../pipelines/errors.js';
import type { RgbImage } from './warp.js';

export async function decodeRgb(input: Uint8Array | string, what = typeof input === 'string' ? input : 'image'): Promise<RgbImage> {
  try {
    const { data, info } = await sharp(input, { failOn: 'error' }).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`${info.channels} channels after conversion`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (e) {
    throw new TierflowError('IMAGE_UNREADABLE', `${what}: not a readable image (${(e as Error).message.split('\n')[0]})`, { cause: e });
  }
}
