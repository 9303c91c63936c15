// `tierflow deploy <topology> --target local|containers|k8s|compose`: supervised worker processes on this
// machine, the same as podman containers with each node's cpu and memory as limits, or manifests for a cluster.
// An invalid topology starts nothing and exits 2, as `validate` does.
// `tierflow supervise` (hidden) is the supervisor a local deploy starts detached.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { compileTopology } from '../compile.js';
import { TierflowError } from '../../errors.js';
import { writeK8sManifests } from '../../deploy/k8s/write.js';
import { writeComposeFile } from '../../deploy/compose/write.js';
import { deployBrokers, deployLocal } from '../../deploy/local/lifecycle.js';
import { superviseDeploy } from '../../deploy/local/supervisor.js';
import { DEFAULT_STATE_ROOT, type AdaptivePolicy, type DeployPaths } from '../../deploy/local/state.js';
import { DEFAULT_ADAPTIVE } from '../../deploy/local/controller.js';
import { parseCpuQuotas } from '../../deploy/local/cpu-quota.js';
import { parsePinnedCores } from '../../deploy/local/node-values.js';
import { DEFAULT_WORKER_IMAGE, type ContainerSettings } from '../../deploy/local/podman.js';
import type { Plan } from '../../plan/types.js';
import type { ValidTopology } from '../../topology/validate.js';

interface DeployFlags {
  target: 'local' | 'containers' | 'k8s' | 'compose';
  brokers?: string;
  stateDir: string;
  out?: string;
  image?: string;
  namespace?: string;
  strimziCluster?: string;
  json?: boolean;
  adaptive?: boolean;
  adaptiveLag: string;
  adaptiveDrops: string;
  adaptiveFor: string;
  adaptiveBack: string;
  pinCores: string[];
  cpuQuota: string[];
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('deploy a topology: supervised worker processes on this machine (local), or Kubernetes/compose files')
    .argument('<file>', 'topology YAML file')
    .addOption(new Option('--target <target>', 'where to').choices(['local', 'containers', 'k8s', 'compose']).default('local'))
    .option('--brokers <list>', 'Kafka brokers host:port[,...] (default: the topology\'s kafka backbone)')
    .option('--state-dir <dir>', 'local/containers: folder for deploy state and worker logs', DEFAULT_STATE_ROOT)
    .option('--out <dir>', 'k8s/compose: folder to write to')
    .option('--image <image>', `worker image built from the Dockerfile (k8s/compose: required; containers: default ${DEFAULT_WORKER_IMAGE})`)
    .option('--namespace <ns>', 'k8s: namespace (default tierflow-<topology>)')
    .option('--strimzi-cluster <name>', "k8s: least privilege through Strimzi: a KafkaUser per node with the plan's ACLs, KafkaTopics, for this Kafka resource")
    .option('--json', 'local/containers: print the deployed workers as JSON')
    .option('--adaptive', 'local: add a replica of a chain further out while it stays over its bound, take it away when the load falls')
    .option('--adaptive-lag <records>', '--adaptive: consumer lag bound', String(DEFAULT_ADAPTIVE.maxLag))
    .option('--adaptive-drops <per-second>', '--adaptive: bound on frames dropped to stay fresh', String(DEFAULT_ADAPTIVE.maxDropsPerSec))
    .option('--adaptive-for <seconds>', '--adaptive: how long over the bound before it acts', String(DEFAULT_ADAPTIVE.forMs / 1000))
    .option('--adaptive-back <seconds>', '--adaptive: how long under it before the replica goes', String(DEFAULT_ADAPTIVE.backAfterMs / 1000))
    .option('--cpu-quota <node=cores>', 'local: a node\'s workers share this much CPU (a cgroup quota, e.g. gateway=0.5), to emulate a machine of that size; repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--pin-cores <node=cpus>', 'local: run a node\'s workers on these CPUs (taskset -c), e.g. gateway=0; repeatable', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .action((file: string, flags: DeployFlags) => runDeploy(file, flags));
  program.addCommand(
    new Command('supervise')
      .description('supervise the workers of a local deploy (started by deploy)')
      .requiredOption('--state <dir>', 'deploy state folder')
      .action((flags: { state: string }) => superviseDeploy(pathsOf(flags.state))),
    { hidden: true },
  );
}

function pathsOf(dir: string): DeployPaths {
  const d = resolve(dir);
  return { dir: d, plan: join(d, 'plan.json'), desired: join(d, 'desired.json'), state: join(d, 'state.json'), logs: join(d, 'logs'), data: join(d, 'data'), supervisorLog: join(d, 'logs', 'supervisor.log') };
}

async function runDeploy(file: string, flags: DeployFlags): Promise<void> {
  const abs = resolve(file);
  const { plan, valid } = await compileTopology(abs);
  if (flags.target !== 'local' && flags.target !== 'containers' && plan.operatorModules?.length) {
    throw new TierflowError('BAD_ARGUMENT', `deploy --target ${flags.target}: ${plan.topology} uses operators of its own (${plan.operatorModules.join(', ')}), and the manifests run the worker image, which holds only tierflow's; deploy it with --target local, or --target containers (which mounts their folders)`, { exitCode: 2 });
  }
  if (flags.target === 'local' || flags.target === 'containers') {
    const brokers = deployBrokers(plan, flags.brokers);
    const containers: ContainerSettings | undefined =
      flags.target === 'containers'
        ? { image: flags.image ?? DEFAULT_WORKER_IMAGE, nodes: Object.fromEntries(valid.topology.nodes.map((n) => [n.name, { cpu: n.cpu, memoryMB: n.memory }])) }
        : undefined;
    const adaptive = flags.adaptive ? adaptivePolicy(flags) : undefined;
    const cores = parsePinnedCores(flags.pinCores, valid.topology.nodes.map((n) => n.name));
    const cpuQuota = parseCpuQuotas(flags.cpuQuota, valid.topology.nodes.map((n) => n.name));
    if (containers && cpuQuota) throw new TierflowError('BAD_ARGUMENT', 'deploy --target containers: --cpu-quota is for processes; a container gets its node\'s cpus as its limit', { exitCode: 2 });
    if (containers && cores) throw new TierflowError('BAD_ARGUMENT', 'deploy --target containers: --pin-cores is for processes; a container gets its node\'s cpus as its limit', { exitCode: 2 });
    const t0 = Date.now();
    const { workers, paths, supervisorPid, ownCredentials, unreachable } = await deployLocal({ plan, file: abs, brokers, stateRoot: flags.stateDir, containers, adaptive, cores, cpuQuota });
    // A site whose cluster is away starts anyway: said on stderr, so a script reading stdout sees the same shape.
    for (const u of unreachable) process.stderr.write(`tierflow: site ${u.site}: Kafka at ${u.brokers.join(',')} does not answer; its workers (${u.workers.join(', ') || 'none'}) and MirrorMaker keep retrying, and what the other sites send it waits in their clusters\n`);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ topology: plan.topology, supervisorPid, stateDir: paths.dir, ownCredentials, ...(unreachable.length ? { unreachable: unreachable.map(({ site, brokers, workers }) => ({ site, brokers, workers })) } : {}), workers: workers.map((w) => ({ id: w.id, node: w.node, pid: w.pid, metrics: w.metrics, status: w.status, ...(w.container ? { container: w.container } : {}) })) })}\n`);
      return;
    }
    const how = containers ? `in containers of ${containers.image}` : 'locally';
    const waiting = unreachable.flatMap((u) => u.workers).length;
    const lines = [`deployed ${plan.topology} ${how} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${workers.length} workers on Kafka ${brokers.join(',')} (supervisor pid ${supervisorPid})${waiting ? `; ${waiting} more start when their site's cluster answers` : ''}`];
    for (const w of workers) {
      const limits = w.container ? ` container ${w.container.name} (cpus ${w.container.cpus}, memory ${w.container.memoryMB} MB)` : '';
      lines.push(`  ${w.id.padEnd(20)} pid ${String(w.container?.pid ?? w.pid).padEnd(8)} metrics ${w.metrics}${limits}`);
    }
    lines.push(
      ownCredentials.length
        ? `least privilege: ${ownCredentials.length} nodes have their own Kafka user and the plan's ACLs (secrets only in their state folders)`
        : 'shared credential: the broker does not authorise (or the backbone is not SASL/SCRAM), so every worker uses the topology\'s user',
    );
    lines.push(`state and logs: ${paths.dir}`, `stop with: tierflow undeploy ${plan.topology}${flags.stateDir === DEFAULT_STATE_ROOT ? '' : ` --state-dir ${flags.stateDir}`}`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  writeClusterFiles(flags.target, plan, valid, abs, flags);
}

/** k8s manifests or a compose file for `plan` (deploy, and migrate's regenerated ones); prints what it wrote. */
export function writeClusterFiles(target: 'k8s' | 'compose', plan: Plan, valid: ValidTopology, abs: string, flags: Pick<DeployFlags, 'brokers' | 'out' | 'image' | 'namespace' | 'strimziCluster'>): void {
  if (!flags.out) throw new TierflowError('BAD_ARGUMENT', `--target ${target} needs --out <dir>`, { exitCode: 2 });
  if (!flags.image) throw new TierflowError('BAD_ARGUMENT', `--target ${target} needs --image <image> (built from the repository's Dockerfile)`, { exitCode: 2 });
  const brokers = flags.brokers === undefined ? undefined : deployBrokers(plan, flags.brokers);
  const gallery = galleryFiles(plan.configs, abs);
  const nodeArch = Object.fromEntries(valid.topology.nodes.map((n) => [n.name, n.arch]));
  const written =
    target === 'k8s'
      ? writeK8sManifests(plan, flags.out, { image: flags.image, namespace: flags.namespace, nodes: valid.topology.nodes, brokers, files: gallery, strimziCluster: flags.strimziCluster })
      : writeComposeFile(plan, join(flags.out, 'compose.yaml'), { image: flags.image, files: gallery, nodeArch });
  process.stdout.write(`${written.map((f) => `wrote ${f}`).join('\n')}\n`);
}

function adaptivePolicy(flags: DeployFlags): AdaptivePolicy {
  const num = (flag: string, v: string, min: number) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new TierflowError('BAD_ARGUMENT', `--${flag}: expected a number >= ${min}, got '${v}'`, { exitCode: 2 });
    return n;
  };
  return {
    maxLag: num('adaptive-lag', flags.adaptiveLag, 0),
    maxDropsPerSec: num('adaptive-drops', flags.adaptiveDrops, 0),
    forMs: num('adaptive-for', flags.adaptiveFor, 0.5) * 1000,
    backAfterMs: num('adaptive-back', flags.adaptiveBack, 1) * 1000,
    intervalMs: DEFAULT_ADAPTIVE.intervalMs,
  };
}

/** Gallery files the match operators name, mounted beside the plan in containers (absent ones are skipped). */
function galleryFiles(configs: Record<string, Record<string, unknown>>, topologyFile: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const cfg of Object.values(configs)) {
    const g = cfg['gallery'];
    if (typeof g !== 'string') continue;
    try {
      out[g.split('/').at(-1)!] = readFileSync(resolve(topologyFile, '..', g), 'utf8');
    } catch {
      /* written by `tierflow enroll` later; the container reports it missing */
    }
  }
  return out;
}
