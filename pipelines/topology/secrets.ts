// Credentials never sit in a topology file (it is committed, printed in plans and shipped to nodes): only an
// environment reference `${env:NAME}` may stand where a password, token or key belongs.
import { ENV_REF_PATTERN } from './schema.js';
import { finding, type Finding } from './finding.js';

const SECRET_KEYS = new Set(['password', 'secret', 'token', 'apikey']);
const envRef = new RegExp(ENV_REF_PATTERN);

/** Literal secrets anywhere in the document, plus the backbone's SASL user name. */
export function literalSecrets(data: unknown): Finding[] {
  const out: Finding[] = [];
  const walk = (node: unknown, path: Array<string | number>) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...path, i]));
    } else if (node !== null && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        const isSecret = SECRET_KEYS.has(key.toLowerCase()) || isBackboneUsername(path, key);
        if (isSecret && isLiteral(value)) out.push(finding([...path, key], `literal secret; write it as an environment reference like \${env:${envName(key)}}`));
        else walk(value, [...path, key]);
      }
    }
  };
  walk(data, []);
  return out;
}

function isLiteral(value: unknown): boolean {
  if (typeof value === 'string') return !envRef.test(value);
  return typeof value === 'number' || typeof value === 'boolean';
}

function isBackboneUsername(path: Array<string | number>, key: string): boolean {
  return key === 'username' && path.length === 2 && path[0] === 'backbone' && path[1] === 'security';
}

function envName(key: string): string {
  return `TIERFLOW_${key.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
}
