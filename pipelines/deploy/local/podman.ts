// How tierflow calls podman for container deploys: the global flags this kind of machine needs (runc, overlay
// storage, cgroupfs; infra/containers/README.md says why), the `podman run` line of one worker (pure, so the
// limits and mounts are unit-tested), and the few queries the supervisor makes (inspect, rm).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TierflowError } from '../../errors.js';

const run = promisify(execFile);

/** The image `infra/containers/build.sh` builds, and the default of `deploy --target containers`. */
export const DEFAULT_WORKER_IMAGE = 'localhost/tierflow:latest';

/** Label every worker container of a deploy carries: its deploy folder, so undeploy finds strays by it. */
export const DEPLOY_LABEL = 'io.tierflow.deploy';

/** Node sizes from the topology, applied as each container's limits. */
export interface NodeLimits {
  cpu: number;
  memoryMB: number;
}

/** What desired.json records for a container deploy. */
export interface ContainerSettings {
  image: string;
  nodes: Record<string, NodeLimits>;
}

const repoConf = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'infra', 'containers', 'containers.conf');

/** podman's executable and its global flags: TIERFLOW_PODMAN overrides the executable, TIERFLOW_PODMAN_STORAGE
 *  the storage driver (overlay; vfs where overlay mounts are not allowed, at a full image copy per container). */
export function podmanCommand(env: NodeJS.ProcessEnv = process.env): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const conf = env.CONTAINERS_CONF ?? (existsSync(repoConf) ? repoConf : undefined);
  return {
    file: env.TIERFLOW_PODMAN ?? 'podman',
    args: ['--runtime', 'runc', '--storage-driver', env.TIERFLOW_PODMAN_STORAGE ?? 'overlay', '--cgroup-manager', 'cgroupfs'],
    env: { ...env, ...(conf ? { CONTAINERS_CONF: conf } : {}) },
  };
}

export async function podman(args: string[], timeoutMs = 30_000): Promise<string> {
  const p = podmanCommand();
  try {
    const { stdout } = await run(p.file, [...p.args, ...args], { env: p.env, timeout: timeoutMs, maxBuffer: 16 << 20 });
    return stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new TierflowError('DEPLOY_STATE', `containers: '${p.file}' not found: install podman (apt-get install podman runc) or set TIERFLOW_PODMAN`, { exitCode: 2, cause: e });
    throw new TierflowError('DEPLOY_STATE', `podman ${args[0]}: ${(err.stderr ?? err.message).trim().split('\n').at(-1)}`, { cause: e });
  }
}

/** Container name of a worker: podman names allow [a-zA-Z0-9_.-], so `detect#2` becomes `detect-2`. */
export function containerName(topology: string, workerId: string): string {
  return `tierflow-${topology}-${workerId}`.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** `--cpus` above the host's cores is refused by the runtime: a node larger than this machine gets all of it. */
export function cpusFor(limits: NodeLimits, hostCpus = availableParallelism()): string {
  return String(Math.min(limits.cpu, hostCpus));
}

export interface WorkerContainer {
  name: string;
  image: string;
  limits: NodeLimits;
  /** The deploy's folder (plan, data, logs): mounted, and the label undeploy finds its containers by. */
  deployDir: string;
  /** Further folders mounted at their own paths: the topology's (gallery files), those of file: cameras. */
  mounts: string[];
  /** Environment to pass by name (values come from the supervisor's environment). */
  envNames: string[];
  /** Arguments after the image's entrypoint (`tierflow`), e.g. `worker --plan …`. */
  args: string[];
  hostCpus?: number;
  uid?: number;
  gid?: number;
}

/** The `podman run` arguments (after the global flags) that start one worker in the foreground: attached, so its
 *  stdout (the ready line) and stderr reach the supervisor, with signals proxied, and not removed on exit, so
 *  the supervisor can read State.OOMKilled before it removes it. */
export function workerRunArgs(c: WorkerContainer): string[] {
  const mounts = [...new Set([c.deployDir, ...c.mounts])].flatMap((d) => ['--volume', `${d}:${d}`]);
  const user = c.uid === undefined ? [] : ['--user', `${c.uid}:${c.gid ?? c.uid}`];
  return [
    'run',
    '--name', c.name,
    // A container of the same name left by a supervisor that died is replaced, not a reason to fail.
    '--replace',
    '--label', `${DEPLOY_LABEL}=${c.deployDir}`,
    '--network', 'host',
    '--cpus', cpusFor(c.limits, c.hostCpus),
    '--memory', `${c.limits.memoryMB}m`,
    // The limit is the node's memory: no swap beyond it (the machine may have none anyway).
    '--memory-swap', `${c.limits.memoryMB}m`,
    '--sig-proxy=true',
    ...user,
    ...mounts,
    ...c.envNames.flatMap((n) => ['--env', n]),
    c.image,
    ...c.args,
  ];
}

export interface ContainerExit {
  oomKilled: boolean;
  exitCode: number | null;
}

/** How a container ended. podman's State.OOMKilled stays false on this kind of machine (conmon misses the
 *  event on a hybrid cgroup layout), so an exit by SIGKILL is also checked against the kernel's log, which names
 *  the memory cgroup it killed in (`oom_memcg=/libpod_parent/libpod-<id>`). */
export async function inspectExit(name: string): Promise<ContainerExit | null> {
  try {
    const out = await podman(['inspect', '--type', 'container', '--format', '{{.State.OOMKilled}} {{.State.ExitCode}} {{.Id}}', name]);
    const [oom, code, id] = out.trim().split(' ');
    const exitCode = code === undefined ? null : Number(code);
    const oomKilled = oom === 'true' || (exitCode === 137 && !!id && (await kernelLog()).some((l) => isOomKillOf(l, id)));
    return { oomKilled, exitCode };
  } catch {
    return null;
  }
}

/** Whether a kernel log line reports an OOM kill inside the memory cgroup of container `id`. */
export function isOomKillOf(line: string, id: string): boolean {
  return line.includes('oom-kill:') && new RegExp(`oom_memcg=[^,]*libpod-${id}\\b`).test(line);
}

async function kernelLog(): Promise<string[]> {
  try {
    return (await run('dmesg', [], { timeout: 5000, maxBuffer: 64 << 20 })).stdout.split('\n');
  } catch {
    return []; // not readable here: only podman's own flag counts
  }
}

/** Host pid of a running container's first process (0 while it is not running). */
export async function containerPid(name: string): Promise<number> {
  try {
    return Number((await podman(['inspect', '--type', 'container', '--format', '{{.State.Pid}}', name])).trim()) || 0;
  } catch {
    return 0;
  }
}

export async function removeContainer(name: string): Promise<void> {
  await podman(['rm', '--force', '--ignore', '--time', '0', name]).catch(() => undefined);
}

/** Names of the containers (running or not) labelled with this deploy's folder. */
export async function containersOfDeploy(deployDir: string): Promise<string[]> {
  const out = await podman(['ps', '--all', '--filter', `label=${DEPLOY_LABEL}=${deployDir}`, '--format', '{{.Names}}']).catch(() => '');
  return out.split('\n').map((s) => s.trim()).filter(Boolean);
}

/** Whether podman's storage has `image`; no podman at all is an error of its own. */
export async function imageExists(image: string): Promise<boolean> {
  try {
    await podman(['image', 'exists', image]);
    return true;
  } catch (e) {
    if (((e as Error).cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw e;
    return false;
  }
}
