// Schema errors as a reader wants them: "nodes[1].cpu: expected a number > 0 (got 0)", unknown keys named
// with the allowed ones, and unions (placement, backbone) explained by the variant the value was aiming at.
import { ValueErrorType, Value, type ValueError } from '@sinclair/typebox/value';
import type { TSchema } from '@sinclair/typebox';
import type { YamlPath } from './parse.js';
import { finding, show, type Finding } from './finding.js';

interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  const?: unknown;
  pattern?: string;
  description?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  multipleOf?: number;
  minItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** Every schema problem of `value` (defaults already applied), with paths below `base`. */
export function schemaProblems(schema: TSchema, value: unknown, base: YamlPath): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const err of Value.Errors(schema, value)) {
    const path = [...base, ...pointerToPath(err.path, value)];
    const key = path.join('/');
    // One problem per place: a missing key also fails its type check, a union fails once per variant.
    if ([...seen].some((s) => key === s || key.startsWith(`${s}/`))) continue;
    seen.add(key);
    out.push(...explain(err, path));
  }
  return out;
}

function explain(err: ValueError, path: YamlPath): Finding[] {
  const schema = err.schema as JsonSchema;
  const parent = path.slice(0, -1);
  const key = String(path[path.length - 1]);
  switch (err.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return [finding(parent, `missing required key '${key}'`)];
    case ValueErrorType.ObjectAdditionalProperties:
      return [finding(path, `unknown key '${key}' (allowed: ${Object.keys(schema.properties ?? {}).join(', ')})`, 'key')];
    case ValueErrorType.Union:
      return explainUnion(schema, err.value, path);
    default:
      return [finding(path, `expected ${expectation(schema)} (got ${show(err.value)}${quotedHint(schema, err.value)})`)];
  }
}

/** An object aimed at one variant (same `type`, or only that variant's keys) gets that variant's errors. */
function explainUnion(schema: JsonSchema, value: unknown, path: YamlPath): Finding[] {
  const variants = schema.anyOf ?? [];
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const target = variants.find((v) => {
      const props = v.properties;
      if (!props) return false;
      const tag = props['type']?.const;
      if (tag !== undefined) return (value as Record<string, unknown>)['type'] === tag;
      return keys.length > 0 && keys.every((k) => k in props);
    });
    if (target) return schemaProblems(target as TSchema, value, path);
  }
  return [finding(path, `expected ${expectation(schema)} (got ${show(value)})`)];
}

/** What a schema accepts, in words. */
export function expectation(schema: JsonSchema): string {
  if (schema.anyOf) {
    if (schema.description?.startsWith('Where the operator may run')) return "'auto', {tier: T}, {node: N} or {near: source}";
    const options = schema.anyOf.map((v) => (v.const !== undefined ? show(v.const) : v.properties?.['type']?.const !== undefined ? `{type: ${String(v.properties['type'].const)}, ...}` : expectation(v)));
    return `one of ${options.join(', ')}`;
  }
  if (schema.const !== undefined) return show(schema.const);
  switch (schema.type) {
    case 'number':
    case 'integer': {
      const bounds: string[] = [];
      if (schema.exclusiveMinimum !== undefined) bounds.push(`> ${schema.exclusiveMinimum}`);
      if (schema.minimum !== undefined) bounds.push(`>= ${schema.minimum}`);
      if (schema.exclusiveMaximum !== undefined) bounds.push(`< ${schema.exclusiveMaximum}`);
      if (schema.maximum !== undefined) bounds.push(`<= ${schema.maximum}`);
      if (schema.multipleOf !== undefined) bounds.push(`a multiple of ${schema.multipleOf}`);
      const kind = schema.type === 'integer' ? 'a whole number' : 'a number';
      return bounds.length === 0 ? kind : `${kind} ${bounds.join(' and ')}`;
    }
    case 'string':
      if (schema.pattern === '^[a-z][a-z0-9-]{0,62}$') return "a name of lowercase letters, digits and '-', starting with a letter";
      if (schema.pattern !== undefined) return `a string matching ${schema.pattern}${schema.description ? ` (${schema.description})` : ''}`;
      return 'a string';
    case 'boolean':
      return 'true or false';
    case 'array':
      return schema.minItems ? `a list of at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}` : 'a list';
    case 'object':
      return 'a mapping';
    default:
      return 'a valid value';
  }
}

/** YAML reads `cpu: "4"` as a string: say so, since the value looks right. */
function quotedHint(schema: JsonSchema, value: unknown): string {
  if (typeof value !== 'string') return '';
  const numeric = (schema.type === 'number' || schema.type === 'integer') && value.trim() !== '' && Number.isFinite(Number(value));
  const boolean = schema.type === 'boolean' && (value === 'true' || value === 'false');
  return numeric || boolean ? `, a string because it is quoted: write ${value.trim()} without quotes` : '';
}

/** `/flows/2/inputs/0` -> ['flows', 2, 'inputs', 0], numbers only where the data holds a list. */
function pointerToPath(pointer: string, root: unknown): Array<string | number> {
  const out: Array<string | number> = [];
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const index = Array.isArray(node) && /^[0-9]+$/.test(seg) ? Number(seg) : undefined;
    out.push(index ?? seg);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  }
  return out;
}
