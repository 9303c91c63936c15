// mqtt@1 at work: one MQTT client per source, subscribed to the source's topic filter; each message becomes a
// reading, in arrival order, or a dead letter on `<deadLetterTopic>/<topic>` that says why (the flow goes on). An
// unreachable broker is retried every reconnectMs, with one log line per distinct failure.
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';
import type { Static } from '@sinclair/typebox';
import type { OperatorContext, SourceInstance } from '../../pipelines/operator.js';
import { resolveEnvRefs } from '../../pipelines/backbone/index.js';
import type { SourceSpec } from '../../pipelines/topology/schema.js';
import type { MqttSourceConfig } from './index.js';
import type { Reading } from './stream.js';
import { parseMqttUrl, parseReading } from './payload.js';

type State = ReturnType<NonNullable<SourceInstance<Reading>['state']>>[string];

export async function createMqttSource(config: Static<typeof MqttSourceConfig>, ctx: OperatorContext): Promise<SourceInstance<Reading>> {
  const states: Record<string, State> = {};
  const clients: MqttClient[] = [];
  const setState = (name: string, state: State['state'], detail?: string) => {
    if (states[name]?.state !== state || states[name]?.detail !== detail) states[name] = { state, since: Date.now(), ...(detail ? { detail } : {}) };
  };

  async function runSource(s: SourceSpec, emit: (r: Reading) => Promise<void>, signal: AbortSignal): Promise<void> {
    const { broker, filter } = parseMqttUrl(resolveEnvRefs(s.url, process.env, `source ${s.name} url`));
    const epoch = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
    let seq = 0;
    let lastError = '';
    // Messages arrive as the broker pushes them; they are emitted one after another, so order holds per source.
    let queue = Promise.resolve();
    setState(s.name, 'connecting');
    const client = mqtt.connect(broker, { clientId: `tierflow-${ctx.operatorId}-${s.name}-${epoch}`, reconnectPeriod: config.reconnectMs, connectTimeout: config.connectTimeoutMs, clean: true });
    clients.push(client);
    client.on('connect', () => {
      lastError = '';
      setState(s.name, 'connected');
      ctx.log(`source ${s.name}: connected to ${broker.replace(/\/\/[^@]*@/, '//')}, subscribing to ${filter}`);
      client.subscribe(filter, { qos: config.qos }, (e) => e && ctx.log(`source ${s.name}: subscribe ${filter}: ${e.message}`));
    });
    client.on('error', (e) => {
      const text = e.message || String((e as NodeJS.ErrnoException).code);
      setState(s.name, 'retrying', text);
      if (text !== lastError) ctx.log(`source ${s.name}: ${broker.replace(/\/\/[^@]*@/, '//')}: ${text} (retrying every ${config.reconnectMs} ms)`);
      lastError = text;
    });
    client.on('offline', () => setState(s.name, 'retrying', lastError || 'offline'));
    client.on('message', (topic, payload) => {
      if (topic.startsWith(`${config.deadLetterTopic}/`)) return;
      const parsed = parseReading(topic, payload, Date.now());
      if (!parsed.ok) {
        const letter = JSON.stringify({ reason: parsed.reason, source: s.name, topic, payload: payload.toString('utf8') });
        ctx.log(`source ${s.name}: dead letter from ${topic}: ${parsed.reason}`);
        client.publish(`${config.deadLetterTopic}/${topic}`, letter, { qos: 1 });
        return;
      }
      const reading: Reading = { source: s.name, sensor: parsed.sensor, value: parsed.value, ts: parsed.ts, epoch, seq: seq++ };
      queue = queue.then(() => emit(reading));
    });
    await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
    await queue;
    // Forced: what arrived is emitted, and an unreachable broker must not hold the stop.
    await client.endAsync(true);
    setState(s.name, 'ended');
  }

  return {
    kind: 'source',
    state: () => states,
    run: async (emit, signal) => {
      await Promise.all(ctx.sources.map((s) => runSource(s, emit, signal)));
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.endAsync(true).catch(() => undefined)));
    },
  };
}
