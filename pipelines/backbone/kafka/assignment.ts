// A group member's assigned partitions: how the log names them, and where they start. They start at their committed
// offsets, or (none committed) at the beginning or the end, as the consumer asked. librdkafka resolves the same
// itself, but a partition without a commit then waits a fixed 100 ms before asking for the logical offset
// (rdkafka_offset.c, rd_kafka_offset_reset: a backoff on every reset that follows an error, "no committed offset"
// included): every consumer of a new group started 100 ms late.
import type Kafka from 'node-rdkafka';

export type TP = { topic: string; partition: number };

/** `topic[0,1] other[2]`, or 'no partitions'. */
export function partitionList(tps: TP[]): string {
  const by = new Map<string, number[]>();
  for (const t of tps) by.set(t.topic, [...(by.get(t.topic) ?? []), t.partition]);
  return by.size === 0 ? 'no partitions' : [...by].map(([topic, ps]) => `${topic}[${ps.sort((a, b) => a - b).join(',')}]`).join(' ');
}

/** librdkafka's logical offsets: a partition's first record, and the next one produced. */
const OFFSET_BEGINNING = -2;
const OFFSET_END = -1;

/** The assignment with explicit starting offsets; as given (librdkafka resolves them) if the commits cannot be read. */
export function startingOffsets(client: Kafka.KafkaConsumer, assignment: TP[], fromBeginning: boolean, timeoutMs: number): Promise<Kafka.Assignment[]> {
  const none = fromBeginning ? OFFSET_BEGINNING : OFFSET_END;
  return new Promise((resolve) => {
    try {
      client.committed(assignment, timeoutMs, (err, tps) => {
        if (err || !tps) return resolve(assignment);
        resolve(assignment.map(({ topic, partition }) => {
          const c = tps.find((t) => t.topic === topic && t.partition === partition)?.offset;
          return { topic, partition, offset: c !== undefined && c >= 0 ? c : none };
        }));
      });
    } catch {
      resolve(assignment); // not connected (closing): assign says so, or librdkafka resolves them
    }
  });
}
