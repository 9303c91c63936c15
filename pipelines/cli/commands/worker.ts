// `tierflow worker`: one long-running worker process, as `deploy` starts them (one per node locally, one per
// chain replica on Kubernetes). It runs until SIGTERM/SIGINT, then stops its sources, drains and commits.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Worker } from '../../runtime/worker.js';
import { serveWorker } from '../../runtime/http.js';
import { avroRecordCodec, withSchemaRegistry } from '../../runtime/codec.js';
import { streamsOf } from '../../streams/registry.js';
import { lookupOperator } from '../../runtime/run.js';
import { openBackbone } from '../../backbone/open.js';
import { plannedTopicSpecs } from '../../runtime/provision.js';
import { TierflowError } from '../../errors.js';
import { extendRegistry, registry } from '../../registry.js';
import { readNodeCredential } from '../../backbone/credential.js';
import type { Plan } from '../../plan/types.js';
import type { BackboneSpec } from '../../topology/schema.js';

/** How long a failed worker's stop may take before the process exits anyway (its supervisor restarts it). */
const FAILED_STOP_MS = 20_000;

interface WorkerFlags {
  plan: string;
  node: string;
  chain?: string;
  replicas?: string;
  brokers?: string;
  metricsHost: string;
  metricsPort: string;
  dataDir: string;
  credential?: string;
  standby?: boolean;
}

const say = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run the chains a plan placed on one node, until stopped (started by `tierflow deploy`)')
    .requiredOption('--plan <file>', 'plan JSON written by `tierflow plan --json` or `deploy`')
    .requiredOption('--node <node>', 'node whose chains to run')
    .option('--chain <id>', 'run one replica of this chain only')
    .option('--replicas <list>', 'replicas per chain, e.g. detect=2,aggregate=1')
    .option('--brokers <list>', 'Kafka brokers (default: the plan, or TIERFLOW_BROKERS)')
    .option('--metrics-host <host>', 'address of the health and metrics endpoint', '127.0.0.1')
    .option('--metrics-port <port>', 'port of the health and metrics endpoint (0 picks one)', '0')
    .option('--data-dir <dir>', 'folder for operator state', '.tierflow')
    .option('--credential <file>', "this node's own Kafka user and password (JSON, mode 0600, written by deploy); the worker then creates no topics")
    .option('--standby', 'a warm standby (migrate): load the operators and read the changelogs, say `warm`, then wait for SIGUSR2 before joining groups and opening sources')
    .action((flags: WorkerFlags) => runWorker(flags));
}

export function parseReplicas(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (text ?? '').split(',').filter(Boolean)) {
    const m = /^([a-z0-9.-]+)=([1-9][0-9]*)$/.exec(part.trim());
    if (!m) throw new TierflowError('BAD_ARGUMENT', `--replicas: expected chain=N[,chain=N], got '${part}'`, { exitCode: 2 });
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** --brokers, else TIERFLOW_BROKERS, else how the plan says this node reaches Kafka, else the plan's backbone. */
function backboneFor(plan: Plan, flags: WorkerFlags): BackboneSpec {
  const list = flags.brokers ?? process.env['TIERFLOW_BROKERS'] ?? plan.nodeBrokers?.[flags.node]?.join(',');
  if (!list) return plan.backbone;
  const security = plan.backbone.type === 'kafka' ? plan.backbone.security : undefined;
  return { type: 'kafka', brokers: list.split(',').map((b) => b.trim()), ...(security ? { security } : {}) };
}

/** A standby waits for SIGUSR2 (go: true) or SIGTERM/SIGINT (go: false). */
function switchOrStop(): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (go: boolean) => () => {
      process.off('SIGUSR2', onGo);
      process.off('SIGTERM', onStop);
      process.off('SIGINT', onStop);
      resolve(go);
    };
    const onGo = done(true);
    const onStop = done(false);
    process.once('SIGUSR2', onGo);
    process.once('SIGTERM', onStop);
    process.once('SIGINT', onStop);
  });
}

/** Ends the worker on `e`, first telling the supervisor on stdout what it was, so it can decide not to restart. */
async function runWorker(flags: WorkerFlags): Promise<void> {
  try {
    await runWorkerUntilStopped(flags);
  } catch (e) {
    if (e instanceof TierflowError) {
      process.stdout.write(`${JSON.stringify({ type: 'fatal', code: e.code, retriable: e.retriable, message: e.message.split('\n')[0] })}\n`);
    }
    throw e;
  }
}

async function runWorkerUntilStopped(flags: WorkerFlags): Promise<void> {
  let plan: Plan;
  try {
    plan = JSON.parse(await readFile(flags.plan, 'utf8')) as Plan;
  } catch (e) {
    throw new TierflowError('FILE_NOT_FOUND', `--plan ${flags.plan}: not a readable plan JSON (${(e as Error).message})`, { exitCode: 2 });
  }
  // The topology's own operators (uses: ./path@1): the plan names their modules.
  await extendRegistry(plan.operatorModules ?? []);
  if (!plan.chains.some((c) => c.node === flags.node)) throw new TierflowError('BAD_ARGUMENT', `--node ${flags.node}: the plan places nothing there`, { exitCode: 2 });
  if (flags.chain && !plan.chains.some((c) => c.id === flags.chain && c.node === flags.node)) {
    throw new TierflowError('BAD_ARGUMENT', `--chain ${flags.chain}: no such chain on node ${flags.node}`, { exitCode: 2 });
  }
  const spec = backboneFor(plan, flags);
  if (spec.type === 'embedded') throw new TierflowError('BAD_ARGUMENT', 'a worker process needs Kafka: give --brokers or TIERFLOW_BROKERS, or a kafka backbone in the topology', { exitCode: 2 });
  const credential = flags.credential ? readNodeCredential(flags.credential) : undefined;
  const backbone = await openBackbone(spec, process.env, credential);
  // Every worker provisions what it touches: idempotent, and a cluster needs no separate set-up step. With a node
  // credential this only registers the topics' settings: the node may not create topics, deploy did.
  await backbone.provision(plannedTopicSpecs(plan));
  const replicas = flags.chain ? { [flags.chain]: 1 } : parseReplicas(flags.replicas);
  const worker = new Worker({
    plan,
    nodes: [flags.node],
    chains: flags.chain ? [flags.chain] : undefined,
    replicas,
    backbone,
    codec: await withSchemaRegistry(avroRecordCodec(), plan, streamsOf(registry().operators)),
    operators: lookupOperator,
    dataDir: flags.dataDir,
    log: say,
  });
  try {
    if (flags.standby) {
      const t0 = performance.now();
      const keys = await worker.prepare({ warm: true });
      say(`worker ${flags.node} warm in ${Math.round(performance.now() - t0)} ms (changelog keys read ahead: ${JSON.stringify(keys)}); waiting for the switch`);
      process.stdout.write(`${JSON.stringify({ type: 'warm', node: flags.node, keys, pid: process.pid })}\n`);
      if (!(await switchOrStop())) {
        say('standby stopped before the switch');
        await worker.stop();
        await backbone.close();
        return;
      }
      say('switch: joining the groups, opening the sources');
    }
    await worker.start();
  } catch (e) {
    // An open Kafka client keeps the process alive: without closing it, a worker whose operators cannot start
    // (a missing gallery) would sit there unready until deploy gave up, instead of exiting with its reason.
    await worker.stop().catch(() => undefined);
    await backbone.close().catch(() => undefined);
    throw e;
  }
  const endpoint = await serveWorker(worker, { host: flags.metricsHost, port: Number(flags.metricsPort) });
  const stopFlush = worker.startFlushTimer();
  say(`worker ${flags.node}${flags.chain ? `/${flags.chain}` : ''} ready: metrics ${endpoint.url}/metrics, health ${endpoint.url}/healthz`);
  process.stdout.write(`${JSON.stringify({ type: 'ready', node: flags.node, metrics: `${endpoint.url}/metrics`, status: `${endpoint.url}/status`, pid: process.pid })}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
    const failed = setInterval(() => worker.failure() && resolve(), 500);
    failed.unref();
  });
  stopFlush();
  if (worker.failure()) {
    // A failed chain's clients may be what failed (a producer that stopped reporting): closing them can hang, and a
    // worker that does not exit is never restarted. Its reason is said now; the process ends within the bound.
    say(`failed: ${String(worker.failure())}; stopping (at most ${FAILED_STOP_MS / 1000} s)`);
    setTimeout(() => process.exit(1), FAILED_STOP_MS).unref();
  } else say('stopping: sources, drain, commit');
  await worker.stop();
  await endpoint.close();
  await backbone.close();
  const failure = worker.failure();
  if (failure) throw failure;
}
