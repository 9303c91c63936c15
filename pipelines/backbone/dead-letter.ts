// Poison records (undecodable Avro, or anything a handler marks as poison) go to `<topic>.dlq` with the reason
// and their origin in headers, and consumption continues past them. The original key, value and headers are kept
// so the record can be inspected or replayed.
import { HEADER_DLQ_REASON, HEADER_DLQ_SOURCE, type Backbone, type ConsumedRecord, type Producer, type TopicSpec } from './contract.js';
import { TierflowError } from '../errors.js';

export const dlqTopicFor = (topic: string) => `${topic}.dlq`;

/** The dead-letter topic of a topic: one partition is enough, order across partitions is meaningless there. */
export function dlqSpecFor(topic: TopicSpec): TopicSpec {
  return { name: dlqTopicFor(topic.name), partitions: 1, maxRecordBytes: topic.maxRecordBytes, compression: 'none' };
}

export function dlqSource(r: Pick<ConsumedRecord, 'topic' | 'partition' | 'offset'>): string {
  return `${r.topic}/${r.partition}/${r.offset}`;
}

/** One line: the code of a TierflowError and its message, clipped to stay a reasonable header. */
export function dlqReason(err: unknown): string {
  const text = err instanceof TierflowError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
  return text.replace(/\s+/g, ' ').slice(0, 500);
}

export class DeadLetters {
  constructor(private readonly producer: Producer) {}

  /** Provisions the dead-letter topics of `topics` (idempotent). */
  static async provision(backbone: Backbone, topics: TopicSpec[]): Promise<void> {
    await backbone.provision(topics.map(dlqSpecFor));
  }

  async send(record: ConsumedRecord, err: unknown): Promise<void> {
    await this.producer.send({
      topic: dlqTopicFor(record.topic),
      partition: 0,
      key: record.key,
      value: record.value,
      headers: { ...record.headers, [HEADER_DLQ_REASON]: dlqReason(err), [HEADER_DLQ_SOURCE]: dlqSource(record) },
    });
  }

  /**
   * Runs `decode` on every record of a batch; the ones that throw a poison error (RECORD_UNDECODABLE, or what
   * `isPoison` accepts) are dead-lettered and dropped, the rest are returned decoded. Other errors propagate.
   */
  async sift<T>(
    records: ConsumedRecord[],
    decode: (r: ConsumedRecord) => T,
    isPoison: (e: unknown) => boolean = (e) => e instanceof TierflowError && e.code === 'RECORD_UNDECODABLE',
  ): Promise<Array<{ record: ConsumedRecord; value: T }>> {
    const ok: Array<{ record: ConsumedRecord; value: T }> = [];
    for (const record of records) {
      try {
        ok.push({ record, value: decode(record) });
      } catch (e) {
        if (!isPoison(e)) throw e;
        await this.send(record, e);
      }
    }
    return ok;
  }
}
