// Client errors from node-rdkafka and kafkajs, turned into the two a user can act on: the brokers cannot be
// reached (check brokers/network), or they refused our credentials (check user/password/CA).
import { TierflowError } from '../../errors.js';

const RD_AUTH = -169; // ERR__AUTHENTICATION
export const RD_QUEUE_FULL = -184;

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

export function brokerError(e: unknown, brokers: string[], doing: string): TierflowError {
  if (e instanceof TierflowError) return e;
  const detail = (e as Error)?.message ?? String(e);
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
