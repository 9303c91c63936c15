// Tests run from dist/ after tsc and from source with tsx; both find the repository the same way.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tierflow') return dir;
    if (dirname(dir) === dir) throw new Error(`no tierflow package.json above ${start}`);
  }
}

export const repoRoot = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
/** Test data beside the repository (LFW, people, video); never copied into it. */
export const sharedData = join(repoRoot, '..', 'shared', 'data');
/** The compiled CLI, for tests that run it as a user would. */
export const cliPath = join(repoRoot, 'dist', 'pipelines', 'cli', 'main.js');
