// An operator of the user's own, written only with tierflow's public API: per sensor, the mean and standard
// deviation of its last `window` readings; a reading `threshold` or more standard deviations away is an anomaly.
// Anomalous readings stay out of the window, so one spike does not hide the next.
import { defineOperator, READINGS, Type, type Reading } from 'tierflow';
import { ANOMALIES, type Anomaly } from './stream.js';

const Config = Type.Object(
  {
    window: Type.Integer({ minimum: 2, default: 30, description: 'Readings per sensor the statistics are taken over' }),
    minSamples: Type.Integer({ minimum: 2, default: 10, description: 'Readings a sensor needs before any is judged' }),
    threshold: Type.Number({ exclusiveMinimum: 0, default: 4, description: '|z| at or above which a reading is an anomaly' }),
  },
  { additionalProperties: false },
);

export default defineOperator({
  name: 'temperature-zscore',
  version: 1,
  summary: 'Readings that stand out from their sensor\'s recent ones (z-score over a sliding window).',
  config: Config,
  configChecks: [{ rule: 'minSamples <= window', check: (c) => (c.minSamples > c.window ? { key: 'minSamples', message: `minSamples ${c.minSamples} exceeds window ${c.window}: no reading would ever be judged` } : null) }],
  input: READINGS,
  output: ANOMALIES,
  tiers: ['edge', 'fog', 'cloud'],
  resources: { cpu: 0.05, memoryMB: 32, arch: ['amd64', 'arm64'] },
  bytesPerRecord: 120,
  create: async (config) => {
    const windows = new Map<string, number[]>();
    return {
      kind: 'transform',
      process: async (batch: Reading[], emit: (a: Anomaly) => void) => {
        for (const r of batch) {
          const w = windows.get(r.sensor) ?? [];
          windows.set(r.sensor, w);
          if (w.length >= config.minSamples) {
            const mean = w.reduce((a, b) => a + b, 0) / w.length;
            const std = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / (w.length - 1));
            const zscore = std > 0 ? (r.value - mean) / std : r.value === mean ? 0 : Infinity;
            if (Math.abs(zscore) >= config.threshold) {
              emit({ sensor: r.sensor, value: r.value, mean, std, zscore: Number.isFinite(zscore) ? zscore : Math.sign(zscore) * 1e9, ts: r.ts, reading: READINGS.id(r) });
              continue;
            }
          }
          w.push(r.value);
          if (w.length > config.window) w.shift();
        }
      },
    };
  },
});
