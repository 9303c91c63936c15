// `tierflow deploy --target compose --out FILE`: the compose file, with the plan (and any extra files such as
// a gallery, and each MirrorMaker's mm2.properties) written beside it, where the services mount them from, and the
// secrets under `secrets/` when the stack runs its own broker.
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { planAccess } from '../../plan/access.js';
import type { Plan } from '../../plan/types.js';
import { planJson } from '../manifest-common.js';
import { ADMIN_SECRET, SECRETS_DIR, nodeSecretName } from './access.js';
import { composeRunsBroker, composeYaml, planForCompose, type ComposeOptions } from './render.js';
import { composeMirrors } from './mirrors.js';

/** The worker image's user (`USER node` in the Dockerfile). */
const IMAGE_UID = 1000;

/** A fresh 256-bit secret, shell- and JSON-safe. */
function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Created 0600 from the start; an existing one is kept, so a redeploy on Redpanda's kept volume still matches
 *  the super user it bootstrapped, and running workers keep working. Never printed. */
function writeSecret(file: string, text: () => string, uid?: number): void {
  if (!existsSync(file)) writeFileSync(file, text(), { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  if (uid !== undefined) chownSync(file, uid, uid);
}

/** Returns the paths written: the compose file first. */
export function writeComposeFile(plan: Plan, outFile: string, opts: ComposeOptions): string[] {
  const dir = dirname(outFile);
  mkdirSync(dir, { recursive: true });
  // Compose bind-mounts file secrets with the host's owner and mode: as root we hand the node files to the image's
  // user; otherwise the workers run as the deploying user, who owns them.
  const root = process.getuid?.() === 0;
  const workerUser = opts.workerUser ?? (root || process.getuid === undefined ? undefined : `${process.getuid()}:${process.getgid!()}`);
  const written = [outFile, join(dir, 'plan.json')];
  const secrets = composeRunsBroker(plan) ? writeSecrets(plan, dir, root) : null;
  writeFileSync(outFile, composeYaml(plan, { ...opts, workerUser }));
  writeFileSync(join(dir, 'plan.json'), planJson(planForCompose(plan)));
  for (const [name, text] of Object.entries(opts.files ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    writeFileSync(join(dir, name), text);
    written.push(join(dir, name));
  }
  for (const m of composeMirrors(plan)) {
    writeFileSync(join(dir, m.file), m.properties);
    written.push(join(dir, m.file));
  }
  if (secrets) written.push(secrets);
  return written;
}

/** The super user's secret and one per node, under `secrets/`; returns that folder. */
function writeSecrets(plan: Plan, dir: string, root: boolean): string {
  const secrets = join(dir, SECRETS_DIR);
  mkdirSync(secrets, { recursive: true, mode: 0o700 });
  chmodSync(secrets, 0o700);
  writeSecret(join(secrets, ADMIN_SECRET), newSecret);
  for (const n of (plan.access ?? planAccess(plan)).nodes) {
    const file = join(secrets, `${nodeSecretName(n.node)}.json`);
    writeSecret(file, () => `${JSON.stringify({ username: n.username, password: newSecret() })}\n`, root ? IMAGE_UID : undefined);
  }
  return secrets;
}
