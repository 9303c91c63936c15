// A site's own Kafka cluster for the sites tests: a second broker beside the suite's (infra/kafka/broker.sh with
// TIERFLOW_KAFKA_INSTANCE), on its own ports and storage, started fresh and stopped by the test.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './paths.js';

const run = promisify(execFile);
const script = join(repoRoot, 'infra', 'kafka', 'broker.sh');

export interface SiteBroker {
  brokers: string;
  /** Its LINK listener, and the port that listener advertises, where a link proxy (the site's WAN) may listen:
   *  clients bootstrapped through the proxy stay behind it. */
  link: { listener: string; advertised: string };
  stop(): Promise<void>;
}

/** Ports base..base+4: PLAINTEXT, SASL_SSL, controller, LINK and the LINK listener's advertised port. */
export async function startSiteBroker(instance: string, base: number): Promise<SiteBroker> {
  const env = {
    ...process.env,
    TIERFLOW_KAFKA_INSTANCE: instance,
    TIERFLOW_KAFKA_PLAIN_PORT: String(base),
    TIERFLOW_KAFKA_SASL_PORT: String(base + 1),
    TIERFLOW_KAFKA_CONTROLLER_PORT: String(base + 2),
    TIERFLOW_KAFKA_LINK_PORT: String(base + 3),
    TIERFLOW_KAFKA_LINK_ADVERTISED_PORT: String(base + 4),
  };
  await run('bash', [script, 'stop'], { env }).catch(() => {});
  await run('bash', [script, 'start'], { env, timeout: 180_000 });
  return { brokers: `127.0.0.1:${base}`, link: { listener: `127.0.0.1:${base + 3}`, advertised: `127.0.0.1:${base + 4}` }, stop: async () => void (await run('bash', [script, 'stop'], { env, timeout: 60_000 })) };
}
