// How to reach a Kafka cluster, with secrets already resolved, and the client settings it implies for
// node-rdkafka (data path) and kafkajs (admin).
import { readFileSync } from 'node:fs';
import type { KafkaConfig, SASLOptions } from 'kafkajs';
import { TierflowError } from '../../errors.js';

export interface KafkaSecurity {
  protocol: 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
  mechanism?: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
  username?: string;
  password?: string;
  caFile?: string;
}

export interface KafkaConnection {
  brokers: string[];
  security?: KafkaSecurity;
  /** Bound on connecting and on admin/metadata calls, ms (default 10 s). */
  timeoutMs?: number;
  clientId?: string;
  /** false: provision() only records the topics' settings and creates nothing. A node principal runs so: it may
   *  not create topics (least privilege); the deploy's provisioning user made them beforehand. */
  provisions?: boolean;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export function rdkafkaSecurity(c: KafkaConnection): Record<string, string> {
  const s = c.security;
  if (!s || s.protocol === 'PLAINTEXT') return { 'security.protocol': 'plaintext' };
  const out: Record<string, string> = { 'security.protocol': s.protocol.toLowerCase() };
  if (s.protocol.startsWith('SASL')) {
    if (!s.mechanism || s.username === undefined || s.password === undefined) {
      throw new TierflowError('BAD_ARGUMENT', `backbone.security: ${s.protocol} needs mechanism, username and password`);
    }
    out['sasl.mechanisms'] = s.mechanism;
    out['sasl.username'] = s.username;
    out['sasl.password'] = s.password;
  }
  if (s.caFile) out['ssl.ca.location'] = s.caFile;
  return out;
}

export function kafkajsConfig(c: KafkaConnection): KafkaConfig {
  const s = c.security;
  const timeout = c.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const base: KafkaConfig = {
    clientId: c.clientId ?? 'tierflow',
    brokers: c.brokers,
    connectionTimeout: Math.min(3000, timeout),
    requestTimeout: timeout,
    // Few, short retries: an unreachable cluster must fail within the bound, and bad credentials must not storm.
    retry: { retries: 2, initialRetryTime: 300, maxRetryTime: 2000 },
    logLevel: 0,
  };
  if (!s || s.protocol === 'PLAINTEXT') return base;
  if (s.protocol === 'SSL' || s.protocol === 'SASL_SSL') {
    base.ssl = s.caFile ? { ca: [readCa(s.caFile)] } : true;
  }
  if (s.protocol.startsWith('SASL')) {
    const mechanism = s.mechanism?.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512' | undefined;
    if (!mechanism || s.username === undefined || s.password === undefined) {
      throw new TierflowError('BAD_ARGUMENT', `backbone.security: ${s.protocol} needs mechanism, username and password`);
    }
    base.sasl = { mechanism, username: s.username, password: s.password } as SASLOptions;
  }
  return base;
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new TierflowError('FILE_NOT_FOUND', `backbone.security.caFile ${file} cannot be read: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * TIERFLOW_RDKAFKA_DEBUG=eos,msg (librdkafka's debug contexts, e.g. fetch,cgrp for a consumer) turns on librdkafka's
 * own log: the settings for a client's config, and `attach` writes the log to stderr (a worker's log).
 */
export function rdkafkaDebug(): { config: Record<string, unknown>; attach(client: { on(event: 'event.log', f: (l: { fac?: string; message?: string }) => void): unknown }): void } {
  const debug = process.env['TIERFLOW_RDKAFKA_DEBUG'];
  return {
    config: debug ? { debug, event_cb: true } : {},
    attach: (client) => {
      if (debug) client.on('event.log', (l) => process.stderr.write(`${new Date().toISOString()} rdkafka ${l.fac ?? ''} ${l.message ?? ''}\n`));
    },
  };
}
