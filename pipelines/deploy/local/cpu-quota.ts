// deploy --cpu-quota node=cores: a node's workers share a CPU quota, to emulate machines of a given size on one
// (pinning with --pin-cores says which cores, the quota how much of them). The quota is a cgroup of the v1 cpu
// controller per node (cfs_quota_us over cfs_period_us, e.g. 0.5 cores = 50 ms of every 100 ms); the worker starts
// inside it, so every thread and child process it has is counted. The cgroup v2 layout is not supported: making a
// v2 subtree needs controllers delegated to it, which this machine (hybrid layout, v1 cpu) could not test.
import { existsSync, mkdirSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TierflowError } from '../../errors.js';
import { nodeValues } from './node-values.js';

/** Where the v1 cpu controller is mounted (TIERFLOW_CGROUP_CPU for another mount point). */
const cpuRoot = () => process.env['TIERFLOW_CGROUP_CPU'] ?? '/sys/fs/cgroup/cpu';
const PERIOD_US = 100_000;

/** The cgroup of a deploy's node. */
export function quotaDir(deploy: string, node: string): string {
  return join(cpuRoot(), 'tierflow', deploy, node);
}

/** `--cpu-quota node=cores` flags as a map; unknown nodes and quotas that are not a positive number are refused. */
export function parseCpuQuotas(values: string[], nodes: string[]): Record<string, number> | undefined {
  const given = nodeValues('--cpu-quota', values, nodes, (v) => /^\d+(\.\d+)?$/.test(v) && Number(v) > 0, 'node=cores with cores > 0 (e.g. gateway=0.5)');
  return given && Object.fromEntries(Object.entries(given).map(([node, cores]) => [node, Number(cores)]));
}

/** Creates each node's cgroup with its quota, before anything starts; one line saying what is missing if it cannot. */
export function createQuotas(deploy: string, quotas: Record<string, number>): Record<string, string> {
  if (!existsSync(join(cpuRoot(), 'cpu.cfs_quota_us'))) {
    throw new TierflowError('BAD_ARGUMENT', `--cpu-quota: needs the cgroup v1 cpu controller at ${cpuRoot()}, which this machine does not have (use --pin-cores, or --target containers)`, { exitCode: 2 });
  }
  const dirs: Record<string, string> = {};
  for (const [node, cores] of Object.entries(quotas)) {
    const dir = quotaDir(deploy, node);
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(Math.round(cores * PERIOD_US)));
    } catch (e) {
      removeQuotas(deploy);
      throw new TierflowError('BAD_ARGUMENT', `--cpu-quota: cannot set up the cgroup ${dir}: ${(e as Error).message} (it needs root or a cgroup delegated to this user)`, { exitCode: 2 });
    }
    dirs[node] = dir;
  }
  return dirs;
}

/** Removes a deploy's cgroups once its workers are gone (a cgroup with a process in it stays; nothing else fails). */
export function removeQuotas(deploy: string): void {
  const dir = join(cpuRoot(), 'tierflow', deploy);
  if (!existsSync(dir)) return;
  for (const node of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory())) {
    try {
      rmdirSync(join(dir, node.name));
    } catch {
      // still busy: left for the next undeploy
    }
  }
  for (const d of [dir, join(cpuRoot(), 'tierflow')]) {
    try {
      rmdirSync(d);
    } catch {
      // a node's cgroup is still there, or another deploy's
    }
  }
}

/** `command` started inside the cgroup `dir`: a shell moves itself there, then execs, so the pid is the worker's. */
export function inCgroup(dir: string, command: string[]): string[] {
  return ['sh', '-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, ...command];
}
