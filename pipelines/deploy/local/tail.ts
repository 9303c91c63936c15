// `tierflow tail`: which topics a name means, and records as one JSON line each, with image bytes summarised.
import type { Plan } from '../../plan/types.js';
import type { ConsumedRecord } from '../../backbone/contract.js';
import { HEADER_SCHEMA } from '../../backbone/contract.js';
import { TierflowError } from '../../errors.js';
import { codecFor, parseSchemaHeader } from '../../streams/avro.js';
import type { AnyStream } from '../../streams/stream.js';

export interface TailTopic {
  topic: string;
  stream?: string;
}

/** A plan topic name, a stream name (`results` is the results topic), or the flow id of a producer. */
export function tailTopics(plan: Plan | null, name: string): TailTopic[] {
  if (!plan) {
    if (name.includes('.')) return [{ topic: name }];
    throw new TierflowError('BAD_ARGUMENT', `tail: '${name}' is not a topic name, and there is no local deploy to look streams up in (give --topology)`, { exitCode: 2 });
  }
  // Changelogs hold operator state, not stream records: tail reads them only when named exactly (as raw bytes).
  const exactly = plan.topics.filter((t) => t.name === name && t.kind === 'changelog');
  if (exactly.length) return [{ topic: name }];
  const of = (pred: (t: Plan['topics'][number]) => boolean) => plan.topics.filter((t) => t.kind !== 'changelog' && t.kind !== 'table' && pred(t)).map((t) => ({ topic: t.name, stream: t.stream }));
  const exact = of((t) => t.name === name);
  if (exact.length) return exact;
  const published = of((t) => t.kind === 'results' && t.name.endsWith(`.${name}`));
  if (published.length) return published;
  const s = of((t) => t.stream === name);
  if (s.length) return s;
  const byProducer = of((t) => t.producer === name);
  if (byProducer.length) return byProducer;
  if (name.includes('.')) return [{ topic: name }];
  const publishedNames = plan.topics.filter((t) => t.kind === 'results').map((t) => t.name.split('.').at(-1)!);
  const known = [...new Set([...plan.topics.map((t) => t.stream), ...publishedNames, ...plan.topics.map((t) => t.producer)])].join(', ');
  throw new TierflowError('BAD_ARGUMENT', `tail: no stream '${name}' in topology ${plan.topology} (try a topic name or one of: ${known})`, { exitCode: 2 });
}

/** Bytes become `<jpeg N bytes>` / `<N bytes>`, long number arrays `<N numbers>`: enough to see, short to print. */
export function summarise(value: unknown): unknown {
  if (value instanceof Uint8Array) return value[0] === 0xff && value[1] === 0xd8 ? `<jpeg ${value.length} bytes>` : `<${value.length} bytes>`;
  if (ArrayBuffer.isView(value)) return `<${(value as unknown as ArrayLike<number>).length} numbers>`;
  if (Array.isArray(value)) return value.length > 16 && value.every((v) => typeof v === 'number') ? `<${value.length} numbers>` : value.map(summarise);
  if (typeof value === 'bigint') return Number(value);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, summarise(v)]));
  return value;
}

/** One JSON line for a consumed record; one that does not decode says so instead of failing the tail. */
export function tailLine(record: ConsumedRecord, stream: string | undefined, streams: ReadonlyMap<string, AnyStream>): string {
  const where = { topic: record.topic, partition: record.partition, offset: record.offset, key: record.key, timestamp: record.timestamp };
  const header = record.headers[HEADER_SCHEMA];
  const name = (header ? parseSchemaHeader(header)?.stream : undefined) ?? stream;
  const s = name === undefined ? undefined : streams.get(name);
  if (!s) return JSON.stringify({ ...where, undecodable: `no schema header${header ? ` ('${header}')` : ''} and no known stream`, bytes: record.value.length });
  try {
    return JSON.stringify({ ...where, schema: header ?? s.name, record: summarise(codecFor(s).decode(record.value, record.headers)) });
  } catch (e) {
    return JSON.stringify({ ...where, undecodable: (e as Error).message, bytes: record.value.length });
  }
}
