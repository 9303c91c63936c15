// `tierflow schemas`: what a consumer outside tierflow reads the topics with. One stream's schema is plain JSON, the
// same as its file in docs/schemas/; without --stream every file there is printed, each after a `// name.avsc` line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cliPath, repoRoot } from '../helpers/paths.js';

const run = promisify(execFile);
const docs = join(repoRoot, 'docs', 'schemas');

void test('schemas --stream prints that stream\'s .avsc as JSON, the file docs/schemas holds', async () => {
  const { stdout } = await run(process.execPath, [cliPath, 'schemas', '--stream', 'events']);
  const schema = JSON.parse(stdout) as { type: string; fields: Array<{ name: string }> };
  assert.equal(schema.type, 'record');
  assert.ok(schema.fields.some((f) => f.name === 'identity'));
  assert.deepEqual(schema, JSON.parse(readFileSync(join(docs, 'events.avsc'), 'utf8')));
});

void test('schemas prints every stream, each as in docs/schemas; an unknown stream is one line and exit 2', async () => {
  const { stdout } = await run(process.execPath, [cliPath, 'schemas']);
  const parts = stdout.split(/^\/\/ (\S+\.avsc)[^\n]*\n/m).slice(1);
  const printed = new Map<string, unknown>();
  for (let i = 0; i < parts.length; i += 2) printed.set(parts[i]!, JSON.parse(parts[i + 1]!));
  assert.deepEqual([...printed.keys()].sort(), readdirSync(docs).sort());
  for (const [name, schema] of printed) assert.deepEqual(schema, JSON.parse(readFileSync(join(docs, name), 'utf8')), name);
  const bad = await run(process.execPath, [cliPath, 'schemas', '--stream', 'nope']).then(
    () => assert.fail('an unknown stream was accepted'),
    (e: { code: number; stderr: string }) => e,
  );
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
});
