// Reading a batch without sitting on it. node-rdkafka's consume(n) returns when it has n messages, when its timeout
// passes with nothing more, or when librdkafka reports a partition's end; librdkafka reports that end only with the
// fetch response after the one that brought the records, fetch.wait.max.ms later when nothing more is produced. At
// camera and sensor rates a batch is one or two records, so every record waited out a fetch wait (50 ms) in every
// hop between nodes (measured: 61 ms from send to read at 5 records/s, 21 ms with a 10 ms fetch wait, 208 ms with
// 200). So: wait for one message, then take what else is already queued without waiting.
import type Kafka from 'node-rdkafka';
import { RD } from './errors.js';

/** Up to `max` messages: the first waited for up to `waitMs`, the rest only if librdkafka already holds them. */
export async function takeBatch(client: Kafka.KafkaConsumer, max: number, waitMs: number): Promise<Kafka.Message[]> {
  const first = await consumeOnce(client, 1, waitMs);
  if (first.length === 0 || max <= 1) return first;
  const rest = await consumeOnce(client, max - 1, 0);
  return rest.length === 0 ? first : first.concat(rest);
}

/** One consume(n) with this timeout; a timeout with nothing read is an empty list, any other error rejects. */
export function consumeOnce(client: Kafka.KafkaConsumer, n: number, timeoutMs: number): Promise<Kafka.Message[]> {
  client.setDefaultConsumeTimeout(timeoutMs);
  return new Promise((resolve, reject) =>
    client.consume(n, (err, messages) => {
      if (!err) return resolve(messages ?? []);
      if ((err as { code?: number }).code === RD.ERR__TIMED_OUT) return resolve([]);
      reject(err);
    }),
  );
}
