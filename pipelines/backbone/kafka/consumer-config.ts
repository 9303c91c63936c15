// The librdkafka settings of a tierflow consumer-group member (kafka/consumer.ts): manual commits, range
// assignment, short sessions so a lost member is noticed, fetch sizes for ~50 KB frames, statistics once a second.
import type Kafka from 'node-rdkafka';
import type { ConsumerOptions } from '../contract.js';
import { rdkafkaSecurity, type KafkaConnection } from './connection.js';

export function consumerConfig(conn: KafkaConnection, o: ConsumerOptions): Kafka.ConsumerGlobalConfig {
  return {
    'metadata.broker.list': conn.brokers.join(','),
    'client.id': conn.clientId ?? 'tierflow',
    ...rdkafkaSecurity(conn),
    'group.id': o.groupId,
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    // A batch is taken without waiting for the partition's end (take.ts): no EOF markers needed.
    'enable.partition.eof': false,
    'partition.assignment.strategy': 'range',
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 1000,
    'fetch.wait.max.ms': 50,
    'fetch.max.bytes': 64 << 20,
    // Frames are ~50 KB: fetch up to 8 MB per partition per round trip instead of librdkafka's 1 MB.
    'max.partition.fetch.bytes': 8 << 20,
    'receive.message.max.bytes': (64 << 20) + (1 << 20),
    'queued.max.messages.kbytes': 64 << 10,
    'socket.keepalive.enable': true,
    'reconnect.backoff.max.ms': 2000,
    // Broker states once a second: how the consumer knows it is without a broker (unreachableMs).
    'statistics.interval.ms': 1000,
  } as Kafka.ConsumerGlobalConfig;
}
