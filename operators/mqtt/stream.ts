// The readings stream: one number a sensor reported over MQTT, as the mqtt@1 source emits it. Flows of a user's
// own read it through tierflow's public API (`import { READINGS } from 'tierflow'`).
import { defineStream } from '../../pipelines/streams/stream.js';

export interface Reading {
  /** The topology source the reading came in on. */
  source: string;
  /** The sensor: the payload's `sensor`, else the MQTT topic it was published on. */
  sensor: string;
  value: number;
  /** When it was measured: the payload's `ts` (ms since epoch), else when it arrived. */
  ts: number;
  /** The source's session (minted at each start) and the message's number in it: the reading's identity. */
  epoch: string;
  seq: number;
}

export const READINGS = defineStream<Reading>({
  name: 'readings',
  dataClass: 'event',
  versions: [
    {
      type: 'record',
      name: 'Reading',
      namespace: 'tierflow.sensors',
      fields: [
        { name: 'source', type: 'string' },
        { name: 'sensor', type: 'string' },
        { name: 'value', type: 'double' },
        { name: 'ts', type: 'long' },
        { name: 'epoch', type: 'string' },
        { name: 'seq', type: 'long' },
      ],
    },
  ],
  key: (r) => r.sensor,
  id: (r) => `${r.source}/${r.epoch}/${r.seq}`,
  captureTs: (r) => r.ts,
});
