// Least privilege for the compose stack: Redpanda with SASL/SCRAM and authorization on, a super user that only the
// provisioning services (redpanda, topics, access) hold, and one SCRAM-SHA-512 user per node with exactly the plan's
// ACLs (`plan.access`), created by a one-shot `access` service with rpk. Secrets are compose file secrets (files
// beside the compose file, 0600), never in the compose file itself. Pure: the secrets are written by write.ts.
import type { AclEntry, PlanAccess } from '../../plan/access.js';
import { dnsLabel } from '../manifest-common.js';

/** The Redpanda super user: bootstrapped from its secret on first start, used to create topics, users and ACLs. */
export const ADMIN_USER = 'tierflow-admin';
export const ADMIN_SECRET = 'tierflow-admin';
/** Redpanda's bootstrap user is SCRAM-SHA-256; the nodes' users are SCRAM-SHA-512. */
export const ADMIN_MECHANISM = 'SCRAM-SHA-256';
export const NODE_MECHANISM = 'SCRAM-SHA-512';
export const SECRETS_DIR = 'secrets';

/** The compose secret of one node: `/run/secrets/<name>` in its workers, file `secrets/<name>.json`. */
export function nodeSecretName(node: string): string {
  return dnsLabel('tierflow-node', node);
}

export function secretPath(name: string): string {
  return `/run/secrets/${name}`;
}

/** Shell that reads the admin password in a container; `$$` because compose interpolates a single `$`. */
export const ADMIN_PASS = `"$$(cat ${secretPath(ADMIN_SECRET)})"`;

/** rpk's flags to act as the super user, on the Kafka API and the (authenticated) Admin API. */
export function adminRpkFlags(broker: string, adminApi: string): string {
  return `-X brokers=${broker} -X admin.hosts=${adminApi} -X user=${ADMIN_USER} -X pass=${ADMIN_PASS} -X sasl.mechanism=${ADMIN_MECHANISM}`;
}

/** One ACL grant as the access script makes it: what the tests compare with the plan. */
export interface AclGrant extends AclEntry {
  principal: string;
}

export function aclGrants(access: PlanAccess): AclGrant[] {
  return access.nodes.flatMap((n) => n.acls.map((a) => ({ principal: n.principal, ...a })));
}

function rpkAcl(g: AclGrant): string {
  const resource = g.resource === 'cluster' ? '--cluster' : `--${g.resource} ${g.name}`;
  const ops = g.operations.map((o) => o.replace('-', '_')).join(',');
  return `--allow-principal ${g.principal} --operation ${ops} ${resource} --resource-pattern-type ${g.pattern}`;
}

/** Parses one `rpk security acl create` line of the script back into a grant (the tests read the script so). */
export function parseRpkAcl(line: string): AclGrant | null {
  const m = /rpk security acl create .*--allow-principal (\S+) --operation (\S+) (?:--cluster|--(topic|group) (\S+)) --resource-pattern-type (\S+)/.exec(line);
  if (!m) return null;
  const [, principal, ops, kind, name, pattern] = m;
  return {
    principal: principal!,
    operations: ops!.split(',').map((o) => o.replace('_', '-')) as AclEntry['operations'],
    resource: (kind ?? 'cluster') as AclEntry['resource'],
    name: name ?? 'kafka-cluster',
    pattern: pattern as AclEntry['pattern'],
  };
}

/**
 * The access service's script: for every node its SCRAM-SHA-512 user (replaced, so a redeploy's new secret takes),
 * then exactly its ACLs. The password is read from the node's secret file in the container, never written here.
 * ACLs are additive in Kafka: creating one that exists is a no-op.
 */
export function accessScript(access: PlanAccess, broker: string, adminApi: string): string {
  const rpk = (args: string) => `rpk security ${args} ${adminRpkFlags(broker, adminApi)}`;
  const lines = ['set -e'];
  for (const n of access.nodes) {
    const file = secretPath(nodeSecretName(n.node));
    lines.push(`pw="$$(sed -n 's/.*"password":"\\([^"]*\\)".*/\\1/p' ${file})"`);
    lines.push(`${rpk(`user delete ${n.username}`)} >/dev/null 2>&1 || true`);
    lines.push(rpk(`user create ${n.username} -p "$$pw" --mechanism ${NODE_MECHANISM}`));
    for (const a of n.acls) lines.push(rpk(`acl create ${rpkAcl({ principal: n.principal, ...a })}`));
  }
  return lines.join('\n');
}
