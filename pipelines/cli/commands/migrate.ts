// `tierflow migrate <operator> --to <node>|tier:<tier>`: moves an operator of a running local deploy live (warm
// standby, switch at a committed point, rollback on failure: deploy/local/migrate.ts), or, with --target k8s|compose,
// regenerates the cluster files with the operator pinned there.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { findDeploy } from '../../deploy/local/find.js';
import { migrateLocal, parseTarget, type Move } from '../../deploy/local/migrate.js';
import { DEFAULT_STATE_ROOT } from '../../deploy/local/state.js';
import { TierflowError } from '../../errors.js';
import { PlanInfeasibleError } from '../../plan/infeasible.js';
import { compileTopology } from '../compile.js';
import { writeClusterFiles } from './deploy.js';

interface MigrateFlags {
  to?: string;
  addReplicaOn?: string;
  removeReplicaFrom?: string;
  topology?: string;
  stateDir: string;
  timeout: string;
  json?: boolean;
  target: 'local' | 'k8s' | 'compose';
  out?: string;
  image?: string;
  namespace?: string;
  brokers?: string;
}

const say = (line: string) => process.stderr.write(`migrate: ${line}\n`);

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('move an operator to another node or tier while a local deploy runs (warm standby, then a switch with nothing lost or repeated)')
    .argument('<operator>', 'operator id, e.g. match')
    .option('--to <target>', 'move it: a node name, or tier:<tier>')
    .option('--add-replica-on <node>', "or: one more replica of its chain on this node (what `deploy --adaptive` does under load)")
    .option('--remove-replica-from <node>', 'or: take such a replica away again')
    .option('--topology <name>', 'local: the deploy (default: the only one); k8s/compose: the topology file')
    .option('--state-dir <dir>', 'folder of deploy state', DEFAULT_STATE_ROOT)
    .option('--timeout <seconds>', 'most time for the standbys to get warm, and again for the switch', '90')
    .option('--json', 'print the result as JSON')
    .addOption(new Option('--target <target>', 'local: move it live; k8s/compose: regenerate the files with the new placement').choices(['local', 'k8s', 'compose']).default('local'))
    .option('--out <dir>', 'k8s/compose: folder to write to')
    .option('--image <image>', 'k8s/compose: worker image')
    .option('--namespace <ns>', 'k8s: namespace')
    .option('--brokers <list>', 'k8s: Kafka brokers host:port[,...]')
    .action((operator: string, flags: MigrateFlags) => runMigrate(operator, flags));
}

async function runMigrate(operator: string, flags: MigrateFlags): Promise<void> {
  const timeoutS = Number(flags.timeout);
  if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new TierflowError('BAD_ARGUMENT', `--timeout: expected seconds > 0, got '${flags.timeout}'`, { exitCode: 2 });
  const given = [flags.to, flags.addReplicaOn, flags.removeReplicaFrom].filter((x) => x !== undefined);
  if (given.length !== 1) throw new TierflowError('BAD_ARGUMENT', 'migrate: give one of --to <node|tier:T>, --add-replica-on <node>, --remove-replica-from <node>', { exitCode: 2 });
  if (flags.target !== 'local') {
    if (!flags.to) throw new TierflowError('BAD_ARGUMENT', `migrate --target ${flags.target}: only --to regenerates files`, { exitCode: 2 });
    return regenerate(operator, flags.to, flags);
  }
  const move: Move = flags.to ? { kind: 'move', operator, to: flags.to } : flags.addReplicaOn ? { kind: 'add', operator, node: flags.addReplicaOn } : { kind: 'remove', operator, node: flags.removeReplicaFrom! };
  const r = await migrateLocal(await findDeploy(flags.stateDir, flags.topology), { move, timeoutMs: timeoutS * 1000, log: say });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const lines = [
    `migrated ${r.operator}: ${r.from.join(', ')} -> ${r.to.join(', ')} (warm in ${(r.warmMs / 1000).toFixed(1)} s, switched in ${(r.switchMs / 1000).toFixed(1)} s)`,
    `  new workers: ${r.replaced.join(', ') || 'none'}${r.retired.length ? `; stopped: ${r.retired.join(', ')}` : ''}`,
    ...(r.newTopics.length ? [`  new topics: ${r.newTopics.join(', ')}`] : []),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** k8s/compose: the same re-plan, written as files; applying them is the cluster's rolling update. */
async function regenerate(operator: string, to: string, flags: MigrateFlags): Promise<void> {
  if (!flags.topology) throw new TierflowError('BAD_ARGUMENT', `migrate --target ${flags.target}: give the topology file with --topology`, { exitCode: 2 });
  const abs = resolve(flags.topology);
  const target = parseTarget(to);
  let compiled;
  try {
    compiled = await compileTopology(abs, { pins: { [operator]: target } });
  } catch (e) {
    if (e instanceof PlanInfeasibleError) throw new TierflowError('BAD_ARGUMENT', `migrate: ${operator} cannot move to ${to}: ${e.message.replace(/^tierflow: /, '')}; nothing written`, { exitCode: 2 });
    throw e;
  }
  if (!compiled.valid.topology.flows.some((f) => f.id === operator)) throw new TierflowError('BAD_ARGUMENT', `migrate: no operator '${operator}' in ${flags.topology}`, { exitCode: 2 });
  writeClusterFiles(flags.target as 'k8s' | 'compose', compiled.plan, compiled.valid, abs, flags);
}
