// Parse keeps every YAML node's source position, so any problem found later (schema, graph, plan) can point
// at `file:line:col` of the key or value it is about, by its YAML path.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Document, type Node as YamlNode, type Pair } from 'yaml';
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

export function parseTopology(source: string, file: string): ParsedTopology {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lines.linePos(offset);
  // After the first syntax error the parser's view is usually off, so later errors are mostly echoes of it.
  const problems: SourceProblem[] = doc.errors.slice(0, 1).map((err) => {
    const { line, col } = at(err.pos[0]);
    const more = doc.errors.length > 1 ? ` (${doc.errors.length - 1} more YAML error(s) after it)` : '';
    return { file, line, col, path: '', message: `YAML: ${firstLine(err.message)}${more}` };
  });
  const locate = (path: YamlPath, pointAt: PointAt = 'value') => at(offsetOf(doc, path, pointAt));
  let data: unknown;
  if (problems.length === 0) {
    if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
      problems.push({ file, line: 1, col: 1, path: '', message: 'the document is empty; expected a topology mapping (name, tiers, nodes, flows, ...)' });
    } else if (!isMap(doc.contents)) {
      const { line, col } = locate([]);
      problems.push({ file, line, col, path: '', message: `the document is a ${isSeq(doc.contents) ? 'list' : 'scalar'}; expected a topology mapping (name, tiers, nodes, flows, ...)` });
    } else {
      data = doc.toJS({ maxAliasCount: 100 });
    }
  }
  return { file, data, problems, locate };
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
}

/** The deepest node on `path` that exists: a missing key points at the mapping that should hold it. */
function offsetOf(doc: Document.Parsed, path: YamlPath, pointAt: PointAt): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = (node.items as Pair[]).find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
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

function rangeStart(node: unknown): number | undefined {
  const range = (node as YamlNode | null | undefined)?.range;
  return range ? range[0] : undefined;
}
