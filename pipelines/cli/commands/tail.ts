// `tierflow tail <stream>`: prints a stream's records decoded from Avro, one JSON line each, from a throwaway
// consumer group (nothing committed, no running consumer group disturbed).
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { TierflowError } from '../../errors.js';
import { openBackbone } from '../../backbone/open.js';
import { deployedNames, findDeploy } from '../../deploy/local/find.js';
import { deployBrokers, kafkaSpec } from '../../deploy/local/lifecycle.js';
import { DEFAULT_STATE_ROOT, readDesired, readJson } from '../../deploy/local/state.js';
import { tailLine, tailTopics } from '../../deploy/local/tail.js';
import { streamsOf } from '../../streams/registry.js';
import { registry } from '../../registry.js';
import type { Plan } from '../../plan/types.js';

interface TailFlags {
  topology?: string;
  fromBeginning?: boolean;
  max?: string;
  brokers?: string;
  stateDir: string;
}

export function registerTail(program: Command): void {
  program
    .command('tail')
    .description('print a stream\'s records decoded from Avro, one JSON line each (frame and crop bytes summarised)')
    .argument('<stream>', 'topic name, stream (frames, faces, embeddings, matches, events, results) or producing operator id')
    .option('--topology <name>', 'local deploy whose topics to look in (default: the only one)')
    .option('--from-beginning', 'start at the oldest record instead of new ones')
    .option('--max <n>', 'stop after n records')
    .option('--brokers <list>', 'Kafka brokers (default: the deploy\'s)')
    .option('--state-dir <dir>', 'folder of deploy state', DEFAULT_STATE_ROOT)
    .action((stream: string, flags: TailFlags) => runTail(stream, flags));
}

async function runTail(stream: string, flags: TailFlags): Promise<void> {
  const max = flags.max === undefined ? Infinity : Number(flags.max);
  if (!(max > 0) || !Number.isInteger(max === Infinity ? 1 : max)) throw new TierflowError('BAD_ARGUMENT', `--max: expected a positive integer, got '${flags.max}'`, { exitCode: 2 });
  const deployed = flags.topology !== undefined || deployedNames(flags.stateDir).length > 0;
  const paths = deployed ? await findDeploy(flags.stateDir, flags.topology) : null;
  const plan = paths ? readJson<Plan>(paths.plan) : null;
  const topics = tailTopics(plan, stream);
  let brokers: string[];
  if (flags.brokers !== undefined || !paths) {
    if (!flags.brokers) throw new TierflowError('BAD_ARGUMENT', 'tail: no local deploy to take brokers from: give --brokers host:port', { exitCode: 2 });
    brokers = plan ? deployBrokers(plan, flags.brokers) : flags.brokers.split(',');
  } else brokers = readDesired(paths).brokers;
  const backbone = await openBackbone(plan ? kafkaSpec(plan, brokers) : { type: 'kafka', brokers });
  const streams = new Map(topics.map((t) => [t.topic, t.stream]));
  const known = streamsOf(registry().operators);
  const consumer = await backbone.consumer({ groupId: `tierflow.tail.${randomUUID()}`, topics: topics.map((t) => t.topic), fromBeginning: flags.fromBeginning ?? false });
  let seen = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  process.once('SIGINT', () => done());
  process.once('SIGTERM', () => done());
  let failure: unknown = null;
  consumer
    .run(async (records) => {
    for (const r of records) {
      if (seen >= max) break;
      process.stdout.write(`${tailLine(r, streams.get(r.topic), known)}\n`);
        if (++seen >= max) done();
      }
    })
    .catch((e: unknown) => {
      failure = e;
      done();
    });
  await finished;
  await consumer.close();
  await backbone.close();
  if (failure) throw failure;
}
