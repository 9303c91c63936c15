// Resampling a chip out of an RGB image: every chip pixel is mapped through the chip-to-image similarity and read
// with bilinear interpolation. Outside the image reads black, as dlib's extract_image_chip does.
import { applySimilarity, type Similarity } from './similarity.js';

/** Packed 8-bit RGB, row-major. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export function warpToChip(image: RgbImage, chipToImage: Similarity, size: number): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(size * size * 3);
  for (let v = 0; v < size; v++) {
    for (let u = 0; u < size; u++) {
      const [x, y] = applySimilarity(chipToImage, [u, v]);
      const x0 = Math.floor(x), y0 = Math.floor(y);
      if (x0 < 0 || y0 < 0 || x0 + 1 >= width || y0 + 1 >= height) continue;
      const fx = x - x0, fy = y - y0;
      const w00 = (1 - fx) * (1 - fy), w10 = fx * (1 - fy), w01 = (1 - fx) * fy, w11 = fx * fy;
      const i00 = (y0 * width + x0) * 3, i01 = i00 + width * 3;
      const o = (v * size + u) * 3;
      for (let c = 0; c < 3; c++) {
        out[o + c] = Math.round(w00 * data[i00 + c]! + w10 * data[i00 + 3 + c]! + w01 * data[i01 + c]! + w11 * data[i01 + 3 + c]!);
      }
    }
  }
  return { width: size, height: size, data: out };
}
