// Case poison: onto the frames topic of a running deploy go an undecodable Avro value, a valid frame record whose
// JPEG is garbage, and a 20 MB frame. The first must reach `<topic>.dlq` with a reason header, the second be
// reported and skipped by detect, the third is refused by the producer (the topic allows 8 MB); meanwhile the
// cameras' own frames keep producing every result the reference run produced.
import { createKafkaBackbone } from '../../pipelines/backbone/kafka/index.js';
import { HEADER_DLQ_REASON, HEADER_SCHEMA, type ConsumedRecord } from '../../pipelines/backbone/contract.js';
import { dlqTopicFor } from '../../pipelines/backbone/dead-letter.js';
import { codecFor, schemaHeader } from '../../pipelines/streams/avro.js';
import { CLIP_RUN, FaultDeploy, MatchCollector } from '../helpers/faults.js';
import { uniqueName, until } from '../helpers/deploy.js';
import { kafkaFromEnv } from '../helpers/kafka.js';
import { tally } from './tally.js';
import type { CaseResult } from './case.js';
import { FRAMES } from '../../operators/streams/index.js';

/** A seq no clip frame has, so the poison frames cannot be mistaken for results. */
const POISON_SEQ = 1_000_000;

export async function poison(expected: ReadonlySet<string>): Promise<CaseResult> {
  const d = await FaultDeploy.create('faults-poison', CLIP_RUN);
  const backbone = await createKafkaBackbone({ ...kafkaFromEnv(), clientId: 'tierflow-faults' });
  let collector: MatchCollector | null = null;
  try {
    await d.deploy();
    collector = await MatchCollector.open(d.matchesTopic, d.resultsTopic);
    const c = collector;
    await until('the first results', async () => c.deliveries.length > 0, 180_000);
    const frames = d.topic('decode', 'frames');
    const producer = await backbone.producer();
    const header = { [HEADER_SCHEMA]: schemaHeader('frames', 1) };
    const undecodableKey = uniqueName('poison-avro');
    await producer.send({ topic: frames, key: undecodableKey, value: Buffer.from('\xff\xfe not avro at all \x00\x01', 'latin1'), headers: header });
    const garbage = codecFor(FRAMES).encode({ camera: 'cam-1', epoch: 'e0', seq: POISON_SEQ, captureTs: Date.now(), width: 640, height: 360, format: 'jpeg', data: Buffer.from('\xff\xd8\xff\xe0 this is no JPEG', 'latin1') });
    await producer.send({ topic: frames, key: 'cam-1', value: garbage.value, headers: garbage.headers });
    const big = codecFor(FRAMES).encode({ camera: 'cam-1', epoch: 'e0', seq: POISON_SEQ + 1, captureTs: Date.now(), width: 640, height: 360, format: 'jpeg', data: Buffer.alloc(20 << 20, 0x5a) });
    const oversized = await producer.send({ topic: frames, key: 'cam-1', value: big.value, headers: big.headers }).then(
      () => 'accepted by the broker',
      (e: unknown) => `refused at produce time: ${(e as Error).message.split('\n')[0]}`,
    );
    const injectedAt = Date.now();
    await producer.close();

    const dlq: ConsumedRecord[] = [];
    const dlqConsumer = await backbone.consumer({ groupId: uniqueName('faults-dlq'), topics: [dlqTopicFor(frames)], fromBeginning: true });
    const reading = dlqConsumer.run(async (rs) => void dlq.push(...rs));
    const dead = await until('the undecodable record in the dead-letter topic', async () => dlq.find((r) => r.key === undecodableKey), 60_000).catch(() => null);
    await dlqConsumer.close();
    await reading.catch(() => undefined);

    const skipped = await until('detect to report the corrupt JPEG', async () => /not a decodable JPEG/.test(d.logOf('gateway')) && d.logOf('gateway').includes(`cam-1#${POISON_SEQ}`), 60_000).catch(() => false);
    const complete = await c.settle(expected, 180_000);
    const t = tally(expected, c.deliveries);
    const resultsAfter = c.deliveries.filter((x) => x.at > injectedAt).length;
    const gateway = (await d.status()).processes.find((p) => p.id === 'gateway');
    const ev = await collector!.eventReport(false);
    return {
      name: 'poison',
      eventsLost: ev.eventsLost,
      eventsDuplicated: ev.eventsDuplicated,
      lost: t.lost,
      duplicated: t.duplicated,
      recoverySec: null,
      ok: !!dead && skipped === true && resultsAfter > 0 && (gateway?.restarts ?? 0) === 0,
      detail: {
        events: ev.events,
        ...t,
        complete,
        deadLettered: !!dead,
        dlqReason: dead?.headers[HEADER_DLQ_REASON] ?? null,
        corruptJpegSkipped: skipped === true,
        oversized,
        resultsAfterInjection: resultsAfter,
        gatewayRestarts: gateway?.restarts ?? null,
      },
    };
  } finally {
    await collector?.close();
    await backbone.close();
    await d.undeploy();
  }
}
