// Turns the detect config into a detector session and hands frames to the pure-ish core in frames.ts.
import type { Static } from '@sinclair/typebox';
import { detectFacesBatch, loadDetector } from '../../models/infer/detect.js';
import type { OperatorContext, TransformInstance } from '../../pipelines/operator.js';
import type { FacesRecord, FrameRecord } from '../streams/records.js';
import { detectFrames } from './frames.js';
import type { DetectConfig } from './index.js';

export async function createDetect(config: Static<typeof DetectConfig>, ctx: OperatorContext): Promise<TransformInstance<FrameRecord, FacesRecord>> {
  const session = await loadDetector(config.model, config.threads);
  const opts = {
    model: config.model,
    inputSize: config.inputSize,
    scoreThreshold: config.scoreThreshold,
    iouThreshold: config.iouThreshold,
    minFaceSize: config.minFaceSize,
    resize: config.resize,
  };
  // No topic for detect's output (publish is unset): its records go to a fused embed in memory, so crops stay raw.
  const rawCrops = ctx.publish === undefined;
  return {
    kind: 'transform',
    async process(batch, emit) {
      const records = await detectFrames(batch, (images) => detectFacesBatch(session, images, opts), { maxBatch: config.maxBatch, log: ctx.log, rawCrops });
      for (const r of records) emit(r);
    },
  };
}
