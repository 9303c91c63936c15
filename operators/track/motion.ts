// Still scenes: whether anything moved between two frames of a camera, from small grey copies (Frigate runs its
// detector only on regions with motion the same way). A frame is shrunk to a thumbnail by averaging blocks of pixels,
// which also averages sensor noise away; a pixel of the thumbnail has changed when it differs from the previous
// thumbnail's by more than `pixelDelta` grey levels, and the frame moved when more than `changedFraction` of them did.
// Pure: packed RGB in, numbers out. The cost is one pass over the frame (the shrink), ~1 ms for 640x360 here.

export interface MotionOptions {
  /** Thumbnail width in pixels (height follows the frame's aspect). */
  width: number;
  /** Grey levels (0-255) a thumbnail pixel must change by to count as changed. */
  pixelDelta: number;
  /** Fraction of thumbnail pixels that must change for the frame to count as moved. */
  changedFraction: number;
}

export const DEFAULT_MOTION: MotionOptions = { width: 64, pixelDelta: 12, changedFraction: 0.002 };

export interface Thumbnail {
  width: number;
  height: number;
  grey: Uint8Array;
}

/** A grey thumbnail of packed 8-bit RGB (`width*height*3` bytes), each pixel the mean luma of its block. */
export function thumbnail(rgb: Uint8Array, width: number, height: number, thumbWidth: number): Thumbnail {
  if (rgb.length < width * height * 3) throw new RangeError(`expected ${width * height * 3} bytes of RGB for ${width}x${height}, got ${rgb.length}`);
  const tw = Math.max(1, Math.min(thumbWidth, width));
  const th = Math.max(1, Math.round((height * tw) / width));
  const sum = new Float64Array(tw * th);
  const count = new Uint32Array(tw * th);
  for (let y = 0; y < height; y++) {
    const ty = Math.min(th - 1, Math.floor((y * th) / height));
    for (let x = 0; x < width; x++) {
      const tx = Math.min(tw - 1, Math.floor((x * tw) / width));
      const i = (y * width + x) * 3;
      // ITU-R BT.601 luma, integer weights.
      sum[ty * tw + tx]! += (77 * rgb[i]! + 150 * rgb[i + 1]! + 29 * rgb[i + 2]!) >> 8;
      count[ty * tw + tx]!++;
    }
  }
  const grey = new Uint8Array(tw * th);
  for (let k = 0; k < grey.length; k++) grey[k] = Math.round(sum[k]! / Math.max(1, count[k]!));
  return { width: tw, height: th, grey };
}

/** Fraction of thumbnail pixels that changed by more than `pixelDelta` (1 when the sizes differ: a new stream). */
export function changed(a: Thumbnail, b: Thumbnail, pixelDelta: number): number {
  if (a.width !== b.width || a.height !== b.height) return 1;
  let n = 0;
  for (let k = 0; k < a.grey.length; k++) if (Math.abs(a.grey[k]! - b.grey[k]!) > pixelDelta) n++;
  return n / a.grey.length;
}

/**
 * Per camera: says whether each new frame moved against the last frame that did. The reference moves only with
 * motion, so a slow change (someone edging into view, a pixel a frame) adds up until it counts, instead of hiding
 * under the threshold frame after frame.
 */
export class MotionGate {
  private readonly reference = new Map<string, Thumbnail>();

  constructor(private readonly options: MotionOptions = DEFAULT_MOTION) {}

  /** Whether the frame moved since the camera's reference (its first frame always has). */
  moved(camera: string, rgb: Uint8Array, width: number, height: number): boolean {
    return this.change(camera, rgb, width, height) > this.options.changedFraction;
  }

  /** The fraction of the thumbnail that changed since the camera's reference (1 for its first frame); a frame
   *  that moved becomes the reference. Near 1: a new shot (a cut, the camera turned). */
  change(camera: string, rgb: Uint8Array, width: number, height: number): number {
    const t = thumbnail(rgb, width, height, this.options.width);
    const before = this.reference.get(camera);
    const fraction = before === undefined ? 1 : changed(before, t, this.options.pixelDelta);
    if (fraction > this.options.changedFraction) this.reference.set(camera, t);
    return fraction;
  }
}
