// The face tools a user runs by hand: `models` lists the built ONNX models, `enroll` builds a gallery from a
// folder of identity sub-folders, `faces` prints what the pipeline sees in images.
import type { Command } from 'commander';
import { listModels } from '../../../models/registry.js';
import { enrollGallery } from '../../vision/enroll.js';
import { facesInImages, STILL_IMAGE_DETECTION } from '../../vision/faces.js';
import { TierflowError } from '../../errors.js';

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

export function registerVision(program: Command): void {
  program
    .command('models')
    .description('list the face models (ONNX, built from @vladmandic/face-api at install) with path and sha256')
    .option('--json', 'print a JSON array')
    .action(async (flags: { json?: boolean }) => {
      const models = await listModels();
      if (models.length === 0) throw new TierflowError('MODEL_MISSING', 'no models are built: run `npm run models`');
      if (flags.json) out(JSON.stringify(models.map(({ name, path, sha256 }) => ({ name, path, sha256 }))));
      else for (const m of models) out(`${m.name.padEnd(20)} ${m.sha256}  ${m.path}`);
    });

  program
    .command('enroll')
    .description('enrol identities: <dir> holds one sub-folder of photos per person')
    .argument('<dir>', 'folder of identity folders')
    .requiredOption('--gallery <file>', 'gallery file to write (JSON)')
    .action(async (dir: string, flags: { gallery: string }) => {
      const tty = process.stderr.isTTY;
      const result = await enrollGallery(dir, flags.gallery, {
        onProgress: ({ done, total }) => {
          const width = 30;
          const filled = Math.round((done / total) * width);
          const bar = `enrolling [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
          if (tty) process.stderr.write(`\r${bar}${done === total ? '\n' : ''}`);
          else if (done === total || done % 50 === 0) err(bar);
        },
      });
      for (const f of result.noFace) err(`no face found: ${f}`);
      for (const u of result.unreadable) err(`unreadable: ${u.file}: ${u.error}`);
      for (const e of result.emptyIdentities) err(`left out (no usable photo): ${e}`);
      out(`${flags.gallery}: ${result.identities} identities, ${result.embeddings} embeddings; ${result.noFace.length} images without a face, ${result.unreadable.length} unreadable`);
      if (result.identities === 0) throw new TierflowError('GALLERY_INVALID', `${dir}: no identity had a usable photo; nothing enrolled`, { exitCode: 2 });
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

/** A detection score option: a number in (0, 1). */
function score(option: string, value: string): number {
  const v = Number(value);
  if (!(v > 0 && v < 1)) throw new TierflowError('BAD_ARGUMENT', `${option}: expected a score between 0 and 1, got '${value}'`, { exitCode: 2 });
  return v;
}
