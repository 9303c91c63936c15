// The region of a frame each face crop covers. The faces helper (embed) runs landmarks and alignment inside
// it, so it must hold the whole face plus margin: a square of CROP_SCALE x the box's longer side, centred on
// the box, in whole pixels, clamped to the frame (so at frame edges it is cut, not shifted).
import type { Box } from '../streams/records.js';

export const CROP_SCALE = 1.5;

export function cropBoxFor(box: Box, frameWidth: number, frameHeight: number, scale = CROP_SCALE): Box {
  const [x, y, w, h] = box;
  const side = Math.max(w, h) * scale;
  const cx = x + w / 2;
  const cy = y + h / 2;
  const left = Math.max(0, Math.floor(cx - side / 2));
  const top = Math.max(0, Math.floor(cy - side / 2));
  const right = Math.min(frameWidth, Math.ceil(cx + side / 2));
  const bottom = Math.min(frameHeight, Math.ceil(cy + side / 2));
  return [left, top, Math.max(0, right - left), Math.max(0, bottom - top)];
}
