// face-api's NetInput.toBatchTensor for one image, in plain TypeScript: pad to a square with zeros (centred for
// landmarks/recognition, bottom/right for the detectors), then tf.image.resizeBilinear without align-corners or
// half-pixel centres. Reproducing it exactly is what makes our detections and crops match face-api's.

/** Packed 8-bit RGB, row-major, width*height*3 bytes. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Where the image sits inside the padded square, and the square's side. */
export interface SquarePadding {
  side: number;
  left: number;
  top: number;
}

export function squarePadding(width: number, height: number, centred: boolean): SquarePadding {
  const side = Math.max(width, height);
  const diff = side - Math.min(width, height);
  // face-api appends round(diff/2) (centred) or all of diff after the image, and prepends the rest.
  const before = centred ? diff - Math.round(diff * 0.5) : 0;
  return { side, left: width < height ? before : 0, top: height < width ? before : 0 };
}

/** face-api's computeReshapedDimensions: the image's size inside the net input. */
export function reshapedDimensions(width: number, height: number, inputSize: number): { width: number; height: number } {
  const scale = inputSize / Math.max(width, height);
  return { width: Math.round(width * scale), height: Math.round(height * scale) };
}

/** NHWC float32 [inputSize, inputSize, 3] written into `out` at `offset` (so batches need no copy). */
export function toNetInput(img: RgbImage, inputSize: number, centred: boolean, out?: Float32Array, offset = 0): Float32Array {
  const target = out ?? new Float32Array(inputSize * inputSize * 3);
  const { side, left, top } = squarePadding(img.width, img.height, centred);
  const { data, width, height } = img;
  const px = (y: number, x: number, c: number): number => {
    const iy = y - top;
    const ix = x - left;
    return iy < 0 || ix < 0 || iy >= height || ix >= width ? 0 : data[(iy * width + ix) * 3 + c]!;
  };
  if (side === inputSize) {
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++) for (let c = 0; c < 3; c++) target[offset + (y * side + x) * 3 + c] = px(y, x, c);
    return target;
  }
  // Source columns and weights are the same for every row: compute them once (-1 marks padding, which is 0).
  const ratio = side / inputSize;
  const colX0 = new Int32Array(inputSize);
  const colX1 = new Int32Array(inputSize);
  const colDx = new Float64Array(inputSize);
  const inImage = (v: number, start: number, size: number): number => (v - start >= 0 && v - start < size ? v - start : -1);
  for (let col = 0; col < inputSize; col++) {
    const fx = ratio * col;
    const x0 = Math.max(0, Math.floor(fx));
    colX0[col] = inImage(x0, left, width);
    colX1[col] = inImage(Math.min(side - 1, Math.ceil(fx)), left, width);
    colDx[col] = fx - x0;
  }
  for (let r = 0; r < inputSize; r++) {
    const fy = ratio * r;
    const y0 = Math.max(0, Math.floor(fy));
    const iy0 = inImage(y0, top, height);
    const iy1 = inImage(Math.min(side - 1, Math.ceil(fy)), top, height);
    const dy = fy - y0;
    const row0 = iy0 * width;
    const row1 = iy1 * width;
    for (let col = 0; col < inputSize; col++) {
      const ix0 = colX0[col]!;
      const ix1 = colX1[col]!;
      const dx = colDx[col]!;
      const o = offset + (r * inputSize + col) * 3;
      for (let c = 0; c < 3; c++) {
        const tl = iy0 < 0 || ix0 < 0 ? 0 : data[(row0 + ix0) * 3 + c]!;
        const tr = iy0 < 0 || ix1 < 0 ? 0 : data[(row0 + ix1) * 3 + c]!;
        const bl = iy1 < 0 || ix0 < 0 ? 0 : data[(row1 + ix0) * 3 + c]!;
        const br = iy1 < 0 || ix1 < 0 ? 0 : data[(row1 + ix1) * 3 + c]!;
        const t = tl + (tr - tl) * dx;
        const b = bl + (br - bl) * dx;
        target[o + c] = t + (b - t) * dy;
      }
    }
  }
  return target;
}
