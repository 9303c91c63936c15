// librdkafka's messages as the backbone contract's records.
import type Kafka from 'node-rdkafka';
import type { ConsumedRecord, Headers } from '../contract.js';

/** librdkafka's header list as the contract's map (a repeated name keeps its last value). */
export function toHeaders(h: Kafka.MessageHeader[] | undefined): Headers {
  const out: Headers = {};
  for (const entry of h ?? []) for (const [k, v] of Object.entries(entry)) out[k] = Buffer.isBuffer(v) ? v.toString() : String(v);
  return out;
}

/** A librdkafka message as the backbone contract's record (a missing key is '', a missing value empty). */
export function consumedRecord(m: Kafka.Message): ConsumedRecord {
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    key: m.key === undefined || m.key === null ? '' : m.key.toString(),
    value: m.value ?? Buffer.alloc(0),
    headers: toHeaders(m.headers),
    timestamp: m.timestamp ?? 0,
  };
}
