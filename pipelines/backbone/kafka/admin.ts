// Topic provisioning through kafkajs admin: create what is missing, verify what exists, refuse a topic whose
// partition count or record size limit does not fit the plan. Idempotent, and safe against a concurrent creator.
import kafkajs from 'kafkajs';
import type { Admin } from 'kafkajs';
import type { TopicSpec } from '../contract.js';
import { TierflowError } from '../../errors.js';
import { brokerError, within } from './errors.js';
import { DEFAULT_TIMEOUT_MS, kafkajsConfig, type KafkaConnection } from './connection.js';

/** Broker-side batch limit for a topic: room for its largest record plus batching overhead, at least 2 MB. */
export function topicMaxMessageBytes(spec: TopicSpec): number {
  return Math.max(2 << 20, (spec.maxRecordBytes ?? 0) + (64 << 10));
}

export class KafkaAdmin {
  private constructor(
    private readonly admin: Admin,
    private readonly conn: KafkaConnection,
  ) {}

  /** Connects, proving the cluster is reachable and accepts our credentials, within the connection's bound. */
  static async connect(conn: KafkaConnection): Promise<KafkaAdmin> {
    const admin = new kafkajs.Kafka(kafkajsConfig(conn)).admin();
    const timeout = conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    try {
      await within(admin.connect(), timeout, conn.brokers, 'connecting');
    } catch (e) {
      void admin.disconnect().catch(() => {});
      throw brokerError(e, conn.brokers, 'connecting');
    }
    return new KafkaAdmin(admin, conn);
  }

  async provision(specs: TopicSpec[]): Promise<void> {
    const timeout = this.conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    try {
      await within(this.provisionUnbounded(specs), 3 * timeout, this.conn.brokers, 'provisioning topics');
    } catch (e) {
      throw brokerError(e, this.conn.brokers, 'provisioning topics');
    }
  }

  async partitionCount(topic: string): Promise<number> {
    const md = await this.admin.fetchTopicMetadata({ topics: [topic] });
    return md.topics[0]?.partitions.length ?? 0;
  }

  async close(): Promise<void> {
    await this.admin.disconnect();
  }

  private async provisionUnbounded(specs: TopicSpec[]): Promise<void> {
    if (specs.length === 0) return;
    const existing = new Set(await this.admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length > 0) {
      try {
        await this.admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((s) => ({
            topic: s.name,
            numPartitions: s.partitions,
            replicationFactor: -1,
            configEntries: [
              { name: 'max.message.bytes', value: String(topicMaxMessageBytes(s)) },
              ...(s.retentionMs !== undefined ? [{ name: 'retention.ms', value: String(s.retentionMs) }] : []),
              ...(s.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : []),
            ],
          })),
        });
      } catch (e) {
        // Another process created some of them in between: verification below decides.
        if (!/already exists/i.test(String((e as Error).message) + JSON.stringify((e as { errors?: unknown }).errors ?? ''))) throw e;
      }
    }
    await this.verify(specs);
  }

  private async verify(specs: TopicSpec[]): Promise<void> {
    const md = await this.admin.fetchTopicMetadata({ topics: specs.map((s) => s.name) });
    const configs = await this.admin.describeConfigs({
      includeSynonyms: false,
      resources: specs.map((s) => ({ type: kafkajs.ConfigResourceTypes.TOPIC, name: s.name, configNames: ['max.message.bytes', 'cleanup.policy'] })),
    });
    for (const spec of specs) {
      const have = md.topics.find((t) => t.name === spec.name)?.partitions.length ?? 0;
      if (have !== spec.partitions && !(spec.mayHaveMore && have > spec.partitions)) {
        throw new TierflowError(
          'TOPIC_INCOMPATIBLE',
          `topic ${spec.name} exists with ${have} partitions, the plan needs ${spec.partitions}: delete it or rename the topology`,
        );
      }
      const entries = configs.resources.find((r) => r.resourceName === spec.name)?.configEntries ?? [];
      const policy = entries.find((c) => c.configName === 'cleanup.policy')?.configValue ?? 'delete';
      if (spec.compacted && !policy.split(',').includes('compact')) {
        throw new TierflowError(
          'TOPIC_INCOMPATIBLE',
          `topic ${spec.name} has cleanup.policy=${policy}, a changelog needs cleanup.policy=compact (its old state would be deleted by age): set it on the topic or delete it`,
        );
      }
      const entry = entries.find((c) => c.configName === 'max.message.bytes');
      const limit = Number(entry?.configValue ?? NaN);
      if (spec.maxRecordBytes !== undefined && Number.isFinite(limit) && limit < spec.maxRecordBytes) {
        throw new TierflowError(
          'TOPIC_INCOMPATIBLE',
          `topic ${spec.name} accepts records up to ${limit} bytes (max.message.bytes), the plan needs ${spec.maxRecordBytes}: raise it on the topic`,
        );
      }
    }
  }
}
