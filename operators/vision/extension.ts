// What the face library adds to tierflow besides its operators (pipelines/extension.ts): the face commands (models,
// enroll, faces) and the dashboard's live view of a run whose flows are face operators, able to enrol an unknown
// into the gallery the run's match reads. Every operator thread loads this module (it comes with the operators), so
// what the feed needs is imported when a run asks for one.
import { dirname, isAbsolute, resolve } from 'node:path';
import type { ModuleExtension } from '../../pipelines/extension.js';
import type { Plan } from '../../pipelines/plan/types.js';
import { disableOrtTelemetry } from '../../models/ort-telemetry.js';
import { registerVision } from './commands.js';
import type { EnrolTarget } from './dashboard-enrol.js';
import type { FaceAnalyser } from './faces.js';

// The CLI loads this module on its main thread before any command runs, and only there is process.env the one
// native code reads (a worker thread's is a copy): ONNX Runtime's telemetry is off before its first session.
disableOrtTelemetry();

/** `faceUses`: the operators (`name@version`) whose records the live view reads. */
export function faceExtension(faceUses: ReadonlySet<string>): ModuleExtension {
  return {
    commands: registerVision,
    async liveFeed(plan) {
      if (!plan.placements.some((p) => faceUses.has(p.uses))) return undefined;
      const [{ listModels }, { createFaceAnalyser }, { LiveView }] = await Promise.all([import('../../models/registry.js'), import('./faces.js'), import('./live-feed.js')]);
      const sha = (await listModels().catch(() => [])).find((m) => m.name === 'face_recognition')?.sha256;
      let analyser: Promise<FaceAnalyser> | null = null;
      return new LiveView(enrolTarget(plan, sha, async (rgb) => (await (await (analyser ??= createFaceAnalyser())).analyse(rgb)).map((f) => f.embedding)));
    },
  };
}

/** The gallery a run enrols into: the one its identity-matching operator reads (the first flow with a gallery). */
export function enrolTarget(plan: Plan, modelSha256: string | undefined, embedPhoto: EnrolTarget['embedPhoto']): EnrolTarget | undefined {
  const placement = plan.placements.find((p) => typeof plan.configs[p.operator]?.['gallery'] === 'string');
  if (!placement || !modelSha256) return undefined;
  const gallery = String(plan.configs[placement.operator]!['gallery']);
  return { galleryFile: isAbsolute(gallery) ? gallery : resolve(dirname(resolve(plan.file)), gallery), modelSha256, embedPhoto };
}
