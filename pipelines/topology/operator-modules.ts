// Operators of the user's own, named in a topology's `uses`:
//   ./path@N, ../path@N, /path@N   a module or folder, relative to the topology file
//   package@N, @scope/package@N    an npm package installed beside the topology (node_modules above its folder),
//                                  when no operator of that name is registered
// The module's default export is a definition (or a list: the one at version N is taken). TypeScript is found
// built: a .ts file or a folder with only index.ts is looked up in the outDir of the nearest tsconfig.json.
// Every problem is a finding at the flow's `uses`, so validate reports it with file:line:col.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseJsonc } from 'jsonc-parser';
import type { AnyOperatorDefinition } from '../operator.js';
import { importOperatorModule, type OperatorRegistry } from '../registry.js';
import { isTierflowError } from '../errors.js';
import { folderAbove } from '../package-root.js';
import { finding, type Finding } from './finding.js';
import type { ParsedTopology } from './parse.js';

export interface TopologyOperators {
  /** The flow's `uses` as written → the definition it names. */
  byUses: Map<string, AnyOperatorDefinition>;
  /** File URLs of the modules loaded, in the order first used. */
  modules: string[];
  findings: Finding[];
}

const USES = /^(.+)@([0-9]+)$/;
const PACKAGE = /^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/;
const isPath = (spec: string) => /^(\.{1,2}\/|\/)/.test(spec);

class Unresolved extends Error {}

export async function loadTopologyOperators(parsed: ParsedTopology, base: OperatorRegistry): Promise<TopologyOperators> {
  const out: TopologyOperators = { byUses: new Map(), modules: [], findings: [] };
  const flows = (parsed.data as { flows?: unknown } | null)?.flows;
  if (!Array.isArray(flows)) return out;
  const topologyDir = dirname(resolve(parsed.file));
  const byModule = new Map<string, AnyOperatorDefinition[]>();
  for (const [i, flow] of flows.entries()) {
    const uses = (flow as { uses?: unknown } | null)?.uses;
    if (typeof uses !== 'string' || out.byUses.has(uses)) continue;
    const m = USES.exec(uses);
    if (!m) continue;
    const spec = m[1]!;
    const version = Number(m[2]);
    if (!isPath(spec) && (!PACKAGE.test(spec) || base.operators.some((op) => op.name === spec))) continue;
    const at = ['flows', i, 'uses'];
    try {
      const file = isPath(spec) ? modulePath(resolve(topologyDir, spec)) : packageEntry(spec, topologyDir);
      if (file === null) continue; // not a package either: validate says the operator is unknown
      const url = pathToFileURL(file).href;
      if (!byModule.has(url)) {
        byModule.set(url, await importOperatorModule(url));
        out.modules.push(url);
      }
      const defs = byModule.get(url)!;
      const atVersion = defs.filter((d) => d.version === version);
      const listed = defs.map((d) => `${d.name}@${d.version}`).join(', ');
      if (atVersion.length !== 1) {
        out.findings.push(finding(at, atVersion.length === 0 ? `${spec} has no operator at version ${version} (it exports ${listed})` : `${spec} exports several operators at version ${version} (${listed}): give each its own module`));
        continue;
      }
      const def = atVersion[0]!;
      const builtin = base.find(`${def.name}@${def.version}`);
      if (builtin && builtin !== def) {
        out.findings.push(finding(at, `${spec} defines ${def.name}@${def.version}, which tierflow already has: give the operator another name`));
        continue;
      }
      out.byUses.set(uses, def);
    } catch (e) {
      if (e instanceof Unresolved || isTierflowError(e)) out.findings.push(finding(at, e.message));
      else throw e;
    }
  }
  return out;
}

/** The module file a path names: a file, or a folder (its package.json's entry, index.js, or built index.ts). */
function modulePath(abs: string): string {
  if (!existsSync(abs)) throw new Unresolved(`operator module ${abs}: no such file or folder`);
  if (statSync(abs).isFile()) return abs.endsWith('.ts') ? builtTwin(abs) : abs;
  const pkg = join(abs, 'package.json');
  if (existsSync(pkg)) return join(abs, packageMain(pkg));
  if (existsSync(join(abs, 'index.js'))) return join(abs, 'index.js');
  if (existsSync(join(abs, 'index.ts'))) return builtTwin(join(abs, 'index.ts'));
  throw new Unresolved(`operator module ${abs}: a folder without package.json, index.js or index.ts`);
}

/** A package's ESM entry: exports['.'] (import or default), else main, else index.js. */
function packageMain(pkgFile: string): string {
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports?: unknown; main?: string };
  let entry: unknown = pkg.exports;
  if (entry && typeof entry === 'object' && '.' in entry) entry = (entry as Record<string, unknown>)['.'];
  if (entry && typeof entry === 'object') entry = (entry as Record<string, unknown>)['import'] ?? (entry as Record<string, unknown>)['default'];
  return typeof entry === 'string' ? entry : (pkg.main ?? 'index.js');
}

/** An installed package's entry, looked for in node_modules from the topology's folder up; null if none. */
function packageEntry(name: string, from: string): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(pkg)) return join(dirname(pkg), packageMain(pkg));
    if (dirname(dir) === dir) return null;
  }
}

/** Where tsc put a .ts file's build: the nearest tsconfig.json's outDir, mirroring rootDir (default: its folder). */
function builtTwin(tsFile: string): string {
  const configDir = folderAbove(dirname(tsFile), (dir) => existsSync(join(dir, 'tsconfig.json')));
  const config = configDir === null ? undefined : join(configDir, 'tsconfig.json');
  const options = config ? ((parseJsonc(readFileSync(config, 'utf8')) as { compilerOptions?: { outDir?: string; rootDir?: string } } | undefined)?.compilerOptions ?? {}) : {};
  const base = config ? dirname(config) : dirname(tsFile);
  const twin = options.outDir
    ? join(resolve(base, options.outDir), relative(resolve(base, options.rootDir ?? '.'), tsFile)).replace(/\.ts$/, '.js')
    : tsFile.replace(/\.ts$/, '.js');
  if (!existsSync(twin)) throw new Unresolved(`operator module ${tsFile} is TypeScript and its build ${twin} is missing: build it (npx tsc${config ? ` -p ${config}` : ''})`);
  return twin;
}
