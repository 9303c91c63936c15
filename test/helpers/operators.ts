// Tests that drive the engine in this process install the built-in operators first, as the CLI's entry does
// (pipelines/registry.ts): the engine imports no operator itself.
import { installBuiltinOperators } from '../../pipelines/registry.js';

export const registry = await installBuiltinOperators();
