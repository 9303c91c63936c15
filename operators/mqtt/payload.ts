// What an MQTT message must hold to be a reading: a JSON number, or a JSON object with a numeric `value` and
// optionally `ts` (ms since epoch) and `sensor`. Anything else is refused with the reason, for the dead letter.

export type Parsed = { ok: true; sensor: string; value: number; ts: number } | { ok: false; reason: string };

export function parseReading(topic: string, payload: Buffer, now: number): Parsed {
  const text = payload.toString('utf8');
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { ok: false, reason: `not JSON: ${JSON.stringify(text.slice(0, 40))}` };
  }
  if (typeof v === 'number') return Number.isFinite(v) ? { ok: true, sensor: topic, value: v, ts: now } : { ok: false, reason: 'value is not a finite number' };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, reason: 'expected a number or an object with a numeric "value"' };
  const o = v as Record<string, unknown>;
  if (typeof o['value'] !== 'number' || !Number.isFinite(o['value'])) return { ok: false, reason: '"value" is missing or not a finite number' };
  if (o['ts'] !== undefined && (typeof o['ts'] !== 'number' || !Number.isInteger(o['ts']) || o['ts'] < 0)) return { ok: false, reason: '"ts" must be ms since epoch (a non-negative integer)' };
  if (o['sensor'] !== undefined && (typeof o['sensor'] !== 'string' || o['sensor'] === '')) return { ok: false, reason: '"sensor" must be a non-empty string' };
  return { ok: true, sensor: (o['sensor'] as string | undefined) ?? topic, value: o['value'], ts: (o['ts'] as number | undefined) ?? now };
}

/** `mqtt://host:port/topic/filter` (mqtts too): the broker to connect to and the topic filter after the first `/`. */
export function parseMqttUrl(url: string): { broker: string; filter: string } {
  const m = /^(mqtts?):\/\/([^/]+)\/(.+)$/.exec(url);
  if (!m) throw new Error(`expected mqtt://HOST[:PORT]/TOPIC-FILTER, got ${url}`);
  return { broker: `${m[1]}://${m[2]}`, filter: m[3]! };
}
