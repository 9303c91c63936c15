// Deploy flags that give a node a value, repeated once per node: `--pin-cores gateway=0`, `--cpu-quota fog-1=0.5`.
import { TierflowError } from '../../errors.js';

/**
 * The value each named node gets, or undefined when the flag was not given. A malformed `node=value` or a node
 * not in the topology is one line naming the flag, exit 2.
 */
export function nodeValues(flag: string, given: readonly string[], nodes: readonly string[], valid: (value: string) => boolean, expected: string): Record<string, string> | undefined {
  if (given.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const v of given) {
    const m = /^([a-z][a-z0-9-]*)=(.+)$/.exec(v);
    if (!m || !valid(m[2]!)) throw new TierflowError('BAD_ARGUMENT', `${flag}: expected ${expected}, got '${v}'`, { exitCode: 2 });
    if (!nodes.includes(m[1]!)) throw new TierflowError('BAD_ARGUMENT', `${flag}: no node '${m[1]}' in the topology (nodes: ${nodes.join(', ')})`, { exitCode: 2 });
    out[m[1]!] = m[2]!;
  }
  return out;
}

/** `--pin-cores node=cpus`: the CPU list taskset gives the node's workers (`0`, `1-2`, `0,2`). */
export function parsePinnedCores(values: readonly string[], nodes: readonly string[]): Record<string, string> | undefined {
  return nodeValues('--pin-cores', values, nodes, (v) => /^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(v), 'node=cpus (e.g. gateway=0 or fog-1=1-2)');
}
