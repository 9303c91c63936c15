// A module resolution hook (node:module's register): `import … from 'tierflow'` in an operator module resolves to the
// engine that runs it, wherever the module lies. A user's project then needs no tierflow of its own to run its
// operators, a module in a folder mounted into the worker image finds the image's engine, and there is never a
// second engine in one process (a second copy would register its operators in a registry nobody reads).
const API = new URL('../api/index.js', import.meta.url).href;

interface Resolved {
  url: string;
  shortCircuit?: boolean;
}

export function resolve(specifier: string, context: unknown, next: (specifier: string, context: unknown) => Promise<Resolved>): Promise<Resolved> | Resolved {
  return specifier === 'tierflow' ? { url: API, shortCircuit: true } : next(specifier, context);
}
