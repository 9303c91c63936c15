// What a migration test and the migrate benchmark count: every frame the cameras put on the frames topic must come
// out as exactly one matches record (the face flow passes frames without faces through, with no faces), whichever
// worker processed it; and the longest gap between one camera's consecutive results.
import { Kafka } from 'kafkajs';
import { createKafkaBackbone } from '../../pipelines/backbone/kafka/index.js';
import { kafkajsConfig } from '../../pipelines/backbone/kafka/connection.js';
import { codecFor } from '../../pipelines/streams/avro.js';
import { FRAMES } from '../../operators/streams/index.js';
import { recordId, type MatchesRecord } from '../../operators/streams/records.js';
import { kafkaFromEnv } from './kafka.js';
import { uniqueName, until } from './deploy.js';

export interface FrameTally {
  frames: number;
  /** Frames with no matches record. */
  lost: number;
  /** Matches records beyond the first of their frame. */
  duplicated: number;
}

/** Record ids (camera/epoch/seq) of every frame on `topic`, read to its end offsets as of the call. */
export async function frameIds(topic: string, timeoutMs = 60_000): Promise<string[]> {
  const admin = new Kafka(kafkajsConfig(kafkaFromEnv())).admin();
  await admin.connect();
  const end = (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
  await admin.disconnect();
  const backbone = await createKafkaBackbone({ ...kafkaFromEnv(), clientId: 'tierflow-migration-frames' });
  const consumer = await backbone.consumer({ groupId: uniqueName('frames-reader'), topics: [topic], fromBeginning: true, maxBatch: 500 });
  const codec = codecFor(FRAMES);
  const ids = new Map<string, string>();
  const running = consumer.run(async (records) => {
    for (const r of records) ids.set(`${r.partition}/${r.offset}`, recordId(codec.decode(r.value, r.headers)));
  });
  try {
    await until(`every frame of ${topic}`, async () => ids.size >= end, timeoutMs, 200);
  } finally {
    await consumer.close();
    await running.catch(() => undefined);
    await backbone.close();
  }
  return [...ids.values()];
}

export function frameTally(frames: string[], matches: MatchesRecord[]): FrameTally {
  const count = new Map<string, number>();
  for (const m of matches) count.set(recordId(m), (count.get(recordId(m)) ?? 0) + 1);
  return {
    frames: frames.length,
    lost: frames.filter((id) => !count.has(id)).length,
    duplicated: [...count.values()].reduce((n, c) => n + Math.max(0, c - 1), 0),
  };
}

/** The longest gap between consecutive arrivals of one camera's results within [from, to), ms (arrivals: ms since epoch). */
export function longestGap(arrivals: Array<{ at: number; camera: string }>, from: number, to: number): number {
  return longestGapAt(arrivals, from, to).ms;
}

/** longestGap, and when it began (the arrival before it). */
export function longestGapAt(arrivals: Array<{ at: number; camera: string }>, from: number, to: number): { ms: number; from: number } {
  const byCamera = new Map<string, number[]>();
  for (const a of arrivals) {
    if (a.at < from || a.at >= to) continue;
    const times = byCamera.get(a.camera);
    if (times) times.push(a.at);
    else byCamera.set(a.camera, [a.at]);
  }
  let gap = { ms: 0, from };
  for (const times of byCamera.values()) {
    times.sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! > gap.ms) gap = { ms: times[i]! - times[i - 1]!, from: times[i - 1]! };
  }
  return gap;
}
