// Client errors from node-rdkafka and kafkajs, turned into the two a user can act on: the brokers cannot be
// reached (check brokers/network), or they refused our credentials (check user/password/CA).
import Kafka from 'node-rdkafka';
import { TierflowError } from '../../errors.js';

/** librdkafka's error codes by name (node-rdkafka's table): code reads `RD.ERR__TIMED_OUT`, not -185. */
export const RD = Kafka.CODES.ERRORS;
const RD_AUTH = RD.ERR__AUTHENTICATION;
export const RD_QUEUE_FULL = RD.ERR__QUEUE_FULL;

const names = new Map<number, string>(Object.entries(RD).map(([name, code]) => [code, name]));

/** The name of a librdkafka or Kafka error code (`ERR__TRANSPORT`), for messages a person reads. */
export function rdkafkaCodeName(code: number): string | undefined {
  return names.get(code);
}

/** An error's message with its librdkafka code named, when it has one: `Local: Broker transport failure (ERR__TRANSPORT)`. */
export function describe(e: unknown): string {
  const message = (e as Error)?.message ?? String(e);
  const code = (e as { code?: unknown })?.code;
  const name = typeof code === 'number' ? rdkafkaCodeName(code) : undefined;
  return name && !message.includes(name) ? `${message} (${name})` : message;
}

function chain(e: unknown): unknown[] {
  const out: unknown[] = [];
  for (let cur = e, i = 0; cur && i < 6; i++) {
    out.push(cur);
    const c = cur as { cause?: unknown; originalError?: unknown };
    cur = c.originalError ?? c.cause;
  }
  return out;
}

export function isAuthError(e: unknown): boolean {
  return chain(e).some((x) => {
    const err = x as { name?: string; code?: number; type?: string; message?: string };
    return (
      err.code === RD_AUTH ||
      err.name === 'KafkaJSSASLAuthenticationError' ||
      err.type === 'SASL_AUTHENTICATION_FAILED' ||
      /authentication|SASL/i.test(err.message ?? '')
    );
  });
}

/** librdkafka's and Kafka's *_AUTHORIZATION_FAILED: topic, group, cluster, transactional id. */
const RD_AUTHZ = new Set([RD.ERR_TOPIC_AUTHORIZATION_FAILED, RD.ERR_GROUP_AUTHORIZATION_FAILED, RD.ERR_CLUSTER_AUTHORIZATION_FAILED, RD.ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED]);

/** Authenticated but not allowed: the broker's ACLs refuse this principal the operation. */
export function isAuthzError(e: unknown): boolean {
  return chain(e).some((x) => {
    const err = x as { code?: number; type?: string; message?: string };
    return (typeof err.code === 'number' && RD_AUTHZ.has(err.code)) || /_AUTHORIZATION_FAILED$/.test(err.type ?? '') || /authorization failed|not authorized/i.test(err.message ?? '');
  });
}

/** BROKER_AUTHZ: one line naming what was refused; never retriable, since the ACLs will not change by waiting. */
export function authzError(e: unknown, brokers: string[], doing: string): TierflowError {
  const detail = describe(e);
  return new TierflowError('BROKER_AUTHZ', `Kafka at ${brokers.join(',')} denied ${doing}: this node's principal is not authorised (${detail}); the plan's ACLs (tierflow plan) say what each node may do`, { cause: e });
}

export function brokerError(e: unknown, brokers: string[], doing: string): TierflowError {
  if (e instanceof TierflowError) return e;
  const detail = describe(e);
  if (isAuthzError(e)) return authzError(e, brokers, doing);
  if (isAuthError(e)) {
    return new TierflowError('BROKER_AUTH', `Kafka at ${brokers.join(',')} refused the credentials while ${doing}: check backbone.security (user, password, mechanism, CA): ${detail}`, { cause: e });
  }
  return new TierflowError('BROKER_UNREACHABLE', `Kafka at ${brokers.join(',')} unreachable while ${doing}: ${detail}`, { cause: e, retriable: true, exitCode: 3 });
}

/** Rejects with BROKER_UNREACHABLE if `p` has not settled within `ms`. */
export function within<T>(p: Promise<T>, ms: number, brokers: string[], doing: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(brokerError(new Error(`no answer within ${ms} ms`), brokers, doing)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
