// `npm run bench -- <name> [--json]`: benchmarks are not tests; each prints a table, and with --json its last
// line is one JSON object. Listed explicitly, loaded only when asked for.
const BENCHES: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  backbone: () => import('./backbone.js'),
  operators: () => import('./operators.js'),
  pipeline: () => import('./pipeline.js'),
  state: () => import('./state.js'),
  containers: () => import('./containers.js'),
  'eval-lfw': () => import('./eval-lfw.js'),
  plan: () => import('./plan.js'),
  migrate: () => import('./migrate.js'),
  placement: () => import('./placement.js'),
  capacity: () => import('./capacity.js'),
  arm64: () => import('./arm64.js'),
};

const [name, ...args] = process.argv.slice(2);
const load = name ? BENCHES[name] : undefined;
if (!load) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [--json]\n`);
  process.exitCode = 2;
} else {
  await (await load()).run(args);
}
