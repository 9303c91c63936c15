// A node's own Kafka credential as its worker reads it: a JSON file `{"username","password"}` that a local deploy
// writes (mode 0600, in that node's state folder only), or a mounted Strimzi KafkaUser Secret (a folder with
// `password` and `sasl.jaas.config`, which names the user). Refused when group or others may read it, as ssh does.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TierflowError } from '../errors.js';
import type { NodeCredential } from './index.js';

function fail(file: string, why: string): never {
  throw new TierflowError('FILE_NOT_FOUND', `--credential ${file}: ${why}`, { exitCode: 2 });
}

export function readNodeCredential(path: string): NodeCredential {
  let st;
  try {
    st = statSync(path);
  } catch {
    fail(path, 'no such file');
  }
  if (st.isDirectory()) return readSecretFolder(path);
  if ((st.mode & 0o077) !== 0) fail(path, `readable by others (mode ${(st.mode & 0o777).toString(8)}); it must be 0600`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    fail(path, `not JSON (${(e as Error).message})`);
  }
  const c = parsed as Partial<NodeCredential>;
  if (typeof c.username !== 'string' || typeof c.password !== 'string' || !c.username || !c.password) fail(path, 'expected {"username": "...", "password": "..."}');
  return { username: c.username, password: c.password };
}

/** Strimzi's user Secret, mounted as a folder: the password in `password`, the user name in the JAAS line. */
function readSecretFolder(dir: string): NodeCredential {
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch {
      return fail(dir, `a credential folder needs the file ${name} (a Strimzi KafkaUser Secret has it)`);
    }
  };
  const password = read('password').trim();
  const username = /username="([^"]+)"/.exec(read('sasl.jaas.config'))?.[1];
  if (!username || !password) fail(dir, 'no username in sasl.jaas.config or an empty password');
  return { username, password };
}
