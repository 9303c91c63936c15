// The face tools a user runs by hand: `models` lists the built ONNX models, `enroll` builds a gallery from a
// folder of identity sub-folders, `faces` prints what the pipeline sees in images. Registered from the face
// library's module extension, which every operator thread loads too: what an action needs (ONNX Runtime, the Kafka
// client) is imported when it runs.
import type { Command } from 'commander';
import type { EnrollProgress, EnrollResult } from './enroll.js';
import { DEFAULT_STATE_ROOT } from '../../pipelines/deploy/local/state.js';
import { STILL_IMAGE_DETECTION } from './still-options.js';
import { TierflowError } from '../../pipelines/errors.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

export function registerVision(program: Command): void {
  program
    .command('models')
    .description('list the face models (ONNX, built from @vladmandic/face-api at install) with path and sha256')
    .option('--json', 'print a JSON array')
    .action(async (flags: { json?: boolean }) => {
      const { listModels } = await import('../../models/registry.js');
      const models = await listModels();
      if (models.length === 0) throw new TierflowError('MODEL_MISSING', 'no models are built: run `npm run models`');
      if (flags.json) out(JSON.stringify(models.map(({ name, path, sha256 }) => ({ name, path, sha256 }))));
      else for (const m of models) out(`${m.name.padEnd(20)} ${m.sha256}  ${m.path}`);
    });

  program
    .command('enroll')
    .description('enrol identities: [dir] holds one sub-folder of photos per person; into a gallery file, or the live gallery of a local deploy')
    .argument('[dir]', 'folder of identity folders')
    .option('--gallery <file>', 'gallery file to write (JSON)')
    .option('--live', 'publish to the live gallery of a local deploy (match with liveGallery: true), in its central cluster')
    .option('--remove <names...>', 'with --live: remove these identities')
    .option('--topology <name>', 'with --live: the local deploy (default: the only one)')
    .option('--brokers <list>', 'with --live: the central cluster\'s brokers (default: the deploy\'s)')
    .option('--state-dir <dir>', 'folder of deploy state', DEFAULT_STATE_ROOT)
    .action(async (dir: string | undefined, flags: EnrollFlags) => {
      if (flags.live === (flags.gallery !== undefined)) throw new TierflowError('BAD_ARGUMENT', 'enroll: give either --gallery <file> or --live', { exitCode: 2 });
      if (flags.remove && !flags.live) throw new TierflowError('BAD_ARGUMENT', 'enroll: --remove works on the live gallery: add --live', { exitCode: 2 });
      if ((dir === undefined) === (flags.remove === undefined)) throw new TierflowError('BAD_ARGUMENT', flags.remove ? 'enroll: give a folder to enrol or --remove, not both' : 'enroll: give the folder of identity folders', { exitCode: 2 });
      const { enrollGallery, enrollIdentities } = await import('./enroll.js');
      if (flags.live) {
        const { liveGalleryOf, writeLiveGallery } = await import('./live-gallery.js');
        // The deploy is looked up first: a wrong name fails before any photo is read.
        const target = await liveGalleryOf(flags.stateDir, flags.topology, flags.brokers);
        if (flags.remove) {
          await writeLiveGallery(target, { remove: flags.remove });
          out(`${target.topic}: removed ${flags.remove.join(', ')}`);
          return;
        }
        const result = await enrollIdentities(dir!, { onProgress: progress() });
        report(dir!, result);
        await writeLiveGallery(target, { put: result.gallery.identities, modelSha256: result.gallery.model.sha256 });
        out(`${target.topic}: ${result.identities} identities, ${result.embeddings} embeddings published; ${result.noFace.length} images without a face, ${result.unreadable.length} unreadable`);
        return;
      }
      const result = await enrollGallery(dir!, flags.gallery!, { onProgress: progress() });
      report(dir!, result);
      out(`${flags.gallery}: ${result.identities} identities, ${result.embeddings} embeddings; ${result.noFace.length} images without a face, ${result.unreadable.length} unreadable`);
    });

  program
    .command('faces')
    .description('detect, align and embed the faces in images; one JSON line per image')
    .argument('<images...>', 'image files')
    .option('--json', 'JSON lines (the default and only format)')
    .option('--score <s>', 'lowest detection score of a face', String(STILL_IMAGE_DETECTION.scoreThreshold))
    .option('--fallback-score <s>', 'when an image yields no face at --score, accept faces down to this score (for photos known to show one)')
    .action(async (images: string[], flags: { score: string; fallbackScore?: string }) => {
      const scoreThreshold = score('--score', flags.score);
      const fallbackScoreThreshold = flags.fallbackScore === undefined ? undefined : score('--fallback-score', flags.fallbackScore);
      const { facesInImages } = await import('./faces.js');
      let unreadable = 0;
      for await (const r of facesInImages(images, { detect: { scoreThreshold }, fallbackScoreThreshold })) {
        if (r.error) {
          unreadable++;
          err(`tierflow: ${r.error}`);
        }
        out(JSON.stringify({ file: r.file, faces: r.faces, ...(r.error ? { error: r.error } : {}) }));
      }
      if (unreadable === images.length) throw new TierflowError('IMAGE_UNREADABLE', `tierflow: none of the ${images.length} images could be read`);
    });
}

interface EnrollFlags {
  gallery?: string;
  live?: boolean;
  remove?: string[];
  topology?: string;
  brokers?: string;
  stateDir: string;
}

function progress(): (p: EnrollProgress) => void {
  const tty = process.stderr.isTTY;
  return ({ done, total }) => {
    const width = 30;
    const filled = Math.round((done / total) * width);
    const bar = `enrolling [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
    if (tty) process.stderr.write(`\r${bar}${done === total ? '\n' : ''}`);
    else if (done === total || done % 50 === 0) err(bar);
  };
}

/** What was left out, on stderr; no identity at all is an error before anything is written. */
function report(dir: string, result: EnrollResult): void {
  for (const f of result.noFace) err(`no face found: ${f}`);
  for (const u of result.unreadable) err(`unreadable: ${u.file}: ${u.error}`);
  for (const e of result.emptyIdentities) err(`left out (no usable photo): ${e}`);
  if (result.identities === 0) throw new TierflowError('GALLERY_INVALID', `${dir}: no identity had a usable photo; nothing enrolled`, { exitCode: 2 });
}

/** A detection score option: a number in (0, 1). */
function score(option: string, value: string): number {
  const v = Number(value);
  if (!(v > 0 && v < 1)) throw new TierflowError('BAD_ARGUMENT', `${option}: expected a score between 0 and 1, got '${value}'`, { exitCode: 2 });
  return v;
}
