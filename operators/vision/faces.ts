// The core of `tierflow faces`: every face in each image with its box, score, landmarks and embedding. Images
// that cannot be read are reported in their result and the rest go on.
import { decodeRgb } from './image.js';
import { embedFaces, loadFaceModels, type FaceModels } from './embed.js';
import type { AlignOptions } from './align.js';
import { loadDetector, type DetectOptions } from '../../models/infer/detect.js';
import { detectStill, type Framing } from './still-detect.js';
import { STILL_IMAGE_COMPLEMENT, STILL_IMAGE_DETECTION } from './still-options.js';
import type { InferenceSession } from 'onnxruntime-node';
import type { RgbImage } from './warp.js';
import type { Box } from '../streams/records.js';
import { isTierflowError } from '../../pipelines/errors.js';

export interface FoundFace {
  /** [x, y, w, h] in pixels of the original image. */
  box: Box;
  score: number;
  /** 68 points as x0, y0, x1, y1, ... in pixels of the original image. */
  landmarks: number[];
  /** 128-d, L2-normalised. */
  embedding: number[];
}

export interface ImageFaces {
  file: string;
  /** Best detection score first. */
  faces: FoundFace[];
  /** Set when the image could not be read; faces is then empty. */
  error?: string;
}

export { STILL_IMAGE_COMPLEMENT, STILL_IMAGE_DETECTION } from './still-options.js';

export interface FacesOptions {
  detect?: Partial<DetectOptions>;
  align?: AlignOptions;
  maxBatch?: number;
  threads?: number;
  /** Also detect in the image framed in a black border, where faces filling the frame are found (default always). */
  framing?: Framing;
  /** A second detector whose faces are added where the first found none (default the tiny one; null for none). */
  complement?: Partial<DetectOptions> | null;
  /** When still no face is found, accept detections down to this score (off by default). */
  fallbackScoreThreshold?: number;
}

export interface FaceAnalyser {
  analyse(image: RgbImage): Promise<FoundFace[]>;
}

export async function createFaceAnalyser(opts: FacesOptions = {}): Promise<FaceAnalyser> {
  const detect: DetectOptions = { ...STILL_IMAGE_DETECTION, ...opts.detect };
  const second = opts.complement === null ? undefined : { ...STILL_IMAGE_COMPLEMENT, ...opts.complement };
  const [detector, models, secondDetector]: [InferenceSession, FaceModels, InferenceSession | undefined] = await Promise.all([
    loadDetector(detect.model, opts.threads),
    loadFaceModels(opts.threads),
    second ? loadDetector(second.model, opts.threads) : undefined,
  ]);
  const complement = second && secondDetector ? { detector: secondDetector, opts: second } : undefined;
  return {
    async analyse(image) {
      const framing = opts.framing ?? 'always';
      let found = await detectStill(detector, image, detect, framing, complement);
      // Still nothing: where every image is known to hold a face (enrollment, LFW), a weaker detection beats none.
      if (found.length === 0 && opts.fallbackScoreThreshold !== undefined) found = await detectStill(detector, image, { ...detect, scoreThreshold: opts.fallbackScoreThreshold }, framing, complement);
      found.sort((a, b) => b.score - a.score);
      const embedded = await embedFaces(models, found.map((d) => ({ image, box: d.box })), { ...opts.align, maxBatch: opts.maxBatch });
      return found.map((d, i) => ({
        box: d.box.map((v) => Math.round(v * 100) / 100) as Box,
        score: d.score,
        landmarks: embedded[i]!.landmarks.flatMap(([x, y]) => [Math.round(x * 100) / 100, Math.round(y * 100) / 100]),
        embedding: embedded[i]!.embedding,
      }));
    },
  };
}

export async function* facesInImages(files: Iterable<string>, opts: FacesOptions = {}): AsyncIterable<ImageFaces> {
  const analyser = await createFaceAnalyser(opts);
  for (const file of files) {
    let image: RgbImage;
    try {
      image = await decodeRgb(file);
    } catch (e) {
      if (!isTierflowError(e)) throw e;
      yield { file, faces: [], error: e.message };
      continue;
    }
    yield { file, faces: await analyser.analyse(image) };
  }
}

/** The face a single-subject photo is about: the best-scoring one whose box holds the image centre, else the best. */
export function subjectFace<F extends { box: Box }>(faces: readonly F[], width: number, height: number): F | undefined {
  const cx = width / 2, cy = height / 2;
  return faces.find(({ box: [x, y, w, h] }) => x <= cx && cx <= x + w && y <= cy && cy <= y + h) ?? faces[0];
}
