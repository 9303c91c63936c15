// The Kafka cluster tests run against: KAFKA_BROKERS (and the SASL_SSL variables) as exported by
// infra/kafka/with-broker.sh, which the test command wraps around the suite. Unset is a failure, not a skip.
import type { KafkaConnection } from '../../pipelines/backbone/kafka/index.js';

export function kafkaFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaConnection {
  const brokers = env.KAFKA_BROKERS;
  if (!brokers) {
    throw new Error('KAFKA_BROKERS is not set: run the Kafka tests through infra/kafka/with-broker.sh (npm test does), or export KAFKA_BROKERS=host:port');
  }
  return { brokers: brokers.split(',').map((b) => b.trim()), timeoutMs: 10_000 };
}

/** The SASL_SSL (SCRAM-SHA-512 over TLS) listener, when the broker offers one. */
export function saslKafkaFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaConnection | null {
  const { KAFKA_SASL_BROKERS: brokers, KAFKA_SASL_USER: username, KAFKA_SASL_PASSWORD: password, KAFKA_CA_FILE: caFile } = env;
  if (!brokers || !username || !password) return null;
  return { brokers: brokers.split(','), security: { protocol: 'SASL_SSL', mechanism: 'SCRAM-SHA-512', username, password, caFile }, timeoutMs: 10_000 };
}

/** The test broker's SASL_SSL listener as a topology backbone (its StandardAuthorizer enforces ACLs there): brokers
 *  and a `security` mapping whose secrets are the environment references with-broker.sh exports. */
export function saslBackboneFromEnv(env: NodeJS.ProcessEnv = process.env): { brokers: string[]; security: string } {
  const brokers = env.KAFKA_SASL_BROKERS;
  if (!brokers || !env.KAFKA_SASL_USER || !env.KAFKA_SASL_PASSWORD || !env.KAFKA_CA_FILE) {
    throw new Error('KAFKA_SASL_BROKERS/USER/PASSWORD and KAFKA_CA_FILE are not set: run through infra/kafka/with-broker.sh');
  }
  return {
    brokers: brokers.split(',').map((b) => `"${b.trim()}"`),
    security: '{ protocol: SASL_SSL, mechanism: SCRAM-SHA-512, username: "${env:KAFKA_SASL_USER}", password: "${env:KAFKA_SASL_PASSWORD}", caFile: "${env:KAFKA_CA_FILE}" }',
  };
}
