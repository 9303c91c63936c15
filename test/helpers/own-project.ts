// A user's project outside this repository, with no tierflow installed in it: a package.json saying its .js files
// are ES modules, the sensors example's own operators as built JavaScript, and the example's topology (optionally on
// Kafka). What `uses: ./operators/…` and `import … from 'tierflow'` meet on a user's machine.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.js';
import { tempDir } from './deploy.js';

export function ownSensorsProject(name: string, brokers?: string): { dir: string; file: string } {
  const dir = tempDir('tierflow-own-project-');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-sensors', private: true, type: 'module' }));
  cpSync(join(repoRoot, 'dist', 'examples', 'sensors', 'operators'), join(dir, 'operators'), { recursive: true, filter: (src) => !/\.test\.js$|\.map$/.test(src) });
  let text = readFileSync(join(repoRoot, 'examples', 'sensors', 'topology.yaml'), 'utf8').replace(/^name: sensors$/m, `name: ${name}`).replace(/^# yaml-language-server.*\n/, '');
  if (brokers) text = text.replace(/^backbone:\n {2}type: embedded$/m, `backbone: { type: kafka, brokers: [${brokers}] }`);
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, text);
  return { dir, file };
}
