// The detectors' settings for still images (enrolment photos, `tierflow faces`), apart from the models so the CLI
// can show their defaults without loading ONNX Runtime.
import type { DetectOptions } from '../../models/infer/detect.js';

/** SSD by default: for still images its recall matters more than the tiny detector's speed. */
export const STILL_IMAGE_DETECTION: DetectOptions = { model: 'ssd', inputSize: 512, scoreThreshold: 0.5, minFaceSize: 0 };

/** The tiny detector at 416 complements the SSD on stills: it adds the faces the SSD misses. */
export const STILL_IMAGE_COMPLEMENT: DetectOptions = { model: 'tiny', inputSize: 416, scoreThreshold: 0.5, minFaceSize: 0 };
