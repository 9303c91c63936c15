// The gate of the tests that run workers in containers: the worker image built by infra/containers/build.sh.
// Without it those tests are skipped with the reason, except where CI built it (TIERFLOW_REQUIRE_IMAGE=1): there a
// missing image fails them, so a broken image build cannot pass as a skip.
import { readFileSync } from 'node:fs';
import { DEFAULT_WORKER_IMAGE, imageExists, podman } from '../../pipelines/deploy/local/podman.js';

export const workerImage = process.env.TIERFLOW_IMAGE ?? DEFAULT_WORKER_IMAGE;

/** `false` when the image is there, else why the test is skipped; throws when CI requires the image. */
export async function imageSkip(): Promise<string | false> {
  // Opt-in: an image left in podman's storage may be from other sources than this checkout's.
  if (process.env.TIERFLOW_CONTAINER_TESTS !== '1' && process.env.TIERFLOW_REQUIRE_IMAGE !== '1') {
    return 'container tests run with TIERFLOW_CONTAINER_TESTS=1 after infra/containers/build.sh (CI builds the image and sets TIERFLOW_REQUIRE_IMAGE=1)';
  }
  if (await imageExists(workerImage)) return false;
  const why = `no image ${workerImage} in podman's storage (build it with infra/containers/build.sh)`;
  if (process.env.TIERFLOW_REQUIRE_IMAGE === '1') throw new Error(`TIERFLOW_REQUIRE_IMAGE=1 but ${why}`);
  return why;
}

/** Whether podman answers at all (TIERFLOW_PODMAN or `podman` on PATH): a clean machine may not have it. */
export async function podmanInstalled(): Promise<boolean> {
  return podman(['--version']).then(
    () => true,
    (e: unknown) => !/not found: install podman/.test((e as Error).message),
  );
}

/** A container's limits as podman set them, and as the kernel enforces them on its first process's cgroup. */
export async function containerLimits(name: string): Promise<{ memoryBytes: number; nanoCpus: number; cgroupMemoryBytes: number; cgroupCpus: number; pid: number }> {
  const [memory, nano, pid] = (await podman(['inspect', '--type', 'container', '--format', '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}} {{.State.Pid}}', name])).trim().split(' ').map(Number);
  const cgroups = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const path = (controller: string) => cgroups.map((l) => l.split(':')).find((p) => p[1]?.split(',').includes(controller))?.[2];
  const read = (controller: string, file: string) => Number(readFileSync(`/sys/fs/cgroup/${controller}${path(controller)}/${file}`, 'utf8').trim());
  return {
    memoryBytes: memory!,
    nanoCpus: nano!,
    pid: pid!,
    cgroupMemoryBytes: read('memory', 'memory.limit_in_bytes'),
    cgroupCpus: read('cpu', 'cpu.cfs_quota_us') / read('cpu', 'cpu.cfs_period_us'),
  };
}

export async function containersLabelled(deployDir: string): Promise<string[]> {
  const out = await podman(['ps', '--all', '--filter', `label=io.tierflow.deploy=${deployDir}`, '--format', '{{.Names}}']);
  return out.split('\n').filter(Boolean);
}
