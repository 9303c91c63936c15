// The anomalies stream this example's operator writes: a stream of the user's own, declared once.
import { defineStream } from 'tierflow';

export interface Anomaly {
  sensor: string;
  value: number;
  /** The sensor's mean and standard deviation over its window before this reading. */
  mean: number;
  std: number;
  zscore: number;
  ts: number;
  /** The reading's identity (source/epoch/seq): a replay of the same reading is the same anomaly. */
  reading: string;
}

export const ANOMALIES = defineStream<Anomaly>({
  name: 'anomalies',
  dataClass: 'event',
  versions: [
    {
      type: 'record',
      name: 'Anomaly',
      namespace: 'example.sensors',
      fields: [
        { name: 'sensor', type: 'string' },
        { name: 'value', type: 'double' },
        { name: 'mean', type: 'double' },
        { name: 'std', type: 'double' },
        { name: 'zscore', type: 'double' },
        { name: 'ts', type: 'long' },
        { name: 'reading', type: 'string' },
      ],
    },
  ],
  key: (a) => a.sensor,
  id: (a) => a.reading,
  captureTs: (a) => a.ts,
  summary: (a) => ({ source: a.sensor, label: `z=${a.zscore.toFixed(1)}` }),
});
