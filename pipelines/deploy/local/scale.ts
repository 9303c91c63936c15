// `tierflow scale <operator>=N` on a local deploy: enough partitions on the chain's input topic (added through
// the Kafka admin), then the supervisor runs the extra replicas as processes; consumer groups rebalance.
import kafkajs from 'kafkajs';
import type { Plan } from '../../plan/types.js';
import { TierflowError } from '../../errors.js';
import { resolveEnvRefs } from '../../backbone/index.js';
import { kafkajsConfig, type KafkaConnection } from '../../backbone/kafka/connection.js';
import { parseScale, restartAfterRepartition, workerProcesses } from './processes.js';
import { alive, readDesired, readJson, writeJsonAtomic, type DeployPaths, type SupervisorState } from './state.js';

export interface ScaleResult {
  chain: string;
  replicas: number;
  topic: string;
  partitionsBefore: number;
  partitionsAfter: number;
  restarted: string[];
}

function connectionOf(plan: Plan, brokers: string[]): KafkaConnection {
  const s = plan.backbone.type === 'kafka' ? plan.backbone.security : undefined;
  const ref = (v: string | undefined, where: string) => (v === undefined ? undefined : resolveEnvRefs(v, process.env, where));
  return {
    brokers,
    timeoutMs: 10_000,
    security: s && { protocol: s.protocol, mechanism: s.mechanism, username: ref(s.username, 'backbone.security.username'), password: ref(s.password, 'backbone.security.password'), caFile: ref(s.caFile, 'backbone.security.caFile') },
  };
}

/** Grows `topic` to at least `count` partitions; returns the counts before and after. */
export async function ensurePartitions(conn: KafkaConnection, topic: string, count: number): Promise<[number, number]> {
  const admin = new kafkajs.Kafka({ ...kafkajsConfig(conn), logLevel: kafkajs.logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const have = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.length ?? 0;
    if (have >= count) return [have, have];
    await admin.createPartitions({ topicPartitions: [{ topic, count }] });
    return [have, count];
  } finally {
    await admin.disconnect();
  }
}

export async function scaleLocal(paths: DeployPaths, request: string, timeoutMs = 60_000): Promise<ScaleResult> {
  const plan = readJson<Plan>(paths.plan)!;
  const desired = readDesired(paths);
  const state = readJson<SupervisorState>(paths.state);
  if (!state || !alive(state.supervisorPid)) throw new TierflowError('DEPLOY_STATE', `topology ${plan.topology}: its supervisor is not running; deploy it again`);
  const { chain, replicas } = parseScale(plan, request);
  const topic = chain.inputTopic!;
  // State lives per input partition and a key's partition moves when a topic grows: a stateful chain never repartitions.
  const changelogs = plan.topics.filter((t) => t.kind === 'changelog' && chain.operators.includes(t.producer));
  const partitions = plan.topics.find((t) => t.name === topic)?.partitions ?? 0;
  if (changelogs.length > 0 && replicas > partitions) {
    throw new TierflowError(
      'BAD_ARGUMENT',
      `scale: ${chain.id} keeps state per partition of ${topic} (${partitions} partitions), so it runs at most ${partitions} replicas; growing the topic would move keys away from their state`,
      { exitCode: 2 },
    );
  }
  const [before, after] = await ensurePartitions(connectionOf(plan, desired.brokers), topic, replicas);
  const nextReplicas = { ...desired.replicas, [chain.id]: replicas };
  let restart: string[] = [];
  if (after > before) {
    // Restarted workers provision (and verify) the plan's topics: the plan must know the new count.
    const t = plan.topics.find((x) => x.name === topic);
    if (t) t.partitions = after;
    writeJsonAtomic(paths.plan, plan);
    restart = restartAfterRepartition(plan, topic, nextReplicas);
  }
  const generation = desired.generation + 1;
  const t0 = Date.now();
  writeJsonAtomic(paths.desired, { ...desired, replicas: nextReplicas, generation, restart });
  process.kill(state.supervisorPid, 'SIGHUP');
  const ids = workerProcesses(plan, nextReplicas).map((p) => p.id);
  const deadline = t0 + timeoutMs;
  for (;;) {
    const s = readJson<SupervisorState>(paths.state);
    const ws = s?.workers ?? [];
    const settled =
      s !== null &&
      s.generation >= generation &&
      ws.length === ids.length &&
      ws.every((w) => w.phase === 'ready' && (!restart.includes(w.id) || (w.readyAt ?? 0) > t0));
    if (settled) break;
    const failed = ws.find((w) => ids.includes(w.id) && !w.everReady && w.lastExit);
    if (failed) throw new TierflowError('DEPLOY_STATE', `scale: ${failed.id} exited before it was ready: ${failed.lastExit!.stderr}`);
    if (Date.now() > deadline) throw new TierflowError('DEPLOY_STATE', `scale: replicas not ready within ${timeoutMs / 1000} s; see tierflow status`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { chain: chain.id, replicas, topic, partitionsBefore: before, partitionsAfter: after, restarted: restart };
}
