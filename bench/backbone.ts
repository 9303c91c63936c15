// `npm run bench -- backbone [--json]` (with KAFKA_BROKERS, e.g. through infra/kafka/with-broker.sh).
// Throughput is measured the same way on every path: produce N records of S bytes to a fresh single-partition
// topic (uncompressed) and wait until all are acknowledged, then consume all N from the beginning. Consuming
// is timed from partition assignment (group join is one-off setup; kcat reads without a group) to the last record.
//   recordsPerSec = N / (produce seconds + consume seconds), mbPerSec = N * S / 1e6 / (same seconds).
// `--reps K` (default 3) measures every path K times, the paths of a size side by side in each round; the table
// shows the medians.
// Paths: the backbone's node-rdkafka producer/consumer, node-rdkafka itself (`rdkafka-raw`: the same client settings,
// no per-record acknowledgement, partitions assigned at offset 0 without a group: the floor any layer over node-rdkafka
// starts from), kafkajs, kcat (librdkafka CLI, the baseline) and the embedded backbone (its bound raised to hold all N, since nothing consumes while producing). The backbone's
// consumer commits as a chain does: at most every CHECKPOINT_INTERVAL_MS (250 ms), and once at the end, inside the
// timing. (Until 2026-12-07 it committed every batch of 1,000: a synchronous commit is a broker round trip, ~3.4 ms
// measured, so 1 KB records paid 50 of them, ~35 % of their consume time, which no chain pays.)
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs from 'kafkajs';
import Kafka from 'node-rdkafka';
import { median } from './node-run.js';
import { CHECKPOINT_INTERVAL_MS } from '../pipelines/runtime/waves.js';
import type { Backbone } from '../pipelines/backbone/contract.js';
import { createKafkaBackbone } from '../pipelines/backbone/kafka/index.js';
import { createEmbeddedBackbone } from '../pipelines/backbone/embedded/index.js';
import { KafkaAdmin } from '../pipelines/backbone/kafka/admin.js';
import { producerConfig, producerTopicConfig } from '../pipelines/backbone/kafka/producer.js';
import { consumerConfig } from '../pipelines/backbone/kafka/consumer-config.js';

type Path = 'node-rdkafka' | 'rdkafka-raw' | 'kafkajs' | 'kcat' | 'embedded';
const PATHS: Path[] = ['node-rdkafka', 'rdkafka-raw', 'kafkajs', 'kcat', 'embedded'];
interface Result {
  path: Path;
  recordBytes: number;
  recordsPerSec: number;
  mbPerSec: number;
  produceSec: number;
  consumeSec: number;
}

const SIZES: Array<{ bytes: number; count: number }> = [
  // Sensor readings and events: 100 B - 1 KB, thousands a second per gateway.
  { bytes: 100, count: 100_000 },
  { bytes: 1024, count: 50_000 },
  { bytes: 51_200, count: 2_000 },
];
const run_id = Date.now().toString(36);
const payload = (bytes: number) => Buffer.alloc(bytes, 'x');
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

async function viaBackbone(b: Backbone, topic: string, bytes: number, count: number): Promise<[number, number]> {
  await b.provision([{ name: topic, partitions: 1, compression: 'none', maxRecordBytes: 1 << 20 }]);
  const p = await b.producer();
  const value = payload(bytes);
  let t0 = process.hrtime.bigint();
  // Windows of 5,000 records, each sent as a chain sends a wave's outputs (one sendAll) and acknowledged before the next.
  for (let i = 0; i < count; i += 5000) {
    await p.sendAll(Array.from({ length: Math.min(5000, count - i) }, (_, j) => ({ topic, key: `k${(i + j) % 64}`, value, partition: 0 })));
  }
  await p.flush();
  const produce = seconds(t0);
  const c = await b.consumer({
    groupId: `${topic}-g`, topics: [topic], fromBeginning: true, maxBatch: 1000,
    onAssign: () => (t0 = process.hrtime.bigint()),
  });
  let seen = 0;
  let committedAt = process.hrtime.bigint();
  await new Promise<void>((resolve, reject) => {
    c.run(async (batch) => {
      seen += batch.length;
      const now = process.hrtime.bigint();
      if (seen >= count || now - committedAt >= BigInt(CHECKPOINT_INTERVAL_MS) * 1_000_000n) {
        await c.commit(batch.slice(-1));
        committedAt = now;
      }
      if (seen >= count) resolve();
    }).catch(reject);
  });
  const consume = seconds(t0);
  await c.close();
  await p.close();
  return [produce, consume];
}

/**
 * node-rdkafka with the backbone's client settings and nothing of its own: produce() without delivery reports, then
 * flush; consume(1000) with the partition assigned at offset 0 (no group, no commit, no offset lookup).
 */
async function viaRdkafka(brokers: string[], topic: string, bytes: number, count: number): Promise<[number, number]> {
  const value = payload(bytes);
  const producer = new Kafka.Producer({ ...producerConfig({ brokers }, 'none'), dr_cb: false } as Kafka.ProducerGlobalConfig, producerTopicConfig);
  await new Promise<void>((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
  const poller = setInterval(() => producer.poll(), 1);
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    for (;;) {
      try {
        producer.produce(topic, 0, value, `k${i % 64}`);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 1)); // the local queue is full
      }
    }
  }
  await new Promise<void>((resolve, reject) => producer.flush(60_000, (err) => (err ? reject(err) : resolve())));
  const produce = seconds(t0);
  clearInterval(poller);
  await new Promise((r) => producer.disconnect(r));
  // EOF markers end the last, partial batch at the partition's end instead of at the timeout.
  const consumer = new Kafka.KafkaConsumer({ ...consumerConfig({ brokers }, { groupId: `${topic}-g`, topics: [topic] }), 'enable.partition.eof': true }, {});
  await new Promise<void>((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
  consumer.setDefaultConsumeTimeout(500);
  t0 = process.hrtime.bigint();
  consumer.assign([{ topic, partition: 0, offset: 0 }]);
  let seen = 0;
  while (seen < count) {
    const messages = await new Promise<Kafka.Message[]>((resolve, reject) => consumer.consume(1000, (err, m) => (err ? reject(err) : resolve(m))));
    for (const m of messages) if (m.value) seen++; // EOF markers have no value
  }
  const consume = seconds(t0);
  await new Promise((r) => consumer.disconnect(r));
  return [produce, consume];
}

async function viaKafkajs(brokers: string[], topic: string, bytes: number, count: number): Promise<[number, number]> {
  const kafka = new kafkajs.Kafka({ clientId: 'bench', brokers, logLevel: 0 });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const value = payload(bytes);
  const perSend = Math.max(1, Math.floor((1 << 20) / bytes));
  let t0 = process.hrtime.bigint();
  for (let i = 0; i < count; i += perSend) {
    const n = Math.min(perSend, count - i);
    await producer.send({ topic, acks: -1, messages: Array.from({ length: n }, (_, j) => ({ key: `k${(i + j) % 64}`, value, partition: 0 })) });
  }
  const produce = seconds(t0);
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `${topic}-g`, maxBytes: 64 << 20, maxBytesPerPartition: 16 << 20 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  consumer.on(consumer.events.GROUP_JOIN, () => (t0 = process.hrtime.bigint()));
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachBatch: async ({ batch }) => {
          seen += batch.messages.length;
          if (seen >= count) resolve();
        },
      })
      .catch(reject);
  });
  const consume = seconds(t0);
  await consumer.disconnect();
  return [produce, consume];
}

function exec(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}`))));
  });
}

async function viaKcat(brokers: string[], topic: string, bytes: number, count: number): Promise<[number, number]> {
  const dir = await mkdtemp(join(tmpdir(), 'tierflow-bench-'));
  const file = join(dir, 'records');
  const out = createWriteStream(file);
  const line = Buffer.concat([payload(bytes), Buffer.from('\n')]);
  for (let i = 0; i < count; i++) if (!out.write(line)) await new Promise<void>((r) => out.once('drain', () => r()));
  await new Promise<void>((r) => out.end(r));
  const b = brokers.join(',');
  const common = ['-b', b, '-t', topic, '-q'];
  let t0 = process.hrtime.bigint();
  await exec('kcat', ['-P', ...common, '-p', '0', '-X', 'enable.idempotence=true', '-X', 'linger.ms=5', '-X', 'message.max.bytes=67108864', '-l', file]);
  const produce = seconds(t0);
  t0 = process.hrtime.bigint();
  await exec('kcat', ['-C', ...common, '-o', 'beginning', '-e', '-c', String(count), '-f', '%o\n', '-X', 'fetch.max.bytes=67108864', '-X', 'receive.message.max.bytes=68157440']);
  const consume = seconds(t0);
  await rm(dir, { recursive: true, force: true });
  return [produce, consume];
}

export async function run(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const brokersEnv = process.env.KAFKA_BROKERS;
  if (!brokersEnv) {
    process.stderr.write('bench backbone: KAFKA_BROKERS is not set; run it through infra/kafka/with-broker.sh\n');
    process.exitCode = 2;
    return;
  }
  const brokers = brokersEnv.split(',');
  const admin = await KafkaAdmin.connect({ brokers });
  const reps = Number(args[args.indexOf('--reps') + 1]) || 3;
  const runs: Array<Result & { rep: number }> = [];
  for (let rep = 0; rep < reps; rep++) for (const { bytes, count } of SIZES) {
    const topicName = (path: string, b: number) => `bench-${run_id}-r${rep}-${path}-${b}`;
    const paths: Array<[Path, () => Promise<[number, number]>]> = [
      ['node-rdkafka', async () => {
        const b = await createKafkaBackbone({ brokers });
        try {
          return await viaBackbone(b, topicName('rdkafka', bytes), bytes, count);
        } finally {
          await b.close();
        }
      }],
      ['rdkafka-raw', async () => {
        await admin.provision([{ name: topicName('raw', bytes), partitions: 1, compression: 'none', maxRecordBytes: 1 << 20 }]);
        return viaRdkafka(brokers, topicName('raw', bytes), bytes, count);
      }],
      ['kafkajs', async () => {
        await admin.provision([{ name: topicName('kafkajs', bytes), partitions: 1, maxRecordBytes: 1 << 20 }]);
        return viaKafkajs(brokers, topicName('kafkajs', bytes), bytes, count);
      }],
      ['kcat', async () => {
        await admin.provision([{ name: topicName('kcat', bytes), partitions: 1, maxRecordBytes: 1 << 20 }]);
        return viaKcat(brokers, topicName('kcat', bytes), bytes, count);
      }],
      ['embedded', async () => {
        const b = createEmbeddedBackbone({ partitionBound: { maxRecords: count, maxBytes: count * (bytes + 64) } });
        try {
          return await viaBackbone(b, topicName('embedded', bytes), bytes, count);
        } finally {
          await b.close();
        }
      }],
    ];
    for (const [path, measure] of paths) {
      const [produceSec, consumeSec] = await measure();
      const total = produceSec + consumeSec;
      runs.push({ rep, path, recordBytes: bytes, recordsPerSec: Math.round(count / total), mbPerSec: +((count * bytes) / 1e6 / total).toFixed(1), produceSec, consumeSec });
    }
  }
  await admin.close();
  const results: Result[] = [];
  for (const { bytes } of SIZES) {
    for (const path of PATHS) {
      const of = runs.filter((r) => r.path === path && r.recordBytes === bytes);
      const m = (f: (r: Result) => number) => median(of.map(f));
      results.push({ path, recordBytes: bytes, recordsPerSec: m((r) => r.recordsPerSec), mbPerSec: m((r) => r.mbPerSec), produceSec: m((r) => r.produceSec), consumeSec: m((r) => r.consumeSec) });
    }
  }

  const rows = results.map((r) =>
    [r.path.padEnd(13), String(r.recordBytes).padStart(6), String(r.recordsPerSec).padStart(9), r.mbPerSec.toFixed(1).padStart(8), r.produceSec.toFixed(2).padStart(9), r.consumeSec.toFixed(2).padStart(9)].join('  '),
  );
  const lines = [`path           bytes  records/s      MB/s  produce s  consume s   (medians of ${reps})`, ...rows];
  // The ratio to kcat per round (the two measured side by side), then the median over rounds.
  const ratio = (path: Path, bytes: number) =>
    median(Array.from({ length: reps }, (_, rep) => {
      const mb = (p: Path) => runs.find((r) => r.rep === rep && r.path === p && r.recordBytes === bytes)!.mbPerSec;
      return mb(path) / mb('kcat');
    }));
  const ratios = SIZES.map(({ bytes }) => ({ recordBytes: bytes, rdkafkaToKcat: +ratio('node-rdkafka', bytes).toFixed(2), rawToKcat: +ratio('rdkafka-raw', bytes).toFixed(2), kafkajsToKcat: +ratio('kafkajs', bytes).toFixed(2) }));
  for (const r of ratios) lines.push(`${r.recordBytes} B: node-rdkafka/kcat = ${r.rdkafkaToKcat.toFixed(2)}x (node-rdkafka itself ${r.rawToKcat.toFixed(2)}x), kafkajs/kcat = ${r.kafkajsToKcat.toFixed(2)}x (median of per-round ratios)`);
  process.stdout.write(lines.join('\n') + '\n');
  if (json) {
    const out = results.map(({ path, recordBytes, recordsPerSec, mbPerSec }) => ({ path, recordBytes, recordsPerSec, mbPerSec }));
    process.stdout.write(JSON.stringify({ bench: 'backbone', results: out, ratios }) + '\n');
  }
}
