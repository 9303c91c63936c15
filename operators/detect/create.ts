// Turns the detect config into a detector session and hands frames to the pure-ish core in frames.ts.
import type { Static } from '@sinclair/typebox';
import { detectFacesBatch, loadDetector } from '../../models/infer/detect.js';
import type { OperatorContext, TransformInstance } from '../../pipelines/operator.js';
import type { FacesRecord, FrameRecord } from '../streams/records.js';
import { detectFrames } from './frames.js';
import { CameraTracking } from '../track/cameras.js';
import type { DetectConfig } from './index.js';

/** How often the worker log hears what tracking saved. */
const TELL_EVERY_MS = 60_000;

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
  const { enabled, interval, motion, ...tracker } = config.tracking;
  const tracking = enabled ? new CameraTracking({ ...tracker, interval, motion }) : undefined;
  const plans = { detect: 0, coast: 0, still: 0 };
  const faces = { embedded: 0, carried: 0 };
  let toldAt = Date.now();
  const tell = () =>
    ctx.log(`tracking: ${plans.detect} frames detected, ${plans.coast} coasted, ${plans.still} still (nothing moved); faces: ${faces.embedded} to embed, ${faces.carried} carried`);
  return {
    kind: 'transform',
    async process(batch, emit) {
      const records = await detectFrames(batch, (images) => detectFacesBatch(session, images, opts), {
        maxBatch: config.maxBatch,
        log: ctx.log,
        rawCrops,
        tracking,
        onPlan: (p) => plans[p]++,
      });
      for (const r of records) for (const f of r.faces) faces[f.carried ? 'carried' : 'embedded']++;
      if (tracking && Date.now() - toldAt >= TELL_EVERY_MS) {
        toldAt = Date.now();
        tell();
      }
      for (const r of records) emit(r);
    },
    close: async () => {
      if (tracking) tell();
    },
  };
}
