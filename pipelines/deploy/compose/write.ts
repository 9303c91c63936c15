// `tierflow deploy --target compose --out FILE`: the compose file, with the plan (and any extra files such as
// a gallery) written beside it, where the services mount them from.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Plan } from '../../plan/types.js';
import { planJson } from '../manifest-common.js';
import { composeYaml, planForCompose, type ComposeOptions } from './render.js';

/** Returns the paths written: the compose file first. */
export function writeComposeFile(plan: Plan, outFile: string, opts: ComposeOptions): string[] {
  const dir = dirname(outFile);
  mkdirSync(dir, { recursive: true });
  const written = [outFile, join(dir, 'plan.json')];
  writeFileSync(outFile, composeYaml(plan, opts));
  writeFileSync(join(dir, 'plan.json'), planJson(planForCompose(plan)));
  for (const [name, text] of Object.entries(opts.files ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    writeFileSync(join(dir, name), text);
    written.push(join(dir, name));
  }
  return written;
}
