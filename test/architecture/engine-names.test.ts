// The engine (pipelines/, tests aside) names no operator and no stream of the face flow, and imports nothing from
// operators/ or from the face models (models/): it learns about operators only from the registry it is given (pipelines/registry.ts). Read with the
// TypeScript parser: every import specifier (static, dynamic, re-export) and every string or template literal.
// The face library (operators/vision, operators/media), its commands and the dashboard's view of face records came
// out of the engine through the module extension (pipelines/extension.ts), so nothing is excepted any more.
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
const modelsDir = join(repoRoot, 'models');
// 'results' is also the plan's own word for a topic kind (kind: 'results': a topology's published topics); the
// results@1 operator is named after it, so only its `results@` form counts as naming the operator.
const ENGINE_WORDS = new Set(['results']);
const names = new Set([...OPERATORS.map((o) => o.name), ...FACE_STREAMS.map((s) => s.name)].filter((n) => !ENGINE_WORDS.has(n)));
const uses = new RegExp(`\\b(${OPERATORS.map((o) => o.name).join('|')})@`);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** What a file names: `import:<path>` for an import into operators/ or models/, the literal's text for a name. */
export function couplings(file: string, text: string): string[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found = new Set<string>();
  const specifier = (s: string) => {
    if (!s.startsWith('.')) return;
    const target = resolve(dirname(file), s);
    if (target.startsWith(operatorsDir + '/') || target.startsWith(modelsDir + '/')) found.add(`import:${relative(repoRoot, target)}`);
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

test('the engine names no operator or face stream and imports nothing from operators/ or models/', () => {
  const now: Record<string, string[]> = {};
  for (const file of sourceFiles(engine)) {
    const c = couplings(file, readFileSync(file, 'utf8'));
    if (c.length) now[relative(repoRoot, file)] = c;
  }
  assert.deepEqual(now, {}, 'couplings of the engine to operators (go through the registry, a declared property or a module extension)');
});

test('the scanner sees imports, dynamic imports, name literals and uses strings', () => {
  const f = join(engine, 'x', 'y.ts');
  const src = `import a from '../../operators/index.js'; const m = await import('../../operators/match/index.js');
    const s = 'frames'; const t = \`\${x}.events\`; const u = 'see decode@1'; const ok = 'framesets'; import b from './local.js';
    import { listModels } from '../../models/registry.js';`;
  assert.deepEqual(couplings(f, src), ['decode@', 'frames', 'import:models/registry.js', 'import:operators/index.js', 'import:operators/match/index.js']);
});
