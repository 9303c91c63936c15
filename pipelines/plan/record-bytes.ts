// What one record of a flow's output weighs, and how many a transform emits, for link costs and traffic: the
// operator's own estimates for the flow's config (and the source it reads, for a source operator) where it declares
// them, its bytesPerRecord and one record out per record in otherwise.
import { Value } from '@sinclair/typebox/value';
import type { AnyOperatorDefinition } from '../operator.js';
import type { FlowSpec, SourceSpec } from '../topology/schema.js';

/**
 * What Kafka adds to each record a topic carries between nodes, at the rates of cameras and sensors, where batches
 * hold a record or two: the record and batch headers (~70 B) and a fetch round trip's framing (~120 B). Measured on
 * the placement bench's WAN proxies: 400 B matches records crossed as 540-640 B at 1-4 cameras.
 */
export const KAFKA_BYTES_PER_RECORD = 190;

/** The flow's config with its defaults, once per flow: a city plans ten thousand sources of one flow. */
const defaulted = new WeakMap<FlowSpec, unknown>();

function configOf(def: AnyOperatorDefinition, flow: FlowSpec): unknown {
  let config = defaulted.get(flow);
  if (config === undefined) defaulted.set(flow, (config = Value.Default(def.config, structuredClone(flow.config))));
  return config;
}

export function recordBytes(def: AnyOperatorDefinition, flow: FlowSpec, source?: SourceSpec): number {
  return def.estimateBytes ? def.estimateBytes(configOf(def, flow), source) : def.bytesPerRecord;
}

/** Records per second a transform emits for `recordsPerSecond` in from `sources` sources: its own estimate where it
 *  declares one (aggregate@1: one per window), else one out per record in. */
export function recordRate(def: AnyOperatorDefinition, flow: FlowSpec, recordsPerSecond: number, sources: number): number {
  return def.estimateRate ? def.estimateRate(configOf(def, flow), { recordsPerSecond, sources }) : recordsPerSecond;
}
