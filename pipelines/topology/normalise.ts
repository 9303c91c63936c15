// What a topology means before the schema sees it, for the two YAML habits compose users bring:
// - `x-` keys (compose's extension fields) at the top level and in node, link, source and flow entries hold
//   anchors to merge from (`x-camera: &camera {...}`); tierflow ignores them.
// - A key written with no value (`links:`, `config: ~`) where the schema has a default means the default, as
//   if it were left out. A required key with no value stays null and the schema says what it expects.
import type { TSchema } from '@sinclair/typebox';

const ENTRY_LISTS = ['nodes', 'links', 'sources', 'flows'];

/** A copy of `data` without extension keys and with defaulted nulls left out. */
export function normaliseTopology(schema: TSchema, data: unknown): unknown {
  const copy = structuredClone(data);
  if (!isRecord(copy)) return copy;
  dropExtensions(copy);
  for (const list of ENTRY_LISTS) {
    const entries = copy[list];
    if (Array.isArray(entries)) for (const e of entries) if (isRecord(e)) dropExtensions(e);
  }
  dropNulls(schema as SchemaShape, copy);
  return copy;
}

function dropExtensions(map: Record<string, unknown>): void {
  for (const key of Object.keys(map)) if (key.startsWith('x-')) delete map[key];
}

interface SchemaShape {
  type?: string;
  properties?: Record<string, SchemaShape & { default?: unknown }>;
  required?: string[];
  items?: SchemaShape;
}

function dropNulls(schema: SchemaShape, value: unknown): void {
  if (schema.type === 'array' && schema.items && Array.isArray(value)) {
    for (const item of value) dropNulls(schema.items, item);
    return;
  }
  if (schema.type !== 'object' || !schema.properties || !isRecord(value)) return;
  for (const [key, prop] of Object.entries(schema.properties)) {
    const optional = prop.default !== undefined || !(schema.required ?? []).includes(key);
    if (value[key] === null && optional) delete value[key];
    else if (value[key] !== undefined) dropNulls(prop, value[key]);
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
