// Docker does not run here (nor hadolint), so the image is checked statically: its stages, that every path it
// copies or runs is one the repository builds, that it stays architecture-agnostic, and that it runs the worker
// the manifests expect as the uid they expect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/paths.js';
import { WORKER_COMMAND } from '../../pipelines/deploy/manifest-common.js';

interface Instruction {
  op: string;
  args: string;
  stage: string;
}

/** Instructions with line continuations joined and comments dropped, each tagged with its stage. */
function instructions(text: string): Instruction[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  let stage = '';
  return lines.map((line) => {
    const [op = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? '';
    return { op: op.toUpperCase(), args, stage };
  });
}

const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
const steps = instructions(dockerfile);
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { bin: Record<string, string>; scripts: Record<string, string> };

test('the Dockerfile builds on node:20-bookworm-slim in a build stage and ships a runtime stage last', () => {
  assert.match(dockerfile, /^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
  const froms = steps.filter((s) => s.op === 'FROM');
  assert.deepEqual(froms.map((s) => s.args), ['${NODE_IMAGE} AS build', '${NODE_IMAGE} AS runtime']);
});

test('the image builds with npm ci, the repository\'s own build and models scripts, then drops dev dependencies', () => {
  const runs = steps.filter((s) => s.op === 'RUN' && s.stage === 'build').map((s) => s.args).join('\n');
  assert.match(runs, /npm ci\b/);
  for (const script of ['build', 'models']) {
    assert.match(runs, new RegExp(`npm run ${script}\\b`));
    assert.ok(pkg.scripts[script], `package.json has no '${script}' script`);
  }
  assert.match(runs, /npm prune --omit=dev/);
  // What `npm run models` runs and writes, and what the runtime stage copies, exist in the repository's layout.
  assert.match(pkg.scripts.models!, /dist\/models\/build\.js/);
  assert.ok(existsSync(join(repoRoot, 'models', 'build.ts')));
  for (const f of ['package.json', 'package-lock.json', '.npmrc', 'tsconfig.json']) assert.ok(existsSync(join(repoRoot, f)), f);
});

test('the runtime stage copies only built output the build stage produces', () => {
  const copies = steps.filter((s) => s.op === 'COPY' && s.stage === 'runtime');
  assert.ok(copies.length >= 5);
  for (const c of copies) {
    const [from, src] = c.args.split(/\s+/);
    assert.equal(from, '--from=build', c.args);
    assert.match(src!, /^\/app\/(package\.json|node_modules|dist\/(pipelines|operators|models|api)|models\/onnx)$/, c.args);
    const source = src!.replace(/^\/app\/dist\//, '').replace(/^\/app\//, '');
    if (src!.startsWith('/app/dist/')) assert.ok(existsSync(join(repoRoot, source)), `no ${source}/ to compile into ${src}`);
  }
});

test('the entrypoint is the CLI the manifests run, as the non-root uid they run it as', () => {
  const entry = steps.filter((s) => s.op === 'ENTRYPOINT').at(-1);
  assert.deepEqual(JSON.parse(entry!.args), [...WORKER_COMMAND]);
  assert.equal(Object.values(pkg.bin)[0], WORKER_COMMAND[1]);
  assert.equal(steps.filter((s) => s.op === 'USER').at(-1)?.args, 'node');
  assert.ok(steps.some((s) => s.op === 'WORKDIR' && s.args === '/app' && s.stage === 'runtime'));
});

test('nothing architecture-specific is fetched: packages come from apt and npm for the platform being built', () => {
  for (const s of steps.filter((x) => x.op === 'RUN' || x.op === 'ADD')) {
    assert.doesNotMatch(s.args, /\b(curl|wget)\b|https?:\/\//, s.args);
    assert.doesNotMatch(s.args, /amd64|arm64|x86_64|aarch64/, s.args);
  }
  assert.ok(!steps.some((s) => s.op === 'ADD'), 'ADD can fetch URLs; COPY is used instead');
});

test('the build stage has the headers CI builds node-rdkafka with; the runtime stage has ffmpeg', () => {
  const ci = readFileSync(join(repoRoot, '.ci', 'run'), 'utf8');
  const build = steps.filter((s) => s.op === 'RUN' && s.stage === 'build').map((s) => s.args).join(' ');
  for (const dev of ci.match(/\blib[a-z0-9]+-dev\b/g) ?? []) assert.match(build, new RegExp(`\\b${dev}\\b`), `build stage lacks ${dev}`);
  const runtime = steps.filter((s) => s.op === 'RUN' && s.stage === 'runtime').map((s) => s.args).join(' ');
  assert.match(runtime, /\bffmpeg\b/);
});

test('.dockerignore keeps host builds and native modules out of the build context', () => {
  const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
  for (const p of ['node_modules', 'dist', '.git', 'models/onnx']) assert.ok(ignored.includes(p), p);
});
