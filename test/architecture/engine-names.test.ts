// The engine (pipelines/, tests aside) names no operator and no stream of the face flow, and imports nothing from
// operators/: it learns about operators only from the registry it is given (pipelines/registry.ts). Read with the
// TypeScript parser: every import specifier (static, dynamic, re-export) and every string or template literal.
// What is still coupled is listed in KNOWN with the reason; a new coupling fails, and so does an entry that no
// longer occurs, so the list only shrinks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../helpers/paths.js';
import { OPERATORS } from '../../operators/index.js';
import { FACE_STREAMS } from '../../operators/streams/index.js';

const engine = join(repoRoot, 'pipelines');
const operatorsDir = join(repoRoot, 'operators');
// 'results' is also the plan's own word for a topic kind (kind: 'results': a topology's published topics); the
// results@1 operator is named after it, so only its `results@` form counts as naming the operator.
const ENGINE_WORDS = new Set(['results']);
const names = new Set([...OPERATORS.map((o) => o.name), ...FACE_STREAMS.map((s) => s.name)].filter((n) => !ENGINE_WORDS.has(n)));
const uses = new RegExp(`\\b(${OPERATORS.map((o) => o.name).join('|')})@`);

/** Couplings still there, file → what it names, each with why it is not gone yet. */
const FACE_LIBRARY = 'the face library (pipelines/vision) moves to operators/ with the vision commands, once an operator module can contribute CLI commands';
const KNOWN: Record<string, { names: string[]; why: string }> = {
  'pipelines/vision/align.ts': { names: ['import:operators/streams/records.js'], why: FACE_LIBRARY },
  'pipelines/vision/faces.ts': { names: ['import:operators/streams/records.js'], why: FACE_LIBRARY },
  'pipelines/vision/still-detect.ts': { names: ['import:operators/streams/records.js'], why: FACE_LIBRARY },
  'pipelines/vision/enroll.ts': { names: ['embeddings'], why: FACE_LIBRARY },
  'pipelines/cli/commands/vision.ts': { names: ['faces'], why: FACE_LIBRARY },
  'pipelines/dashboard/live.ts': {
    names: ['embeddings', 'events', 'faces', 'frames', 'import:operators/streams/records.js', 'matches'],
    why: 'the dashboard draws the face flow (boxes, identities); its per-stream views become something a stream declares',
  },
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** What a file names: `import:<path>` for an import into operators/, the literal's text for a name. */
export function couplings(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found = new Set<string>();
  const specifier = (s: string) => {
    if (!s.startsWith('.')) return;
    const target = resolve(dirname(file), s);
    if (target.startsWith(operatorsDir + '/')) found.add(`import:${relative(repoRoot, target)}`);
  };
  const literal = (s: string) => {
    if (names.has(s)) found.add(s);
    const m = uses.exec(s);
    if (m) found.add(`${m[1]}@`);
  };
  const visit = (n: ts.Node) => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) specifier(n.moduleSpecifier.text);
    else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteralLike(n.arguments[0])) specifier(n.arguments[0].text);
    else if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) literal(n.text);
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return [...found].sort();
}

test('the engine names no operator or face stream and imports nothing from operators/, beyond the known list', () => {
  const now: Record<string, string[]> = {};
  for (const file of sourceFiles(engine)) {
    const c = couplings(file, readFileSync(file, 'utf8'));
    if (c.length) now[relative(repoRoot, file)] = c;
  }
  const unexpected = Object.entries(now).flatMap(([f, c]) => c.filter((x) => !KNOWN[f]?.names.includes(x)).map((x) => `${f}: ${x}`));
  const gone = Object.entries(KNOWN).flatMap(([f, k]) => k.names.filter((x) => !now[f]?.includes(x)).map((x) => `${f}: ${x}`));
  assert.deepEqual(unexpected, [], 'new couplings of the engine to operators (go through the registry or a declared property)');
  assert.deepEqual(gone, [], 'couplings that are gone: remove them from KNOWN');
});

test('the scanner sees imports, dynamic imports, name literals and uses strings', () => {
  const f = join(engine, 'x', 'y.ts');
  const src = `import a from '../../operators/index.js'; const m = await import('../../operators/match/index.js');
    const s = 'frames'; const t = \`\${x}.events\`; const u = 'see decode@1'; const ok = 'framesets'; import b from './local.js';`;
  assert.deepEqual(couplings(f, src), ['decode@', 'frames', 'import:operators/index.js', 'import:operators/match/index.js']);
});
