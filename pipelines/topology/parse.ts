// Parse keeps every YAML node's source position, so any problem found later (schema, graph, plan) can point
// at `file:line:col` of the key or value it is about, by its YAML path.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isAlias, isMap, isSeq, isScalar, visit, type Alias, type Document, type Node as YamlNode, type Pair } from 'yaml';
import jsYaml from 'js-yaml';
import { TierflowError, type SourceProblem } from '../errors.js';

/** A path into the document: map keys and sequence indexes, e.g. ['flows', 2, 'inputs', 0]. */
export type YamlPath = ReadonlyArray<string | number>;

/** Point at the key of the last path segment (unknown or duplicate keys) or at its value (the default). */
export type PointAt = 'key' | 'value';

export interface ParsedTopology {
  /** The file as the user named it, for messages. */
  file: string;
  /** Plain data of the document, or undefined when it could not be read as a mapping. */
  data: unknown;
  /** YAML syntax problems, an empty or a non-mapping document. */
  problems: SourceProblem[];
  locate(path: YamlPath, at?: PointAt): { line: number; col: number };
}

/** `flows[2].inputs[0]`: how problems name a place in the document. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out === '' ? '(document)' : out;
}

export function readTopologyFile(file: string): ParsedTopology {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TierflowError('FILE_NOT_FOUND', `tierflow: ${file}: no such file`, { exitCode: 2, cause: e });
    if (code === 'EISDIR') throw new TierflowError('BAD_ARGUMENT', `tierflow: ${file}: is a folder, expected a topology YAML file`, { exitCode: 2, cause: e });
    throw new TierflowError('FILE_NOT_FOUND', `tierflow: ${file}: cannot read (${code ?? String(e)})`, { exitCode: 2, cause: e });
  }
  return parseTopology(source, file);
}

/** Parses fast, and keeps source positions for when a problem needs them. js-yaml reads a 2 MB city topology
 *  about eight times faster than the yaml library builds its document with positions, so a valid file is
 *  read by js-yaml only (YAML 1.2 core schema plus merge keys, as the yaml library is configured below) and the
 *  positioned document is built the first time a problem is located. Whatever js-yaml refuses, or data it
 *  reads that could not be a topology, goes through the yaml library, which finds and places the problem. */
export function parseTopology(source: string, file: string): ParsedTopology {
  const fast = quickLoad(source);
  if (fast === undefined) return parseWithPositions(source, file);
  let full: ParsedTopology | undefined;
  return { file, data: fast, problems: [], locate: (path, pointAt) => (full ??= parseWithPositions(source, file)).locate(path, pointAt) };
}

// @types/js-yaml does not declare the built-in types that js-yaml exports.
const { merge } = (jsYaml as unknown as { types: { merge: jsYaml.Type } }).types;
const FAST_SCHEMA = jsYaml.CORE_SCHEMA.extend({ implicit: [merge] });

/** The document as data when js-yaml reads it as a mapping of sane size (aliases are shared references there:
 *  expanded, the data may be at most ten times what is written, plus a floor, and may not contain itself). */
function quickLoad(source: string): Record<string, unknown> | undefined {
  let data: unknown;
  try {
    // js-yaml's own cap on merge keys (10,000) is one city's camera nodes: the expanded-size check below is the cap.
    data = jsYaml.load(source, { schema: FAST_SCHEMA, maxTotalMergeKeys: Number.MAX_SAFE_INTEGER } as jsYaml.LoadOptions);
  } catch {
    return undefined;
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const distinct = new Set<object>();
  const memo = new Map<object, number>();
  const onPath = new Set<object>();
  let cyclic = false;
  const size = (v: unknown): number => {
    if (v === null || typeof v !== 'object' || cyclic) return 1;
    if (onPath.has(v)) {
      cyclic = true;
      return 1;
    }
    const known = memo.get(v);
    if (known !== undefined) return known;
    distinct.add(v);
    onPath.add(v);
    let n = 1;
    for (const child of Object.values(v)) n += size(child);
    onPath.delete(v);
    memo.set(v, n);
    return n;
  };
  const expanded = size(data);
  if (cyclic || expanded > 100_000 + 10 * (distinct.size + source.length / 8)) return undefined;
  return data as Record<string, unknown>;
}

/** The yaml library's positioned document: every problem found and placed. Exported for tests. */
export function parseWithPositions(source: string, file: string): ParsedTopology {
  const lines = new LineCounter();
  // Merge keys (`<<: *defaults`) as docker-compose files use them: explicit keys beat merged ones.
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  const at = (offset: number) => lines.linePos(offset);
  // After the first syntax error the parser's view is usually off, so later errors are mostly echoes of it.
  const problems: SourceProblem[] = doc.errors.slice(0, 1).map((err) => {
    const { line, col } = at(err.pos[0]);
    const more = doc.errors.length > 1 ? ` (${doc.errors.length - 1} more YAML error(s) after it)` : '';
    return { file, line, col, path: '', message: `YAML: ${firstLine(err.message)}${more}` };
  });
  let aliases: Aliases | undefined;
  const aliasTargets = () => (aliases ??= resolveAliases(doc)).target;
  const locate = (path: YamlPath, pointAt: PointAt = 'value') => at(offsetOf(doc, path, pointAt, aliasTargets()));
  let data: unknown;
  if (problems.length === 0) {
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
      problems.push({ file, line: 1, col: 1, path: '', message: 'the document is empty; expected a topology mapping (name, tiers, nodes, flows, ...)' });
    } else if (!isMap(doc.contents)) {
      const { line, col } = locate([]);
      problems.push({ file, line, col, path: '', message: `the document is a ${isSeq(doc.contents) ? 'list' : 'scalar'}; expected a topology mapping (name, tiers, nodes, flows, ...)` });
    } else {
      aliases = resolveAliases(doc);
      if (aliases.problem) {
        const { line, col } = at(aliases.problem.offset);
        problems.push({ file, line, col, path: '', message: aliases.problem.message });
      } else {
        if (expandedSize(doc.contents, aliases.target, new Map()) > aliasBudget(doc.contents)) {
          const { line, col } = at(aliases.first ?? 0);
          problems.push({ file, line, col, path: '', message: 'YAML: aliases nested in aliases expand to too much data (an alias bomb?); write the repeated parts out or merge them one level deep' });
        } else {
          inlineAliases(doc.contents, aliases.target, new Set());
          data = doc.toJS({ maxAliasCount: -1 });
        }
      }
    }
  }
  return { file, data, problems, locate };
}

/** A city topology repeats one anchor per node (`<<: *camera`), which the yaml library's alias count (100 by
 *  default) refuses and its alias lookup (a scan of the document per alias) makes quadratic. So aliases are
 *  checked here instead: the document with every alias expanded may be at most ten times its written size
 *  (plus a floor), which a city file keeps far inside and a nested alias bomb (exponential) exceeds at once. */
function aliasBudget(root: unknown): number {
  return 100_000 + 10 * expandedSize(root, new Map(), new Map());
}

/** Nodes in the document with aliases expanded (aliases are resolved through `targets`), memoised per node. */
function expandedSize(node: unknown, targets: Map<Alias, YamlNode>, memo: Map<unknown, number>): number {
  if (node === null || node === undefined) return 1;
  const known = memo.get(node);
  if (known !== undefined) return known;
  memo.set(node, 1); // an alias to an enclosing anchor (a cycle) counts once
  let size = 1;
  if (isAlias(node)) {
    const target = targets.get(node);
    size = target ? expandedSize(target, targets, memo) : 1;
  } else if (isMap(node)) {
    for (const p of node.items as Pair[]) size += expandedSize(p.key, targets, memo) + expandedSize(p.value, targets, memo);
  } else if (isSeq(node)) {
    for (const item of node.items) size += expandedSize(item, targets, memo);
  }
  memo.set(node, size);
  return size;
}

/** Every alias replaced by the node it names (shared, not copied): the yaml library converts it as it would
 *  the alias, merge keys included, without looking the anchor up again. */
function inlineAliases(node: unknown, targets: Map<Alias, YamlNode>, seen: Set<unknown>): void {
  if (node === null || typeof node !== 'object' || seen.has(node)) return;
  seen.add(node);
  const inline = (n: unknown) => (isAlias(n) ? (targets.get(n) ?? n) : n);
  if (isMap(node)) {
    for (const p of node.items as Pair[]) {
      p.key = inline(p.key);
      p.value = inline(p.value);
      inlineAliases(p.key, targets, seen);
      inlineAliases(p.value, targets, seen);
    }
  } else if (isSeq(node)) {
    node.items = node.items.map(inline);
    for (const item of node.items) inlineAliases(item, targets, seen);
  }
}

interface Aliases {
  count: number;
  /** Offset of the first alias. */
  first?: number;
  /** The first alias that names no anchor defined before it. */
  problem?: { offset: number; message: string };
  /** What each alias stands for (the yaml library's own lookup walks the whole document per alias). */
  target: Map<Alias, YamlNode>;
}

/** One walk in document order: an alias refers to the last anchor of its name before it. */
function resolveAliases(doc: Document.Parsed): Aliases {
  const out: Aliases = { count: 0, target: new Map() };
  const anchors = new Map<string, YamlNode>();
  visit(doc, {
    Node(_, node, ancestors) {
      if (isAlias(node)) {
        out.count++;
        out.first ??= node.range?.[0];
        const target = anchors.get(node.source);
        if (target && ancestors.includes(target)) out.problem ??= { offset: node.range?.[0] ?? 0, message: `YAML: alias *${node.source} is inside the node &${node.source} names, so it would contain itself` };
        else if (target) out.target.set(node, target);
        else out.problem ??= { offset: node.range?.[0] ?? 0, message: `YAML: unknown alias *${node.source}: no anchor &${node.source} is defined before it` };
      } else if (node.anchor) {
        anchors.set(node.anchor, node);
      }
    },
  });
  return out;
}

function firstLine(message: string): string {
  const line = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
  if (line.startsWith('Source contains multiple documents')) return 'a topology file holds one YAML document; this one has another after a --- separator';
  return line;
}

/** The deepest node on `path` that exists: a missing key points at the mapping that should hold it. */
function offsetOf(doc: Document.Parsed, path: YamlPath, pointAt: PointAt, targets: Map<Alias, YamlNode>): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    // Into an alias: the value is written at its anchor.
    if (isAlias(node)) node = targets.get(node) ?? node;
    if (isMap(node)) {
      const pair = findPair(targets, node.items as Pair[], String(seg));
      if (!pair) return offset;
      const keyStart = rangeStart(pair.key);
      if (last && pointAt === 'key' && keyStart !== undefined) return keyStart;
      node = pair.value;
      // A key with no value (`cpu:`) has no value node: point at the key.
      offset = rangeStart(node) ?? keyStart ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) return offset;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

/** The pair for `key` in a mapping, or in what it merges (`<<: *a` or `<<: [*a, *b]`; the first merged wins). */
function findPair(targets: Map<Alias, YamlNode>, items: Pair[], key: string, depth = 0): Pair | undefined {
  // With `merge: true` a merge key's value is a symbol; its source text is `<<`.
  const isMerge = (p: Pair) => isScalar(p.key) && typeof p.key.value === 'symbol';
  const keyOf = (p: Pair) => (isScalar(p.key) ? String(p.key.value) : String(p.key));
  const own = items.find((p) => !isMerge(p) && keyOf(p) === key);
  if (own || depth > 20) return own;
  for (const merge of items.filter(isMerge)) {
    const sources = isSeq(merge.value) ? merge.value.items : [merge.value];
    for (const src of sources) {
      const target = isAlias(src) ? targets.get(src) : src;
      if (isMap(target)) {
        const found = findPair(targets, target.items as Pair[], key, depth + 1);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? range[0] : undefined;
}
