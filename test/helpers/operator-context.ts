// The context an operator gets from the runtime, for tests and benchmarks that build operators directly.
import { tmpdir } from 'node:os';
import type { OperatorContext } from '../../pipelines/operator.js';
import { memoryStateStore } from '../../pipelines/runtime/state/store.js';

export function operatorContext(overrides: Partial<OperatorContext> = {}): OperatorContext {
  return {
    operatorId: 'op',
    node: 'n',
    tier: 'edge',
    replica: 0,
    sources: [],
    dataDir: tmpdir(),
    baseDir: tmpdir(),
    log: () => {},
    signal: new AbortController().signal,
    state: memoryStateStore(),
    ...overrides,
  };
}
