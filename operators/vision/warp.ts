// Resampling a chip out of an RGB image: every chip pixel is mapped through the chip-to-image similarity and read
// with bilinear interpolation. Outside the image reads black, as dlib's extract_image_chip does and as face-api's
// square padding does. Where the chip is much smaller than the face, the image is first box-filtered down
// (dlib uses a pyramid for the same reason): point sampling would alias.
import { scaleOf, type Similarity } from './similarity.js';

/** Packed 8-bit RGB, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Averages f x f blocks; the caller scales its transform by 1/f. */
export function shrink(image: RgbImage, f: number): RgbImage {
  const width = Math.floor(image.width / f), height = Math.floor(image.height / f);
  const out = new Uint8Array(width * height * 3);
  const area = f * f;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let dy = 0; dy < f; dy++) {
          const row = ((y * f + dy) * image.width + x * f) * 3 + c;
          for (let dx = 0; dx < f; dx++) sum += image.data[row + dx * 3]!;
        }
        out[(y * width + x) * 3 + c] = Math.round(sum / area);
      }
    }
  }
  return { width, height, data: out };
}

/**
 * Writes the size x size chip as float RGB (0..255, NHWC) into `out` at `offset`: the layout the ONNX nets take.
 * tf.image.resizeBilinear without half-pixel centres is the same sampling with a pure scale transform.
 */
export function warpInto(image: RgbImage, chipToImage: Similarity, size: number, out: Float32Array | Uint8Array, offset = 0, antialias = true): void {
  const scale = scaleOf(chipToImage);
  const f = antialias && scale >= 2 ? Math.floor(scale) : 1;
  if (f > 1) {
    // Image pixel p sits at p/f - (f-1)/(2f) in the shrunk image (block centres).
    const k = 1 / f, shift = (f - 1) / (2 * f);
    const t = { a: chipToImage.a * k, b: chipToImage.b * k, tx: chipToImage.tx * k - shift, ty: chipToImage.ty * k - shift };
    warpInto(shrink(image, f), t, size, out, offset, false);
    return;
  }
  const { width, height, data } = image;
  const { a, b, tx, ty } = chipToImage;
  const round = out instanceof Uint8Array;
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const o = offset + (v * size + u) * 3;
      let x = a * u - b * v + tx, y = b * u + a * v + ty;
      if (x < -0.5 || y < -0.5 || x > width - 0.5 || y > height - 0.5) {
        out[o] = 0; out[o + 1] = 0; out[o + 2] = 0;
        continue;
      }
      // Within half a pixel of the border reads the border pixel.
      x = Math.min(Math.max(x, 0), width - 1); y = Math.min(Math.max(y, 0), height - 1);
      const x0 = Math.floor(x), y0 = Math.floor(y);
      // The last row and column clamp, as tf's resize does at the far edge.
      const x1 = Math.min(x0 + 1, width - 1), y1 = Math.min(y0 + 1, height - 1);
      const fx = x - x0, fy = y - y0;
      const i00 = (y0 * width + x0) * 3, i10 = (y0 * width + x1) * 3, i01 = (y1 * width + x0) * 3, i11 = (y1 * width + x1) * 3;
      for (let c = 0; c < 3; c++) {
        const top = data[i00 + c]! + (data[i10 + c]! - data[i00 + c]!) * fx;
        const bottom = data[i01 + c]! + (data[i11 + c]! - data[i01 + c]!) * fx;
        const value = top + (bottom - top) * fy;
        out[o + c] = round ? Math.round(value) : value;
      }
    }
  }
}

export function warpToChip(image: RgbImage, chipToImage: Similarity, size: number): RgbImage {
  const data = new Uint8Array(size * size * 3);
  warpInto(image, chipToImage, size, data);
  return { width: size, height: size, data };
}
