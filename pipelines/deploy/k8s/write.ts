// `tierflow deploy --target k8s --out DIR`: writes the rendered manifests, and removes files an earlier
// deploy generated for chains the plan no longer has, so `kubectl apply -f DIR` never revives them.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../../plan/types.js';
import { GENERATED_MARK, renderK8sManifests, type K8sOptions } from './render.js';

/** Returns the paths written, in apply order. */
export function writeK8sManifests(plan: Plan, outDir: string, opts: K8sOptions): string[] {
  const files = renderK8sManifests(plan, opts);
  mkdirSync(outDir, { recursive: true });
  const keep = new Set(files.map((f) => f.name));
  for (const entry of readdirSync(outDir, { withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.yaml') || keep.has(entry.name)) continue;
    const path = join(outDir, entry.name);
    if (readFileSync(path, 'utf8').startsWith(GENERATED_MARK)) rmSync(path);
  }
  return files.map((f) => {
    const path = join(outDir, f.name);
    writeFileSync(path, f.text);
    return path;
  });
}
