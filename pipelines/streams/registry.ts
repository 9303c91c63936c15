// The streams a flow can carry are the ones its operators declare: collected here from the operator registry the
// engine is given, by name. Two different definitions under one name are refused: records would be read with the
// wrong schema.
import type { AnyOperatorDefinition } from '../operator.js';
import { TierflowError } from '../errors.js';
import type { AnyStream } from './stream.js';

export function streamsOf(operators: readonly AnyOperatorDefinition[]): Map<string, AnyStream> {
  const out = new Map<string, AnyStream>();
  for (const op of operators) {
    for (const s of [op.input, op.output]) {
      if (s === null) continue;
      const seen = out.get(s.name);
      if (seen && seen !== s) throw new TierflowError('TOPOLOGY_INVALID', `two different streams are named '${s.name}' (one of them in ${op.name}@${op.version}): give one of them another name`, { exitCode: 2 });
      out.set(s.name, s);
    }
  }
  return out;
}
