// The conformance suite against a real broker (KAFKA_BROKERS; with-broker.sh starts one when unset).
import { test } from 'node:test';
import { runConformance } from '../../pipelines/backbone/conformance.js';
import { createKafkaBackbone } from '../../pipelines/backbone/kafka/index.js';
import { kafkaFromEnv } from '../helpers/kafka.js';

if (!process.env.KAFKA_BROKERS) {
  test('kafka backbone: a broker is configured', () => {
    kafkaFromEnv(); // throws with how to provide one
  });
} else {
  runConformance('kafka', () => createKafkaBackbone(kafkaFromEnv()), {
    'producer-bound':
      'a Kafka broker retains records regardless of consumers, so sends do not wait on consumer progress; a producer is bounded by its local queue (queue.buffering.max.kbytes) instead',
    'state-revoke-drain':
      "revoked partitions are given up at once, not after the hook's drain: librdkafka's unassign called after the rebalance callback waits on the group thread without a timeout, and hung a worker for good when it ran as the broker came back (measured in the broker-outage fault case); the next owner replays from the last commit instead",
  }, () => createKafkaBackbone(kafkaFromEnv()));
}
