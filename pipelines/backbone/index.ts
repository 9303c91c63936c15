// Opens the backbone a topology names. Secrets in it are `${env:NAME}` references, resolved here from the
// environment; an unset one is a one-line error naming the variable. Kafka's native client is loaded only
// when a Kafka backbone is asked for.
import type { BackboneSpec } from '../topology/schema.js';
import type { Backbone } from './contract.js';
import { TierflowError } from '../errors.js';
import { createEmbeddedBackbone } from './embedded/index.js';
import type { KafkaConnection } from './kafka/connection.js';

export type { Backbone } from './contract.js';

const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Replaces every `${env:NAME}` in `value`; `where` names the field for the error message. */
export function resolveEnvRefs(value: string, env: NodeJS.ProcessEnv, where: string): string {
  return value.replace(ENV_REF, (_, name: string) => {
    const v = env[name];
    if (v === undefined) throw new TierflowError('BAD_ARGUMENT', `${where} refers to \${env:${name}}, but ${name} is not set in the environment`, { exitCode: 2 });
    return v;
  });
}

/** A node's own Kafka credential (least privilege): replaces the topology's user and password, and the backbone
 *  then provisions nothing (a node principal may not create topics). */
export interface NodeCredential {
  username: string;
  password: string;
}

export async function createBackbone(spec: BackboneSpec, env: NodeJS.ProcessEnv = process.env, credential?: NodeCredential): Promise<Backbone> {
  if (spec.type === 'embedded') return createEmbeddedBackbone();
  const { createKafkaBackbone } = await import('./kafka/index.js');
  return createKafkaBackbone(kafkaConnectionOf(spec, env, credential));
}

/** The topology's Kafka backbone with its `${env:…}` references resolved (and a node's credential, if any). */
export function kafkaConnectionOf(spec: Extract<BackboneSpec, { type: 'kafka' }>, env: NodeJS.ProcessEnv = process.env, credential?: NodeCredential): KafkaConnection {
  const s = spec.security;
  const security = s && {
    protocol: s.protocol,
    mechanism: s.mechanism,
    username: credential?.username ?? (s.username === undefined ? undefined : resolveEnvRefs(s.username, env, 'backbone.security.username')),
    password: credential?.password ?? (s.password === undefined ? undefined : resolveEnvRefs(s.password, env, 'backbone.security.password')),
    caFile: s.caFile === undefined ? undefined : resolveEnvRefs(s.caFile, env, 'backbone.security.caFile'),
  };
  const brokers = spec.brokers.map((b, i) => resolveEnvRefs(b, env, `backbone.brokers[${i}]`));
  return { brokers, security, ...(credential ? { provisions: false, clientId: credential.username } : {}) };
}
