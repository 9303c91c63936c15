// W3C trace context (`traceparent`: version-traceid-parentid-flags) and the capture timestamp, carried in
// record headers so a frame's path across tiers can be followed and its end-to-end latency measured.
import { randomBytes } from 'node:crypto';
import { HEADER_CAPTURE_TS, HEADER_TRACEPARENT, type Headers } from './contract.js';

export interface TraceContext {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function makeTraceparent(ctx: Partial<TraceContext> = {}): string {
  const traceId = ctx.traceId ?? randomBytes(16).toString('hex');
  const spanId = ctx.spanId ?? randomBytes(8).toString('hex');
  return `00-${traceId}-${spanId}-${ctx.sampled === false ? '00' : '01'}`;
}

/** Parses a traceparent; null for a malformed one or the all-zero ids the spec declares invalid. */
export function parseTraceparent(value: string | undefined): TraceContext | null {
  const m = value ? TRACEPARENT.exec(value.trim().toLowerCase()) : null;
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return null;
  return { traceId: m[2]!, spanId: m[3]!, sampled: (parseInt(m[4]!, 16) & 1) === 1 };
}

/** A child span of the incoming record's trace (a new trace when it carries none). */
export function childTraceparent(parent: string | undefined): string {
  const ctx = parseTraceparent(parent);
  return makeTraceparent(ctx ? { traceId: ctx.traceId, sampled: ctx.sampled } : {});
}

export function traceHeaders(captureTs: number, parent?: string): Headers {
  return { [HEADER_TRACEPARENT]: childTraceparent(parent), [HEADER_CAPTURE_TS]: String(captureTs) };
}

export function captureTsOf(headers: Headers): number | null {
  const v = headers[HEADER_CAPTURE_TS];
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : null;
}
