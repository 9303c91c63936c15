// `npm run bench -- arm64 [--root /var/tmp/arm64root] [--probes N] [--groups N] [--json]`: the face operators of a gateway chain
// (detect -> embed -> match, in one process through the operator harness, as a worker's fused chain runs them) on the
// same frames on this machine (x64) and on arm64 emulated by qemu-aarch64, and the two outputs compared.
//   Set-up once: infra/arm64/setup.sh (Debian's qemu-user; an arm64 Node 20 and its libraries from Debian's arm64
//   packages, unpacked into --root; sharp's arm64 build from npm; onnxruntime-node ships its arm64 build).
//   What runs on arm64: Node, onnxruntime's arm64 kernels, sharp/libvips' arm64 build; the models, the gallery and
//   the frames (decoded once, here, to packed RGB) are the same files.
//   Compared per face: found on both, box within 0.5 px, the same identity, distance within 1e-3, embeddings' cosine
//   similarity. The gallery: photos of ../shared/data/people (all but one per person); the probes: the one left out of
//   each of the first N people (6), and the first N group photos (3).
// Not a worker process: a worker needs node-rdkafka's native client, which has no arm64 build here (it compiles from
// source at install) and which the CLI loads even on the embedded backbone.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { testFlow } from '../pipelines/testing.js';
import { OPERATORS } from '../operators/index.js';
import { enrollGallery } from '../operators/vision/enroll.js';
import type { EmbeddingsRecord, FrameRecord, MatchesRecord } from '../operators/streams/records.js';
import { repoRoot, sharedData } from '../test/helpers/paths.js';

const DEFAULT_ROOT = '/var/tmp/arm64root';
const IMAGE = /\.(jpe?g|png)$/i;

interface FaceOut {
  box: number[];
  identity: string | null;
  distance: number | null;
  embedding: number[];
}
interface ChildOut {
  arch: string;
  msPerFrame: number;
  frames: Array<{ file: string; faces: FaceOut[] }>;
}
interface Row {
  file: string;
  faces: [number, number];
  sameIdentities: boolean;
  maxBoxPx: number;
  maxDistance: number;
  minCosine: number;
}

const option = (args: string[], name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const operator = (name: string) => OPERATORS.find((o) => o.name === name)!;

/** In the emulated (or native) process: the chain over the frames; one JSON object on stdout. */
async function child(dir: string): Promise<void> {
  const files = JSON.parse(readFileSync(join(dir, 'frames.json'), 'utf8')) as Array<{ file: string; width: number; height: number }>;
  const frames: FrameRecord[] = files.map((f, seq) => ({ camera: 'probe', epoch: 'e1', seq, captureTs: 1_000_000 + seq, width: f.width, height: f.height, format: 'rgb', data: readFileSync(join(dir, `${seq}.rgb`)) }));
  const t0 = performance.now();
  const { stages } = await testFlow([{ operator: operator('detect') }, { operator: operator('embed') }, { operator: operator('match'), config: { gallery: join(dir, 'gallery.json') } }], frames, { batchSize: 1, baseDir: dir });
  const msPerFrame = (performance.now() - t0) / frames.length;
  const embeddings = stages[1] as EmbeddingsRecord[];
  const matches = stages[2] as MatchesRecord[];
  const out: ChildOut = {
    arch: process.arch,
    msPerFrame,
    frames: files.map((f, seq) => {
      const m = matches.find((r) => r.seq === seq);
      const e = embeddings.find((r) => r.seq === seq);
      return { file: f.file, faces: (m?.faces ?? []).map((face, i) => ({ box: face.box, identity: face.identity, distance: face.distance, embedding: e?.faces[i]?.embedding ?? [] })) };
    }),
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

/** The gallery (every photo but one per person) and the probes (the ones left out, and the group photos). */
async function prepare(dir: string, probes: number, groups: number): Promise<string[]> {
  const people = join(sharedData, 'people');
  const enrolled = join(dir, 'people');
  const files: string[] = [];
  for (const person of readdirSync(people, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('_')).map((d) => d.name).sort()) {
    const photos = readdirSync(join(people, person)).filter((f) => IMAGE.test(f)).sort();
    if (photos.length < 2) continue;
    mkdirSync(join(enrolled, person), { recursive: true });
    for (const p of photos.slice(0, -1)) cpSync(join(people, person, p), join(enrolled, person, p));
    if (files.length < probes) files.push(join(people, person, photos.at(-1)!));
  }
  const groupDir = join(people, '_groups');
  if (existsSync(groupDir)) files.push(...readdirSync(groupDir).filter((f) => IMAGE.test(f)).sort().slice(0, groups).map((f) => join(groupDir, f)));
  await enrollGallery(enrolled, join(dir, 'gallery.json'));
  const described: Array<{ file: string; width: number; height: number }> = [];
  for (const [seq, file] of files.entries()) {
    const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    writeFileSync(join(dir, `${seq}.rgb`), data);
    described.push({ file: file.slice(sharedData.length + 1), width: info.width, height: info.height });
  }
  writeFileSync(join(dir, 'frames.json'), JSON.stringify(described));
  return files;
}

function runChild(command: string[], dir: string): ChildOut {
  const r = spawnSync(command[0]!, [...command.slice(1), join(repoRoot, 'dist', 'bench', 'main.js'), 'arm64', '--child', dir], { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${command.join(' ')}: exit ${r.status}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ChildOut;
}

const cosine = (a: number[], b: number[]) => {
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
};

function compare(x64: ChildOut, arm: ChildOut): Row[] {
  return x64.frames.map((f, i) => {
    const g = arm.frames[i]!;
    const pairs = f.faces.map((face, j) => [face, g.faces[j]] as const).filter((p): p is readonly [FaceOut, FaceOut] => p[1] !== undefined);
    return {
      file: f.file,
      faces: [f.faces.length, g.faces.length],
      sameIdentities: f.faces.length === g.faces.length && pairs.every(([a, b]) => a.identity === b.identity),
      maxBoxPx: Math.max(0, ...pairs.flatMap(([a, b]) => a.box.map((v, k) => Math.abs(v - b.box[k]!)))),
      maxDistance: Math.max(0, ...pairs.map(([a, b]) => Math.abs((a.distance ?? 0) - (b.distance ?? 0)))),
      minCosine: Math.min(1, ...pairs.filter(([a, b]) => a.embedding.length > 0 && b.embedding.length > 0).map(([a, b]) => cosine(a.embedding, b.embedding))),
    };
  });
}

export async function run(args: string[]): Promise<void> {
  if (args[0] === '--child') return child(args[1]!);
  const root = option(args, '--root') ?? DEFAULT_ROOT;
  const node = join(root, 'usr', 'bin', 'node');
  if (!existsSync(node)) throw new Error(`no arm64 Node at ${node}: run infra/arm64/setup.sh ${root} first`);
  const dir = mkdtempSync(join(tmpdir(), 'tierflow-bench-arm64-'));
  try {
    const files = await prepare(dir, Number(option(args, '--probes') ?? 6), Number(option(args, '--groups') ?? 3));
    const x64 = runChild([process.execPath], dir);
    const arm = runChild(['qemu-aarch64', '-L', root, node], dir);
    if (arm.arch !== 'arm64') throw new Error(`the emulated process says it is ${arm.arch}, not arm64`);
    const rows = compare(x64, arm);
    if (rows.every((r) => r.faces[0] === 0)) throw new Error('no face found in any frame on x64: the comparison would say nothing');
    const same = rows.every((r) => r.sameIdentities && r.maxBoxPx <= 0.5 && r.maxDistance <= 1e-3);
    const lines = [`arm64 (qemu-aarch64) against ${x64.arch}: ${files.length} frames through detect -> embed -> match; ${(arm.msPerFrame / 1000).toFixed(1)} s/frame emulated, ${x64.msPerFrame.toFixed(0)} ms native`, 'FILE                                      FACES  SAME IDS  MAX BOX px  MAX DIST  MIN COSINE'];
    for (const r of rows) lines.push(`${r.file.padEnd(42).slice(0, 42)}${`${r.faces[0]}/${r.faces[1]}`.padStart(5)}  ${String(r.sameIdentities).padStart(8)}  ${r.maxBoxPx.toExponential(1).padStart(10)}  ${r.maxDistance.toExponential(1).padStart(8)}  ${r.minCosine.toFixed(6).padStart(10)}`);
    lines.push(same ? 'same output on both: every face found on both, the same identities, boxes within 0.5 px, distances within 1e-3' : 'OUTPUTS DIFFER (see above)');
    process.stderr.write(lines.join('\n') + '\n');
    if (args.includes('--json')) process.stdout.write(JSON.stringify({ bench: 'arm64', results: rows, msPerFrame: { [x64.arch]: x64.msPerFrame, arm64: arm.msPerFrame }, same }) + '\n');
    if (!same) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
