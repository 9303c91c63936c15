// Folders found upward: the tierflow package's own (where package.json names it), found from a module of it, is what
// the generator writes into and where the local deploy finds the jars infra/kafka installed.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The first folder from `dir` upward (itself included) for which `holds` is true, or null. */
export function folderAbove(dir: string, holds: (dir: string) => boolean): string | null {
  for (let d = dir; ; d = dirname(d)) {
    if (holds(d)) return d;
    if (dirname(d) === d) return null;
  }
}

export function packageRoot(from: string = import.meta.url): string | null {
  return folderAbove(dirname(fileURLToPath(from)), (dir) => {
    const pkg = join(dir, 'package.json');
    return existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tierflow';
  });
}
