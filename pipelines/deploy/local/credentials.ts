// Least privilege for a local deploy on an authorising broker: one SCRAM-SHA-512 user per node with a fresh random
// secret, the plan's ACLs for it, and the secret written only into that node's state folder (0700, file 0600), where
// its worker reads it. Secrets are never printed or logged. Undeploy removes the ACLs and revokes the credentials again.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../../plan/types.js';
import type { NodeAccess } from '../../plan/access.js';
import type { BackboneSpec } from '../../topology/schema.js';
import { kafkaConnectionOf } from '../../backbone/index.js';
import type { KafkaAccessAdmin, ScramMechanism } from '../../backbone/kafka/access-admin.js';
import type { DeployPaths } from './state.js';

export const CREDENTIAL_FILE = 'kafka-credential.json';

export function credentialFileOf(paths: DeployPaths, node: string): string {
  return join(paths.data, node, CREDENTIAL_FILE);
}

type KafkaSpec = Extract<BackboneSpec, { type: 'kafka' }>;

/** Whether a deploy on this backbone can give nodes their own credentials: SASL with a SCRAM mechanism. */
export function scramMechanismOf(spec: BackboneSpec): ScramMechanism | null {
  if (spec.type !== 'kafka' || !spec.security?.protocol.startsWith('SASL')) return null;
  const m = spec.security.mechanism;
  return m === 'SCRAM-SHA-512' || m === 'SCRAM-SHA-256' ? m : null;
}

/**
 * The admin client (@platformatic/kafka) is loaded here, when a deploy has node credentials to manage: it takes
 * ~0.4 s to load, which every `deploy` and `migrate` paid before, and every migration waits for its `migrate`.
 */
async function withAdmin<T>(spec: KafkaSpec, run: (admin: KafkaAccessAdmin, newSecret: () => string) => Promise<T>): Promise<T> {
  const { KafkaAccessAdmin, newSecret } = await import('../../backbone/kafka/access-admin.js');
  const admin = await KafkaAccessAdmin.connect(kafkaConnectionOf(spec));
  try {
    return await run(admin, newSecret);
  } finally {
    await admin.close();
  }
}

/**
 * On a SCRAM backbone whose broker authorises: creates every node's user and ACLs and writes its credential file;
 * returns the files by node. Returns null (nothing done) when the backbone is not SCRAM or the broker has no
 * authorizer: the workers then share the topology's credential, and deploy says so.
 */
export async function grantNodeAccess(plan: Plan, spec: KafkaSpec, paths: DeployPaths): Promise<Record<string, string> | null> {
  const mechanism = scramMechanismOf(spec);
  const access = plan.access;
  if (!mechanism || !access) return null;
  return withAdmin(spec, async (admin, newSecret) => {
    if (!(await admin.hasAuthorizer())) return null;
    const files: Record<string, string> = {};
    for (const n of access.nodes) {
      const secret = newSecret();
      await admin.upsertScram(n.username, secret, mechanism);
      await admin.deleteAcls(n.principal); // left over from an earlier deploy with another plan
      await admin.createAcls(n.principal, n.acls);
      files[n.node] = writeCredential(credentialFileOf(paths, n.node), { username: n.username, password: secret });
    }
    return files;
  });
}

/**
 * For a migration to `plan`, while the old plan's workers keep running on their credentials: a node new to the
 * deploy gets its user, ACLs and file; a node that has one keeps its secret and gets the ACLs the new plan adds
 * (adding never takes away what a running worker uses). Returns the credential files by node.
 */
export async function extendNodeAccess(plan: Plan, spec: KafkaSpec, paths: DeployPaths, files: Record<string, string>): Promise<Record<string, string>> {
  const mechanism = scramMechanismOf(spec);
  const access = plan.access;
  if (!mechanism || !access) return files;
  return withAdmin(spec, async (admin, newSecret) => {
    const out = { ...files };
    for (const n of access.nodes) {
      if (!out[n.node]) {
        const secret = newSecret();
        await admin.upsertScram(n.username, secret, mechanism);
        out[n.node] = writeCredential(credentialFileOf(paths, n.node), { username: n.username, password: secret });
      }
      await admin.createAcls(n.principal, n.acls);
    }
    return out;
  });
}

/** Removes every node's ACLs and revokes its SCRAM credential (see KafkaAccessAdmin.revokeScram), then the credential files. */
export async function revokeNodeAccess(plan: Plan, spec: KafkaSpec, files: Record<string, string>, earlier: NodeAccess[] = []): Promise<void> {
  const mechanism = scramMechanismOf(spec);
  if (!mechanism || !plan.access) return;
  // Nodes an earlier plan of this deploy had (a migration moved everything off them) have users too.
  const nodes = [...plan.access.nodes, ...earlier.filter((e) => !plan.access!.nodes.some((n) => n.principal === e.principal))];
  await withAdmin(spec, async (admin) => {
    for (const n of nodes) {
      await admin.deleteAcls(n.principal);
      await admin.revokeScram(n.username, mechanism);
    }
  });
  for (const f of Object.values(files)) rmSync(f, { force: true });
}

function writeCredential(file: string, credential: { username: string; password: string }): string {
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  // Created 0600 from the start (no window with wider permissions), replaced if it exists.
  rmSync(file, { force: true });
  writeFileSync(file, `${JSON.stringify(credential)}\n`, { mode: 0o600, flag: 'wx' });
  return file;
}
