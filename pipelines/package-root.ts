// The tierflow package's own folder (where package.json names it), found upward from a module of it: what the
// generator writes into and where the local deploy finds the jars infra/kafka installed.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(from: string = import.meta.url): string | null {
  for (let dir = dirname(fileURLToPath(from)); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tierflow') return dir;
    if (dirname(dir) === dir) return null;
  }
}
