import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { peakRssMB } from './peak-rss.js';

const run = promisify(execFile);

void test('peak RSS follows what this process touched', () => {
  const before = peakRssMB();
  const block = Buffer.alloc(96 << 20, 1);
  assert.ok(peakRssMB() >= before + 80, `peak ${peakRssMB()} MB after touching 96 MB (was ${before} MB)`);
  assert.equal(block[block.length - 1], 1);
});

void test("a child's peak is its own, not its parent's (getrusage's maxRSS carries the parent's across exec)", async () => {
  const block = Buffer.alloc(256 << 20, 1);
  const parent = peakRssMB();
  const module = fileURLToPath(new URL('./peak-rss.js', import.meta.url));
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `import { peakRssMB } from ${JSON.stringify(module)}; console.log(peakRssMB())`]);
  const child = Number(stdout.trim());
  assert.ok(child > 10 && child < parent - 150, `child ${child} MB, parent ${parent} MB`);
  assert.equal(block[0], 1);
});
