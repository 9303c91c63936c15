// The operators the engine runs. The engine imports none of them: it is given modules by specifier (tierflow's own
// package.json lists its built-in operators under `tierflow.operators`), imports them once at start, and hands the
// same specifiers to every operator thread so a thread finds exactly what its process found. A module's default
// export is one operator definition or a list of them; its named export `extension` may add CLI commands and a
// dashboard feed (pipelines/extension.ts), as the face library does.
import { readFileSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AnyOperatorDefinition } from './operator.js';
import type { ModuleExtension } from './extension.js';
import { TierflowError } from './errors.js';

export interface OperatorRegistry {
  readonly operators: readonly AnyOperatorDefinition[];
  /** The module specifiers (file URLs) the operators came from, in order. */
  readonly modules: readonly string[];
  /** What the modules add besides operators, in module order. */
  readonly extensions: readonly ModuleExtension[];
  /** `name@version`, or undefined. */
  find(uses: string): AnyOperatorDefinition | undefined;
}

export function makeRegistry(operators: readonly AnyOperatorDefinition[], modules: readonly string[], extensions: readonly ModuleExtension[] = []): OperatorRegistry {
  const byUses = new Map<string, AnyOperatorDefinition>();
  for (const op of operators) {
    const uses = `${op.name}@${op.version}`;
    if (byUses.has(uses)) throw new TierflowError('BAD_ARGUMENT', `operator ${uses} is defined twice (modules: ${modules.join(', ')})`, { exitCode: 2 });
    byUses.set(uses, op);
  }
  return { operators, modules, extensions, find: (uses) => byUses.get(uses) };
}

const isDefinition = (v: unknown): v is AnyOperatorDefinition =>
  typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string' && typeof (v as { version?: unknown }).version === 'number' && typeof (v as { create?: unknown }).create === 'function';

/** The definitions a module exports by default; a module that exports none is refused with its specifier. */
export async function importOperatorModule(specifier: string): Promise<AnyOperatorDefinition[]> {
  return (await importModule(specifier)).operators;
}

interface LoadedModule {
  operators: AnyOperatorDefinition[];
  extension?: ModuleExtension;
}

let resolvesTierflow = false;

/** From here on `import … from 'tierflow'` in any module means this engine (see tierflow-resolve-hook.ts). */
function resolveTierflowToThisEngine(): void {
  if (resolvesTierflow) return;
  resolvesTierflow = true;
  register(new URL('./tierflow-resolve-hook.js', import.meta.url));
}

async function importModule(specifier: string): Promise<LoadedModule> {
  // The hook runs every later import through a thread of its own: ~0.3 s more for a process's start (the built-in
  // operators and what they load). Tierflow's own modules need none of it: they resolve 'tierflow' to this package
  // by its name (package.json `exports`).
  if (!builtinOperatorModules().includes(specifier)) resolveTierflowToThisEngine();
  let mod: { default?: unknown; extension?: unknown };
  try {
    mod = (await import(specifier)) as { default?: unknown; extension?: unknown };
  } catch (e) {
    throw new TierflowError('BAD_ARGUMENT', `operator module ${specifier} cannot be loaded: ${(e as Error).message.split('\n')[0]}`, { exitCode: 2, cause: e });
  }
  const exported = Array.isArray(mod.default) ? (mod.default as unknown[]) : [mod.default];
  const bad = exported.findIndex((d) => !isDefinition(d));
  if (exported.length === 0 || bad >= 0) {
    throw new TierflowError('BAD_ARGUMENT', `operator module ${specifier} must export by default an operator definition (name, version, create) or a list of them`, { exitCode: 2 });
  }
  if (mod.extension !== undefined && (typeof mod.extension !== 'object' || mod.extension === null)) {
    throw new TierflowError('BAD_ARGUMENT', `operator module ${specifier}: its export 'extension' must be an object (commands, liveFeed)`, { exitCode: 2 });
  }
  return { operators: exported as AnyOperatorDefinition[], ...(mod.extension ? { extension: mod.extension as ModuleExtension } : {}) };
}

async function importModules(modules: readonly string[]): Promise<{ operators: AnyOperatorDefinition[]; extensions: ModuleExtension[] }> {
  const operators: AnyOperatorDefinition[] = [];
  const extensions: ModuleExtension[] = [];
  for (const m of modules) {
    const loaded = await importModule(m);
    operators.push(...loaded.operators);
    if (loaded.extension) extensions.push(loaded.extension);
  }
  return { operators, extensions };
}

export async function loadRegistry(modules: readonly string[]): Promise<OperatorRegistry> {
  const { operators, extensions } = await importModules(modules);
  return makeRegistry(operators, modules, extensions);
}

const packageJson = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');

/** The built-in operator modules tierflow's package.json names (`tierflow.operators`, paths relative to it). */
export function builtinOperatorModules(): string[] {
  const pkg = JSON.parse(readFileSync(packageJson, 'utf8')) as { tierflow?: { operators?: string[] } };
  return (pkg.tierflow?.operators ?? []).map((p) => pathToFileURL(join(dirname(packageJson), p)).href);
}

let installed: OperatorRegistry | undefined;

/** Installs the registry the rest of this process (and its operator threads) uses. */
export function installRegistry(r: OperatorRegistry): OperatorRegistry {
  installed = r;
  return r;
}

/** Loads and installs the built-in operators, once. */
export async function installBuiltinOperators(): Promise<OperatorRegistry> {
  return installed ?? installRegistry(await loadRegistry(builtinOperatorModules()));
}

/** Adds the operators of modules not loaded yet (a topology's own, a plan's operatorModules) and installs the result. */
export async function extendRegistry(modules: readonly string[]): Promise<OperatorRegistry> {
  const base = registry();
  const fresh = modules.filter((m, i) => !base.modules.includes(m) && modules.indexOf(m) === i);
  if (fresh.length === 0) return base;
  const added = await importModules(fresh);
  return installRegistry(makeRegistry([...base.operators, ...added.operators], [...base.modules, ...fresh], [...base.extensions, ...added.extensions]));
}

export function registry(): OperatorRegistry {
  if (!installed) throw new TierflowError('INTERNAL', 'no operators installed: the entry point loads them first (installBuiltinOperators)');
  return installed;
}
