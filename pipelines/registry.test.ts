// The registry loads operator modules by specifier: their default export's definitions and their named export
// `extension` (commands, a dashboard feed), in module order; a module whose extension is not an object is refused
// with its specifier.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { loadRegistry } from './registry.js';
import { liveFeedFor } from './extension.js';
import type { Plan } from './plan/types.js';

const definition = (name: string) => `{ name: '${name}', version: 1, create: async () => ({ kind: 'sink', write: async () => undefined }) }`;

function modules(files: Record<string, string>): { urls: Record<string, string>; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tierflow-registry-'));
  const urls: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, `${name}.mjs`), text);
    urls[name] = pathToFileURL(join(dir, `${name}.mjs`)).href;
  }
  return { urls, done: () => rmSync(dir, { recursive: true, force: true }) };
}

test('a module\'s extension adds its commands and the first feed made for a plan is the one the dashboard gets', async () => {
  const m = modules({
    plain: `export default ${definition('plain')};`,
    counting: `export default [${definition('count')}];
      export const extension = {
        commands: (program) => program.command('count-things').description('counts'),
        liveFeed: async (plan) => (plan.topology === 'counted' ? { from: 'counting' } : undefined),
      };`,
    other: `export default ${definition('other')};
      export const extension = { liveFeed: async () => ({ from: 'other' }) };`,
  });
  try {
    const r = await loadRegistry([m.urls['plain']!, m.urls['counting']!, m.urls['other']!]);
    assert.deepEqual(r.operators.map((o) => o.name), ['plain', 'count', 'other']);
    assert.equal(r.extensions.length, 2, 'a module without an extension adds none');
    const program = new Command('tierflow');
    for (const e of r.extensions) e.commands?.(program);
    assert.deepEqual(program.commands.map((c) => c.name()), ['count-things']);
    const plan = (topology: string) => ({ topology }) as Plan;
    assert.deepEqual(await liveFeedFor(plan('counted'), r.extensions), { from: 'counting' });
    assert.deepEqual(await liveFeedFor(plan('elsewhere'), r.extensions), { from: 'other' }, 'a module that makes none passes to the next');
    assert.equal(await liveFeedFor(plan('counted'), []), undefined);
  } finally {
    m.done();
  }
});

test('an extension that is not an object is refused, naming the module', async () => {
  const m = modules({ bad: `export default ${definition('bad')}; export const extension = 42;` });
  try {
    await assert.rejects(loadRegistry([m.urls['bad']!]), (e: Error) => e.message === `operator module ${m.urls['bad']}: its export 'extension' must be an object (commands, liveFeed)`);
  } finally {
    m.done();
  }
});
