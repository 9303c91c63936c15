// A worker as a podman container: the node's cpu and memory from the topology as its limits, host network (the
// broker and cameras are on this machine), the deploy's and the topology's folders mounted at the same paths so
// every path in the plan and the worker's arguments means the same inside. `podman run` stays attached, so the
// supervisor's child is the container's lifetime; after it exits, podman inspect tells an OOM kill from a crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { folderAbove } from '../../package-root.js';
import type { Plan } from '../../plan/types.js';
import { cpusFor, containerName, containerPid, inspectExit, podman, podmanCommand, removeContainer, workerRunArgs, type ContainerSettings } from './podman.js';
import type { ExitCause, WorkerLauncher } from './launcher.js';
import type { WorkerProcessSpec } from './processes.js';
import type { DeployPaths, WorkerState } from './state.js';

/** Environment a containerised worker needs from the supervisor's: `${env:NAME}` references in the plan (broker
 *  credentials) and tierflow's own settings. Nothing else crosses, so the image's PATH and NODE_OPTIONS hold. */
export function containerEnvNames(plan: Plan, env: NodeJS.ProcessEnv = process.env): string[] {
  const refs = [...JSON.stringify(plan).matchAll(/\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1]!);
  const own = Object.keys(env).filter((k) => k.startsWith('TIERFLOW_') && k !== 'TIERFLOW_PODMAN');
  return [...new Set([...refs, ...own])].filter((k) => env[k] !== undefined).sort();
}

/** The folder of the nearest package.json above a file (its project: what says the file is an ES module, and where
 *  its own dependencies are), or the file's folder. */
function projectOf(file: string): string {
  return folderAbove(dirname(file), (d) => existsSync(join(d, 'package.json'))) ?? dirname(file);
}

/** Folders a worker reads besides its deploy's: the topology's (galleries are resolved beside it), those of file:
 *  cameras, and the projects of the topology's own operators (the image's engine serves their `tierflow` imports),
 *  so each path in the plan means the same inside the container. */
export function workerMounts(plan: Plan, topologyFile: string): string[] {
  const files = plan.sources.flatMap((s) => (s.url.startsWith('file:') ? [dirname(resolve(dirname(topologyFile), s.url.slice(5)))] : []));
  const operators = (plan.operatorModules ?? []).map((m) => projectOf(fileURLToPath(m)));
  return [...new Set([dirname(topologyFile), ...files, ...operators])];
}

export class ContainerLauncher implements WorkerLauncher {
  readonly kind = 'container';

  constructor(
    private readonly settings: ContainerSettings,
    private readonly plan: Plan,
    private readonly paths: DeployPaths,
    private readonly topologyFile: string,
  ) {}

  private nameOf(spec: WorkerProcessSpec): string {
    return containerName(this.plan.topology, spec.id);
  }

  private limitsOf(spec: WorkerProcessSpec) {
    const l = this.settings.nodes[spec.node];
    if (!l) throw new Error(`containers: no size for node '${spec.node}' in desired.json`);
    return l;
  }

  start(spec: WorkerProcessSpec, args: string[], logFd: number): ChildProcess {
    const p = podmanCommand();
    const run = workerRunArgs({
      name: this.nameOf(spec),
      image: this.settings.image,
      limits: this.limitsOf(spec),
      deployDir: this.paths.dir,
      mounts: workerMounts(this.plan, this.topologyFile),
      envNames: containerEnvNames(this.plan),
      args,
      // The worker writes into the deploy's folder as whoever deployed, as a process worker does.
      uid: process.getuid?.(),
      gid: process.getgid?.(),
    });
    return spawn(p.file, [...p.args, ...run], { env: p.env, stdio: ['ignore', 'pipe', logFd] });
  }

  async describe(spec: WorkerProcessSpec): Promise<WorkerState['container']> {
    const limits = this.limitsOf(spec);
    const name = this.nameOf(spec);
    return { name, pid: (await containerPid(name)) || null, cpus: Number(cpusFor(limits)), memoryMB: limits.memoryMB };
  }

  async reap(spec: WorkerProcessSpec): Promise<ExitCause | null> {
    const name = this.nameOf(spec);
    const exit = await inspectExit(name);
    await removeContainer(name);
    if (!exit) return null;
    const detail = exit.oomKilled ? `OOM-killed at its ${this.limitsOf(spec).memoryMB} MB memory limit (node ${spec.node})` : undefined;
    return { oomKilled: exit.oomKilled, detail };
  }

  kill(spec: WorkerProcessSpec, child: ChildProcess): void {
    // SIGKILL would end only the attached podman client and leave the container running.
    void podman(['kill', '--signal', 'KILL', this.nameOf(spec)]).catch(() => child.kill('SIGKILL'));
  }
}
