// Kafka's security administration for least privilege: SCRAM credentials (AlterUserScramCredentials, KIP-554) and
// ACLs (CreateAcls/DeleteAcls/DescribeAcls). Neither node-rdkafka nor kafkajs can upsert a SCRAM user, so this
// uses @platformatic/kafka, a pure-TypeScript client that ships both requests: its Admin for ACLs and its
// AlterUserScramCredentials v0 request over one authenticated connection (a KRaft broker forwards it to the
// controller). The client computes the salted password (PBKDF2, RFC 5802's Hi) as KIP-554 asks; the password
// itself never leaves this process.
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  Admin,
  AclOperations,
  AclPermissionTypes,
  Connection,
  ResourcePatternTypes,
  ResourceTypes,
  alterUserScramCredentialsV0,
  type Acl,
  type SASLMechanismValue,
} from '@platformatic/kafka';
import type { AclEntry, AclOperation } from '../../plan/access.js';
import { TierflowError } from '../../errors.js';
import { DEFAULT_TIMEOUT_MS, type KafkaConnection } from './connection.js';
import { within } from './errors.js';

/** KIP-554 mechanism bytes. */
const MECHANISM_BYTE = { 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 } as const;
const HASH = { 'SCRAM-SHA-256': { name: 'sha256', bytes: 32 }, 'SCRAM-SHA-512': { name: 'sha512', bytes: 64 } } as const;
/** Kafka accepts 4096..16384 iterations; its own tools default to 4096. */
export const SCRAM_ITERATIONS = 8192;
const SECURITY_DISABLED = 54;

export type ScramMechanism = keyof typeof MECHANISM_BYTE;

const OPERATION: Record<AclOperation, number> = {
  read: AclOperations.READ,
  write: AclOperations.WRITE,
  describe: AclOperations.DESCRIBE,
  create: AclOperations.CREATE,
  'describe-configs': AclOperations.DESCRIBE_CONFIGS,
  alter: AclOperations.ALTER,
};
const RESOURCE = { topic: ResourceTypes.TOPIC, group: ResourceTypes.GROUP, cluster: ResourceTypes.CLUSTER } as const;

/** The plan's ACL entries as Kafka ACL bindings for one principal: one allow binding per operation, any host. */
export function aclBindings(principal: string, entries: AclEntry[]): Acl[] {
  return entries.flatMap((e) =>
    e.operations.map((op) => ({
      resourceType: RESOURCE[e.resource],
      resourceName: e.name,
      resourcePatternType: e.pattern === 'prefixed' ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
      principal,
      host: '*',
      operation: OPERATION[op] as Acl['operation'],
      permissionType: AclPermissionTypes.ALLOW,
    })),
  );
}

/** SaltedPassword = Hi(password, salt, i) of RFC 5802: what the broker stores (it derives the keys from it). */
export function saltedPassword(mechanism: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  const h = HASH[mechanism];
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, h.bytes, h.name);
}

/** A fresh random secret for a node: 32 bytes, base64url (no characters a SASL/JAAS config would need to quote). */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function clientOptions(conn: KafkaConnection) {
  const s = conn.security;
  const timeout = conn.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!s?.protocol.startsWith('SASL') || !s.mechanism || s.username === undefined || s.password === undefined) {
    throw new TierflowError('BAD_ARGUMENT', 'per-node Kafka credentials need a SASL backbone (backbone.security with mechanism, username, password)', { exitCode: 2 });
  }
  const tls = s.protocol === 'SASL_SSL' ? (s.caFile ? { ca: [readFileSync(s.caFile, 'utf8')] } : {}) : undefined;
  return {
    clientId: conn.clientId ?? 'tierflow-access',
    connectTimeout: Math.min(5000, timeout),
    requestTimeout: timeout,
    sasl: { mechanism: s.mechanism as SASLMechanismValue, username: s.username, password: s.password },
    ...(tls ? { tls } : {}),
  };
}

function authzOrUnreachable(e: unknown, brokers: string[], doing: string): TierflowError {
  if (e instanceof TierflowError) return e;
  const text = `${(e as Error)?.message ?? String(e)} ${JSON.stringify((e as { errors?: unknown }).errors ?? '')}`;
  if (/AUTHORIZATION_FAILED|authoriz/i.test(text)) {
    return new TierflowError('BROKER_AUTHZ', `Kafka at ${brokers.join(',')} denied ${doing}: the deploying user (backbone.security) needs ALTER on the cluster: ${text.trim()}`, { cause: e });
  }
  if (/SASL|authenticat/i.test(text)) {
    return new TierflowError('BROKER_AUTH', `Kafka at ${brokers.join(',')} refused the credentials while ${doing}: check backbone.security: ${text.trim()}`, { cause: e });
  }
  return new TierflowError('BROKER_UNREACHABLE', `Kafka at ${brokers.join(',')} unreachable while ${doing}: ${text.trim()}`, { cause: e, retriable: true, exitCode: 3 });
}

export class KafkaAccessAdmin {
  private constructor(
    private readonly conn: KafkaConnection,
    private readonly admin: Admin,
    private readonly connection: Connection,
  ) {}

  static async connect(conn: KafkaConnection): Promise<KafkaAccessAdmin> {
    const opts = clientOptions(conn);
    const [host, port] = conn.brokers[0]!.split(':') as [string, string];
    const connection = new Connection(opts.clientId, opts);
    try {
      await within(connection.connect(host, Number(port)) as Promise<void>, opts.requestTimeout, conn.brokers, 'connecting for ACLs');
    } catch (e) {
      void connection.close().catch(() => {});
      throw authzOrUnreachable(e, conn.brokers, 'connecting for ACLs');
    }
    const admin = new Admin({ ...opts, bootstrapBrokers: conn.brokers, retries: 1 });
    return new KafkaAccessAdmin(conn, admin, connection);
  }

  /** Whether the cluster authorises at all: without an authorizer, DescribeAcls answers SECURITY_DISABLED. */
  async hasAuthorizer(): Promise<boolean> {
    try {
      await this.admin.describeAcls({
        filter: { resourceType: ResourceTypes.ANY, resourceName: null, resourcePatternType: ResourcePatternTypes.ANY, principal: null, host: null, operation: AclOperations.ANY, permissionType: AclPermissionTypes.ANY },
      });
      return true;
    } catch (e) {
      if (JSON.stringify((e as { errors?: unknown }).errors ?? '').includes(`${SECURITY_DISABLED}`) || /SECURITY_DISABLED|Security features are disabled/i.test(String((e as Error).message) + JSON.stringify(e))) return false;
      throw authzOrUnreachable(e, this.conn.brokers, 'describing ACLs');
    }
  }

  /** Creates or replaces the SCRAM credential of `user`. */
  async upsertScram(user: string, password: string, mechanism: ScramMechanism = 'SCRAM-SHA-512'): Promise<void> {
    const salt = randomBytes(32);
    const upsertion = { name: user, mechanism: MECHANISM_BYTE[mechanism], iterations: SCRAM_ITERATIONS, salt, saltedPassword: saltedPassword(mechanism, password, salt, SCRAM_ITERATIONS) };
    await this.scram([], [upsertion], `creating the SCRAM credential of ${user}`);
  }

  /**
   * Revokes the SCRAM credential of `user`: its secret is replaced by a random one that is never kept, so nothing can
   * log in as it again. It is not deleted: on Kafka 3.9.1 (KRaft), a broker restarted after any SCRAM deletion (a
   * RemoveUserScramCredentialRecord in its metadata log) loads no SCRAM credential at all, its super user's included,
   * and refuses every SASL client (reproduced 5 times of 5 here; see infra/kafka/README.md).
   */
  async revokeScram(user: string, mechanism: ScramMechanism = 'SCRAM-SHA-512'): Promise<void> {
    await this.upsertScram(user, newSecret(), mechanism);
  }

  async createAcls(principal: string, entries: AclEntry[]): Promise<void> {
    const creations = aclBindings(principal, entries);
    if (creations.length === 0) return;
    try {
      await this.admin.createAcls({ creations });
    } catch (e) {
      throw authzOrUnreachable(e, this.conn.brokers, `creating the ACLs of ${principal}`);
    }
  }

  /** Deletes every ACL that names `principal`; returns how many there were. */
  async deleteAcls(principal: string): Promise<number> {
    try {
      const deleted = await this.admin.deleteAcls({
        filters: [{ resourceType: ResourceTypes.ANY, resourceName: null, resourcePatternType: ResourcePatternTypes.ANY, principal, host: null, operation: AclOperations.ANY, permissionType: AclPermissionTypes.ANY }],
      });
      return deleted.length;
    } catch (e) {
      throw authzOrUnreachable(e, this.conn.brokers, `deleting the ACLs of ${principal}`);
    }
  }

  /** ACL bindings that name `principal`, for tests and status. */
  async describeAcls(principal: string): Promise<Acl[]> {
    const resources = await this.admin.describeAcls({
      filter: { resourceType: ResourceTypes.ANY, resourceName: null, resourcePatternType: ResourcePatternTypes.ANY, principal, host: null, operation: AclOperations.ANY, permissionType: AclPermissionTypes.ANY },
    });
    return resources.flatMap((r) => r.acls.map((a) => ({ resourceType: r.resourceType, resourceName: r.resourceName, resourcePatternType: r.resourcePatternType, ...a }) as Acl));
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.admin.close(), this.connection.close()]);
  }

  private async scram(deletions: Array<{ name: string; mechanism: number }>, upsertions: Parameters<typeof alterUserScramCredentialsV0.createRequest>[1], doing: string): Promise<void> {
    try {
      await within(alterUserScramCredentialsV0.api.async(this.connection, deletions, upsertions), this.conn.timeoutMs ?? DEFAULT_TIMEOUT_MS, this.conn.brokers, doing);
    } catch (e) {
      throw authzOrUnreachable(e, this.conn.brokers, doing);
    }
  }
}
