// Shared pieces of the local-deploy and end-to-end tests: the CLI run as a user runs it, a gallery of the
// reference people, topologies with unique names, and polling with a bound.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { enrollGallery } from '../../operators/vision/enroll.js';
import { fileURLToPath } from 'node:url';
import { sharedData } from './paths.js';

const run = promisify(execFile);

export const referenceDir = join(sharedData, 'video', 'reference');
export const hamiltonClip = join(sharedData, 'video', 'short_hamilton_clip.mp4');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `tierflow ARGS`: the CLI built beside this helper (dist/), or its sources through tsx. */
export async function tierflow(args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const isTs = import.meta.url.endsWith('.ts');
  const main = fileURLToPath(new URL(`../../pipelines/cli/main.${isTs ? 'ts' : 'js'}`, import.meta.url));
  const cmd = isTs ? ['--import', 'tsx', main] : [main];
  try {
    const { stdout, stderr } = await run(process.execPath, [...cmd, ...args], { timeout: opts.timeoutMs ?? 120_000, env: { ...process.env, ...opts.env }, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** The reference photos as identity folders (alex_lacamoire*.{png,jpg} -> "Alex Lacamoire"), enrolled into a gallery. */
export async function enrollReferenceGallery(dir: string): Promise<string> {
  const people = join(dir, 'people');
  for (const file of readdirSync(referenceDir)) {
    const stem = basename(file, extname(file)).replace(/_(img)?\d+$/, '');
    const name = stem
      .split('_')
      .map((w) => w[0]!.toUpperCase() + w.slice(1))
      .join(' ')
      .replace('Lin Manuel', 'Lin-Manuel');
    mkdirSync(join(people, name), { recursive: true });
    copyFileSync(join(referenceDir, file), join(people, name, file));
  }
  const gallery = join(dir, 'gallery.json');
  await enrollGallery(people, gallery);
  return gallery;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

export async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs: number, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function requireBrokers(): string {
  const b = process.env.KAFKA_BROKERS;
  if (!b) throw new Error('KAFKA_BROKERS is not set: run these tests through infra/kafka/with-broker.sh (npm test does)');
  return b;
}

/** The brokers as a topology's Kafka backbone mapping. */
export const kafkaBackbone = (brokers: string) => `{ type: kafka, brokers: [${brokers.split(',').map((b) => `"${b}"`).join(', ')}] }`;

/**
 * The deploy tests' topology: a camera node, an edge gateway and a cloud node, the face flow on the clip (looped),
 * aggregate on the cloud. Nodes are given as `name: { cpu, memory }` lines' values; cameras by name, at `fps`.
 */
export function gatewayTopology(o: { name: string; backbone: string; cameras: string[]; fps: number; resources: { cam: string; gateway: string; cloud: string } }): string {
  return `name: ${o.name}
nodes:
  - { name: cam-node, tier: device, ${o.resources.cam} }
  - { name: gateway, tier: edge, ${o.resources.gateway} }
  - { name: cloud-1, tier: cloud, ${o.resources.cloud} }
links:
  - { from: device, to: edge, latencyMs: 2, bandwidthMbps: 100 }
  - { from: edge, to: cloud, latencyMs: 40, bandwidthMbps: 20 }
sources:
${o.cameras.map((c) => `  - { name: ${c}, url: "file:${hamiltonClip}", node: cam-node, fps: ${o.fps}, loop: true }`).join('\n')}
flows:
  - { id: decode, uses: decode@1, inputs: [${o.cameras.join(', ')}], placement: { near: source } }
  - { id: detect, uses: detect@1, inputs: [decode], placement: { tier: edge } }
  - { id: embed, uses: embed@1, inputs: [detect] }
  - { id: match, uses: match@1, inputs: [embed], config: { gallery: gallery.json } }
  - { id: aggregate, uses: aggregate@1, inputs: [match], placement: { tier: cloud }, config: { window: tumbling, sizeMs: 2000 } }
  - { id: results, uses: results@1, inputs: [aggregate] }
backbone: ${o.backbone}
`;
}
