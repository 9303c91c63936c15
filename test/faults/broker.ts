// The local test broker (infra/kafka/broker.sh) as something a fault case can stop and resume with its data.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../helpers/paths.js';

const run = promisify(execFile);
const script = join(repoRoot, 'infra', 'kafka', 'broker.sh');

async function brokerSh(command: 'status' | 'stop' | 'resume'): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run('bash', [script, command], { timeout: 150_000 });
    return { code: 0, out: `${stdout}${stderr}`.trim() };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : -1, out: `${err.stdout ?? ''}${err.stderr ?? ''}`.trim() };
  }
}

/** Why this run cannot stop the broker it uses, or null when KAFKA_BROKERS is the local broker.sh broker, running. */
export async function cannotControlBroker(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const local = `127.0.0.1:${env.TIERFLOW_KAFKA_PLAIN_PORT ?? '29092'}`;
  if (env.KAFKA_BROKERS !== local) return `KAFKA_BROKERS (${env.KAFKA_BROKERS}) is not the local test broker ${local}: it is not ours to stop`;
  if ((await brokerSh('status')).code !== 0) return 'the local test broker is not running under infra/kafka/broker.sh';
  return null;
}

export async function stopBroker(): Promise<void> {
  const r = await brokerSh('stop');
  if (r.code !== 0) throw new Error(`broker.sh stop failed: ${r.out}`);
}

/** Starts the broker again on the storage it had: topics, records and committed offsets survive. */
export async function resumeBroker(): Promise<void> {
  const r = await brokerSh('resume');
  if (r.code !== 0) throw new Error(`broker.sh resume failed: ${r.out}`);
}
