// The planner's estimate of one frame record: JPEG bits per pixel by scene detail at quality 85, scaled by a quality
// curve, plus the record's other fields. Measured with decode's own ffmpeg mjpeg encoder (qscaleFor) at 640x360:
// the test clip (a dim stage, video) 0.34 bits per pixel; face-api's demo photos 0.74-1.07. A JPEG's size follows
// its content, so the scene is the user's to declare (camera bandwidth calculators ask the same).
export const SCENES = ['low', 'medium', 'high'] as const;
export type Scene = (typeof SCENES)[number];

const BITS_PER_PIXEL_AT_85: Record<Scene, number> = { low: 0.34, medium: 0.65, high: 1.0 };

/** Size at a quality against its size at quality 85, measured on the clip (the photos follow it within ~5 %). */
const QUALITY_CURVE: Array<[quality: number, factor: number]> = [
  [10, 0.52],
  [30, 0.56],
  [50, 0.63],
  [70, 0.76],
  [85, 1],
  [95, 1.35],
  [100, 2.06],
];

/** Camera, epoch, sequence, timestamps, size and format fields of a frames record, Avro-encoded, and its headers. */
const RECORD_FIELDS_BYTES = 64;

export function qualityFactor(jpegQuality: number): number {
  const q = Math.min(100, Math.max(10, jpegQuality));
  const hi = QUALITY_CURVE.findIndex(([at]) => at >= q);
  const [q1, f1] = QUALITY_CURVE[hi]!;
  if (q1 === q || hi === 0) return f1;
  const [q0, f0] = QUALITY_CURVE[hi - 1]!;
  return f0 + ((f1 - f0) * (q - q0)) / (q1 - q0);
}

/** Estimated bytes of one frames record at `resolution` (WIDTHxHEIGHT). */
export function frameBytes(resolution: string, jpegQuality: number, scene: Scene): number {
  const [w, h] = resolution.split('x').map(Number) as [number, number];
  return Math.round((w * h * BITS_PER_PIXEL_AT_85[scene] * qualityFactor(jpegQuality)) / 8) + RECORD_FIELDS_BYTES;
}
