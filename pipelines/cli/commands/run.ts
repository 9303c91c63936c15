// `tierflow run <file>`: the whole topology in this process, on the embedded backbone unless --brokers (or the
// topology's backbone section) names Kafka. `tierflow demo` is the same run, with the demo gallery enrolled first.
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { compileTopology } from '../compile.js';
import { lookupOperator, runPlan, type RunSummary } from '../../runtime/run.js';
import type { Worker } from '../../runtime/worker.js';
import { DEFAULT_DASHBOARD_PORT, checkDashboardFlags, runPictures, startRunDashboard, type DashboardFlags, type RunDashboard } from '../../dashboard/launch.js';
import { workerStatusProvider } from '../../dashboard/status.js';
import { avroRecordCodec, withSchemaRegistry } from '../../runtime/codec.js';
import { streamsOf } from '../../streams/registry.js';
import { openBackbone } from '../../backbone/open.js';
import { TierflowError } from '../../errors.js';
import type { Plan } from '../../plan/types.js';
import { liveFeedFor } from '../../extension.js';
import { registry } from '../../registry.js';

interface RunFlags extends DashboardFlags {
  brokers?: string;
  json?: boolean;
  untilSourcesEnd?: boolean;
  dataDir: string;
  /** --no-dashboard sets it false. */
  dashboard?: boolean;
}

function dashboardOptions(cmd: Command): Command {
  return cmd
    .option('--dashboard-port <port>', `port of the dashboard (default ${DEFAULT_DASHBOARD_PORT}, or a free one when that is taken)`)
    .option('--bind <addr>', 'address the dashboard listens on (default 127.0.0.1; any other needs --token)')
    .option('--token <ref>', 'token for the dashboard\'s state-changing routes, as ${env:NAME}')
    .option('--site <name=url>', 'another site\'s dashboard (or worker /status URL) to show beside this one (repeatable)', (v: string, acc: string[] = []) => [...acc, v])
    .option('--no-dashboard', 'do not serve the dashboard');
}

const say = (line: string) => process.stderr.write(`${line}\n`);

export function registerRun(program: Command): void {
  dashboardOptions(program
    .command('run')
    .description('run every node of a topology in this process (embedded backbone by default), with its dashboard')
    .argument('<file>', 'topology YAML file')
    .option('--brokers <list>', 'run on Kafka at these comma-separated host:port brokers instead')
    .option('--json', 'print sink records as JSON lines and a JSON summary')
    .option('--until-sources-end', 'exit once file sources have ended and everything has drained')
    .option('--data-dir <dir>', 'folder for operator state', '.tierflow'))
    .action((file: string, flags: RunFlags) => runCommand(file, flags));
  dashboardOptions(program
    .command('demo')
    .description('the face-recognition demo: enrol the people in the demo photos, then run the topology until its cameras end')
    .argument('[file]', 'topology YAML file', 'topology.yaml')
    .option('--json', 'print sink records as JSON lines and a JSON summary')
    .option('--data-dir <dir>', 'folder for operator state', '.tierflow'))
    .action((file: string, flags: RunFlags) => runCommand(file, { ...flags, untilSourcesEnd: true }, (plan) => prepareDemo(plan, file)));
}

/** Each operator of the plan makes what the demo needs of it (its prepareDemo), once per flow. */
async function prepareDemo(plan: Plan, file: string): Promise<void> {
  const flows = new Map(plan.placements.map((p) => [p.operator, p.uses]));
  for (const [operator, uses] of flows) {
    await lookupOperator(uses).prepareDemo?.(plan.configs[operator] ?? {}, { sources: plan.sources, topologyDir: dirname(resolve(file)), say });
  }
}

async function runCommand(file: string, flags: RunFlags, beforeRun?: (plan: Plan) => Promise<void>): Promise<void> {
  const { plan, valid } = await compileTopology(file);
  const brokers = flags.brokers?.split(',').map((b) => b.trim()).filter(Boolean);
  if (flags.brokers !== undefined && (!brokers || brokers.length === 0 || brokers.some((b) => !/^[^\s:]+:\d+$/.test(b)))) {
    throw new TierflowError('BAD_ARGUMENT', `--brokers: expected host:port[,host:port...], got '${flags.brokers}'`, { exitCode: 2 });
  }
  const checked = flags.dashboard === false ? null : checkDashboardFlags(flags);
  let worker: Worker | null = null;
  let dashboard: RunDashboard | null = null;
  if (checked) {
    dashboard = await startRunDashboard({
      plan,
      checked,
      pictures: runPictures(plan, valid.topology, lookupOperator),
      status: workerStatusProvider(plan, () => worker),
      live: await liveFeedFor(plan, registry().extensions),
      log: say,
    });
    // The first line a user sees: where to look while it runs.
    say(`dashboard: ${dashboard.server.url}`);
  }
  try {
    await beforeRun?.(plan);
    await runWith(plan, brokers, flags, dashboard, (w) => (worker = w));
  } finally {
    await dashboard?.server.close();
  }
}

async function runWith(plan: Plan, brokers: string[] | undefined, flags: RunFlags, dashboard: RunDashboard | null, started: (w: Worker) => void): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => {
    say('stopping: draining and committing (press Ctrl-C again to abort)');
    process.off('SIGINT', onSignal);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const backbone = brokers ? { ...(plan.backbone.type === 'kafka' ? plan.backbone : {}), type: 'kafka' as const, brokers } : plan.backbone;
  say(`tierflow: running ${plan.topology} (${plan.chains.length} chains on ${new Set(plan.chains.map((c) => c.node)).size} nodes) on the ${backbone.type} backbone`);
  const summary = await runPlan(plan, {
    backbone,
    json: flags.json ?? false,
    untilSourcesEnd: flags.untilSourcesEnd ?? false,
    dataDir: resolve(flags.dataDir),
    out: (line) => process.stdout.write(`${line}\n`),
    log: say,
    openBackbone,
    codec: await withSchemaRegistry(avroRecordCodec(), { backbone, topics: plan.topics }, streamsOf(registry().operators)),
    signal: stop.signal,
    onOutput: dashboard?.live ? (operator, stream, records) => dashboard.live!.ingest(operator, stream, records) : undefined,
    onStarted: started,
  });
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : renderSummary(summary));
}

export function renderSummary(s: RunSummary): string {
  const lines = [
    '',
    `summary: ${s.frames} frames in ${s.seconds} s (${s.fps} fps), end-to-end latency p50 ${s.e2eLatencyMs.p50} ms, p99 ${s.e2eLatencyMs.p99} ms, ${s.dropped} frames dropped, ${s.events} events`,
  ];
  const cams = Object.keys(s.identities).sort();
  if (cams.length === 0) lines.push('  no identities recognised');
  for (const cam of cams) lines.push(`  ${cam}: ${s.identities[cam]!.join(', ')}`);
  return `${lines.join('\n')}\n`;
}
