// infra/kafka/broker.sh, the test broker every test, bench and CI run starts: its cluster ids are ones kafka-storage
// accepts (never one beginning with '-', which it read as an option about once in 64 starts), and the test
// command's scripts need no kcat (README names kcat for the backbone benchmark only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/paths.js';

const run = promisify(execFile);
const script = join(repoRoot, 'infra', 'kafka', 'broker.sh');

void test('broker.sh draws cluster ids that are 16 bytes of base64url and never begin with "-"', async () => {
  // 400 draws: with the old code (~1/64 begin with '-') the chance that none would is about 0.2 %.
  const ids = await Promise.all(
    Array.from({ length: 8 }, async () => {
      const { stdout } = await run('bash', ['-c', `for i in $(seq 50); do bash '${script}' cluster-id; done`]);
      return stdout.trim().split('\n');
    }),
  );
  const all = ids.flat();
  assert.equal(all.length, 400);
  for (const id of all) {
    assert.match(id, /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/, `cluster id '${id}'`);
    assert.equal(Buffer.from(id, 'base64url').length, 16, `cluster id '${id}' is 16 bytes`);
  }
  assert.ok(new Set(all).size === all.length, 'ids are random');
});

void test('broker.sh formats storage with --cluster-id=ID, so even an id beginning with "-" would be read as a value', () => {
  const text = readFileSync(script, 'utf8');
  assert.match(text, /StorageTool format --cluster-id="\$cluster_id"/);
});

void test('the scripts the test command runs call no kcat', () => {
  for (const name of ['broker.sh', 'with-broker.sh']) {
    const code = readFileSync(join(repoRoot, 'infra', 'kafka', name), 'utf8')
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('#'))
      .join('\n');
    assert.doesNotMatch(code, /\bkcat\b/, `${name} runs kcat`);
  }
});

void test('no test runs kcat (the test command needs only what README lists for it)', () => {
  // Stop 31 found one: the ACL test read a topic with kcat; README lists kcat for the backbone benchmark only.
  const sources = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
  const offenders = ['test', 'pipelines', 'operators', 'examples']
    .flatMap((d) => sources(join(repoRoot, d)))
    .filter((f) => /(spawn|exec)\w*\(\s*['"]kcat['"]/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});
